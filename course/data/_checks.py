"""Input checks shared by the data helpers (the general ones are in course.validation)."""

import numpy as np

from course.validation import check_same_length, check_whole_number


def check_seed(seed, name="seed"):
    """Raise ValueError unless `seed` is None (fresh randomness) or a whole number >= 0."""
    if seed is not None:
        check_whole_number(seed, name)


def as_number(value, name):
    """Return `value` as a float, or raise ValueError if it is not one finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}.")
    return float(value)


def as_rows(X, y):
    """Return X and y as arrays after checking they hold the same number of rows."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must hold one row per example, not a single number.")
    check_same_length(X, y, "X", "y")
    return X, y
