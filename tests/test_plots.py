"""course.plots draws what it is given: the tests read the numbers back off the figures."""

import base64
import io
import re
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

import course
from course.data import make_noisy_line, make_ravine, make_rosenbrock, make_two_blobs
from course.optimizers import SGD, Adam, minimize
from course.plots import (COLOURS, MAX_OPEN_FIGURES, LivePlot, animate_sgd, colour_for,
                          fit_line_by_sgd, plot_decision_boundary, plot_digits, plot_history,
                          plot_line_fit, plot_log_loss, plot_loss_surface,
                          plot_regression_losses)
from course.plots import live as live_module
from course.plots import palette

OKABE_ITO = {palette.BLACK, palette.ORANGE, palette.SKY_BLUE, palette.BLUISH_GREEN,
             palette.YELLOW, palette.BLUE, palette.VERMILLION, palette.REDDISH_PURPLE}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def line():
    return make_noisy_line(n_samples=50, seed=0)


def trained_history(epochs=6, validation=True, metrics=None):
    course.set_random_seed(0)
    x, y = make_noisy_line(n_samples=40, seed=1)
    model = course.Sequential([course.Dense(1, input_shape=(1,))])
    model.compile(optimizer=SGD(learning_rate=0.05), loss="mse", metrics=metrics)
    return model.fit(x[:, None], y, epochs=epochs, batch_size=10, verbose=0,
                     validation_split=0.25 if validation else 0.0)


def line_by_label(ax, label):
    lines = [line for line in ax.get_lines() if line.get_label() == label]
    assert len(lines) == 1, [line.get_label() for line in ax.get_lines()]
    return lines[0]


def same_colour(a, b):
    from matplotlib.colors import to_hex
    return to_hex(a) == to_hex(b)


# ---------------------------------------------------------------- import and palette

def test_importing_course_plots_loads_matplotlib_but_not_ipywidgets_or_ipython():
    script = ("import sys, course\nassert 'matplotlib' not in sys.modules\n"
              "import course.plots\nprint('ipywidgets' in sys.modules, 'IPython' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_palette_is_colour_blind_safe_and_gives_each_thing_its_own_colour():
    assert set(COLOURS.values()) <= OKABE_ITO | {palette.GREY}
    optimizers = [COLOURS[name] for name in ("sgd", "momentum", "rmsprop", "adam")]
    assert len(set(optimizers)) == 4
    assert COLOURS["training"] != COLOURS["validation"]
    assert not {COLOURS["training"], COLOURS["validation"]} & set(optimizers)


def test_colour_for_finds_an_optimizer_in_a_label_and_cycles_for_the_rest():
    assert colour_for("Adam, lr 0.1") == COLOURS["adam"]
    assert colour_for("SGD with momentum") == COLOURS["momentum"]
    assert colour_for("val_loss") == COLOURS["validation"]
    assert colour_for("lr 0.01", 0) != colour_for("lr 0.1", 1)


# ---------------------------------------------------------------- plot_history

def test_plot_history_draws_the_history_numbers_against_epochs_counted_from_one():
    history = trained_history(epochs=6)
    ax = plot_history(history)
    training, validation = line_by_label(ax, "training"), line_by_label(ax, "validation")
    np.testing.assert_array_equal(training.get_xdata(), [1, 2, 3, 4, 5, 6])
    np.testing.assert_allclose(training.get_ydata(), history.history["loss"])
    np.testing.assert_allclose(validation.get_ydata(), history.history["val_loss"])
    assert same_colour(training.get_color(), COLOURS["training"])
    assert same_colour(validation.get_color(), COLOURS["validation"])
    assert validation.get_linestyle() == "--"
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "loss"
    assert "validation" in ax.get_title()


def test_plot_history_takes_the_history_dict_and_draws_on_the_axes_given():
    fig, ax = plt.subplots()
    returned = plot_history({"loss": [3.0, 2.0, 1.5]}, ax=ax)
    assert returned is ax
    np.testing.assert_array_equal(line_by_label(ax, "training").get_xydata(),
                                  [[1, 3.0], [2, 2.0], [3, 1.5]])
    assert [line.get_label() for line in ax.get_lines()] == ["training"]
    assert ax.get_title() == "Training loss per epoch"


def test_plot_history_with_metrics_draws_a_second_panel_and_returns_the_figure():
    history = trained_history(epochs=4, metrics=["mae"])
    fig = plot_history(history, metrics=True)
    loss_ax, metric_ax = fig.axes
    np.testing.assert_allclose(line_by_label(metric_ax, "training mae").get_ydata(),
                               history.history["mae"])
    np.testing.assert_allclose(line_by_label(metric_ax, "validation mae").get_ydata(),
                               history.history["val_mae"])
    assert metric_ax.get_ylabel() == "mae"
    assert fig.legends, "the two panels share one legend"


def test_plot_history_log_scale():
    ax = plot_history({"loss": [100.0, 10.0, 1.0]}, log=True)
    assert ax.get_yscale() == "log"


@pytest.mark.parametrize("history, message", [
    (course.History(), "no epochs yet"),
    ({}, "no epochs yet"),
    ({"loss": []}, "no epochs yet"),
    ({"accuracy": [0.5, 0.6]}, "name the training loss 'loss'"),
    ({"loss": [1.0, 0.5], "val_loss": [1.0]}, "one number per epoch"),
])
def test_plot_history_explains_what_is_wrong_with_a_history(history, message):
    with pytest.raises(ValueError, match=message):
        plot_history(history)


def test_plot_history_refuses_other_things_and_unknown_metrics():
    with pytest.raises(TypeError, match="History that fit returns"):
        plot_history([1.0, 0.5])
    with pytest.raises(ValueError, match=r"no \['accuracy'\]"):
        plot_history({"loss": [1.0]}, metrics=["accuracy"])
    with pytest.raises(ValueError, match="holds only the loss"):
        plot_history({"loss": [1.0]}, metrics=True)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        plot_history({"loss": [1.0]}, ax="left")


# ---------------------------------------------------------------- loss curves

def test_plot_log_loss_draws_minus_log_p_for_label_1_and_minus_log_1_minus_p_for_0():
    ax = plot_log_loss()
    one = line_by_label(ax, "label y = 1: loss = −log(p)")
    zero = line_by_label(ax, "label y = 0: loss = −log(1 − p)")
    p = one.get_xdata()
    np.testing.assert_allclose(one.get_ydata(), -np.log(p), rtol=1e-6)
    np.testing.assert_allclose(zero.get_ydata(), -np.log(1 - zero.get_xdata()), rtol=1e-6)
    assert "probability" in ax.get_xlabel() and ax.get_title()


def test_plot_regression_losses_draws_each_loss_and_its_slope():
    fig = plot_regression_losses(delta=1.5)
    loss_ax, slope_ax = fig.axes
    mae, mse, huber = loss_ax.get_lines()[:3]
    e = mae.get_xdata()
    np.testing.assert_allclose(mae.get_ydata(), np.abs(e))
    np.testing.assert_allclose(mse.get_ydata(), e ** 2)
    expected_huber = np.where(np.abs(e) <= 1.5, e ** 2 / 2, 1.5 * (np.abs(e) - 0.75))
    np.testing.assert_allclose(huber.get_ydata(), expected_huber)
    mae_slope, mse_slope, huber_slope = slope_ax.get_lines()[:3]
    np.testing.assert_allclose(mse_slope.get_ydata(), 2 * e)
    np.testing.assert_allclose(huber_slope.get_ydata(), np.clip(e, -1.5, 1.5))
    np.testing.assert_allclose(mae_slope.get_ydata()[e > 0], 1.0)
    assert "delta = 1.5" in huber.get_label()


def test_plot_regression_losses_refuses_a_delta_that_is_not_positive():
    with pytest.raises(ValueError, match="must be > 0"):
        plot_regression_losses(delta=0)


# ---------------------------------------------------------------- loss surfaces

def test_plot_loss_surface_draws_the_paths_given_in_their_optimizer_colours():
    surface = make_ravine()
    paths = {"sgd": minimize(surface.gradient, surface.start, SGD(learning_rate=0.05), 30),
             "adam": minimize(surface.gradient, surface.start, Adam(learning_rate=0.3), 30)}
    ax = plot_loss_surface(surface, paths)
    for name, path in paths.items():
        drawn = line_by_label(ax, name)
        np.testing.assert_array_equal(drawn.get_xydata(), path)
        assert same_colour(drawn.get_color(), COLOURS[name])
    np.testing.assert_array_equal(line_by_label(ax, "start").get_xydata(), [surface.start])
    np.testing.assert_array_equal(line_by_label(ax, "minimum").get_xydata(),
                                  [surface.minimum])
    assert ax.collections, "the contours are drawn"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("weight w0", "weight w1")
    assert "ravine" in ax.get_title()


def test_plot_loss_surface_keeps_a_diverging_path_finite_and_the_view_on_the_surface():
    surface = make_ravine()
    path = minimize(surface.gradient, surface.start, SGD(learning_rate=0.2), steps=60)
    assert np.abs(path).max() > 1e20
    ax = plot_loss_surface(surface, {"sgd": path})
    drawn = line_by_label(ax, "sgd").get_xydata()
    assert np.isfinite(drawn).all()
    kept = len(drawn) - 1               # the last point drawn is where the path leaves
    np.testing.assert_array_equal(drawn[:kept], path[:kept])
    towards = (drawn[-1] - path[kept - 1]) / (path[kept] - path[kept - 1])
    assert 0 < towards[0] <= 1 and towards[0] == pytest.approx(towards[1])
    assert ax.get_xlim()[1] - ax.get_xlim()[0] < 20


def test_plot_loss_surface_takes_one_path_and_bounds():
    surface = make_rosenbrock()
    path = minimize(surface.gradient, surface.start, "adam", steps=5)
    ax = plot_loss_surface(surface, path, bounds=((-2, 2), (-1, 3)))
    np.testing.assert_array_equal(line_by_label(ax, "path").get_xydata(), path)
    assert ax.get_xlim() == (-2, 2) and ax.get_ylim() == (-1, 3)


@pytest.mark.parametrize("path", [np.zeros(10), np.zeros((10, 3)), np.zeros((0, 2))])
def test_plot_loss_surface_says_what_shape_a_path_needs(path):
    with pytest.raises(ValueError, match=r"\(steps \+ 1, 2\)"):
        plot_loss_surface(make_ravine(), {"sgd": path})


def test_plot_loss_surface_wants_a_loss_surface():
    with pytest.raises(TypeError, match="LossSurface"):
        plot_loss_surface(lambda w: 0.0)


# ---------------------------------------------------------------- classifiers

class Logistic:
    """p = sigmoid(x0 + x1): class 1 above the line x1 = -x0."""

    def predict(self, x):
        return 1 / (1 + np.exp(-(x[:, 0] + x[:, 1])))[:, None]


def test_plot_decision_boundary_draws_each_class_where_it_is_and_the_boundary():
    X, y = make_two_blobs(n_samples=60, seed=0)
    ax = plot_decision_boundary(Logistic(), X, y)
    points = {c.get_label(): c.get_offsets() for c in ax.collections if c.get_label()
              in ("class 0", "class 1")}
    np.testing.assert_array_equal(points["class 0"], X[y == 0])
    np.testing.assert_array_equal(points["class 1"], X[y == 1])
    boundary = [c for c in ax.collections if hasattr(c, "levels") and list(c.levels) == [0.5]]
    assert boundary, "the 0.5 contour is drawn"
    vertices = np.vstack([path.vertices for path in boundary[0].get_paths()])
    np.testing.assert_allclose(vertices.sum(axis=1), 0.0, atol=0.05)  # on x1 = -x0


def test_plot_decision_boundary_explains_bad_inputs():
    X, y = make_two_blobs(n_samples=20, seed=0)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        plot_decision_boundary(Logistic(), np.zeros((20, 3)), y)
    with pytest.raises(ValueError, match="labels 0 and 1"):
        plot_decision_boundary(Logistic(), X, y + 1)
    with pytest.raises(ValueError, match="one probability of class 1 per point"):
        plot_decision_boundary(lambda x: np.zeros(3), X, y)


def digit_titles(fig):
    return [text for text in fig.axes[0].texts]


def test_plot_digits_titles_each_digit_and_frames_the_wrong_predictions():
    from course.data import load_digits01
    from course.plots.classification import GAP_X, GAP_Y

    images, labels, _ = load_digits01()
    predictions = labels[:12].copy()
    predictions[[2, 7]] = 1 - predictions[[2, 7]]
    fig = plot_digits(images[:12], labels[:12], predictions=predictions, columns=6)
    (ax,) = fig.axes
    mosaic = ax.images[0].get_array()
    top, left = 0 * (8 + GAP_Y) + GAP_Y, 3 * (8 + GAP_X) + GAP_X // 2     # digit 3
    digit = images[3].reshape(8, 8)
    np.testing.assert_allclose(mosaic[top:top + 8, left:left + 8],
                               (digit - digit.min()) / (digit.max() - digit.min()))
    titles = [text.get_text() for text in digit_titles(fig)]
    assert len(titles) == 12
    assert [i for i, title in enumerate(titles) if "\u2192" in title] == [2, 7]
    assert titles[2] == f"{labels[2]} \u2192 {predictions[2]}"
    assert titles[3] == str(labels[3])
    frames = [patch for patch in ax.patches if patch.get_linewidth() > 2]
    assert len(frames) == 2 and same_colour(frames[0].get_edgecolor(), COLOURS["warning"])
    assert "2 predicted wrong" in fig._suptitle.get_text()


def test_plot_digits_reads_probabilities_and_refuses_too_many_digits():
    from course.data import load_digits01

    images, labels, _ = load_digits01()
    probabilities = np.where(labels[:4] == 1, 0.9, 0.2)[:, None]
    probabilities[0] = 1 - probabilities[0]
    fig = plot_digits(images[:4], labels[:4], predictions=probabilities)
    assert [("\u2192" in text.get_text()) for text in digit_titles(fig)] == \
        [True, False, False, False]
    with pytest.raises(ValueError, match="1 to 100"):
        plot_digits(images[:101], labels[:101])
    with pytest.raises(ValueError, match=r"\(n, 64\) or \(n, 8, 8\)"):
        plot_digits(np.zeros((3, 10)), [0, 1, 0])


# ---------------------------------------------------------------- line fits

def test_fit_line_by_sgd_takes_the_steps_the_lesson_teaches(line):
    x, y = line
    run = fit_line_by_sgd(x, y, batch_size=20, learning_rate=0.1, epochs=2, seed=3)
    assert run.steps == 6 and run.steps_per_epoch == 3 and run.diverged_at is None
    for epoch in range(2):
        rows = np.concatenate(run.batches[3 * epoch:3 * epoch + 3])
        assert sorted(rows) == list(range(50))        # every example once per epoch
    w, b = 0.0, 0.0
    for step, rows in enumerate(run.batches, start=1):
        error = w * x[rows] + b - y[rows]
        w, b = w - 0.1 * np.mean(2 * error * x[rows]), b - 0.1 * np.mean(2 * error)
        np.testing.assert_allclose(run.weights[step], [w, b])
    np.testing.assert_allclose(run.costs[-1], np.mean((w * x + b - y) ** 2))
    np.testing.assert_allclose(run.best, np.polyfit(x, y, 1))


def test_fit_line_by_sgd_records_a_divergence_instead_of_raising(line):
    run = fit_line_by_sgd(*line, batch_size=5, learning_rate=2.0, epochs=5)
    assert run.diverged_at is not None and run.steps == 50
    assert np.isnan(run.weights[run.diverged_at:]).all()
    with pytest.raises(ValueError, match="learning_rate must be a number > 0"):
        fit_line_by_sgd(*line, learning_rate=-1)
    with pytest.raises(ValueError, match=r"x of shape \(n,\)"):
        fit_line_by_sgd(np.zeros((5, 2)), np.zeros(5))


def test_plot_line_fit_draws_the_examples_and_each_line(line):
    x, y = line
    ax = plot_line_fit(x, y, {"start": (0.0, 0.0), "after training": (2.0, 1.0)})
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), np.column_stack([x, y]))
    drawn = [line for line in ax.get_lines() if line.get_label().startswith("after")][0]
    np.testing.assert_allclose(drawn.get_ydata(), 2.0 * drawn.get_xdata() + 1.0)
    with pytest.raises(ValueError, match=r"pair \(w, b\)"):
        plot_line_fit(x, y, {"bad": (1.0, 2.0, 3.0)})


# ---------------------------------------------------------------- the animation

def embedded_frames(html):
    return re.findall(r'frames\[\d+\] = "data:image/png;base64,([^"]+)"', html)


def test_animate_sgd_has_one_frame_per_minibatch_step_and_plays_offline(line):
    x, y = line
    anim = animate_sgd(x, y, batch_size=10, learning_rate=0.1, epochs=10)
    html = anim._repr_html_()
    frames = embedded_frames(html)
    assert anim.run.steps == 50 and len(frames) == 50
    assert len(html.encode()) < 5 * 2 ** 20, "50 steps embed in under 5 MB"
    assert not re.search(r"""(?:href|src)\s*=\s*["']?(?:https?:)?//""", html)
    assert "http://" not in html and "https://" not in html
    assert "fa-" not in html, "no icon font is needed for the buttons"
    first = Image.open(io.BytesIO(base64.b64decode(frames[0])))
    assert first.size == (768, 264)                       # 9.6 x 3.3 inches at 80 dpi
    assert frames[0] != frames[-1]
    assert plt.get_fignums() == [], "the animation opens no pyplot figure"


def test_each_frame_shows_its_minibatch_and_the_line_after_its_step(line):
    x, y = line
    anim = animate_sgd(x, y, batch_size=25, learning_rate=0.1, epochs=2)
    data_ax = anim._fig.axes[0]
    anim._func(2)                                          # the third step
    batch = [c for c in data_ax.collections if c.get_label() == "this minibatch"][0]
    np.testing.assert_array_equal(batch.get_offsets(),
                                  np.column_stack([x, y])[anim.run.batches[2]])
    w, b = anim.run.weights[3]
    after = line_by_label(data_ax, "line after the step")
    np.testing.assert_allclose(after.get_ydata(), w * after.get_xdata() + b)
    assert data_ax.get_title().startswith("Step 3 of 4 (epoch 2)")
    anim.to_jshtml()


def test_a_fast_frame_looks_like_the_whole_figure_drawn_again(line):
    anim = animate_sgd(*line, batch_size=10, learning_rate=0.1, epochs=2)
    frames = embedded_frames(anim.to_jshtml())
    for index in (0, 6):
        fast = np.asarray(Image.open(io.BytesIO(base64.b64decode(frames[index])))
                          .convert("RGB"), dtype=int)
        anim._func(index)
        buffer = io.BytesIO()
        anim._fig.savefig(buffer, format="png")
        full = np.asarray(Image.open(buffer).convert("RGB"), dtype=int)
        differs = np.abs(fast - full).sum(axis=2) > 60
        assert differs.mean() < 0.001, f"frame {index}: {differs.mean():.2%} of pixels differ"


def test_the_animation_html_is_the_same_on_every_run_but_its_counter(line):
    def html():
        return re.sub(r"_\d+\b", "_N", animate_sgd(*line, batch_size=25, epochs=1).to_jshtml())
    assert html() == html()


def test_the_animation_prints_without_a_memory_address(line):
    anim = animate_sgd(*line, batch_size=25, epochs=2)
    assert repr(anim) == "<animation: 4 frames>"
    anim.to_jshtml()


def test_animate_sgd_writes_a_gif_with_pillow(line, tmp_path):
    anim = animate_sgd(*line, batch_size=25, epochs=2)
    path = anim.save_gif(tmp_path / "sgd.gif")
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 4
    anim.save(tmp_path / "plain.gif", writer="pillow", fps=5)   # matplotlib's own way
    with Image.open(tmp_path / "plain.gif") as gif:
        assert gif.n_frames == 4


def test_a_diverging_animation_says_so(line):
    anim = animate_sgd(*line, batch_size=5, learning_rate=2.0, epochs=2)
    anim._func(anim.run.steps - 1)
    texts = [text.get_text() for text in anim._fig.axes[0].texts]
    assert any(text.startswith(f"diverged at step {anim.run.diverged_at}") for text in texts)
    anim.to_jshtml()


# ---------------------------------------------------------------- no pile of figures

def test_many_calls_leave_no_pile_of_open_figures(line):
    for _ in range(3 * MAX_OPEN_FIGURES):
        plot_history({"loss": [2.0, 1.0]})
        plot_line_fit(*line)
    assert len(plt.get_fignums()) <= MAX_OPEN_FIGURES
    ax = plot_log_loss()
    assert ax.figure.number in plt.get_fignums(), "the newest figure stays open"


def test_drawing_on_your_axes_opens_no_figure():
    fig, ax = plt.subplots()
    plot_history({"loss": [2.0, 1.0]}, ax=ax)
    plot_loss_surface(make_ravine(), ax=ax)
    assert plt.get_fignums() == [fig.number]


# ---------------------------------------------------------------- LivePlot

def fit_with(callback, epochs=4):
    course.set_random_seed(0)
    x, y = make_noisy_line(n_samples=40, seed=2)
    model = course.Sequential([course.Dense(1, input_shape=(1,))])
    model.compile(optimizer=SGD(learning_rate=0.05), loss="mse")
    return model.fit(x[:, None], y, epochs=epochs, batch_size=10, verbose=0,
                     validation_split=0.25, callbacks=[callback])


def test_liveplot_outside_a_notebook_shows_nothing_and_keeps_the_final_curves():
    live = LivePlot()
    history = fit_with(live)
    assert live.displays == 0 and live.updates == 0
    assert plt.get_fignums() == [], "no window, no pyplot figure"
    ax = live.figure.axes[0]
    np.testing.assert_allclose(line_by_label(ax, "training").get_ydata(),
                               history.history["loss"])
    np.testing.assert_allclose(line_by_label(ax, "validation").get_ydata(),
                               history.history["val_loss"])


class FakeHandle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, image):
        self.shown.append(image)


def test_liveplot_in_a_notebook_updates_one_display_in_place(monkeypatch):
    handles, shown = [], []

    def display(image):
        shown.append(image)
        handles.append(FakeHandle(shown))
        return handles[-1]

    monkeypatch.setattr(live_module, "_in_kernel", lambda: True)
    monkeypatch.setattr(live_module, "_display", display)
    live = LivePlot(min_interval=0)
    history = fit_with(live, epochs=4)
    assert len(handles) == 1 and live.displays == 1
    assert len(shown) == 1 + 4, "one display after epoch 1, updated after 2-4 and at the end"
    final = Image.open(io.BytesIO(shown[-1].data))
    assert final.format == "PNG" and final.size == (600, 360)
    assert len(line_by_label(live.figure.axes[0], "training").get_ydata()) == 4
    assert history.history["loss"] == live.history["loss"]
    assert plt.get_fignums() == []


def test_liveplot_waits_between_redraws_but_always_draws_the_last_epoch(monkeypatch):
    shown = []
    monkeypatch.setattr(live_module, "_in_kernel", lambda: True)
    monkeypatch.setattr(live_module, "_display",
                        lambda image: shown.append(image) or FakeHandle(shown))
    fit_with(LivePlot(min_interval=3600), epochs=5)
    assert len(shown) == 2, "the first epoch, then the end"


def test_liveplot_in_a_real_kernel_leaves_one_figure_in_the_notebook():
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import numpy as np, course\n"
        "from course.plots import LivePlot\n"
        "x = np.linspace(-1, 1, 40)[:, None]\n"
        "model = course.Sequential([course.Dense(1, input_shape=(1,))])\n"
        "model.compile(optimizer='sgd', loss='mse')\n"
        "live = LivePlot(min_interval=0)\n"
        "model.fit(x, 3 * x[:, 0] + 1, epochs=5, verbose=0, callbacks=[live])\n"
        "print(live.displays, live.updates)")]
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    images = [output for output in outputs if "image/png" in output.get("data", {})]
    assert len(images) == 1
    assert [output.text for output in outputs if output.output_type == "stream"] == ["1 5\n"]


def test_liveplot_checks_its_interval():
    with pytest.raises(ValueError, match="seconds"):
        LivePlot(min_interval=-1)


# ---------------------------------------------------------------- the cost of a line

def test_the_cost_of_a_line_is_the_mean_squared_error_of_that_line(line):
    from course.data.synthetic import make_line_cost
    from course.gradcheck import check_gradient
    from course.losses import mse

    x, y = line
    surface = make_line_cost(x, y)
    for w, b in [(0.0, 0.0), (2.0, 1.0), (-1.5, 3.0)]:
        assert surface([w, b]) == pytest.approx(mse(y, w * x + b), rel=1e-12)
    grid = np.stack(np.meshgrid([0.0, 1.0], [2.0, 3.0, 4.0]), axis=-1)
    assert surface(grid).shape == (3, 2)
    assert check_gradient(surface, surface.gradient, np.array([0.5, -0.3])) < 1e-6
    np.testing.assert_allclose(surface.minimum, np.polyfit(x, y, 1))
    np.testing.assert_allclose(surface.gradient(surface.minimum), 0.0, atol=1e-12)
    ax = plot_loss_surface(surface)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("w (slope)", "b (intercept)")
    assert ax.get_title() == "The cost of the line"


def test_the_cost_of_a_line_needs_two_different_inputs():
    from course.data.synthetic import make_line_cost

    with pytest.raises(ValueError, match="two different x"):
        make_line_cost([1.0, 1.0], [2.0, 3.0])
    with pytest.raises(ValueError, match="one number per example"):
        make_line_cost([1.0, 2.0], [2.0])


def test_liveplot_with_metrics_draws_them_in_a_second_panel():
    course.set_random_seed(0)
    x, y = make_noisy_line(n_samples=40, seed=2)
    model = course.Sequential([course.Dense(1, input_shape=(1,))])
    model.compile(optimizer=SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
    live = LivePlot(metrics=["mae"])
    history = model.fit(x[:, None], y, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[live])
    loss_ax, metric_ax = live.figure.axes
    np.testing.assert_allclose(line_by_label(metric_ax, "validation mae").get_ydata(),
                               history.history["val_mae"])
    np.testing.assert_array_equal(line_by_label(loss_ax, "training").get_xdata(), [1, 2, 3])
