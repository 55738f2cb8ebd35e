"""Every exercise notebook, through real kernels and nbval: the solution passes
every check, the exercise as shipped is not attempted anywhere, and the known
wrong answers fail every check (the learntools pattern, end to end).
"""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from course.notebooks.grade import load_units
from course.notebooks.sandbox import kernel_never_started
from fixtures.once import computed_once
from fixtures.submissions import exercise_notebook, fill, solution_answers, wrong_answers, write

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted(load_units(ROOT / "solutions"))
KINDS = {"solution": "correct", "exercise": "not-attempted", "wrong": "incorrect"}


@pytest.fixture(scope="module")
def grades(tmp_path_factory):
    return computed_once(tmp_path_factory, "notebook-grades",
                         lambda: grade_each_kind(tmp_path_factory))


def grade_each_kind(tmp_path_factory):
    """Grade, in one batch, each unit's solution answers, blank exercise and wrong answers."""
    folder = tmp_path_factory.mktemp("notebooks")
    for unit in UNITS:
        blank = exercise_notebook(unit)
        write(folder / f"{unit}-solution.ipynb", fill(blank, solution_answers(unit)))
        write(folder / f"{unit}-exercise.ipynb", blank)
        write(folder / f"{unit}-wrong.ipynb", fill(blank, wrong_answers(unit)))
    out = tmp_path_factory.mktemp("grades")
    result = subprocess.run([sys.executable, "-m", "course", "grade", str(folder), "--out",
                             str(out), "--jobs", "2"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    with open(out / "grades.csv", encoding="utf-8") as file:
        return list(csv.DictReader(file))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("unit", UNITS)
def test_each_check_gives_the_expected_verdict(grades, unit, kind):
    rows = [r for r in grades if r["submission"] == f"{unit}-{kind}.ipynb"]
    assert rows and all(r["notebook"] == unit for r in rows)
    assert {r["exercise"]: r["status"] for r in rows} == \
           {r["exercise"]: KINDS[kind] for r in rows}, [r["message"] for r in rows]


def test_nbval_alone_passes_on_the_solutions():
    def nbval():
        return subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "solutions/",
                               "-p", "no:cacheprovider", "-q"], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)

    result = nbval()
    if kernel_never_started(result.stdout):  # the machine's doing, not the notebooks'
        result = nbval()
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
