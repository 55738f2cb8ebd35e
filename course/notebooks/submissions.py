"""Submissions: finding them, reading whatever a student hands in, and taking the answers.

    paths = collect(["submissions/"])              # {name: path}
    submission = read_submission(path, name)      # nbformat 4 JSON, or why not
    unit = unit_of(submission, units)             # which exercise notebook it answers
    answers, notes = take_answers(unit, submission)

A submission may be any file: a notebook with any name, an old format, a
notebook with cells deleted, duplicated or reordered, or no notebook at all.
Reading never raises: what cannot be read is a `problem`, and what is odd
about the answers becomes a note in the gradebook.
"""

import ast
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from course.notebooks.cells import exercise_of, source_of, tags_of

MAX_SUBMISSION_BYTES = 20 * 2**20


class GradingError(Exception):
    """Grading cannot run at all (no solutions, nothing to grade)."""


@dataclass
class Submission:
    name: str                 # how the gradebook names it (the path as found)
    path: Path
    notebook: dict = None     # nbformat 4 JSON, when it could be read
    problem: str = None       # why it cannot be graded, when it cannot
    has_ids: bool = True


def collect(paths):
    """The notebooks to grade, as {name: path}: files as given, *.ipynb in folders.

    A submission's name is its path relative to the folder(s) given, so
    `course grade submissions/` names them "alice.ipynb", "bob/unit1.ipynb".
    """
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb")
                            if ".ipynb_checkpoints" not in p.parts)
        elif path.exists():
            found.append(path)
        else:
            raise GradingError(f"{path} does not exist")
    if not found:
        raise GradingError("no notebooks to grade in " + ", ".join(map(str, paths)))
    roots = [str((p if p.is_dir() else p.parent).resolve()) for p in map(Path, paths)]
    common = Path(os.path.commonpath(roots))
    return {str(p.resolve().relative_to(common)): p for p in found}


def read_submission(path, name=None):
    """Read a submission as nbformat 4 JSON, or say why it cannot be read."""
    submission = Submission(name or str(path), Path(path))
    try:
        size = submission.path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            submission.problem = (f"the file is {size // 2**20} MB; clear the outputs "
                                  f"(Edit > Clear Outputs of All Cells) and save it again")
            return submission
        data = json.loads(submission.path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        submission.problem = "the file is not text (UTF-8), so it is not a notebook"
        return submission
    except ValueError as error:
        submission.problem = (f"the file is not valid JSON ({error}); it may be cut short "
                              f"or not be a notebook. Open it in JupyterLab to check")
        return submission
    except OSError as error:
        submission.problem = f"the file cannot be read ({error.strerror})"
        return submission
    if not isinstance(data, dict) or not ("cells" in data or "worksheets" in data):
        submission.problem = "the file is JSON but not a Jupyter notebook (it has no cells)"
        return submission
    try:
        submission.notebook, submission.has_ids = _as_version_4(data)
    except Exception as error:  # nbformat's upgrade of a damaged old notebook
        submission.problem = f"the notebook could not be read ({type(error).__name__}: {error})"
    return submission


def _as_version_4(data):
    """Upgrade an older notebook; return it and whether its cells had ids."""
    import nbformat

    major, minor = data.get("nbformat", 4), data.get("nbformat_minor", 0)
    if major == 4 and isinstance(data.get("cells"), list):
        cells = [c for c in data["cells"] if isinstance(c, dict)]
        return {**data, "cells": cells}, any("id" in c for c in cells)
    if major > 4:
        raise ValueError(f"nbformat {major}.{minor} is newer than this grader knows")
    upgraded = nbformat.convert(nbformat.from_dict(data), 4)
    for cell in upgraded.cells:  # ids made up by the upgrade would match nothing
        cell.pop("id", None)
    return json.loads(json.dumps(upgraded)), False


def unit_of(submission, units):
    """Which unit a submission answers: metadata, then answer cell ids, then file name.

    Returns None when none of them tells.
    """
    notebook = submission.notebook or {}
    declared = notebook.get("metadata", {}).get("course", {}).get("unit")
    if declared in units:
        return units[declared]
    ids = {c.get("id") for c in notebook.get("cells", [])}
    by_ids = [u for u in units.values() if ids & set(u.blanks)]
    if len(by_ids) == 1:
        return by_ids[0]
    stem = submission.path.stem
    by_name = [u for u in units.values() if u.name in stem]
    if not by_name:
        number = [u for u in units.values()
                  if re.search(rf"(?<!\d){re.escape(u.name.split('_')[0])}(?!\d)", stem)]
        by_name = number if len(number) == 1 else []
    return by_name[0] if len(by_name) == 1 else None


# --- Taking the answers ---------------------------------------------------------------

def take_answers(unit, submission):
    """The source for each answer cell id, and notes on what was missing or odd."""
    cells = [c for c in submission.notebook.get("cells", []) if isinstance(c, dict)]
    by_id, counts = {}, {}
    for cell in cells:
        cell_id = cell.get("id")
        counts[cell_id] = counts.get(cell_id, 0) + 1
        by_id.setdefault(cell_id, cell)
    # Without the id (an old format, or cells copied into a new notebook),
    # the answer cell is found by its tags: the n-th "answer, exercise:NAME".
    by_tags = _answer_cells_by_tags(c for c in cells if c.get("id") not in unit.blanks)
    answers, notes = {}, {name: [] for name, _ in unit.exercises}
    for exercise, ids in unit.answer_ids.items():
        for position, cell_id in enumerate(ids):
            cell = by_id.get(cell_id) if submission.has_ids else None
            if cell is None:
                tagged = by_tags.get(exercise, [])
                cell = tagged[position] if position < len(tagged) else None
            if cell is None or cell.get("cell_type") != "code":
                what = "is missing" if cell is None else "is no longer a code cell"
                notes[exercise].append(f"the answer cell '{cell_id}' {what}; it was graded "
                                       f"as left blank")
                answers[cell_id] = unit.blanks[cell_id]
                continue
            if counts.get(cell_id, 0) > 1:
                notes[exercise].append(f"the answer cell '{cell_id}' appears "
                                       f"{counts[cell_id]} times; the first one was graded")
            answers[cell_id] = source_of(cell)
            flags = review_flags(answers[cell_id])
            if flags:
                notes[exercise].append("flagged for review: the answer " + "; ".join(flags))
    return answers, notes


def _answer_cells_by_tags(cells):
    tagged = {}
    for cell in cells:
        if "answer" in tags_of(cell) and exercise_of(cell):
            tagged.setdefault(exercise_of(cell), []).append(cell)
    return tagged


_GRADING_NAMES = {"check", "hint", "solution", "print", "____"}
_GRADING_MODULES = ("course.checks", "builtins", "sys.stdout", "sys.modules", "get_ipython",
                    "IPython", "nbval", "__builtins__")


def review_flags(source):
    """Signs that an answer reaches for the grading machinery itself.

    Code runs in the same kernel as the checks, so it could redefine
    check() or print and fake a verdict. That is not prevented (see the
    threat model in the README), but it is flagged so a person looks at it.
    """
    flags = []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = None
    redefined = set()
    for node in ast.walk(tree) if tree else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            redefined.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            redefined.add(node.id)
        elif isinstance(node, ast.alias):
            redefined.add((node.asname or node.name).split(".")[0])
    for name in sorted(redefined & _GRADING_NAMES):
        flags.append(f"redefines {name}")
    for module in _GRADING_MODULES:
        if module in source:
            flags.append(f"uses {module}")
    return flags
