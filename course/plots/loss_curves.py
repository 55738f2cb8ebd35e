"""What a loss charges for one prediction: the curves behind MAE, MSE, Huber and log loss.

    plot_log_loss()                  # cross-entropy for a label of 1 and of 0
    plot_regression_losses(delta=1)  # |e|, e**2 and Huber side by side, with their slopes

Every curve is computed by the library's own losses (course.losses), so the
picture shows exactly what training minimizes.
"""

import numpy as np

from course.losses import (binary_crossentropy, huber, huber_gradient, mae, mae_gradient,
                           mse, mse_gradient)
from course.plots._figure import WIDE, new_axes, new_figure, style
from course.plots.palette import COLOURS


def plot_log_loss(ax=None):
    """Draw cross-entropy against the predicted probability p, for each label.

    For a label y = 1 the loss is -log(p); for y = 0 it is -log(1 - p)
    (course.losses.binary_crossentropy, one example at a time). Both are 0
    for a confident right answer and grow without bound for a confident
    wrong one. ax: an Axes to draw on. Returns the Axes.
    """
    ax = new_axes(ax)
    p = np.linspace(0.001, 0.999, 500)
    for label, wrong, text_x in ((1, 0.05, 0.24), (0, 0.95, 0.76)):
        y = np.full_like(p, float(label))
        loss = binary_crossentropy(y, p, reduction="none")
        formula = "−log(p)" if label else "−log(1 − p)"
        ax.plot(p, loss, color=COLOURS[f"class {label}"], linestyle="-" if label else "--",
                linewidth=2, label=f"label y = {label}: loss = {formula}")
        cost = float(binary_crossentropy([float(label)], [wrong]))
        ax.annotate(f"label {label}, p = {wrong}:\nconfident and wrong,\nloss {cost:.1f}",
                    xy=(wrong, cost), xytext=(text_x, 4.3), ha="center", fontsize=9,
                    arrowprops={"arrowstyle": "->", "color": "#555555"})
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 7)
    style(ax, "predicted probability p that the label is 1", "loss of one example",
          "Cross-entropy (log loss) of one prediction")
    ax.legend(loc="upper center", frameon=False)
    return ax


def plot_regression_losses(delta=1.0, max_error=3.0):
    """Draw MAE (L1), MSE (L2) and Huber of one error e = y_pred - y_true, and their slopes.

    Left: the loss of one example, |e|, e**2, and Huber (e**2 / 2 while
    |e| <= delta, then delta * (|e| - delta / 2)). Right: the slope
    d(loss)/d(y_pred), what gradient descent follows: sign(e), 2e, and e
    clipped to [-delta, delta]. Computed with course.losses.
    max_error: the errors drawn run from -max_error to max_error.
    Returns the Figure (two panels).
    """
    if not np.isfinite(delta) or delta <= 0:
        raise ValueError(f"delta is where Huber turns from squared to linear and must be "
                         f"> 0, not {delta}.")
    if not np.isfinite(max_error) or max_error <= 0:
        raise ValueError(f"max_error must be > 0, not {max_error}.")
    fig, (loss_ax, slope_ax) = new_figure(WIDE, ncols=2)
    error = np.linspace(-max_error, max_error, 601)
    zero = np.zeros_like(error)
    n = error.size      # the library's gradients are of the mean over n examples
    curves = (
        ("mae", "MAE (L1): |e|", mae(zero, error, reduction="none"),
         mae_gradient(zero, error) * n, "-"),
        ("mse", "MSE (L2): e²", mse(zero, error, reduction="none"),
         mse_gradient(zero, error) * n, "--"),
        ("huber", f"Huber, delta = {delta:g}", huber(zero, error, delta=delta, reduction="none"),
         huber_gradient(zero, error, delta=delta) * n, "-."),
    )
    for key, label, loss, slope, linestyle in curves:
        loss_ax.plot(error, loss, color=COLOURS[key], linestyle=linestyle, linewidth=2,
                     label=label)
        slope_ax.plot(error, slope, color=COLOURS[key], linestyle=linestyle, linewidth=2,
                      label=label)
    for ax in (loss_ax, slope_ax):
        for edge in (-delta, delta):
            if edge < max_error:
                ax.axvline(edge, color="#bbbbbb", linewidth=0.8, zorder=0)
    top = max(3.0, 1.6 * max_error)
    loss_ax.set_ylim(0, top)
    style(loss_ax, "error e = y_pred − y_true", "loss of one example",
          "The loss of one error")
    loss_ax.legend(loc="upper center", frameon=False)
    style(slope_ax, "error e = y_pred − y_true", "slope d(loss)/d(y_pred)",
          "Its slope: what gradient descent follows")
    slope_ax.legend(loc="upper left", frameon=False)
    return fig
