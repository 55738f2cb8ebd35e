"""The gradebook: grades.csv, grades.json, a feedback file per submission, a summary.

    write_gradebook(rows, "grades", grading)   # grades.csv, grades.json, summary.txt, feedback/
    print(summary_table(rows, grading))        # each exercise's pass rate, the sandbox
    rows, grading = read_gradebook("grades")   # back again, for --only and merging

One Row per submission and exercise. Feedback is written per submission,
one section per exercise, named after the exercise. `grading` records how
the class was graded (course.notebooks.shards.grading_record): the
fingerprint of the solutions and settings, the shard, the sandbox mode.
"""

import csv
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from course.checks.verdicts import GRADEBOOK_STATUSES as STATUSES
from course.checks.verdicts import SYMBOLS, status_of_line


@dataclass
class Row:
    """One exercise of one submission: a line of grades.csv."""

    submission: str
    notebook: str
    exercise: str
    status: str
    points: float
    max_points: float
    message: str
    review: str = ""   # why a person should look at the answer, if anything
    override: str = "" # the note of a person who set the points by hand, if one did


def row_line(row):
    """A row as the verdict line the student saw, or an error line in the same style."""
    if status_of_line(row.message) is not None:
        return row.message
    symbol = SYMBOLS[row.status]
    return f"{symbol} {row.exercise or row.submission}: {row.status} — {row.message}"


def write_gradebook(rows, out_dir, grading=None):
    """grades.csv, grades.json, summary.txt and feedback/<submission>.md under out_dir.

    Feedback files of submissions no longer in the gradebook are removed.
    """
    out = Path(out_dir)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    columns = list(Row.__dataclass_fields__)
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns)
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    by_submission = _group(rows)
    report = {
        "submissions": [_submission_summary(name, group) for name, group in by_submission.items()],
        "exercises": exercise_summary(rows),
    }
    if grading is not None:
        report["grading"] = grading
    (out / "grades.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    (out / "summary.txt").write_text(summary_table(rows, grading) + "\n", encoding="utf-8")
    used = set()
    for name, group in by_submission.items():
        file_name = _feedback_name(name, used)
        (out / "feedback" / file_name).write_text(feedback(name, group), encoding="utf-8")
    for stale in (out / "feedback").glob("*.md"):
        if stale.name not in used:
            stale.unlink()


def read_gradebook(out_dir):
    """(rows, grading record or None) of the gradebook in out_dir; OSError or
    ValueError when there is none or it cannot be read."""
    report = json.loads((Path(out_dir) / "grades.json").read_text(encoding="utf-8"))
    return rows_of(report), report.get("grading")


def rows_of(report):
    """The Rows of a grades.json report (or of a list of row dicts)."""
    entries = report if isinstance(report, list) else [
        row for submission in report["submissions"] for row in submission["exercises"]]
    fields = Row.__dataclass_fields__
    return [Row(**{k: v for k, v in entry.items() if k in fields}) for entry in entries]


def _group(rows):
    groups = {}
    for row in rows:
        groups.setdefault(row.submission, []).append(row)
    return groups


def _submission_summary(name, rows):
    return {"submission": name, "notebook": rows[0].notebook,
            "points": sum(r.points for r in rows), "max_points": sum(r.max_points for r in rows),
            "exercises": [asdict(r) for r in rows]}


def _feedback_name(submission, used):
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", submission.replace("\\", "/").replace("/", "__"))
    base = base.removesuffix(".ipynb").strip("._") or "submission"
    name, number = f"{base}.md", 2
    while name in used:
        name, number = f"{base}-{number}.md", number + 1
    used.add(name)
    return name



def feedback(submission, rows):
    """A student's feedback: one section per exercise, named after it."""
    total = sum(r.points for r in rows)
    most = sum(r.max_points for r in rows)
    notebook = rows[0].notebook or "an unknown notebook"
    lines = [f"# Feedback on {submission}", "",
             f"Notebook: {notebook}. Score: {total:g} / {most:g}.", ""]
    for row in rows:
        title = row.exercise or "the submission"
        lines += [f"## {title}: {row.status.replace('-', ' ')} "
                  f"({row.points:g} / {row.max_points:g})", "", row.message, ""]
        if row.review:
            lines += [f"Flagged for review: the answer {row.review}.", ""]
        if row.override:
            lines += [f"Points set by hand: {row.override}", ""]
    return "\n".join(lines)


def exercise_summary(rows):
    """Per exercise: how many submissions got each status, and the pass rate."""
    summary = {}
    for row in rows:
        if not row.exercise:
            continue
        counts = summary.setdefault((row.notebook, row.exercise), dict.fromkeys(STATUSES, 0))
        counts[row.status] += 1
    return [{"notebook": notebook, "exercise": exercise, **counts,
             "pass_rate": counts["correct"] / sum(counts.values())}
            for (notebook, exercise), counts in summary.items()]


SANDBOX_WORDS = {
    "bwrap": "bwrap (no network, a read-only view of the machine but for each run's own "
             "folder, its own processes, limits on processes and memory)",
    "none": "none (limits on time, memory, file size and output only; see the threat model "
            "in the README)",
}


def summary_table(rows, grading=None):
    """The text printed at the end of `course grade` and kept in summary.txt."""
    lines = [f"{'exercise':<28} {'correct':>8} {'incorrect':>10} {'not-attempted':>14} "
             f"{'error':>6} {'pass rate':>10}"]
    for item in exercise_summary(rows):
        lines.append(f"{item['exercise']:<28} {item['correct']:>8} {item['incorrect']:>10} "
                     f"{item['not-attempted']:>14} {item['error']:>6} "
                     f"{item['pass_rate']:>10.0%}")
    unmatched = [r for r in rows if not r.exercise]
    if unmatched:
        lines.append(f"{len(unmatched)} submission(s) could not be graded at all (unreadable, "
                     f"or not one of the exercise notebooks; the message says which): "
                     + ", ".join(r.submission for r in unmatched))
    flagged = _group([r for r in rows if r.review])
    if flagged:
        lines.append(f"{len(flagged)} submission(s) flagged for review (their answers reach "
                     f"for the grading machinery; see the review column): "
                     + ", ".join(f"{name} ({', '.join(r.exercise for r in group)})"
                                 for name, group in flagged.items()))
    overridden = [r for r in rows if r.override]
    if overridden:
        lines.append(f"{len(overridden)} grade(s) set by hand (see the override column): "
                     + ", ".join(f"{r.submission} ({r.exercise})" for r in overridden))
    if grading is not None:
        mode = grading["settings"].get("sandbox", "none")
        lines.append(f"Sandbox: {SANDBOX_WORDS.get(mode, mode)}")
    return "\n".join(lines)
