"""Export a gradebook as a CSV file that Canvas's gradebook import takes.

    course canvas grades/ --assignment "Unit 1 (4321)" --out canvas.csv [--roster export.csv]

Canvas imports a CSV with the columns Student, ID, SIS User ID, SIS Login
ID and Section, then one column per assignment, named as in Canvas's own
export ("Unit 1 (4321)": the assignment's name and its id); a second row
"Points Possible" gives the assignment's maximum. An empty score changes
nothing in Canvas.

Each submission is matched to a student by the Canvas user id in its file
name (Canvas names downloaded submissions
"lastfirst_12345_67890_ex01.ipynb", or "lastfirst_late_12345_..."), or, with
a roster (Canvas's gradebook export, Grades > Export), by its first folder
or file name being a student's SIS Login ID, SIS User ID or Canvas ID.
"""

import csv
import re
from pathlib import PurePosixPath

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
_CANVAS_NAME = re.compile(r"^(?P<student>[^_]+)_(?:late_)?(?P<id>\d+)_\d+_", re.IGNORECASE)


class CanvasError(ValueError):
    """The export cannot be made; the message says why."""


def read_roster(path):
    """The students of a Canvas gradebook export, as dicts of the identity columns."""
    with open(path, newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(file)
        missing = [c for c in ("Student", "ID") if c not in (reader.fieldnames or [])]
        if missing:
            raise CanvasError(f"{path} is not a Canvas gradebook export (it has no "
                              f"{' or '.join(missing)} column); export it from Grades > "
                              f"Export > Export Entire Gradebook")
        return [{c: (row.get(c) or "").strip() for c in IDENTITY} for row in reader
                if (row.get("ID") or "").strip().isdigit()]


def student_of(submission, roster):
    """The identity columns of the student who handed in `submission`, or None."""
    parts = PurePosixPath(submission).parts
    match = _CANVAS_NAME.match(parts[-1])
    if roster is None:
        if match is None:
            return None
        return {"Student": match["student"], "ID": match["id"], "SIS User ID": "",
                "SIS Login ID": "", "Section": ""}
    keys = {PurePosixPath(parts[0]).stem.lower()}
    if match:
        keys.add(match["id"])
    for student in roster:
        if {student["ID"], student["SIS User ID"].lower(),
                student["SIS Login ID"].lower()} & keys - {""}:
            return student
    return None


def canvas_rows(rows, assignment, roster=None):
    """(the CSV's rows, the submissions no student was found for)."""
    totals, most, students, unmatched = {}, {}, {}, []
    for row in rows:
        student = student_of(row.submission, roster)
        if student is None:
            if row.submission not in unmatched:
                unmatched.append(row.submission)
            continue
        key = student["ID"]
        students[key] = student
        totals[key] = totals.get(key, 0) + row.points
        most.setdefault(row.submission, sum(r.max_points for r in rows
                                            if r.submission == row.submission))
    possible = max(most.values(), default=0)
    table = [[*IDENTITY, assignment], ["Points Possible", "", "", "", "", f"{possible:g}"]]
    for student in roster if roster is not None else students.values():
        score = totals.get(student["ID"])
        table.append([student[c] for c in IDENTITY] + ["" if score is None else f"{score:g}"])
    return table, unmatched


def write_canvas(table, path):
    with open(path, "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(table)


def run_canvas(args, out=None, err=None):
    import sys

    from course.notebooks.gradebook import read_gradebook

    out, err = out or sys.stdout, err or sys.stderr
    try:
        rows, _ = read_gradebook(args.gradebook)
    except (OSError, ValueError, KeyError) as error:
        print(f"course canvas: {args.gradebook}/grades.json cannot be read ({error}); "
              f"give the --out folder of `course grade`", file=err)
        return 2
    try:
        roster = read_roster(args.roster) if args.roster else None
    except (OSError, CanvasError) as error:
        print(f"course canvas: {error}", file=err)
        return 2
    table, unmatched = canvas_rows(rows, args.assignment, roster)
    for name in unmatched:
        print(f"course canvas: no student found for {name} (no Canvas user id in its name"
              f"{', and not in the roster' if roster is not None else '; pass --roster'})",
              file=err)
    if len(table) == 2:
        print("course canvas: no submission could be matched to a student; nothing written",
              file=err)
        return 2
    write_canvas(table, args.out)
    print(f"Wrote {args.out}: {len(table) - 2} student(s) for \"{args.assignment}\". In "
          f"Canvas: Grades > Import, then choose this file.", file=out)
    return 0
