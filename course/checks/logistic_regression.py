"""Checks for the exercises of unit 03: logistic regression in three steps.

Notebook: solutions/03_logistic_regression.ipynb (the exercise is made from
it by `course build`). The exercises, in order:

    sigmoid             a = 1 / (1 + exp(-z)), without overflow for z = +-1000
    logistic_loss       the cost from logits: mean(max(z, 0) - z*y + log(1 + exp(-|z|)))
    logistic_gradients  d(cost)/dw = x.T @ (sigmoid(z) - y) / n and d(cost)/db
    train_logistic      gradient descent on two blobs of points (the cost must go down)
    accuracy            the fraction of examples classified right

Each later exercise is checked with the reference versions of the earlier
ones, so one mistake is counted once. Every exercise names the common
mistakes it recognises (course.checks.mistakes).
"""

import contextlib
import io
import warnings

import numpy as np

from course import activations, losses, metrics
from course.checks import guard
from course.checks.kinds import (Case, FunctionExercise, TrainingExercise,
                                 references_in_place_of)
from course.checks.mistakes import Mistake, raised, scaled
from course.checks.verdicts import correct, format_number, incorrect
from course.data import load_digits01, make_two_blobs

UNIT = "03_logistic_regression"


# --- Reference answers (what the solution notebook computes) -------------------

def reference_logistic_loss(labels, logits):
    """The cost of logistic regression, from the logits z and the labels y (0 or 1).

    labels, logits: arrays of the same shape, (n,) or (n, 1). Returns a float:
    cost = mean(max(z, 0) - z*y + log(1 + exp(-|z|))).
    """
    labels = np.asarray(labels, dtype=np.float64)
    return float(np.mean(losses.sigmoid_cross_entropy_with_logits(labels=labels,
                                                                   logits=logits)))


def reference_logistic_gradients(x, y, w, b):
    """The gradients of the cost of f(x) = sigmoid(x @ w + b).

    x: (n, d), y: (n,) labels 0 or 1, w: (d,), b: a float.
    Returns (grad_w of shape (d,), grad_b a float):
    grad_w = x.T @ (sigmoid(z) - y) / n and grad_b = mean(sigmoid(z) - y).
    """
    z = x @ w + b
    grad_z = losses.binary_crossentropy_gradient(y, z, from_logits=True)  # (sigmoid(z) - y) / n
    return x.T @ grad_z, float(np.sum(grad_z))


def reference_train_logistic(x, y, learning_rate, steps):
    """Gradient descent from w = 0, b = 0; returns the cost before each step."""
    w, b = np.zeros(x.shape[1]), 0.0
    costs = []
    for _ in range(steps):
        costs.append(reference_logistic_loss(y, x @ w + b))
        grad_w, grad_b = reference_logistic_gradients(x, y, w, b)
        w = w - learning_rate * grad_w
        b = b - learning_rate * grad_b
    return costs


def reference_accuracy(labels, predictions, from_logits=False):
    """The fraction of examples classified right: mean((predictions > t) == labels),
    with t = 0.5 for probabilities and t = 0 for logits (sigmoid(0) = 0.5)."""
    return metrics.binary_accuracy(labels, predictions,
                                   threshold=0.0 if from_logits else 0.5)


# --- Some mistaken answers, the way a learner writes them ---------------------

def _cross_entropy_terms(labels, logits):
    return losses.sigmoid_cross_entropy_with_logits(labels=np.asarray(labels, dtype=float),
                                                    logits=logits)


def _gradients_with_error(error_of):
    """A mistaken logistic_gradients whose error sigmoid(z) - y is error_of(z, y)."""
    def gradients(x, y, w, b):
        error = error_of(x @ w + b, y)
        return x.T @ error / len(y), float(np.mean(error))
    return gradients


def _train_with_step(step):
    """A mistaken train_logistic whose update is step(w, b, grad_w, grad_b, rate)."""
    def train(x, y, learning_rate, steps):
        w, b = np.zeros(x.shape[1]), 0.0
        costs = []
        for _ in range(steps):
            costs.append(reference_logistic_loss(y, x @ w + b))
            grad_w, grad_b = reference_logistic_gradients(x, y, w, b)
            w, b = step(w, b, grad_w, grad_b, learning_rate)
        return costs
    return train


def _train_recording_after_the_step(x, y, learning_rate, steps):
    """A mistaken train_logistic that records the cost after each update."""
    w, b = np.zeros(x.shape[1]), 0.0
    costs = []
    for _ in range(steps):
        grad_w, grad_b = reference_logistic_gradients(x, y, w, b)
        w = w - learning_rate * grad_w
        b = b - learning_rate * grad_b
        costs.append(reference_logistic_loss(y, x @ w + b))
    return costs


def _finite_expected_but_not_got(expected, got):
    return bool(np.all(np.isfinite(expected)) and not np.all(np.isfinite(got)))


def _told_by_its_warning_only(expected, got):
    """A mistake whose values are right: OverflowFreeExercise names it by the
    warning numpy gives, never by comparing values."""
    return False


def _never_changes(expected, got):
    costs = np.asarray(got, dtype=np.float64)
    return costs.ndim == 1 and len(costs) > 1 and bool(np.all(costs == costs[0]))


# --- A function that must not overflow ----------------------------------------

def numpy_warning(function, case, uses=None):
    """The first warning numpy gives while `function` runs on `case` (an overflow
    in exp, a division by zero, ...), as text, or None. The call is quiet."""
    args, kwargs = case.copies()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"), \
            references_in_place_of(function, uses):
        warnings.simplefilter("always")
        try:
            function(*args, **kwargs)
        except (Exception, SystemExit):  # an error is the ordinary check's business
            pass
        finally:
            guard.restore()
    for warning in caught:
        if issubclass(warning.category, RuntimeWarning):
            return str(warning.message)
    return None


class OverflowFreeExercise(FunctionExercise):
    """A FunctionExercise whose answer must also compute without a numpy warning.

    np.exp(1000) overflows to inf, and 1 / (1 + inf) is still the right 0.0,
    so the values alone cannot tell a stable sigmoid from a naive one. Once
    the values are right, each case runs again with numpy's warnings on: an
    overflow is the mistake `overflow` (a Mistake whose example makes it).
    """

    def __init__(self, name, reference, cases, *, overflow, **options):
        super().__init__(name, reference, cases, **options)
        self.overflow = overflow
        self.mistakes = self.mistakes + (overflow,)

    def grade_answer(self, function):
        verdict = super().grade_answer(function)
        if not verdict.passed:
            return verdict
        for case in self.cases:
            warning = numpy_warning(function, case, self.uses)
            if warning:
                where = f"on {case.describe(self.answer_name, self.reference)}"
                return incorrect(self.name, f"{self.overflow.says} ({where}: numpy "
                                            f"warned \"{warning}\")")
        return correct(self.name)


# --- A training loop that records the cost before each step ---------------------

# --- Inputs the checks use ------------------------------------------------------

_rng = np.random.default_rng(3)
_logits = np.round(3 * _rng.standard_normal(10), 2)
_labels = _rng.integers(0, 2, size=10)

_digits = load_digits01()
_pixels = _digits.data / 16.0           # pixels 0..16 -> 0..1
_digit_labels = _digits.target
_some = _rng.choice(len(_pixels), size=20, replace=False)
_x_small = np.array([[0.5, 1.0], [-1.0, 2.0], [1.5, -0.5], [0.0, 0.0]])
_y_small = np.array([1, 0, 1, 0])
# Two blobs away from the origin, so that the bias matters: a line through
# (0, 0) cannot separate them.
_blob_x, _blob_y = make_two_blobs(200, centers=((0.0, 0.0), (2.0, 2.0)), spread=0.8, seed=0)


# --- The exercises ---------------------------------------------------------------

sigmoid = OverflowFreeExercise(
    "sigmoid",
    reference=activations.sigmoid,
    cases=[
        Case(np.array([-2.0, 0.0, 3.0]), label="three values"),
        Case(np.array([[0.5], [-0.5]]), label="shape (n, 1)"),
        Case(np.array([-1.5, 2.5], dtype=np.float32), label="float32"),
        Case(np.array([-1000.0, -30.0, 30.0, 1000.0]), label="large values"),
        Case(np.array([-100.0, 100.0], dtype=np.float32), label="large float32 values"),
    ],
    rtol=1e-6, atol=1e-12, check_dtype=True,
    hints=[
        "1 / (1 + np.exp(-z)) is the formula, but np.exp(-z) overflows to inf when z is "
        "a large negative number (np.exp(1000) is far beyond the largest float).",
        "np.exp(-np.abs(z)) never overflows: it lies between 0 and 1. For z >= 0, "
        "sigmoid(z) = 1 / (1 + e); for z < 0, sigmoid(z) = e / (1 + e), with e = exp(-|z|).",
        "e = np.exp(-np.abs(z)); return np.where(z >= 0, 1, e) / (1 + e)",
    ],
    mistakes=[
        Mistake("your sigmoid is flipped: it computes 1 / (1 + exp(z)) = 1 - sigmoid(z); "
                "the exponent is -z",
                answer=lambda z: 1 - activations.sigmoid(z),
                example="def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"),
        Mistake("exp(z) overflows to inf for large z, and inf / inf is NaN: use "
                "exp(-|z|), which stays between 0 and 1",
                when=_finite_expected_but_not_got,
                example="def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n"),
    ],
    overflow=Mistake(
        "the values are right, but np.exp overflows for large |z| (np.exp(1000) is inf): "
        "compute exp(-|z|) instead, and if you use np.where, remember it computes "
        "both branches for every z",
        when=_told_by_its_warning_only,
        example="def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"),
)

logistic_loss = FunctionExercise(
    "logistic_loss",
    reference=reference_logistic_loss,
    cases=[
        Case(np.array([1, 0, 1]), np.array([2.0, -1.0, 0.5]), label="three examples"),
        Case(_labels, _logits, label="ten examples"),
        Case(_labels.reshape(-1, 1), _logits.reshape(-1, 1), label="shape (n, 1)"),
        Case(_labels, _logits.astype(np.float32), label="float32 logits"),
        Case(np.array([1.0]), np.array([-0.3]), label="a single example"),
        Case(np.array([True, False, True, False]), np.array([1.0, -2.0, -0.5, 0.5]),
             label="labels True/False, as target == 1 gives them"),
        Case(np.array([1, 0, 0, 1]), np.array([-1000.0, 1000.0, -1000.0, 1000.0]),
             label="large logits"),
    ],
    rtol=1e-5, atol=1e-8,
    hints=[
        "Cast the labels to float first (labels.astype(float)): they may come as "
        "integers or as True/False. Then compute one loss per example and average.",
        "The loss of one example is max(z, 0) - z * y + log(1 + exp(-|z|)); np.maximum, "
        "np.abs and np.log1p (log(1 + x), accurate for small x) do it elementwise.",
        "losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))); "
        "return float(np.mean(losses))",
    ],
    wrong_answer=("def logistic_loss(labels, logits):\n"
                  "    y = labels.astype(float)\n"
                  "    p = 1 / (1 + np.exp(-logits))\n"
                  "    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))\n"),
    mistakes=[
        Mistake("your cost is inf or NaN for large logits: log(sigmoid(z)) takes the log "
                "of 0 when z = -1000; use the formula from the logits, "
                "max(z, 0) - z*y + log(1 + exp(-|z|))",
                when=_finite_expected_but_not_got,
                example=("def logistic_loss(labels, logits):\n"
                         "    y = labels.astype(float)\n"
                         "    p = 1 / (1 + np.exp(-logits))\n"
                         "    losses = -(y * np.log(p) + (1 - y) * np.log(1 - p))\n"
                         "    return float(np.mean(losses))\n")),
        Mistake("log(1 + exp(-|z|)) takes the absolute value of z: with exp(-z) the "
                "term is wrong for every negative logit (and overflows for large ones); "
                "use np.exp(-np.abs(z))",
                answer=lambda labels, logits: float(np.mean(
                    np.maximum(logits, 0) - logits * np.asarray(labels, dtype=float)
                    + np.log1p(np.exp(-np.clip(logits, -700, None))))),
                example=("def logistic_loss(labels, logits):\n"
                         "    y, z = labels.astype(float), logits\n"
                         "    losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-z))\n"
                         "    return float(np.mean(losses))\n")),
        Mistake("the cost is n times too large: did you sum the losses instead of "
                "averaging them?",
                answer=lambda labels, logits: float(np.sum(_cross_entropy_terms(labels,
                                                                                logits))),
                example=("def logistic_loss(labels, logits):\n"
                         "    y, z = labels.astype(float), logits\n"
                         "    losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))\n"
                         "    return float(np.sum(losses))\n")),
        Mistake("you passed probabilities where the formula expects logits: it applies "
                "the sigmoid itself, so sigmoid(z) must not go in (the sigmoid is "
                "applied twice)",
                answer=lambda labels, logits: reference_logistic_loss(
                    labels, activations.sigmoid(logits)),
                example=("def logistic_loss(labels, logits):\n"
                         "    y, z = labels.astype(float), sigmoid(logits)\n"
                         "    losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))\n"
                         "    return float(np.mean(losses))\n")),
        Mistake("numpy cannot negate True/False labels (-y raises): cast the labels to "
                "float first, np.asarray(labels, dtype=float)",
                when=raised("TypeError", "numpy boolean"),
                example=("def logistic_loss(labels, logits):\n"
                         "    p = sigmoid(logits)\n"
                         "    losses = -labels * np.log(p) - (1 - labels) * np.log(1 - p)\n"
                         "    return float(np.mean(losses))\n")),
    ],
    uses={"sigmoid": activations.sigmoid},
)

logistic_gradients = FunctionExercise(
    "logistic_gradients",
    reference=reference_logistic_gradients,
    cases=[
        Case(_x_small, _y_small, np.array([0.5, -0.25]), 0.1, label="four examples"),
        Case(_pixels[_some], _digit_labels[_some], 0.1 * _rng.standard_normal(64), -0.2,
             label="twenty digits"),
        Case(np.array([[2.0, -1.0, 0.5]]), np.array([1]), np.array([0.3, 0.2, -0.1]), 0.0,
             label="a single example"),
        Case(_x_small, _y_small.astype(bool), np.zeros(2), 0.0,
             label="labels True/False, from w = 0 and b = 0"),
    ],
    rtol=1e-6, atol=1e-10,
    hints=[
        "Compute the logits z = x @ w + b, then the error of each example, "
        "sigmoid(z) - y: shape (n,).",
        "Each weight's gradient averages error * x over the examples: x.T @ error / n "
        "(shape (d,)). The bias's gradient is the mean of the errors.",
        "error = sigmoid(x @ w + b) - y; return x.T @ error / len(y), float(np.mean(error))",
    ],
    mistakes=[
        Mistake("your gradients are n times too large: did you sum over the examples "
                "instead of averaging (divide by n)?",
                answer=lambda x, y, w, b: tuple(
                    len(y) * np.asarray(g) for g in reference_logistic_gradients(x, y, w, b)),
                example=("def logistic_gradients(x, y, w, b):\n"
                         "    error = sigmoid(x @ w + b) - y\n"
                         "    return x.T @ error, float(np.sum(error))\n")),
        Mistake("your gradients point the wrong way: the error is sigmoid(z) - y, "
                "not y - sigmoid(z)",
                when=scaled(-1),
                example=("def logistic_gradients(x, y, w, b):\n"
                         "    error = y - sigmoid(x @ w + b)\n"
                         "    return x.T @ error / len(y), float(np.mean(error))\n")),
        Mistake("your error is z - y, the error of a line: logistic regression predicts "
                "sigmoid(z), so the error is sigmoid(z) - y",
                answer=_gradients_with_error(lambda z, y: z - y),
                example=("def logistic_gradients(x, y, w, b):\n"
                         "    error = (x @ w + b) - y\n"
                         "    return x.T @ error / len(y), float(np.mean(error))\n")),
        Mistake("x @ error does not fit: x is (n, d) and error is (n,), one value per "
                "example; x.T @ error sums over the examples and gives one value per "
                "weight, shape (d,)",
                when=raised("ValueError", "matmul"),
                example=("def logistic_gradients(x, y, w, b):\n"
                         "    error = sigmoid(x @ w + b) - y\n"
                         "    return x @ error / len(y), float(np.mean(error))\n")),
        Mistake("you applied the sigmoid twice: sigmoid(z) is already a probability, "
                "and the error is sigmoid(z) - y, with z = x @ w + b the logits",
                answer=_gradients_with_error(
                    lambda z, y: activations.sigmoid(activations.sigmoid(z)) - y),
                example=("def logistic_gradients(x, y, w, b):\n"
                         "    p = sigmoid(x @ w + b)\n"
                         "    error = sigmoid(p) - y\n"
                         "    return x.T @ error / len(y), float(np.mean(error))\n")),
    ],
    uses={"sigmoid": activations.sigmoid},
)

train_logistic = TrainingExercise(
    "train_logistic",
    reference=reference_train_logistic,
    case=Case(_blob_x, _blob_y, 0.5, 100, label="two blobs of 100 points"),
    band=0.05,
    uses={"sigmoid": activations.sigmoid, "logistic_loss": reference_logistic_loss,
          "logistic_gradients": reference_logistic_gradients},
    hints=[
        "Each step: record the cost of the current w and b, compute the gradients, "
        "then move w and b a little against them.",
        "costs.append(logistic_loss(y, x @ w + b)) comes first, so the first cost is "
        "the cost of w = 0, b = 0 (log 2 = 0.693).",
        "grad_w, grad_b = logistic_gradients(x, y, w, b); "
        "w = w - learning_rate * grad_w; b = b - learning_rate * grad_b",
    ],
    wrong_answer=("def train_logistic(x, y, learning_rate, steps):\n"
                  "    w, b = np.zeros(x.shape[1]), 0.0\n"
                  "    costs = []\n"
                  "    for step in range(steps):\n"
                  "        costs.append(logistic_loss(y, x @ w + b))\n"
                  "        grad_w, grad_b = logistic_gradients(x, y, w, b)\n"
                  "        w = w + learning_rate * grad_w\n"
                  "        b = b + learning_rate * grad_b\n"
                  "    return costs\n"),
    mistakes=[
        Mistake("the cost never changes: are the new w and b assigned "
                "(w = w - learning_rate * grad_w)?",
                when=_never_changes,
                example=("def train_logistic(x, y, learning_rate, steps):\n"
                         "    w, b = np.zeros(x.shape[1]), 0.0\n"
                         "    costs = []\n"
                         "    for step in range(steps):\n"
                         "        costs.append(logistic_loss(y, x @ w + b))\n"
                         "        grad_w, grad_b = logistic_gradients(x, y, w, b)\n"
                         "        w - learning_rate * grad_w\n"
                         "        b - learning_rate * grad_b\n"
                         "    return costs\n")),
        Mistake("your steps go uphill: move against the gradient, "
                "w = w - learning_rate * grad_w (a minus, not a plus)",
                answer=_train_with_step(lambda w, b, gw, gb, rate: (w + rate * gw,
                                                                    b + rate * gb)),
                example=("def train_logistic(x, y, learning_rate, steps):\n"
                         "    w, b = np.zeros(x.shape[1]), 0.0\n"
                         "    costs = []\n"
                         "    for step in range(steps):\n"
                         "        costs.append(logistic_loss(y, x @ w + b))\n"
                         "        grad_w, grad_b = logistic_gradients(x, y, w, b)\n"
                         "        w = w + learning_rate * grad_w\n"
                         "        b = b + learning_rate * grad_b\n"
                         "    return costs\n")),
        Mistake("b became an array of one value per weight: is the bias updated with "
                "the weights' gradient? b = b - learning_rate * grad_b",
                when=raised("ValueError", "shapes (200,) (2,)"),
                example=("def train_logistic(x, y, learning_rate, steps):\n"
                         "    w, b = np.zeros(x.shape[1]), 0.0\n"
                         "    costs = []\n"
                         "    for step in range(steps):\n"
                         "        costs.append(logistic_loss(y, x @ w + b))\n"
                         "        grad_w, grad_b = logistic_gradients(x, y, w, b)\n"
                         "        w = w - learning_rate * grad_w\n"
                         "        b = b - learning_rate * grad_w\n"
                         "    return costs\n")),
        Mistake("your cost stops far above where it should: is the bias updated too "
                "(b = b - learning_rate * grad_b)?",
                answer=_train_with_step(lambda w, b, gw, gb, rate: (w - rate * gw, b)),
                example=("def train_logistic(x, y, learning_rate, steps):\n"
                         "    w, b = np.zeros(x.shape[1]), 0.0\n"
                         "    costs = []\n"
                         "    for step in range(steps):\n"
                         "        costs.append(logistic_loss(y, x @ w + b))\n"
                         "        grad_w, grad_b = logistic_gradients(x, y, w, b)\n"
                         "        w = w - learning_rate * grad_w\n"
                         "    return costs\n")),
        Mistake("you recorded the cost after each step: record it first, so that costs[0] "
                "is the cost of w = 0 and b = 0 (log 2 = 0.693) and costs[k] the cost "
                "before step k",
                answer=_train_recording_after_the_step,
                example=("def train_logistic(x, y, learning_rate, steps):\n"
                         "    w, b = np.zeros(x.shape[1]), 0.0\n"
                         "    costs = []\n"
                         "    for step in range(steps):\n"
                         "        grad_w, grad_b = logistic_gradients(x, y, w, b)\n"
                         "        w = w - learning_rate * grad_w\n"
                         "        b = b - learning_rate * grad_b\n"
                         "        costs.append(logistic_loss(y, x @ w + b))\n"
                         "    return costs\n")),
    ],
)

accuracy = FunctionExercise(
    "accuracy",
    reference=reference_accuracy,
    cases=[
        Case(np.array([1, 0, 0, 0]), np.array([0.9, 0.2, 0.6, 0.4]), label="probabilities"),
        Case(np.array([1, 0, 1, 0, 1]), np.array([2.1, -0.3, 0.3, -1.5, 0.2]),
             from_logits=True, label="logits"),
        Case(np.array([[1], [1], [0]]), np.array([[0.7], [0.1], [0.3]]), label="shape (n, 1)"),
        Case(np.array([1.0]), np.array([0.8]), label="a single example"),
        Case(_labels, activations.sigmoid(_logits), label="ten examples"),
        Case(_labels, _logits, from_logits=True, label="ten logits"),
    ],
    rtol=1e-9, atol=1e-12,
    hints=[
        "Turn each prediction into a class, 1 or 0, by comparing it with a threshold; "
        "then count how often that class equals the label.",
        "The threshold is 0.5 for probabilities and 0 for logits (sigmoid(0) = 0.5). "
        "np.mean of an array of True/False is the fraction of True.",
        "threshold = 0.0 if from_logits else 0.5; "
        "return float(np.mean((predictions > threshold) == labels))",
    ],
    mistakes=[
        Mistake("logits are thresholded at 0, not 0.5: a logit of 0.3 is a probability "
                "of 0.57, class 1",
                answer=lambda labels, predictions, from_logits=False:
                    metrics.binary_accuracy(labels, predictions, threshold=0.5),
                example=("def accuracy(labels, predictions, from_logits=False):\n"
                         "    return float(np.mean((predictions > 0.5) == labels))\n")),
        Mistake("you counted the examples classified right; accuracy is their fraction: "
                "divide by the number of examples (or take np.mean)",
                answer=lambda labels, predictions, from_logits=False:
                    reference_accuracy(labels, predictions, from_logits) * len(labels),
                example=("def accuracy(labels, predictions, from_logits=False):\n"
                         "    threshold = 0.0 if from_logits else 0.5\n"
                         "    return float(np.sum((predictions > threshold) == labels))\n")),
        Mistake("that is the fraction classified wrong, the error rate: accuracy is "
                "1 minus it",
                answer=lambda labels, predictions, from_logits=False:
                    1 - reference_accuracy(labels, predictions, from_logits),
                example=("def accuracy(labels, predictions, from_logits=False):\n"
                         "    threshold = 0.0 if from_logits else 0.5\n"
                         "    return float(np.mean((predictions > threshold) != labels))\n")),
    ],
)

EXERCISES = [sigmoid, logistic_loss, logistic_gradients, train_logistic, accuracy]
