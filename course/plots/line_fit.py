"""Fitting a line y_pred = w * x + b by minibatch SGD, step by step, and drawing it.

    run = fit_line_by_sgd(x, y, batch_size=10, learning_rate=0.1, epochs=5)
    run.weights[-1]            # (w, b) after the last step
    plot_line_fit(x, y, lines={"after training": run.weights[-1]})

The animation (animate_sgd) and the batch-size explorer replay such a run.
The loop is the one the lessons teach: for each minibatch, the gradient of
the mean squared error, then w <- w - learning_rate * dJ/dw, the same for b.
"""

from dataclasses import dataclass

import numpy as np

from course.data import minibatches
from course.losses import mse_gradient
from course.plots._figure import new_axes, style
from course.plots.palette import COLOURS, colour_for

DIVERGED = 1e8       # a cost this many times the first one counts as diverged


@dataclass
class LineFitRun:
    """A record of SGD on a line, one row per step.

    weights: (steps + 1, 2), (w, b) before the first step and after each.
    batches: list of `steps` index arrays, the rows of x each step used.
    batch_losses: (steps,) the minibatch's mean squared error before its step.
    costs: (steps + 1,) the mean squared error over all examples at each row
        of weights. After a divergence, weights and costs are NaN.
    steps_per_epoch: ceil(n / batch_size). diverged_at: the step at which the
        cost grew past 1e8 times its start (or became infinite), else None.
    best: (w, b) of the least-squares line, the best any step can reach.
    """

    weights: np.ndarray
    batches: list
    batch_losses: np.ndarray
    costs: np.ndarray
    steps_per_epoch: int
    diverged_at: object
    best: np.ndarray

    @property
    def steps(self):
        return len(self.batches)


def fit_line_by_sgd(x, y, batch_size=10, learning_rate=0.1, epochs=5, seed=0,
                    start=(0.0, 0.0)):
    """Fit y_pred = w * x + b by minibatch SGD on the mean squared error.

    x, y: (n,) inputs and targets. batch_size: examples per step (the last
        minibatch of an epoch keeps what is left). learning_rate: > 0.
    epochs: passes over the data; the order of each epoch comes from
        course.data.minibatches(seed=seed, epoch=epoch).
    start: (w, b) before the first step.
    Returns a LineFitRun. A run that diverges is recorded, not raised.
    """
    x, y = _check_line_data(x, y)
    learning_rate = _positive(learning_rate, "learning_rate")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a whole number >= 1, not {epochs!r}.")
    w, b = np.asarray(start, dtype=np.float64).reshape(2)
    rows = np.arange(len(x))
    batches = [batch for epoch in range(int(epochs))
               for batch, _ in minibatches(rows, rows, batch_size=batch_size, seed=seed,
                                           epoch=epoch)]
    weights = np.full((len(batches) + 1, 2), np.nan)
    weights[0] = w, b
    batch_losses = np.full(len(batches), np.nan)
    diverged_at = None
    first_cost = _cost(x, y, w, b)
    with np.errstate(over="ignore", invalid="ignore"):
        for step, batch in enumerate(batches, start=1):
            xb, yb = x[batch], y[batch]
            y_pred = w * xb + b
            batch_losses[step - 1] = np.mean((y_pred - yb) ** 2)
            grad_pred = mse_gradient(yb, y_pred)      # d(cost)/d(y_pred), shape (m,)
            w = w - learning_rate * np.sum(grad_pred * xb)
            b = b - learning_rate * np.sum(grad_pred)
            cost = _cost(x, y, w, b)
            if not np.isfinite(cost) or cost > DIVERGED * max(first_cost, 1e-12):
                diverged_at = step
                break
            weights[step] = w, b
    costs = np.array([_cost(x, y, *row) for row in weights])
    best = np.polyfit(x, y, 1) if len(np.unique(x)) > 1 else np.array([0.0, np.mean(y)])
    return LineFitRun(weights, batches, batch_losses, costs,
                      -(-len(x) // int(batch_size)), diverged_at, best)


def _cost(x, y, w, b):
    with np.errstate(over="ignore", invalid="ignore"):
        return float(np.mean((w * x + b - y) ** 2))


def _check_line_data(x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]                      # the column a Dense layer takes
    if x.ndim != 1 or y.reshape(-1).shape != x.shape or len(x) == 0:
        raise ValueError(f"A line fit takes one input per example: x of shape (n,) and y "
                         f"of shape (n,), but x has shape {x.shape} and y {y.shape}.")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y hold NaN or infinity; drop those examples first.")
    return x, y.reshape(-1)


def _positive(value, name):
    if isinstance(value, bool) or not np.isscalar(value) or not np.isfinite(value) \
            or value <= 0:
        raise ValueError(f"{name} must be a number > 0, not {value!r}.")
    return float(value)


def plot_line_fit(x, y, lines=None, ax=None, title=None):
    """Draw the examples and one or more lines y = w * x + b through them.

    x, y: (n,) the examples. lines: a dict label -> (w, b), drawn in order,
        the last one solid black (the model's answer) and earlier ones in the
        course's colours; or one pair (w, b). ax: an Axes to draw on.
    Returns the Axes.
    """
    x, y = _check_line_data(x, y)
    if lines is None:
        lines = {}
    elif not isinstance(lines, dict):
        lines = {"model": lines}
    ax = new_axes(ax)
    ax.scatter(x, y, s=14, color=COLOURS["training"], alpha=0.8, label="examples",
               zorder=2)
    xs = np.array([x.min(), x.max()])
    for index, (label, pair) in enumerate(lines.items()):
        pair = np.asarray(pair, dtype=np.float64).reshape(-1)
        if pair.shape != (2,):
            raise ValueError(f"The line {label!r} must be a pair (w, b), not {pair.tolist()}.")
        w, b = pair
        last = index == len(lines) - 1
        ax.plot(xs, w * xs + b, color=COLOURS["model"] if last else colour_for(label, index + 1),
                linestyle="-" if last else "--", linewidth=2 if last else 1.5,
                label=f"{label}: y = {w:.2f} x {'+' if b >= 0 else '−'} {abs(b):.2f}")
    style(ax, "x (input)", "y (target)", title or ("The examples and the line"
                                                   if lines else "The examples"))
    # A rising cloud leaves its upper left corner empty, a falling one its upper right.
    rising = np.corrcoef(x, y)[0, 1] >= 0 if len(x) > 1 and np.std(x) * np.std(y) > 0 else True
    ax.legend(loc="upper left" if rising else "upper right", fontsize=9, framealpha=0.9)
    return ax
