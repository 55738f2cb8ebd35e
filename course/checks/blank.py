"""The blank `____` that exercise notebooks leave for you to fill in.

    from course.checks import ____
    return np.mean(____)          # a line of an exercise, before you answer

`____` is a real Python object, so an exercise notebook runs from top to
bottom before you have written anything. Anything you do with it (do
arithmetic, call it, index it, pass it to numpy, compare it) raises a
BlankError, and so does a function of yours that still has a blank in it.
The checks catch that error and report "not attempted" instead of a wrong
answer.
"""


class BlankError(Exception):
    """Raised when code uses a `____` blank that has not been filled in yet."""

    def __init__(self, message=None):
        super().__init__(message or "this line still has a ____ blank: replace "
                                    "____ with your code, then run the cell again.")


def _raise_blank(*args, **kwargs):
    raise BlankError()


class Blank:
    """The type of `____`: every operation on it raises BlankError."""

    __slots__ = ()
    __hash__ = object.__hash__   # a blank can still sit in a set or be a dict key

    def __repr__(self):
        return "____"

    __str__ = __repr__

    def __getattr__(self, name):
        if name.startswith("_"):
            # Python, numpy and IPython probe objects for special names
            # (_repr_html_, __array_interface__, ...); "no such attribute"
            # keeps those probes quiet.
            raise AttributeError(name)
        raise BlankError()

    # numpy asks these before it treats a blank as an array, in np.asarray(____),
    # x - ____, np.exp(____), np.mean(____): each answer is "not filled in yet".
    def __array__(self, *args, **kwargs):
        raise BlankError()

    def __array_ufunc__(self, *args, **kwargs):
        raise BlankError()

    def __array_function__(self, *args, **kwargs):
        raise BlankError()

    def __format__(self, spec):
        raise BlankError()


# Every operator and conversion raises: a blank is never silently a number.
for _name in (
    "__call__", "__bool__", "__len__", "__iter__", "__contains__", "__getitem__",
    "__setitem__", "__delitem__", "__index__", "__int__", "__float__", "__complex__",
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
    "__neg__", "__pos__", "__abs__", "__invert__", "__round__",
    "__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
    "__matmul__", "__rmatmul__", "__truediv__", "__rtruediv__",
    "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__divmod__",
    "__rdivmod__", "__pow__", "__rpow__", "__and__", "__rand__", "__or__",
    "__ror__", "__xor__", "__rxor__", "__lshift__", "__rlshift__",
    "__rshift__", "__rrshift__",
):
    setattr(Blank, _name, _raise_blank)
del _name

____ = Blank()


def is_blank(value):
    """True if `value` is the unfilled blank itself."""
    return isinstance(value, Blank)


def holds_blank(value):
    """True if `value` is the blank, or a tuple, list or dict with one inside:
    `return ____, ____` builds a tuple without touching its blanks."""
    if isinstance(value, (tuple, list)):
        return any(holds_blank(item) for item in value)
    if isinstance(value, dict):
        return any(holds_blank(item) for item in value.values())
    return is_blank(value)
