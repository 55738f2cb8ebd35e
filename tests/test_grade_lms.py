"""Handing grades to an LMS: a CSV for Canvas's import, and a Gradescope autograder."""

import csv
import json
import subprocess
import sys
from pathlib import Path

from course.notebooks.canvas import canvas_rows, student_of
from course.notebooks.gradebook import Row, write_gradebook
from course.notebooks.gradescope import results
from fixtures.submissions import EXERCISES, UNIT, make_class

ROOT = Path(__file__).resolve().parent.parent


def course(*args):
    return subprocess.run([sys.executable, "-m", "course", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def rows_for(name, correct):
    return [Row(name, UNIT, e, "correct" if n < correct else "incorrect",
                1 if n < correct else 0, 1, f"verdict on {e}")
            for n, e in enumerate(EXERCISES)]


# --- Canvas ---------------------------------------------------------------------------------

def test_canvas_ids_come_from_the_names_canvas_gives_downloaded_submissions():
    assert student_of("smithjane_12345_67890_ex01.ipynb", None)["ID"] == "12345"
    assert student_of("doejohn_late_222_333_ex01-1.ipynb", None)["ID"] == "222"
    assert student_of("alice/ex01.ipynb", None) is None
    roster = [{"Student": "Alice A", "ID": "7", "SIS User ID": "S7", "SIS Login ID": "alice",
               "Section": "A"}]
    assert student_of("alice/ex01.ipynb", roster)["ID"] == "7"
    assert student_of("S7.ipynb", roster)["ID"] == "7"
    assert student_of("bob/ex01.ipynb", roster) is None


def test_the_canvas_csv_has_the_columns_the_import_takes(tmp_path):
    rows = rows_for("smithjane_12345_67890_ex01.ipynb", 3) + rows_for("essay.ipynb", 0)
    write_gradebook(rows, tmp_path / "grades")
    result = course("canvas", tmp_path / "grades", "--assignment", "Unit 1 (4321)",
                    "--out", tmp_path / "canvas.csv")
    assert result.returncode == 0, result.stderr
    assert "no student found for essay.ipynb" in result.stderr
    with open(tmp_path / "canvas.csv", newline="", encoding="utf-8") as file:
        table = list(csv.reader(file))
    assert table == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Unit 1 (4321)"],
        ["Points Possible", "", "", "", "", str(len(EXERCISES))],
        ["smithjane", "12345", "", "", "", "3"],
    ]


def test_with_a_roster_every_student_is_listed_and_those_without_work_left_blank(tmp_path):
    roster = tmp_path / "export.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,Unit 1 (4321)\n"
                      "    Points Possible,,,,,5\n"
                      '"Lee, Alice",7,S7,alice,Section A,\n'
                      '"Kim, Bo",8,S8,bo,Section A,\n')
    write_gradebook(rows_for("alice/ex01.ipynb", 5), tmp_path / "grades")
    result = course("canvas", tmp_path / "grades", "--assignment", "Unit 1 (4321)",
                    "--out", tmp_path / "canvas.csv", "--roster", roster)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "canvas.csv", newline="", encoding="utf-8") as file:
        table = list(csv.reader(file))
    assert table[2:] == [["Lee, Alice", "7", "S7", "alice", "Section A", "5"],
                         ["Kim, Bo", "8", "S8", "bo", "Section A", ""]]


def test_nothing_is_written_when_no_student_is_found(tmp_path):
    write_gradebook(rows_for("alice/ex01.ipynb", 5), tmp_path / "grades")
    result = course("canvas", tmp_path / "grades", "--assignment", "U", "--out",
                    tmp_path / "c.csv")
    assert result.returncode == 2 and "nothing written" in result.stderr
    assert not (tmp_path / "c.csv").exists()
    table, unmatched = canvas_rows(rows_for("alice/ex01.ipynb", 5), "U")
    assert unmatched == ["alice/ex01.ipynb"]


# --- Gradescope --------------------------------------------------------------------------------

def test_results_json_has_one_test_per_exercise():
    rows = rows_for("ex01.ipynb", 2)
    document = results(rows, seconds=3.2)
    assert document["score"] == 2 and document["execution_time"] == 3
    assert [t["name"] for t in document["tests"]] == EXERCISES
    assert [t["status"] for t in document["tests"]] == \
        ["passed"] * 2 + ["failed"] * (len(EXERCISES) - 2)
    assert all(t["max_score"] == 1 and t["output"] for t in document["tests"])
    assert document["stdout_visibility"] == "hidden"


def test_the_autograder_grades_the_submission_folder_and_writes_results(tmp_path):
    make_class(tmp_path / "submission", {"my work.ipynb": "wrong"})
    (tmp_path / "submission" / "notes.txt").write_text("not a notebook")
    result = course("gradescope", "--submission", tmp_path / "submission",
                    "--results", tmp_path / "results" / "results.json", "--timeout", "20")
    assert result.returncode == 0, result.stderr
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    assert document["score"] == 0
    assert [(t["name"], t["status"]) for t in document["tests"]] == \
        [(e, "failed") for e in EXERCISES]
    assert document["tests"][1]["output"].startswith(f"✗ {EXERCISES[1]}: incorrect")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = course("gradescope", "--submission", empty, "--results", tmp_path / "r2.json")
    assert result.returncode == 0
    assert "No notebook (.ipynb) was found" in json.loads((tmp_path / "r2.json").read_text())[
        "output"]
