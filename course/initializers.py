"""Initializers: how a layer's weights start, by Keras's names.

    kernel = glorot_uniform((fan_in, fan_out))      # Keras's default for kernels
    bias = zeros((fan_out,))                        # and for biases
    Dense(8, kernel_initializer="he_normal")        # a name picks one for a layer

For a kernel of shape (fan_in, fan_out): fan_in inputs feed each unit and
each input feeds fan_out units. Glorot (Xavier) keeps the variance of the
signal about the same forwards and backwards: Var = 2 / (fan_in + fan_out).
He keeps it for relu layers, which zero half their inputs: Var = 2 / fan_in.
LeCun: Var = 1 / fan_in. A uniform on [-limit, limit] has Var = limit^2 / 3.
Keras's "normal" versions draw from a normal truncated at two standard
deviations, with the standard deviation divided by 0.8796... so that the
truncated distribution still has the variance above. We do the same.

Every initializer is a function f(shape, rng=None) -> float64 array of that
shape; rng None draws from the library's generator (course.utils), so
set_random_seed repeats the starting weights.
"""

import math

import numpy as np

from course import utils
from course.validation import check_choice

_TRUNCATED_STDDEV_CORRECTION = 0.87962566103423978


def _truncated_normal(shape, stddev, rng):
    """Normal(0, stddev) redrawn wherever it falls beyond 2 standard deviations."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values * stddev


def _fans(shape):
    fan_in = shape[0] if len(shape) > 1 else 1
    fan_out = shape[-1]
    return fan_in, fan_out


def _generator(rng):
    return utils.random_generator() if rng is None else rng


def _with_variance(shape, variance, distribution, rng):
    """Random values with mean 0 and the given variance (Keras's VarianceScaling).

    "uniform": on [-limit, limit] with limit = sqrt(3 * variance);
    "normal": a normal truncated at 2 stddevs, its stddev corrected as above.
    """
    if distribution == "uniform":
        limit = math.sqrt(3.0 * variance)
        return _generator(rng).uniform(-limit, limit, size=shape)
    stddev = math.sqrt(variance) / _TRUNCATED_STDDEV_CORRECTION
    return _truncated_normal(shape, stddev, _generator(rng))


def glorot_uniform(shape, rng=None):
    """Uniform on [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)). Keras's default."""
    fan_in, fan_out = _fans(shape)
    return _with_variance(shape, 2.0 / (fan_in + fan_out), "uniform", rng)


def glorot_normal(shape, rng=None):
    """Truncated normal, stddev = sqrt(2 / (fan_in + fan_out)) / 0.8796."""
    fan_in, fan_out = _fans(shape)
    return _with_variance(shape, 2.0 / (fan_in + fan_out), "normal", rng)


def he_uniform(shape, rng=None):
    """Uniform on [-limit, limit], limit = sqrt(6 / fan_in). Suits relu."""
    return _with_variance(shape, 2.0 / _fans(shape)[0], "uniform", rng)


def he_normal(shape, rng=None):
    """Truncated normal, stddev = sqrt(2 / fan_in) / 0.8796. Suits relu."""
    return _with_variance(shape, 2.0 / _fans(shape)[0], "normal", rng)


def lecun_uniform(shape, rng=None):
    """Uniform on [-limit, limit], limit = sqrt(3 / fan_in)."""
    return _with_variance(shape, 1.0 / _fans(shape)[0], "uniform", rng)


def lecun_normal(shape, rng=None):
    """Truncated normal, stddev = sqrt(1 / fan_in) / 0.8796."""
    return _with_variance(shape, 1.0 / _fans(shape)[0], "normal", rng)


def random_normal(shape, rng=None):
    """Normal with mean 0 and stddev 0.05 (Keras's RandomNormal defaults)."""
    return _generator(rng).normal(0.0, 0.05, size=shape)


def random_uniform(shape, rng=None):
    """Uniform on [-0.05, 0.05] (Keras's RandomUniform defaults)."""
    return _generator(rng).uniform(-0.05, 0.05, size=shape)


def truncated_normal(shape, rng=None):
    """Normal with stddev 0.05 truncated at 2 stddevs (Keras's TruncatedNormal)."""
    return _truncated_normal(shape, 0.05, _generator(rng))


def zeros(shape, rng=None):
    """All zeros: Keras's default for biases."""
    return np.zeros(shape)


def ones(shape, rng=None):
    """All ones."""
    return np.ones(shape)


INITIALIZERS = {
    "glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
    "he_uniform": he_uniform, "he_normal": he_normal,
    "lecun_uniform": lecun_uniform, "lecun_normal": lecun_normal,
    "random_normal": random_normal, "random_uniform": random_uniform,
    "truncated_normal": truncated_normal, "zeros": zeros, "ones": ones,
}


def get(identifier):
    """A name from INITIALIZERS (any case), or your own function f(shape) -> array, as a function."""
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        identifier = identifier.lower()
    check_choice(identifier, INITIALIZERS, "initializer")
    return INITIALIZERS[identifier]
