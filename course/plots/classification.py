"""Pictures for classifiers: the boundary a model draws, and the digits it reads.

    plot_decision_boundary(model, X, y)      # two classes, the probability, the 0.5 line
    plot_digits(x[:20], y[:20], predictions=model.predict(x[:20]))
"""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.patches import Rectangle

from course.plots._figure import new_axes, new_figure, style
from course.plots.palette import COLOURS

# From class 0's colour through white (p = 0.5, undecided) to class 1's.
PROBABILITY_CMAP = LinearSegmentedColormap.from_list(
    "course_probability", [COLOURS["class 0"], "#ffffff", COLOURS["class 1"]])

MARKERS = {0: "o", 1: "^"}
MAX_DIGITS = 100
GAP_X, GAP_Y = 2, 4          # pixels between digits, and above each for its label


def plot_decision_boundary(model, x, y, ax=None, resolution=200):
    """Draw the two classes, the predicted probability as shading, and the 0.5 boundary.

    model: anything with predict(x) -> probabilities of class 1, shape (n, 1)
        or (n,) (a compiled course.Sequential ending in a sigmoid), or a
        function x -> probabilities.
    x: (n, 2) inputs; y: (n,) or (n, 1) labels 0 or 1.
    resolution: grid points per side of the shading.
    Returns the Axes.
    """
    x, y = _check_points(x, y)
    predict = model.predict if hasattr(model, "predict") else model
    if not callable(predict):
        raise TypeError(f"model must have a predict(x) method (a course.Sequential) or be a "
                        f"function x -> probability, not {type(model).__name__}.")
    ax = new_axes(ax, figsize=(6.0, 4.2))
    low, high = x.min(axis=0), x.max(axis=0)
    pad = 0.1 * np.maximum(high - low, 1e-3)
    g0, g1 = np.meshgrid(np.linspace(low[0] - pad[0], high[0] + pad[0], resolution),
                         np.linspace(low[1] - pad[1], high[1] + pad[1], resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    probability = np.asarray(predict(grid), dtype=np.float64)
    if probability.size != len(grid):
        raise ValueError(f"model.predict on {len(grid)} points returned shape "
                         f"{probability.shape}; plot_decision_boundary needs one "
                         f"probability of class 1 per point, (n, 1) or (n,).")
    probability = probability.reshape(g0.shape)
    shading = ax.contourf(g0, g1, probability, levels=np.linspace(0, 1, 11),
                          cmap=PROBABILITY_CMAP, alpha=0.6)
    if probability.min() < 0.5 < probability.max():
        ax.contour(g0, g1, probability, levels=[0.5], colors=COLOURS["model"], linewidths=1.8)
    ax.plot([], [], color=COLOURS["model"], linewidth=1.8, label="boundary p = 0.5")
    for label in (0, 1):
        rows = y == label
        ax.scatter(x[rows, 0], x[rows, 1], s=26, marker=MARKERS[label],
                   color=COLOURS[f"class {label}"], edgecolors="white", linewidths=0.5,
                   label=f"class {label}", zorder=3)
    colorbar = ax.figure.colorbar(shading, ax=ax, shrink=0.9)
    colorbar.set_label("predicted probability of class 1")
    style(ax, "x0", "x1", "Predicted probability of class 1, and the 0.5 boundary")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    return ax


def _check_points(x, y):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x must hold two features per example, shape (n, 2), to be drawn "
                         f"in the plane, not {x.shape}.")
    y = np.asarray(y).reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)} labels; pass one "
                         f"label per row of x.")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y must hold the labels 0 and 1, but it holds "
                         f"{np.unique(y)[:5].tolist()}.")
    return x, y.astype(np.int64)


def plot_digits(images, labels, predictions=None, columns=10):
    """Draw 8x8 digits in a grid, each titled with its label; wrong predictions framed.

    images: (n, 64) or (n, 8, 8) pixel values (any scale: 0..16 or 0..1).
    labels: (n,) the true digits. predictions: optional, (n,) predicted
        digits, or (n, 1) probabilities of class 1 (cut at 0.5), as
        model.predict returns; a wrong one is framed and titled in the
        warning colour as "label → prediction".
    columns: digits per row. At most 100 digits: pass images[:100].
    Returns the Figure: one Axes holding every digit as one image, each
    digit scaled to its own darkest and lightest pixel.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 2 and images.shape[1] == 64:
        images = images.reshape(-1, 8, 8)
    if images.ndim != 3 or images.shape[1:] != (8, 8):
        raise ValueError(f"images must be 8x8 digits, shape (n, 64) or (n, 8, 8), not "
                         f"{images.shape}.")
    n = len(images)
    if not 1 <= n <= MAX_DIGITS:
        raise ValueError(f"plot_digits draws 1 to {MAX_DIGITS} digits, not {n}; pass a "
                         f"slice such as images[:{MAX_DIGITS}].")
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != n:
        raise ValueError(f"There are {n} images but {len(labels)} labels; pass one label "
                         f"per image.")
    predicted = None if predictions is None else _as_classes(predictions, n)
    columns = int(min(columns, n))
    rows = -(-n // columns)
    # One image of all the digits side by side, on one Axes: a grid of dozens of
    # small Axes takes seconds to lay out and draw.
    cell_w, cell_h = 8 + GAP_X, 8 + GAP_Y
    mosaic = np.full((rows * cell_h + 1, columns * cell_w), np.nan)   # + 1: the last frames
    for index, image in enumerate(images):
        top, left = (index // columns) * cell_h + GAP_Y, (index % columns) * cell_w + GAP_X // 2
        low, high = image.min(), image.max()
        mosaic[top:top + 8, left:left + 8] = (image - low) / (high - low) if high > low else 0
    if predicted is None:
        title = f"{n} digits and their labels"
    else:
        wrong = int(np.sum(predicted != labels))
        # Two short lines: a grid of a few digits is too narrow for one long one.
        title = (f"{n} digits and their labels: {wrong} predicted wrong\n"
                 f"(framed, label \u2192 prediction)")
    head = 0.45 if predicted is None else 0.75          # inches above the digits
    fig, ax = new_figure((0.8 * columns + 0.2, 0.95 * rows + head), layout=None)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - head / fig.get_figheight())
    cmap = plt.get_cmap("gray_r").with_extremes(bad="white")    # the gaps between digits
    ax.imshow(mosaic, cmap=cmap, interpolation="nearest", vmin=0, vmax=1)
    ax.set_axis_off()
    for index in range(n):
        top, left = (index // columns) * cell_h + GAP_Y, (index % columns) * cell_w + GAP_X // 2
        label = _as_text(labels[index])
        right = predicted is None or predicted[index] == labels[index]
        colour = "#bbbbbb" if right else COLOURS["warning"]
        ax.add_patch(Rectangle((left - 0.5, top - 0.5), 8, 8, fill=False, edgecolor=colour,
                               linewidth=0.8 if right else 2.5))
        # "label → prediction" stays within its digit's width, where
        # "0, predicted 1" ran into its neighbours.
        ax.text(left + 3.5, top - 0.9, label if right else
                f"{label} \u2192 {_as_text(predicted[index])}", ha="center",
                va="bottom", fontsize=10, fontweight="normal" if right else "bold",
                color="black" if right else COLOURS["warning"])
    fig.suptitle(title, y=1 - 0.08 / fig.get_figheight(), va="top")
    return fig


def _as_classes(predictions, n):
    predictions = np.asarray(predictions)
    if len(predictions) != n:
        raise ValueError(f"There are {n} images but {len(predictions)} predictions; pass "
                         f"one per image.")
    if predictions.ndim == 2 and predictions.shape[1] > 1:
        return predictions.argmax(axis=1)
    predictions = predictions.reshape(n)
    fractions = np.issubdtype(predictions.dtype, np.floating) and \
        not np.all(predictions == np.round(predictions))
    if fractions:
        return (predictions >= 0.5).astype(np.int64)     # probabilities of class 1
    return predictions.astype(np.int64)


def _as_text(value):
    value = np.asarray(value).item()
    return str(int(value)) if float(value).is_integer() else str(value)
