"""Minibatch SGD on a line, one frame per step, as an animation that plays offline.

    x, y = make_noisy_line(seed=0)
    anim = animate_sgd(x, y, batch_size=10, learning_rate=0.1, epochs=10)
    anim                               # last in a cell: plays in JupyterLab
    anim.save_gif("sgd.gif")           # a GIF file, written with pillow (no ffmpeg)

In a notebook the animation is HTML and JavaScript with every frame
embedded as a PNG, so it plays in JupyterLab and in a page rendered from
the stored notebook. Nothing is loaded from the network: matplotlib's page
links an icon font from a CDN, which OfflineAnimation removes, labelling its
buttons with plain characters instead.
"""

import base64
import hashlib
import io
import itertools
import re
import tempfile
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter, PillowWriter
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from course.plots._figure import style
from course.plots.line_fit import fit_line_by_sgd
from course.plots.palette import BLUISH_GREEN, COLOURS, REDDISH_PURPLE

FIGSIZE = (9.6, 3.3)
DPI = 80
INTERVAL_MS = 200
COLOURS_PER_FRAME = 96    # a frame's PNG keeps this many colours: a third of the size

# matplotlib's buttons are Font Awesome icons from a CDN; these need no font.
# Only characters that common fonts have (the media symbols U+23EE.. often are
# missing); each button also keeps matplotlib's title and aria-label.
_BUTTON_TEXT = {
    "fa-minus": "&minus;", "fa-fast-backward": "|&#x25C0;&#xFE0E;",
    "fa-step-backward": "&#x25C2;&#xFE0E;", "fa-play fa-flip-horizontal": "&#x25C0;&#xFE0E;",
    "fa-pause": "||", "fa-play": "&#x25B6;&#xFE0E;",
    "fa-step-forward": "&#x25B8;&#xFE0E;", "fa-fast-forward": "&#x25B6;&#xFE0E;|",
    "fa-plus": "+",
}
_ICON = re.compile(r'<i class="fa ([a-z\- ]+)"></i>')
_STYLESHEET_LINK = re.compile(r"<link[^>]*>", re.DOTALL)
_UUID = re.compile(r'id="_anim_img([0-9a-f]{32})"')
_html_count = itertools.count(1)


class OfflineAnimation(FuncAnimation):
    """A FuncAnimation whose HTML is self-contained and shows in a notebook by itself.

    to_jshtml() is matplotlib's player with every frame embedded, minus its
    link to a web font, with text buttons and an id that repeats from run to
    run (so a re-executed notebook stores the same output). Displaying the
    object in IPython shows that player, whatever rcParams["animation.html"]
    says. save_gif(path) writes a GIF with pillow.

    animated: the artists that change from frame to frame. When given, the
    rest of the figure is drawn once and each frame redraws only these
    (what matplotlib calls blitting), which is several times faster.
    """

    def __init__(self, fig, func, frames, animated=(), **kwargs):
        self.animated = list(animated)
        self.frame_count = frames if isinstance(frames, int) else len(frames)
        super().__init__(fig, func, frames=frames, **kwargs)

    def __repr__(self):
        # The stored text/plain beside the player: no memory address, so a
        # re-executed notebook stores the same bytes.
        return f"<animation: {self.frame_count} frames>"

    def to_jshtml(self, fps=None, embed_frames=True, default_mode=None):
        """The player as one HTML string, every frame embedded as a PNG."""
        if not hasattr(self, "_offline_html"):
            fps = self._fps() if fps is None else fps
            default_mode = default_mode or ("loop" if self._repeat else "once")
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder, "animation.html")
                writer = _FastHTMLWriter(self.animated, fps=fps, embed_frames=embed_frames,
                                         default_mode=default_mode)
                self.save(str(path), writer=writer)
                self._offline_html = make_offline(path.read_text())
        return self._offline_html

    def _repr_html_(self):
        return self.to_jshtml()

    def save_gif(self, path, fps=None):
        """Write the animation as a GIF with pillow (no ffmpeg); returns path.

        fps: frames per second, by default the animation's own speed. The same
        as anim.save(path, writer="pillow"), only faster.
        """
        writer = _FastPillowWriter(self.animated, fps=self._fps() if fps is None else fps)
        self.save(str(path), writer=writer)
        return path

    def _fps(self):
        return 1000 / self._interval


class _FastFrames:
    """Draw a frame as background + the artists that move, and return it as a PIL image.

    The first frame draws the whole figure but the `animated` artists on an
    Agg canvas of its own and keeps the pixels; each frame then copies them
    back and draws only the animated artists on top. Without `animated`
    artists it draws the whole figure every frame.
    """

    def _start_frames(self, animated):
        self._animated = animated
        self._background = None

    def _frame_image(self):
        figure = self.fig
        if not self._animated:
            raw = io.BytesIO()
            figure.savefig(raw, format="rgba", dpi=self.dpi)
            return Image.frombuffer("RGBA", self.frame_size, raw.getbuffer(), "raw", "RGBA", 0, 1)
        if self._background is None:
            shown = figure.canvas
            self._canvas = FigureCanvasAgg(figure)   # it makes itself figure.canvas ...
            figure.set_canvas(shown)                 # ... which stays the animation's
            # Hidden, not set_animated: while saving, matplotlib draws animated artists too.
            visible = [artist.get_visible() for artist in self._animated]
            # Laying out the axes moves a hidden title out of the way; put it back.
            places = [getattr(artist, "get_position", lambda: None)() for artist in self._animated]
            for artist in self._animated:
                artist.set_visible(False)
            self._canvas.draw()
            self._background = self._canvas.copy_from_bbox(figure.bbox)
            for artist, shown, place in zip(self._animated, visible, places):
                artist.set_visible(shown)
                if place is not None:
                    artist.set_position(place)
        self._canvas.restore_region(self._background)
        renderer = self._canvas.get_renderer()
        for artist in self._animated:
            artist.draw(renderer)
        return Image.fromarray(np.asarray(renderer.buffer_rgba()).copy(), "RGBA")


class _FastHTMLWriter(_FastFrames, HTMLWriter):
    """matplotlib's HTMLWriter, with fast frames, each a PNG of at most 96 colours.

    A line plot needs few colours; fewer colours compress about three times
    smaller, which keeps a 50-step animation well under 5 MB in a notebook.
    """

    def __init__(self, animated, **kwargs):
        super().__init__(**kwargs)
        self._start_frames(animated)

    def grab_frame(self, **savefig_kwargs):
        if not self.embed_frames:
            return super().grab_frame(**savefig_kwargs)
        png = io.BytesIO()
        image = self._frame_image().convert("RGB").quantize(COLOURS_PER_FRAME,
                                                            method=Image.Quantize.FASTOCTREE)
        image.save(png, format="png")
        encoded = base64.encodebytes(png.getvalue()).decode("ascii")
        self._total_bytes += len(encoded)
        if self._total_bytes >= self._bytes_limit:
            raise ValueError(f"The animation is larger than {self._bytes_limit} bytes; take "
                             f"fewer steps (fewer epochs or a larger batch size).")
        self._saved_frames.append(encoded)


class _FastPillowWriter(_FastFrames, PillowWriter):
    """matplotlib's PillowWriter (a GIF without ffmpeg), with fast frames."""

    def __init__(self, animated, **kwargs):
        super().__init__(**kwargs)
        self._start_frames(animated)

    def grab_frame(self, **savefig_kwargs):
        # GIF frames hold 256 colours; choosing them quickly here saves pillow
        # its slow median cut on every frame.
        self._frames.append(self._frame_image().convert("RGB").quantize(
            256, method=Image.Quantize.FASTOCTREE))


def make_offline(html):
    """matplotlib's animation HTML without its CDN link, with text buttons and a stable id."""
    html = _STYLESHEET_LINK.sub("", html, count=1)
    html = _ICON.sub(lambda match: _BUTTON_TEXT.get(match.group(1), ""), html)
    found = _UUID.search(html)
    if found:
        digest = hashlib.sha256(html.replace(found.group(1), "").encode()).hexdigest()[:16]
        html = html.replace(found.group(1), f"{digest}_{next(_html_count)}")
    return html


def animate_sgd(x, y, batch_size=10, learning_rate=0.1, epochs=5, seed=0, start=(0.0, 0.0),
                target=None):
    """Animate minibatch SGD fitting y_pred = w * x + b: one frame per minibatch step.

    x, y: (n,) the examples. batch_size, learning_rate, epochs, seed, start:
        as in fit_line_by_sgd (the minibatch order comes from
        course.data.minibatches with this seed).
    target: the (w, b) the weights should approach, e.g. the true (2, 1) of
        make_noisy_line; by default the least-squares line.
    Left: every example pale, the current minibatch solid, the line after
    the step. Middle: the cost over all examples after each step, and each
    minibatch's loss. Right: w and b approaching the target.
    Returns an OfflineAnimation with ceil(n / batch_size) * epochs frames;
    its .run is the LineFitRun it shows. A run that diverges is shown, and
    says so.
    """
    run = fit_line_by_sgd(x, y, batch_size, learning_rate, epochs, seed, start)
    x, y = np.asarray(x, dtype=np.float64).reshape(-1), np.asarray(y, dtype=np.float64)
    y = y.reshape(-1)
    if target is None:
        target, target_label = run.best, "least squares"
    else:
        target, target_label = np.asarray(target, dtype=np.float64).reshape(2), "target"

    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    data_ax, loss_ax, weight_ax = fig.subplots(1, 3, width_ratios=(1.25, 1, 1))
    steps = np.arange(run.steps + 1)
    _draw_data_panel(data_ax, x, y, run)
    artists = {
        "batch": data_ax.scatter([], [], s=30, color=COLOURS["training"], edgecolors="black",
                                 linewidths=0.6, label="this minibatch", zorder=3),
        "before": data_ax.plot([], [], color=COLOURS["model"], linestyle=":", linewidth=1.2,
                               label="line before the step")[0],
        "line": data_ax.plot([], [], color=COLOURS["model"], linewidth=2,
                             label="line after the step")[0],
    }
    data_ax.legend(loc="upper left", fontsize=8, frameon=True, framealpha=0.85)

    artists["cost"] = loss_ax.plot([], [], color=COLOURS["training"], linewidth=1.8,
                                   label="cost, all examples")[0]
    artists["batch_loss"] = loss_ax.plot([], [], linestyle="none", marker=".", markersize=5,
                                         color=COLOURS["training"], alpha=0.4,
                                         label="loss, this minibatch")[0]
    loss_ax.set_yscale("log")
    loss_ax.set_xlim(0, run.steps)
    loss_ax.set_ylim(*_log_limits(np.concatenate([run.costs, run.batch_losses]),
                                  ceiling=1e3 * run.costs[0]))
    style(loss_ax, "step", "mean squared error", "The loss, step by step")
    loss_ax.legend(loc="upper right", fontsize=8, frameon=True, framealpha=0.85)

    for index, (name, colour) in enumerate((("w", BLUISH_GREEN), ("b", REDDISH_PURPLE))):
        weight_ax.axhline(target[index], color=colour, linestyle="--", linewidth=1, alpha=0.7)
        artists[name] = weight_ax.plot([], [], color=colour, linewidth=1.8,
                                       label=f"{name} ({target_label} {target[index]:.2f})")[0]
    weight_ax.set_xlim(0, run.steps)
    # a diverging run leaves this box rather than squashing the picture
    reach = 3 * max(1.0, *np.abs(target), *np.abs(run.weights[0]))
    weight_ax.set_ylim(*_limits(np.clip(np.concatenate([run.weights.ravel(), target]),
                                        -reach, reach)))
    style(weight_ax, "step", "value", "The weights, step by step")
    weight_ax.legend(loc="lower right", fontsize=8, frameon=True, framealpha=0.85)
    artists["status"] = data_ax.text(0.98, 0.03, "", transform=data_ax.transAxes, ha="right",
                                     va="bottom", fontsize=10, color=COLOURS["warning"])
    xs = np.array([x.min(), x.max()])

    def draw(frame):
        step = frame + 1                                  # frame k shows step k + 1
        batch = run.batches[frame]
        artists["batch"].set_offsets(np.column_stack([x[batch], y[batch]]))
        for key, row in (("before", run.weights[step - 1]), ("line", run.weights[step])):
            artists[key].set_data(xs, row[0] * xs + row[1])
        artists["cost"].set_data(steps[:step + 1], run.costs[:step + 1])
        artists["batch_loss"].set_data(steps[1:step + 1], run.batch_losses[:step])
        artists["w"].set_data(steps[:step + 1], run.weights[:step + 1, 0])
        artists["b"].set_data(steps[:step + 1], run.weights[:step + 1, 1])
        epoch = frame // run.steps_per_epoch + 1
        data_ax.set_title(f"Step {step} of {run.steps} (epoch {epoch}), "
                          f"batch size {len(batch)}", fontsize=10)
        if run.diverged_at is not None and step >= run.diverged_at:
            artists["status"].set_text(f"diverged at step {run.diverged_at}:\n"
                                       f"try a smaller learning rate")
        return list(artists.values())

    draw(0)
    fig.draw_without_rendering()      # lay the panels out once, then keep them still:
    fig.set_layout_engine("none")     # twice as fast as laying out every frame again
    animation = OfflineAnimation(fig, draw, frames=run.steps, interval=INTERVAL_MS,
                                 repeat=False, blit=False, init_func=lambda: draw(0),
                                 animated=[*artists.values(), data_ax.title])
    animation.run = run
    return animation


def _draw_data_panel(ax, x, y, run):
    ax.scatter(x, y, s=14, color=COLOURS["training"], alpha=0.25, label="all examples",
               zorder=2)
    ax.set_xlim(*_limits(x))
    ax.set_ylim(*_limits(y, pad=0.25))
    style(ax, "x (input)", "y (target)")


def _limits(values, pad=0.08):
    values = values[np.isfinite(values)]
    low, high = float(values.min()), float(values.max())
    margin = pad * max(high - low, 1e-3)
    return low - margin, high + margin


def _log_limits(values, ceiling):
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return 1e-3, 1.0
    return values.min() / 1.5, min(values.max() * 1.5, ceiling)
