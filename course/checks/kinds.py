"""The four kinds of exercise check, and how an answer is called safely.

    ValueExercise      a value you computed (a number or an array)
    FunctionExercise   a function, called on several inputs and edge cases
    GradientExercise   a gradient function, against finite differences
    TrainingExercise   a training loop: the cost goes down and lands in a band

Each kind grades one exercise and returns a Verdict; `course.checks.check`
prints its line. Your functions are always called on copies of the inputs
(so the check also sees whether you changed an input in place), with what
they print hidden and warnings silenced (the verdict is the only output),
and an exception they raise becomes an "incorrect" verdict naming it.

When an answer is wrong, the verdict first names the common mistake it
makes, if it makes one the exercise knows (course.checks.mistakes).

Where an exercise builds on an earlier one, `uses` names the earlier pieces
and the check swaps in their reference versions while it calls your
function: a mistake in `mse_gradients` then does not fail `gradient_step`.
"""

import contextlib
import copy
import inspect
import io
import re
import warnings

import numpy as np

from course.checks import guard
from course.checks.blank import BlankError, holds_blank
from course.checks.mistakes import GRADIENT_MISTAKES, first_made
from course.checks.verdicts import (compare, correct, describe, format_number, incorrect,
                                    is_number, not_attempted)
from course.gradcheck import numerical_gradient

_BLANK_LEFT = "replace ____ with your code, then run the cell again"
_NOT_IMPLEMENTED = "replace `raise NotImplementedError()` with your code, then run the cell again"


class Case:
    """One call of an exercise's function: its arguments and an optional label.

        Case(np.array([1.0, 2.0]), np.array([1.0, 4.0]), label="two examples")
    """

    def __init__(self, *args, label="", **kwargs):
        self.args = args
        self.kwargs = kwargs
        self.label = label

    def copies(self):
        """Fresh copies of the arguments, so no call can change the originals."""
        return copy.deepcopy(self.args), copy.deepcopy(self.kwargs)

    def call(self, function):
        args, kwargs = self.copies()
        return function(*args, **kwargs)

    def changed_argument(self, function, args, kwargs):
        """The name of the first argument a call changed in place, or None."""
        names = _argument_names(function, self.args, self.kwargs)
        for name, before, after in zip(names, self.args, args):
            if not _same(before, after):
                return name
        for name, before in self.kwargs.items():
            if not _same(before, kwargs[name]):
                return name
        return None

    def describe(self, function_name, reference):
        names = _argument_names(reference, self.args, self.kwargs)
        shown = [f"{name}={describe(value)}" for name, value in zip(names, self.args)]
        shown += [f"{name}={describe(value)}" for name, value in self.kwargs.items()]
        call = f"{function_name}({', '.join(shown)})"
        return f"{call} ({self.label})" if self.label else call


def _argument_names(function, args, kwargs):
    try:
        parameters = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        parameters = []
    return [parameters[i] if i < len(parameters) else f"argument {i + 1}"
            for i in range(len(args))]


def _same(a, b):
    """Whether an argument is unchanged: arrays bit for bit, containers item by item."""
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
                and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(b, np.ndarray) and isinstance(a, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True))
    try:
        return bool(a == b)
    except Exception:
        return a is b


# --- Calling an answer --------------------------------------------------------

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


class Failure:
    """An exception raised by an answer, kept as its type name and message.

    The message keeps its first line, without memory addresses ("<function
    f at 0x7f...>" becomes "<function f>"), so the verdict is the same on
    every run.
    """

    def __init__(self, error):
        text = _ADDRESS.sub("", str(error)).strip()
        self.type = type(error).__name__
        self.message = text.splitlines()[0] if text else ""
        self.blank = isinstance(error, BlankError)
        self.not_implemented = isinstance(error, NotImplementedError)

    def __str__(self):
        return f"{self.type}: {self.message}" if self.message else self.type


@contextlib.contextmanager
def references_in_place_of(function, uses):
    """While the block runs, the names in `uses` mean their reference versions
    inside `function` (looked up in the namespace it was defined in)."""
    namespace = getattr(function, "__globals__", None)
    if not uses or not isinstance(namespace, dict):
        yield
        return
    missing = object()
    saved = {name: namespace.get(name, missing) for name in uses}
    namespace.update(uses)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def run_answer(function, args=(), kwargs=None, uses=None):
    """Call a student's function quietly. Returns (result, None) or (None, Failure).

    What the function prints is captured and dropped, and warnings are
    silenced, so the check's verdict is the only output of the check cell.
    Whatever the call rebinds in numpy, builtins or course is put back
    before the check looks at the result (course.checks.guard).
    """
    kwargs = kwargs or {}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings(), np.errstate(all="ignore"), \
            references_in_place_of(function, uses):
        warnings.simplefilter("ignore")
        try:
            return function(*args, **kwargs), None
        except (Exception, SystemExit) as error:  # SystemExit: sys.exit() in a function
            return None, Failure(error)
        finally:
            guard.restore()


# --- The kinds ----------------------------------------------------------------

class Exercise:
    """What every kind shares: a name, points, tiered hints, a known wrong answer.

    name: the exercise's name, used in check("name"), hint("name") and in
        the cell tags of the notebooks ("exercise:name").
    answer_name: the variable or function the student defines (default: name).
    points: what a correct answer is worth in the gradebook.
    hints: from gentle to nearly the answer; hint(name, 2) shows the second.
    wrong_answer: the source of a plausible wrong answer cell, used by the
        tests to prove that the check can fail; by default the example of
        the first named mistake that has one.
    uses: {name: reference} for earlier pieces the answer calls.
    mistakes: the common wrong answers the verdict names (course.checks.mistakes),
        tried in order once the answer is found wrong.
    """

    kind = "exercise"
    common_mistakes = ()  # what every exercise of a kind recognises, after its own

    def __init__(self, name, *, answer_name=None, points=1, hints=(), wrong_answer=None,
                 uses=None, mistakes=()):
        self.name = name
        self.answer_name = answer_name or name
        self.points = points
        self.hints = tuple(hints)
        self.uses = dict(uses or {})
        self.mistakes = tuple(mistakes) + tuple(self.common_mistakes)
        self.wrong_answer = wrong_answer if wrong_answer is not None else next(
            (m.example for m in self.mistakes if m.example), None)
        self.unit = None  # set when the unit registers its exercises

    def grade(self, namespace):
        """The Verdict for the answer defined in `namespace` (a notebook's globals)."""
        if self.answer_name not in namespace:
            return not_attempted(self.name, f"{self.answer_name} is not defined yet: "
                                            f"fill in its cell and run it (run the "
                                            f"setup cell at the top first)")
        answer = namespace[self.answer_name]
        if holds_blank(answer):
            return not_attempted(self.name, _BLANK_LEFT)
        return self.grade_answer(answer)

    def grade_answer(self, answer):
        raise NotImplementedError

    def wrong(self, reason, got, expected, case=None, where=""):
        """The incorrect verdict for `got`: the named mistake first when it
        makes one, then what differs (`reason`) and where."""
        detail = f"{where}: {reason}" if where else reason
        mistake = first_made(self.mistakes, got, expected, case)
        if mistake is not None:
            detail = f"{mistake.says} ({detail})"
        return incorrect(self.name, detail)

    def failure_verdict(self, failure, where, expected=None, case=None):
        """The verdict for an exception raised by the answer: the named mistake
        first when the exception is one a known mistake raises (the mistake's
        relation sees the Failure as what the answer gave)."""
        if failure.blank:
            return not_attempted(self.name, _BLANK_LEFT)
        if failure.not_implemented:
            return not_attempted(self.name, _NOT_IMPLEMENTED)
        detail = f"{where}: raised {failure}"
        mistake = first_made(self.mistakes, failure, expected, case)
        if mistake is not None:
            detail = f"{mistake.says} ({detail})"
        return incorrect(self.name, detail)


class ValueExercise(Exercise):
    """A value the student computes: a number or an array, within rtol and atol.

    reveal: show the expected value when the answer is wrong (for values
    worked out by hand, leave it False so the verdict does not give it away).
    """

    kind = "value"

    def __init__(self, name, expected, *, rtol=1e-6, atol=1e-8, reveal=False, **options):
        super().__init__(name, **options)
        self.expected = expected
        self.rtol, self.atol, self.reveal = rtol, atol, reveal

    def grade_answer(self, value):
        reason = compare(self.expected, value, self.rtol, self.atol, what=self.answer_name)
        if reason is None:
            return correct(self.name)
        if not self.reveal and is_number(self.expected) and is_number(value):
            reason = f"{self.answer_name} = {describe(value)} is not right yet"
        return self.wrong(reason, value, self.expected)


class FunctionExercise(Exercise):
    """A function, called on each case and compared with the reference's result.

    reference: the correct function. cases: Case objects, including edge
    cases. check_dtype: the result must keep the reference's dtype (float32
    stays float32). The student's function must not change its inputs.
    """

    kind = "function"

    def __init__(self, name, reference, cases, *, rtol=1e-6, atol=1e-8, check_dtype=False,
                 **options):
        super().__init__(name, **options)
        self.reference = reference
        self.cases = list(cases)
        self.rtol, self.atol, self.check_dtype = rtol, atol, check_dtype

    def expected(self, case):
        """What the answer should return for a case."""
        return case.call(self.reference)

    def mismatch(self, expected, result, case):
        """Why the result is wrong, or None."""
        return compare(expected, result, self.rtol, self.atol, self.check_dtype)

    def grade_answer(self, function):
        if not callable(function):
            return incorrect(self.name, f"{self.answer_name} should be a function "
                                        f"(def {self.answer_name}(...):), got {describe(function)}")
        for case in self.cases:
            where = f"on {case.describe(self.answer_name, self.reference)}"
            expected = self.expected(case)
            args, kwargs = case.copies()
            result, failure = run_answer(function, args, kwargs, self.uses)
            if failure:
                return self.failure_verdict(failure, where, expected, case)
            if holds_blank(result):
                return not_attempted(self.name, _BLANK_LEFT)
            reason = self.mismatch(expected, result, case)
            if reason:
                return self.wrong(reason, result, expected, case, where)
            changed = case.changed_argument(self.reference, args, kwargs)
            if changed:
                return incorrect(self.name, f"{where}: your function changed its argument "
                                            f"{changed} in place; compute a new array "
                                            f"instead (x = x - ..., not x -= ...)")
        return correct(self.name)


class GradientExercise(FunctionExercise):
    """A gradient function, compared with centred finite differences of the
    cost with respect to one of its arguments (`wrt`).

    The gradient takes the cost's arguments and must return an array with
    the shape and the dtype of that argument.
    """

    kind = "gradient"
    common_mistakes = GRADIENT_MISTAKES

    def __init__(self, name, cost, cases, *, wrt="y_pred", rtol=1e-5, atol=1e-7, **options):
        super().__init__(name, cost, cases, rtol=rtol, atol=atol, check_dtype=True, **options)
        self.wrt = wrt

    def expected(self, case):
        """d(cost)/d(wrt) at the case's inputs, by centred differences in float64,
        returned in the dtype of that argument."""
        position = _argument_names(self.reference, case.args, case.kwargs).index(self.wrt)
        args = [np.asarray(a, dtype=np.float64) for a in case.args]

        def cost_at(value):
            return self.reference(*args[:position], value, *args[position + 1:], **case.kwargs)

        gradient = numerical_gradient(cost_at, args[position].copy())
        return gradient.astype(np.asarray(case.args[position]).dtype)

    def mismatch(self, expected, result, case):
        loose = 1e3 if expected.dtype == np.float32 else 1  # float32 keeps ~7 digits
        reason = compare(expected, result, self.rtol * loose, self.atol * loose,
                         check_dtype=True, what="the gradient")
        return f"{reason} (expected: finite differences of the cost)" if reason else None


class _Seeded:
    """A case called under a fixed seed, as a training exercise calls its loops."""

    def __init__(self, case, seed):
        self.case, self.seed = case, seed

    def call(self, function):
        np.random.seed(self.seed)
        return self.case.call(function)


class TrainingExercise(Exercise):
    """A training loop: under a fixed seed the cost must go down and end within
    `band` (relative) of where the reference loop ends.

    The function must return the cost recorded before each step (a list or a
    1-D array), as many as the reference records. The first one must be the
    reference's first, the cost of the starting weights: a loop that records
    after its update ends only a hair away from the reference, so the band
    alone would let it pass. `recorded` names what is recorded ("cost", "loss
    of the minibatch") in the verdict.
    """

    kind = "training"

    def __init__(self, name, reference, case, *, band=0.1, seed=0, recorded="cost",
                 **options):
        super().__init__(name, **options)
        self.reference = reference
        self.case = case
        self.band = band
        self.seed = seed
        self.recorded = recorded

    def grade_answer(self, function):
        if not callable(function):
            return incorrect(self.name, f"{self.answer_name} should be a function, "
                                        f"got {describe(function)}")
        np.random.seed(self.seed)
        expected = np.asarray(self.case.call(self.reference), dtype=np.float64)
        np.random.seed(self.seed)
        args, kwargs = self.case.copies()
        costs, failure = run_answer(function, args, kwargs, self.uses)
        where = f"on {self.case.describe(self.answer_name, self.reference)}"
        if failure:
            return self.failure_verdict(failure, where, expected,
                                        _Seeded(self.case, self.seed))
        if holds_blank(costs):
            return not_attempted(self.name, _BLANK_LEFT)
        problem = self._problem_with(costs, expected)
        if problem is None:
            return correct(self.name)
        return self.wrong(problem, costs, expected, _Seeded(self.case, self.seed), where)

    def _problem_with(self, costs, expected):
        steps = len(expected)
        try:
            costs = np.asarray(costs, dtype=np.float64)
        except (TypeError, ValueError):
            return f"expected a list of {steps} costs, got {describe(costs)}"
        if costs.shape != (steps,):
            return f"expected a list of {steps} costs (one per step), got shape {costs.shape}"
        what = self.recorded
        if not np.isfinite(costs).all():
            step = int(np.argmin(np.isfinite(costs)))
            return (f"the {what} became {costs[step]} at step {step}: the updates grow "
                    f"instead of shrinking; do they go against the gradient?")
        if not costs[-1] < costs[0]:
            return (f"the {what} did not go down: it went from {format_number(costs[0])} "
                    f"to {format_number(costs[-1])}")
        low, high = expected[-1] * (1 - self.band), expected[-1] * (1 + self.band)
        if not low <= costs[-1] <= high:
            return (f"after {steps} steps the {what} is {format_number(costs[-1])}; "
                    f"expected between {format_number(low)} and {format_number(high)}")
        if not np.isclose(costs[0], expected[0], rtol=1e-6, atol=1e-12):
            return (f"the first {what} you recorded is {format_number(costs[0])}, but "
                    f"before the first step it is {format_number(expected[0])}: record "
                    f"the {what} before each update, not after it")
        return None
