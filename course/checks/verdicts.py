"""Verdicts: the one line a check cell prints, and how values are compared.

A check prints exactly one line, and nbval compares it with the line stored
in the solution notebook:

    ✓ mse: correct
    ✗ mse: incorrect — on mse(y_true=[1, 2], y_pred=[1, 4]): expected 2, got 1
    ○ mse: not attempted — replace ____ with your code, then run the cell again

Only the "correct" line has to match the solution's exactly, and it holds no
number at all. The other lines differ from it by design (that is how nbval
fails them), but they are still deterministic: floats are printed with a few
significant digits, never a memory address or a timing.
"""

from dataclasses import dataclass

import numpy as np

# The statuses a check prints, and the one the grader adds when an answer (or
# grading itself) broke before the check could conclude. Defined here only;
# the gradebook and the command line use these.
STATUSES = ("correct", "incorrect", "not-attempted")
ERROR = "error"
GRADEBOOK_STATUSES = STATUSES + (ERROR,)
SYMBOLS = {"correct": "✓", "incorrect": "✗", "not-attempted": "○", ERROR: "!"}
WORDS = {"correct": "correct", "incorrect": "incorrect", "not-attempted": "not attempted",
         ERROR: "error"}


@dataclass(frozen=True)
class Verdict:
    """What a check concluded about one exercise."""

    exercise: str
    status: str          # one of STATUSES
    detail: str = ""     # what is wrong, or what to do; empty when correct

    @property
    def line(self):
        text = f"{SYMBOLS[self.status]} {self.exercise}: {WORDS[self.status]}"
        return f"{text} — {self.detail}" if self.detail else text

    @property
    def passed(self):
        return self.status == "correct"


def correct(exercise):
    return Verdict(exercise, "correct")


def incorrect(exercise, detail):
    return Verdict(exercise, "incorrect", detail)


def not_attempted(exercise, detail):
    return Verdict(exercise, "not-attempted", detail)


def status_of_line(text):
    """The status a printed verdict line stands for, or None if it is not one.

    The grader uses this to tell "not attempted" from "incorrect" in the
    output of a check cell.
    """
    first = text.strip().splitlines()[0] if text.strip() else ""
    for status in STATUSES:
        if first.startswith(SYMBOLS[status] + " "):
            return status
    return None


# --- Describing values in a verdict ------------------------------------------

def describe(value):
    """A short, deterministic description of a value for a verdict line."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return format_number(value)
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=4, threshold=8, edgeitems=3, floatmode="maxprec",
                             suppress=True, legacy=False):
            text = np.array2string(value, separator=", ")
        return " ".join(text.split())
    if isinstance(value, (list, tuple)) and len(value) <= 8:
        inner = ", ".join(describe(v) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if value is None:
        return "None"
    if callable(value):
        return f"a function ({type(value).__name__})"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name}"


def format_number(x):
    """A float with at most 5 significant digits, the same on every platform."""
    x = float(x)
    if np.isnan(x) or np.isinf(x):
        return str(x)
    return f"{x:.5g}"


# --- Comparing an answer with the reference ----------------------------------

def is_number(value):
    """A single real number: int, float, numpy scalar or 0-d array (not bool)."""
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return True
    return (isinstance(value, np.ndarray) and value.ndim == 0
            and np.issubdtype(value.dtype, np.number))


def compare(expected, got, rtol, atol, check_dtype=False, what="the result"):
    """Why `got` differs from `expected`, as a short phrase, or None if it matches.

    expected: a number, a numpy array, or a tuple of those (compared item by
    item). Numbers match within rtol and atol as in np.allclose; arrays must
    also have the same shape, and with check_dtype the same dtype.
    """
    if isinstance(expected, tuple):
        return _compare_tuple(expected, got, rtol, atol, check_dtype, what)
    if got is None:
        return f"{what} is None: did you forget `return`?"
    if is_number(expected):
        return _compare_number(expected, got, rtol, atol, what)
    return _compare_array(np.asarray(expected), got, rtol, atol, check_dtype, what)


def _compare_tuple(expected, got, rtol, atol, check_dtype, what):
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        return (f"{what} should be {len(expected)} values (return them with "
                f"commas: `return a, b`), got {describe(got)}")
    for position, (e, g) in enumerate(zip(expected, got), start=1):
        part = f"value {position} of the {len(expected)} returned"
        reason = compare(e, g, rtol, atol, check_dtype, part)
        if reason:
            return reason if reason.startswith(part) else f"{part}: {reason}"
    return None


def _compare_number(expected, got, rtol, atol, what):
    if isinstance(got, np.ndarray) and got.ndim > 0:
        return (f"{what} should be a single number, got an array of shape "
                f"{got.shape}; reduce it (np.mean, np.sum) or take float(...) of it")
    if not is_number(got):
        return f"{what} should be a number, got {describe(got)}"
    e, g = float(expected), float(got)
    if np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True):
        return None
    return f"expected {format_number(e)}, got {format_number(g)}"


def _compare_array(expected, got, rtol, atol, check_dtype, what):
    try:
        got_array = np.asarray(got)
    except Exception:  # a ragged list and the like
        return f"{what} should be an array, got {describe(got)}"
    if got_array.dtype == object or not np.issubdtype(got_array.dtype, np.number):
        return f"{what} should be an array of numbers, got {describe(got)}"
    if got_array.shape != expected.shape:
        return (f"{what} has shape {got_array.shape}, expected shape "
                f"{expected.shape}")
    if check_dtype and got_array.dtype != expected.dtype:
        return (f"{what} has dtype {got_array.dtype}, expected {expected.dtype} "
                f"(keep the input's float type)")
    if np.isclose(got_array, expected, rtol=rtol, atol=atol, equal_nan=True).all():
        return None
    error = np.abs(got_array.astype(np.float64) - expected.astype(np.float64))
    if not np.isfinite(error).all():
        return (f"expected {describe(expected)}, got {describe(got_array)} "
                f"(NaN or infinity where a number was expected: an overflow, or a "
                f"division by zero?)")
    return (f"expected {describe(expected)}, got {describe(got_array)} "
            f"(largest error {format_number(error.max())})")
