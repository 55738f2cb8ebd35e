"""Speed machinery of Adam: its update as one compiled loop, when it was built.

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
step. Set ENABLED = False to always use numpy.
"""

import math

import numpy as np

from course._packing import PACK_LIMIT

try:
    from course._adam_loop import adam_loop
except ImportError:     # installed without a C compiler: numpy does it all
    adam_loop = None

ENABLED = True
"""False makes every optimizer use its numpy rule only."""


def available():
    """Whether the compiled loop was built and is switched on."""
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
