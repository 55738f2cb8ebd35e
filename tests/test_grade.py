"""`course grade`: reading submissions, taking answers by id, the gradebook.

Most tests need no kernel. One grades a single notebook the way a student
would, to show they see the instructor's verdicts. The hostile submissions
are in tests/test_grade_hostile.py.
"""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course.notebooks.grade import RESET_BEFORE_CHECK, load_units, merge
from course.notebooks.gradebook import (Row, exercise_summary, feedback, row_line, summary_table,
                                        write_gradebook)
from course.notebooks.submissions import (collect, read_submission, review_flags, take_answers,
                                          unit_of)
from course.checks.markup import check_cells, source_of
from fixtures.submissions import (EXERCISES, FIRST, UNIT, answer_id, exercise_notebook, fill,
                                  solution_answers, solution_notebook, wrong_answers, write)

SECOND, LAST = EXERCISES[1], EXERCISES[-1]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def units():
    return load_units(ROOT / "solutions")


def course(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "course", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


# --- Reading submissions -------------------------------------------------------------

@pytest.mark.parametrize("content, problem", [
    (b'{"cells": [', "not valid JSON"),
    (b'["a", "list"]', "not a Jupyter notebook"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not valid JSON"),
    (json.dumps({"nbformat": 5, "nbformat_minor": 0, "cells": []}).encode(), "newer than"),
])
def test_unreadable_submissions_say_why(tmp_path, content, problem):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content)
    submission = read_submission(path)
    assert submission.notebook is None and problem in submission.problem


@pytest.mark.parametrize("encode", [
    lambda text: text.encode("utf-8-sig"),
    lambda text: text.encode("utf-16"),
], ids=["utf-8 with a byte-order mark", "utf-16"])
def test_notebooks_in_the_encodings_json_allows_are_read(tmp_path, encode):
    path = tmp_path / "s.ipynb"
    path.write_bytes(encode(json.dumps(exercise_notebook(), ensure_ascii=False)))
    assert read_submission(path).notebook["cells"]


def test_a_notebook_saved_in_another_encoding_is_read_and_the_damage_noted(tmp_path, units):
    notebook = fill(exercise_notebook(), {answer_id(SECOND): f"# café\n{SECOND} = None"})
    path = tmp_path / "s.ipynb"
    path.write_bytes(json.dumps(notebook, ensure_ascii=False).encode("cp1252", "replace"))
    answers = take_answers(units[UNIT], read_submission(path))
    assert answers.sources[answer_id(SECOND)] == f"# caf\ufffd\n{SECOND} = None"
    assert "not saved as UTF-8" in answers.notes[SECOND][0]


def test_stored_outputs_are_dropped_and_only_a_huge_file_is_refused(tmp_path, monkeypatch):
    notebook = exercise_notebook()
    notebook["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                        "text": "x" * 5000}]
    path = write(tmp_path / "s.ipynb", notebook)
    assert all("outputs" not in c for c in read_submission(path).notebook["cells"])
    monkeypatch.setattr("course.notebooks.submissions.MAX_SUBMISSION_BYTES", 4000)
    assert "clear the outputs" in read_submission(path).problem


def test_an_old_notebook_is_upgraded_and_known_to_have_no_ids(tmp_path):
    old = nbformat.convert(nbformat.from_dict(exercise_notebook()), 3)
    submission = read_submission(write(tmp_path / "old.ipynb", old))
    assert submission.problem is None and not submission.has_ids
    assert all("id" not in c for c in submission.notebook["cells"])


def test_the_unit_comes_from_metadata_then_cell_ids_then_the_file_name(tmp_path, units):
    notebook = exercise_notebook()
    assert unit_of(read_submission(write(tmp_path / "any name.ipynb", notebook)),
                   units).name == UNIT
    del notebook["metadata"]["course"]
    assert unit_of(read_submission(write(tmp_path / "x.ipynb", notebook)), units).name == UNIT
    notebook["cells"] = []
    assert unit_of(read_submission(write(tmp_path / "x.ipynb", notebook)), units) is None
    assert unit_of(read_submission(write(tmp_path / "alice_01.ipynb", notebook)),
                   units).name == UNIT


def test_folders_are_searched_and_submissions_named_relative_to_them(tmp_path):
    (tmp_path / "bob").mkdir()
    (tmp_path / ".ipynb_checkpoints").mkdir()
    for name in ("alice.ipynb", "bob/unit1.ipynb", ".ipynb_checkpoints/alice.ipynb", "notes.txt"):
        (tmp_path / name).write_text("{}")
    assert list(collect([tmp_path])) == ["alice.ipynb", "bob/unit1.ipynb"]


# --- Taking the answers ------------------------------------------------------------------

def _submission(tmp_path, notebook):
    return read_submission(write(tmp_path / "s.ipynb", notebook))


def test_answers_are_taken_by_id_and_everything_else_comes_from_the_solution(tmp_path, units):
    unit = units[UNIT]
    notebook = fill(exercise_notebook(), {answer_id(SECOND): f"{SECOND} = 0.0"})
    for cell in notebook["cells"]:
        if cell["id"] == "setup":
            cell["source"] = "import os; os.remove('everything')"
    answers = take_answers(unit, _submission(tmp_path, notebook))
    merged = merge(unit, answers.sources)
    cells = {c["id"]: c for c in merged["cells"]}
    assert cells[answer_id(SECOND)]["source"] == f"{SECOND} = 0.0"
    assert cells[answer_id(SECOND)]["outputs"] == []
    assert "os.remove" not in cells["setup"]["source"]
    [check] = check_cells(merged, SECOND)
    [reference] = check_cells(solution_notebook(), SECOND)
    assert check["source"] == RESET_BEFORE_CHECK + source_of(reference)
    assert "".join(check["outputs"][0]["text"]) == f"✓ {SECOND}: correct\n"
    assert answers.notes == answers.review == {name: [] for name, _ in unit.exercises}


def test_without_ids_answers_are_found_by_their_tags(tmp_path, units):
    notebook = fill(exercise_notebook(), solution_answers())
    for cell in notebook["cells"]:
        cell.pop("id")
    notebook["nbformat_minor"] = 4
    answers = take_answers(units[UNIT], _submission(tmp_path, notebook))
    assert answers.sources == solution_answers()


def test_a_missing_answer_is_graded_as_the_blank_with_a_note(tmp_path, units):
    notebook = exercise_notebook()
    notebook["cells"] = [c for c in notebook["cells"] if c["id"] != answer_id(LAST)]
    answers = take_answers(units[UNIT], _submission(tmp_path, notebook))
    assert answers.sources[answer_id(LAST)] == units[UNIT].blanks[answer_id(LAST)]
    assert answers.notes[LAST] == [f"the answer cell '{answer_id(LAST)}' is missing; it was "
                                      "graded as left blank"]


def test_an_answer_cell_turned_into_markdown_is_not_run(tmp_path, units):
    notebook = fill(exercise_notebook(), solution_answers())
    for cell in notebook["cells"]:
        if cell["id"] == answer_id(SECOND):
            cell["cell_type"] = "markdown"
            del cell["outputs"], cell["execution_count"]
    answers = take_answers(units[UNIT], _submission(tmp_path, notebook))
    assert answers.sources[answer_id(SECOND)] == units[UNIT].blanks[answer_id(SECOND)]
    assert "no longer a code cell" in answers.notes[SECOND][0]


def test_names_defined_in_cells_grading_does_not_run_are_known(tmp_path, units):
    uses_a_helper = f"def {SECOND}(t, p):\n    return sq(p - t)"
    notebook = fill(exercise_notebook(), {answer_id(SECOND): uses_a_helper})
    notebook["cells"].insert(3, nbformat.v4.new_code_cell("def sq(e):\n    return e ** 2"))
    answers = take_answers(units[UNIT], _submission(tmp_path, notebook))
    assert "sq" in answers.elsewhere and SECOND not in answers.elsewhere


@pytest.mark.parametrize("source, flag", [
    ("def check(name):\n    pass", "redefines check"),
    ("from builtins import print as p", "uses builtins"),
    ("import course.checks\ncourse.checks.check = None", "changes course.checks.check"),
    ("from course.checks import kinds", "uses course.checks"),
    ("import sys\nsys.stdout = None", "changes sys.stdout"),
    ("get_ipython().input_transformers_post.append(len)", "uses get_ipython"),
    ("np.isclose = lambda *a, **k: True", "changes np.isclose"),
    ("import numpy as n\nsetattr(n.random, 'seed', print)", "changes n.random"),
    ("del np.allclose", "changes np.allclose"),
])
def test_answers_that_reach_for_the_grading_machinery_are_flagged(source, flag):
    assert flag in review_flags(source)


def test_a_flag_names_what_was_changed_once():
    assert review_flags("import builtins\nbuiltins.print = len") == ["changes builtins.print"]


def test_ordinary_answers_are_not_flagged():
    assert all(review_flags(source) == [] for source in solution_answers().values())
    assert review_flags("def broken(:") == []
    assert review_flags("class Line:\n    def fit(self, x):\n        self.w = x.mean()") == []


# --- The gradebook ---------------------------------------------------------------------

ROWS = [
    Row("alice.ipynb", UNIT, "mse", "correct", 1, 1, "✓ mse: correct", "changes np.isclose"),
    Row("alice.ipynb", UNIT, "train", "error", 0, 1, "The answer cell raised KeyError: 'x'."),
    Row("bob/01.ipynb", UNIT, "mse", "incorrect", 0, 1, "✗ mse: incorrect — expected 1, got 2"),
    Row("bob/01.ipynb", UNIT, "train", "not-attempted", 0, 1, "○ train: not attempted — ..."),
    Row("essay.ipynb", "", "", "error", 0, 0, "The file is JSON but not a Jupyter notebook."),
]


def test_the_gradebook_has_a_row_per_submission_and_exercise(tmp_path):
    write_gradebook(ROWS, tmp_path)
    with open(tmp_path / "grades.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["submission", "notebook", "exercise", "status", "points",
                             "max_points", "message", "review", "override"]
    assert [(r["submission"], r["exercise"], r["status"]) for r in rows] == \
           [(r.submission, r.exercise, r.status) for r in ROWS]
    report = json.loads((tmp_path / "grades.json").read_text())
    assert [(s["submission"], s["points"], s["max_points"]) for s in report["submissions"]] == \
           [("alice.ipynb", 1, 2), ("bob/01.ipynb", 0, 2), ("essay.ipynb", 0, 0)]
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == \
           ["alice.md", "bob__01.md", "essay.md"]


def test_pass_rates_count_every_status():
    mse, train = exercise_summary(ROWS)
    assert (mse["exercise"], mse["correct"], mse["incorrect"], mse["pass_rate"]) == \
           ("mse", 1, 1, 0.5)
    assert (train["error"], train["not-attempted"], train["pass_rate"]) == (1, 1, 0.0)
    table = summary_table(ROWS)
    assert "mse" in table and "50%" in table
    assert "1 submission(s) could not be graded at all" in table and "essay.ipynb" in table
    assert "1 submission(s) flagged for review" in table and "alice.ipynb (mse)" in table


def test_feedback_reads_by_exercise_with_the_verdict_or_the_error():
    text = feedback("alice.ipynb", ROWS[:2])
    assert "Score: 1 / 2." in text
    assert ("## mse: correct (1 / 1)\n\n✓ mse: correct\n\n"
            "Flagged for review: the answer changes np.isclose.") in text
    assert "## train: error (0 / 1)\n\nThe answer cell raised KeyError: 'x'." in text


def test_a_gradebook_that_cannot_be_written_where_asked_is_written_elsewhere(tmp_path, capsys):
    from course.notebooks.commands import _write_gradebook_somewhere

    (tmp_path / "grades.csv").mkdir()  # as a submission could have done while it ran
    out = _write_gradebook_somewhere(ROWS, tmp_path)
    try:
        assert out != tmp_path and (out / "grades.csv").is_file()
        assert f"it was written to {out}/ instead" in capsys.readouterr().err
    finally:
        shutil.rmtree(out)


def test_rows_print_as_verdict_lines():
    assert row_line(ROWS[0]) == "✓ mse: correct"
    assert row_line(ROWS[1]) == "! train: error — The answer cell raised KeyError: 'x'."


# --- The command ----------------------------------------------------------------------------

def test_grading_cannot_run_without_solutions_or_submissions(tmp_path):
    missing = course("grade", str(tmp_path), "--solutions", str(tmp_path / "none"))
    assert missing.returncode == 2 and "no solutions folder" in missing.stderr
    empty = course("grade", str(tmp_path), "--out", str(tmp_path / "out"))
    assert empty.returncode == 2 and "no notebooks to grade" in empty.stderr
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / f"{UNIT}.ipynb").write_text(
        json.dumps(exercise_notebook()), encoding="utf-8")
    write(tmp_path / "s.ipynb", exercise_notebook())
    unbuilt = course("grade", str(tmp_path / "s.ipynb"), "--solutions",
                     str(tmp_path / "solutions"), "--out", str(tmp_path / "out"))
    assert unbuilt.returncode == 2 and "run `course build` first" in unbuilt.stderr


def test_a_student_grading_their_own_notebook_sees_the_instructors_verdicts(tmp_path):
    mine = write(tmp_path / "my attempt.ipynb",
                 fill(exercise_notebook(), {**wrong_answers(), **{
                     answer_id(FIRST): solution_answers()[answer_id(FIRST)]}}))
    result = course("grade", str(mine), "--out", str(tmp_path / "grades"), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "grades" / "grades.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [r["status"] for r in rows] == ["correct"] + ["incorrect"] * (len(EXERCISES) - 1)
    for row in rows:
        assert f"    {row['message']}\n" in result.stdout
    points = float(rows[0]["points"])
    most = sum(float(r["max_points"]) for r in rows)
    assert f"my attempt.ipynb: {points:g} / {most:g}" in result.stdout


def test_the_nbval_method_that_grading_replaces_still_has_the_shape_it_expects():
    """nbval_report swaps nbval.kernel.RunningKernel.await_reply for one that notices a
    dead kernel; it relies on the method's arguments and on the kernel's
    get_message(stream=..., timeout=...) and is_alive()."""
    import inspect

    from nbval.kernel import RunningKernel

    from course.notebooks import nbval_report

    assert list(inspect.signature(RunningKernel.await_reply).parameters) == \
        ["self", "msg_id", "timeout"]
    assert {"stream", "timeout"} <= set(inspect.signature(RunningKernel.get_message).parameters)
    assert callable(RunningKernel.is_alive)
    source = inspect.getsource(nbval_report._notice_dead_kernels)
    assert "RunningKernel.await_reply = await_reply" in source


def test_course_checks_never_imports_course_notebooks():
    """The dependency runs one way: the notebook tools use the checks and their markup."""
    import ast

    for path in sorted((ROOT / "course" / "checks").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module] + \
                   [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                    for alias in node.names]
        assert not [m for m in imported if m.startswith("course.notebooks")], path.name


def test_a_run_whose_kernel_never_started_is_made_once_more(monkeypatch):
    from course.notebooks import sandbox

    logs = iter(["ERROR notebook.ipynb::Cell 0 - RuntimeError: Kernel didn't respond in 60 "
                 "seconds", "1 passed"])
    runs = []

    def once(notebook, limits, name, box):
        runs.append(name)
        return sandbox.RunResult(log=next(logs))

    monkeypatch.setattr(sandbox, "_run_nbval_once", once)
    assert sandbox.run_nbval({}, sandbox.Limits()).log == "1 passed" and len(runs) == 2
