"""Gradient checking: it passes right gradients, catches wrong ones, names the culprit."""

import numpy as np
import pytest

import course
from course import gradcheck
from course.gradcheck import check_gradient, check_layer, check_model, relative_error


class TanhLayer:
    """a = tanh(x @ kernel + bias), written out here so the checker is tested on
    its own. `bug` plants a mistake in one gradient."""

    def __init__(self, input_dim, units, seed=0, dtype=np.float64, bug=None):
        rng = np.random.default_rng(seed)
        self.params = {"kernel": rng.normal(size=(input_dim, units)).astype(dtype),
                       "bias": rng.normal(size=units).astype(dtype)}
        self.grads = {}
        self.bug = bug

    def forward(self, x):
        self.x = x
        self.a = np.tanh(x @ self.params["kernel"] + self.params["bias"])
        return self.a

    def backward(self, grad_a, input_gradient=True):
        grad_z = grad_a * (1 - self.a ** 2)
        if self.bug == "forgot the activation":
            grad_z = grad_a
        self.grads["kernel"] = self.x.T @ grad_z
        if self.bug == "kernel doubled":
            self.grads["kernel"] = 2 * self.grads["kernel"]
        if self.bug == "kernel transposed":
            self.grads["kernel"] = self.grads["kernel"].T
        self.grads["bias"] = grad_z.mean(axis=0) if self.bug == "bias mean" \
            else grad_z.sum(axis=0)
        grad_x = grad_z @ self.params["kernel"].T
        return -grad_x if self.bug == "grad_x sign" else grad_x


class TinyModel:
    """Layers in a row, with the model interface check_model relies on."""

    def __init__(self, layers, loss=None):
        self.layers = layers
        self.loss = loss

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)


def batch(shape=(5, 3), seed=1):
    return np.random.default_rng(seed).normal(size=shape)


# --- numerical_gradient and relative_error -------------------------------------

def test_numerical_gradient_of_a_cubic_matches_calculus():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    numeric = gradcheck.numerical_gradient(lambda v: np.sum(v ** 3), x)
    np.testing.assert_allclose(numeric, 3 * x ** 2, rtol=1e-8)


def test_numerical_gradient_restores_x_exactly():
    x = batch()
    before = x.copy()
    gradcheck.numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_accepts_lists_and_float32_as_float64():
    numeric = gradcheck.numerical_gradient(lambda v: np.sum(v ** 2),
                                           np.array([1.0, 2.0], dtype=np.float32))
    assert numeric.dtype == np.float64
    np.testing.assert_allclose(gradcheck.numerical_gradient(lambda v: v @ v, [1.0, -2.0]),
                               [2.0, -4.0], rtol=1e-8)


def test_numerical_gradient_refuses_a_function_that_returns_an_array():
    with pytest.raises(ValueError, match=r"single number.*shape \(2,\).*np.sum"):
        gradcheck.numerical_gradient(lambda v: v ** 2, np.array([1.0, 2.0]))


def test_relative_error_follows_its_formula():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, 2.0], [1.0, 3.0]) == pytest.approx(1 / 5)
    # Near zero the denominator is floored at 1e-8: tiny absolute noise on a
    # zero gradient does not count as a large relative error.
    assert relative_error([0.0], [1e-12]) == pytest.approx(1e-4)
    assert relative_error([1.0], [-1.0]) == 1.0


def test_relative_error_with_a_scale_floor_judges_tiny_elements_by_the_arrays_scale():
    right, measured = np.array([1.0, 1e-6]), np.array([1.0, 2e-6])
    assert relative_error(right, measured) == pytest.approx(1 / 3)
    # 1e-6 of difference next to a gradient of 1 is far below a thousandth of it.
    assert relative_error(right, measured, scale_floor=1e-3) == pytest.approx(1e-6 / 2e-3)
    # The floor never hides a difference in the large elements.
    assert relative_error([1.0, 1e-6], [-1.0, 1e-6], scale_floor=1e-3) == 1.0


def test_relative_error_refuses_different_shapes():
    with pytest.raises(ValueError, match=r"a has shape \(2,\) and b has shape \(3,\)"):
        relative_error([1.0, 2.0], [1.0, 2.0, 3.0])


# --- check_gradient -------------------------------------------------------------

def test_check_gradient_passes_a_right_gradient_and_fails_a_wrong_one():
    x = batch((4,))
    right = check_gradient(lambda v: np.sum(v ** 2), lambda v: 2 * v, x)
    wrong = check_gradient(lambda v: np.sum(v ** 2), lambda v: v, x)
    assert right < 1e-6
    assert wrong > 0.1
    assert isinstance(right, float)


def test_check_gradient_does_not_let_grad_f_change_x():
    x = batch((3,))
    before = x.copy()

    def grad_that_scribbles(v):
        v *= 0
        return np.zeros_like(v)

    check_gradient(lambda v: np.sum(v), grad_that_scribbles, x)
    np.testing.assert_array_equal(x, before)


def test_check_gradient_refuses_a_gradient_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"x has shape \(3,\) and grad_f\(x\) has shape"):
        check_gradient(np.sum, lambda v: np.ones((3, 1)), np.zeros(3))


# --- check_layer -------------------------------------------------------------------

def test_check_layer_passes_a_correct_backward_pass():
    error = check_layer(TanhLayer(3, 4), batch())
    assert error < 1e-6
    assert set(error.parts) == {"x", "kernel", "bias"}


def test_check_layer_names_the_gradient_that_is_wrong():
    error = check_layer(TanhLayer(3, 4, bug="bias mean"), batch())
    assert error > 0.1
    assert error.parts["bias"] > 0.1
    assert error.parts["kernel"] < 1e-6 and error.parts["x"] < 1e-6
    assert "bias:" in repr(error)


def test_check_layer_catches_a_missing_activation_derivative():
    error = check_layer(TanhLayer(3, 4, bug="forgot the activation"), batch())
    assert error.parts["kernel"] > 1e-2 and error.parts["x"] > 1e-2


def test_check_layer_leaves_the_parameters_as_they_were():
    layer = TanhLayer(3, 4)
    before = {name: value.copy() for name, value in layer.params.items()}
    check_layer(layer, batch())
    for name, value in layer.params.items():
        np.testing.assert_array_equal(value, before[name])


def test_check_layer_refuses_float32_parameters_and_says_what_to_do():
    with pytest.raises(TypeError, match="'kernel' is float32.*dtype='float64'"):
        check_layer(TanhLayer(3, 4, dtype=np.float32), batch())


# --- check_model ------------------------------------------------------------------

def test_check_model_passes_a_correct_network_with_the_loss_passed_in():
    model = TinyModel([TanhLayer(3, 4, seed=0), TanhLayer(4, 2, seed=1)])
    error = check_model(model, batch(), batch((5, 2), seed=2), loss="mse")
    assert error < 1e-6
    assert set(error.parts) == {"0.kernel", "0.bias", "1.kernel", "1.bias"}


def test_check_model_uses_the_models_own_loss():
    from course import losses

    model = TinyModel([TanhLayer(3, 4), TanhLayer(4, 1, seed=1)], loss=losses.Huber(0.5))
    assert check_model(model, batch(), batch((5,), seed=3)) < 1e-6


def test_check_model_finds_a_bug_deep_in_the_network():
    model = TinyModel([TanhLayer(3, 4, bug="bias mean"), TanhLayer(4, 1, seed=1)])
    error = check_model(model, batch(), batch((5, 1), seed=2), loss="mae")
    assert error.parts["0.bias"] > 0.1
    assert error.parts["1.kernel"] < 1e-6


@pytest.mark.parametrize("bug", ["kernel doubled", "kernel transposed", "grad_x sign"])
def test_check_model_catches_a_factor_of_two_a_transposed_kernel_and_a_wrong_sign(bug):
    # Square kernels, so that a transposed gradient still has the right shape.
    model = TinyModel([TanhLayer(4, 4, seed=0, bug=bug), TanhLayer(4, 4, seed=1, bug=bug),
                       TanhLayer(4, 1, seed=2)])
    error = check_model(model, batch((6, 4)), batch((6, 1), seed=2), loss="mse")
    assert error > 1e-2, error


def test_check_model_passes_the_digits_network_of_the_lessons():
    # The 64-25-15-1 sigmoid network on real digits: most of its first-layer
    # gradients are ~1e-4, some ~1e-7, measured by difference quotients
    # that round at ~1e-11.
    from course.data import load_digits01

    digits = load_digits01()
    x, y = digits.data[:32] / 16, digits.target[:32].astype(np.float64)
    course.set_random_seed(0)
    model = course.Sequential([
        course.Dense(25, activation="sigmoid", input_shape=(64,), dtype="float64"),
        course.Dense(15, activation="sigmoid", dtype="float64"),
        course.Dense(1, activation="sigmoid", dtype="float64")])
    error = check_model(model, x, y, loss="binary_crossentropy")
    assert error < gradcheck.TOLERANCE, error


def test_check_model_passes_every_one_of_twenty_random_small_sigmoid_networks():
    errors = []
    for seed in range(20):
        course.set_random_seed(seed)
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(16, 5))
        y = (rng.normal(size=(16, 1)) > 0).astype(np.float64)
        model = course.Sequential([
            course.Dense(8, activation="sigmoid", input_shape=(5,), dtype="float64"),
            course.Dense(8, activation="sigmoid", dtype="float64"),
            course.Dense(1, activation="sigmoid", dtype="float64")])
        errors.append(float(check_model(model, x, y, loss="binary_crossentropy")))
    assert max(errors) < gradcheck.TOLERANCE, errors


def test_check_model_without_a_loss_says_to_compile():
    model = TinyModel([TanhLayer(3, 1)])
    with pytest.raises(ValueError, match="compile"):
        check_model(model, batch(), batch((5, 1)))


# --- With the library's own Dense and Sequential ---------------------------------

def test_check_layer_and_check_model_work_on_dense_and_sequential():
    from course.utils import set_random_seed

    set_random_seed(0)
    dense = course.Dense(4, activation="tanh", dtype="float64")
    assert check_layer(dense, batch()) < 1e-6

    model = course.Sequential([
        course.Dense(4, activation="tanh", input_shape=(3,), dtype="float64"),
        course.Dense(1, activation="sigmoid", dtype="float64")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    labels = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    assert check_model(model, batch(), labels) < 1e-6


def test_float32_dense_is_refused_with_the_fix():
    with pytest.raises(TypeError, match="dtype='float64'"):
        check_layer(course.Dense(2), batch())
