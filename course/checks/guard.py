"""Keep an answer from changing how it is checked.

An answer runs in the same Python as its check, so it could rebind
something the check relies on:

    np.isclose = lambda *args, **kwargs: True        # every comparison passes
    builtins.print = my_print                        # rewrites the verdict line
    course.checks.check = my_check

When `course.checks` is imported (in the setup cell, before any answer),
`snapshot()` records the functions, classes and modules held by the
modules a verdict depends on (builtins, sys, numpy, copy and course).
`restore()` puts back any of them that was rebound since; `check()` calls it
before grading, and after every call of an answer's function.

This undoes rebinding, the easy way to cheat. It is not a sandbox: code
that sets out to defeat the checks (changing a class, or the code inside a
function, or this module) can still do it. The grader flags such answers
for review; see the threat model in the README.
"""

import builtins
import operator
import sys
import types

# The modules a verdict depends on: print, sys._getframe, np.isclose,
# copy.deepcopy (the inputs an answer gets), and the checks themselves.
GUARDED = ("builtins", "sys", "numpy", "course", "copy")
_BUILTIN_NAMES = frozenset(vars(builtins))

_snapshot = []   # (module, names, what they held, a getter of their values, all its names)


def _guarded_modules():
    return [module for name, module in list(sys.modules.items())
            if module is not None and name.split(".")[0] in GUARDED]


def snapshot():
    """Record what the guarded modules hold now."""
    _snapshot[:] = []
    for module in _guarded_modules():
        held = {name: value for name, value in vars(module).items()
                if callable(value) or isinstance(value, types.ModuleType)}
        names = tuple(held)
        # itemgetter of one name gives the value, of several a tuple; always a tuple:
        getter = operator.itemgetter(*names, *names[:1]) if names else None
        _snapshot.append((module, names, tuple(held.values()), getter,
                          frozenset(vars(module))))


def restore():
    """Put back every recorded function, class or module that was rebound, and
    remove names added since that hide a builtin (course.checks.print = ...).

    check() calls this dozens of times per notebook, over some ten thousand
    names. So the usual case, nothing rebound, takes one pass in C per
    module: get the names' values now, and compare them by identity with
    what was recorded (never with ==, which a rebound object answers as it
    likes). Only a module where that finds a change is gone through by name.
    """
    for module, names, recorded, getter, all_names in _snapshot:
        current = vars(module)
        if getter is not None and not _unchanged(getter, current, recorded):
            for name, value in zip(names, recorded):
                if current.get(name) is not value:
                    setattr(module, name, value)
        if module is not builtins and not all_names.issuperset(current):
            for name in (current.keys() - all_names) & _BUILTIN_NAMES:
                delattr(module, name)


def _unchanged(getter, current, recorded):
    try:
        now = getter(current)
    except KeyError:   # a name was deleted
        return False
    return all(map(operator.is_, now, recorded))
