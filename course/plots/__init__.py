"""The course's pictures, one call each (matplotlib; `import course` does not load it).

    from course.plots import plot_history, plot_loss_surface, animate_sgd, LivePlot
    plot_history(model.fit(x, y, epochs=20, validation_split=0.2, verbose=0))

Each function draws on a new figure, or on the Axes you pass as ax=, and
returns the Axes (the Figure when it draws several panels); none calls
plt.show(). The same thing has the same colour everywhere (palette.COLOURS):
training blue, validation orange, each optimizer its own.

    plot_history(history)                    loss and val_loss per epoch
    plot_log_loss()                          cross-entropy against p, label 1 and 0
    plot_regression_losses(delta=1.0)        MAE, MSE, Huber and their slopes
    plot_loss_surface(surface, paths)        contours of a LossSurface, paths on it
    plot_line_fit(x, y, lines)               examples and lines y = w x + b
    plot_decision_boundary(model, x, y)      two classes, probability, 0.5 boundary
    plot_digits(images, labels, predictions) 8x8 digits, wrong predictions framed
    animate_sgd(x, y, batch_size, learning_rate, epochs)   one frame per step;
                                             anim.save_gif(path) for a GIF file
    LivePlot()                               a fit callback: loss curves in place
    fit_line_by_sgd(x, y, ...)               the minibatch run the animation shows

A script that makes many figures keeps at most MAX_OPEN_FIGURES of them open
(the oldest are closed), so no pile of windows builds up.
"""

from course.plots._figure import MAX_OPEN_FIGURES
from course.plots.animation import OfflineAnimation, animate_sgd
from course.plots.classification import plot_decision_boundary, plot_digits
from course.plots.history import plot_history
from course.plots.line_fit import LineFitRun, fit_line_by_sgd, plot_line_fit
from course.plots.live import LivePlot
from course.plots.loss_curves import plot_log_loss, plot_regression_losses
from course.plots.palette import COLOURS, colour_for
from course.plots.surfaces import plot_loss_surface

__all__ = [
    "COLOURS", "LineFitRun", "LivePlot", "MAX_OPEN_FIGURES", "OfflineAnimation",
    "animate_sgd", "colour_for", "fit_line_by_sgd", "plot_decision_boundary", "plot_digits",
    "plot_history", "plot_line_fit", "plot_log_loss", "plot_loss_surface",
    "plot_regression_losses",
]
