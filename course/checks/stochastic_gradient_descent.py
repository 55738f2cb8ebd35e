"""Checks for the exercises of unit 04: minibatches, epochs and stochastic gradient descent.

Notebook: solutions/04_stochastic_gradient_descent.ipynb (the exercise is
made from it by `course build`). The exercises, in order:

    steps_per_epoch   how many minibatches one pass over the data makes
    minibatches_of    cut a shuffled epoch into minibatches (as course.data.minibatches)
    train_sgd         the SGD loop of a linear model (the loss must go down)
    batch_and_rate    a batch size and a learning rate, judged by how training goes

Each later exercise is checked with the reference versions of the earlier
ones, so one mistake is counted once.
"""

import math

import numpy as np

import course
from course import losses
from course.checks.kinds import Case, Exercise, FunctionExercise, TrainingExercise
from course.checks.mistakes import Mistake
from course.checks.verdicts import correct, describe, format_number, incorrect, is_number
from course.data import make_noisy_line, minibatches

UNIT = "04_stochastic_gradient_descent"


# --- Reference answers (what the solution notebook computes) -------------------

def reference_steps_per_epoch(n_examples, batch_size):
    """Minibatches in one epoch: ceil(n_examples / batch_size) (the last may be smaller)."""
    return math.ceil(n_examples / batch_size)


def reference_minibatches_of(X, y, batch_size, seed=0, epoch=0):
    """The minibatches of one epoch, as course.data.minibatches cuts them.

    X: (n, d); y: (n,) or (n, 1). The rows are put in the order
    np.random.default_rng((seed, epoch)).permutation(n) once, then cut into
    consecutive batches of batch_size rows; the last keeps what is left.
    Returns a tuple of (X_batch, y_batch) pairs.
    """
    return tuple(minibatches(X, y, batch_size=batch_size, seed=seed, epoch=epoch))


def reference_train_sgd(X, y, batch_size, learning_rate, epochs, seed=0):
    """Stochastic gradient descent on y_pred = X @ w + b, from w = 0 and b = 0.

    X: (n, d); y: (n,). Each epoch takes the minibatches of that epoch (seeded
    by seed and the epoch's number); each step predicts the batch, records
    its loss mse(y_batch, y_pred), and moves w and b against the batch's
    gradient. Returns the loss of every step, before its update.
    """
    w = np.zeros(X.shape[1])
    b = 0.0
    losses_per_step = []
    for epoch in range(epochs):
        for X_batch, y_batch in reference_minibatches_of(X, y, batch_size, seed, epoch):
            y_pred = X_batch @ w + b
            losses_per_step.append(losses.mse(y_batch, y_pred))
            grad_pred = losses.mse_gradient(y_batch, y_pred)      # (batch,)
            w = w - learning_rate * (X_batch.T @ grad_pred)
            b = b - learning_rate * np.sum(grad_pred)
    return losses_per_step


# --- steps_per_epoch ----------------------------------------------------------------

steps_per_epoch = FunctionExercise(
    "steps_per_epoch",
    reference=reference_steps_per_epoch,
    cases=[
        Case(10, 4, label="10 examples in batches of 4"),
        Case(1599, 32, label="the Red Wine rows in batches of 32"),
        Case(96, 32, label="an exact multiple"),
        Case(5, 8, label="a batch larger than the data"),
        Case(1, 1, label="a single example"),
    ],
    rtol=0, atol=0,
    hints=[
        "Every example is used once per epoch, batch_size at a time; the examples left "
        "over after the full batches still make one more (smaller) batch.",
        "Divide and round up: 10 examples in batches of 4 make 3 steps (4 + 4 + 2).",
        "return math.ceil(n_examples / batch_size)",
    ],
    mistakes=[
        Mistake("you rounded down, which drops the last, smaller batch: the examples left "
                "over still make one more step; round up (math.ceil)",
                answer=lambda n_examples, batch_size: n_examples // batch_size,
                example=("def steps_per_epoch(n_examples, batch_size):\n"
                         "    return n_examples // batch_size\n")),
        Mistake("one step too many when batch_size divides the examples exactly: 96 "
                "examples in batches of 32 make 3 steps, not 4; round up with math.ceil "
                "instead of adding 1",
                answer=lambda n_examples, batch_size: n_examples // batch_size + 1,
                example=("def steps_per_epoch(n_examples, batch_size):\n"
                         "    return n_examples // batch_size + 1\n")),
        Mistake("a number of steps is a whole number: round n_examples / batch_size up "
                "with math.ceil",
                answer=lambda n_examples, batch_size: n_examples / batch_size,
                example=("def steps_per_epoch(n_examples, batch_size):\n"
                         "    return n_examples / batch_size\n")),
    ],
)


# --- minibatches_of ------------------------------------------------------------------

def _numbered_rows(n, y_column=False, dtype=np.float64):
    """X (n, 2) and y whose values say which row they are: X[i] = [i, 100 + i], y[i] = i."""
    rows = np.arange(n, dtype=dtype)
    X = np.column_stack([rows, 100 + rows]).astype(dtype)
    y = rows.reshape(-1, 1) if y_column else rows.copy()
    return X, y


def _row_numbers(batches):
    """For each batch, the row numbers in X_batch and in y_batch (see _numbered_rows)."""
    return [(np.asarray(X_batch)[:, 0].astype(int), np.asarray(y_batch).reshape(-1).astype(int))
            for X_batch, y_batch in batches]


def _order(batches):
    return np.concatenate([x_rows for x_rows, _ in _row_numbers(batches)])


def _x_and_y_differ(expected, got):
    return any(not np.array_equal(x_rows, y_rows) for x_rows, y_rows in _row_numbers(got))


def _rows_repeat(expected, got):
    order = _order(got)
    return len(order) == len(_order(expected)) and len(set(order.tolist())) < len(order)


def _last_batch_dropped(expected, got):
    sizes = [len(X_batch) for X_batch, _ in expected]
    return (len(got) == len(expected) - 1 and sizes[-1] < sizes[0]
            and all(len(X_batch) == sizes[0] for X_batch, _ in got))


def _stored_order(expected, got):
    order = _order(got)
    return len(order) > 1 and np.array_equal(order, np.arange(len(order)))


class MinibatchExercise(FunctionExercise):
    """minibatches_of: a list of (X_batch, y_batch) pairs, compared batch by batch,
    with a reason a learner can act on (sizes, rows seen twice, the order)."""

    def mismatch(self, expected, result, case):
        if not isinstance(result, (list, tuple)):
            return (f"minibatches_of should return a list of (X_batch, y_batch) pairs, got "
                    f"{describe(result)}; collect the pairs in a list and return it")
        for number, pair in enumerate(result, start=1):
            if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
                return (f"batch {number} should be a pair (X_batch, y_batch), got "
                        f"{describe(pair)}")
        for number, ((X_e, y_e), (X_g, y_g)) in enumerate(zip(expected, result), start=1):
            for what, e, g in (("X_batch", X_e, X_g), ("y_batch", y_e, y_g)):
                shape = np.shape(g)
                if shape[1:] != e.shape[1:]:
                    return (f"in batch {number}, {what} has shape {shape}; its rows should "
                            f"have shape {e.shape[1:]} like the rows of "
                            f"{what.split('_')[0]}: take whole rows, {what.split('_')[0]}[rows]")
        sizes = [len(X_batch) for X_batch, _ in result]
        expected_sizes = [len(X_batch) for X_batch, _ in expected]
        if sizes != expected_sizes:
            return f"the batches have {sizes} rows, expected {expected_sizes}"
        order, expected_order = _order(result), _order(expected)
        if sorted(order.tolist()) != sorted(expected_order.tolist()):
            return "some rows appear twice and others never: each row must be in exactly one batch"
        if not np.array_equal(order, expected_order):
            return ("every row is there once, in batches of the right sizes, but not in the "
                    "order np.random.default_rng((seed, epoch)).permutation(n) gives: draw "
                    "the epoch's order with that line, so that the same seed and epoch "
                    "always give the same batches")
        for number, ((X_e, y_e), (X_g, y_g)) in enumerate(zip(expected, result), start=1):
            for what, e, g in (("X_batch", X_e, X_g), ("y_batch", y_e, y_g)):
                reason = super().mismatch(e, g, case)
                if reason:
                    return f"in batch {number}, {what}: {reason}"
        return None


minibatches_of = MinibatchExercise(
    "minibatches_of",
    reference=reference_minibatches_of,
    cases=[
        Case(*_numbered_rows(10), 4, 0, 0, label="10 rows in batches of 4, epoch 0"),
        Case(*_numbered_rows(10), 4, 0, 1, label="the same rows, epoch 1"),
        Case(*_numbered_rows(12), 4, 3, 2, label="an exact multiple, seed 3, epoch 2"),
        Case(*_numbered_rows(7, y_column=True), 3, 1, 0, label="y of shape (n, 1)"),
        Case(*_numbered_rows(5), 8, 0, 0, label="a batch larger than the data"),
        Case(*_numbered_rows(1), 1, 0, 0, label="a single example"),
        Case(*_numbered_rows(9, dtype=np.float32), 2, 5, 4, label="float32"),
    ],
    rtol=0, atol=0,
    hints=[
        "Shuffle once per epoch: draw one random order of all n rows, then walk through "
        "it batch_size rows at a time.",
        "order = np.random.default_rng((seed, epoch)).permutation(len(X)); the batch that "
        "starts at position start holds the rows order[start:start + batch_size] (the last "
        "slice is simply shorter).",
        "for start in range(0, len(X), batch_size): rows = order[start:start + batch_size]; "
        "batches.append((X[rows], y[rows]))",
    ],
    wrong_answer=("def minibatches_of(X, y, batch_size, seed=0, epoch=0):\n"
                  "    order = np.random.default_rng((seed, epoch)).permutation(len(X))\n"
                  "    batches = []\n"
                  "    for start in range(0, len(X) - batch_size + 1, batch_size):\n"
                  "        rows = order[start:start + batch_size]\n"
                  "        batches.append((X[rows], y[rows]))\n"
                  "    return batches\n"),
    mistakes=[
        Mistake("X_batch and y_batch hold different examples: take the same rows from "
                "both, X[rows] and y[rows]", when=_x_and_y_differ,
                example=("def minibatches_of(X, y, batch_size, seed=0, epoch=0):\n"
                         "    rng = np.random.default_rng((seed, epoch))\n"
                         "    X, y = X[rng.permutation(len(X))], y[rng.permutation(len(y))]\n"
                         "    return [(X[s:s + batch_size], y[s:s + batch_size])\n"
                         "            for s in range(0, len(X), batch_size)]\n")),
        Mistake("some examples appear twice in the epoch and others not at all: did you draw "
                "new random rows for every batch? Shuffle once per epoch, then cut that one "
                "order into batches", when=_rows_repeat,
                example=("def minibatches_of(X, y, batch_size, seed=0, epoch=0):\n"
                         "    rng = np.random.default_rng((seed, epoch))\n"
                         "    batches = []\n"
                         "    for start in range(0, len(X), batch_size):\n"
                         "        size = min(batch_size, len(X) - start)\n"
                         "        rows = rng.permutation(len(X))[:size]\n"
                         "        batches.append((X[rows], y[rows]))\n"
                         "    return batches\n")),
        Mistake("the last, smaller batch is missing: keep the rows left over after the full "
                "batches as one more batch, or those examples are never trained on",
                when=_last_batch_dropped,
                example=("def minibatches_of(X, y, batch_size, seed=0, epoch=0):\n"
                         "    order = np.random.default_rng((seed, epoch)).permutation(len(X))\n"
                         "    batches = []\n"
                         "    for start in range(0, len(X) - batch_size + 1, batch_size):\n"
                         "        rows = order[start:start + batch_size]\n"
                         "        batches.append((X[rows], y[rows]))\n"
                         "    return batches\n")),
        Mistake("the batches follow the stored order of the rows: shuffle them once at the "
                "start of the epoch, with np.random.default_rng((seed, epoch)).permutation(n)",
                when=_stored_order,
                example=("def minibatches_of(X, y, batch_size, seed=0, epoch=0):\n"
                         "    return [(X[s:s + batch_size], y[s:s + batch_size])\n"
                         "            for s in range(0, len(X), batch_size)]\n")),
        Mistake("every epoch gets the same order: draw it from (seed, epoch), so that each "
                "epoch is shuffled anew",
                answer=lambda X, y, batch_size, seed=0, epoch=0:
                    reference_minibatches_of(X, y, batch_size, seed, 0),
                rtol=0, atol=0,
                example=("def minibatches_of(X, y, batch_size, seed=0, epoch=0):\n"
                         "    order = np.random.default_rng(seed).permutation(len(X))\n"
                         "    batches = []\n"
                         "    for start in range(0, len(X), batch_size):\n"
                         "        rows = order[start:start + batch_size]\n"
                         "        batches.append((X[rows], y[rows]))\n"
                         "    return batches\n")),
    ],
)


# --- train_sgd ----------------------------------------------------------------------

def _linear_data():
    """60 examples, 2 features in [0, 1], y = 2 x1 - x2 + 0.5 plus a little noise."""
    rng = np.random.default_rng(4)
    X = rng.uniform(0.0, 1.0, size=(60, 2))
    y = X @ np.array([2.0, -1.0]) + 0.5 + 0.1 * rng.standard_normal(60)
    return X, y


def _sgd_with(X, y, batch_size, learning_rate, epochs, seed=0, divide_by=None,
              same_order=False, whole_set=False, record_after=False):
    """The SGD loop with one of the common mistakes (for naming them): divide_by
    "n" (the whole set's size) or "twice" (the batch's size once too often)."""
    w, b = np.zeros(X.shape[1]), 0.0
    losses_per_step = []
    for epoch in range(epochs):
        for X_batch, y_batch in reference_minibatches_of(X, y, batch_size, seed,
                                                         0 if same_order else epoch):
            if whole_set:
                X_batch, y_batch = X, y
            y_pred = X_batch @ w + b
            if not record_after:
                losses_per_step.append(losses.mse(y_batch, y_pred))
            grad_pred = 2 * (y_pred - y_batch) / (len(X) if divide_by == "n" else len(y_batch))
            if divide_by == "twice":
                grad_pred = grad_pred / len(y_batch)
            w = w - learning_rate * (X_batch.T @ grad_pred)
            b = b - learning_rate * np.sum(grad_pred)
            if record_after:
                losses_per_step.append(losses.mse(y_batch, X_batch @ w + b))
    return losses_per_step


def _sgd_answer(epoch="epoch", grad_pred="mse_gradient(y_batch, y_pred)", step="-",
                batch="X_batch, y_batch"):
    """The source of an answer cell for train_sgd, with the pieces a mistake changes."""
    X_part, y_part = batch.split(", ")
    return (f"def train_sgd(X, y, batch_size, learning_rate, epochs, seed=0):\n"
            f"    w = np.zeros(X.shape[1])\n"
            f"    b = 0.0\n"
            f"    losses_per_step = []\n"
            f"    for epoch in range(epochs):\n"
            f"        for X_batch, y_batch in minibatches_of(X, y, batch_size, seed, {epoch}):\n"
            f"            y_pred = {X_part} @ w + b\n"
            f"            losses_per_step.append(mse({y_part}, y_pred))\n"
            f"            grad_pred = {grad_pred}\n"
            f"            w = w {step} learning_rate * ({X_part}.T @ grad_pred)\n"
            f"            b = b {step} learning_rate * np.sum(grad_pred)\n"
            f"    return losses_per_step\n")


train_sgd = TrainingExercise(
    "train_sgd",
    reference=reference_train_sgd,
    case=Case(*_linear_data(), 8, 0.2, 4),
    band=0.1,
    recorded="loss",
    uses={"minibatches_of": reference_minibatches_of, "mse": losses.mse,
          "mse_gradient": losses.mse_gradient},
    hints=[
        "Two loops: one over the epochs, and inside it one over the minibatches of that "
        "epoch, minibatches_of(X, y, batch_size, seed, epoch). Each minibatch is one step.",
        "In a step: y_pred = X_batch @ w + b; record mse(y_batch, y_pred); grad_pred = "
        "mse_gradient(y_batch, y_pred) (it already divides by the batch's size); then "
        "grad_w = X_batch.T @ grad_pred and grad_b = np.sum(grad_pred).",
        "w = w - learning_rate * (X_batch.T @ grad_pred); "
        "b = b - learning_rate * np.sum(grad_pred)",
    ],
    wrong_answer=_sgd_answer(step="+"),
    mistakes=[
        Mistake("your steps are too small: the gradient of a minibatch is the mean over the "
                "batch's examples, so divide by len(y_batch), not by the size of the whole "
                "training set (mse_gradient(y_batch, y_pred) does it for you)",
                answer=lambda *args: _sgd_with(*args, divide_by="n"), rtol=1e-6,
                example=_sgd_answer(grad_pred="2 * (y_pred - y_batch) / len(X)")),
        Mistake("every epoch visits the batches in the same order: pass the epoch's number "
                "to minibatches_of, so that each epoch is shuffled anew",
                answer=lambda *args: _sgd_with(*args, same_order=True), rtol=1e-6,
                example=_sgd_answer(epoch="0")),
        Mistake("each of your steps uses the whole training set: predict, measure and take "
                "the gradient on the minibatch (X_batch, y_batch) only",
                answer=lambda *args: _sgd_with(*args, whole_set=True), rtol=1e-6,
                example=_sgd_answer(grad_pred="mse_gradient(y, y_pred)", batch="X, y")),
        Mistake("your steps are B times too small: mse_gradient(y_batch, y_pred) already "
                "divides by the batch's size B, so grad_w = X_batch.T @ grad_pred and "
                "grad_b = np.sum(grad_pred), with no second division or mean",
                answer=lambda *args: _sgd_with(*args, divide_by="twice"), rtol=1e-6,
                example=_sgd_answer(grad_pred="mse_gradient(y_batch, y_pred) / len(y_batch)")),
        Mistake("you recorded each loss after the step: measure the minibatch's loss "
                "first, with the weights the step starts from, then update them",
                answer=lambda *args: _sgd_with(*args, record_after=True), rtol=1e-6,
                example=("def train_sgd(X, y, batch_size, learning_rate, epochs, seed=0):\n"
                         "    w = np.zeros(X.shape[1])\n"
                         "    b = 0.0\n"
                         "    losses_per_step = []\n"
                         "    for epoch in range(epochs):\n"
                         "        for X_batch, y_batch in minibatches_of(X, y, batch_size, seed, epoch):\n"
                         "            y_pred = X_batch @ w + b\n"
                         "            grad_pred = mse_gradient(y_batch, y_pred)\n"
                         "            w = w - learning_rate * (X_batch.T @ grad_pred)\n"
                         "            b = b - learning_rate * np.sum(grad_pred)\n"
                         "            losses_per_step.append(mse(y_batch, X_batch @ w + b))\n"
                         "    return losses_per_step\n")),
    ],
)


# --- batch_and_rate -------------------------------------------------------------------

LINE_EPOCHS = 2
"""How many epochs batch_and_rate's training may take."""
LINE_TOLERANCE = 1.25
"""batch_and_rate passes when the cost ends within this factor of the best line's."""


def line_data():
    """The noisy line of the exercise: 64 points with x in [0, 1], y ~ 2 x + 1."""
    x, y = make_noisy_line(n_samples=64, slope=2.0, intercept=1.0, noise=0.5,
                           x_range=(0.0, 1.0), seed=1)
    return x[:, None], y


def best_line_cost(X, y):
    """The smallest mean squared error any line reaches on (X, y) (least squares)."""
    design = np.column_stack([X, np.ones(len(X))])
    coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
    return losses.mse(y, design @ coefficients)


def cost_after_training(batch_size, learning_rate, epochs=LINE_EPOCHS):
    """Train a line (a Dense(1) from zero weights) on line_data with SGD and return
    the cost over all 64 examples at the end (inf if training blew up)."""
    X, y = line_data()
    course.set_random_seed(0)
    model = course.Sequential([course.Dense(1, input_shape=(1,), kernel_initializer="zeros",
                                            dtype="float64")])
    model.compile(optimizer=course.optimizers.SGD(learning_rate=learning_rate), loss="mse")
    try:
        model.fit(X, y, batch_size=batch_size, epochs=epochs, verbose=0)
    except course.models.TrainingDiverged:
        return float("inf")
    cost = model.evaluate(X, y, verbose=0)
    return cost if np.isfinite(cost) else float("inf")


def _starting_cost():
    _, y = line_data()
    return losses.mse(y, np.zeros_like(y))


def _pair(value):
    batch_size, learning_rate = value
    return int(batch_size), float(learning_rate)


def _whole_set_in_one_batch(expected, value):
    return _pair(value)[0] >= len(line_data()[0])


def _diverges(expected, value):
    return not cost_after_training(*_pair(value)) < _starting_cost()


def _rate_too_small(expected, value):
    batch_size, learning_rate = _pair(value)
    return cost_after_training(batch_size, 3 * learning_rate) < \
        cost_after_training(batch_size, learning_rate)


def _rate_too_large_for_the_batch(expected, value):
    batch_size, learning_rate = _pair(value)
    return cost_after_training(batch_size, learning_rate / 3) < \
        cost_after_training(batch_size, learning_rate)


class TrainingChoiceExercise(Exercise):
    """A (batch_size, learning_rate) pair, judged by training with it: the cost
    after LINE_EPOCHS epochs must end within LINE_TOLERANCE of the best line's."""

    kind = "training-choice"

    def grade_answer(self, value):
        n = len(line_data()[0])
        if not (isinstance(value, (tuple, list)) and len(value) == 2):
            return incorrect(self.name, f"batch_and_rate should be a pair (batch_size, "
                                        f"learning_rate), got {describe(value)}")
        batch_size, learning_rate = value
        if isinstance(batch_size, (bool, np.bool_)) or not isinstance(
                batch_size, (int, np.integer)) or not 1 <= batch_size <= n:
            swapped = " (did you swap the two?)" if is_number(learning_rate) and \
                float(learning_rate) >= 1 and is_number(batch_size) else ""
            return incorrect(self.name, f"the batch size should be a whole number from 1 to "
                                        f"{n}, got {describe(batch_size)}{swapped}")
        if not is_number(learning_rate) or not 0 < float(learning_rate) < float("inf"):
            return incorrect(self.name, f"the learning rate should be a number above 0, got "
                                        f"{describe(learning_rate)}")
        cost, best = cost_after_training(batch_size, learning_rate), best_line_cost(*line_data())
        if cost <= LINE_TOLERANCE * best:
            return correct(self.name)
        steps = LINE_EPOCHS * math.ceil(n / batch_size)
        reason = (f"with batch_size={batch_size} and learning_rate="
                  f"{format_number(learning_rate)}, {LINE_EPOCHS} epochs make {steps} steps "
                  f"and end at a cost of {format_number(cost)}; the best line's is "
                  f"{format_number(best)}, and the cost must end below "
                  f"{format_number(LINE_TOLERANCE * best)}")
        return self.wrong(reason, value, None)


batch_and_rate = TrainingChoiceExercise(
    "batch_and_rate",
    hints=[
        "Two epochs is all you get. How many steps does an epoch make with your batch "
        "size? Try a few pairs with cost_after_training(batch_size, learning_rate) and "
        "compare with the best line's cost.",
        "Batches of the whole set make only 2 steps; batches of one make 128, each "
        "pulled around by a single point. Batches of a few examples (2 to 8) with a "
        "learning rate around 0.3 do well.",
        "batch_and_rate = (4, 0.3)",
    ],
    wrong_answer="batch_and_rate = (64, 0.1)",
    mistakes=[
        Mistake("the training blew up: the cost grew instead of shrinking, because each "
                "step overshoots; take a learning rate ten times smaller",
                when=_diverges, example="batch_and_rate = (4, 3.0)"),
        Mistake("with the whole set in one batch an epoch is a single step, so two epochs "
                "move the line only twice: take smaller batches, so that every epoch makes "
                "many steps", when=_whole_set_in_one_batch,
                example="batch_and_rate = (64, 0.3)"),
        Mistake("the learning rate is too small: the line is still crawling towards the "
                "points when the epochs run out; take a larger one", when=_rate_too_small,
                example="batch_and_rate = (8, 0.003)"),
        Mistake("each small batch pulls the line too far its own way, so it ends up jumping "
                "around the best line: with batches this small, take a smaller learning "
                "rate (or larger batches)", when=_rate_too_large_for_the_batch,
                example="batch_and_rate = (2, 0.6)"),
    ],
)

EXERCISES = [steps_per_epoch, minibatches_of, train_sgd, batch_and_rate]
