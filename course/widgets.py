"""Explorers: sliders that redraw a picture, to see what a setting does (ipywidgets).

    from course.widgets import learning_rate_explorer
    explorer = learning_rate_explorer()    # last in a cell: the sliders and the picture
    explorer.learning_rate.value = 0.1     # the same from code: the picture is redrawn

    learning_rate_explorer()   gradient descent on a loss surface: crawl, converge,
                               oscillate, diverge, as the learning rate grows
    batch_size_explorer()      minibatch SGD on a line: batch size x learning rate
    adam_explorer()            Adam's learning_rate, beta_1, beta_2 on the ravine,
                               with plain SGD at the same learning rate beside it

Each explorer is an ipywidgets VBox: its sliders are attributes
(`explorer.controls` lists them by name) and `explorer.figure` is the
matplotlib Figure it draws. Displayed, it also carries its picture as an
ordinary PNG, so a page rendered from the saved notebook without a kernel
shows the figure rather than an empty widget. Every slider's default is one
of the slider's own steps. Nothing here is imported by `import course`.
"""

import base64
import io

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator

from course.data import make_noisy_line, make_ravine
from course.optimizers import SGD, Adam, minimize
from course.plots._figure import style
from course.plots.line_fit import fit_line_by_sgd, plot_line_fit
from course.plots.palette import COLOURS, colour_for
from course.plots.surfaces import _check_surface, centred_bounds, plot_loss_surface

FIGSIZE = (9.5, 3.6)
DPI = 80
SLIDER_STYLE = {"description_width": "initial"}


class Explorer(widgets.VBox):
    """Sliders above a picture; moving a slider redraws the picture with its value.

    controls: a dict name -> value widget; each becomes an attribute of the
        explorer (explorer.learning_rate) and is passed to draw by name.
    draw: a function draw(figure, **values) that draws on an empty Figure.
    figure: the matplotlib Figure (not managed by pyplot: it opens no window).
    image: the ipywidgets Image that shows the figure as a PNG.
    """

    def __init__(self, controls, draw, figsize=FIGSIZE):
        self.controls = dict(controls)
        self.figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
        self.image = widgets.Image(format="png")
        self._draw = draw
        super().__init__([widgets.HBox(list(self.controls.values())), self.image])
        for name, control in self.controls.items():
            setattr(self, name, control)
            control.observe(self.redraw, names="value")
        self.redraw()

    @property
    def values(self):
        """The controls' values now, as a dict name -> value."""
        return {name: control.value for name, control in self.controls.items()}

    def redraw(self, change=None):
        """Draw the picture again with the controls' values, and show it."""
        self.figure.clear()
        buffer = io.BytesIO()
        # A diverging run overflows on purpose: it is shown, not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            self._draw(self.figure, **self.values)
            self.figure.savefig(buffer, format="png", metadata={"Software": None})
        self.image.value = buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        # With a kernel, JupyterLab shows the live widget; a page made from the
        # saved notebook has no widget state and shows this PNG instead.
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        return bundle


def log_slider(description, value_exponent, low=-3.0, high=0.0, step=0.25):
    """A FloatLogSlider over 10**low .. 10**high whose default, 10**value_exponent, is a step."""
    if abs((value_exponent - low) / step - round((value_exponent - low) / step)) > 1e-9:
        raise ValueError(f"The default 10**{value_exponent} is not on the slider's grid "
                         f"10**({low} + k * {step}).")
    return widgets.FloatLogSlider(value=10.0 ** value_exponent, base=10, min=low, max=high,
                                  step=step, description=description, readout_format=".3g",
                                  continuous_update=False, style=SLIDER_STYLE)


# ---------------------------------------------------------------- learning rate

def learning_rate_explorer(surface=None, steps=40):
    """Gradient descent's path and loss on a surface, for a learning rate you choose.

    surface: a course.data LossSurface; the ravine (make_ravine()) by default.
    steps: gradient-descent steps per path.
    The slider runs from 0.001 to 1 on a log scale: small rates crawl, good
    ones converge, larger ones oscillate across the valley, and too large
    ones diverge; a diverging path runs off the picture and the loss panel
    says "diverged" (nothing is raised).
    Returns an Explorer with the slider `learning_rate`.
    """
    surface = make_ravine() if surface is None else surface
    _check_surface(surface)
    _check_steps(steps)
    bounds = centred_bounds(surface)

    def draw(figure, learning_rate):
        surface_ax, loss_ax = figure.subplots(1, 2, width_ratios=(1.15, 1))
        path, losses = _descend(surface, SGD(learning_rate=learning_rate), steps)
        label = f"gradient descent, learning rate {learning_rate:.3g}"
        plot_loss_surface(surface, {label: path}, ax=surface_ax, bounds=bounds,
                          legend="below")
        surface_ax.set_title(f"Gradient descent, learning rate {learning_rate:.3g}")
        _draw_losses(loss_ax, {label: losses}, steps, surface)

    return Explorer({"learning_rate": log_slider("learning rate", -1.5)}, draw)


# ---------------------------------------------------------------- batch size

BATCH_SIZES = (1, 2, 5, 10, 25, 50, 100, 200, 500)


def batch_size_explorer(x=None, y=None, epochs=5, seed=0):
    """Minibatch SGD on a line: the loss per step and the final line, for a batch size
    and a learning rate you choose.

    x, y: (n,) the examples; 50 points around y = 2x + 1 (make_noisy_line) by
        default. epochs: passes over the data, whatever the batch size, so
        every setting sees each example equally often.
    Small batches take many noisy steps; large ones few smooth ones; a rate
    that suits small batches may diverge with large ones, and the other way
    round. A run that diverges says so.
    Returns an Explorer with the sliders `batch_size` and `learning_rate`.
    """
    if (x is None) != (y is None):
        raise ValueError("Pass both x and y (the examples), or neither for the made-up line.")
    if x is None:
        x, y = make_noisy_line(n_samples=50, seed=0)
    # One cheap full-batch run checks x, y and epochs at the door, and gives the
    # starting cost and the least-squares line every picture is measured against.
    reference = fit_line_by_sgd(x, y, batch_size=len(x), learning_rate=0.01, epochs=epochs,
                                seed=seed)
    x, y = np.asarray(x, dtype=np.float64).reshape(-1), np.asarray(y, dtype=np.float64)
    y = y.reshape(-1)
    sizes = [size for size in BATCH_SIZES if size < len(x)] + [len(x)]
    default = 10 if 10 in sizes else sizes[len(sizes) // 2]
    w_best, b_best = reference.best
    best_cost = float(np.mean((w_best * x + b_best - y) ** 2))
    start_cost = float(reference.costs[0])

    def draw(figure, batch_size, learning_rate):
        loss_ax, line_ax = figure.subplots(1, 2)
        run = fit_line_by_sgd(x, y, batch_size, learning_rate, epochs, seed=seed)
        epoch_of_step = np.arange(run.steps + 1) / run.steps_per_epoch
        loss_ax.plot(epoch_of_step[1:], run.batch_losses, linestyle="none", marker=".",
                     markersize=4, color=COLOURS["training"], alpha=0.35,
                     label="loss, each minibatch")
        loss_ax.plot(epoch_of_step, run.costs, color=COLOURS["training"], linewidth=1.8,
                     label="cost, all examples")
        loss_ax.axhline(best_cost, color=COLOURS["target"], linestyle="--", linewidth=1,
                        label="least squares")
        _log_axis(loss_ax)
        loss_ax.set_xlim(0, epochs)
        loss_ax.set_ylim(best_cost / 3, start_cost * 30)
        style(loss_ax, "epoch (passes over the data)", "mean squared error",
              f"Batch size {batch_size}: {run.steps} steps, learning rate {learning_rate:.3g}")
        loss_ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
        lines = {"least squares": run.best}
        if run.diverged_at is None:
            lines[f"after {epochs} epochs"] = run.weights[-1]
        plot_line_fit(x, y, lines, ax=line_ax,
                      title="The line after training" if run.diverged_at is None
                      else "No line: the run diverged")
        if run.diverged_at is not None:
            _say_diverged(loss_ax, f"diverged at step {run.diverged_at}", where=(0.5, 0.6))

    controls = {
        "batch_size": widgets.SelectionSlider(options=sizes, value=default,
                                              description="batch size",
                                              continuous_update=False, style=SLIDER_STYLE),
        "learning_rate": log_slider("learning rate", -1.0),
    }
    return Explorer(controls, draw)


# ---------------------------------------------------------------- Adam

def adam_explorer(surface=None, steps=100):
    """Adam's path on the ravine for the learning_rate, beta_1 and beta_2 you choose,
    with plain SGD at the same learning rate beside it.

    surface: a course.data LossSurface; the ravine (make_ravine()) by default.
    beta_1 is momentum's memory of past gradients (0: none); beta_2 the
    memory of their squares, which scales each weight's step.
    Returns an Explorer with the sliders `learning_rate`, `beta_1`, `beta_2`.
    """
    surface = make_ravine() if surface is None else surface
    _check_surface(surface)
    _check_steps(steps)
    bounds = centred_bounds(surface)

    def draw(figure, learning_rate, beta_1, beta_2):
        surface_ax, loss_ax = figure.subplots(1, 2, width_ratios=(1.15, 1))
        adam_path, adam_losses = _descend(
            surface, Adam(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2), steps)
        sgd_path, sgd_losses = _descend(surface, SGD(learning_rate=learning_rate), steps)
        paths = {"SGD": sgd_path, "Adam": adam_path}
        plot_loss_surface(surface, paths, ax=surface_ax, bounds=bounds, legend="below")
        surface_ax.set_title(f"learning rate {learning_rate:.3g}, beta_1 {beta_1:g}, "
                             f"beta_2 {beta_2:g}", fontsize=10)
        _draw_losses(loss_ax, {"SGD": sgd_losses, "Adam": adam_losses}, steps, surface)

    controls = {
        "learning_rate": log_slider("learning rate", -1.0),
        "beta_1": widgets.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01,
                                      description="beta_1", readout_format=".2f",
                                      continuous_update=False, style=SLIDER_STYLE),
        "beta_2": widgets.SelectionSlider(options=(0.9, 0.99, 0.999, 0.9999), value=0.999,
                                          description="beta_2", continuous_update=False,
                                          style=SLIDER_STYLE),
    }
    return Explorer(controls, draw)


# ---------------------------------------------------------------- shared pieces

def _check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, not {steps!r}.")


def _descend(surface, optimizer, steps):
    """(path, losses) of `optimizer` on `surface`; a path that overflows stops early.

    minimize raises FloatingPointError once a path reaches infinity; an
    explorer shows that instead, so it keeps the longest finite path.
    """
    while True:
        try:
            path, losses = minimize(surface.gradient, surface.start, optimizer, steps=steps,
                                    function=surface)
            return path, losses
        except FloatingPointError:
            steps //= 2
            if steps == 0:
                return surface.start[None, :], np.array([float(surface(surface.start))])


def _draw_losses(ax, losses, steps, surface):
    """The loss per step of each run, on a log axis fixed by the start's and the minimum's."""
    start_loss = float(surface(surface.start))
    lowest = max(float(surface(surface.minimum)), start_loss * 1e-6)
    for index, (label, values) in enumerate(losses.items()):
        with np.errstate(over="ignore", invalid="ignore"):
            values = np.asarray(values, dtype=np.float64)
        ax.plot(np.arange(len(values)), values, color=colour_for(label, index), linewidth=1.8,
                label=label)
    _log_axis(ax)
    ax.set_xlim(0, steps)
    ax.set_ylim(lowest / 2, start_loss * 1e2)
    style(ax, "step", "loss", f"The loss, step by step ({steps} steps)")
    ax.legend(loc="lower left", fontsize=9, framealpha=0.9)
    diverged = [label for label, values in losses.items()
                if len(values) <= steps or not np.isfinite(values[-1])
                or values[-1] > start_loss]
    if diverged:
        who = " and ".join(diverged) if len(losses) > 1 else ""
        _say_diverged(ax, f"{who} diverged".strip() + ": the loss grew")


def _log_axis(ax):
    """A log y axis with a tick per decade and no minor ticks: quicker to redraw."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, numticks=12))
    ax.yaxis.set_minor_locator(NullLocator())


def _say_diverged(ax, text, where=(0.97, 0.95)):
    """Write `text` on the axes in the warning colour (top right unless `where` says)."""
    ax.text(*where, text, transform=ax.transAxes, ha="right" if where[0] > 0.9 else "center",
            va="top",
            color=COLOURS["warning"], fontsize=11, fontweight="bold",
            bbox={"facecolor": "white", "edgecolor": COLOURS["warning"], "alpha": 0.9})
