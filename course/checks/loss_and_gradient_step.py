"""Checks for the exercises of unit 01: a loss, its gradient, a gradient step.

Notebook: solutions/01_loss_and_gradient_step.ipynb (the exercise is made
from it by `course build`). The exercises, in order:

    cost_by_hand    the mean squared error of three predictions, by hand (a value)
    mse             the cost function (a function, on edge cases)
    mse_gradient    its gradient (against finite differences)
    gradient_step   one step of gradient descent on a line y = w * x + b
    train           the loop that repeats it (the cost must go down)

Each later exercise is checked with the reference versions of the earlier
ones, so one mistake is counted once.
"""

import numpy as np

from course import losses
from course.checks.kinds import (Case, FunctionExercise, GradientExercise, TrainingExercise,
                                 ValueExercise)

UNIT = "01_loss_and_gradient_step"


# --- Reference answers (what the solution notebook computes) -------------------

def reference_gradient_step(w, b, x, y, learning_rate):
    """One step of gradient descent on the cost mse(y, w * x + b).

    w, b: floats; x, y: arrays of shape (n,). Returns (new_w, new_b).
    d(cost)/dw = sum(g * x) and d(cost)/db = sum(g), with g = mse_gradient(y, w * x + b).
    """
    grad_pred = losses.mse_gradient(y, w * x + b)
    grad_w = np.sum(grad_pred * x)
    grad_b = np.sum(grad_pred)
    return w - learning_rate * grad_w, b - learning_rate * grad_b


def reference_train(x, y, learning_rate, steps):
    """Gradient descent from w = b = 0; returns the cost before each step."""
    w, b = 0.0, 0.0
    costs = []
    for _ in range(steps):
        costs.append(losses.mse(y, w * x + b))
        w, b = reference_gradient_step(w, b, x, y, learning_rate)
    return costs


# --- Inputs the checks use ------------------------------------------------------

_rng = np.random.default_rng(1)
_x = np.linspace(-1.0, 1.0, 20)
_y = 3.0 * _x + 0.5 + 0.1 * _rng.standard_normal(20)
_targets = _rng.standard_normal(5)
_predictions = _targets + _rng.standard_normal(5)


# Inputs both the cost and its gradient are checked on: the shapes (n,) and
# (n, 1) and float32 (which must stay float32).
_LOSS_CASES = [
    Case(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0]), label="three examples"),
    Case(_targets, _predictions, label="random values"),
    Case(_targets.reshape(-1, 1), _predictions.reshape(-1, 1), label="shape (n, 1)"),
    Case(_targets.astype(np.float32), _predictions.astype(np.float32), label="float32"),
]


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
    wrong_answer="cost_by_hand = (1 + 0 + 2) / 3",
)

mse = FunctionExercise(
    "mse",
    reference=losses.mse,
    cases=[
        *_LOSS_CASES,
        Case(np.array([2.0]), np.array([-1.0]), label="a single example"),
        Case(np.array([1e6, -1e6]), np.array([-1e6, 1e6]), label="large values"),
    ],
    rtol=1e-5, atol=1e-8,
    hints=[
        "The errors are y_pred - y_true, one per example; the cost is the mean of their squares.",
        "np.mean averages every element of an array, whatever its shape.",
        "return float(np.mean((y_pred - y_true) ** 2))",
    ],
    wrong_answer=("def mse(y_true, y_pred):\n"
                  "    errors = y_pred - y_true\n"
                  "    return float(np.mean(np.abs(errors)))\n"),
)

mse_gradient = GradientExercise(
    "mse_gradient",
    cost=losses.mse,
    cases=[
        *_LOSS_CASES,
        Case(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 2.0], [5.0, 1.0]]),
             label="shape (n, 2)"),
    ],
    hints=[
        "Differentiate mean((y_pred - y_true) ** 2) with respect to one prediction: only "
        "one term of the mean depends on it.",
        "d/dy_pred of (y_pred - y_true) ** 2 is 2 * (y_pred - y_true); the mean divides "
        "by the number of values, y_pred.size.",
        "return 2 * (y_pred - y_true) / y_pred.size",
    ],
    wrong_answer=("def mse_gradient(y_true, y_pred):\n"
                  "    return (y_pred - y_true) / y_pred.size\n"),
)

gradient_step = FunctionExercise(
    "gradient_step",
    reference=reference_gradient_step,
    cases=[
        Case(0.0, 0.0, _x, _y, 0.1, label="from w = b = 0"),
        Case(2.5, -1.0, _x, _y, 0.5, label="from w = 2.5, b = -1"),
        Case(1.0, 1.0, np.array([2.0]), np.array([3.0]), 0.01, label="a single example"),
    ],
    rtol=1e-6, atol=1e-10,
    uses={"mse_gradient": losses.mse_gradient},
    hints=[
        "The chain rule: the cost depends on w through every prediction w * x_i + b.",
        "d(cost)/dw = sum(grad_pred * x) and d(cost)/db = sum(grad_pred); step against "
        "them: w - learning_rate * grad_w.",
        "new_w = w - learning_rate * grad_w and new_b = b - learning_rate * grad_b",
    ],
    wrong_answer=("def gradient_step(w, b, x, y, learning_rate):\n"
                  "    grad_pred = mse_gradient(y, w * x + b)\n"
                  "    grad_w = np.sum(grad_pred * x)\n"
                  "    grad_b = np.sum(grad_pred)\n"
                  "    return w + learning_rate * grad_w, b + learning_rate * grad_b\n"),
)

train = TrainingExercise(
    "train",
    reference=reference_train,
    case=Case(_x, _y, 0.5, 40),
    band=0.1,
    uses={"mse": losses.mse, "gradient_step": reference_gradient_step},
    hints=[
        "Each step: record the cost of the current line, then move w and b with gradient_step.",
        "costs.append(mse(y, w * x + b)) comes before the step, so the first cost is the "
        "cost of w = b = 0.",
        "costs.append(mse(y, w * x + b)); then w, b = gradient_step(w, b, x, y, learning_rate)",
    ],
    wrong_answer=("def train(x, y, learning_rate, steps):\n"
                  "    w, b = 0.0, 0.0\n"
                  "    costs = []\n"
                  "    for step in range(steps):\n"
                  "        costs.append(mse(y, w * x + b))\n"
                  "        gradient_step(w, b, x, y, learning_rate)\n"
                  "    return costs\n"),
)

EXERCISES = [cost_by_hand, mse, mse_gradient, gradient_step, train]
