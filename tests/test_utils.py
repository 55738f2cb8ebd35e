"""set_random_seed: one call repeats every random draw, the library's and the notebook's."""

import random

import numpy as np
import pytest

from course.utils import random_generator, set_random_seed


def draws():
    return (random_generator().random(3).tolist(), np.random.rand(3).tolist(),
            [random.random() for _ in range(3)])


def test_the_same_seed_repeats_the_librarys_numpys_and_pythons_draws():
    set_random_seed(7)
    first = draws()
    set_random_seed(7)
    assert draws() == first


@pytest.mark.parametrize("which", [0, 1, 2], ids=["library", "numpy", "random"])
def test_another_seed_changes_each_generator(which):
    set_random_seed(7)
    first = draws()[which]
    set_random_seed(8)
    assert draws()[which] != first


def test_a_seed_beyond_32_bits_is_accepted():
    set_random_seed(2 ** 40)
    first = draws()
    set_random_seed(2 ** 40)
    assert draws() == first


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0", None])
def test_a_seed_must_be_a_whole_number(seed):
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0, not"):
        set_random_seed(seed)
