# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""A Dense layer's bias and relu in one pass each way, compiled when the course is installed.

numpy adds the bias in one pass and takes the relu in another; backward it
makes the mask z > 0, multiplies by it, then sums the columns for the bias
gradient: three passes. These loops do each direction in one pass, with
the same operations in the same order and float type, so the numbers are
numpy's to the last bit (tests/test_compiled.py):

    forward:  z = z + bias;  a = maximum(z, 0)    NaN stays NaN, -0.0 becomes 0.0
    backward: grad_z = grad_a * (z > 0)
              grad_bias = 0 + grad_z summed over the rows, row after row

z stays the layer's own, as in numpy's path, so a caller that changes a
(a loss working in place, say) cannot change the gradients.

course._compiled decides when to call them.
"""

ctypedef fused floating:
    float
    double


def add_bias_relu(floating[:, ::1] z, const floating[::1] bias, floating[:, ::1] a):
    """z = z + bias in place, and a = maximum(z, 0). z, a: (n, units); bias: (units,)."""
    cdef Py_ssize_t n = z.shape[0], units = z.shape[1], i, j
    cdef floating s
    if bias.shape[0] != units or a.shape[0] != n or a.shape[1] != units:
        raise ValueError("z and a must have one shape (n, units), and bias (units,).")
    with nogil:
        for i in range(n):
            for j in range(units):
                s = z[i, j] + bias[j]
                z[i, j] = s
                a[i, j] = s if (s > 0 or s != s) else 0      # as np.maximum(s, 0)


def relu_gradient_and_bias_sum(const floating[:, ::1] grad_a, const floating[:, ::1] z,
                               floating[:, ::1] grad_z, floating[::1] grad_bias):
    """grad_z = grad_a * (z > 0) and grad_bias = grad_z summed over the rows, both written.

    grad_a, z, grad_z: (n, units); grad_bias: (units,).
    """
    cdef Py_ssize_t n = z.shape[0], units = z.shape[1], i, j
    cdef floating g
    if (grad_a.shape[0] != n or grad_a.shape[1] != units or grad_z.shape[0] != n
            or grad_z.shape[1] != units or grad_bias.shape[0] != units):
        raise ValueError("grad_a, z and grad_z must have one shape (n, units), "
                         "and grad_bias (units,).")
    with nogil:
        for j in range(units):
            grad_bias[j] = 0            # numpy's sum starts from 0 too: -0.0 sums to 0.0
        for i in range(n):
            for j in range(units):
                g = grad_a[i, j] * (1 if z[i, j] > 0 else 0)   # as grad_a * (z > 0)
                grad_z[i, j] = g
                grad_bias[j] += g
