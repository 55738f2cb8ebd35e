"""How fast `course grade` goes: 40 submissions of one unit, two at a time.

    .venv/bin/python benchmarks/grading.py [--submissions 40] [--jobs 2]

The submissions mix correct, wrong and blank answers. Prints submissions per
minute and the overhead per submission beyond executing its cells (starting
pytest, nbval and a kernel, merging the answers, reading the report). The
target on a 2-core machine: at least 30 submissions per minute for a unit
whose solution runs in under 2 s.
"""

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the submission makers the tests use

from course.notebooks import skip_slow_optional_imports  # noqa: E402

skip_slow_optional_imports()

from course.notebooks.build import execute  # noqa: E402
from course.notebooks.grade import grade_all  # noqa: E402
from course.notebooks.gradebook import summary_table, write_gradebook  # noqa: E402
from fixtures.submissions import (UNIT, exercise_notebook, fill, solution_answers,  # noqa: E402
                                  wrong_answers, write)


def make_submissions(folder, count):
    kinds = {
        "correct": fill(exercise_notebook(), solution_answers()),
        "wrong": fill(exercise_notebook(), wrong_answers()),
        "blank": exercise_notebook(),
    }
    names = list(kinds)
    for number in range(count):
        kind = names[number % len(names)]
        write(folder / f"student{number:02d}-{kind}.ipynb", kinds[kind])


def seconds_in_cells():
    """How long the solution's cells take to run, kernel start-up excluded."""
    import nbformat

    notebook = nbformat.read(ROOT / "solutions" / f"{UNIT}.ipynb", as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    executed = execute(notebook, ROOT / "solutions", record_timing=True)
    total = 0.0
    for cell in executed.cells:
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start = datetime.fromisoformat(timing["iopub.execute_input"].rstrip("Z"))
            end = datetime.fromisoformat(timing["shell.execute_reply"].rstrip("Z"))
            total += (end - start).total_seconds()
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    cells = seconds_in_cells()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "submissions"
        folder.mkdir()
        make_submissions(folder, args.submissions)
        start = time.perf_counter()
        rows = grade_all([folder], ROOT / "solutions", jobs=args.jobs)
        seconds = time.perf_counter() - start
        write_gradebook(rows, Path(temporary) / "grades")

    per_submission = seconds * args.jobs / args.submissions  # worker time each one took
    print(summary_table(rows))
    print()
    print(f"unit {UNIT}: its solution's cells run in {cells:.2f} s")
    print(f"graded {args.submissions} submissions with --jobs {args.jobs} in {seconds:.1f} s: "
          f"{60 * args.submissions / seconds:.1f} submissions per minute")
    print(f"each submission took {per_submission:.2f} s of a worker: {cells:.2f} s in its "
          f"cells and {per_submission - cells:.2f} s of overhead (pytest, nbval and a "
          f"kernel starting, merging, the report)")
    print(json.dumps({"submissions_per_minute": round(60 * args.submissions / seconds, 1),
                      "overhead_seconds": round(per_submission - cells, 2),
                      "cell_seconds": round(cells, 3)}))


if __name__ == "__main__":
    main()
