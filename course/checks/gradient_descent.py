"""Checks for the exercises of unit 02: gradient descent and the learning rate.

Notebook: solutions/02_gradient_descent.ipynb (the exercise is made from it
by `course build`). The model is linear, y_pred = X @ w + b, and its cost is
the mean squared error J(w, b) = mean((X @ w + b - y) ** 2). The exercises,
in order:

    mse_gradients     dJ/dw (a vector, one slope per weight) and dJ/db
    gradient_step     one step: w <- w - learning_rate * dJ/dw, and the same for b
    gradient_descent  the loop that repeats it (the cost must go down)
    learning_rate     a learning rate that brings the cost of the scaled 80 Cereals
                      below a threshold within a step budget, never rising

Each later exercise is checked with the reference versions of the earlier
ones, so one mistake is counted once. The learning rate is judged by what
gradient descent does with it, not compared with one number.
"""

import functools

import numpy as np

from course import losses
from course.checks.kinds import Case, Exercise, FunctionExercise, TrainingExercise
from course.checks.mistakes import Mistake, scaled
from course.checks.verdicts import correct, describe, format_number, incorrect, is_number

UNIT = "02_gradient_descent"


# --- Reference answers (what the solution notebook computes) -------------------

def reference_mse_gradients(w, b, X, y):
    """The gradients of J(w, b) = mse(y, X @ w + b).

    w: shape (d,); b: a float; X: shape (n, d); y: shape (n,).
    With g = dJ/dy_pred = 2 * (X @ w + b - y) / n (losses.mse_gradient):
    dJ/dw = X.T @ g, shape (d,), and dJ/db = sum(g), a float.
    """
    grad_pred = losses.mse_gradient(y, X @ w + b)
    return X.T @ grad_pred, float(np.sum(grad_pred))


def reference_gradient_step(w, b, X, y, learning_rate):
    """One step of gradient descent on J(w, b): returns (new_w, new_b).

    new_w = w - learning_rate * dJ/dw, new_b = b - learning_rate * dJ/db.
    """
    grad_w, grad_b = reference_mse_gradients(w, b, X, y)
    return w - learning_rate * grad_w, b - learning_rate * grad_b


def reference_gradient_descent(X, y, learning_rate, steps):
    """Gradient descent from w = 0, b = 0; returns the cost before each step.

    X: shape (n, d); y: shape (n,). Returns a list of `steps` floats.
    """
    w, b = np.zeros(X.shape[1]), 0.0
    costs = []
    for _ in range(steps):
        costs.append(losses.mse(y, X @ w + b))
        w, b = reference_gradient_step(w, b, X, y, learning_rate)
    return costs


@functools.lru_cache(maxsize=1)
def scaled_cereals():
    """The data of the unit: 80 Cereals' sugars, fiber and protein, each scaled
    to [0, 1] with course.data.MinMaxScaler, and calories. Returns X (76, 3), y (76,).

    Loaded when a check first needs it (from COURSE_DATA_DIR or the cache).
    """
    from course.data import MinMaxScaler, drop_incomplete_rows, load_cereals

    cereals = drop_incomplete_rows(load_cereals(features=("sugars", "fiber", "protein"),
                                                progress=False))
    return MinMaxScaler().fit_transform(cereals.data), cereals.target


# --- Inputs the checks use ------------------------------------------------------

_rng = np.random.default_rng(2)
_X = np.round(_rng.uniform(0.0, 1.0, size=(8, 3)), 2)
_y = np.round(80.0 + _X @ np.array([40.0, -50.0, 40.0]) + _rng.normal(0.0, 8.0, 8), 1)
_X_train = _rng.uniform(0.0, 1.0, size=(40, 3))
_y_train = 80.0 + _X_train @ np.array([40.0, -50.0, 40.0]) + _rng.normal(0.0, 10.0, 40)

_MODEL_CASES = [
    Case(np.zeros(3), 0.0, _X, _y, label="from w = 0, b = 0"),
    Case(np.array([30.0, -20.0, 10.0]), 90.0, _X, _y, label="a guess near the data"),
    Case(np.array([2.0]), 1.0, np.array([[3.0], [1.0]]), np.array([5.0, 4.0]),
         label="one feature, two examples"),
    Case(np.array([0.5, 0.25]), 2.0, np.array([[2.0, 4.0]]), np.array([1.0]),
         label="a single example"),
]


# --- The exercises ---------------------------------------------------------------

def _gradients_not_averaged(w, b, X, y):
    errors = X @ w + b - y
    return 2 * X.T @ errors, float(2 * np.sum(errors))


mse_gradients = FunctionExercise(
    "mse_gradients",
    reference=reference_mse_gradients,
    cases=_MODEL_CASES,
    rtol=1e-6, atol=1e-8,
    hints=[
        "Start from the errors e = X @ w + b - y, one per example. The cost is mean(e ** 2), "
        "and d(e_i ** 2)/de_i = 2 * e_i.",
        "Weight j moves every prediction by x_ij, so dJ/dw_j = (2 / n) * sum_i(e_i * x_ij): "
        "all weights at once, X.T @ e. The bias moves every prediction by 1.",
        "grad_w = 2 * X.T @ errors / n; grad_b = 2 * np.sum(errors) / n",
    ],
    wrong_answer=("def mse_gradients(w, b, X, y):\n"
                  "    n = len(y)\n"
                  "    errors = X @ w + b - y\n"
                  "    return X.T @ errors / n, float(np.sum(errors) / n)\n"),
    mistakes=[
        Mistake("your gradients point the wrong way: they are the right ones with their "
                "sign flipped; compute the errors as predictions minus targets, "
                "X @ w + b - y", when=scaled(-1),
                example=("def mse_gradients(w, b, X, y):\n"
                         "    n = len(y)\n"
                         "    errors = y - (X @ w + b)\n"
                         "    return 2 * X.T @ errors / n, float(2 * np.sum(errors) / n)\n")),
        Mistake("your gradients are exactly half the right ones: the slope of e ** 2 is "
                "2 * e (the 1/2 some courses put in the cost cancels this 2, but this cost "
                "has no 1/2)", when=scaled(0.5),
                example=("def mse_gradients(w, b, X, y):\n"
                         "    n = len(y)\n"
                         "    errors = X @ w + b - y\n"
                         "    return X.T @ errors / n, float(np.sum(errors) / n)\n")),
        Mistake("your gradients are n times too large: the cost is a mean, so its "
                "gradient is a sum divided by n, the number of examples",
                answer=_gradients_not_averaged,
                example=("def mse_gradients(w, b, X, y):\n"
                         "    errors = X @ w + b - y\n"
                         "    return 2 * X.T @ errors, float(2 * np.sum(errors))\n")),
        Mistake("your gradients are exactly twice the right ones: is a factor of 2 one "
                "too many?", when=scaled(2),
                example=("def mse_gradients(w, b, X, y):\n"
                         "    n = len(y)\n"
                         "    errors = X @ w + b - y\n"
                         "    return 4 * X.T @ errors / n, float(4 * np.sum(errors) / n)\n")),
    ],
)

gradient_step = FunctionExercise(
    "gradient_step",
    reference=reference_gradient_step,
    cases=[
        Case(np.zeros(3), 0.0, _X, _y, 0.1, label="from w = 0, b = 0"),
        Case(np.array([30.0, -20.0, 10.0]), 90.0, _X, _y, 0.5, label="a guess near the data"),
        Case(np.array([1.0]), 1.0, np.array([[2.0]]), np.array([3.0]), 0.01,
             label="a single example"),
    ],
    rtol=1e-6, atol=1e-10,
    uses={"mse_gradients": reference_mse_gradients},
    hints=[
        "The gradient points to where the cost grows fastest; a step goes the other way.",
        "Scale each gradient by the learning rate and subtract it: the weights with "
        "grad_w, the bias with grad_b.",
        "new_w = w - learning_rate * grad_w and new_b = b - learning_rate * grad_b",
    ],
    mistakes=[
        Mistake("you stepped uphill: the gradient points to where the cost grows, so "
                "subtract it, w - learning_rate * grad_w",
                answer=lambda w, b, X, y, learning_rate: tuple(
                    p + learning_rate * g for p, g in zip(
                        (w, b), reference_mse_gradients(w, b, X, y))),
                example=("def gradient_step(w, b, X, y, learning_rate):\n"
                         "    grad_w, grad_b = mse_gradients(w, b, X, y)\n"
                         "    return w + learning_rate * grad_w, b + learning_rate * grad_b\n")),
        Mistake("you updated the bias with the weights' gradient: the bias has a gradient "
                "of its own, b - learning_rate * grad_b",
                answer=lambda w, b, X, y, learning_rate: (
                    w - learning_rate * reference_mse_gradients(w, b, X, y)[0],
                    b - learning_rate * reference_mse_gradients(w, b, X, y)[0]),
                example=("def gradient_step(w, b, X, y, learning_rate):\n"
                         "    grad_w, grad_b = mse_gradients(w, b, X, y)\n"
                         "    return w - learning_rate * grad_w, b - learning_rate * grad_w\n")),
        Mistake("your step is the whole gradient: scale it by the learning rate, "
                "w - learning_rate * grad_w",
                answer=lambda w, b, X, y, learning_rate: tuple(
                    p - g for p, g in zip((w, b), reference_mse_gradients(w, b, X, y))),
                example=("def gradient_step(w, b, X, y, learning_rate):\n"
                         "    grad_w, grad_b = mse_gradients(w, b, X, y)\n"
                         "    return w - grad_w, b - grad_b\n")),
    ],
)


def _never_changes(expected, got):
    costs = np.asarray(got, dtype=np.float64)
    return costs.ndim == 1 and len(costs) > 1 and np.all(costs == costs[0])


def _grows(expected, got):
    costs = np.asarray(got, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return costs.ndim == 1 and len(costs) > 1 and (
            not np.isfinite(costs).all() or bool(np.all(np.diff(costs) > 0)))


def _recorded_after_the_step(expected, got):
    """The costs are those of the reference one step later: each was recorded
    after its step instead of before it."""
    costs = np.asarray(got, dtype=np.float64)
    return (costs.shape == np.shape(expected)
            and np.allclose(costs[:-1], np.asarray(expected)[1:], rtol=1e-6))


gradient_descent = TrainingExercise(
    "gradient_descent",
    reference=reference_gradient_descent,
    case=Case(_X_train, _y_train, 0.5, 100),
    band=0.05,
    uses={"mse": losses.mse, "mse_gradients": reference_mse_gradients,
          "gradient_step": reference_gradient_step},
    hints=[
        "Each step: record the cost of the current model, then move w and b with "
        "gradient_step.",
        "costs.append(mse(y, X @ w + b)) comes before the step, so the first cost is the "
        "cost of w = 0, b = 0.",
        "costs.append(mse(y, X @ w + b)); then w, b = gradient_step(w, b, X, y, learning_rate)",
    ],
    mistakes=[
        Mistake("the cost never changes: gradient_step returns the new w and b without "
                "changing the old ones; keep them, w, b = gradient_step(...)",
                when=_never_changes,
                example=("def gradient_descent(X, y, learning_rate, steps):\n"
                         "    w, b = np.zeros(X.shape[1]), 0.0\n"
                         "    costs = []\n"
                         "    for step in range(steps):\n"
                         "        costs.append(mse(y, X @ w + b))\n"
                         "        gradient_step(w, b, X, y, learning_rate)\n"
                         "    return costs\n")),
        Mistake("the cost grows at every step: your loop climbs the cost instead of "
                "descending it; step against the gradient, w - learning_rate * grad_w",
                when=_grows,
                example=("def gradient_descent(X, y, learning_rate, steps):\n"
                         "    w, b = np.zeros(X.shape[1]), 0.0\n"
                         "    costs = []\n"
                         "    for step in range(steps):\n"
                         "        costs.append(mse(y, X @ w + b))\n"
                         "        grad_w, grad_b = mse_gradients(w, b, X, y)\n"
                         "        w, b = w + learning_rate * grad_w, b + learning_rate * grad_b\n"
                         "    return costs\n")),
        Mistake("you recorded each cost after its step: record it before the step, so "
                "that the first cost is the cost of the starting model",
                when=_recorded_after_the_step,
                example=("def gradient_descent(X, y, learning_rate, steps):\n"
                         "    w, b = np.zeros(X.shape[1]), 0.0\n"
                         "    costs = []\n"
                         "    for step in range(steps):\n"
                         "        w, b = gradient_step(w, b, X, y, learning_rate)\n"
                         "        costs.append(mse(y, X @ w + b))\n"
                         "    return costs\n")),
    ],
)


class LearningRateExercise(Exercise):
    """A learning rate, judged by what gradient descent does with it.

    The check runs the reference gradient descent (from w = 0, b = 0) with
    the student's learning rate on `data()` (X, y) for `steps` steps. It is
    correct when the cost never rises from one step to the next and falls
    below `below` within the budget; any such rate is right, not one number.
    """

    kind = "learning rate"

    def __init__(self, name, data, *, steps, below, **options):
        super().__init__(name, **options)
        self.data = data
        self.steps = steps
        self.below = below

    def costs(self, learning_rate):
        """The cost before each step of gradient descent with this learning rate."""
        X, y = self.data()
        with np.errstate(all="ignore"):
            return np.asarray(reference_gradient_descent(X, y, learning_rate, self.steps))

    def grade_answer(self, value):
        if not is_number(value):
            return incorrect(self.name, f"{self.answer_name} should be a number such as "
                                        f"0.01, got {describe(value)}")
        rate = float(value)
        if not rate > 0 or not np.isfinite(rate):
            return incorrect(self.name, f"{self.answer_name} = {describe(value)}: a learning "
                                        f"rate is a positive number, the size of each step "
                                        f"against the gradient")
        costs = self.costs(rate)
        problem = self._problem_with(costs)
        if problem is None:
            return correct(self.name)
        return self.wrong(f"with {self.answer_name} = {describe(value)}, {problem}",
                          costs, (self.below, rate))

    def _problem_with(self, costs):
        if not np.isfinite(costs).all():
            step = int(np.argmin(np.isfinite(costs)))
            return f"the cost became {costs[step]} at step {step}"
        rises = np.flatnonzero(np.diff(costs) > 1e-12 * np.abs(costs[:-1]))
        if len(rises):
            k = int(rises[0])
            return (f"the cost rose from {format_number(costs[k])} at step {k} to "
                    f"{format_number(costs[k + 1])} at step {k + 1}")
        if not costs[-1] < self.below:
            return (f"after {self.steps} steps the cost is {format_number(costs[-1])}; "
                    f"it should fall below {format_number(self.below)}")
        return None


def _overshoots(expected, costs):
    """The cost rises at some step, or blows up."""
    with np.errstate(invalid="ignore"):
        return not np.isfinite(costs).all() or bool(np.any(np.diff(costs) > 0))


def _bounces(expected, costs):
    """The cost falls too slowly because the rate is nearly too large: 10% more
    and it would grow (each step jumps across the valley, a little lower each time)."""
    below, rate = expected
    return (not _overshoots(expected, costs) and not costs[-1] < below
            and _overshoots(expected, learning_rate.costs(1.1 * rate)))


def _crawls(expected, costs):
    """The cost falls at every step, but too little."""
    below, rate = expected
    return (not _overshoots(expected, costs) and not costs[-1] < below
            and not _bounces(expected, costs))


learning_rate = LearningRateExercise(
    "learning_rate",
    data=scaled_cereals,
    steps=100,
    below=200.0,
    hints=[
        "Try a few learning rates, ten times apart (0.001, 0.01, 0.1, 1), and plot the "
        "costs each one gives: which crawls, which blows up?",
        "The fastest rate is just below the one where the cost starts to grow; between "
        "the last one that works and the first one that blows up, try a few more.",
        "On these scaled features, rates between about 0.3 and 0.7 bring the cost below "
        "200 in 100 steps; 1.0 makes it grow.",
    ],
    wrong_answer="learning_rate = 0.01",
    mistakes=[
        Mistake("your learning rate is too large: each step overshoots the bottom of the "
                "valley and lands higher on the other side, so the cost grows; try a "
                "smaller one", when=_overshoots, example="learning_rate = 1.0"),
        Mistake("your learning rate is nearly too large: each step jumps across the valley "
                "and lands only a little lower on the other side, so the cost falls slowly; "
                "try a slightly smaller one", when=_bounces, example="learning_rate = 0.74"),
        Mistake("your learning rate is too small: the cost falls at every step, but too "
                "slowly to get there within the budget; try a larger one",
                when=_crawls, example="learning_rate = 0.001"),
    ],
)

EXERCISES = [mse_gradients, gradient_step, gradient_descent, learning_rate]
