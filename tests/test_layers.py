"""Dense layers: the forward pass, its backward pass, and how the weights start."""

import numpy as np
import pytest

import course
from course import gradcheck
from course.layers import (INITIALIZERS, Dense, dense_backward, dense_forward,
                           get_initializer)

ACTIVATIONS = [None, "linear", "relu", "sigmoid", "tanh", "softmax"]


def random_inputs(n=5, d=4, seed=0):
    # Drawn away from 0 so that no relu input sits on its kink within eps.
    return np.random.default_rng(seed).normal(size=(n, d))


# --- the functional pair ---------------------------------------------------------

def test_dense_forward_computes_x_times_kernel_plus_bias():
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    kernel = np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -0.5]])
    bias = np.array([0.1, 0.2, 0.3])
    out, _ = dense_forward(x, kernel, bias)
    expected = [[1 + 4 + 0.1, -1 + 0.2, 0.5 - 1 + 0.3],
                [3 + 8 + 0.1, -3 + 0.2, 1.5 - 2 + 0.3],
                [5 + 12 + 0.1, -5 + 0.2, 2.5 - 3 + 0.3]]
    np.testing.assert_allclose(out, expected)


def test_dense_backward_agrees_with_finite_differences():
    rng = np.random.default_rng(1)
    x, kernel, bias = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    grad_out = rng.normal(size=(6, 3))
    grad_x, grad_kernel, grad_bias = dense_backward(grad_out, dense_forward(x, kernel, bias)[1])

    def score(x, kernel, bias):
        return np.sum(dense_forward(x, kernel, bias)[0] * grad_out)

    assert gradcheck.check_gradient(lambda v: score(v, kernel, bias),
                                    lambda v: grad_x, x) < 1e-6
    assert gradcheck.check_gradient(lambda v: score(x, v, bias),
                                    lambda v: grad_kernel, kernel) < 1e-6
    assert gradcheck.check_gradient(lambda v: score(x, kernel, v),
                                    lambda v: grad_bias, bias) < 1e-6


def test_dense_backward_can_skip_the_input_gradient():
    rng = np.random.default_rng(2)
    x, kernel, bias = rng.normal(size=(3, 2)), rng.normal(size=(2, 4)), np.zeros(4)
    _, cache = dense_forward(x, kernel, bias)
    grad_out = rng.normal(size=(3, 4))
    full = dense_backward(grad_out, cache)
    grad_x, grad_kernel, grad_bias = dense_backward(grad_out, cache, input_gradient=False)
    assert grad_x is None
    np.testing.assert_array_equal(grad_kernel, full[1])
    np.testing.assert_array_equal(grad_bias, full[2])


def test_dense_forward_rejects_x_with_the_wrong_number_of_features():
    with pytest.raises(ValueError, match=r"x has shape \(3, 5\).*kernel has shape \(4, 2\)"):
        dense_forward(np.ones((3, 5)), np.ones((4, 2)), np.zeros(2))


def test_dense_forward_takes_lists_as_numpy_does():
    out, _ = dense_forward([[1.0, 2.0]], [[1.0], [1.0]], [0.5])
    np.testing.assert_array_equal(out, [[3.5]])


def test_dense_forward_rejects_a_bias_without_one_value_per_unit():
    with pytest.raises(ValueError, match=r"bias has shape \(3,\) but the kernel has shape "
                                         r"\(3, 4\); .* shape \(4,\)"):
        dense_forward(np.ones((2, 3)), np.ones((3, 4)), np.ones(3))


def test_dense_forward_rejects_a_kernel_that_is_not_a_matrix():
    with pytest.raises(ValueError, match=r"kernel has shape \(3,\); it must be 2-D"):
        dense_forward(np.ones((2, 3)), np.ones(3), np.ones(1))


def test_dense_backward_rejects_grad_out_of_the_wrong_width():
    _, cache = dense_forward(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4))
    with pytest.raises(ValueError, match=r"grad_out has shape \(2, 5\), but the forward "
                                         r"pass gave out of shape \(2, 4\)"):
        dense_backward(np.ones((2, 5)), cache)


# --- the Dense layer: gradients ---------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_layer_gradients_agree_with_finite_differences(activation):
    course.set_random_seed(3)
    layer = Dense(3, activation=activation, dtype="float64")
    error = gradcheck.check_layer(layer, random_inputs())
    assert error < 1e-6, error


def test_dense_layer_agrees_with_torch_forward_and_backward():
    torch = pytest.importorskip("torch")
    course.set_random_seed(4)
    x = random_inputs(7, 5, seed=4)
    layer = Dense(3, activation="tanh", dtype="float64")
    out = layer.forward(x)
    grad_out = np.random.default_rng(5).normal(size=out.shape)
    grad_x = layer.backward(grad_out)

    x_t = torch.tensor(x, requires_grad=True)
    kernel_t = torch.tensor(layer.params["kernel"], requires_grad=True)
    bias_t = torch.tensor(layer.params["bias"], requires_grad=True)
    out_t = torch.tanh(torch.nn.functional.linear(x_t, kernel_t.T, bias_t))
    out_t.backward(torch.tensor(grad_out))

    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(grad_x, x_t.grad.numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], kernel_t.grad.numpy(),
                               rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], bias_t.grad.numpy(),
                               rtol=1e-6, atol=1e-12)


# --- the Dense layer: building, dtypes, parameter counts -----------------------------

def test_dense_builds_on_first_forward_with_the_features_it_sees():
    layer = Dense(3)
    assert not layer.built
    out = layer.forward(np.ones((2, 7), dtype=np.float32))
    assert layer.built and layer.input_dim == 7
    assert layer.params["kernel"].shape == (7, 3) and layer.params["bias"].shape == (3,)
    assert out.shape == (2, 3)
    assert layer.count_params() == 7 * 3 + 3


def test_dense_is_float32_by_default_and_casts_its_input():
    layer = Dense(2)
    out = layer.forward(np.ones((4, 3)))          # float64 input
    assert out.dtype == np.float32
    assert layer.params["kernel"].dtype == np.float32
    layer.backward(np.ones((4, 2), dtype=np.float32))
    assert layer.grads["kernel"].dtype == np.float32


def test_dense_is_float64_on_request():
    layer = Dense(2, dtype="float64")
    assert layer.forward(np.ones((4, 3), dtype=np.float32)).dtype == np.float64
    assert layer.params["bias"].dtype == np.float64


def test_dense_with_the_same_seed_starts_from_the_same_weights():
    course.set_random_seed(7)
    first = Dense(4, input_shape=(3,))
    first.build(3)
    course.set_random_seed(7)
    second = Dense(4)
    second.build(3)
    np.testing.assert_array_equal(first.params["kernel"], second.params["kernel"])
    third = Dense(4)
    third.build(3)
    assert not np.array_equal(third.params["kernel"], second.params["kernel"])


@pytest.mark.parametrize("bad, message", [
    (dict(units=0), "units must be a whole number >= 1, not 0"),
    (dict(units=2.5), "units must be a whole number >= 1, not 2.5"),
    (dict(units=2, input_shape=(3, 4)), r"input_shape must be a tuple \(d,\)"),
    (dict(units=2, input_shape=(0,)), r"input_shape\[0\] must be a whole number >= 1"),
    (dict(units=2, activation="relux"), "Unknown activation 'relux'. Known: .*'relu'"),
    (dict(units=2, kernel_initializer="xavier"), "Unknown initializer 'xavier'. Known: .*'glorot_uniform'"),
    (dict(units=2, dtype="float16"), "Unknown dtype 'float16'. Known: 'float32', 'float64'"),
])
def test_dense_rejects_bad_arguments_with_a_clear_message(bad, message):
    with pytest.raises(ValueError, match=message):
        Dense(**bad)


@pytest.mark.parametrize("input_shape", [(3,), [3], 3])
def test_dense_takes_input_shape_as_a_tuple_a_list_or_a_number(input_shape):
    assert Dense(2, input_shape=input_shape).input_shape == (3,)


def test_dense_backward_before_forward_is_a_clear_error():
    layer = Dense(2, input_shape=(3,))
    layer.build(3)
    with pytest.raises(RuntimeError, match="Call forward before backward"):
        layer.backward(np.ones((1, 2), dtype=np.float32))


def test_dense_backward_rejects_a_gradient_of_the_wrong_shape():
    layer = Dense(2)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"gradient has shape \(4,\).*output has shape \(4, 2\)"):
        layer.backward(np.ones(4, dtype=np.float32))


def test_dense_count_params_before_build_is_a_clear_error():
    with pytest.raises(ValueError, match="not built yet"):
        Dense(3).count_params()


def test_dense_rejects_one_dimensional_input_with_a_reshape_hint():
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        Dense(3).forward(np.ones(5))


# --- initializers ------------------------------------------------------------------

def test_glorot_uniform_stays_within_its_limit_and_has_its_variance():
    rng = np.random.default_rng(0)
    values = INITIALIZERS["glorot_uniform"]((300, 200), rng)
    limit = np.sqrt(6 / (300 + 200))
    assert values.min() >= -limit and values.max() <= limit
    assert values.var() == pytest.approx(2 / (300 + 200), rel=0.02)


@pytest.mark.parametrize("name, variance", [
    ("he_normal", lambda fan_in, fan_out: 2 / fan_in),
    ("glorot_normal", lambda fan_in, fan_out: 2 / (fan_in + fan_out)),
    ("lecun_normal", lambda fan_in, fan_out: 1 / fan_in),
])
def test_truncated_normal_initializers_keep_their_variance_and_cut_at_two_stddevs(
        name, variance):
    values = INITIALIZERS[name]((400, 300), np.random.default_rng(1))
    wanted = variance(400, 300)
    assert values.var() == pytest.approx(wanted, rel=0.02)
    cut = 2 * np.sqrt(wanted) / 0.87962566103423978
    assert np.abs(values).max() <= cut
    assert np.abs(values).max() > 0.95 * cut


@pytest.mark.parametrize("name, variance", [
    ("he_uniform", lambda fan_in, fan_out: 2 / fan_in),
    ("lecun_uniform", lambda fan_in, fan_out: 1 / fan_in),
    ("random_uniform", lambda fan_in, fan_out: 0.05**2 / 3),
    ("random_normal", lambda fan_in, fan_out: 0.05**2),
])
def test_other_initializers_have_their_variance(name, variance):
    values = INITIALIZERS[name]((400, 300), np.random.default_rng(2))
    assert values.var() == pytest.approx(variance(400, 300), rel=0.02)


def test_biases_start_at_zero_and_ones_means_ones():
    layer = Dense(3, bias_initializer="zeros", kernel_initializer="ones")
    layer.build(2)
    np.testing.assert_array_equal(layer.params["bias"], np.zeros(3))
    np.testing.assert_array_equal(layer.params["kernel"], np.ones((2, 3)))


@pytest.mark.parametrize("name", ["ones", "random_normal", "glorot_uniform"])
def test_the_bias_initializer_is_the_one_asked_for(name):
    course.set_random_seed(5)
    layer = Dense(300, bias_initializer=name)
    layer.build(2)
    course.set_random_seed(5)
    INITIALIZERS["glorot_uniform"]((2, 300))          # the kernel is drawn first
    expected = INITIALIZERS[name]((300,))
    np.testing.assert_array_equal(layer.params["bias"], expected.astype(np.float32))


def test_initializer_names_are_found_in_any_case_in_course_initializers():
    assert course.initializers.get("He_Normal") is course.initializers.he_normal
    assert get_initializer("GLOROT_UNIFORM") is INITIALIZERS["glorot_uniform"]


def test_your_own_initializer_function_is_used():
    layer = Dense(2, kernel_initializer=lambda shape: np.full(shape, 0.25))
    layer.build(3)
    np.testing.assert_array_equal(layer.params["kernel"], np.full((3, 2), 0.25))
    assert get_initializer(np.zeros) is np.zeros


def test_an_initializer_returning_the_wrong_shape_is_a_clear_error():
    layer = Dense(2, kernel_initializer=lambda shape: np.zeros(3))
    with pytest.raises(ValueError, match=r"kernel initializer returned shape \(3,\); "
                                         r"it must return \(4, 2\)"):
        layer.build(4)
