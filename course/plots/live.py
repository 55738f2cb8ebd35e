"""LivePlot: the loss curves redrawn in place after each epoch while fit runs.

    model.fit(x, y, epochs=50, validation_split=0.2, verbose=0, callbacks=[LivePlot()])

In JupyterLab (any IPython kernel) the cell shows one picture that is
replaced after each epoch, and the final curves stay in the saved notebook.
In a plain script, a test or a terminal nothing is shown and nothing is
opened: the curves are drawn once, at the end, on `live.figure`, which you
can save with live.figure.savefig("loss.png").
"""

import io
import sys
import time

from matplotlib.figure import Figure

from course.callbacks import Callback
from course.plots._figure import SINGLE
from course.plots.history import plot_history


class LivePlot(Callback):
    """Redraw the training and validation loss in one display after every epoch.

    metrics: as in plot_history: None (the loss only), a list of names, or
        True for a second panel with every metric.
    min_interval: seconds to wait at least between two redraws, so a fast
        fit spends its time training rather than drawing; the last epoch is
        always drawn.
    After training, `figure` holds the final curves (a matplotlib Figure not
    managed by pyplot, so it never opens a window) and `displays` counts the
    displays made: 1 in a notebook, 0 elsewhere.
    """

    def __init__(self, metrics=None, min_interval=0.3):
        super().__init__()
        if not isinstance(min_interval, (int, float)) or min_interval < 0:
            raise ValueError(f"min_interval is a number of seconds >= 0, not {min_interval!r}.")
        self.metrics = metrics
        self.min_interval = float(min_interval)
        self.figure = None
        self.displays = 0
        self.updates = 0

    def on_train_begin(self, logs=None):
        self.history = {}
        self.epoch = []
        self._handle = None
        self._last_drawn = -float("inf")
        self._show = _in_kernel()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        if self._show and time.monotonic() - self._last_drawn >= self.min_interval:
            self._redraw()

    def on_train_end(self, logs=None):
        if not self.epoch:
            return
        self._redraw()

    def _redraw(self):
        self.figure = self._draw()
        self._last_drawn = time.monotonic()
        if not self._show:
            return
        image = _png_image(self.figure)
        if self._handle is None:
            self._handle = _display(image)
            self.displays += 1
        else:
            self._handle.update(image)
            self.updates += 1

    def _draw(self):
        two_panels = self.metrics not in (None, False)
        figure = Figure(figsize=(9.0, 3.4) if two_panels else SINGLE, dpi=100,
                        layout="constrained")
        axes = figure.subplots(1, 2 if two_panels else 1)
        plot_history(self, metrics=self.metrics, ax=axes)
        return figure


def _in_kernel():
    """True inside a Jupyter kernel, where a display can be updated in place."""
    if "IPython" not in sys.modules:      # never import IPython just to find out
        return False
    shell = sys.modules["IPython"].get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _png_image(figure):
    from IPython.display import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return Image(data=buffer.getvalue(), format="png")


def _display(image):
    """Show `image` in a new output with a display id; return its handle."""
    from IPython.display import display

    return display(image, display_id=True)
