"""Activations: derivatives against finite differences and PyTorch, stability, get()."""

import numpy as np
import pytest

from course import activations
from course.gradcheck import check_gradient

ELEMENTWISE = [
    (activations.sigmoid, activations.sigmoid_derivative),
    (activations.relu, activations.relu_derivative),
    (activations.tanh, activations.tanh_derivative),
    (activations.linear, activations.linear_derivative),
]
ELEMENTWISE_IDS = ["sigmoid", "relu", "tanh", "linear"]
NAMES = ["linear", "sigmoid", "relu", "tanh", "softmax"]


def inputs(shape=(4, 3), seed=0):
    """Values in [-4, 4] at least 0.1 away from 0, so the eps = 1e-6 steps of a
    finite difference never cross relu's kink at z = 0."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 4.0, size=shape) * rng.choice([-1, 1], size=shape)


# --- Derivatives agree with finite differences (float64) ----------------------

@pytest.mark.parametrize("function, derivative", ELEMENTWISE, ids=ELEMENTWISE_IDS)
def test_derivative_matches_finite_differences(function, derivative):
    # For an elementwise a(z), d(sum(a(z)))/dz_i = a'(z_i): the derivative itself.
    z = inputs()
    assert check_gradient(lambda v: np.sum(function(v)), derivative, z) < 1e-6


def test_softmax_backward_matches_finite_differences():
    z = inputs((3, 5))
    grad_output = np.random.default_rng(1).normal(size=z.shape)
    error = check_gradient(
        lambda v: np.sum(activations.softmax(v) * grad_output),
        lambda v: activations.softmax_backward(grad_output, activations.softmax(v)), z)
    assert error < 1e-6


@pytest.mark.parametrize("name", NAMES)
def test_activation_object_backward_matches_finite_differences(name):
    activation = activations.get(name)
    z = inputs((3, 4))
    grad_a = np.random.default_rng(2).normal(size=z.shape)
    error = check_gradient(
        lambda v: np.sum(activation.forward(v) * grad_a),
        lambda v: activation.backward(grad_a, v, activation.forward(v)), z)
    assert error < 1e-6


# --- Each class's backward is the chain rule with its derivative function -------------

@pytest.mark.parametrize("name, derivative", [
    ("linear", activations.linear_derivative), ("sigmoid", activations.sigmoid_derivative),
    ("relu", activations.relu_derivative), ("tanh", activations.tanh_derivative)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_activations_backward_is_grad_times_its_derivative(name, derivative, dtype):
    # Kinks and extremes included: z = 0 (relu's kink), -0.0, saturated values.
    z = np.concatenate([inputs((3, 4)).ravel(), [0.0, -0.0, 1e-8, -30.0, 30.0]])
    z = z.reshape(-1, 1).astype(dtype)
    grad_a = np.random.default_rng(3).normal(size=z.shape).astype(dtype)
    activation = activations.get(name)
    grad_z = activation.backward(grad_a, z, activation.forward(z))
    assert grad_z.dtype == dtype
    np.testing.assert_array_equal(grad_z, grad_a * derivative(z))


def test_relu_backward_at_zero_passes_no_gradient():
    # relu'(0) = 0, as Keras and PyTorch take it: z >= 0 here would be a different derivative.
    z = np.array([[-1.0, 0.0, -0.0, 2.0]])
    grad_a = np.ones_like(z)
    np.testing.assert_array_equal(activations.ReLU().backward(grad_a, z, activations.relu(z)),
                                  [[0.0, 0.0, 0.0, 1.0]])


def test_sigmoid_and_tanh_derivatives_reuse_the_output_they_are_given():
    z = inputs((2, 3))
    for function, derivative in ((activations.sigmoid, activations.sigmoid_derivative),
                                 (activations.tanh, activations.tanh_derivative)):
        np.testing.assert_array_equal(derivative(z, function(z)), derivative(z))


# --- Values ---------------------------------------------------------------------

def test_sigmoid_matches_its_definition_and_symmetry():
    z = np.linspace(-30, 30, 61)
    a = activations.sigmoid(z)
    np.testing.assert_allclose(a, 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(a + activations.sigmoid(-z), 1.0, rtol=1e-15)
    assert activations.sigmoid(np.array([0.0]))[0] == 0.5


def test_relu_and_its_derivative_at_and_around_zero():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(activations.relu(z), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(activations.relu_derivative(z), [0.0, 0.0, 1.0])


def test_softmax_rows_are_probabilities_and_shift_invariant():
    z = inputs((4, 5))
    a = activations.softmax(z)
    assert np.all(a > 0)
    np.testing.assert_allclose(a.sum(axis=-1), 1.0)
    np.testing.assert_allclose(activations.softmax(z + 100.0), a, rtol=1e-12)
    np.testing.assert_allclose(a[0], np.exp(z[0]) / np.exp(z[0]).sum())


def test_linear_is_the_identity():
    z = inputs()
    np.testing.assert_array_equal(activations.linear(z), z)
    np.testing.assert_array_equal(activations.get(None).backward(z, None, None), z)


# --- Numerical stability and float types ------------------------------------

@pytest.mark.filterwarnings("error")
def test_sigmoid_saturates_without_overflow_for_huge_inputs():
    for dtype in (np.float64, np.float32):
        z = np.array([-1000.0, -5000.0, 1000.0, 5000.0], dtype=dtype)
        np.testing.assert_array_equal(activations.sigmoid(z), [0.0, 0.0, 1.0, 1.0])
        np.testing.assert_array_equal(activations.sigmoid_derivative(z), 0.0)
    # The tiny values just before saturation are kept, not rounded to 0.
    assert activations.sigmoid(np.array([-700.0]))[0] == pytest.approx(np.exp(-700.0))


@pytest.mark.filterwarnings("error")
def test_softmax_of_huge_logits_is_finite():
    a = activations.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(a, [[1.0, 0.0, 0.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_float_type_is_kept_forward_and_backward(name, dtype):
    activation = activations.get(name)
    z = inputs().astype(dtype)
    a = activation.forward(z)
    assert a.dtype == dtype
    assert activation.backward(np.ones_like(a), z, a).dtype == dtype


@pytest.mark.parametrize("function, derivative", ELEMENTWISE, ids=ELEMENTWISE_IDS)
def test_functions_and_derivatives_keep_float32(function, derivative):
    z = inputs().astype(np.float32)
    assert function(z).dtype == np.float32
    assert derivative(z).dtype == np.float32


def test_lists_of_integers_are_accepted():
    np.testing.assert_array_equal(activations.relu([-1, 2]), [0.0, 2.0])


# --- get ------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_get_turns_names_into_activation_objects(name):
    activation = activations.get(name)
    assert activation.name == name
    assert isinstance(activation, activations.Activation)


def test_get_finds_names_in_any_case_as_optimizers_get_does():
    assert activations.get("ReLU").name == "relu"
    assert activations.get("Sigmoid").name == "sigmoid"


def test_get_accepts_none_functions_classes_and_your_own_object():
    assert activations.get(None).name == "linear"
    assert activations.get(activations.relu).name == "relu"
    assert isinstance(activations.get(activations.ReLU), activations.ReLU)

    class Square:
        name = "square"

        def forward(self, z):
            return z ** 2

        def backward(self, grad_a, z, a):
            return grad_a * 2 * z

    mine = Square()
    assert activations.get(mine) is mine


def test_get_refuses_unknown_names_and_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown activation 'gelu'. Known: 'linear', "
                                         "'relu', 'sigmoid', 'softmax', 'tanh'"):
        activations.get("gelu")
    with pytest.raises(ValueError, match="Cannot use 42 as an activation.*'relu'"):
        activations.get(42)
    with pytest.raises(ValueError, match="Cannot use"):
        activations.get(np.tanh)


def test_activation_base_class_says_what_to_define():
    with pytest.raises(NotImplementedError, match="must define forward"):
        activations.Activation().forward(np.zeros(2))


def test_text_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="z must hold numbers"):
        activations.sigmoid(["a", "b"])


# --- Agreement with PyTorch -----------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_values_and_gradients_agree_with_pytorch(name):
    torch = pytest.importorskip("torch")
    torch_function = {"linear": lambda t: t, "sigmoid": torch.sigmoid,
                      "relu": torch.relu, "tanh": torch.tanh,
                      "softmax": lambda t: torch.softmax(t, dim=-1)}[name]
    activation = activations.get(name)
    z = inputs((5, 4))
    grad_a = np.random.default_rng(3).normal(size=z.shape)
    z_torch = torch.tensor(z, requires_grad=True)
    a_torch = torch_function(z_torch)
    a_torch.backward(torch.tensor(grad_a))
    a = activation.forward(z)
    np.testing.assert_allclose(a, a_torch.detach().numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(activation.backward(grad_a, z, a), z_torch.grad.numpy(),
                               rtol=1e-6, atol=1e-12)
