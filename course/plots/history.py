"""The loss curves every training run ends with: one point per epoch, from a History.

    history = model.fit(x, y, epochs=20, validation_split=0.2, verbose=0)
    plot_history(history)                        # loss and val_loss per epoch
    plot_history(history, metrics=["accuracy"])  # and a second panel for accuracy
"""

import numpy as np
from matplotlib.ticker import MaxNLocator

from course.plots._figure import WIDE, legend_outside, new_axes, new_figure, style
from course.plots.palette import COLOURS

LOSSES = ("loss", "val_loss")


def plot_history(history, metrics=None, ax=None, log=False):
    """Draw training loss and validation loss per epoch, epochs counted from 1.

    history: a `History` (what fit returns) or its `.history` dict
        name -> list of numbers, one per epoch ({"loss": [...], "val_loss": [...]}).
    metrics: None for the loss only; a list of names (["accuracy"]) or True
        (every metric in the history) for a second panel with those metrics,
        each with its "val_" twin when there is one.
    ax: an Axes to draw the loss on (with metrics: a pair of Axes).
    log: a logarithmic loss axis, for losses that fall by orders of magnitude.
    Returns the Axes, or the Figure when there are two panels. Training
    curves are solid, validation curves dashed, in the course's two colours.
    """
    values, epochs = _read_history(history)
    names = _metric_names(values, metrics)
    if names:
        loss_ax, metric_ax = _two_axes(ax)
    else:
        loss_ax = new_axes(ax)
    _draw_curves(loss_ax, epochs, values, "loss", ylabel="loss")
    loss_ax.set_title("Training and validation loss per epoch" if "val_loss" in values
                      else "Training loss per epoch")
    if log:
        loss_ax.set_yscale("log")
    if not names:
        return loss_ax
    if loss_ax.get_legend():           # one legend below both panels says it for both
        loss_ax.get_legend().remove()
    for index, name in enumerate(names):
        _draw_curves(metric_ax, epochs, values, name, ylabel=", ".join(names),
                     linestyle_index=index)
    if len(names) == 1 and metric_ax.get_legend():
        metric_ax.get_legend().remove()
    metric_ax.set_title(", ".join(names) + " per epoch")
    figure = loss_ax.figure
    if len(loss_ax.get_lines()) == 1:
        pass
    elif figure.get_layout_engine() is None:     # your own figure: no room made outside
        loss_ax.legend(loc="best")
    else:
        handles, labels = loss_ax.get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncol=len(labels),
                      frameon=False)
    return figure


def _read_history(history):
    """Return (dict name -> float array, epoch numbers from 1), checking the input."""
    if hasattr(history, "history") and isinstance(history.history, dict):
        values, epoch = history.history, getattr(history, "epoch", None)
    elif isinstance(history, dict):
        values, epoch = history, None
    else:
        raise TypeError(f"plot_history takes the History that fit returns, or its "
                        f".history dict, not {type(history).__name__}.")
    if not values or all(len(v) == 0 for v in values.values()):
        raise ValueError("The history holds no epochs yet: train first "
                         "(history = model.fit(x, y, epochs=10)), then plot_history(history).")
    if "loss" not in values:
        raise ValueError(f"plot_history draws 'loss' and 'val_loss', but this history "
                         f"holds only {sorted(values)}; name the training loss 'loss'.")
    arrays = {}
    for name, series in values.items():
        try:
            arrays[name] = np.asarray(series, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise TypeError(f"history[{name!r}] must be a list of numbers, one per "
                            f"epoch, not {series!r}.") from None
    length = len(arrays["loss"])
    uneven = {name: len(a) for name, a in arrays.items() if len(a) != length}
    if uneven:
        raise ValueError(f"Every entry of the history needs one number per epoch: 'loss' "
                         f"has {length}, but {uneven}.")
    if epoch is not None and len(epoch) == length:
        epochs = np.asarray(epoch, dtype=np.int64) + 1   # History counts from 0, people from 1
    else:
        epochs = np.arange(1, length + 1)
    return arrays, epochs


def _metric_names(values, metrics):
    if metrics is None or metrics is False:
        return []
    available = [name for name in values if name not in LOSSES and not name.startswith("val_")]
    if metrics is True:
        if not available:
            raise ValueError("metrics=True, but this history holds only the loss; compile "
                             "with metrics=['accuracy'] (for example) to record one.")
        return available
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    missing = [name for name in names if name not in values]
    if missing:
        raise ValueError(f"The history has no {missing}; it holds {sorted(values)}. Pass "
                         f"names from it, or compile with metrics=[...] to record them.")
    return names


def _two_axes(ax):
    if ax is None:
        return new_figure(WIDE, ncols=2)[1]
    try:
        loss_ax, metric_ax = ax
    except (TypeError, ValueError):
        raise TypeError("With metrics, plot_history draws two panels: pass ax as a pair "
                        "of Axes (fig, ax = plt.subplots(1, 2)), or no ax.") from None
    return new_axes(loss_ax), new_axes(metric_ax)


def _draw_curves(ax, epochs, values, name, ylabel, linestyle_index=0):
    """Draw `name` (training, solid) and `val_<name>` (validation, dashed) per epoch."""
    marker = "o" if len(epochs) <= 30 else None
    pretty = "" if name == "loss" else " " + name
    extra = ("-", "-.", ":")[linestyle_index % 3] if linestyle_index else "-"
    ax.plot(epochs, values[name], color=COLOURS["training"], linestyle=extra,
            marker=marker, markersize=3.5, label="training" + pretty)
    if "val_" + name in values:
        ax.plot(epochs, values["val_" + name], color=COLOURS["validation"], linestyle="--",
                marker=marker, markersize=3.5, label="validation" + pretty)
    style(ax, "epoch", ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if len(ax.get_lines()) > 1:          # one curve alone is named by the title
        legend_outside(ax)
