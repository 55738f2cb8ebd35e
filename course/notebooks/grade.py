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

import copy
import json
import re
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from course.checks.verdicts import ERROR, status_of_line
from course.checks.markup import (answer_cells, check_cells, exercise_of, is_answer,
                                  is_check, source_of, to_exercise)
from course.notebooks.gradebook import Row
from course.notebooks import driver
from course.notebooks.sandbox import (Limits, kernel_never_started, run_nbval, runs_folder,
                                      start_grading, stop_all)
from course.notebooks.submissions import (GradingError, collect, read_submission,
                                          take_answers, unit_of)


# --- The solutions -------------------------------------------------------------------

@dataclass
class Unit:
    """An executed solution notebook, ready to receive answers."""

    name: str
    notebook: dict
    exercises: list                      # [(name, points)] in notebook order
    path: Path = None                    # the executed solution notebook
    answer_ids: dict = field(default_factory=dict)   # exercise -> [answer cell ids]
    blanks: dict = field(default_factory=dict)       # answer cell id -> exercise source


def load_units(solutions_dir):
    """Every executed solution notebook in a folder, by unit name."""
    folder = Path(solutions_dir)
    paths = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not paths:
        raise GradingError(f"no solution notebooks in {folder}/; grade from the course's "
                           f"folder or pass --solutions DIR")
    units = {}
    for path in paths:
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as error:
            raise GradingError(f"{path} is not a readable notebook ({error})") from None
        meta = notebook.get("metadata", {}).get("course", {})
        checks = check_cells(notebook)
        if not meta.get("exercises") or any(not c.get("outputs") for c in checks):
            raise GradingError(f"{path} has no stored outputs to grade against; run "
                               f"`course build` first")
        unit = Unit(path.stem, notebook,
                    [(e["name"], e["points"]) for e in meta["exercises"]], path)
        for cell in answer_cells(notebook):
            unit.answer_ids.setdefault(exercise_of(cell), []).append(cell["id"])
            unit.blanks[cell["id"]] = to_exercise(source_of(cell))
        units[unit.name] = unit
    return units


# --- Merging the answers into the solution --------------------------------------------------

# An answer cell could define its own `check` that prints "✓ ...: correct",
# or replace print or sys.stdout; each check cell puts the real ones back first.
RESET_BEFORE_CHECK = ("from course.notebooks.inside import reset_kernel; check = reset_kernel()"
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
            cell["source"] = RESET_BEFORE_CHECK + source_of(cell)
    return notebook


# --- Grading one submission ----------------------------------------------------------------

def grade_submission(path, units, limits, name=None, sandbox=None):
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
            return [Row(submission.name, "", "", ERROR, 0, 0, problem)]
        return [Row(submission.name, unit.name, exercise, ERROR, 0, points, problem)
                for exercise, points in unit.exercises]
    try:
        return _grade_answers(submission, unit, limits, sandbox)
    except Exception as error:  # a bug here must not stop the batch
        return [Row(submission.name, unit.name, exercise, ERROR, 0, points,
                    f"the grader failed on this submission ({type(error).__name__}: "
                    f"{error}); please report it")
                for exercise, points in unit.exercises]


def _grade_answers(submission, unit, limits, sandbox):
    answers = take_answers(unit, submission)
    sources, rows, blanked = dict(answers.sources), {}, set()
    while True:
        run = run_nbval(merge(unit, sources), limits, name=f"{unit.name}.ipynb",
                        sandbox=sandbox)
        new_rows, culprit = interpret(unit, run, submission.name, limits)
        for row in new_rows:
            rows.setdefault(row.exercise, row)
        if culprit is None or culprit in blanked:
            break
        # The answer of `culprit` stopped the kernel or the run: grade again
        # without it, so the exercises after it still get a fair verdict.
        blanked.add(culprit)
        for cell_id in unit.answer_ids.get(culprit, []):
            sources[cell_id] = unit.blanks[cell_id]
    rows = [rows.get(name) or Row(submission.name, unit.name, name, ERROR, 0, points,
                                  "grading could not reach this exercise: an earlier cell "
                                  "stopped every run")
            for name, points in unit.exercises]
    for row in rows:
        _add_notes(row, answers)
    return rows


def interpret(unit, run, submission_name, limits):
    """Rows for the exercises this run settled, and the exercise that stopped it (or None).

    Exercises after a stopping point are left out, to be graded by a new run.
    """
    records = {r["cell_id"]: r for r in run.records}
    rows, stop = [], None
    for name, points in unit.exercises:
        answer = [records.get(i) for i in unit.answer_ids.get(name, [])]
        checks = [records.get(c["id"]) for c in check_cells(unit.notebook, name)]
        stopped = _stopping_cell(answer + checks)
        if stopped is not None and kernel_never_started(stopped.get("message") or ""):
            # No answer ran: no exercise is to blame, and another run would fare alike.
            why = (f"the grading kernel never started ({stopped['message']}); that is a "
                   f"fault of the grading machine, not of this answer: ask for a regrade")
            done = {row.exercise for row in rows}
            rows += [Row(submission_name, unit.name, other, ERROR, 0, worth, why)
                     for other, worth in unit.exercises if other not in done]
            return rows, None
        if stopped is not None:
            rows.append(Row(submission_name, unit.name, name, ERROR, 0, points,
                            _why_stopped(stopped, run, limits)))
            stop = name
            break
        status, message = _status(answer, checks, limits)
        rows.append(Row(submission_name, unit.name, name, status,
                        points if status == "correct" else 0, points, message))
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
        return ERROR, _error_text(answer_error, "the answer cell", limits) + (
            f" Then the check said: {failed['stdout'].strip()}" if verdict else "")
    if verdict in ("incorrect", "not-attempted"):
        return verdict, failed["stdout"].strip()
    if verdict == "correct":
        return "incorrect", ("the check cell printed something besides its verdict (does an "
                             "answer print from a thread or a process it started?): "
                             + failed["stdout"].strip()[:300])
    return ERROR, _error_text(failed, "the check cell", limits)


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


def _add_notes(row, answers):
    """Add to a row what was odd about its answer, and why a person should look at it."""
    notes = answers.notes[row.exercise] + _undefined_names_note(row.message, answers.elsewhere)
    row.message = " ".join(_sentence(m) for m in [row.message, *notes] if m)
    row.review = "; ".join(answers.review[row.exercise])


_UNDEFINED = re.compile(r"name '(\w+)' is not defined")


def _undefined_names_note(message, elsewhere):
    """Explain a NameError for a name the submission defines only outside its answers."""
    names = [name for name in _UNDEFINED.findall(message) if name in elsewhere]
    if not names:
        return []
    return [f"the name {names[0]} is defined in a cell that grading does not run (only the "
            f"answer cells are taken from your notebook); define {names[0]} in the answer "
            f"cell that uses it"]


def _sentence(text):
    if status_of_line(text) is not None:
        return text  # a verdict line, exactly as the student sees it
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


# --- A batch ---------------------------------------------------------------------------

def grade_all(paths, solutions_dir, jobs=2, limits=None, progress=None, sandbox=None):
    """Grade every submission under `paths`; return all rows, sorted by submission name.

    progress: called with each submission's rows as soon as it is graded.
    sandbox: a course.notebooks.bwrap.Bubblewrap to run each submission in, or None.
    """
    return grade_submissions(collect(paths), load_units(solutions_dir), jobs, limits,
                             progress, sandbox)


def grade_submissions(submissions, units, jobs=2, limits=None, progress=None, sandbox=None):
    """Grade {name: source} (from collect) against the units; rows in the order given."""
    limits = limits or Limits()
    runs_folder()       # raise, saying what to do, before anything is graded
    driver.warm_up()
    start_grading()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        # Threads are enough: each grading runs in its own process (the sandbox).
        futures = [pool.submit(grade_submission, path, units, limits, name, sandbox)
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
