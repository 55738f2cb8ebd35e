"""Callbacks: your code, run by `fit` at the start and end of training and of each epoch.

    class PrintEvery10(Callback):
        def on_epoch_end(self, epoch, logs):
            if epoch % 10 == 0:
                print(epoch, logs["loss"])

    model.fit(x, y, epochs=100, verbose=0, callbacks=[PrintEvery10()])

`logs` is the dict of this epoch's numbers ("loss", "val_loss", metrics),
as in Keras. Setting `self.model.stop_training = True` ends training after
the current epoch; that is how `EarlyStopping` works. `History`, which `fit`
returns, is a callback too.
"""

import math

from course.validation import check_choice, check_whole_number


class Callback:
    """Does nothing at each point of training; override the points you need.

    fit calls, in this order: on_train_begin(logs), then for each epoch
    on_epoch_begin(epoch, logs) and on_epoch_end(epoch, logs), then
    on_train_end(logs). `self.model` is the model being trained and
    `self.params` the dict {"epochs", "steps", "verbose"}.
    """

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass


class History(Callback):
    """What `fit` returns: the numbers of every epoch.

    history: dict name -> list with one value per epoch, e.g.
        {"loss": [0.69, 0.52, ...], "val_loss": [...], "accuracy": [...]}
    epoch: the epoch numbers, [0, 1, 2, ...] (counting from 0, as Keras).
    params: {"epochs", "steps", "verbose"}: how fit was called.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def __repr__(self):
        names = ", ".join(self.history)
        return f"<History: {len(self.epoch)} epochs of {names}>"


class EarlyStopping(Callback):
    """Stop training when a monitored number has stopped improving.

    monitor: the name in the logs to watch, "val_loss" by default (so pass
        validation_data or validation_split to fit, or monitor="loss").
    min_delta: an improvement smaller than this does not count: with mode
        "min", a value improves on the best only if value < best - min_delta.
    patience: stop after this many epochs in a row without improvement.
    mode: "min" (lower is better), "max", or "auto": "max" for names with
        "acc" in them (accuracy, val_binary_accuracy, ...), else "min" (loss,
        mae, mse). Pass mode="max" for your own metric where higher is better.
    restore_best_weights: at the end of training, put back the weights of the
        best epoch (otherwise the model keeps those of the last epoch).
    After training, `stopped_epoch` is the epoch it stopped at (0: it did not
    stop early) and `best_epoch` the best one.
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, mode="auto",
                 restore_best_weights=False):
        super().__init__()
        check_choice(mode, ("auto", "min", "max"), "EarlyStopping mode")
        check_whole_number(patience, "patience")
        self.monitor = monitor
        self.min_delta = abs(float(min_delta))
        self.patience = int(patience)
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.mode = mode
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_weights = None

    def _improved(self, value):
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            known = ", ".join(repr(name) for name in logs)
            hint = (" Pass validation_data or validation_split to fit, or monitor "
                    "'loss'." if self.monitor.startswith("val_") else "")
            raise ValueError(f"EarlyStopping watches {self.monitor!r}, but fit reports "
                             f"only {known}.{hint}")
        value = logs[self.monitor]
        if self._improved(value):
            self.best = value
            self.best_epoch = epoch
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:  # as Keras: patience 0 and 1 both stop at once
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.restore_best_weights and self.best_weights is not None:
            self.model.set_weights(self.best_weights)
