"""Speed machinery: Adam's update, and a Dense layer's bias and relu, as compiled loops.

Nothing here changes a number, and you can read the library without it.
`course.optimizers.adam_update` is Adam as you read it: a dozen numpy
operations, each one a pass over the whole parameter. For the 512 x 512
kernels of a wide network those passes took a fifth of every training step,
more than all the activations and biases together (see benchmarks/README.md).
`course/_adam_loop.pyx` does the very same arithmetic, operation by
operation and in the parameter's own float type, element by element in a
single pass. Likewise numpy adds a Dense layer's bias and takes its relu in
two passes over z, and backward makes the mask, multiplies by it and sums
the bias gradient in three; `course/_dense_relu.pyx` does one pass each way.
Cython turns both into C when the course is installed; the tests check
that they give numpy's bits.

Where they are used is decided once, here:
- an optimizer asks `adam_step_for` when it first sees its parameters
  (course._packing), for each parameter it updates alone: Adam's loop takes
  plain contiguous float arrays of at least ADAM_LOOP_MIN_SIZE numbers;
- a Dense layer asks `relu_loop_suits` when it is built: the relu loops take
  layers with the library's ReLU and at least 2 units (numpy sums a single
  column in another order), for batches of at least RELU_LOOP_MIN_OUTPUTS
  outputs.
Both need the loops to have been built (installing needs a C compiler for
that, and installs without them when there is none). Set ENABLED = False
before building a model to use numpy only.
"""

import math

import numpy as np

try:
    from course._adam_loop import adam_loop
except ImportError:     # installed without a C compiler: numpy does it all
    adam_loop = None
try:
    from course._dense_relu import add_bias_relu, relu_gradient_and_bias_sum
except ImportError:
    add_bias_relu = relu_gradient_and_bias_sum = None

ENABLED = True
"""False makes the optimizers and Dense layers built from then on use numpy only."""

ADAM_LOOP_MIN_SIZE = 20_000
"""Adam's loop updates parameters of at least this many numbers (smaller ones
are packed together and updated by numpy, see course._packing)."""

RELU_LOOP_MIN_OUTPUTS = 20_000
"""The relu loops run on batches of at least this many outputs (examples x units)."""

_HYPERPARAMETERS = ("learning_rate", "beta_1", "beta_2", "epsilon")


# ---------------------------------------------------------------- Adam

def available():
    """Whether Adam's compiled loop was built and is switched on."""
    return ENABLED and adam_loop is not None


def adam_step_for(rule, param, grad, config):
    """The compiled twin of `rule` for this parameter, or None: asked once, by the plan.

    Only Adam has one, and only for a parameter it gives numpy's numbers for.
    """
    from course.optimizers import adam_update   # here: optimizers imports this module's user

    if rule is adam_update and available() and _param_suits(param, grad):
        return adam_step
    return None


def adam_update(param, grad, state, config):
    """One Adam step compiled, as `course.optimizers.adam_update` does it in numpy.

    Same arguments, same state ("m", "v", "step"). Returns True when it took
    the step, False (having changed nothing) when the numpy rule must do it.
    """
    if not (available() and _param_suits(param, grad) and _state_suits(param, state)):
        return False
    return adam_step(param, grad, state, config)


def adam_step(param, grad, state, config):
    """adam_update for a parameter chosen for the loop; False if this call's
    gradient or hyperparameters would make numpy compute other numbers."""
    if type(grad) is not np.ndarray or grad.dtype != param.dtype \
            or not grad.flags.c_contiguous:
        return False
    # numpy rounds a Python number to the array's dtype first, as the loop
    # does; with a numpy float64 it would compute in float64 instead.
    for key in _HYPERPARAMETERS:
        if type(config[key]) not in (float, int):
            return False
    beta_1, beta_2 = config["beta_1"], config["beta_2"]
    if "m" not in state:
        state["m"], state["v"] = np.zeros_like(param), np.zeros_like(param)
    t = state["step"] = state.get("step", 0) + 1
    # As in course.optimizers.adam_update: the bias corrections folded into lr_t.
    lr_t = config["learning_rate"] * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    adam_loop(param.reshape(-1), grad.reshape(-1), state["m"].reshape(-1),
              state["v"].reshape(-1), beta_1, 1.0 - beta_1, beta_2, 1.0 - beta_2,
              config["epsilon"], lr_t)
    return True


def _param_suits(param, grad):
    """Whether the loop gives exactly the numpy rule's numbers for this parameter."""
    if type(param) is not np.ndarray or type(grad) is not np.ndarray:
        return False                    # np.matrix, masked arrays: numpy knows them
    if param.size < ADAM_LOOP_MIN_SIZE or param.dtype not in (np.float32, np.float64):
        return False
    if grad.dtype != param.dtype or not (param.flags.c_contiguous and grad.flags.c_contiguous
                                         and param.flags.writeable):
        return False
    # The loop reads grad[i] just before writing param[i]; numpy reads all of
    # grad first. The same array is fine; two overlapping pieces of one are not.
    return grad is param or not np.may_share_memory(param, grad)


def _state_suits(param, state):
    """Whether a state begun elsewhere has moments the loop can continue."""
    m, v = state.get("m"), state.get("v")
    if m is None:
        return v is None
    return all(type(moment) is np.ndarray and moment.dtype == param.dtype
               and moment.shape == param.shape and moment.flags.c_contiguous
               for moment in (m, v))


# ---------------------------------------------------------------- Dense + relu

def relu_loop_suits(activation, units, dtype):
    """Whether a Dense layer with these settings runs its bias and relu compiled.

    Asked once, when the layer is built. Your own relu (even a subclass of
    ReLU) keeps numpy, which runs the code you wrote.
    """
    from course.activations import ReLU     # here: activations is imported by layers

    return (ENABLED and add_bias_relu is not None and type(activation) is ReLU
            and units >= 2 and np.dtype(dtype) in (np.float32, np.float64))


def dense_relu_forward(x, kernel, bias):
    """(z, a) of a relu Dense layer as dense_forward and ReLU compute them, or None.

    x: (n, d) in the kernel's dtype, kernel: (d, units), bias: (units,), as the
    layer checked them. Returns z = x @ kernel + bias and a = relu(z), both
    (n, units); None for a batch too small to gain, which numpy does.
    """
    if len(x) * kernel.shape[1] < RELU_LOOP_MIN_OUTPUTS:
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
    if z.size < RELU_LOOP_MIN_OUTPUTS or type(grad_a) is not np.ndarray \
            or grad_a.dtype != z.dtype or not grad_a.flags.c_contiguous:
        return None
    grad_z = np.empty_like(z)
    grad_bias = np.empty(z.shape[1], dtype=z.dtype)
    relu_gradient_and_bias_sum(grad_a, z, grad_z, grad_bias)
    grad_kernel = np.dot(x.T, grad_z)
    grad_x = np.dot(grad_z, kernel.T) if input_gradient else None
    return grad_x, grad_kernel, grad_bias
