"""Small made-up datasets and loss surfaces, for pictures where the answer is known.

    x, y = make_noisy_line(slope=2.0, intercept=1.0, seed=0)   # fit a line by SGD
    X, y = make_two_blobs(seed=0)                               # a decision boundary
    surface = make_rosenbrock()                                 # race the optimizers
    surface(surface.start), surface.gradient(surface.start)

The same seed always gives the same numbers. The loss surfaces have nothing
random in them.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np

from course.data._checks import as_number, check_seed
from course.validation import as_float_array, check_whole_number


def make_noisy_line(n_samples=50, slope=2.0, intercept=1.0, noise=0.5,
                    x_range=(-3.0, 3.0), seed=0):
    """Points scattered around the line y = slope * x + intercept.

    x is drawn uniformly from x_range; y = slope * x + intercept + e, where
    e is normal noise with standard deviation `noise`.
    seed: a whole number >= 0 (None: different numbers on every call).
    Returns x and y, float64 arrays of shape (n_samples,), sorted by x so they
    plot as a line. A Dense layer wants a column: use x[:, None] (n, 1).
    """
    check_whole_number(n_samples, "n_samples", minimum=1)
    slope, intercept = as_number(slope, "slope"), as_number(intercept, "intercept")
    if as_number(noise, "noise") < 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0, not {noise}.")
    low, high = _interval(x_range, "x_range")
    check_seed(seed)
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(low, high, size=n_samples))
    y = slope * x + intercept + rng.normal(0.0, noise, size=n_samples)
    return x, y


def make_two_blobs(n_samples=200, centers=((-1.0, -1.0), (1.0, 1.0)), spread=0.7,
                   seed=0):
    """Two round clouds of 2-D points, one per class, for logistic regression.

    Class 0 is centred on centers[0] and class 1 on centers[1]; each point is
    its centre plus normal noise with standard deviation `spread` per axis.
    Returns X, float64 (n_samples, 2), and y, int64 (n_samples,) with 0 or 1:
    n_samples // 2 points of class 0, the rest of class 1, rows shuffled.
    seed: a whole number >= 0 (None: different points on every call).
    """
    check_whole_number(n_samples, "n_samples", minimum=2)
    centers = as_float_array(centers, "centers")
    if centers.shape != (2, 2):
        raise ValueError(f"centers must be two (x, y) points, shape (2, 2), not "
                         f"{centers.shape}.")
    if as_number(spread, "spread") <= 0:
        raise ValueError(f"spread is a standard deviation and must be > 0, not {spread}.")
    check_seed(seed)
    rng = np.random.default_rng(seed)
    y = np.repeat([0, 1], [n_samples // 2, n_samples - n_samples // 2])
    X = centers[y] + rng.normal(0.0, spread, size=(n_samples, 2))
    order = rng.permutation(n_samples)
    return X[order], y[order].astype(np.int64)


# Loss surfaces over two weights w = (w0, w1). Every function takes w of shape
# (..., 2), so it works on one point (2,) or a whole grid (rows, columns, 2)
# for a contour plot, and returns the loss of shape (...) or the gradient
# with the same shape as w.

def rosenbrock(w, a=1.0, b=100.0):
    """Rosenbrock's banana valley: L = (a - w0)^2 + b * (w1 - w0^2)^2.

    A curved, narrow, almost flat-bottomed ravine with its minimum L = 0 at
    w = (a, a^2). Gradient descent zigzags across it and crawls along it.
    """
    w0, w1 = _split_weights(w)
    return (a - w0) ** 2 + b * (w1 - w0 ** 2) ** 2


def rosenbrock_gradient(w, a=1.0, b=100.0):
    """dL/dw of rosenbrock: (-2(a - w0) - 4 b w0 (w1 - w0^2), 2 b (w1 - w0^2))."""
    w0, w1 = _split_weights(w)
    valley = w1 - w0 ** 2
    return np.stack([-2 * (a - w0) - 4 * b * w0 * valley, 2 * b * valley], axis=-1)


def ravine(w, steepness=20.0):
    """A straight quadratic ravine: L = (w0^2 + steepness * w1^2) / 2.

    Minimum L = 0 at w = (0, 0). Across the ravine (w1) the loss curves
    `steepness` times more sharply than along it (w0), so a learning rate
    small enough not to bounce across is slow along it.
    """
    w0, w1 = _split_weights(w)
    return (w0 ** 2 + steepness * w1 ** 2) / 2


def ravine_gradient(w, steepness=20.0):
    """dL/dw of ravine: (w0, steepness * w1)."""
    w0, w1 = _split_weights(w)
    return np.stack([w0, steepness * w1], axis=-1)


def _interval(interval, name):
    """Return (low, high) as floats, checking that low < high."""
    bounds = as_float_array(interval, name)
    if bounds.shape != (2,) or not bounds[0] < bounds[1]:
        raise ValueError(f"{name} must be (low, high) with low < high, not {interval}.")
    return as_number(bounds[0], name + "[0]"), as_number(bounds[1], name + "[1]")


def _split_weights(w):
    w = as_float_array(w, "w")
    if w.ndim == 0 or w.shape[-1] != 2:
        raise ValueError(f"w must hold two weights (w0, w1) along its last axis, "
                         f"shape (2,) or (..., 2), but it has shape {w.shape}.")
    return w[..., 0], w[..., 1]


@dataclass(frozen=True)
class LossSurface:
    """A loss over two weights with its gradient, a starting point and its minimum.

    surface(w) is the loss, surface.gradient(w) its gradient, both for w of
    shape (2,) or (..., 2). start and minimum are float64 arrays of shape (2,).
    weight_names: what the two weights are called on a picture's axes.
    """

    name: str
    loss: object
    gradient: object
    start: np.ndarray
    minimum: np.ndarray
    weight_names: tuple = ("weight w0", "weight w1")

    def __call__(self, w):
        return self.loss(w)


def make_rosenbrock(a=1.0, b=100.0, start=(-1.5, 2.0)):
    """The Rosenbrock valley as a LossSurface, minimum at (a, a^2)."""
    a, b = as_number(a, "a"), as_number(b, "b")
    return LossSurface("rosenbrock", partial(rosenbrock, a=a, b=b),
                       partial(rosenbrock_gradient, a=a, b=b),
                       _point(start, "start"), np.array([a, a ** 2], dtype=np.float64))


def make_ravine(steepness=20.0, start=(-4.0, 1.0)):
    """The straight quadratic ravine as a LossSurface, minimum at (0, 0)."""
    if as_number(steepness, "steepness") <= 0:
        raise ValueError(f"steepness must be > 0 so that the ravine has a bottom, "
                         f"not {steepness}.")
    return LossSurface("ravine", partial(ravine, steepness=steepness),
                       partial(ravine_gradient, steepness=steepness),
                       _point(start, "start"), np.zeros(2))


def _point(point, name):
    point = as_float_array(point, name, dtype=np.float64)
    if point.shape != (2,):
        raise ValueError(f"{name} must be one point (w0, w1), shape (2,), not {point.shape}.")
    return point


def make_line_cost(x, y, start=(0.0, 0.0)):
    """The cost of the line y_pred = w * x + b on examples (x, y), as a LossSurface.

    L(w, b) = mean((w * x + b - y)^2), the mean squared error over the
    examples, with gradient (mean(2 e x), mean(2 e)) where e = w * x + b - y.
    x, y: (n,) the examples, with at least two different x. The two weights
    of the surface are (w, b); its minimum is the least-squares line.
    """
    x = as_float_array(x, "x", dtype=np.float64).ravel()
    y = as_float_array(y, "y", dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y must hold one number per example each, but x has "
                         f"{x.size} and y {y.size}.")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y hold NaN or infinity; drop those examples first.")
    if x.size < 2 or np.ptp(x) == 0:
        raise ValueError("A line needs examples at two different x at least.")
    # The mean of (w x + b - y)^2 expands into five means of the data, so the
    # cost of a whole grid of (w, b) costs no more than the cost of one.
    moments = {"mean_x": x.mean(), "mean_xx": (x * x).mean(), "mean_y": y.mean(),
               "mean_xy": (x * y).mean(), "mean_yy": (y * y).mean()}
    minimum = np.linalg.solve([[moments["mean_xx"], moments["mean_x"]],
                               [moments["mean_x"], 1.0]],
                              [moments["mean_xy"], moments["mean_y"]])
    return LossSurface("cost of the line", partial(_line_cost, **moments),
                       partial(_line_cost_gradient, **moments), _point(start, "start"),
                       minimum, weight_names=("w (slope)", "b (intercept)"))


def _line_cost(w, mean_x, mean_xx, mean_y, mean_xy, mean_yy):
    """mean((w0 x + w1 - y)^2) from the data's means; w is (w, b) of shape (..., 2)."""
    w0, w1 = _split_weights(w)
    return (w0 ** 2 * mean_xx + 2 * w0 * w1 * mean_x + w1 ** 2
            - 2 * w0 * mean_xy - 2 * w1 * mean_y + mean_yy)


def _line_cost_gradient(w, mean_x, mean_xx, mean_y, mean_xy, mean_yy):
    """(2 mean((w0 x + w1 - y) x), 2 mean(w0 x + w1 - y)), shape like w."""
    w0, w1 = _split_weights(w)
    return np.stack([2 * (w0 * mean_xx + w1 * mean_x - mean_xy),
                     2 * (w0 * mean_x + w1 - mean_y)], axis=-1)
