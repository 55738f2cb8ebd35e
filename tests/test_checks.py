"""The checks students see: the blank, verdict lines, the four kinds, hints.

Every exercise is tested the learntools way, without a kernel: its check
against the solution notebook's answer (correct), the exercise's blank (not
attempted) and a known wrong answer (incorrect). tests/test_notebooks.py
does the same through real kernels and nbval.
"""

import json
import operator
from pathlib import Path

import numpy as np
import pytest

from course import checks, losses
from course.checks import BlankError, ____, check, hint, is_blank, solution
from course.checks.kinds import (Case, FunctionExercise, GradientExercise, TrainingExercise,
                                 ValueExercise)
from course.checks.gradient_descent import reference_mse_gradients, scaled_cereals
from course.checks.mistakes import Mistake, raised, scaled
from course.checks.verdicts import compare, describe, status_of_line
from course.gradcheck import numerical_gradient
from course.notebooks.cells import (answer_cells, exercise_of, is_answer, source_of,
                                    to_exercise, to_solution)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
EXERCISES = list(checks.exercises().values())


def verdict(name, **namespace):
    return checks.grade(name, {"np": np, "____": ____, **namespace})


def define(source, **namespace):
    """Run answer-cell source in a fresh notebook-like namespace; return it."""
    namespace = {"np": np, "____": ____, **namespace}
    exec(source, namespace)
    return namespace


def correct_mse(y_true, y_pred):
    return float(np.mean((y_pred - y_true) ** 2))


def correct_mse_gradient(y_true, y_pred):
    return 2 * (y_pred - y_true) / y_pred.size


# --- The blank ------------------------------------------------------------------

BLANK_USES = {
    "arithmetic": lambda: ____ + 1,
    "reflected arithmetic": lambda: np.ones(3) - ____,
    "power": lambda: ____ ** 2,
    "a numpy reduction": lambda: np.mean(____),
    "a numpy ufunc": lambda: np.exp(____),
    "np.asarray": lambda: np.asarray(____),
    "a call": lambda: ____(1),
    "an attribute": lambda: ____.shape,
    "indexing with it": lambda: np.arange(3)[____],
    "truth value": lambda: bool(____),
    "comparison": lambda: ____ < 1,
    "float()": lambda: float(____),
    "len()": lambda: len(____),
    "formatting": lambda: f"{____:.2f}",
    "the operator module": lambda: operator.mul(____, 2),
}


@pytest.mark.parametrize("use", BLANK_USES, ids=list(BLANK_USES))
def test_every_use_of_the_blank_raises_blank_error(use):
    with pytest.raises(BlankError, match="replace ____"):
        BLANK_USES[use]()


def test_the_blank_prints_as_itself_and_is_recognised():
    assert repr(____) == "____" and str(____) == "____"
    assert is_blank(____) and not is_blank(0)


# --- Verdict lines -------------------------------------------------------------------

def test_check_prints_one_line_from_the_notebook_namespace(capsys):
    exec('check("mse")', {"check": check, "mse": correct_mse})  # as a notebook cell runs
    assert capsys.readouterr().out == "✓ mse: correct\n"


def test_check_accepts_the_answer_explicitly(capsys):
    check("mse", lambda y_true, y_pred: 0.0)
    out = capsys.readouterr().out
    assert out.startswith("✗ mse: incorrect — ") and out.count("\n") == 1


def test_an_undefined_answer_is_not_attempted_rather_than_a_name_error(capsys):
    check("mse_gradients")
    out = capsys.readouterr().out
    assert out.startswith("○ mse_gradients: not attempted — mse_gradients is not defined")


def test_an_unknown_exercise_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown exercise 'mes'.*'mse'"):
        check("mes")


@pytest.mark.parametrize("status", ["correct", "incorrect", "not-attempted"])
def test_the_grader_reads_back_the_status_of_each_verdict_line(status):
    line = checks.Verdict("mse", status, "" if status == "correct" else "why").line
    assert status_of_line(line + "\n") == status


def test_a_line_that_is_not_a_verdict_has_no_status():
    assert status_of_line("Traceback (most recent call last):") is None
    assert status_of_line("") is None


def test_values_are_described_without_addresses_or_long_floats():
    assert describe(correct_mse) == "a function (function)"
    assert describe(2 / 3) == "0.66667"
    assert describe(np.array([1 / 3, 2.0])) == "[0.3333, 2. ]"
    assert "0x" not in describe(object())
    assert (describe((1.0,)), describe([1, 2.5]), describe(object())) == \
           ("(1,)", "[1, 2.5]", "an object")


# --- Comparing values -----------------------------------------------------------------

def test_compare_names_shapes_dtypes_and_the_largest_error():
    expected = np.zeros((3, 1))
    assert "shape (3,), expected shape (3, 1)" in compare(expected, np.zeros(3), 1e-6, 0)
    assert "dtype float64, expected float32" in compare(
        np.zeros(2, np.float32), np.zeros(2), 1e-6, 0, check_dtype=True)
    assert "largest error 0.5" in compare(np.array([1.0, 2.0]), np.array([1.0, 2.5]), 1e-6, 0)
    assert compare(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), 1e-6, 0) is None


def test_compare_explains_none_a_lone_array_and_nan():
    assert "forget `return`" in compare(1.0, None, 1e-6, 0)
    assert "should be a single number, got an array of shape (1,)" in compare(
        1.0, np.array([1.0]), 1e-6, 0)
    assert "NaN or infinity" in compare(np.ones(2), np.array([1.0, np.nan]), 1e-6, 0)


def test_tolerances_live_in_the_check():
    loose = ValueExercise("loose_value", 1.0, rtol=0, atol=0.1)
    tight = ValueExercise("tight_value", 1.0, rtol=0, atol=1e-6)
    assert loose.grade({"loose_value": 1.05}).passed
    assert not tight.grade({"tight_value": 1.05}).passed


def test_a_value_worked_out_by_hand_is_not_revealed_when_wrong():
    line = verdict("cost_by_hand", cost_by_hand=2.0).line
    assert line == "✗ cost_by_hand: incorrect — cost_by_hand = 2 is not right yet"


# --- Functions: edge cases, exceptions, mutation, output --------------------------------

def test_an_exception_in_the_answer_becomes_an_incorrect_verdict_with_its_message():
    def mse(y_true, y_pred):
        return 1 / 0

    line = verdict("mse", mse=mse).line
    assert line.startswith("✗ mse: incorrect — on mse(")
    assert line.endswith("raised ZeroDivisionError: division by zero")


def test_an_exception_message_is_shown_without_memory_addresses():
    def mse(y_true, y_pred):
        raise TypeError(f"cannot add {mse!r} and {object()!r}")

    line = verdict("mse", mse=mse).line
    assert "0x" not in line
    assert line.endswith("raised TypeError: cannot add <function "
                         "test_an_exception_message_is_shown_without_memory_addresses."
                         "<locals>.mse> and <object object>")


def test_sys_exit_inside_an_answer_is_incorrect_not_the_end_of_the_notebook():
    def mse(y_true, y_pred):
        raise SystemExit(3)

    assert "raised SystemExit: 3" in verdict("mse", mse=mse).line


@pytest.mark.parametrize("body", ["raise NotImplementedError()", "return np.mean(____)",
                                  "return ____"])
def test_an_unfinished_function_is_not_attempted(body):
    namespace = define(f"def mse(y_true, y_pred):\n    {body}\n")
    assert verdict("mse", **namespace).status == "not-attempted"


def test_a_function_that_returns_a_tuple_of_blanks_is_not_attempted():
    exercise = FunctionExercise("pair", reference=lambda a: (a, 2 * a), cases=[Case(1.0)])
    assert exercise.grade({"pair": lambda a: (____, ____)}).status == "not-attempted"
    assert exercise.grade({"pair": lambda a: (a, [____])}).status == "not-attempted"
    assert exercise.grade({"pair": lambda a: (a, 3 * a)}).status == "incorrect"


def test_a_result_of_shape_n_1_for_a_cost_is_reported_as_not_a_number():
    def mse(y_true, y_pred):
        return np.mean((y_pred - y_true) ** 2, axis=0)

    line = verdict("mse", mse=mse).line
    assert "shape (n, 1)" in line
    assert "the result should be a single number, got an array of shape (1,)" in line


def test_changing_an_input_in_place_is_caught():
    def mse(y_true, y_pred):
        y_pred -= y_true
        return float(np.mean(y_pred ** 2))

    assert "changed its argument y_pred in place" in verdict("mse", mse=mse).line


def test_what_an_answer_prints_or_warns_stays_out_of_the_check_cell(capsys):
    def mse(y_true, y_pred):
        print("debugging")
        np.log(-1.0)  # a RuntimeWarning
        return correct_mse(y_true, y_pred)

    check("mse", mse)
    captured = capsys.readouterr()
    assert captured.out == "✓ mse: correct\n" and captured.err == ""


def test_an_answer_too_odd_to_compare_still_gets_one_verdict_line(capsys):
    class Odd(list):
        def __len__(self):
            raise RuntimeError("no length")

    check("gradient_step", lambda w, b, X, y, learning_rate: Odd())
    assert capsys.readouterr().out == ("✗ gradient_step: incorrect — the check could not "
                                       "handle your answer (RuntimeError: no length)\n")


def test_an_answer_that_is_not_a_function_is_incorrect():
    assert "should be a function" in verdict("mse", mse=3.0).line


# --- Answers that reach for the checks themselves --------------------------------------

def _fake_correct(*args, **kwargs):
    return True


def test_rebinding_what_the_checks_use_is_undone_before_the_verdict(capsys):
    import builtins

    real_print, real_isclose = builtins.print, np.isclose
    try:
        np.isclose = _fake_correct                           # in an answer cell
        builtins.print = lambda *args, **kwargs: real_print("✓ mse: correct")
        checks.print = builtins.print
        check("cost_by_hand", 1.0)
    finally:
        np.isclose, builtins.print = real_isclose, real_print
        vars(checks).pop("print", None)
    assert capsys.readouterr().out.startswith("✗ cost_by_hand: incorrect")


def test_an_answer_that_rebinds_numpy_while_it_is_called_cannot_pass():
    real_isclose = np.isclose

    def mse(y_true, y_pred):
        np.isclose = _fake_correct
        return 0.0

    try:
        assert verdict("mse", mse=mse).status == "incorrect"
        assert np.isclose is real_isclose  # put back as soon as the answer returned
    finally:
        np.isclose = real_isclose


def test_the_guard_puts_back_deleted_names_and_objects_that_claim_to_be_equal():
    from course.checks import guard

    class EqualToEverything:
        def __eq__(self, other):
            return True

        __hash__ = object.__hash__

    real_mean, real_allclose = np.mean, np.allclose
    try:
        del np.mean                                # in an answer cell
        np.allclose = EqualToEverything()          # == would call this the same
        guard.restore()
        assert np.mean is real_mean and np.allclose is real_allclose
    finally:
        np.mean, np.allclose = real_mean, real_allclose


# --- Gradients ------------------------------------------------------------------------

_rng = np.random.default_rng(1)
_targets = _rng.standard_normal(5)
_predictions = _targets + _rng.standard_normal(5)

# The gradient of the MSE with respect to the predictions, as a gradient exercise.
MSE_GRADIENT = GradientExercise("mse_gradient", cost=losses.mse, cases=[
    Case(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0]), label="three examples"),
    Case(_targets, _predictions, label="random values"),
    Case(_targets.reshape(-1, 1), _predictions.reshape(-1, 1), label="shape (n, 1)"),
    Case(_targets.astype(np.float32), _predictions.astype(np.float32), label="float32"),
    Case(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 2.0], [5.0, 1.0]]),
         label="shape (n, 2)"),
])


def gradient_verdict(mse_gradient):
    return MSE_GRADIENT.grade({"mse_gradient": mse_gradient})


def test_a_gradient_is_compared_with_finite_differences():
    assert gradient_verdict(correct_mse_gradient).passed
    half = gradient_verdict(lambda t, p: (p - t) / p.size).line
    assert "expected: finite differences" in half and "largest error" in half


def test_a_gradient_must_keep_the_shape_and_dtype_of_y_pred():
    flat = gradient_verdict(lambda t, p: correct_mse_gradient(t, p).ravel())
    assert "shape (n, 1)" in flat.line and "has shape (5,), expected shape (5, 1)" in flat.line
    wide = gradient_verdict(lambda t, p: correct_mse_gradient(t, p).astype(np.float64))
    assert "float32" in wide.line and "dtype float64, expected float32" in wide.line


def test_a_gradient_divided_by_the_rows_instead_of_all_values_fails_on_n_by_2():
    line = gradient_verdict(lambda t, p: 2 * (p - t) / len(p)).line
    assert "shape (n, 2)" in line


def test_the_reference_gradients_of_a_linear_model_match_finite_differences():
    rng = np.random.default_rng(3)
    X, y = rng.uniform(0, 1, size=(7, 3)), rng.normal(100, 20, size=7)
    w, b = rng.normal(size=3), 5.0
    grad_w, grad_b = reference_mse_gradients(w, b, X, y)
    assert np.allclose(grad_w, numerical_gradient(lambda v: losses.mse(y, X @ v + b), w.copy()))
    assert np.isclose(grad_b, numerical_gradient(
        lambda v: losses.mse(y, X @ w + v[0]), np.array([b]))[0])


# --- Each check grades its own exercise only -----------------------------------------

def test_gradient_step_is_checked_with_the_reference_gradient():
    namespace = define(_answer_source("gradient_step"),
                       mse_gradients=lambda w, b, X, y: (np.zeros_like(w), 0.0))
    wrong_gradient = namespace["mse_gradients"]
    assert checks.grade("gradient_step", namespace).passed
    assert namespace["mse_gradients"] is wrong_gradient  # put back after the check


def test_gradient_step_still_uses_the_name_mse_gradients_when_the_student_never_defined_it():
    namespace = define(_answer_source("gradient_step"))
    assert "mse_gradients" not in namespace
    assert checks.grade("gradient_step", namespace).passed
    assert "mse_gradients" not in namespace


# --- Training behaviour -----------------------------------------------------------------

def test_a_loop_that_never_updates_the_model_does_not_bring_the_cost_down():
    namespace = define(checks.find("gradient_descent").wrong_answer)
    assert "the cost did not go down" in checks.grade("gradient_descent", namespace).line


def test_a_loop_that_stops_halfway_lands_outside_the_band():
    namespace = define("def gradient_descent(X, y, learning_rate, steps):\n"
                       "    w, b, costs = np.zeros(X.shape[1]), 0.0, []\n"
                       "    for step in range(steps):\n"
                       "        costs.append(mse(y, X @ w + b))\n"
                       "        if step < steps // 4:\n"
                       "            w, b = gradient_step(w, b, X, y, learning_rate)\n"
                       "    return costs\n")
    assert "expected between" in checks.grade("gradient_descent", namespace).line


def test_a_diverging_loop_reports_where_the_cost_blew_up():
    exercise = TrainingExercise(
        "diverging", reference=lambda steps: [1.0 / (k + 1) for k in range(steps)],
        case=Case(5))
    line = exercise.grade({"diverging": lambda steps: [1.0, 10.0, 1e300 * 1e10, 0, 0]}).line
    assert "the cost became inf at step 2" in line


def test_a_training_loop_must_return_one_cost_per_step():
    line = verdict("gradient_descent",
                   gradient_descent=lambda X, y, learning_rate, steps: [1.0, 0.5]).line
    assert "expected a list of 100 costs" in line


@pytest.mark.parametrize("rate", [0.3, 0.5, 0.7])
def test_any_learning_rate_that_gets_there_in_time_is_right(rate):
    assert verdict("learning_rate", learning_rate=rate).passed


@pytest.mark.parametrize("rate, says", [
    (0.01, "too small"), (0.27, "too small"), (0.74, "nearly too large"), (0.76, "too large"),
    (-0.5, "a positive number"), ("0.5", "should be a number")])
def test_a_learning_rate_is_judged_by_what_gradient_descent_does_with_it(rate, says):
    line = verdict("learning_rate", learning_rate=rate).line
    assert line.startswith("✗ learning_rate: incorrect") and says in line


def test_the_learning_rate_is_checked_on_the_scaled_cereals():
    X, y = scaled_cereals()
    assert X.shape == (76, 3) and X.min() == 0 and X.max() == 1 and y.shape == (76,)


# --- Hints and solutions ----------------------------------------------------------------

def test_hints_come_in_tiers_and_point_to_the_next(capsys):
    hint("mse")
    first = capsys.readouterr().out
    hint("mse", 2)
    second = capsys.readouterr().out
    assert first.startswith("Hint 1 of 3 for mse:") and "hint('mse', 2)" in first
    assert second.startswith("Hint 2 of 3 for mse:") and first != second
    hint("mse", 9)
    assert "hints 1 to 3" in capsys.readouterr().out


def test_solution_shows_the_reference_answer_without_markers(capsys):
    solution("gradient_step")
    shown = capsys.readouterr().out
    assert "def gradient_step(w, b, X, y, learning_rate):" in shown
    assert "new_w = w - learning_rate * grad_w" in shown
    assert "BLANK" not in shown and "BEGIN SOLUTION" not in shown


def test_solution_says_where_to_find_a_missing_solution_notebook(tmp_path, capsys,
                                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSE_SOLUTIONS_DIR", str(tmp_path))
    from course.notebooks.solutions import solution_source

    assert "was not found" in solution_source(checks.find("mse"), solutions_dir=tmp_path / "x")


# --- Every exercise: the solution passes, the blank is not attempted, a wrong answer fails ---

def test_exercise_names_are_unique_and_each_has_hints_and_a_wrong_answer():
    assert len({e.name for e in EXERCISES}) == len(EXERCISES)
    for exercise in EXERCISES:
        assert exercise.hints and exercise.wrong_answer, exercise.name


def _solution_notebook(unit):
    return json.loads((ROOT / "solutions" / f"{unit}.ipynb").read_text(encoding="utf-8"))


def _answer_source(name):
    exercise = checks.find(name)
    cells = answer_cells(_solution_notebook(exercise.unit), name)
    return "\n".join(to_solution(source_of(c)) for c in cells)


def _notebook_namespace(unit, transform):
    """Run a solution notebook's setup and answer cells (transformed) in one namespace."""
    namespace = {}
    for cell in _solution_notebook(unit)["cells"]:
        if cell["cell_type"] != "code" or exercise_of(cell) and not is_answer(cell):
            continue
        source = transform(source_of(cell)) if is_answer(cell) else source_of(cell)
        if cell["id"] == "setup" or is_answer(cell):
            exec(source, namespace)
    return namespace


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.name for e in EXERCISES])
def test_the_solution_passes_its_check(exercise):
    namespace = _notebook_namespace(exercise.unit, to_solution)
    assert exercise.grade(namespace).line == f"✓ {exercise.name}: correct"


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.name for e in EXERCISES])
def test_the_blank_exercise_is_not_attempted(exercise):
    namespace = _notebook_namespace(exercise.unit, to_exercise)
    assert exercise.grade(namespace).status == "not-attempted"


@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.name for e in EXERCISES])
def test_a_known_wrong_answer_fails_its_check(exercise):
    namespace = _notebook_namespace(exercise.unit, to_solution)
    exec(exercise.wrong_answer, namespace)
    assert exercise.grade(namespace).status == "incorrect"


MISTAKES = [(e, m) for e in EXERCISES for m in e.mistakes if m.example is not None]


def test_every_exercise_names_a_mistake_that_an_example_makes():
    for exercise in EXERCISES:
        assert any(m.example for m in exercise.mistakes), exercise.name


@pytest.mark.parametrize("exercise, mistake", MISTAKES,
                         ids=[f"{e.name}: {m.says[:40]}" for e, m in MISTAKES])
def test_the_example_of_a_mistake_gets_a_verdict_that_names_it(exercise, mistake):
    namespace = _notebook_namespace(exercise.unit, to_solution)
    exec(mistake.example, namespace)
    verdict = exercise.grade(namespace)
    assert verdict.status == "incorrect"
    assert verdict.detail.startswith(mistake.says), verdict.detail


def test_every_solution_notebook_has_a_check_module():
    units = {e.unit for e in EXERCISES}
    assert {p.stem for p in SOLUTIONS} <= units
    assert SOLUTIONS, "no solution notebooks found"


def test_a_function_exercise_compares_tuples_item_by_item():
    exercise = FunctionExercise("pair", reference=lambda a: (a, 2 * a), cases=[Case(1.0)])
    assert exercise.grade({"pair": lambda a: (a, 2 * a)}).passed
    line = exercise.grade({"pair": lambda a: (a, 3 * a)}).line
    assert "value 2 of the 2 returned: expected 2, got 3" in line
    assert "the result should be 2 values" in exercise.grade({"pair": lambda a: a}).line
    line = exercise.grade({"pair": lambda a: (object(), a)}).line
    assert line.endswith("value 1 of the 2 returned should be a number, got an object")


def test_an_input_that_holds_arrays_is_unchanged_unless_an_array_in_it_changes():
    params = {"w": np.ones(2), "b": (np.zeros(1), [np.ones(1)])}
    exercise = FunctionExercise("total", reference=lambda p: float(p["w"].sum()),
                                cases=[Case(params)])
    assert exercise.grade({"total": lambda p: float(p["w"].sum())}).passed

    def total(p):
        p["b"][1][0] += 1
        return float(p["w"].sum())

    assert "changed its argument p in place" in exercise.grade({"total": total}).detail


def test_checks_never_mutate_their_own_inputs():
    exercise = checks.find("mse")
    before = [np.copy(a) for case in exercise.cases for a in case.args]

    def mse(y_true, y_pred):
        y_true[...] = 0
        return 0.0

    exercise.grade({"mse": mse})
    after = [a for case in exercise.cases for a in case.args]
    assert all(np.array_equal(b, a) for b, a in zip(before, after))



# --- Named mistakes ------------------------------------------------------------

def _mean_square(y_true, y_pred):
    return float(np.mean((y_pred - y_true) ** 2))


SUMMED = Mistake("the cost is n times too large: did you sum instead of averaging?",
                 answer=lambda y_true, y_pred: float(np.sum((y_pred - y_true) ** 2)),
                 example="def cost(y_true, y_pred):\n    return np.sum((y_pred - y_true) ** 2)")


def _cost_exercise():
    cases = [Case(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0]), label="three")]
    return FunctionExercise("cost", reference=_mean_square, cases=cases, mistakes=[SUMMED])


def test_a_wrong_answer_that_makes_a_known_mistake_is_told_which():
    namespace = define(SUMMED.example)
    verdict = _cost_exercise().grade(namespace)
    assert verdict.status == "incorrect"
    assert verdict.detail == ("the cost is n times too large: did you sum instead of "
                              "averaging? (on cost(y_true=[1., 2., 3.], y_pred=[1., 2., 5.]) "
                              "(three): expected 1.3333, got 4)")


def test_a_wrong_answer_that_makes_no_known_mistake_is_told_only_what_differs():
    verdict = _cost_exercise().grade({"cost": lambda y_true, y_pred: 7.0})
    assert verdict.detail.startswith("on cost(") and "n times" not in verdict.detail


def test_a_right_answer_is_never_taken_for_a_mistake():
    assert _cost_exercise().grade({"cost": _mean_square}).passed


def test_a_mistaken_value_is_named_without_revealing_the_right_one():
    exercise = ValueExercise("by_hand", expected=5 / 3, mistakes=[
        Mistake("you added the errors without squaring them", answer=1.0)])
    detail = exercise.grade({"by_hand": 1.0}).detail
    assert detail == "you added the errors without squaring them (by_hand = 1 is not right yet)"
    assert "1.6667" not in detail


def test_a_gradient_with_its_sign_flipped_or_halved_is_named_in_every_gradient_exercise():
    exercise = GradientExercise("grad", cost=_mean_square,
                                cases=[Case(np.array([1.0, 2.0]), np.array([0.0, 4.0]))])
    flipped = exercise.grade({"grad": lambda y_true, y_pred: (y_true - y_pred)}).detail
    assert flipped.startswith("your gradient points the wrong way")
    halved = exercise.grade({"grad": lambda y_true, y_pred: (y_pred - y_true) / 2}).detail
    assert halved.startswith("your gradient is exactly half the right one")


def test_scaled_compares_tuples_item_by_item_and_never_matches_all_zeros():
    assert scaled(-1)((1.0, np.array([2.0])), (-1.0, np.array([-2.0])))
    assert not scaled(-1)((1.0, 2.0), (-1.0, 2.0))
    assert not scaled(2)(np.zeros(3), np.zeros(3))
    assert not scaled(2)(np.ones(3), np.ones(2))


def test_a_relation_that_cannot_handle_the_answer_is_simply_not_the_mistake():
    mistake = Mistake("odd", when=scaled(2))
    assert not mistake.made_by(object(), np.ones(2))


def test_a_training_loop_that_makes_a_known_mistake_is_named():
    def reference(steps):
        return list(np.linspace(1.0, 0.1, steps) + 0.001 * np.random.standard_normal(steps))

    def one_step_short(steps):
        return list(np.linspace(1.0, 0.1, steps - 1)) + [0.1 + 0.5]

    exercise = TrainingExercise("loop", reference=reference, case=Case(5), band=0.1,
                                mistakes=[Mistake("the last step is lost", answer=one_step_short,
                                                  rtol=1e-3)])
    verdict = exercise.grade({"loop": one_step_short})
    assert verdict.detail.startswith("the last step is lost (on loop(")


def test_a_mistake_needs_either_an_answer_or_a_relation():
    with pytest.raises(ValueError, match="exactly one of answer="):
        Mistake("neither")
    with pytest.raises(ValueError, match="exactly one of answer="):
        Mistake("both", answer=1.0, when=scaled(2))


def test_an_error_that_a_known_mistake_raises_is_named_before_the_error():
    def negated_labels(labels):
        return float(np.mean(-labels))

    exercise = FunctionExercise(
        "cost", reference=lambda labels: float(np.mean(-np.asarray(labels, dtype=float))),
        cases=[Case(np.array([True, False]), label="True/False")],
        mistakes=[Mistake("cast the labels to float first",
                          when=raised("TypeError", "numpy boolean"))])
    detail = exercise.grade({"cost": negated_labels}).detail
    assert detail.startswith("cast the labels to float first (on cost(labels=[ True, False]) "
                             "(True/False): raised TypeError: The numpy boolean negative")
    other = exercise.grade({"cost": lambda labels: 1 / 0}).detail
    assert other.startswith("on cost(") and "cast the labels" not in other


def test_a_relation_on_values_never_takes_an_error_for_a_mistake():
    exercise = FunctionExercise("cost", reference=_mean_square,
                                cases=[Case(np.array([1.0]), np.array([2.0]))],
                                mistakes=[SUMMED, Mistake("flipped", when=scaled(-1))])
    detail = exercise.grade({"cost": lambda y_true, y_pred: 1 / 0}).detail
    assert detail.startswith("on cost(") and "raised ZeroDivisionError" in detail


def test_a_loop_that_records_the_cost_after_each_step_is_told_so():
    def reference(steps):
        return [1.0 / (k + 1) for k in range(steps)]

    def after(steps):
        return [1.0 / (k + 2) for k in range(steps)]      # one step late, same band

    exercise = TrainingExercise("loop", reference=reference, case=Case(50), band=0.1)
    detail = exercise.grade({"loop": after}).detail
    assert "the first cost you recorded is 0.5, but before the first step it is 1" in detail
    assert exercise.grade({"loop": reference}).passed
