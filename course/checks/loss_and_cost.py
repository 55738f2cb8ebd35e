"""Checks for the exercises of unit 01: how wrong a prediction is, and the cost.

Notebook: solutions/01_loss_and_cost.ipynb (the exercise is made from it by
`course build`). The exercises, in order:

    cost_by_hand         the mean squared error of three predictions, by hand (a value)
    mae                  the mean absolute error (a function, on edge cases)
    mse                  the mean squared error
    huber                the Huber loss, squared near the target and linear far from it
    binary_crossentropy  the log loss of predicted probabilities, clipped
    cost                 the cost of a linear model over a dataset

The references are the library's own losses (course.losses): one
implementation of each formula. Each exercise names the mistakes learners
often make in it (course.checks.mistakes).
"""

import numpy as np

from course import losses
from course.checks.kinds import Case, FunctionExercise, ValueExercise
from course.checks.mistakes import Mistake, scaled

UNIT = "01_loss_and_cost"


# --- Reference answers (what the solution notebook computes) -------------------

def reference_cost(w, b, X, y):
    """The cost of the linear model y_pred = X @ w + b over a dataset: its MSE.

    w: weights, shape (d,); b: the bias, a float; X: inputs, shape (n, d);
    y: targets, shape (n,). Returns J(w, b) = mean((X @ w + b - y) ** 2), a float.
    """
    return losses.mse(y, X @ w + b)


# --- Inputs the checks use ------------------------------------------------------

_rng = np.random.default_rng(1)
_targets = _rng.standard_normal(5)
_predictions = _targets + _rng.standard_normal(5)


# Inputs every regression loss is checked on: the shapes (n,) and (n, 1),
# float32, a single example and large values.
_LOSS_CASES = [
    Case(np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 6.0]), label="three examples"),
    Case(_targets, _predictions, label="random values"),
    Case(_targets.reshape(-1, 1), _predictions.reshape(-1, 1), label="shape (n, 1)"),
    Case(_targets.astype(np.float32), _predictions.astype(np.float32), label="float32"),
    Case(np.array([2.0]), np.array([-1.0]), label="a single example"),
    Case(np.array([1e6, -1e6]), np.array([-1e6, 1e6]), label="large values"),
]

# Labels and probabilities for the log loss: confident and unsure, right and
# wrong, and predictions of exactly 0 and 1 (which need the clip).
_labels = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
_probabilities = np.array([0.9, 0.2, 0.6, 0.45, 0.05, 0.7])
_BCE_CASES = [
    Case(np.array([1.0, 0.0]), np.array([0.8, 0.3]), label="two examples"),
    Case(_labels, _probabilities, label="six examples"),
    Case(_labels.reshape(-1, 1), _probabilities.reshape(-1, 1), label="shape (n, 1)"),
    Case(_labels.astype(np.float32), _probabilities.astype(np.float32), label="float32"),
    Case(np.array([1.0]), np.array([0.25]), label="a single example"),
    Case(np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0, 1.0]),
         label="predictions of exactly 0 and 1"),
]

# A small table of three features, like sugars, fiber and protein, and a
# target like calories, for the cost of a linear model.
_X = np.round(_rng.uniform(0.0, 15.0, size=(8, 3)), 1)
_y = np.round(80.0 + _X @ np.array([3.0, -2.0, 4.0]) + _rng.normal(0.0, 8.0, 8), 1)
_COST_CASES = [
    Case(np.array([3.0, -2.0, 4.0]), 80.0, _X, _y, label="eight examples, three features"),
    Case(np.array([1.0, 0.5, -1.0]), -3.0, _X, _y, label="another guess"),
    Case(np.zeros(3), 0.0, _X, _y, label="all weights 0"),
    Case(np.array([2.0]), 1.0, np.array([[3.0], [1.0]]), np.array([5.0, 4.0]),
         label="one feature, two examples"),
    Case(np.array([0.5, 0.25]), 2.0, np.array([[2.0, 4.0]]), np.array([1.0]),
         label="a single example"),
]


# --- Common mistakes -------------------------------------------------------------

def _summed(per_value):
    """The mistake of adding the per-example losses instead of averaging them."""
    return lambda y_true, y_pred, *args, **kwargs: float(np.sum(per_value(
        np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64), *args, **kwargs)))


_SUMMED = ("the cost is n times too large: did you sum the losses instead of "
           "averaging them? The cost is their mean")


def _huber_per_value(y_true, y_pred, delta=1.0):
    size = np.abs(y_pred - y_true)
    return np.where(size <= delta, 0.5 * size ** 2, delta * (size - 0.5 * delta))


def _bce_per_value(y_true, y_pred):
    p = np.clip(y_pred, losses.EPSILON, 1 - losses.EPSILON)
    return -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def _bce_of_the_ones(y_true, y_pred):
    """The mistake of keeping only the term of the labels 1, -y * log(p)."""
    p = np.clip(np.asarray(y_pred, np.float64), losses.EPSILON, 1 - losses.EPSILON)
    return float(np.mean(-np.asarray(y_true, np.float64) * np.log(p)))


def _not_finite(expected, got):
    return not np.all(np.isfinite(np.asarray(got, dtype=np.float64)))


# --- The exercises ---------------------------------------------------------------

cost_by_hand = ValueExercise(
    "cost_by_hand",
    expected=losses.mse(np.array([3.0, -1.0, 2.0]), np.array([2.0, -1.0, 4.0])),
    rtol=0, atol=1e-3,
    hints=[
        "Take the three errors y_pred - y_true first: one per example.",
        "Square each error, then average the three squares.",
        "The errors are -1, 0 and 2; their squares are 1, 0 and 4.",
    ],
    mistakes=[
        Mistake("you averaged the sizes of the errors without squaring them: that is the "
                "mean absolute error; square each error first", answer=1.0, atol=1e-3,
                example="cost_by_hand = (1 + 0 + 2) / 3"),
        Mistake("you added the squared errors: that is the sum (the L2 norm squared); "
                "the cost is their mean, so divide by the number of examples",
                answer=5.0, atol=1e-3, example="cost_by_hand = 1 + 0 + 4"),
        Mistake("you took half the mean squared error (the 1/2 some courses write); "
                "here the cost is the plain mean of the squared errors",
                answer=5 / 6, atol=1e-3, example="cost_by_hand = (1 + 0 + 4) / 6"),
        Mistake("you are close, but rounded too much: give three decimal places, or "
                "write the division itself and let Python work it out",
                answer=5 / 3, atol=1e-2, example="cost_by_hand = 1.67"),
    ],
)

mae = FunctionExercise(
    "mae",
    reference=losses.mae,
    cases=_LOSS_CASES,
    rtol=1e-5, atol=1e-8,
    hints=[
        "The errors are y_pred - y_true, one per example; the cost is the mean of their sizes.",
        "np.abs gives the size of each error; np.mean averages every element of an array.",
        "return float(np.mean(np.abs(y_pred - y_true)))",
    ],
    mistakes=[
        Mistake("errors of opposite signs cancel out: did you forget the absolute value? "
                "Take np.abs of the errors before averaging",
                answer=lambda y_true, y_pred: float(np.mean(y_pred - y_true)),
                example=("def mae(y_true, y_pred):\n"
                         "    return float(np.mean(y_pred - y_true))\n")),
        Mistake(_SUMMED, answer=_summed(lambda t, p: np.abs(p - t)),
                example=("def mae(y_true, y_pred):\n"
                         "    return float(np.sum(np.abs(y_pred - y_true)))\n")),
        Mistake("you squared the errors: that is the mean squared error; the mean absolute "
                "error averages their sizes, np.abs(...)",
                answer=lambda y_true, y_pred: float(np.mean(np.square(
                    np.asarray(y_pred, np.float64) - y_true))),
                example=("def mae(y_true, y_pred):\n"
                         "    return float(np.mean((y_pred - y_true) ** 2))\n")),
    ],
)

mse = FunctionExercise(
    "mse",
    reference=losses.mse,
    cases=_LOSS_CASES,
    rtol=1e-5, atol=1e-8,
    hints=[
        "The errors are y_pred - y_true, one per example; the cost is the mean of their squares.",
        "np.mean averages every element of an array, whatever its shape.",
        "return float(np.mean((y_pred - y_true) ** 2))",
    ],
    wrong_answer=("def mse(y_true, y_pred):\n"
                  "    errors = y_pred - y_true\n"
                  "    return float(np.mean(np.abs(errors)))\n"),
    mistakes=[
        Mistake(_SUMMED, answer=_summed(lambda t, p: np.square(p - t)),
                example=("def mse(y_true, y_pred):\n"
                         "    return float(np.sum((y_pred - y_true) ** 2))\n")),
        Mistake("your cost is half the mean squared error: the 1/2 some courses write does "
                "not move the minimum, but mse is the plain mean of the squared errors",
                when=scaled(0.5),
                example=("def mse(y_true, y_pred):\n"
                         "    return float(np.mean((y_pred - y_true) ** 2) / 2)\n")),
        Mistake("you averaged the sizes of the errors: that is the mean absolute error; "
                "square each error before averaging",
                answer=lambda y_true, y_pred: float(np.mean(np.abs(y_pred - y_true))),
                example=("def mse(y_true, y_pred):\n"
                         "    errors = y_pred - y_true\n"
                         "    return float(np.mean(np.abs(errors)))\n")),
        Mistake("you took the square root of the mean: that is the root mean squared "
                "error (RMSE); the cost is the mean itself",
                answer=lambda y_true, y_pred: float(np.sqrt(np.mean(
                    np.square(np.asarray(y_pred, np.float64) - y_true)))),
                example=("def mse(y_true, y_pred):\n"
                         "    return float(np.sqrt(np.mean((y_pred - y_true) ** 2)))\n")),
    ],
)

huber = FunctionExercise(
    "huber",
    reference=losses.huber,
    cases=[
        Case(np.array([0.0, 0.0, 0.0]), np.array([0.5, -2.0, 3.0]),
             label="errors inside and outside delta"),
        *_LOSS_CASES,
        Case(np.array([0.0, 0.0, 0.0]), np.array([0.5, -2.0, 3.0]), delta=2.0,
             label="delta = 2"),
    ],
    rtol=1e-5, atol=1e-8,
    hints=[
        "Work with the size of each error, |y_pred - y_true|: below delta the loss is "
        "0.5 * error ** 2, above it delta * (|error| - 0.5 * delta).",
        "np.where(condition, a, b) picks a where the condition holds and b elsewhere; "
        "then average, as for the MSE.",
        "size = np.abs(y_pred - y_true); per_value = np.where(size <= delta, 0.5 * size ** 2, "
        "delta * (size - 0.5 * delta)); return float(np.mean(per_value))",
    ],
    mistakes=[
        Mistake("far from the target your loss is delta * |error|: subtract 0.5 * delta, "
                "delta * (|error| - 0.5 * delta), so that the two pieces meet at |error| = delta",
                answer=lambda y_true, y_pred, delta=1.0: float(np.mean(np.where(
                    np.abs(y_pred - y_true) <= delta, 0.5 * np.square(y_pred - y_true),
                    delta * np.abs(y_pred - y_true)))),
                example=("def huber(y_true, y_pred, delta=1.0):\n"
                         "    size = np.abs(y_pred - y_true)\n"
                         "    per_value = np.where(size <= delta, 0.5 * size ** 2, "
                         "delta * size)\n"
                         "    return float(np.mean(per_value))\n")),
        Mistake("near the target the Huber loss is 0.5 * error ** 2: did you leave out "
                "the 0.5?",
                answer=lambda y_true, y_pred, delta=1.0: float(np.mean(np.where(
                    np.abs(y_pred - y_true) <= delta, np.square(y_pred - y_true),
                    delta * (np.abs(y_pred - y_true) - 0.5 * delta)))),
                example=("def huber(y_true, y_pred, delta=1.0):\n"
                         "    size = np.abs(y_pred - y_true)\n"
                         "    per_value = np.where(size <= delta, size ** 2, "
                         "delta * (size - 0.5 * delta))\n"
                         "    return float(np.mean(per_value))\n")),
        Mistake("your answer is right for delta = 1 only: use the delta you are given, "
                "not the number 1",
                answer=lambda y_true, y_pred, delta=1.0: losses.huber(y_true, y_pred),
                example=("def huber(y_true, y_pred, delta=1.0):\n"
                         "    size = np.abs(y_pred - y_true)\n"
                         "    per_value = np.where(size <= 1, 0.5 * size ** 2, size - 0.5)\n"
                         "    return float(np.mean(per_value))\n")),
        Mistake(_SUMMED, answer=_summed(_huber_per_value),
                example=("def huber(y_true, y_pred, delta=1.0):\n"
                         "    size = np.abs(y_pred - y_true)\n"
                         "    per_value = np.where(size <= delta, 0.5 * size ** 2, "
                         "delta * (size - 0.5 * delta))\n"
                         "    return float(np.sum(per_value))\n")),
    ],
)

binary_crossentropy = FunctionExercise(
    "binary_crossentropy",
    reference=losses.binary_crossentropy,
    cases=_BCE_CASES,
    rtol=1e-5, atol=1e-7,
    hints=[
        "For a label of 1 the loss is -log(p), for a label of 0 it is -log(1 - p); "
        "y * ... + (1 - y) * ... picks the right one without an if.",
        "np.log(0) is -inf: clip the probabilities first, p = np.clip(y_pred, 1e-7, "
        "1 - 1e-7), then average the losses.",
        "p = np.clip(y_pred, 1e-7, 1 - 1e-7); "
        "losses = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))",
    ],
    mistakes=[
        Mistake("your cost is infinite or NaN where a prediction is exactly 0 or 1: "
                "log(0) is -inf; clip the probabilities first, np.clip(y_pred, 1e-7, 1 - 1e-7)",
                when=_not_finite,
                example=("def binary_crossentropy(y_true, y_pred):\n"
                         "    p = y_pred\n"
                         "    losses = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))\n"
                         "    return float(np.mean(losses))\n")),
        Mistake("your cost is negative: the log of a probability is negative, so the "
                "cross-entropy puts a minus sign in front, -(y * log(p) + ...)",
                when=scaled(-1),
                example=("def binary_crossentropy(y_true, y_pred):\n"
                         "    p = np.clip(y_pred, 1e-7, 1 - 1e-7)\n"
                         "    losses = y_true * np.log(p) + (1 - y_true) * np.log(1 - p)\n"
                         "    return float(np.mean(losses))\n")),
        Mistake("you swapped the two cases: a label of 1 costs -log(p) (p is the "
                "probability of a 1), a label of 0 costs -log(1 - p)",
                answer=lambda y_true, y_pred: float(np.mean(_bce_per_value(
                    1 - np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)))),
                example=("def binary_crossentropy(y_true, y_pred):\n"
                         "    p = np.clip(y_pred, 1e-7, 1 - 1e-7)\n"
                         "    losses = -(y_true * np.log(1 - p) + (1 - y_true) * np.log(p))\n"
                         "    return float(np.mean(losses))\n")),
        Mistake("your loss counts only the examples labelled 1: add the term of the "
                "labels 0, (1 - y_true) * np.log(1 - p), inside the minus sign",
                answer=_bce_of_the_ones,
                example=("def binary_crossentropy(y_true, y_pred):\n"
                         "    p = np.clip(y_pred, 1e-7, 1 - 1e-7)\n"
                         "    losses = -(y_true * np.log(p))\n"
                         "    return float(np.mean(losses))\n")),
        Mistake("your cost is the right one divided by log(10): np.log10 is the logarithm "
                "of base 10; the cross-entropy uses the natural logarithm, np.log",
                when=scaled(1 / np.log(10)),
                example=("def binary_crossentropy(y_true, y_pred):\n"
                         "    p = np.clip(y_pred, 1e-7, 1 - 1e-7)\n"
                         "    losses = -(y_true * np.log10(p) + (1 - y_true) * np.log10(1 - p))\n"
                         "    return float(np.mean(losses))\n")),
        Mistake(_SUMMED, answer=_summed(_bce_per_value),
                example=("def binary_crossentropy(y_true, y_pred):\n"
                         "    p = np.clip(y_pred, 1e-7, 1 - 1e-7)\n"
                         "    losses = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))\n"
                         "    return float(np.sum(losses))\n")),
    ],
)

cost = FunctionExercise(
    "cost",
    reference=reference_cost,
    cases=_COST_CASES,
    rtol=1e-6, atol=1e-8,
    hints=[
        "First the predictions, one per row of X: the weighted sum of its features plus b.",
        "X @ w multiplies each row of X by the weights and adds up, shape (n,); the loss "
        "of one example is its squared error, the cost their mean.",
        "y_pred = X @ w + b; per_example = (y_pred - y) ** 2; "
        "return float(np.mean(per_example))",
    ],
    mistakes=[
        Mistake("your predictions leave out the bias: y_pred = X @ w + b",
                answer=lambda w, b, X, y: losses.mse(y, X @ w),
                example=("def cost(w, b, X, y):\n"
                         "    y_pred = X @ w\n"
                         "    per_example = (y_pred - y) ** 2\n"
                         "    return float(np.mean(per_example))\n")),
        Mistake(_SUMMED, answer=lambda w, b, X, y: losses.mse(y, X @ w + b) * len(y),
                example=("def cost(w, b, X, y):\n"
                         "    y_pred = X @ w + b\n"
                         "    return float(np.sum((y_pred - y) ** 2))\n")),
        Mistake("your cost is half the mean squared error: the 1/2 some courses write does "
                "not move the minimum, but this cost is the plain mean",
                when=scaled(0.5),
                example=("def cost(w, b, X, y):\n"
                         "    y_pred = X @ w + b\n"
                         "    return float(np.mean((y_pred - y) ** 2) / 2)\n")),
    ],
)

EXERCISES = [cost_by_hand, mae, mse, huber, binary_crossentropy, cost]
