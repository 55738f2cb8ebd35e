"""Speed machinery: Adam's update, and a Dense layer's bias and relu, as compiled loops.

Nothing here changes a number. `course.optimizers.adam_update` is Adam as
you read it: a dozen numpy operations, each one a pass over the whole
parameter. For the 512 x 512 kernels of a wide network those passes took a
fifth of every training step, more than all the activations and biases
together (see benchmarks/README.md). `course/_adam_loop.pyx` does the very
same arithmetic, operation by operation and in the parameter's own float
type, element by element in a single pass. Cython turns it into C when the
course is installed; the tests check that it gives the numpy rule's bits.

It is used only
- when it was built: installing needs a C compiler for that, and installs
  without it when there is none;
- for plain numpy arrays of at least PACK_LIMIT numbers (smaller ones are
  left to the numpy rule, packed into one vector when there are several,
  see course._packing) whose gradient has the same dtype, both stored
  contiguously and not overlapping, with hyperparameters that are Python
  floats or ints.

Otherwise `adam_update` below returns False and the numpy rule does the
step.

The same holds for a Dense layer with relu (course/_dense_relu.pyx): numpy
adds the bias and takes the relu in two passes over z, and backward makes
the mask, multiplies by it and sums the bias gradient in three; the loops
do one pass each way, with numpy's numbers. `dense_relu_forward` and
`dense_relu_backward` below return None where numpy must do it. Together
the two loops take a wide relu network's training from about 70% to about
80% of the machine's matrix-product speed (benchmarks/README.md).

Set ENABLED = False to always use numpy.
"""

import math

import numpy as np

from course._packing import PACK_LIMIT

try:
    from course._adam_loop import adam_loop
except ImportError:     # installed without a C compiler: numpy does it all
    adam_loop = None
try:
    from course._dense_relu import add_bias_relu, relu_gradient_and_bias_sum
except ImportError:
    add_bias_relu = relu_gradient_and_bias_sum = None

ENABLED = True
"""False makes the optimizers and Dense layers use numpy only."""


def available():
    """Whether Adam's compiled loop was built and is switched on."""
    return ENABLED and adam_loop is not None


def adam_update(param, grad, state, config):
    """One Adam step compiled, as `course.optimizers.adam_update` does it in numpy.

    Same arguments, same state ("m", "v", "step"). Returns True when it took
    the step, False (having changed nothing) when the numpy rule must do it.
    """
    if not (available() and _suits(param, grad, state, config)):
        return False
    beta_1, beta_2 = config["beta_1"], config["beta_2"]
    if "m" not in state:
        state["m"] = np.zeros_like(param)
        state["v"] = np.zeros_like(param)
    t = state["step"] = state.get("step", 0) + 1
    # As in course.optimizers.adam_update: the bias corrections folded into lr_t.
    step_size = config["learning_rate"] * math.sqrt(1.0 - beta_2**t) / (1.0 - beta_1**t)
    adam_loop(param.reshape(-1), grad.reshape(-1), state["m"].reshape(-1),
              state["v"].reshape(-1), beta_1, 1.0 - beta_1, beta_2, 1.0 - beta_2,
              config["epsilon"], step_size)
    return True


def _suits(param, grad, state, config):
    """Whether the compiled loop gives exactly the numpy rule's numbers here."""
    if type(param) is not np.ndarray or type(grad) is not np.ndarray:
        return False                    # np.matrix, masked arrays: numpy knows them
    if param.size < PACK_LIMIT or param.dtype not in (np.float32, np.float64):
        return False
    if grad.dtype != param.dtype or not (param.flags.c_contiguous and grad.flags.c_contiguous
                                         and param.flags.writeable):
        return False
    # The loop reads grad[i] just before writing param[i]; numpy reads all of
    # grad first. The same array is fine; two overlapping pieces of one are not.
    if grad is not param and np.may_share_memory(param, grad):
        return False
    # numpy rounds a Python number to the array's dtype first, as the loop
    # does; with a numpy float64 it would compute in float64 instead.
    if any(type(config[key]) not in (float, int)
           for key in ("learning_rate", "beta_1", "beta_2", "epsilon")):
        return False
    m, v = state.get("m"), state.get("v")
    if m is None:
        return v is None
    return all(type(moment) is np.ndarray and moment.dtype == param.dtype
               and moment.shape == param.shape and moment.flags.c_contiguous
               for moment in (m, v))


# ---------------------------------------------------------------- Dense + relu

def dense_relu_forward(x, kernel, bias):
    """(z, a) of a relu Dense layer as dense_forward and ReLU compute them, or None.

    x: (n, d), kernel: (d, units), bias: (units,). Returns z = x @ kernel + bias
    and a = relu(z), both (n, units); None where numpy must do it.
    """
    if not (ENABLED and add_bias_relu is not None and _dense_suits(x, kernel, bias)):
        return None
    z = np.dot(x, kernel)
    a = np.empty_like(z)
    add_bias_relu(z, bias, a)       # z += bias; a = maximum(z, 0)
    return z, a


def dense_relu_backward(grad_a, z, cache, input_gradient=True):
    """(grad_x, grad_kernel, grad_bias) through relu and Dense, or None where numpy must.

    grad_a, z: (n, units); cache: (x, kernel) of the forward pass. As
    activations.ReLU.backward then layers.dense_backward compute them.
    """
    x, kernel = cache
    if not (ENABLED and relu_gradient_and_bias_sum is not None
            and type(grad_a) is np.ndarray and type(z) is np.ndarray
            and grad_a.dtype == z.dtype == kernel.dtype and grad_a.shape == z.shape
            and z.size >= PACK_LIMIT and grad_a.flags.c_contiguous and z.flags.c_contiguous
            and _dense_suits(x, kernel, None)):
        return None
    grad_z = np.empty_like(z)
    grad_bias = np.empty(z.shape[1], dtype=z.dtype)
    relu_gradient_and_bias_sum(grad_a, z, grad_z, grad_bias)
    grad_kernel = np.dot(x.T, grad_z)
    grad_x = np.dot(grad_z, kernel.T) if input_gradient else None
    return grad_x, grad_kernel, grad_bias


def _dense_suits(x, kernel, bias):
    """Whether the loops give numpy's numbers here: plain 2-D arrays of one float
    dtype and matching shapes (numpy's path explains any mismatch), and at
    least PACK_LIMIT outputs, below which numpy's own overhead is smaller.

    At least 2 units, too: numpy sums the bias gradient of a single column
    pairwise, in another order than the loop's row after row."""
    arrays = (x, kernel) if bias is None else (x, kernel, bias)
    if any(type(array) is not np.ndarray or array.dtype != kernel.dtype for array in arrays):
        return False
    if kernel.dtype not in (np.float32, np.float64) or x.ndim != 2 or kernel.ndim != 2:
        return False
    if x.shape[1] != kernel.shape[0] or kernel.shape[1] < 2 \
            or x.shape[0] * kernel.shape[1] < PACK_LIMIT:
        return False
    return bias is None or (bias.shape == (kernel.shape[1],) and bias.flags.c_contiguous)
