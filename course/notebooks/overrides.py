"""Grades set by a person, applied after every grading so that they survive regrades.

    overrides = read_overrides("grades/overrides.csv")
    unmatched = apply_overrides(rows, overrides)

The file is CSV with a header, one line per grade a person set:

    submission,exercise,points,note
    alice/ex01.ipynb,train,0.5,"right idea, off by one epoch"

`course grade` applies OUT/overrides.csv (or --overrides FILE) after
grading, and `course merge` after merging: the row keeps its status and
message, gets these points, and its `override` column holds the note.
"""

import csv
import math
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("submission", "exercise", "points", "note")


class OverridesError(ValueError):
    """The overrides file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Override:
    submission: str
    exercise: str
    points: float
    note: str


def read_overrides(path):
    """The overrides in a CSV file; OverridesError naming the line for anything wrong."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in COLUMNS[:3] if c not in header]
            if missing:
                raise OverridesError(f"{path}: the first line must name the columns "
                                     f"{','.join(COLUMNS)}; {', '.join(missing)} is missing")
            overrides, seen = [], {}
            for line, raw in enumerate(reader, start=2):
                entry = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
                overrides.append(_override(entry, f"{path}, line {line}"))
                key = (entry["submission"], entry["exercise"])
                if key in seen:
                    raise OverridesError(f"{path}, line {line}: {key[0]} {key[1]} is set "
                                         f"already on line {seen[key]}; keep one of them")
                seen[key] = line
    except OSError as error:
        raise OverridesError(f"the overrides file {path} cannot be read "
                             f"({error.strerror})") from None
    return overrides


def _override(entry, where):
    if not entry["submission"] or not entry["exercise"]:
        raise OverridesError(f"{where}: give both the submission (as the gradebook names it) "
                             f"and the exercise")
    try:
        points = float(entry["points"])
    except ValueError:
        raise OverridesError(f"{where}: points must be a number, got "
                             f"{entry['points']!r}") from None
    if not math.isfinite(points) or points < 0:
        raise OverridesError(f"{where}: points must be 0 or more, got {entry['points']}")
    return Override(entry["submission"], entry["exercise"], points,
                    entry.get("note", "") or "set by hand")


def graded_points(row):
    """The points grading gave, before any override."""
    return row.max_points if row.status == "correct" else 0


def apply_overrides(rows, overrides):
    """Set the points of the rows the overrides name (after undoing earlier ones);
    return the overrides that matched no row."""
    by_key = {(o.submission, o.exercise): o for o in overrides}
    used = set()
    for row in rows:
        row.points, row.override = graded_points(row), ""
        override = by_key.get((row.submission, row.exercise))
        if override is not None:
            row.points, row.override = override.points, override.note
            used.add((row.submission, row.exercise))
    return [o for key, o in by_key.items() if key not in used]
