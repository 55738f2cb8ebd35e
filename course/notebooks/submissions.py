"""Submissions: finding them, reading whatever a student hands in, and taking the answers.

    paths = collect(["submissions/"])              # {name: path}, also from class.zip
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
import zipfile
from dataclasses import dataclass
from pathlib import Path

from course.checks.markup import exercise_of, source_of, tags_of
from course.notebooks.archives import ArchiveMember, archive_members

# Outputs are dropped as soon as a notebook is read, but reading takes about four
# times the file's size in memory.
MAX_SUBMISSION_BYTES = 128 * 2**20


class GradingError(Exception):
    """Grading cannot run at all (no solutions, nothing to grade)."""


@dataclass
class Submission:
    name: str                 # how the gradebook names it (its path relative to what was given)
    path: Path                # or an ArchiveMember
    notebook: dict = None     # nbformat 4 JSON, when it could be read
    problem: str = None       # why it cannot be graded, when it cannot
    has_ids: bool = True


def collect(paths):
    """The notebooks to grade, as {name: source}, sorted by name.

    paths: notebook files, folders (searched for *.ipynb, into nested folders
    and through symbolic links), and zip archives (read as if unpacked into a
    folder of the same name without ".zip"; nothing is written to disk).

    A submission's name is its path relative to what was given: with one
    folder or archive, relative to it ("alice/ex01.ipynb", "bob/ex01.ipynb"
    are two students); with several, relative to the folder they share. A
    source is a Path, or an ArchiveMember for a notebook inside an archive.
    """
    given = [Path(os.path.abspath(p)) for p in paths]
    for path, original in zip(given, paths):
        if not path.exists():
            raise GradingError(f"{original} does not exist")
    roots = [p if p.is_dir() else p.with_suffix("") if _is_archive(p) else p.parent
             for p in given]
    common = Path(os.path.commonpath([str(r) for r in roots]))
    found = {}
    for path in given:
        if path.is_dir():
            for file in _notebooks_in(path):
                found.setdefault(file.relative_to(common).as_posix(), file)
        elif _is_archive(path):
            prefix = path.with_suffix("").relative_to(common).as_posix()
            for name, member in _members_of(path):
                found.setdefault(name if prefix == "." else f"{prefix}/{name}", member)
        else:
            found.setdefault(path.relative_to(common).as_posix(), path)
    if not found:
        raise GradingError("no notebooks to grade in " + ", ".join(map(str, paths)))
    return dict(sorted(found.items()))


def _is_archive(path):
    return path.is_file() and path.suffix.lower() == ".zip"


def _members_of(path):
    try:
        return archive_members(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise GradingError(f"{path} cannot be read as a zip archive ({error}); download "
                           f"it again, or unpack it and grade the folder") from None


_SKIPPED_FOLDERS = (".ipynb_checkpoints", "__MACOSX")


def _notebooks_in(folder):
    """Every *.ipynb under a folder, following symbolic links (a course server links
    students' folders in) but never into the same folder twice."""
    found, visited = [], set()
    for top, folders, files in os.walk(folder, followlinks=True):
        try:
            info = os.stat(top)
        except OSError:
            folders[:] = []
            continue
        if (info.st_dev, info.st_ino) in visited:  # a link back up: a loop
            folders[:] = []
            continue
        visited.add((info.st_dev, info.st_ino))
        folders[:] = sorted(f for f in folders
                            if f not in _SKIPPED_FOLDERS and not f.startswith("."))
        found += [Path(top, f) for f in files
                  if f.lower().endswith(".ipynb") and not f.startswith("._")]
    return found


def read_submission(path, name=None):
    """Read a submission as nbformat 4 JSON without its outputs, or say why it cannot be read.

    path: a file's Path, or an ArchiveMember for a notebook inside a zip archive.
    """
    source = path if isinstance(path, ArchiveMember) else Path(path)
    submission = Submission(name or str(path), source)
    try:
        if isinstance(source, ArchiveMember):
            submission.problem = source.problem
            size = source.size
        else:
            size = source.stat().st_size
        if submission.problem is None and size > MAX_SUBMISSION_BYTES:
            submission.problem = _too_big(size)
        if submission.problem:
            return submission
        raw = (source.read_bytes(MAX_SUBMISSION_BYTES) if isinstance(source, ArchiveMember)
               else source.read_bytes())
        if len(raw) > MAX_SUBMISSION_BYTES:
            submission.problem = _too_big(len(raw))
            return submission
        data, submission.problem = _parse_json(raw)
    except (OSError, zipfile.BadZipFile, RuntimeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        if not isinstance(source, ArchiveMember) and source.is_symlink() and not source.exists():
            reason = f"it is a symbolic link to {os.readlink(source)}, which does not exist"
        submission.problem = f"the file cannot be read ({reason})"
    if submission.problem:
        return submission
    if not isinstance(data, dict) or not ("cells" in data or "worksheets" in data):
        submission.problem = "the file is JSON but not a Jupyter notebook (it has no cells)"
        return submission
    try:
        submission.notebook, submission.has_ids = _as_version_4(data)
    except Exception as error:  # nbformat's upgrade of a damaged old notebook
        submission.problem = f"the notebook could not be read ({type(error).__name__}: {error})"
        return submission
    for cell in submission.notebook["cells"]:  # grading never looks at them
        cell.pop("outputs", None)
        cell.pop("attachments", None)
    return submission


def _too_big(size):
    return (f"the file is {size // 2**20} MB or more; clear the outputs (Edit > Clear Outputs "
            f"of All Cells) and save it again")


def _parse_json(raw):
    """(data, None) for the JSON in a file's bytes, or (None, what is wrong).

    UTF-8 (with or without a byte-order mark), UTF-16 and UTF-32 are read as
    JSON allows; a file saved in another encoding is read with the
    characters that are not UTF-8 replaced by "\ufffd" (take_answers notes
    where).
    """
    try:
        try:
            return json.loads(raw), None
        except UnicodeDecodeError:
            return json.loads(raw.decode("utf-8", errors="replace")), None
    except ValueError as error:
        return None, (f"the file is not valid JSON ({error}); it may be cut short or not "
                      f"be a notebook. Open it in JupyterLab to check")


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

@dataclass
class Answers:
    """What grading takes from a submission."""

    sources: dict   # answer cell id -> the source to run in its place
    notes: dict     # exercise -> what was missing or odd about its answer
    review: dict    # exercise -> signs that its answer reaches for the grading machinery
    elsewhere: set  # names the submission defines in cells that grading does not run


def take_answers(unit, submission):
    """The answers of a submission to a unit, by answer cell id (or by tags)."""
    cells = [c for c in submission.notebook.get("cells", []) if isinstance(c, dict)]
    answers = Answers({}, {name: [] for name, _ in unit.exercises},
                      {name: [] for name, _ in unit.exercises}, set())
    taken = []
    for exercise, ids in unit.answer_ids.items():
        for position, cell_id in enumerate(ids):
            cell, note = _answer_cell(cells, cell_id, exercise, position, submission.has_ids,
                                      unit.blanks)
            if note:
                answers.notes[exercise].append(note)
            if cell is None:
                answers.sources[cell_id] = unit.blanks[cell_id]
                continue
            taken.append(cell)
            source = answers.sources[cell_id] = source_of(cell)
            if "\ufffd" in source:
                answers.notes[exercise].append(
                    "some characters of this answer could not be read (the notebook was not "
                    "saved as UTF-8) and were replaced by \ufffd")
            answers.review[exercise] += review_flags(source)
    taken = {id(cell) for cell in taken}
    answers.elsewhere = set().union(*(defined_names(source_of(c)) for c in cells
                                      if c.get("cell_type") == "code" and id(c) not in taken))
    return answers


def _answer_cell(cells, cell_id, exercise, position, has_ids, answer_ids):
    """The cell to grade as answer cell `cell_id`, or None; and a note, or None.

    The cell is found by its id; without ids (an old format, or cells copied
    into a new notebook) it is the n-th cell tagged "answer, exercise:NAME"
    that does not carry the id of another answer cell (answer_ids).
    """
    same_id = [c for c in cells if c.get("id") == cell_id] if has_ids else []
    if same_id:
        cell = same_id[0]
    else:
        tagged = [c for c in cells if c.get("id") not in answer_ids
                  and "answer" in tags_of(c) and exercise_of(c) == exercise]
        cell = tagged[position] if position < len(tagged) else None
    if cell is None or cell.get("cell_type") != "code":
        what = "is missing" if cell is None else "is no longer a code cell"
        return None, f"the answer cell '{cell_id}' {what}; it was graded as left blank"
    if len(same_id) > 1:
        return cell, (f"the answer cell '{cell_id}' appears {len(same_id)} times; the "
                      f"first one was graded")
    return cell, None


# --- Answers that reach for the grading machinery ----------------------------------------

_GRADING_NAMES = {"check", "hint", "solution", "print", "____"}
# Ways into the checks' own machinery; no exercise needs them.
_GRADING_INTERNALS = ("course.checks", "course.notebooks", "builtins", "sys.stdout",
                      "sys.stderr", "sys.modules", "sys._getframe", "get_ipython", "IPython",
                      "nbval", "__builtins__", "__import__", "importlib", "__code__", "ctypes")
# Names the setup cells bind to modules.
_MODULE_NAMES = {"np", "numpy", "course", "sys", "builtins"}


def review_flags(source):
    """Signs that an answer reaches for the grading machinery itself.

    Code runs in the same kernel as the checks. Rebinding check, print,
    sys.stdout or a numpy function is undone before each check
    (course.checks.guard); other tampering is not prevented (see the threat
    model in the README). Either way it is flagged so that a person looks.
    """
    tree = _parse(source)
    modules = _MODULE_NAMES | _imported_names(tree)
    changed = _changed_attributes(tree, modules)
    flags = [f"redefines {name}" for name in sorted(defined_names(source) & _GRADING_NAMES)]
    flags += [f"changes {target}" for target in changed]
    flags += [f"uses {internal}" for internal in _GRADING_INTERNALS if internal in source
              and not any(target.startswith(internal) for target in changed)]
    return flags


def defined_names(source):
    """The names a cell's code binds: functions, classes, variables and imports."""
    names = set()
    for node in ast.walk(_parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _parse(source):
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):  # IPython magics, a half-typed line
        return ast.Module(body=[], type_ignores=[])


def _imported_names(tree):
    return {(alias.asname or alias.name).split(".")[0] for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}


def _changed_attributes(tree, modules):
    """`np.isclose` for `np.isclose = ...`, `del np.isclose` or `setattr(np, ...)`."""
    changed = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            target = node
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in ("setattr", "delattr") and node.args):
            target = node.args[0]
        else:
            continue
        root = target
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in modules:
            changed.append(ast.unparse(target))
    return sorted(set(changed))
