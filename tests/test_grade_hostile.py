"""Bad and hostile submissions, graded in one batch: every submission gives its
rows, the batch goes on, nothing one submission does changes another's grade,
and no answer raises its own grade by tampering with its checks.

Grading spins a kernel per submission, so the whole batch runs once per test
session (two at a time, fixtures/once.py) and each test asserts on its rows.
"""

import copy
import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from fixtures.once import computed_once
from fixtures.submissions import (EXERCISES, FIRST, HELPER_ANSWER, UNIT, all_correct_except,
                                  answer_id, correct_after, correct_but, exercise_notebook,
                                  fill, index_rows, solution_answers, solution_notebook,
                                  statuses, wrong_answers, write)

ROOT = Path(__file__).resolve().parent.parent
# Each kind of breakage goes to one exercise of the unit, by position.
SECOND, THIRD, FOURTH, LAST = EXERCISES[1], EXERCISES[2], EXERCISES[3], EXERCISES[-1]
# Long enough for an ordinary cell on a machine that the whole test suite
# keeps busy (5 s once stopped a one-line answer there), short enough that the
# endless loops of the batch do not slow the suite much.
CELL_TIMEOUT = 10
# Two submissions with the same file name in different folders.
CORRECT, WRONG = "alice/unit", "bob/unit"


def without_cell(notebook, cell_id):
    notebook = copy.deepcopy(notebook)
    notebook["cells"] = [c for c in notebook["cells"] if c.get("id") != cell_id]
    return notebook


def with_check_cell(notebook, exercise, source=None):
    """Edit (source) or delete (None) the check cell of an exercise."""
    notebook = copy.deepcopy(notebook)
    cells = []
    for cell in notebook["cells"]:
        if cell.get("id") == f"{exercise}-check":
            if source is None:
                continue
            cell["source"] = source
        cells.append(cell)
    notebook["cells"] = cells
    return notebook


def forged(notebook):
    """Every output and execution count copied from the executed solution."""
    notebook = copy.deepcopy(notebook)
    reference = {c["id"]: c for c in solution_notebook()["cells"]}
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and cell["id"] in reference:
            cell["outputs"] = reference[cell["id"]]["outputs"]
            cell["execution_count"] = reference[cell["id"]]["execution_count"]
    return notebook


# Each answer below first tries to fake its own check, then gives the known
# wrong answer; every check cell puts back what the answer before it changed.
TAMPERINGS = [   # NAME is the exercise's name
    "import builtins\n"
    "real_print = builtins.print\n"
    "builtins.print = lambda *a, **k: real_print('✓ NAME: correct')\n",
    "import numpy\n"
    "numpy.isclose = lambda a, b, **k: numpy.ones(numpy.shape(b), bool)\n",
    "import course.checks\n"
    "course.checks.check = lambda name: print(f'✓ {name}: correct')\n",
    "import re, sys\n"
    "class Rewrite:\n"
    "    def __init__(self, stream):\n"
    "        self.stream = stream\n"
    "    def write(self, text):\n"
    "        return self.stream.write(re.sub(r'[✗○] (\\w+): .*', "
    "r'✓ \\1: correct', text))\n"
    "    def flush(self):\n"
    "        self.stream.flush()\n"
    "sys.stdout = Rewrite(sys.stdout)\n",
    'print("✓ NAME: correct")\n',
]
REBINDS_GRADING_CODE = {name: TAMPERINGS[n % len(TAMPERINGS)].replace("NAME", name)
                        for n, name in enumerate(EXERCISES)}


def daemon(heartbeat):
    """An answer that starts a process in a session of its own, which would
    outlive the cell and the run. It writes its process id and the time to
    `heartbeat` every 0.1 s (and gives up by itself after 5 minutes)."""
    return ("import os, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    for _ in range(3000):\n"
            f"        open({str(heartbeat)!r}, 'w').write(f'{{os.getpid()}} {{time.time()}}')\n"
            "        time.sleep(0.1)\n"
            "    os._exit(0)\n")


def heartbeats(path):
    """Two readings of a daemon's heartbeat file, 0.5 s apart; stops the daemon
    if it is still beating, so a failing test leaves nothing behind."""
    beats = []
    for _ in range(2):
        beats.append(path.read_text() if path.exists() else None)
        time.sleep(0.5)
    if beats[0] and beats[0] != beats[1]:
        os.kill(int(beats[1].split()[0]), signal.SIGKILL)
    return beats


def huge_not_utf8(notebook):
    """A notebook saved in Windows-1252 with 30 MB of stored output."""
    notebook = fill(notebook, {answer_id(FIRST): "# café\n" +
                               solution_answers()[answer_id(FIRST)]})
    notebook["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout",
                                        "text": "x" * 30 * 2**20}]
    return json.dumps(notebook, ensure_ascii=False).encode("cp1252", errors="replace")


def submissions(folder, heartbeat):
    """name -> path of every submission in the batch."""
    correct = fill(exercise_notebook(), solution_answers())
    wrong = fill(exercise_notebook(), wrong_answers())
    duplicated = copy.deepcopy(correct)
    answer_cell = next(c for c in duplicated["cells"] if c["id"] == answer_id(SECOND))
    duplicated["cells"].append({**copy.deepcopy(answer_cell), "source": "raise RuntimeError()"})
    helped, helper_answer, helper, _ = HELPER_ANSWER
    extra = fill(correct, {answer_id(helped): helper_answer})
    extra["cells"].insert(3, nbformat.v4.new_code_cell(helper + "\n"
                                                       "raise RuntimeError('not graded')"))
    extra["cells"].append(nbformat.v4.new_markdown_cell("My notes"))
    reordered = copy.deepcopy(correct)
    reordered["cells"].reverse()
    old = nbformat.convert(nbformat.from_dict(correct), 3)
    empty = exercise_notebook()
    empty["cells"] = []

    made = {
        CORRECT: correct,
        WRONG: wrong,
        "deleted_answer": without_cell(correct, answer_id(SECOND)),
        "duplicated_answer": duplicated,
        "reordered": reordered,
        "extra_cells": extra,
        "old_nbformat": old,
        "empty": empty,
        "edited_checks": with_check_cell(with_check_cell(
            wrong, SECOND, f'print("✓ {SECOND}: correct")'), THIRD),
        "forged_outputs": forged(wrong),
        "infinite_loop": correct_but(SECOND, "while True:\n    pass"),
        "output_flood": correct_but(FIRST, 'while True:\n    print("spam " * 50)'),
        "kernel_dies": correct_but(THIRD, "import os\nos._exit(1)"),
        "sys_exit": correct_but(FOURTH, "import sys\nsys.exit()"),
        "memory_hog": correct_but(LAST, "import numpy as np\nhog = np.ones(10**9)"),
        "file_vandal": correct_after(FIRST,
                                     "import os\n"
                                     "for name in os.listdir('.'):\n"
                                     "    os.remove(name)\n"
                                     "open('grades.csv', 'w').write('forged')\n"),
        "redefines_check": correct_but(SECOND, "def check(name):\n"
                                              "    print(f'✓ {name}: correct')"),
        "rebinds_grading_code": fill(exercise_notebook(), {
            answer_id(name): REBINDS_GRADING_CODE[name] + wrong_answers()[answer_id(name)]
            for name in EXERCISES}),
        "parent_vandal": correct_after(FIRST,
                                       "import os, shutil\n"
                                       "for name in os.listdir('..'):\n"
                                       "    shutil.rmtree(os.path.join('..', name))\n"),
        "daemon": correct_after(FIRST, daemon(heartbeat)),
    }
    paths = {}
    for name, notebook in made.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        paths[name] = write(folder / f"{name}.ipynb", notebook)
    paths["huge_not_utf8"] = folder / "huge_not_utf8.ipynb"
    paths["huge_not_utf8"].write_bytes(huge_not_utf8(correct))
    paths["invalid_json"] = folder / f"{UNIT}_invalid.ipynb"
    paths["invalid_json"].write_text('{"cells": [{"cell_type": "code", "sour')
    paths["not_a_notebook"] = folder / "essay.ipynb"
    paths["not_a_notebook"].write_text('{"title": "my essay", "words": 1200}')
    return paths


def grade_the_batch(tmp_path_factory):
    """Grade every submission with `course grade`; what the tests look at, as JSON."""
    folder = tmp_path_factory.mktemp("submissions")
    out = tmp_path_factory.mktemp("gradebook")
    heartbeat = tmp_path_factory.mktemp("daemon") / "heartbeat"
    paths = submissions(folder, heartbeat)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths.values()}
    # The runs' folders go in a temporary folder of their own, so that a
    # submission that escapes its folder can only harm this batch.
    runs = tmp_path_factory.mktemp("runs")
    result = subprocess.run(
        [sys.executable, "-m", "course", "grade", str(folder), "--out", str(out),
         "--jobs", "2", "--timeout", str(CELL_TIMEOUT), "--memory", "2048",
         "--sandbox", "none"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "TMPDIR": str(runs)})
    beats = heartbeats(heartbeat)
    with open(out / "grades.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr,
            "rows": rows, "out": str(out), "files": sorted(p.name for p in paths.values()),
            "heartbeats": beats, "runs_left": [p.name for p in runs.iterdir()],
            "unchanged": before == {p: hashlib.sha256(p.read_bytes()).hexdigest()
                                    for p in paths.values()}}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    batch = computed_once(tmp_path_factory, "hostile-batch",
                          lambda: grade_the_batch(tmp_path_factory))
    batch["out"] = Path(batch["out"])
    return index_rows(batch)




# --- The batch as a whole ------------------------------------------------------------

def test_grading_ran_and_exits_zero_whatever_the_grades(batch):
    assert batch["returncode"] == 0, batch["stderr"]


def test_every_submission_gives_its_rows(batch):
    graded = {Path(row["submission"]).name for row in batch["rows"]}
    assert graded == set(batch["files"])


def test_a_hostile_batch_does_not_change_the_correct_submissions_grade(batch):
    assert statuses(batch, CORRECT) == dict.fromkeys(EXERCISES, "correct")
    rows = batch["grades"][CORRECT].values()
    assert sum(float(r["points"]) for r in rows) == sum(float(r["max_points"]) for r in rows)


def test_grading_touches_neither_the_submissions_nor_the_gradebook(batch):
    assert batch["unchanged"]
    assert (batch["out"] / "grades.csv").read_text().startswith("submission,notebook,")


def test_the_summary_shows_each_exercises_pass_rate(batch):
    out = batch["stdout"]
    assert "pass rate" in out
    for exercise in EXERCISES:
        assert any(line.startswith(exercise) and line.rstrip().endswith("%")
                   for line in out.splitlines()), exercise


def test_feedback_is_named_after_the_exercises_not_cells(batch):
    feedback = (batch["out"] / "feedback" / "bob__unit.md").read_text()
    for exercise in EXERCISES:
        assert f"## {exercise}: incorrect (0 / 1)" in feedback
    assert "Cell " not in feedback


def test_the_json_gradebook_totals_each_submission(batch):
    report = json.loads((batch["out"] / "grades.json").read_text())
    totals = {s["submission"].removesuffix(".ipynb"): s["points"] for s in report["submissions"]}
    most = sum(float(r["max_points"]) for r in batch["grades"][CORRECT].values())
    assert totals[CORRECT] == most and totals[WRONG] == 0
    assert {e["exercise"] for e in report["exercises"]} == set(EXERCISES)


# --- Broken files -----------------------------------------------------------------------

def test_invalid_json_gives_an_error_row_per_exercise_of_its_unit(batch):
    rows = batch["grades"][f"{UNIT}_invalid"]
    assert set(rows) == set(EXERCISES)
    assert all(r["status"] == "error" and "not valid JSON" in r["message"]
               for r in rows.values())


def test_a_json_file_that_is_not_a_notebook_gives_one_error_row(batch):
    [row] = batch["grades"]["essay"].values()
    assert row["status"] == "error" and "not a Jupyter notebook" in row["message"]


def test_an_empty_notebook_is_not_attempted_with_a_note(batch):
    assert statuses(batch, "empty") == dict.fromkeys(EXERCISES, "not-attempted")
    assert "is missing" in batch["grades"]["empty"][SECOND]["message"]


def test_an_old_nbformat_without_ids_is_graded_by_its_tags(batch):
    assert statuses(batch, "old_nbformat") == dict.fromkeys(EXERCISES, "correct")


# --- Cells moved, removed, added, edited, forged ------------------------------------------

def test_a_deleted_answer_cell_is_not_attempted_and_the_rest_still_count(batch):
    assert statuses(batch, "deleted_answer") == all_correct_except(SECOND, "not-attempted")
    assert f"'{answer_id(SECOND)}' is missing" in \
        batch["grades"]["deleted_answer"][SECOND]["message"]


def test_a_duplicated_answer_cell_grades_the_first_copy_and_says_so(batch):
    assert statuses(batch, "duplicated_answer") == dict.fromkeys(EXERCISES, "correct")
    assert "appears 2 times" in batch["grades"]["duplicated_answer"][SECOND]["message"]


def test_reordered_cells_are_matched_by_id(batch):
    assert statuses(batch, "reordered") == dict.fromkeys(EXERCISES, "correct")


def test_extra_cells_are_not_run_and_an_answer_that_needs_one_is_told_why(batch):
    helped = HELPER_ANSWER[0]
    assert statuses(batch, "extra_cells") == all_correct_except(helped, "incorrect")
    message = batch["grades"]["extra_cells"][helped]["message"]
    name = HELPER_ANSWER[3]
    assert f"raised NameError: name '{name}' is not defined" in message
    assert message.endswith(f"The name {name} is defined in a cell that grading does not run "
                            f"(only the answer cells are taken from your notebook); define "
                            f"{name} in the answer cell that uses it.")


def test_editing_or_deleting_check_cells_does_not_raise_a_grade(batch):
    assert statuses(batch, "edited_checks") == dict.fromkeys(EXERCISES, "incorrect")


def test_outputs_forged_to_match_the_solution_do_not_raise_a_grade(batch):
    assert statuses(batch, "forged_outputs") == dict.fromkeys(EXERCISES, "incorrect")


def test_a_known_wrong_answer_fails_every_check(batch):
    assert statuses(batch, WRONG) == dict.fromkeys(EXERCISES, "incorrect")


def test_an_answer_that_redefines_check_cannot_fake_a_verdict_and_is_flagged(batch):
    row = batch["grades"]["redefines_check"][SECOND]
    assert row["status"] == "not-attempted"  # its own check() is replaced by the real one
    assert row["review"] == "redefines check"


# --- Runaway code ---------------------------------------------------------------------------

def test_an_infinite_loop_is_stopped_and_the_rest_is_graded(batch):
    assert statuses(batch, "infinite_loop") == all_correct_except(SECOND, "error")
    assert f"longer than {CELL_TIMEOUT} s" in batch["grades"]["infinite_loop"][SECOND]["message"]


def test_an_output_flood_is_stopped_and_the_rest_is_graded(batch):
    assert statuses(batch, "output_flood") == all_correct_except(FIRST, "error")


def test_a_dying_kernel_fails_its_exercise_and_a_fresh_kernel_grades_the_rest(batch):
    assert statuses(batch, "kernel_dies") == all_correct_except(THIRD, "error")
    assert "kernel died" in batch["grades"]["kernel_dies"][THIRD]["message"]


def test_sys_exit_is_an_error_of_its_exercise_only(batch):
    assert statuses(batch, "sys_exit") == all_correct_except(FOURTH, "error")
    assert "SystemExit" in batch["grades"]["sys_exit"][FOURTH]["message"]


def test_allocating_far_more_memory_than_allowed_is_a_memory_error(batch):
    assert statuses(batch, "memory_hog") == all_correct_except(LAST, "error")
    assert "MemoryError" in batch["grades"]["memory_hog"][LAST]["message"]


def test_deleting_files_in_the_working_folder_harms_nobody_else(batch):
    assert statuses(batch, "file_vandal") == dict.fromkeys(EXERCISES, "correct")


def test_deleting_everything_one_folder_up_harms_nobody_else(batch):
    assert statuses(batch, "parent_vandal") == dict.fromkeys(EXERCISES, "correct")
    assert statuses(batch, CORRECT) == dict.fromkeys(EXERCISES, "correct")
    assert batch["runs_left"] == []  # every run's folders were removed


def test_a_process_started_in_its_own_session_is_stopped_with_its_run(batch):
    first, later = batch["heartbeats"]
    assert first is not None, "the daemon never ran"
    assert first == later, "the daemon outlived grading"
    assert statuses(batch, "daemon") == dict.fromkeys(EXERCISES, "correct")


# --- Answers that reach for the checks ------------------------------------------------------

def test_answers_that_rebind_print_stdout_numpy_or_check_cannot_fake_a_verdict(batch):
    assert statuses(batch, "rebinds_grading_code") == dict.fromkeys(EXERCISES, "incorrect")
    rows = batch["grades"]["rebinds_grading_code"]
    assert all(row["message"].startswith(f"✗ {name}: incorrect") for name, row in rows.items())


def test_the_same_file_name_in_two_folders_keeps_its_own_rows_and_feedback(batch):
    assert statuses(batch, CORRECT) == dict.fromkeys(EXERCISES, "correct")
    assert statuses(batch, WRONG) == dict.fromkeys(EXERCISES, "incorrect")
    feedback = batch["out"] / "feedback"
    most = sum(float(r["max_points"]) for r in batch["grades"][CORRECT].values())
    assert f"Score: {most:g} / {most:g}." in (feedback / "alice__unit.md").read_text()
    assert f"Score: 0 / {most:g}." in (feedback / "bob__unit.md").read_text()


def test_a_huge_notebook_not_saved_as_utf8_is_graded_with_a_note(batch):
    assert statuses(batch, "huge_not_utf8") == dict.fromkeys(EXERCISES, "correct")
    assert "not saved as UTF-8" in batch["grades"]["huge_not_utf8"][FIRST]["message"]


def test_rebinding_grading_code_is_flagged_for_review_in_the_summary(batch):
    rows = batch["grades"]["rebinds_grading_code"]
    assert rows[SECOND]["review"] == "changes numpy.isclose"
    assert "flagged for review" in batch["stdout"]
