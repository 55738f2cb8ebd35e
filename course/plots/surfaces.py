"""A loss over two weights as a contour map, with the paths optimizers took across it.

    surface = make_ravine()
    paths = {name: minimize(surface.gradient, surface.start, name, steps=50)
             for name in ("sgd", "rmsprop", "adam")}
    plot_loss_surface(surface, paths)
"""

import numpy as np
from matplotlib.colors import BoundaryNorm, LinearSegmentedColormap

from course.plots._figure import legend_outside, new_axes, style
from course.plots.palette import COLOURS, colour_for

GRID = 160           # points per side of the contour grid
LIGHT_GREYS = LinearSegmentedColormap.from_list("course_greys", ["#ffffff", "#cccccc"])
MAX_POINTS = 60      # a path longer than this is drawn as a line, without dots


def plot_loss_surface(surface, paths=None, ax=None, bounds=None, levels=12, legend="below"):
    """Draw the contours of `surface`, each path on it, its start and its minimum.

    surface: a course.data LossSurface (make_ravine(), make_rosenbrock(), ...):
        surface(w) is the loss of w, shape (..., 2) -> (...).
    paths: a dict label -> array of shape (steps + 1, 2), as
        course.optimizers.minimize returns; an optimizer's name in the label
        ("adam", "SGD, lr 0.1") gives it that optimizer's colour. One array
        alone is drawn as "path".
    ax: an Axes to draw on. bounds: ((w0_low, w0_high), (w1_low, w1_high));
        by default a box around the start, the minimum and the paths.
    levels: how many contour lines, spaced evenly in log(loss).
    legend: "below" (under the axes), "right" (beside them), or None.
    Returns the Axes. A path that diverges is drawn until it leaves the box.
    """
    _check_surface(surface)
    paths = _check_paths(paths)
    ax = new_axes(ax, figsize=(6.0, 4.4))
    (low0, high0), (low1, high1) = _bounds(surface, paths) if bounds is None \
        else _check_bounds(bounds)
    w0, w1 = np.meshgrid(np.linspace(low0, high0, GRID), np.linspace(low1, high1, GRID))
    loss = np.asarray(surface(np.stack([w0, w1], axis=-1)), dtype=np.float64)
    contour_levels = _log_levels(loss, levels)
    # Light greys, opaque: darker where the loss is higher, never dark enough to hide a path.
    # One even step of grey per band, though the bands are spaced in log(loss).
    ax.contourf(w0, w1, loss, levels=contour_levels, cmap=LIGHT_GREYS, extend="both",
                norm=BoundaryNorm(contour_levels, LIGHT_GREYS.N, extend="both"))
    ax.contour(w0, w1, loss, levels=contour_levels[::2], colors="#888888", linewidths=0.5)

    for index, (label, path) in enumerate(paths.items()):
        shown = _clip_to_box(path, (low0, high0, low1, high1))
        many = len(path) > MAX_POINTS
        ax.plot(shown[:, 0], shown[:, 1], color=colour_for(label, index), linewidth=1.6,
                marker=None if many else "o", markersize=3, label=label,
                zorder=3)
    ax.plot(*surface.start, marker="o", markersize=8, markerfacecolor="white",
            markeredgecolor=COLOURS["model"], markeredgewidth=1.5, linestyle="none",
            label="start", zorder=4)
    ax.plot(*surface.minimum, marker="*", markersize=13, color=COLOURS["model"],
            linestyle="none", label="minimum", zorder=4)
    ax.set_xlim(low0, high0)
    ax.set_ylim(low1, high1)
    name = getattr(surface, "name", "loss")
    if not any(word in name for word in ("loss", "cost", "error")):
        name += " loss"                                  # "ravine" -> "ravine loss"
    xlabel, ylabel = getattr(surface, "weight_names", ("weight w0", "weight w1"))
    title = {0: f"The {name}", 1: f"The path across the {name}"}.get(
        len(paths), f"Paths across the {name}")
    style(ax, xlabel, ylabel, title)
    ax.grid(False)                    # the contours are the grid here
    if legend == "right":
        legend_outside(ax)
    elif legend == "below":
        columns = len(paths) + 2 if len(paths) <= 2 else 3
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=columns,
                  frameon=False, fontsize=9)
    elif legend is not None:
        raise ValueError(f'legend must be "right", "below" or None, not {legend!r}.')
    return ax


def centred_bounds(surface, margin=1.15):
    """A box centred on the minimum that holds the start with room to spare.

    Its half-width in each weight is margin * |start - minimum| (at least
    0.5), so a path that overshoots the minimum by as much as it started
    away from it stays in the picture. Returns ((w0_low, w0_high), (w1_low, w1_high)).
    """
    _check_surface(surface)
    half = np.maximum(margin * np.abs(surface.start - surface.minimum), 0.5)
    return np.stack([surface.minimum - half, surface.minimum + half], axis=1)


def _check_surface(surface):
    missing = [part for part in ("start", "minimum") if not hasattr(surface, part)]
    if not callable(surface) or missing:
        raise TypeError(f"surface must be a LossSurface from course.data (make_ravine(), "
                        f"make_rosenbrock()), not {type(surface).__name__}.")


def _check_paths(paths):
    """Return paths as a dict label -> float array (steps + 1, 2)."""
    if paths is None:
        return {}
    if not isinstance(paths, dict):
        paths = {"path": paths}
    checked = {}
    for label, path in paths.items():
        try:
            array = np.asarray(path, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"The path {label!r} must be an array of numbers of shape "
                            f"(steps + 1, 2), as course.optimizers.minimize returns.") from None
        if array.ndim != 2 or array.shape[1] != 2 or len(array) == 0:
            raise ValueError(f"The path {label!r} has shape {array.shape}, but a path over "
                             f"two weights has shape (steps + 1, 2): one row (w0, w1) per "
                             f"point, as course.optimizers.minimize returns.")
        checked[str(label)] = array
    return checked


def _check_bounds(bounds):
    array = np.asarray(bounds, dtype=np.float64)
    if array.shape != (2, 2) or not (array[:, 0] < array[:, 1]).all():
        raise ValueError(f"bounds must be ((w0_low, w0_high), (w1_low, w1_high)) with "
                         f"low < high, not {bounds}.")
    return array


def _bounds(surface, paths):
    """A box around start, minimum and paths, but no more than 3 times the start's box."""
    anchors = np.stack([surface.start, surface.minimum])
    low, high = anchors.min(axis=0), anchors.max(axis=0)
    span = np.maximum(high - low, 1.0)
    limit_low, limit_high = low - span, high + span          # where divergence stops mattering
    for path in paths.values():
        inside = path[np.isfinite(path).all(axis=1)]
        inside = inside[((inside >= limit_low) & (inside <= limit_high)).all(axis=1)]
        if len(inside):
            low, high = np.minimum(low, inside.min(axis=0)), np.maximum(high, inside.max(axis=0))
    pad = 0.12 * np.maximum(high - low, 0.5)
    return np.stack([low - pad, high + pad], axis=1)


def _log_levels(loss, count):
    finite = loss[np.isfinite(loss)]
    top = finite.max()
    bottom = max(finite.min(), top * 1e-5)
    if bottom <= 0:
        bottom = top * 1e-5 if top > 0 else 1e-12
    if top <= bottom:
        return np.linspace(bottom, bottom + 1.0, count)
    return np.geomspace(bottom, top, count)


def _clip_to_box(path, box):
    """The path up to where it leaves a box 10 times the plot's, cut at that box.

    Points that far out are invisible anyway; cutting them keeps the drawing
    finite when a path runs off towards infinity.
    """
    low0, high0, low1, high1 = box
    centre = np.array([(low0 + high0) / 2, (low1 + high1) / 2])
    half = 10 * np.array([(high0 - low0) / 2, (high1 - low1) / 2])
    finite = np.isfinite(path).all(axis=1)
    inside = finite & (np.abs(path - centre) <= half).all(axis=1)
    if inside.all():
        return path
    first_out = int(np.argmin(inside))
    if first_out == 0:
        return path[:0]
    last, nxt = path[first_out - 1], path[first_out]
    if not np.isfinite(nxt).all():
        return path[:first_out]
    # walk from `last` towards `nxt` until the big box's edge
    direction = nxt - last
    with np.errstate(divide="ignore", invalid="ignore"):
        reach = np.where(direction != 0, (centre + np.sign(direction) * half - last) / direction,
                         np.inf)
    t = min(1.0, float(np.min(reach)))
    return np.vstack([path[:first_out], last + t * direction])
