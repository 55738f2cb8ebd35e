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
import sys
import types

# The modules a verdict depends on: print, sys._getframe, np.isclose,
# copy.deepcopy (the inputs an answer gets), and the checks themselves.
GUARDED = ("builtins", "sys", "numpy", "course", "copy")
_BUILTIN_NAMES = frozenset(vars(builtins))

_snapshot = []   # (module, {name: the function, class or module it held}, all its names)


def _guarded_modules():
    return [module for name, module in list(sys.modules.items())
            if module is not None and name.split(".")[0] in GUARDED]


def snapshot():
    """Record what the guarded modules hold now."""
    _snapshot[:] = [(module,
                     {name: value for name, value in vars(module).items()
                      if callable(value) or isinstance(value, types.ModuleType)},
                     frozenset(vars(module)))
                    for module in _guarded_modules()]


def restore():
    """Put back every recorded function, class or module that was rebound, and
    remove names added since that hide a builtin (course.checks.print = ...)."""
    for module, recorded, names in _snapshot:
        current = vars(module)
        for name, value in recorded.items():
            if current.get(name) is not value:
                setattr(module, name, value)
        if module is not builtins:
            for name in (current.keys() - names) & _BUILTIN_NAMES:
                delattr(module, name)
