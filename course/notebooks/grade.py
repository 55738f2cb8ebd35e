"""Grade submissions against the executed solution notebooks, with nbval.

A student's notebook cannot be its own reference: re-run against its own
stored outputs, a wrong answer passes. So for each submission:

1. read it (any file name; the unit comes from its metadata, else from its
   answer cells' ids, else from the file name) and upgrade old formats;
2. take only its answer cells, by cell id (by tags when it has no ids);
3. put them into a fresh copy of the executed solution notebook: the setup
   and check cells and the expected outputs all come from the solution, so
   edited check cells and forged outputs change nothing;
4. run `pytest --nbval-lax` on that in a sandbox (course.notebooks.sandbox);
5. turn each check cell's result into a row: correct, incorrect,
   not-attempted or error, with the verdict or the error as the message.

If an answer kills the kernel or the run, that exercise gets an error row
and the run is repeated with that answer left blank, so every later
exercise is still graded. A broken submission gives rows and the batch goes on.
"""

import ast
import copy
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from course.checks.verdicts import status_of_line
from course.notebooks.cells import (answer_cells, check_cells, exercise_of, is_answer,
                                    is_check, source_of, tags_of, to_exercise)
from course.notebooks.sandbox import Limits, run_nbval, stop_all

STATUSES = ("correct", "incorrect", "not-attempted", "error")
MAX_SUBMISSION_BYTES = 20 * 2**20


class GradingError(Exception):
    """Grading cannot run at all (no solutions, nothing to grade)."""


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


# --- The solutions -------------------------------------------------------------------

@dataclass
class Unit:
    """An executed solution notebook, ready to receive answers."""

    name: str
    notebook: dict
    exercises: list                      # [(name, points)] in notebook order
    answer_ids: dict = field(default_factory=dict)   # exercise -> [answer cell ids]
    blanks: dict = field(default_factory=dict)       # answer cell id -> exercise source

    @property
    def max_points(self):
        return sum(points for _, points in self.exercises)


def load_units(solutions_dir):
    """Every executed solution notebook in a folder, by unit name."""
    folder = Path(solutions_dir)
    paths = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not paths:
        raise GradingError(f"no solution notebooks in {folder}/; grade from the course's "
                           f"folder or pass --solutions DIR")
    units = {}
    for path in paths:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        meta = notebook.get("metadata", {}).get("course", {})
        checks = check_cells(notebook)
        if not meta.get("exercises") or any(not c.get("outputs") for c in checks):
            raise GradingError(f"{path} has no stored outputs to grade against; run "
                               f"`course build` first")
        unit = Unit(path.stem, notebook,
                    [(e["name"], e["points"]) for e in meta["exercises"]])
        for cell in answer_cells(notebook):
            unit.answer_ids.setdefault(exercise_of(cell), []).append(cell["id"])
            unit.blanks[cell["id"]] = to_exercise(source_of(cell))
        units[unit.name] = unit
    return units


# --- Reading a submission -----------------------------------------------------------------

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


# --- Merging the answers into the solution --------------------------------------------------

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


# An answer cell could define its own `check` that prints "✓ ...: correct",
# or replace print or sys.stdout; each check cell puts the real ones back first.
RESTORE_CHECK = ("from course.notebooks.sandbox import reset_kernel; check = reset_kernel()"
                 "  # undo what answers changed\n")


def merge(unit, answers):
    """A fresh copy of the executed solution with the given answer sources."""
    notebook = copy.deepcopy(unit.notebook)
    for cell in notebook["cells"]:
        if is_answer(cell):
            cell["source"] = answers.get(cell["id"], unit.blanks[cell["id"]])
            cell["outputs"] = []            # nothing of the answer cell is compared
            cell["execution_count"] = None
        elif is_check(cell):
            cell["source"] = RESTORE_CHECK + source_of(cell)
    return notebook


# --- Grading one submission ----------------------------------------------------------------

def grade_submission(path, units, limits, name=None):
    """All the rows for one submission; never raises."""
    submission = read_submission(path, name)
    unit = unit_of(submission, units)
    if unit is None and submission.problem is None:
        submission.problem = ("cannot tell which exercise notebook this is (no "
                              "metadata.course.unit, no known answer cell ids, and the file "
                              "name names no unit); submit the exercise notebook you were "
                              "given, or name the file after it")
    if submission.problem:
        problem = _sentence(submission.problem)
        if unit is None:
            return [Row(submission.name, "", "", "error", 0, 0, problem)]
        return [Row(submission.name, unit.name, name, "error", 0, points, problem)
                for name, points in unit.exercises]
    try:
        return _grade_answers(submission, unit, limits)
    except Exception as error:  # a bug here must not stop the batch
        return [Row(submission.name, unit.name, name, "error", 0, points,
                    f"the grader failed on this submission ({type(error).__name__}: "
                    f"{error}); please report it")
                for name, points in unit.exercises]


def _grade_answers(submission, unit, limits):
    answers, notes = take_answers(unit, submission)
    rows, blanked = {}, set()
    while True:
        run = run_nbval(merge(unit, answers), limits, name=f"{unit.name}.ipynb")
        new_rows, culprit = interpret(unit, run, submission.name, notes, limits)
        for row in new_rows:
            rows.setdefault(row.exercise, row)
        if culprit is None or culprit in blanked:
            break
        # The answer of `culprit` stopped the kernel or the run: grade again
        # without it, so the exercises after it still get a fair verdict.
        blanked.add(culprit)
        for cell_id in unit.answer_ids.get(culprit, []):
            answers[cell_id] = unit.blanks[cell_id]
    return [rows.get(name) or Row(submission.name, unit.name, name, "error", 0, points,
                                  "grading could not reach this exercise: an earlier cell "
                                  "stopped every run")
            for name, points in unit.exercises]


def interpret(unit, run, submission_name, notes, limits):
    """Rows for the exercises this run settled, and the exercise that stopped it (or None).

    Exercises after a stopping point are left out, to be graded by a new run.
    """
    records = {r["cell_id"]: r for r in run.records}
    rows, stop = [], None
    for name, points in unit.exercises:
        answer = [records.get(i) for i in unit.answer_ids.get(name, [])]
        checks = [records.get(c["id"]) for c in check_cells(unit.notebook, name)]
        stopped = _stopping_cell(answer + checks)
        if stopped is not None:
            reason = _why_stopped(stopped, run, limits)
            rows.append(Row(submission_name, unit.name, name, "error", 0, points,
                            _with_notes(reason, notes[name])))
            stop = name
            break
        status, message = _status(answer, checks, limits)
        rows.append(Row(submission_name, unit.name, name, status,
                        points if status == "correct" else 0, points,
                        _with_notes(message, notes[name])))
    if stop is None:
        return rows, None
    remaining = [n for n, _ in unit.exercises][len(rows):]
    return rows, (stop if remaining else None)


def _stopping_cell(records):
    """Where the run stopped among these cells' records: the record of the
    cell after which the kernel was gone, {} for a cell that never ran, or
    None if the run went past them all."""
    for record in records:
        if record is None:
            return {}
        if not record["kernel_alive"]:
            return record
    return None


def _why_stopped(record, run, limits):
    if run.killed:
        return (f"grading was stopped after {run.wall_clock:.0f} s without finishing this "
                f"exercise; does its code wait for input or never end?")
    message = record.get("message") or ""
    if "Failed to interrupt" in message:
        return (f"the answer ran longer than {limits.cell_timeout:g} s and could not be "
                f"interrupted; the kernel was stopped")
    if record:
        return ("the kernel died while running this exercise (os._exit, a crash, or more "
                f"memory than the {limits.memory_mb} MB allowed); the exercises after it "
                f"were graded in a fresh kernel")
    return ("grading stopped before this exercise ran (the grading process ended "
            f"unexpectedly: exit code {run.returncode})")


def _status(answer_records, check_records, limits):
    """(status, message) for an exercise whose cells all ran."""
    if all(r["outcome"] == "passed" for r in check_records):
        return "correct", _verdict_text(check_records)
    failed = next(r for r in check_records if r["outcome"] != "passed")
    verdict = status_of_line(failed["stdout"])
    answer_error = next((r for r in answer_records if r["outcome"] == "failed"), None)
    if answer_error and answer_error.get("ename") not in ("BlankError", "NotImplementedError"):
        return "error", _error_text(answer_error, "the answer cell", limits) + (
            f" Then the check said: {failed['stdout'].strip()}" if verdict else "")
    if verdict in ("incorrect", "not-attempted"):
        return verdict, failed["stdout"].strip()
    if verdict == "correct":
        return "incorrect", ("the check cell printed more than its verdict (an answer that "
                             "prints or warns at import?): " + failed["stdout"].strip()[:300])
    return "error", _error_text(failed, "the check cell", limits)


def _verdict_text(records):
    return " ".join(r["stdout"].strip() for r in records if r["stdout"].strip())


def _error_text(record, where, limits):
    message = record.get("message") or ""
    if record.get("ename") == "KeyboardInterrupt" or "Timeout" in message:
        return (f"{where} ran longer than {limits.cell_timeout:g} s and was stopped "
                f"(an endless loop?).")
    if record.get("ename"):
        value = f": {record['evalue']}" if record.get("evalue") else ""
        return f"{where} raised {record['ename']}{value}."
    return f"{where} failed: {message}."


def _with_notes(message, notes):
    return " ".join(_sentence(m) for m in [message, *notes] if m)


def _sentence(text):
    if status_of_line(text) is not None:
        return text  # a verdict line, exactly as the student sees it
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# --- A batch ---------------------------------------------------------------------------

def grade_all(paths, solutions_dir, jobs=2, limits=None, progress=None):
    """Grade every submission under `paths`; return all rows, in the order found.

    progress: called with each submission's rows as soon as it is graded.
    """
    units = load_units(solutions_dir)
    submissions = collect(paths)
    limits = limits or Limits()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        # Threads are enough: each grading runs in its own process (the sandbox).
        futures = [pool.submit(grade_submission, path, units, limits, name)
                   for name, path in submissions.items()]
        try:
            if progress:
                for future in as_completed(futures):
                    progress(future.result())
            return [row for future in futures for row in future.result()]
        except BaseException:  # Ctrl-C: stop the runs now rather than wait them out
            for future in futures:
                future.cancel()
            stop_all()
            raise


def row_line(row):
    """A row as the verdict line the student saw, or an error line in the same style."""
    if status_of_line(row.message) is not None:
        return row.message
    symbol = _SYMBOL[row.status]
    return f"{symbol} {row.exercise or row.submission}: {row.status} — {row.message}"


def write_gradebook(rows, out_dir):
    """grades.csv, grades.json and feedback/<submission>.md under out_dir."""
    import csv

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
    (out / "grades.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    used = set()
    for name, group in by_submission.items():
        file_name = _feedback_name(name, used)
        (out / "feedback" / file_name).write_text(feedback(name, group), encoding="utf-8")


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


_SYMBOL = {"correct": "✓", "incorrect": "✗", "not-attempted": "○", "error": "!"}


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


def summary_table(rows):
    """The text printed at the end of `course grade`."""
    lines = [f"{'exercise':<28} {'correct':>8} {'incorrect':>10} {'not-attempted':>14} "
             f"{'error':>6} {'pass rate':>10}"]
    for item in exercise_summary(rows):
        lines.append(f"{item['exercise']:<28} {item['correct']:>8} {item['incorrect']:>10} "
                     f"{item['not-attempted']:>14} {item['error']:>6} "
                     f"{item['pass_rate']:>10.0%}")
    unmatched = [r for r in rows if not r.exercise]
    if unmatched:
        lines.append(f"{len(unmatched)} submission(s) could not be matched to a notebook: "
                     + ", ".join(r.submission for r in unmatched))
    return "\n".join(lines)
