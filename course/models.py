"""Sequential models: stack layers, then compile, fit, evaluate and predict, as in Keras.

    model = Sequential([Dense(25, activation="sigmoid", input_shape=(64,)),
                        Dense(15, activation="sigmoid"),
                        Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, validation_split=0.2)
    history.history["val_loss"]      # one number per epoch

One training step on a minibatch (x, y) is the whole lesson in four lines:

    predictions = model.forward(x)                       # every layer's forward
    cost, grad = loss.value_and_gradient(y, predictions) # the cost, d(cost)/d(predictions)
    model.backward(grad)                                 # every layer's backward
    optimizer.update(model_params, model_grads)          # one step downhill

`fit` checks what it is given, then hands over to course.training, which
repeats that step over shuffled minibatches for some epochs and reports the
loss and the metrics per epoch. The loss and the optimizer may be your own
objects: anything with `loss(y_true, y_pred)` and `loss.gradient(y_true,
y_pred)` (fit calls those two when there is no value_and_gradient), and
anything with `optimizer.update(params, grads)` that changes the arrays in
place.
"""

import inspect

import numpy as np

from course import losses, metrics as metrics_module, optimizers, training
from course.callbacks import Callback, History
from course.data.splits import train_valid_split
# TrainingDiverged, raised by fit, is importable from here too.
from course.training import TrainingDiverged, format_logs as _format_logs, loss_value
from course.validation import (as_float_array, check_binary_labels, check_finite,
                               check_same_length, check_whole_number)

PREDICT_BATCH_SIZE = 1024
"""predict and evaluate work through the data this many rows at a time.

Keras uses 32; with numpy, bigger chunks are faster and give the same numbers
up to float rounding, and chunks keep the memory bounded for a large data set."""

LAYER_METHODS = ("build", "forward", "backward")
"""What a layer must be able to do; it must also have the dicts `params` and
`grads` and, once built, `output_shape`."""


class Sequential:
    """A stack of layers, each feeding the next: predictions = layer_k(...layer_1(x)).

    layers: a list of layers (e.g. `course.Dense`), or add them one by one
    with `add`. Each layer needs build(input_dim), forward(x) -> output,
    backward(grad_output) -> grad_input, the dicts `params` and `grads`
    (grads filled by backward, with the keys of params), and, once built,
    `output_shape` (None, units). Your own layer may have a `dtype`
    (otherwise it works in the model's) and a backward that takes
    input_gradient=False (the first layer is then spared computing the
    gradient with respect to the data). The model is built (its weights
    made) as soon as the number of input features is known: from the first
    layer's input_shape, or from the data at the first fit or predict.
    """

    def __init__(self, layers=None, name="sequential"):
        if layers is not None and not isinstance(layers, (list, tuple)):
            raise TypeError(f"layers must be a list of layers, not a "
                            f"{type(layers).__name__}; put it in a list: "
                            f"Sequential([layer, ...]).")
        self.name = name
        self.layers = []
        self.input_dim = None
        self.optimizer = None
        self.loss = None
        self.metrics = []
        self.history = None
        self.stop_training = False
        self._first_skips_input_gradient = False
        for layer in layers or []:
            self.add(layer)

    def __repr__(self):
        return f"Sequential({self.layers!r})"

    # ------------------------------------------------------------ building

    def add(self, layer):
        """Put `layer` on top of the stack."""
        _check_layer(layer)
        if getattr(layer, "name", None) is None:
            layer.name = self._unique_name(type(layer).__name__.lower())
        self.layers.append(layer)
        if len(self.layers) == 1:
            self._first_skips_input_gradient = _takes_input_gradient(layer)
        if self.built:
            self._build_layer(len(self.layers) - 1, self._output_dim(len(self.layers) - 2))
        elif len(self.layers) == 1 and getattr(layer, "input_shape", None):
            self.build(layer.input_shape[0])

    def _unique_name(self, base):
        taken = {layer.name for layer in self.layers}
        name, number = base, 0
        while name in taken:
            number += 1
            name = f"{base}_{number}"
        return name

    def _output_dim(self, index):
        layer = self.layers[index]
        shape = getattr(layer, "output_shape", None)
        if not shape:
            raise TypeError(f"Layer {layer.name!r} has no output_shape after build; "
                            f"set self.output_shape = (None, units) in its build method.")
        return shape[-1]

    @property
    def built(self):
        return self.input_dim is not None

    @property
    def dtype(self):
        """The float type of the first layer that has one (float32 if none has);
        fit and predict cast x to it."""
        for layer in self.layers:
            dtype = getattr(layer, "dtype", None)
            if dtype is not None:
                return np.dtype(dtype)
        return np.dtype(np.float32)

    def _output_dtype(self):
        """The float type of the predictions: the last layer's, else the model's."""
        dtype = getattr(self.layers[-1], "dtype", None)
        return self.dtype if dtype is None else np.dtype(dtype)

    def build(self, input_dim):
        """Make every layer's weights, for inputs with `input_dim` features."""
        self._check_has_layers()
        self.input_dim = int(input_dim)
        dim = self.input_dim
        for index in range(len(self.layers)):
            dim = self._build_layer(index, dim)

    def _build_layer(self, index, input_dim):
        """Build layer `index` for input_dim features; return its number of outputs."""
        self.layers[index].build(input_dim)
        return self._output_dim(index)

    def _check_has_layers(self):
        if not self.layers:
            raise ValueError("The model has no layers yet; add one with "
                             "model.add(course.Dense(units, ...)).")

    # ------------------------------------------------------------ compile

    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose how the model learns (optimizer), from what (loss), and what to report.

        optimizer: "sgd", "rmsprop" (Keras's default), "adam", or an object
            with update(params, grads) (e.g. course.optimizers.Adam(1e-3)).
        loss: "mae", "mse", "huber", "binary_crossentropy" (...), or an object
            with __call__(y_true, y_pred) and gradient(y_true, y_pred).
        metrics: a list of names ("accuracy", "mae", "mse", ...) or functions
            f(y_true, y_pred) -> float, reported per epoch by fit.
        """
        if loss is None:
            raise ValueError("compile needs a loss, for example "
                             "model.compile(optimizer='adam', loss='mse').")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        if isinstance(metrics, str) or callable(metrics):
            metrics = [metrics]
        self.metrics = [metrics_module.get(metric, self.loss) for metric in metrics or []]

    def _check_compiled(self, what):
        if self.loss is None:
            raise RuntimeError(f"Compile the model before you call {what}: for example "
                               f"model.compile(optimizer='adam', loss='mse').")

    # ------------------------------------------------------------ forward and backward

    def forward(self, x):
        """predictions = the last layer's output, x passed through every layer in turn.

        x: (n, input_dim). Each layer keeps what its backward pass needs.
        """
        if self.input_dim is None:
            x = self._check_x(x)
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_predictions):
        """Backpropagate d(cost)/d(predictions) through every layer, last first.

        Fills each layer's `grads`. The first layer skips the gradient with
        respect to its input (the data), which nothing needs, when its
        backward takes input_gradient=False (Dense does).
        """
        grad = grad_predictions
        for index in range(len(self.layers) - 1, 0, -1):
            grad = self.layers[index].backward(grad)
        if self._first_skips_input_gradient:
            self.layers[0].backward(grad, input_gradient=False)
        else:
            self.layers[0].backward(grad)

    def _parameters(self):
        return [param for layer in self.layers for param in layer.params.values()]

    def _gradients(self):
        grads = []
        for layer in self.layers:
            grads.extend(layer.grads.values())
        return grads

    # ------------------------------------------------------------ checking the data

    def _check_x(self, x, name="x"):
        """x as a finite 2-D array of the model's dtype, with the features it was built for."""
        self._check_has_layers()
        x = as_float_array(x, name, dtype=self.dtype)
        if x.ndim != 2:
            hint = f" For one feature, pass {name}.reshape(-1, 1)." if x.ndim == 1 else ""
            raise ValueError(f"{name} has shape {x.shape}, but the model takes a 2-D array "
                             f"(examples, features).{hint}")
        if len(x) == 0:
            raise ValueError(f"{name} has no examples (rows); pass at least one.")
        check_finite(x, name)
        if not self.built:
            self.build(x.shape[1])
        elif x.shape[1] != self.input_dim:
            raise ValueError(f"{name} has {x.shape[1]} features (columns), but the model was "
                             f"built for {self.input_dim}. Pass the same columns the model "
                             f"was built with, or build a new model for {x.shape[1]} features.")
        return x

    def _check_y(self, y, x, name="y", x_name="x"):
        """y as a finite array of the predictions' dtype and shape (n, units).

        A target of shape (n,) against a model with one output is reshaped to
        (n, 1), as Keras does; any other mismatch is an error.
        """
        y = as_float_array(y, name, dtype=self._output_dtype())
        check_finite(y, name)
        if y.ndim == 0:
            raise ValueError(f"{name} is a single number; pass one target per example.")
        check_same_length(x, y, x_name, name)
        units = self._output_dim(-1)
        if y.ndim == 1 and units == 1:
            return y.reshape(-1, 1)
        if y.ndim == 2 and y.shape[1] == units:
            return y
        raise ValueError(f"{name} has shape {y.shape}, but the model predicts {units} "
                         f"value(s) per example, shape ({len(y)}, {units}). Give the last "
                         f"layer as many units as {name} has columns, or pass {name} with "
                         f"shape ({len(y)}, {units}).")

    def _check_labels(self, y, name="y"):
        """Binary cross-entropy needs labels in [0, 1]: checked once, naming your array."""
        if isinstance(self.loss, losses.BinaryCrossentropy):
            check_binary_labels(y, name)

    # ------------------------------------------------------------ predict and evaluate

    def predict(self, x, batch_size=None, verbose="auto"):
        """The model's predictions for x, shape (n, units).

        x: (n, input_dim). batch_size: rows per forward pass (default
        PREDICT_BATCH_SIZE); it changes the memory used, and the result only
        up to float rounding (the last bits of float32).
        verbose: accepted as in Keras (0, 1, 2 or "auto"), so that
        model.predict(x, verbose=0) works; predict prints nothing either way.
        """
        _check_verbose(verbose)
        x = self._check_x(x)
        chunk = _whole_number(PREDICT_BATCH_SIZE if batch_size is None else batch_size,
                              "batch_size", minimum=1)
        if len(x) <= chunk:
            return self.forward(x)
        return np.concatenate([self.forward(x[start:start + chunk])
                               for start in range(0, len(x), chunk)])

    def evaluate(self, x, y, batch_size=None, verbose=1, return_dict=False):
        """The loss (and metrics) of the model on (x, y), without training.

        Returns the loss as a float, or [loss, metric, ...] if the model was
        compiled with metrics, or a dict {"loss": ..., name: ...} with
        return_dict=True. verbose=1 (or "auto") also prints them on one line.
        """
        _check_verbose(verbose)
        self._check_compiled("evaluate")
        x = self._check_x(x)
        y = self._check_y(y, x)
        self._check_labels(y)
        logs = self._evaluate_logs(x, y, batch_size)
        if verbose:
            print(_format_logs(logs))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _evaluate_logs(self, x, y, batch_size=None):
        predictions = self.predict(x, batch_size)
        logs = {"loss": loss_value(self.loss, y, predictions)}
        for metric in self.metrics:
            logs[metric.name] = metric(y, predictions)
        return logs

    # ------------------------------------------------------------ fit

    def fit(self, x, y, batch_size=32, epochs=1, validation_data=None,
            validation_split=0.0, shuffle=True, verbose=1, callbacks=None):
        """Train the model on (x, y) with minibatch gradient descent.

        x: (n, features); y: (n, units), or (n,) for a model with one output
            (reshaped to (n, 1), as Keras does). Both are cast to the model's
            float type (float32 unless its layers were made with float64).
        batch_size: examples per step (None means 32); the last batch of an
            epoch holds what is left. Full-batch gradient descent: len(x).
        epochs: passes over the training data.
        validation_data: (x_val, y_val), evaluated after every epoch.
        validation_split: instead, hold out this fraction of (x, y), taken
            from the END of the data before any shuffling, as Keras does.
        shuffle: a new random order of the examples every epoch (seed it
            with course.utils.set_random_seed).
        verbose: 0 silent; 2 one line per epoch; 1 the same lines plus a
            progress bar (with timings) while an epoch takes longer than
            half a second.
        callbacks: a list of `course.callbacks.Callback` objects.

        Returns a `History`; `model.history` is the same object. If the loss
        becomes NaN or infinite, training stops with `TrainingDiverged`.
        """
        self._check_compiled("fit")
        x = self._check_x(x)
        y = self._check_y(y, x)
        self._check_labels(y)
        batch_size = _whole_number(32 if batch_size is None else batch_size, "batch_size",
                                   minimum=1)
        epochs = _whole_number(epochs, "epochs")
        verbose = 1 if _check_verbose(verbose) == "auto" else verbose
        validation = None
        if validation_data is not None:
            validation = self._check_validation_data(validation_data)
        elif validation_split:
            x, y, validation = _split_off_validation(x, y, validation_split)
        callbacks = _check_callbacks(callbacks)
        run = training.prepare(self, x, y, batch_size, shuffle, epochs, verbose, validation)
        self.history = History()
        self.stop_training = False
        return training.train(self, run, [self.history, *callbacks])

    def _check_validation_data(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (x_val, y_val).")
        x_val = self._check_x(validation_data[0], "x_val")
        y_val = self._check_y(validation_data[1], x_val, "y_val", "x_val")
        self._check_labels(y_val, "y_val")
        return x_val, y_val

    # ------------------------------------------------------------ weights

    def count_params(self):
        """How many numbers the model learns, over all its layers."""
        return sum(_count_params(layer) for layer in self.layers)

    def get_weights(self):
        """Copies of every parameter: [kernel_1, bias_1, kernel_2, bias_2, ...]."""
        self._check_built("get_weights")
        return [param.copy() for param in self._parameters()]

    def set_weights(self, weights):
        """Copy `weights` (a list as get_weights returns) into the model's parameters."""
        self._check_built("set_weights")
        params = self._parameters()
        weights = list(weights)
        if len(weights) != len(params):
            raise ValueError(f"set_weights got {len(weights)} arrays, but the model has "
                             f"{len(params)} parameters (a kernel and a bias per layer); "
                             f"pass a list like model.get_weights() returns.")
        arrays = [as_float_array(w, f"weights[{i}]") for i, w in enumerate(weights)]
        for index, (param, array) in enumerate(zip(params, arrays)):
            if array.shape != param.shape:
                raise ValueError(f"weights[{index}] has shape {array.shape}, but the "
                                 f"model's parameter {index} has shape {param.shape}.")
            if not np.isfinite(array).all():
                raise ValueError(f"weights[{index}] holds NaN or infinite values; the "
                                 f"model needs finite weights. If they come from a "
                                 f"training that diverged, use the weights of an earlier "
                                 f"epoch or train again with a smaller learning rate.")
        for param, array in zip(params, arrays):
            param[...] = array          # in place: the optimizer keeps its references

    def _check_built(self, what):
        if not self.built:
            raise ValueError(f"The model has no weights yet, so {what} cannot work. Give "
                             f"the first layer input_shape=(features,), or call fit or "
                             f"predict once.")

    # ------------------------------------------------------------ summary

    def summary(self, print_fn=print):
        """Print a table of the layers, their output shapes and parameter counts, as Keras."""
        self._check_built("summary")
        line, rule = "_" * 65, "=" * 65
        rows = [f'Model: "{self.name}"', line,
                _summary_row("Layer (type)", "Output Shape", "Param #"), rule]
        for layer in self.layers:
            shape = "(" + ", ".join(str(dim) for dim in layer.output_shape) + ")"
            rows.append(_summary_row(f"{layer.name} ({type(layer).__name__})", shape,
                                     f"{_count_params(layer):,}"))
        total = self.count_params()
        rows += [rule, f"Total params: {total:,}", f"Trainable params: {total:,}",
                 "Non-trainable params: 0", line]
        print_fn("\n".join(rows))


def _summary_row(layer, shape, count):
    return f" {layer:<27} {shape:<25} {count}".rstrip()


def _split_off_validation(x, y, fraction):
    """The last `fraction` of the examples become the validation set, as Keras.

    Returns x_train, y_train and the pair (x_val, y_val).
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float, np.number)) \
            or not 0 < fraction < 1:
        raise ValueError(f"validation_split must be a fraction between 0 and 1, "
                         f"got {fraction!r}.")
    split_at = int(len(x) * (1 - fraction))
    if split_at == 0 or split_at == len(x):
        raise ValueError(f"validation_split={fraction} of {len(x)} examples leaves "
                         f"{split_at} for training and {len(x) - split_at} for "
                         f"validation; both need at least one.")
    # split_at / len(x) of the rows, rounded, is split_at again.
    x_train, x_val, y_train, y_val = train_valid_split(x, y, split_at / len(x),
                                                       shuffle=False)
    return x_train, y_train, (x_val, y_val)


def _check_callbacks(callbacks):
    if isinstance(callbacks, Callback):
        raise TypeError(f"callbacks must be a list, even of one callback: "
                        f"callbacks=[{type(callbacks).__name__}(...)].")
    callbacks = list(callbacks or [])
    for callback in callbacks:
        if not isinstance(callback, Callback):
            raise TypeError(f"{callback!r} is not a callback; subclass "
                            f"course.callbacks.Callback.")
    return callbacks


def _whole_number(value, name, minimum=0):
    """`value` as an int after check_whole_number."""
    check_whole_number(value, name, minimum)
    return int(value)


def _check_verbose(verbose):
    """Return verbose if it is 0, 1, 2 or "auto", else raise ValueError."""
    if verbose not in (0, 1, 2, "auto"):
        raise ValueError(f"verbose must be 0 (silent), 1 (progress bar and a line "
                         f"per epoch), 2 (a line per epoch) or 'auto' (1), got "
                         f"{verbose!r}.")
    return verbose


# ------------------------------------------------------------ layers

def _check_layer(layer):
    """Raise TypeError unless `layer` has what a Sequential model asks of a layer."""
    for method in LAYER_METHODS:
        if not callable(getattr(layer, method, None)):
            raise TypeError(f"{layer!r} cannot be a layer of a Sequential model: it has "
                            f"no method {method}. A layer needs build(input_dim), "
                            f"forward(x), backward(grad) and the dicts params and "
                            f"grads; use course.Dense(...), for example.")
    for attribute in ("params", "grads"):
        if not isinstance(getattr(layer, attribute, None), dict):
            raise TypeError(f"{layer!r} cannot be a layer of a Sequential model: its "
                            f"{attribute} must be a dict (empty if it learns nothing), "
                            f"name -> array.")


def _takes_input_gradient(layer):
    """Whether layer.backward accepts input_gradient= (Dense's does; yours need not)."""
    try:
        parameters = inspect.signature(layer.backward).parameters
    except (TypeError, ValueError):
        return False
    return "input_gradient" in parameters


def _count_params(layer):
    """layer.count_params() if the layer has it, else the sizes of its params."""
    if callable(getattr(layer, "count_params", None)):
        return layer.count_params()
    return sum(np.size(value) for value in layer.params.values())
