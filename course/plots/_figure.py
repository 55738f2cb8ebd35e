"""How every figure of course.plots is made, styled and kept from piling up.

A function that draws makes its figure with `new_axes` (or draws on the
Axes you give it). Figures are made with pyplot, so a notebook shows them at
the end of the cell, but at most MAX_OPEN_FIGURES of ours stay open: a long
loop of calls in a script closes the oldest instead of piling up windows.
"""

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

# Sizes that read well at a notebook's width and store as small PNGs.
DPI = 100
WIDE = (9.0, 3.4)
SINGLE = (6.0, 3.6)

MAX_OPEN_FIGURES = 10
_ours = []          # the figures this package opened, oldest first


def new_figure(figsize=SINGLE, ncols=1, nrows=1, layout="constrained", **subplot_kw):
    """A new pyplot figure, laid out by `layout` (None: by hand); returns (figure, axes)."""
    _close_oldest()
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, dpi=DPI, layout=layout,
                             **subplot_kw)
    _ours.append(fig)
    return fig, axes


def new_axes(ax, figsize=SINGLE):
    """The Axes to draw on: `ax` if given (checked), else one on a new figure."""
    if ax is None:
        return new_figure(figsize)[1]
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes (for example from "
                        f"fig, ax = plt.subplots()), not {type(ax).__name__}.")
    return ax


def _close_oldest():
    still_open = set(plt.get_fignums())
    _ours[:] = [fig for fig in _ours if fig.number in still_open]
    while len(_ours) >= MAX_OPEN_FIGURES:
        plt.close(_ours.pop(0))


def style(ax, xlabel, ylabel, title=None):
    """Label both axes, title the picture, and draw a light grid behind the data."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def legend_outside(ax, **kwargs):
    """A legend to the right of the axes, where it can cover no data.

    On a figure without a layout engine (one you made yourself, without
    layout="constrained") there is no room made for it outside, so it goes
    inside, where matplotlib finds it the emptiest spot.
    """
    if ax.figure.get_layout_engine() is None:
        return ax.legend(loc="best", **kwargs)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0,
                     frameon=False, **kwargs)
