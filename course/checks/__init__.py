"""Instant feedback in the exercise notebooks: check, hint, solution.

The setup cell of every exercise notebook runs

    from course.checks import check, hint, solution, ____

and each exercise is followed by a check cell:

    check("mse")        # prints one line: ✓ correct, ✗ incorrect (and why), ○ not attempted
    hint("mse")         # the first hint; hint("mse", 2) the second, ...
    solution("mse")     # the reference answer, when you want to compare

`check` finds your answer by its name in the notebook, so an answer you
have not written yet is "not attempted", not a NameError. Before it grades,
it puts back whatever an answer rebound in numpy, builtins or this package
(course.checks.guard), so an answer cannot change how it is checked. The
exercises of each unit (reference answers, test inputs, tolerances, hints)
are defined in a module of this package, one per unit.
"""

import importlib
import sys

from course.checks import guard
from course.checks.blank import BlankError, ____, is_blank
from course.checks.kinds import Failure
from course.checks.verdicts import Verdict
from course.validation import check_choice

__all__ = ["check", "hint", "solution", "____", "BlankError", "Verdict", "find",
           "exercises", "grade", "is_blank"]

# One module per unit; each defines UNIT (its notebook's name) and EXERCISES.
UNIT_MODULES = [
    "course.checks.loss_and_cost",
    "course.checks.gradient_descent",
    "course.checks.logistic_regression",
    "course.checks.stochastic_gradient_descent",
    "course.checks.backpropagation",
]

_MISSING = object()
_registry = {}


def exercises():
    """Every exercise of the course by name, in the order of the units."""
    if not _registry:
        for module_name in UNIT_MODULES:
            module = importlib.import_module(module_name)
            for exercise in module.EXERCISES:
                if exercise.name in _registry:
                    raise RuntimeError(f"Two exercises are named {exercise.name!r} "
                                       f"(in {_registry[exercise.name].unit} and "
                                       f"{module.UNIT}); exercise names must be unique.")
                exercise.unit = module.UNIT
                _registry[exercise.name] = exercise
    return dict(_registry)


def find(name):
    """The exercise called `name`; a ValueError lists the known names otherwise."""
    known = exercises()
    check_choice(name, known, "exercise")
    return known[name]


def grade(name, namespace):
    """The Verdict for exercise `name`, reading the answer from `namespace`."""
    return find(name).grade(namespace)


def check(name, answer=_MISSING):
    """Check your answer to exercise `name` and print the verdict line.

    The answer is looked up by its name in your notebook; pass it explicitly,
    check("mse", my_mse), to check another object.
    """
    exercise = find(name)
    namespace = sys._getframe(1).f_globals
    if answer is not _MISSING:
        namespace = {**namespace, exercise.answer_name: answer}
    guard.restore()  # whatever the answer cells rebound (np.isclose, print, ...)
    try:
        verdict = exercise.grade(namespace)
    except Exception as error:  # an answer too odd for the comparison: still one line
        verdict = Verdict(name, "incorrect", f"the check could not handle your answer "
                                             f"({Failure(error)})")
    print(verdict.line)


def hint(name, level=1):
    """Print hint number `level` (1, 2, ...) for exercise `name`."""
    hints = find(name).hints
    if not hints:
        print(f"There is no hint for {name}; solution({name!r}) shows the answer.")
    elif not 1 <= level <= len(hints):
        print(f"{name} has hints 1 to {len(hints)}; solution({name!r}) shows the answer.")
    else:
        more = (f" (hint({name!r}, {level + 1}) for more)" if level < len(hints)
                else f" (solution({name!r}) shows the answer)")
        print(f"Hint {level} of {len(hints)} for {name}: {hints[level - 1]}{more}")


def solution(name):
    """Print the reference answer to exercise `name`, from the solution notebook."""
    from course.notebooks.solutions import solution_source

    print(solution_source(find(name)))


# Load every unit now, and record what the checks rely on before any answer
# runs (this module is imported by the setup cell of each exercise notebook).
exercises()
guard.snapshot()
