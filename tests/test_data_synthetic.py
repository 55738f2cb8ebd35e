"""Made-up data for pictures: the answer each maker promises is really in its data."""

import numpy as np
import pytest

from course.data import (LossSurface, make_noisy_line, make_ravine, make_rosenbrock,
                         make_two_blobs, ravine, ravine_gradient, rosenbrock,
                         rosenbrock_gradient)


def centred_differences(f, w, eps=1e-6):
    """d f / d w by (f(w + eps) - f(w - eps)) / (2 eps), one coordinate at a time."""
    grad = np.zeros_like(w)
    for i in range(w.size):
        step = np.zeros_like(w)
        step.flat[i] = eps
        grad.flat[i] = (f(w + step) - f(w - step)) / (2 * eps)
    return grad


def test_noisy_line_scatters_around_the_line_it_was_given():
    x, y = make_noisy_line(n_samples=2000, slope=-1.5, intercept=4.0, noise=0.5, seed=3)
    assert x.shape == y.shape == (2000,)
    slope, intercept = np.polyfit(x, y, deg=1)
    assert slope == pytest.approx(-1.5, abs=0.05)
    assert intercept == pytest.approx(4.0, abs=0.05)
    assert np.std(y - (-1.5 * x + 4.0)) == pytest.approx(0.5, rel=0.1)


def test_noisy_line_without_noise_is_the_exact_line_sorted_within_range():
    x, y = make_noisy_line(n_samples=30, slope=2.0, intercept=1.0, noise=0.0,
                           x_range=(0.0, 5.0), seed=0)
    np.testing.assert_allclose(y, 2.0 * x + 1.0)
    assert (np.diff(x) >= 0).all()
    assert 0.0 <= x.min() and x.max() <= 5.0


def test_same_seed_repeats_and_another_seed_differs():
    np.testing.assert_array_equal(make_noisy_line(seed=1)[1], make_noisy_line(seed=1)[1])
    assert not np.array_equal(make_noisy_line(seed=1)[1], make_noisy_line(seed=2)[1])
    np.testing.assert_array_equal(make_two_blobs(seed=1)[0], make_two_blobs(seed=1)[0])
    assert not np.array_equal(make_two_blobs(seed=1)[0], make_two_blobs(seed=2)[0])


def test_noisy_line_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="n_samples must be a whole number >= 1"):
        make_noisy_line(n_samples=0)
    with pytest.raises(ValueError, match="noise is a standard deviation"):
        make_noisy_line(noise=-1.0)
    with pytest.raises(ValueError, match="low < high"):
        make_noisy_line(x_range=(2.0, 1.0))
    with pytest.raises(ValueError, match="low < high"):
        make_noisy_line(x_range=3.0)
    with pytest.raises(ValueError, match="noise must be a finite number, not 'a'"):
        make_noisy_line(noise="a")
    with pytest.raises(ValueError, match="slope must be a finite number, not nan"):
        make_noisy_line(slope=float("nan"))
    with pytest.raises(ValueError, match="seed must be a whole number >= 0, not -1"):
        make_noisy_line(seed=-1)


def test_two_blobs_gives_half_of_each_class_around_its_centre():
    X, y = make_two_blobs(n_samples=1001, centers=((-2.0, 0.0), (3.0, 1.0)),
                          spread=0.5, seed=0)
    assert X.shape == (1001, 2) and y.shape == (1001,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [500, 501]
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2.0, 0.0], atol=0.1)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [3.0, 1.0], atol=0.1)
    np.testing.assert_allclose(X[y == 0].std(axis=0), [0.5, 0.5], rtol=0.1)


def test_two_blobs_rows_are_shuffled_not_sorted_by_class():
    _, y = make_two_blobs(n_samples=100, seed=0)
    assert 0 < np.argmax(y == 1) < 50 or y[0] == 1
    assert np.count_nonzero(np.diff(y)) > 10


def test_two_blobs_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="n_samples must be a whole number >= 2"):
        make_two_blobs(n_samples=1)
    with pytest.raises(ValueError, match=r"shape \(2, 2\)"):
        make_two_blobs(centers=(0.0, 1.0))
    with pytest.raises(ValueError, match="spread"):
        make_two_blobs(spread=0.0)
    with pytest.raises(ValueError, match="spread must be a finite number, not 'wide'"):
        make_two_blobs(spread="wide")
    with pytest.raises(ValueError, match="seed must be a whole number >= 0, not 1.5"):
        make_two_blobs(seed=1.5)


@pytest.mark.parametrize("loss, gradient, kwargs", [
    (rosenbrock, rosenbrock_gradient, {}),
    (rosenbrock, rosenbrock_gradient, {"a": 2.0, "b": 10.0}),
    (ravine, ravine_gradient, {}),
    (ravine, ravine_gradient, {"steepness": 7.0}),
])
def test_surface_gradients_match_finite_differences(loss, gradient, kwargs):
    rng = np.random.default_rng(0)
    for w in rng.uniform(-2, 2, size=(5, 2)):
        expected = centred_differences(lambda v: loss(v, **kwargs), w)
        np.testing.assert_allclose(gradient(w, **kwargs), expected, rtol=1e-6, atol=1e-6)


def test_surfaces_are_zero_with_zero_gradient_at_their_minimum():
    for surface in (make_rosenbrock(), make_rosenbrock(a=2.0, b=5.0), make_ravine(),
                    make_ravine(steepness=3.0)):
        assert isinstance(surface, LossSurface)
        assert surface(surface.minimum) == 0
        np.testing.assert_array_equal(surface.gradient(surface.minimum), [0.0, 0.0])
        assert surface(surface.start) > 0
    np.testing.assert_array_equal(make_rosenbrock(a=2.0).minimum, [2.0, 4.0])


def test_ravine_is_steeper_across_than_along():
    surface = make_ravine(steepness=20.0)
    assert surface([0.0, 1.0]) == 20 * surface([1.0, 0.0])


def test_surfaces_evaluate_a_whole_grid_for_contour_plots():
    w0, w1 = np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 3, 5))
    grid = np.stack([w0, w1], axis=-1)  # (5, 7, 2)
    for surface in (make_rosenbrock(), make_ravine()):
        values = surface(grid)
        gradients = surface.gradient(grid)
        assert values.shape == (5, 7) and gradients.shape == (5, 7, 2)
        assert values[2, 3] == surface(grid[2, 3])
        np.testing.assert_array_equal(gradients[4, 1], surface.gradient(grid[4, 1]))


def test_surface_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match=r"two weights .* shape \(3,\)"):
        rosenbrock(np.zeros(3))
    with pytest.raises(ValueError, match="steepness must be > 0"):
        make_ravine(steepness=0.0)
    with pytest.raises(ValueError, match=r"start must be one point"):
        make_rosenbrock(start=(0.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="steepness must be a finite number, not 'steep'"):
        make_ravine(steepness="steep")
    with pytest.raises(ValueError, match="b must be a finite number, not None"):
        make_rosenbrock(b=None)
