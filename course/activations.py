"""Activation functions, each beside its derivative.

A layer computes z = x @ kernel + bias and then a = activation(z). Going back,
the chain rule needs da/dz:

    a = sigmoid(z)                            # forward
    grad_z = grad_a * sigmoid_derivative(z)   # backward, elementwise: the chain rule

Every function keeps the float type it is given (float32 stays float32).
Softmax mixes the values of a row, so instead of a derivative it has
`softmax_backward(grad_output, output)`.

The classes at the end wrap the same functions for `Dense(activation=...)`:
`get("relu")` returns an object with `forward(z)`, which calls relu, and
`backward(grad_a, z, a)`, which returns grad_a * relu_derivative(z). Sigmoid
and tanh hand their derivative the output a as well, which they reuse.
"""

import numpy as np

from course.validation import as_float_array, check_choice


def sigmoid(z):
    """Logistic sigmoid: a = 1 / (1 + exp(-z)), elementwise, any shape.

    Computed as 1 / (1 + exp(-|z|)) for z >= 0 and exp(-|z|) / (1 + exp(-|z|))
    for z < 0, so exp only ever sees a number <= 0: no overflow and no warning,
    even for z = -1000 (a = 0) or z = +1000 (a = 1).
    """
    z = as_float_array(z, "z")
    small = np.exp(-np.abs(z))          # in (0, 1], never overflows
    return np.where(z >= 0, 1, small) / (1 + small)


def sigmoid_derivative(z, a=None):
    """da/dz = a * (1 - a) with a = sigmoid(z), elementwise, same shape as z.

    a: sigmoid(z), if you have it already (a layer keeps it from its forward
    pass), so that it is not computed twice.
    """
    if a is None:
        a = sigmoid(z)
    return a * (1 - a)


def relu(z):
    """Rectified linear unit: a = max(z, 0), elementwise, any shape."""
    z = as_float_array(z, "z")
    return np.maximum(z, 0)


def relu_derivative(z):
    """da/dz = 1 where z > 0, else 0 (at z = 0 we take 0, as Keras and PyTorch do)."""
    z = as_float_array(z, "z")
    return (z > 0).astype(z.dtype)


def tanh(z):
    """Hyperbolic tangent: a = (exp(z) - exp(-z)) / (exp(z) + exp(-z)), elementwise."""
    z = as_float_array(z, "z")
    return np.tanh(z)


def tanh_derivative(z, a=None):
    """da/dz = 1 - a**2 with a = tanh(z), elementwise, same shape as z.

    a: tanh(z), if you have it already, as for sigmoid_derivative.
    """
    if a is None:
        a = tanh(z)
    return 1 - a * a


def linear(z):
    """Identity: a = z (no activation), any shape."""
    return as_float_array(z, "z")


def linear_derivative(z):
    """da/dz = 1, elementwise, same shape as z."""
    z = as_float_array(z, "z")
    return np.ones_like(z)


def softmax(z):
    """Softmax over the last axis: a_i = exp(z_i) / sum_j exp(z_j).

    z: shape (..., k), for example (n, k) logits for n examples and k classes.
    Returns the same shape; every row is positive and sums to 1. The row's
    largest value is subtracted first (which does not change the result), so
    exp never overflows.
    """
    z = as_float_array(z, "z")
    exps = np.exp(z - z.max(axis=-1, keepdims=True))
    return exps / exps.sum(axis=-1, keepdims=True)


def softmax_backward(grad_output, output):
    """dL/dz from dL/da for a = softmax(z): grad_z = a * (grad_a - sum_j grad_a_j * a_j).

    grad_output: dL/da, shape (..., k). output: a = softmax(z), same shape.
    Returns dL/dz, same shape. This is the product with the Jacobian
    da_i/dz_j = a_i * (delta_ij - a_j), without building the k x k matrix.
    """
    grad_output = as_float_array(grad_output, "grad_output")
    output = as_float_array(output, "output")
    weighted = (grad_output * output).sum(axis=-1, keepdims=True)
    return output * (grad_output - weighted)


# --- Objects for layers: Dense(activation="relu") calls get("relu") ----------

class Activation:
    """An activation as a layer uses it.

    forward(z) -> a, and backward(grad_a, z, a) -> grad_z = dL/dz, given
    grad_a = dL/da: by the chain rule, grad_a times the derivative da/dz.
    backward receives both z and a so that each activation can use whichever
    is cheaper (sigmoid and tanh reuse a; relu looks at z).
    """

    name = "activation"

    def forward(self, z):
        raise NotImplementedError(f"{type(self).__name__} must define forward(z).")

    def backward(self, grad_a, z, a):
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  f"backward(grad_a, z, a).")

    def __repr__(self):
        return f"{type(self).__name__}()"


class Linear(Activation):
    name = "linear"

    def forward(self, z):
        return linear(z)

    def backward(self, grad_a, z, a):
        return grad_a           # grad_a * linear_derivative(z), which is 1 everywhere


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, z):
        return sigmoid(z)

    def backward(self, grad_a, z, a):
        return grad_a * sigmoid_derivative(z, a)


class ReLU(Activation):
    name = "relu"

    def forward(self, z):
        return relu(z)

    def backward(self, grad_a, z, a):
        return grad_a * relu_derivative(z)


class Tanh(Activation):
    name = "tanh"

    def forward(self, z):
        return tanh(z)

    def backward(self, grad_a, z, a):
        return grad_a * tanh_derivative(z, a)


class Softmax(Activation):
    name = "softmax"

    def forward(self, z):
        return softmax(z)

    def backward(self, grad_a, z, a):
        return softmax_backward(grad_a, a)


_BY_NAME = {cls.name: cls for cls in (Linear, Sigmoid, ReLU, Tanh, Softmax)}
_BY_FUNCTION = {linear: Linear, sigmoid: Sigmoid, relu: ReLU, tanh: Tanh,
                softmax: Softmax}


def get(identifier):
    """Turn what a layer was given into an Activation object.

    identifier: None (no activation, "linear"), a name in any case ("linear",
    "sigmoid", "relu", "tanh", "softmax"), one of this module's functions (e.g.
    `activations.relu`) or classes (`ReLU`), or an object with forward(z) and
    backward(grad_a, z, a) (yours included), which is returned as is.
    """
    if identifier is None:
        return Linear()
    if isinstance(identifier, str):
        key = identifier.lower()
        check_choice(key, _BY_NAME, "activation")
        return _BY_NAME[key]()
    for function, cls in _BY_FUNCTION.items():
        if identifier is function:
            return cls()
    if isinstance(identifier, type):         # a class, e.g. ReLU
        identifier = identifier()            # is made into an object, as Keras does
    if callable(getattr(identifier, "forward", None)) and \
            callable(getattr(identifier, "backward", None)):
        return identifier
    known = ", ".join(repr(name) for name in sorted(_BY_NAME))
    raise ValueError(f"Cannot use {identifier!r} as an activation. Pass None or one "
                     f"of {known}, or an object with forward(z) and "
                     f"backward(grad_a, z, a).")
