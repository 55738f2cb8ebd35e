"""One random number generator for the whole library, and how to seed it.

Every random choice the library makes (the starting weights of a layer, the
order of the examples in each epoch of `fit`) draws from one numpy Generator.
Seed it once at the top of a notebook and a run repeats bit for bit:

    course.utils.set_random_seed(0)
    model = course.Sequential([...])   # same starting weights every time
    model.fit(x, y, epochs=5)          # same minibatches, same losses

This is what `keras.utils.set_random_seed` does for Keras.
"""

import random

import numpy as np

from course.validation import check_whole_number

_generator = np.random.default_rng()


def set_random_seed(seed):
    """Seed the library's generator, numpy's global one and Python's `random`.

    seed: a whole number >= 0. The library's own draws (weights, shuffles)
    come from `random_generator()`; numpy's global generator (`np.random.rand`
    and friends) and Python's `random` are seeded too, so data a notebook
    makes with them repeats as well.
    """
    check_whole_number(seed, "seed")
    global _generator
    _generator = np.random.default_rng(int(seed))
    np.random.seed(int(seed) % 2**32)
    random.seed(int(seed))


def random_generator():
    """The numpy Generator every random choice of the library draws from."""
    return _generator
