"""Speed machinery of Adam: its update in one compiled pass, when numba is installed.

Nothing here changes a number. `course.optimizers.adam_update` is Adam as
you read it: a dozen numpy operations, each one a pass over the whole
parameter. For the 512 x 512 kernels of a wide network those passes take
a fifth of every training step, more than all the activations and biases
together (see benchmarks/README.md). The loop below does the very same
arithmetic, operation by operation and in the parameter's own float type,
but element by element in a single pass, compiled to machine code by numba.
The tests check that both give the same bits.

It is used only
- when numba is installed (`pip install "course[fast]"`; `make install` does);
- for parameters of at least PACK_LIMIT numbers (smaller ones are packed
  into one vector, see course._packing) whose gradient has the same dtype,
  both stored contiguously, with hyperparameters that are plain Python numbers.

Otherwise, or if numba fails to compile, `adam_update` below returns False
and the numpy rule does the step. Set ENABLED = False to always use numpy.
"""

import math
import warnings

import numpy as np

from course._packing import PACK_LIMIT

ENABLED = True
"""False makes every optimizer use its numpy rule only."""

_kernel = None          # the compiled loop, once numba has built it
_unavailable = False    # numba is missing or failed: numpy from now on


def adam_loop(param, grad, m, v, beta_1, one_minus_beta_1, beta_2, one_minus_beta_2,
              epsilon, step_size):
    """Adam on flat arrays, element by element; what numba compiles.

    The same operations in the same order as `course.optimizers.adam_update`:
        m = m * beta_1 + g * (1 - beta_1)
        v = v * beta_2 + (g * g) * (1 - beta_2)
        param = param - m / (sqrt(v) + epsilon) * step_size
    param, grad, m, v: 1-D arrays of one float dtype; the numbers are scalars
    of that dtype, so the arithmetic rounds exactly as numpy's does.
    """
    for i in range(param.size):
        g = grad[i]
        m_i = m[i] * beta_1 + g * one_minus_beta_1
        v_i = v[i] * beta_2 + (g * g) * one_minus_beta_2
        m[i] = m_i
        v[i] = v_i
        param[i] -= m_i / (np.sqrt(v_i) + epsilon) * step_size


def adam_update(param, grad, state, config):
    """One Adam step compiled, as `course.optimizers.adam_update` does it in numpy.

    Same arguments, same state ("m", "v", "step"). Returns True when it took
    the step, False (having changed nothing) when the numpy rule must do it.
    """
    if not (ENABLED and _suits(param, grad, state, config)):
        return False
    kernel = _compiled_kernel()
    if kernel is None:
        return False
    beta_1, beta_2 = config["beta_1"], config["beta_2"]
    m = state.get("m")
    v = state.get("v")
    if m is None:
        m = np.zeros_like(param)
        v = np.zeros_like(param)
    t = state.get("step", 0) + 1
    # As in course.optimizers.adam_update: the bias corrections folded into lr_t.
    step_size = config["learning_rate"] * math.sqrt(1.0 - beta_2**t) / (1.0 - beta_1**t)
    number = param.dtype.type
    try:
        kernel(param.reshape(-1), grad.reshape(-1), m.reshape(-1), v.reshape(-1),
               number(beta_1), number(1.0 - beta_1), number(beta_2), number(1.0 - beta_2),
               number(config["epsilon"]), number(step_size))
    except Exception as error:  # numba could not compile: numpy from now on
        _give_up(error)
        return False
    state["m"], state["v"], state["step"] = m, v, t
    return True


def _suits(param, grad, state, config):
    """Whether the compiled loop gives exactly the numpy rule's numbers here."""
    if param.size < PACK_LIMIT or param.dtype not in (np.float32, np.float64):
        return False
    if grad.dtype != param.dtype or not (param.flags.c_contiguous and grad.flags.c_contiguous
                                         and param.flags.writeable):
        return False
    # numpy treats a Python float as the array's dtype, a numpy float64 not.
    if any(type(config[key]) is not float
           for key in ("learning_rate", "beta_1", "beta_2", "epsilon")):
        return False
    m = state.get("m")
    return m is None or (m.dtype == param.dtype and m.flags.c_contiguous
                         and state["v"].flags.c_contiguous)


def _compiled_kernel():
    """numba's compiled `adam_loop`, or None when numba is not installed."""
    global _kernel
    if _kernel is None and not _unavailable:
        try:
            import numba
        except ImportError:       # not installed: numpy, silently
            _give_up(None)
            return None
        except Exception as error:  # installed but broken, e.g. built for another numpy
            _give_up(error)
            return None
        options = dict(nogil=True, error_model="numpy")  # numpy's rules: x/0 is inf, no check
        try:
            _kernel = numba.njit(cache=True, **options)(adam_loop)
        except Exception:  # nowhere to write its cache: compile anew in every process
            _kernel = numba.njit(**options)(adam_loop)
    return _kernel


def _give_up(error):
    """Use numpy from now on; say why when numba is installed but failed."""
    global _unavailable, _kernel
    _unavailable, _kernel = True, None
    if error is not None:
        warnings.warn(f"course: numba failed ({error!r}), so Adam's update runs on "
                      f"numpy: the same numbers, a little slower. Reinstall numba "
                      f"(pip install -U numba) to get the speed back.",
                      RuntimeWarning, stacklevel=3)
