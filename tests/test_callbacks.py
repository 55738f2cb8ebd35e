"""EarlyStopping on its own: what counts as an improvement, which way is better, when it stops."""

import numpy as np
import pytest

from course.callbacks import EarlyStopping


class FakeModel:
    """What a callback sees of a model: stop_training and the weights."""

    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(2)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]


def run(stopper, monitor, values, model=None):
    """Play `values` to the callback as one epoch each, as fit does; return the
    epochs that ran."""
    model = model or FakeModel()
    stopper.set_model(model)
    stopper.on_train_begin()
    epochs = []
    for epoch, value in enumerate(values):
        model.weights = [np.full(2, float(epoch))]
        stopper.on_epoch_end(epoch, {monitor: value})
        epochs.append(epoch)
        if model.stop_training:
            break
    stopper.on_train_end()
    return epochs


def test_an_improvement_smaller_than_min_delta_does_not_count():
    slow = [1.0, 0.95, 0.92, 0.90, 0.89]
    assert run(EarlyStopping(patience=2), "val_loss", slow) == [0, 1, 2, 3, 4]
    stopper = EarlyStopping(patience=2, min_delta=0.1)
    assert run(stopper, "val_loss", slow) == [0, 1, 2]
    assert stopper.stopped_epoch == 2 and stopper.best_epoch == 0


def test_min_delta_also_applies_when_higher_is_better():
    stopper = EarlyStopping(monitor="val_accuracy", patience=2, min_delta=0.1)
    assert run(stopper, "val_accuracy", [0.5, 0.55, 0.58, 0.59]) == [0, 1, 2]


@pytest.mark.parametrize("monitor", ["accuracy", "val_accuracy", "acc", "binary_accuracy",
                                     "val_categorical_accuracy"])
def test_auto_mode_maximises_accuracies(monitor):
    stopper = EarlyStopping(monitor=monitor)
    assert stopper.mode == "max"
    assert run(stopper, monitor, [0.5, 0.6, 0.7, 0.8]) == [0, 1, 2, 3]
    assert stopper.best_epoch == 3
    assert run(EarlyStopping(monitor=monitor), monitor, [0.8, 0.7]) == [0, 1]


@pytest.mark.parametrize("monitor", ["loss", "val_loss", "val_mae", "mse"])
def test_auto_mode_minimises_losses_and_errors(monitor):
    stopper = EarlyStopping(monitor=monitor)
    assert stopper.mode == "min"
    assert run(stopper, monitor, [0.8, 0.7, 0.6]) == [0, 1, 2]
    assert run(EarlyStopping(monitor=monitor), monitor, [0.6, 0.7]) == [0, 1]


def test_patience_counts_epochs_in_a_row_without_improvement():
    values = [1.0, 1.1, 0.9, 1.2, 1.3, 1.4]
    stopper = EarlyStopping(monitor="loss", patience=2)
    assert run(stopper, "loss", values) == [0, 1, 2, 3, 4]
    assert stopper.best_epoch == 2 and stopper.stopped_epoch == 4


def test_restore_best_weights_puts_back_those_of_the_best_epoch():
    model = FakeModel()
    run(EarlyStopping(monitor="loss", patience=1, restore_best_weights=True), "loss",
        [1.0, 0.5, 0.7, 0.9], model)
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_without_restore_best_weights_the_last_weights_stay():
    model = FakeModel()
    run(EarlyStopping(monitor="loss", patience=1), "loss", [1.0, 0.5, 0.7], model)
    np.testing.assert_array_equal(model.weights[0], [2.0, 2.0])


@pytest.mark.parametrize("patience", [-1, 1.5, True, "2"])
def test_patience_must_be_a_whole_number(patience):
    with pytest.raises(ValueError, match=r"patience must be a whole number >= 0, not"):
        EarlyStopping(patience=patience)


def test_an_unknown_mode_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"Unknown EarlyStopping mode 'maximum'. "
                                         r"Known: 'auto', 'max', 'min'"):
        EarlyStopping(mode="maximum")
