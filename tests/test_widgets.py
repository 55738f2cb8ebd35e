"""The explorers: a slider set from code redraws the picture with its value."""

import base64
import io
import math

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest
from nbconvert import HTMLExporter
from PIL import Image

from course.data import make_noisy_line, make_ravine
from course.data.synthetic import make_line_cost
from course.optimizers import SGD, Adam, minimize
from course.plots import fit_line_by_sgd
from course.widgets import (Explorer, adam_explorer, batch_size_explorer,
                            learning_rate_explorer)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def learning_rate():
    return learning_rate_explorer()


@pytest.fixture(scope="module")
def batch_size():
    return batch_size_explorer()


@pytest.fixture(scope="module")
def adam():
    return adam_explorer()


def line(ax, label):
    found = [line for line in ax.get_lines() if line.get_label() == label]
    assert len(found) == 1, [line.get_label() for line in ax.get_lines()]
    return found[0]


def on_the_grid(slider):
    """True when the slider's default is one of its own steps."""
    if hasattr(slider, "options"):
        return slider.value in slider.options
    position = math.log(slider.value, slider.base) if hasattr(slider, "base") else slider.value
    steps = (position - slider.min) / slider.step
    return abs(steps - round(steps)) < 1e-9 and slider.min <= position <= slider.max


def texts(figure):
    return [text.get_text() for ax in figure.axes for text in ax.texts]


def test_each_explorer_is_a_widget_with_its_controls_on_their_grids(learning_rate, batch_size,
                                                                    adam):
    expected = {learning_rate: ["learning_rate"], batch_size: ["batch_size", "learning_rate"],
                adam: ["learning_rate", "beta_1", "beta_2"]}
    for explorer, names in expected.items():
        assert isinstance(explorer, Explorer)
        assert list(explorer.controls) == names
        for name in names:
            control = getattr(explorer, name)
            assert control is explorer.controls[name]
            assert on_the_grid(control), (name, control.value)
            assert control in explorer.children[0].children


def test_the_learning_rate_slider_runs_from_0_001_to_1_on_a_log_scale(learning_rate):
    slider = learning_rate.learning_rate
    assert (slider.base, slider.min, slider.max) == (10, -3, 0)
    assert slider.value == 10 ** -1.5


def test_setting_the_learning_rate_redraws_gradient_descent_with_it():
    explorer = learning_rate_explorer(steps=30)
    surface = make_ravine()
    before = explorer.image.value
    explorer.learning_rate.value = 10 ** -1.25
    rate = explorer.learning_rate.value
    label = f"gradient descent, learning rate {rate:.3g}"
    drawn = line(explorer.figure.axes[0], label).get_xydata()
    expected = minimize(surface.gradient, surface.start, SGD(learning_rate=rate), steps=30)
    np.testing.assert_allclose(drawn, expected)
    losses = line(explorer.figure.axes[1], label).get_ydata()
    np.testing.assert_allclose(losses, surface(expected))
    assert explorer.image.value != before
    assert Image.open(io.BytesIO(explorer.image.value)).format == "PNG"


def test_a_diverging_learning_rate_is_shown_not_raised(learning_rate):
    explorer = learning_rate
    explorer.learning_rate.value = 1.0
    assert any(text.startswith("diverged") for text in texts(explorer.figure))
    explorer.learning_rate.value = 0.001
    assert not any("diverged" in text for text in texts(explorer.figure))


def test_a_path_that_overflows_is_drawn_as_far_as_it_stays_finite():
    explorer = learning_rate_explorer(make_ravine(steepness=1000.0), steps=400)
    explorer.learning_rate.value = 1.0
    path = explorer.figure.axes[0].get_lines()[0].get_xydata()
    assert np.isfinite(path).all() and len(path) < 401
    assert any(text.startswith("diverged") for text in texts(explorer.figure))


def test_the_learning_rate_explorer_takes_the_cost_of_a_line():
    x, y = make_noisy_line(seed=0)
    surface = make_line_cost(x, y)
    explorer = learning_rate_explorer(surface, steps=20)
    path = explorer.figure.axes[0].get_lines()[0].get_xydata()
    rate = explorer.learning_rate.value
    np.testing.assert_allclose(path, minimize(surface.gradient, surface.start,
                                              SGD(learning_rate=rate), steps=20))


def test_setting_the_batch_size_redraws_the_run_with_it(batch_size):
    x, y = make_noisy_line(n_samples=50, seed=0)
    batch_size.batch_size.value = 5
    loss_ax, line_ax = batch_size.figure.axes
    run = fit_line_by_sgd(x, y, batch_size=5, learning_rate=batch_size.learning_rate.value,
                          epochs=5)
    cost = line(loss_ax, "cost, all examples")
    assert len(cost.get_ydata()) == run.steps + 1 == 51
    np.testing.assert_allclose(cost.get_ydata(), run.costs)
    np.testing.assert_allclose(cost.get_xdata()[-1], 5.0)            # epochs on the x axis
    final = [item for item in line_ax.get_lines() if item.get_label().startswith("after")]
    w, b = run.weights[-1]
    np.testing.assert_allclose(final[0].get_ydata(), w * final[0].get_xdata() + b)
    assert "Batch size 5: 50 steps" in loss_ax.get_title()
    batch_size.batch_size.value = 50
    assert len(line(batch_size.figure.axes[0], "cost, all examples").get_ydata()) == 6


def test_a_diverging_batch_run_says_so_and_draws_no_final_line(batch_size):
    batch_size.batch_size.value = 1
    batch_size.learning_rate.value = 1.0
    assert any(text.startswith("diverged at step") for text in texts(batch_size.figure))
    labels = [item.get_label() for item in batch_size.figure.axes[1].get_lines()]
    assert not any(label.startswith("after") for label in labels)


def test_the_batch_sizes_fit_the_data():
    explorer = batch_size_explorer(*make_noisy_line(n_samples=30, seed=1), epochs=2)
    assert explorer.batch_size.options[-1] == 30
    assert max(explorer.batch_size.options) == 30


def test_setting_adams_betas_redraws_adam_and_sgd_at_the_same_learning_rate(adam):
    surface = make_ravine()
    adam.beta_1.value = 0.5
    adam.beta_2.value = 0.99
    rate = adam.learning_rate.value
    surface_ax, loss_ax = adam.figure.axes
    expected = minimize(surface.gradient, surface.start,
                        Adam(learning_rate=rate, beta_1=0.5, beta_2=0.99), steps=100)
    np.testing.assert_allclose(line(surface_ax, "Adam").get_xydata(), expected)
    sgd = minimize(surface.gradient, surface.start, SGD(learning_rate=rate), steps=100)
    np.testing.assert_allclose(line(surface_ax, "SGD").get_xydata(), sgd)
    assert "beta_1 0.5, beta_2 0.99" in surface_ax.get_title()


def test_an_explorer_shows_its_picture_where_there_is_no_widget_state(learning_rate):
    bundle = learning_rate._repr_mimebundle_()
    assert WIDGET_VIEW in bundle
    png = base64.b64decode(bundle["image/png"])
    assert png == learning_rate.image.value
    assert len(png) < 100_000
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("learning_rate_explorer()")
    cell.outputs = [nbformat.v4.new_output("execute_result", data=bundle, execution_count=1)]
    notebook.cells = [cell]
    html, _ = HTMLExporter().from_notebook_node(notebook)
    assert bundle["image/png"][:200] in html.replace("\n", "")
    assert WIDGET_VIEW not in html


def test_explorers_open_no_pyplot_figure():
    plt.close("all")
    explorer = learning_rate_explorer(steps=5)
    explorer.learning_rate.value = 0.1
    assert plt.get_fignums() == []


def test_explorers_check_what_they_are_given():
    with pytest.raises(TypeError, match="LossSurface"):
        learning_rate_explorer(surface="ravine")
    with pytest.raises(ValueError, match="steps must be a whole number"):
        adam_explorer(steps=0)
    with pytest.raises(ValueError, match=r"x of shape \(n,\)"):
        batch_size_explorer(np.zeros((4, 2)), np.zeros(4))
