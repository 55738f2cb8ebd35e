"""`course build`: exercises made from solutions, byte-stable, and stale files caught."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course.notebooks.build import _failed_cell_report, check_markup, execute, make_exercise
from course.notebooks.cells import (MarkupError, answer_cells, check_cells, exercise_of,
                                    is_answer, source_of, to_exercise, to_solution)

ROOT = Path(__file__).resolve().parent.parent
UNIT = "01_loss_and_cost"


def course(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "course", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


# --- Blanks from markers ------------------------------------------------------------

def test_a_one_line_blank_replaces_its_text_and_drops_the_marker():
    source = "    return float(np.mean(errors ** 2))  # BLANK: errors ** 2"
    assert to_exercise(source) == "    return float(np.mean(____))"


def test_a_block_becomes_your_code_here_at_its_own_indentation():
    source = ("def f(x):\n"
              "    y = 1\n"
              "    # BEGIN SOLUTION\n"
              "    y = x + 1\n"
              "    y = y * 2  # BLANK: y * 2\n"
              "    # END SOLUTION\n"
              "    return y")
    assert to_exercise(source) == ("def f(x):\n"
                                   "    y = 1\n"
                                   "    # YOUR CODE HERE\n"
                                   "    raise NotImplementedError()\n"
                                   "    return y")


def test_the_solution_view_keeps_the_code_and_drops_the_markers():
    source = "# BEGIN SOLUTION\nx = 1\n# END SOLUTION\ny = x + 2  # BLANK: x + 2"
    assert to_solution(source) == "x = 1\ny = x + 2"


@pytest.mark.parametrize("source, message", [
    ("y = x + 1  # BLANK: x * 2", "does not appear"),
    ("y = x + x  # BLANK: x", "appears 2 times"),
    ("# BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n# END SOLUTION", "without a # BEGIN SOLUTION"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside another block"),
])
def test_bad_markers_are_errors_that_say_where(source, message):
    with pytest.raises(MarkupError, match=message) as error:
        to_exercise(source, "cell 'x'")
    assert "cell 'x', line" in str(error.value) or "cell 'x':" in str(error.value)


# --- Markup of a solution notebook ------------------------------------------------------

def _cell(cell_id, source, tags=()):
    cell = new_code_cell(source)
    cell.id = cell_id
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _unit_notebook(**replace):
    """A minimal correct solution notebook for the mse exercise only, with cells replaced."""
    cells = {
        "setup": _cell("setup", "import numpy as np\nfrom course.checks import check, ____"),
        "answer": _cell("mse-answer", "def mse(t, p):\n    return float(np.mean((p - t) ** 2))"
                                      "  # BLANK: (p - t) ** 2", ["answer", "exercise:mse"]),
        "check": _cell("mse-check", 'check("mse")',
                       ["check", "exercise:mse", "nbval-check-output"]),
    }
    cells.update(replace)
    notebook = new_notebook(cells=[c for c in cells.values() if c is not None])
    notebook.metadata["course"] = {"unit": UNIT}
    return notebook


def _problems(notebook):
    with pytest.raises(MarkupError) as error:
        check_markup(notebook, UNIT)
    return str(error.value)


def test_markup_problems_are_all_listed_together():
    notebook = _unit_notebook(check=_cell("mse-check", 'check("mse")', ["check", "exercise:mse"]))
    notebook.cells[0].id = ""
    message = _problems(notebook)
    assert "cell 0 has no id" in message
    assert "needs the 'nbval-check-output' tag" in message
    assert "exercise 'cost_by_hand' has no answer cell" in message


def test_an_answer_cell_without_markers_would_leak_the_answer():
    answer = _cell("mse-answer", "def mse(t, p):\n    return 0.0", ["answer", "exercise:mse"])
    assert "would show the answer" in _problems(_unit_notebook(answer=answer))


def test_duplicate_ids_and_unknown_exercises_are_markup_errors():
    notebook = _unit_notebook(extra=_cell("extra", "x = 1  # BLANK: 1",
                                          ["answer", "exercise:nope"]))
    notebook.cells[-1]["id"] = "setup"
    message = _problems(notebook)
    assert "the id is used twice" in message
    assert "exercise 'nope' is not defined" in message


def test_a_check_cell_must_check_the_exercise_it_is_tagged_with():
    check = _cell("mse-check", 'check("cost_by_hand")',
                  ["check", "exercise:mse", "nbval-check-output"])
    assert 'does not call check("mse")' in _problems(_unit_notebook(check=check))


def test_a_check_call_in_a_cell_without_tags_is_a_markup_error():
    notebook = _unit_notebook(extra=_cell("again", 'check("mse")'))
    assert "cell 3 ('again'): calls check() but has no 'check' tag" in _problems(notebook)


def test_a_failing_solution_cell_is_named_with_a_plain_traceback():
    notebook = _unit_notebook()
    notebook.cells[1].outputs = [nbformat.v4.new_output(
        "error", ename="ZeroDivisionError", evalue="division by zero",
        traceback=["\x1b[31mZeroDivisionError\x1b[39m Traceback", "----> 1 1 / 0"])]
    report = _failed_cell_report(notebook)
    assert report.startswith("the cell 'mse-answer' of the solution raised "
                             "ZeroDivisionError: division by zero\n")
    assert "\x1b" not in report and "----> 1 1 / 0" in report


def test_a_print_that_arrives_in_pieces_is_stored_as_one_output(tmp_path):
    source = ("import sys, time\nprint('a', end='')\nsys.stdout.flush()\n"
              "time.sleep(0.2)\nprint('b')")
    executed = execute(new_notebook(cells=[new_code_cell(source)]), tmp_path)
    assert executed.cells[0].outputs == [
        nbformat.v4.new_output("stream", name="stdout", text="ab\n")]


def test_a_notebook_without_a_check_module_is_refused():
    with pytest.raises(MarkupError, match="no module in course.checks defines UNIT = '99_x'"):
        check_markup(new_notebook(cells=[new_markdown_cell("hi")]), "99_x")


# --- The exercise notebook in the repository -------------------------------------------------

def _read(folder):
    return json.loads((ROOT / folder / f"{UNIT}.ipynb").read_text(encoding="utf-8"))


def test_the_exercise_keeps_every_cell_id_and_tag_but_no_output():
    solution, exercise = _read("solutions"), _read("exercises")
    assert [c["id"] for c in exercise["cells"]] == [c["id"] for c in solution["cells"]]
    assert [c["metadata"].get("tags") for c in exercise["cells"]] == \
           [c["metadata"].get("tags") for c in solution["cells"]]
    code = [c for c in exercise["cells"] if c["cell_type"] == "code"]
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert exercise["metadata"]["course"]["role"] == "exercise"
    assert exercise["metadata"]["course"]["unit"] == UNIT


def test_the_exercise_does_not_leak_the_answers():
    solution, exercise = _read("solutions"), _read("exercises")
    exercise_code = "\n".join(source_of(c) for c in exercise["cells"] if c["cell_type"] == "code")
    assert "BLANK" not in exercise_code and "SOLUTION" not in exercise_code
    for cell in answer_cells(solution):
        hidden = set(to_solution(source_of(cell)).splitlines()) - set(
            to_exercise(source_of(cell)).splitlines())
        for line in hidden:
            assert line.strip() not in exercise_code, line


def test_the_solution_stores_a_correct_verdict_under_every_check():
    solution = _read("solutions")
    for cell in check_cells(solution):
        assert [o["text"] for o in cell["outputs"]] == [[f"✓ {exercise_of(cell)}: correct\n"]]


def test_make_exercise_blanks_only_answer_cells():
    notebook = _unit_notebook()
    notebook.metadata["course"]["role"] = "solution"
    exercise = make_exercise(notebook)
    answer = [c for c in exercise.cells if is_answer(c)][0]
    assert answer.source.endswith("return float(np.mean(____))")
    assert exercise.cells[0].source == notebook.cells[0].source


# --- The command ------------------------------------------------------------------------

def test_build_check_passes_on_the_repository():
    result = course("build", "--check")
    assert result.returncode == 0, result.stderr


@pytest.fixture
def project_copy(tmp_path):
    for folder in ("solutions", "exercises"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_build_check_names_a_stale_exercise_and_a_stale_solution_output(project_copy):
    exercise = project_copy / "exercises" / f"{UNIT}.ipynb"
    exercise.write_text(exercise.read_text().replace("# YOUR CODE HERE", "# your code"))
    solution = project_copy / "solutions" / f"{UNIT}.ipynb"
    solution.write_text(solution.read_text().replace("✓ mse: correct", "✓ mse: forged"))

    result = course("build", "--check", cwd=project_copy)

    assert result.returncode == 1
    assert f"solutions/{UNIT}.ipynb" in result.stderr
    assert f"exercises/{UNIT}.ipynb" in result.stderr
    assert "✓ mse: forged" in solution.read_text()  # --check writes nothing

    assert course("build", cwd=project_copy).returncode == 0
    rebuilt = {p: p.read_bytes() for p in (exercise, solution)}
    assert rebuilt[exercise] == (ROOT / "exercises" / f"{UNIT}.ipynb").read_bytes()
    assert rebuilt[solution] == (ROOT / "solutions" / f"{UNIT}.ipynb").read_bytes()

    again = course("build", cwd=project_copy)
    assert again.returncode == 0 and "unchanged" in again.stdout
    assert {p: p.read_bytes() for p in rebuilt} == rebuilt


def test_build_refuses_a_solution_that_fails_its_own_check(project_copy):
    solution = project_copy / "solutions" / f"{UNIT}.ipynb"
    notebook = nbformat.read(solution, as_version=4)
    for cell in notebook.cells:
        if cell.get("id") == "mse-answer":
            cell.source = cell.source.replace("errors ** 2))", "errors))")
            cell.source = cell.source.replace("# BLANK: errors ** 2", "# BLANK: errors")
    nbformat.write(notebook, solution)

    result = course("build", cwd=project_copy)

    assert result.returncode == 2
    assert "'mse-check'" in result.stderr and "did not print a correct verdict" in result.stderr


def test_an_exercise_without_a_solution_is_stale(project_copy):
    shutil.copy(project_copy / "exercises" / f"{UNIT}.ipynb",
                project_copy / "exercises" / "02_orphan.ipynb")
    result = course("build", "--check", cwd=project_copy)
    assert result.returncode == 1 and "02_orphan.ipynb has no solution" in result.stderr
