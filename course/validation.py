"""Checks on the arrays you pass in, with errors that say what to do.

Every public function of the library calls these before it computes anything,
so a mistake shows up where it was made, with a message that names the
argument, what was expected, what came, and what to try.
"""

import numpy as np


def as_float_array(x, name, dtype=None):
    """Return `x` as a floating-point numpy array, or raise a clear TypeError.

    x: anything numpy can turn into numbers (list, tuple, array, scalar).
    dtype: the float type wanted; None keeps a float array's own type and
        turns integers and booleans into float64.
    """
    # The common case, checked first because training calls this every step.
    if type(x) is np.ndarray and x.dtype.kind == "f" and (dtype is None or x.dtype == dtype):
        return x
    try:
        array = np.asarray(x)
    except Exception as error:  # ragged lists and the like
        raise TypeError(f"{name} could not be turned into a numpy array ({error}); "
                        f"pass a list of numbers or a numpy array.") from None
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == bool):
        raise TypeError(f"{name} must hold numbers, but it has dtype {array.dtype}; "
                        f"convert it with np.asarray({name}, dtype=float).")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} holds complex numbers; pass real numbers.")
    if dtype is not None:
        return array.astype(dtype, copy=False)
    if not np.issubdtype(array.dtype, np.floating):
        return array.astype(np.float64)
    return array


def check_finite(x, name):
    """Raise ValueError if `x` holds NaN or infinity, saying how many and where."""
    # One reduction answers the common case: the sum of finite numbers is finite
    # unless it overflows, and then the slower elementwise test below decides.
    if np.isfinite(np.asarray(x).sum()):
        return
    finite = np.isfinite(x)
    if finite.all():
        return
    bad = np.argwhere(~finite)
    n_nan = int(np.isnan(x).sum())
    n_inf = int(np.isinf(x).sum())
    where = tuple(int(i) for i in bad[0])
    first = where[0] if len(where) == 1 else where
    raise ValueError(f"{name} contains {n_nan} NaN and {n_inf} infinite values "
                     f"(the first at index {first}); remove those rows or fill "
                     f"them in before training.")


def check_same_shape(y_true, y_pred, true_name="y_true", pred_name="y_pred"):
    """Raise ValueError unless y_true and y_pred have exactly the same shape.

    numpy would broadcast a (n,) target against (n, 1) predictions into an
    (n, n) table of every target minus every prediction: a loss that looks
    plausible and is wrong. We refuse that instead.
    """
    if y_true.shape == y_pred.shape:
        return
    message = (f"{true_name} has shape {y_true.shape} and {pred_name} has shape "
               f"{y_pred.shape}; they must match.")
    if y_true.ndim == 1 and y_pred.ndim == 2 and y_pred.shape == (len(y_true), 1):
        message += (f" Pass {pred_name}.ravel() or reshape {true_name} to "
                    f"({len(y_true)}, 1) with {true_name}.reshape(-1, 1).")
    elif y_pred.ndim == 1 and y_true.ndim == 2 and y_true.shape == (len(y_pred), 1):
        message += (f" Pass {true_name}.ravel() or reshape {pred_name} to "
                    f"({len(y_pred)}, 1) with {pred_name}.reshape(-1, 1).")
    else:
        message += " Check that both hold one value per example in the same layout."
    raise ValueError(message)


def check_same_length(x, y, x_name="x", y_name="y"):
    """Raise ValueError unless x and y hold the same number of examples (rows)."""
    if len(x) != len(y):
        raise ValueError(f"{x_name} has {len(x)} examples (rows) but {y_name} has "
                         f"{len(y)}; they must have one row per example each.")


def check_binary_labels(y, name="y_true"):
    """Raise ValueError unless every label lies in [0, 1]."""
    if y.size and (y.min() < 0 or y.max() > 1):
        raise ValueError(f"{name} must hold labels between 0 and 1 for binary "
                         f"cross-entropy, but it ranges from {y.min():g} to "
                         f"{y.max():g}; encode the two classes as 0 and 1.")


def check_choice(value, known, what):
    """Raise ValueError for a string that is not one of `known`, listing them."""
    if value not in known:
        listed = ", ".join(repr(k) for k in sorted(known))
        raise ValueError(f"Unknown {what} {value!r}. Known: {listed}.")


def check_whole_number(value, name, minimum=0):
    """Raise ValueError unless `value` is a whole number (an int, not a bool) >= minimum.

    Used for counts (units, epochs, batch sizes, patience) and for seeds.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, not {value!r}.")
