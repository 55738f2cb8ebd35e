"""Run as a Gradescope autograder: grade /autograder/submission, write results.json.

    course gradescope --solutions /autograder/source/solutions
    # reads /autograder/submission/, writes /autograder/results/results.json

results.json follows Gradescope's autograder specification: the total
`score`, an `output` for the whole submission, and one test per exercise
with its `score`, `max_score`, `status` ("passed" or "failed") and the
verdict line as `output`. The review flags are for instructors, so they go
to stdout (which Gradescope shows to instructors only), not into the results.
"""

import json
import time
from pathlib import Path

from course.notebooks.gradebook import row_line, summary_table

SUBMISSION_DIR = Path("/autograder/submission")
RESULTS_FILE = Path("/autograder/results/results.json")


def results(rows, seconds=None, several=False):
    """The results.json document for one student's rows."""
    tests = []
    for number, row in enumerate(rows, start=1):
        name = row.exercise or row.submission
        if several:
            name = f"{row.submission}: {name}"
        test = {"name": name, "number": str(number), "score": row.points,
                "max_score": row.max_points,
                "status": "passed" if row.status == "correct" else "failed",
                "output": row_line(row), "visibility": "visible"}
        if row.override:
            test["output"] += f"\nPoints set by hand: {row.override}"
        tests.append(test)
    score = sum(r.points for r in rows)
    most = sum(r.max_points for r in rows)
    document = {"score": score, "output": f"Score: {score:g} / {most:g}.",
                "stdout_visibility": "hidden", "tests": tests}
    if seconds is not None:
        document["execution_time"] = round(seconds)
    return document


def no_notebook(submission_dir):
    return {"score": 0, "stdout_visibility": "hidden", "tests": [],
            "output": (f"No notebook (.ipynb) was found in your submission. Upload the "
                       f"exercise notebook you worked in, saved (File > Save), and submit "
                       f"again.")}


def write_results(document, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def run_gradescope(args, out=None, err=None):
    """The command: grade the one submission, write results.json, exit 0 if it was written."""
    import sys

    from course.notebooks.bwrap import SandboxError, choose_sandbox
    from course.notebooks.commands import CommandError, settings_of
    from course.checks.reference import find_solutions_dir
    from course.notebooks.grade import grade_submissions, load_units
    from course.notebooks.sandbox import Limits
    from course.notebooks.shards import grading_record
    from course.notebooks.submissions import GradingError, collect

    out, err = out or sys.stdout, err or sys.stderr
    start = time.monotonic()
    try:
        solutions = find_solutions_dir(args.solutions)
        if solutions is None:
            raise CommandError(f"no solutions folder at {args.solutions or './solutions'}; "
                               f"pass --solutions DIR (in the autograder's source folder)")
        units = load_units(solutions)
        try:
            submissions = collect([args.submission])
        except GradingError:
            write_results(no_notebook(args.submission), args.results)
            print(f"course gradescope: no notebook in {args.submission}/", file=out)
            return 0
        sandbox, mode, note = choose_sandbox(args.sandbox, hide=[args.results])
    except (CommandError, GradingError, SandboxError) as error:
        print(f"course gradescope: {error}", file=err)
        return 2
    if note and args.sandbox == "auto":
        print(f"course gradescope: grading without a sandbox ({note})", file=out)
    limits = Limits(cell_timeout=args.timeout, memory_mb=args.memory)
    rows = grade_submissions(submissions, units, jobs=1, limits=limits, sandbox=sandbox)
    document = results(rows, time.monotonic() - start, several=len(submissions) > 1)
    record = grading_record({u.name: u.path for u in units.values()}, settings_of(limits, mode))
    document["extra_data"] = {"fingerprint": record["fingerprint"], "sandbox": mode}
    write_results(document, args.results)
    print(summary_table(rows, record), file=out)
    for row in rows:
        if row.review:
            print(f"Flagged for review: {row.submission} {row.exercise}: the answer "
                  f"{row.review}", file=out)
    return 0
