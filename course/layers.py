"""Dense layers: the forward pass, the backward pass, and how weights start.

A Dense (fully connected) layer turns each example's d input features into
`units` outputs:

    z = x @ kernel + bias          x (n, d), kernel (d, units), bias (units,)
    a = activation(z)              z, a (n, units)

Backpropagation runs the same steps in reverse. Given dL/da from the layer
above, the chain rule gives

    dL/dz      = activation.backward(dL/da, z, a)
    dL/dkernel = x.T @ dL/dz       (d, units)
    dL/dbias   = sum of dL/dz over the examples   (units,)
    dL/dx      = dL/dz @ kernel.T  (n, d), handed to the layer below

`dense_forward` / `dense_backward` are the bare pair (no activation); the
`Dense` class adds the activation, owns the parameters and their gradients,
and is what `course.Sequential` stacks. How the weights start is in
`course.initializers`.
"""

import numpy as np

from course import _compiled, activations, initializers
from course.validation import as_float_array, check_choice, check_whole_number

# The table of initializers and its lookup, also reachable from here.
INITIALIZERS = initializers.INITIALIZERS
get_initializer = initializers.get


# ----------------------------------------------------------------------------
# The functional pair
# ----------------------------------------------------------------------------

# The code writes np.dot(a, b) where the formulas say a @ b. For 2-D arrays
# they are the same matrix product with the same numbers, but when the shared
# dimension is 1, as in grad_out @ kernel.T below a one-unit output layer
# ((n, 1) @ (1, d), an outer product), numpy's @ takes a slow path, about
# five times slower than np.dot.

def dense_forward(x, kernel, bias):
    """out = x @ kernel + bias.

    x: (n, d) inputs, one row per example; kernel: (d, units); bias: (units,).
    Returns out (n, units) and a cache (x, kernel) for `dense_backward`.
    """
    if type(x) is not np.ndarray or type(kernel) is not np.ndarray \
            or type(bias) is not np.ndarray:                 # lists, say
        x, kernel, bias = (as_float_array(x, "x"), as_float_array(kernel, "kernel"),
                           as_float_array(bias, "bias"))
    if kernel.ndim != 2 or x.ndim != 2 or x.shape[1] != kernel.shape[0] \
            or bias.shape != kernel.shape[1:]:
        _refuse_dense_shapes(x, kernel, bias)
    out = np.dot(x, kernel)                  # x @ kernel
    out += bias
    return out, (x, kernel)


def _refuse_dense_shapes(x, kernel, bias):
    """Raise ValueError saying which of x, kernel and bias has the wrong shape."""
    if kernel.ndim != 2:
        raise ValueError(f"kernel has shape {kernel.shape}; it must be 2-D, (features, "
                         f"units): one row per input feature, one column per unit.")
    if x.ndim != 2 or x.shape[1] != kernel.shape[0]:
        raise ValueError(f"x has shape {x.shape} but the kernel has shape {kernel.shape}; "
                         f"x must be 2-D (examples, features) with {kernel.shape[0]} "
                         f"features, one per row of the kernel.")
    if bias.shape != (kernel.shape[1],):
        raise ValueError(f"bias has shape {bias.shape} but the kernel has shape "
                         f"{kernel.shape}; the bias needs one value per unit, shape "
                         f"({kernel.shape[1]},).")


def dense_backward(grad_out, cache, input_gradient=True):
    """Gradients of the loss through out = x @ kernel + bias.

    grad_out: dL/dout, (n, units); cache: (x, kernel) from `dense_forward`.
    Returns (grad_x (n, d), grad_kernel (d, units), grad_bias (units,)):
        grad_x = grad_out @ kernel.T,  grad_kernel = x.T @ grad_out,
        grad_bias = grad_out summed over the examples (axis 0).
    input_gradient=False skips grad_x (returns None in its place): the first
    layer's input is the data, which nobody updates, so its gradient would be
    one matrix product wasted per step. PyTorch skips it the same way.
    """
    x, kernel = cache
    if type(grad_out) is not np.ndarray:
        grad_out = as_float_array(grad_out, "grad_out")
    if grad_out.shape != (len(x), kernel.shape[1]):
        raise ValueError(f"grad_out has shape {grad_out.shape}, but the forward pass "
                         f"gave out of shape ({len(x)}, {kernel.shape[1]}) (examples, "
                         f"units); pass dL/dout, one value per element of out.")
    grad_kernel = np.dot(x.T, grad_out)                 # x.T @ grad_out
    grad_bias = grad_out.sum(axis=0)
    grad_x = np.dot(grad_out, kernel.T) if input_gradient else None  # grad_out @ kernel.T
    return grad_x, grad_kernel, grad_bias


# ----------------------------------------------------------------------------
# The Dense layer
# ----------------------------------------------------------------------------

_FLOAT_DTYPES = {"float32": np.float32, "float64": np.float64}


class Dense:
    """A fully connected layer: a = activation(x @ kernel + bias).

    units: how many outputs (neurons) the layer has.
    activation: None or "linear", "sigmoid", "relu", "tanh", "softmax", or an
        activation object from `course.activations`.
    input_shape: (d,) for the first layer of a model, so the model can be built
        (and summarised) before it sees data; later layers learn d from the
        layer below.
    kernel_initializer, bias_initializer: a name from
        `course.initializers.INITIALIZERS` (Keras's names) or your own
        function f(shape) -> array.
    dtype: "float32" (the default, as in Keras: half the memory, twice the
        speed) or "float64" (for gradient checks).

    After `build(d)`: `params` = {"kernel": (d, units), "bias": (units,)}.
    After `backward`: `grads` holds dL/dkernel and dL/dbias under the same keys.
    """

    def __init__(self, units, activation=None, input_shape=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 dtype="float32", name=None):
        check_whole_number(units, "units", minimum=1)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.input_shape = _as_input_shape(input_shape)
        self.kernel_initializer = get_initializer(kernel_initializer)
        self.bias_initializer = get_initializer(bias_initializer)
        self.dtype = _as_dtype(dtype)
        self.name = name
        self.input_dim = None
        self.params = {}
        self.grads = {}
        self._cache = None
        self._relu_loop = False

    def __repr__(self):
        return (f"Dense({self.units}, activation={self.activation.name!r}"
                + (f", input_shape=({self.input_dim},)" if self.built else "") + ")")

    @property
    def built(self):
        return self.input_dim is not None

    @property
    def output_shape(self):
        """(None, units): None stands for any number of examples, as in Keras."""
        return (None, self.units)

    def build(self, input_dim):
        """Create the kernel (input_dim, units) and the bias (units,)."""
        input_dim = int(input_dim)
        if input_dim < 1:
            raise ValueError(f"A Dense layer needs at least one input feature, got {input_dim}.")
        self.input_dim = input_dim
        self.params = {
            "kernel": self._initial("kernel", self.kernel_initializer, (input_dim, self.units)),
            "bias": self._initial("bias", self.bias_initializer, (self.units,)),
        }
        self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}
        # Speed, with the same numbers: a relu layer may add its bias and take
        # its relu in one compiled loop each way. course._compiled decides, here, once.
        self._relu_loop = _compiled.relu_loop_suits(self.activation, self.units, self.dtype)

    def _initial(self, what, initializer, shape):
        values = np.asarray(initializer(shape))
        if values.shape != shape:
            raise ValueError(f"The {what} initializer returned shape {values.shape}; "
                             f"it must return {shape}.")
        return np.array(values, dtype=self.dtype)  # a fresh, writable, contiguous copy

    def count_params(self):
        """How many numbers the layer learns: d * units + units."""
        if not self.built:
            raise ValueError("This Dense layer is not built yet, so it has no parameters; "
                             "give the first layer input_shape=(d,) or call build(d).")
        return sum(value.size for value in self.params.values())

    def forward(self, x):
        """a = activation(x @ kernel + bias); keeps x, z and a for `backward`.

        x: (n, d). Builds the layer on first use if it has no weights yet.
        Returns a: (n, units) in the layer's dtype.
        """
        if type(x) is not np.ndarray or x.dtype != self.dtype:
            x = as_float_array(x, "x", dtype=self.dtype)
        if self.input_dim is None:
            if x.ndim != 2:
                raise ValueError(f"x has shape {x.shape}; a Dense layer takes a 2-D array "
                                 f"(examples, features). For one feature use x.reshape(-1, 1).")
            self.build(self.input_shape[0] if self.input_shape else x.shape[1])
        kernel, bias = self.params["kernel"], self.params["bias"]
        z_and_a = None
        if self._relu_loop:         # chosen in build: the same numbers, compiled
            if x.ndim != 2 or x.shape[1] != kernel.shape[0] or bias.shape != (self.units,):
                _refuse_dense_shapes(x, kernel, bias)
            z_and_a = _compiled.dense_relu_forward(x, kernel, bias)
        if z_and_a is None:
            z, _ = dense_forward(x, kernel, bias)
            z_and_a = z, self.activation.forward(z)
        z, a = z_and_a
        self._cache = ((x, kernel), z, a)
        return a

    def backward(self, grad_a, input_gradient=True):
        """Fill `grads` from dL/da (n, units) and return dL/dx (n, d).

        input_gradient=False skips dL/dx (returns None), for the first layer.
        """
        if self._cache is None:
            raise RuntimeError("Call forward before backward: backward needs the inputs "
                               "and outputs that forward keeps.")
        cache, z, a = self._cache
        if grad_a.shape != a.shape:
            raise ValueError(f"The gradient has shape {grad_a.shape} but this layer's "
                             f"output has shape {a.shape}; they must match.")
        grads = None
        if self._relu_loop:         # chosen in build: the same numbers, compiled
            grads = _compiled.dense_relu_backward(grad_a, z, cache, input_gradient)
        if grads is None:
            grad_z = self.activation.backward(grad_a, z, a)
            grads = dense_backward(grad_z, cache, input_gradient)
        grad_x, self.grads["kernel"], self.grads["bias"] = grads
        return grad_x


def _as_input_shape(input_shape):
    """None, d, (d,) or [d] -> None or (d,), d being the number of input features."""
    if input_shape is None:
        return None
    if isinstance(input_shape, (int, np.integer)) and not isinstance(input_shape, bool):
        input_shape = (input_shape,)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 1:
        raise ValueError(f"input_shape must be a tuple (d,) with the number of input "
                         f"features d, got {input_shape!r}.")
    check_whole_number(input_shape[0], "input_shape[0]", minimum=1)
    return (int(input_shape[0]),)


def _as_dtype(dtype):
    key = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    check_choice(key, _FLOAT_DTYPES, "dtype")
    return np.dtype(_FLOAT_DTYPES[key])
