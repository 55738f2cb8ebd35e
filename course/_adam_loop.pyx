# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Adam's update as one loop over the numbers, compiled to C when the course is installed.

The numpy rule (course.optimizers.adam_update) makes a dozen passes over a
parameter, one per operation. This loop makes one: for each number it
reads g, m, v and the parameter once and writes m, v and the parameter
once. The operations, their order and their float type are the numpy
rule's, so the numbers are the same to the last bit (tests/test_compiled.py):

    m = m * beta_1 + g * (1 - beta_1)
    v = v * beta_2 + (g * g) * (1 - beta_2)
    param = param - m / (sqrt(v) + epsilon) * step_size

Python floats passed in are rounded to the arrays' type first, as numpy
does with a Python float and a float32 array. course._compiled decides
when to call it.
"""

from libc.math cimport sqrt, sqrtf

ctypedef fused floating:
    float
    double


def adam_loop(floating[::1] param, const floating[::1] grad, floating[::1] m,
              floating[::1] v, floating beta_1, floating one_minus_beta_1,
              floating beta_2, floating one_minus_beta_2, floating epsilon,
              floating step_size):
    """Update param, m and v in place. All four: 1-D, contiguous, one float type, length n."""
    cdef Py_ssize_t n = param.shape[0]
    if grad.shape[0] != n or m.shape[0] != n or v.shape[0] != n:
        raise ValueError(f"param, grad, m and v must have the same length, but have "
                         f"{n}, {grad.shape[0]}, {m.shape[0]} and {v.shape[0]}.")
    if n == 0:
        return
    with nogil:
        _loop(&param[0], &grad[0], &m[0], &v[0], n, beta_1, one_minus_beta_1,
              beta_2, one_minus_beta_2, epsilon, step_size)


cdef void _loop(floating* param, const floating* grad, floating* m, floating* v,
                Py_ssize_t n, floating beta_1, floating one_minus_beta_1,
                floating beta_2, floating one_minus_beta_2, floating epsilon,
                floating step_size) noexcept nogil:
    # Plain pointers, so that the C compiler can run the loop on several numbers at once.
    cdef Py_ssize_t i
    cdef floating g, m_i, v_i, root
    for i in range(n):
        g = grad[i]
        m_i = m[i] * beta_1 + g * one_minus_beta_1
        v_i = v[i] * beta_2 + (g * g) * one_minus_beta_2
        m[i] = m_i
        v[i] = v_i
        if floating is float:
            root = sqrtf(v_i)          # the float32 square root, as numpy's
        else:
            root = sqrt(v_i)
        param[i] -= m_i / (root + epsilon) * step_size
