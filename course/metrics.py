"""Metrics: numbers that tell you how good a model is, without being trained on.

The loss is what training minimises; a metric is what you report. Accuracy,
for example, has no useful gradient (it jumps when a prediction crosses the
threshold), but it is what you want to know about a classifier.

    accuracy = binary_accuracy(y_true, y_pred)   # a float between 0 and 1

`compile(metrics=["accuracy", "mae"])` turns names into `Metric` objects with
`get`; `fit` then reports each metric per epoch, on the training data and
(as "val_" + name) on the validation data, as Keras does.
"""

import numpy as np

from course import losses
from course.validation import as_float_array, check_same_shape


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """The fraction of examples whose predicted class is right.

    accuracy = mean((y_pred > threshold) == y_true)
    y_true: labels 0 or 1; y_pred: probabilities (threshold 0.5) or logits
    (threshold 0.0); both of shape (n,) or (n, 1). Returns a float in [0, 1].
    """
    y_pred = as_float_array(y_pred, "y_pred")
    y_true = as_float_array(y_true, "y_true", dtype=y_pred.dtype)
    check_same_shape(y_true, y_pred)
    return float(np.mean((y_pred > threshold) == y_true))


def categorical_accuracy(y_true, y_pred):
    """The fraction of examples whose most likely class is the true one.

    accuracy = mean(argmax(y_pred, axis=-1) == argmax(y_true, axis=-1))
    y_true: one-hot labels (n, k); y_pred: scores or probabilities (n, k).
    Returns a float in [0, 1].
    """
    y_pred = as_float_array(y_pred, "y_pred")
    y_true = as_float_array(y_true, "y_true", dtype=y_pred.dtype)
    check_same_shape(y_true, y_pred)
    return float(np.mean(y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)))


def mean_absolute_error(y_true, y_pred):
    """mae = mean(|y_true - y_pred|), a float; the same number as losses.mae."""
    return losses.mae(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """mse = mean((y_true - y_pred)**2), a float; the same number as losses.mse."""
    return losses.mse(y_true, y_pred)


class Metric:
    """A named metric: `metric(y_true, y_pred) -> float`, reported under `metric.name`."""

    def __init__(self, name, function, **options):
        self.name = name
        self.function = function
        self.options = options

    def __call__(self, y_true, y_pred):
        return float(self.function(y_true, y_pred, **self.options))

    def __repr__(self):
        return f"Metric({self.name!r})"


class Accuracy(Metric):
    """Keras's "accuracy": binary accuracy for one output, categorical for several.

    threshold: where a prediction turns into class 1 when there is one output:
    0.5 for probabilities (a sigmoid output), 0.0 for logits.
    """

    def __init__(self, name="accuracy", threshold=0.5):
        super().__init__(name, binary_accuracy, threshold=threshold)

    def __call__(self, y_true, y_pred):
        if np.ndim(y_pred) == 2 and np.shape(y_pred)[1] > 1:
            return categorical_accuracy(y_true, y_pred)
        return super().__call__(y_true, y_pred)


_FUNCTIONS = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "mae": mean_absolute_error, "mean_absolute_error": mean_absolute_error,
    "mse": mean_squared_error, "mean_squared_error": mean_squared_error,
}
_ACCURACY = ("accuracy", "acc")


def get(identifier, loss=None):
    """Turn what compile(metrics=[...]) was given into a Metric.

    identifier: a name ("accuracy" or "acc", "binary_accuracy",
    "categorical_accuracy", "mae" or "mean_absolute_error", "mse" or
    "mean_squared_error"), reported under that same name as Keras does; a
    Metric; or your own function f(y_true, y_pred) -> float, reported under
    its __name__.
    loss: the compiled loss. With BinaryCrossentropy(from_logits=True) the
    model outputs logits, so "accuracy" thresholds at 0 instead of 0.5
    (sigmoid(0) = 0.5). Keras keeps 0.5 there, which silently reports a
    wrong accuracy; we do not.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        threshold = 0.0 if getattr(loss, "from_logits", False) else 0.5
        if identifier in _ACCURACY:
            return Accuracy(identifier, threshold)
        if identifier == "binary_accuracy":
            return Metric(identifier, binary_accuracy, threshold=threshold)
        if identifier in _FUNCTIONS:
            return Metric(identifier, _FUNCTIONS[identifier])
        known = ", ".join(repr(name) for name in sorted([*_ACCURACY, *_FUNCTIONS]))
        raise ValueError(f"Unknown metric {identifier!r}. Known: {known}; or pass "
                         f"your own function f(y_true, y_pred) -> float.")
    if callable(identifier):
        return Metric(getattr(identifier, "__name__", type(identifier).__name__), identifier)
    raise ValueError(f"Cannot use {identifier!r} as a metric; pass a name such as "
                     f"'accuracy' or 'mae', or a function f(y_true, y_pred) -> float.")
