"""Input checks shared by the data helpers (the general ones are in course.validation)."""

import numpy as np

from course.validation import check_same_length


def check_whole_number(value, name, minimum):
    """Raise ValueError unless `value` is an int (not a bool) >= minimum."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, not {value!r}.")


def as_rows(X, y):
    """Return X and y as arrays after checking they hold the same number of rows."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError("X and y must hold one row per example, not a single number.")
    check_same_length(X, y, "X", "y")
    return X, y
