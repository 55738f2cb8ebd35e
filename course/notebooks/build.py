"""Build the exercise notebooks from the solution notebooks.

For each solutions/NN_topic.ipynb, `course build`:

1. checks its markup (cell ids, answer and check tags, BLANK and BEGIN/END
   SOLUTION markers, a check module for its unit in course.checks);
2. executes it with nbclient and stores the outputs, after making sure every
   check cell printed "✓ ...: correct" (the reference must pass its checks);
3. writes exercises/NN_topic.ipynb: answers replaced by blanks, no outputs,
   the same cell ids and tags.

A file is written only when its bytes change, so a second run changes
nothing. `course build --check` writes nothing and reports the stale files.
"""

import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from course import checks
from course.checks.markup import (MarkupError, answer_cells, check_cells, exercise_of,
                                  has_markers, is_answer, is_check, is_compared_by_nbval,
                                  source_of, to_exercise)
from course.checks.verdicts import status_of_line


@dataclass
class BuildResult:
    """What building one solution notebook did or would do."""

    solution: Path
    exercise: Path
    stale: list = field(default_factory=list)   # paths whose stored bytes are out of date
    written: list = field(default_factory=list)


# --- Markup -------------------------------------------------------------------

def check_markup(notebook, unit):
    """Raise MarkupError listing every problem with a solution notebook's markup.

    notebook: the file's JSON as read (nbformat would quietly renumber
    duplicate ids, which are errors here).
    """
    problems = []
    known = {name: e for name, e in checks.exercises().items() if e.unit == unit}
    if not known:
        problems.append(f"no module in course.checks defines UNIT = {unit!r}; add one "
                        f"with the unit's exercises and list it in "
                        f"course.checks.UNIT_MODULES")
    declared = notebook.get("metadata", {}).get("course", {}).get("unit")
    if declared not in (None, unit):
        problems.append(f"metadata.course.unit is {declared!r} but the file is "
                        f"{unit}.ipynb; make them the same")
    seen = set()
    for number, cell in enumerate(notebook["cells"]):
        cell_id = cell.get("id")
        where = f"cell {number} ({cell_id!r})"
        if not cell_id:
            problems.append(f"cell {number} has no id; save the notebook with a "
                            f"current JupyterLab (nbformat 4.5) to give it one")
        elif cell_id in seen:
            problems.append(f"{where}: the id is used twice; every cell needs its own")
        seen.add(cell_id)
        problems += _cell_problems(cell, where, known)
    for name in known:
        if not answer_cells(notebook, name):
            problems.append(f"exercise {name!r} has no answer cell (tags: answer, "
                            f"exercise:{name})")
        if not check_cells(notebook, name):
            problems.append(f"exercise {name!r} has no check cell (tags: check, "
                            f"exercise:{name}, nbval-check-output)")
    if problems:
        raise MarkupError(f"{unit}.ipynb:\n  - " + "\n  - ".join(problems))


_CALLS_CHECK = re.compile(r"^\s*check\(", re.MULTILINE)


def _cell_problems(cell, where, known):
    source = source_of(cell)
    if not (is_answer(cell) or is_check(cell)):
        return _untagged_cell_problems(cell, source, where)
    name = exercise_of(cell)
    if name is None:
        return [f"{where}: an answer or check cell needs an 'exercise:NAME' tag"]
    if name not in known:
        return [f"{where}: exercise {name!r} is not defined in this unit's check "
                f"module (known: {', '.join(sorted(known)) or 'none'})"]
    if is_check(cell):
        return _check_cell_problems(cell, source, name, where)
    return _answer_cell_problems(source, where)


def _untagged_cell_problems(cell, source, where):
    if cell.get("cell_type") != "code":
        return []
    if has_markers(source):
        return [f"{where}: has answer markers but no 'answer' tag"]
    if _CALLS_CHECK.search(source):
        return [f"{where}: calls check() but has no 'check' tag, so grading would not "
                f"see it (tags: check, exercise:NAME, nbval-check-output)"]
    return []


def _check_cell_problems(cell, source, name, where):
    if not is_compared_by_nbval(cell):
        return [f"{where}: a check cell needs the 'nbval-check-output' tag"]
    if f'"{name}"' not in source and f"'{name}'" not in source:
        return [f"{where}: it is tagged exercise:{name} but does not call "
                f'check("{name}"); the gradebook would credit the wrong exercise']
    return []


def _answer_cell_problems(source, where):
    if not has_markers(source):
        return [f"{where}: an answer cell needs # BLANK: or # BEGIN SOLUTION / "
                f"# END SOLUTION markers, or the exercise would show the answer"]
    try:
        to_exercise(source, where)
    except MarkupError as error:
        return [str(error)]
    return []


# --- Execution ----------------------------------------------------------------

def execute(notebook, folder, timeout=600, record_timing=False):
    """Run a notebook in `folder` with a kernel of this Python; return the result.

    record_timing: keep nbclient's start and end times in each cell's metadata.

    Raises RuntimeError naming the cell when a cell fails, and when a check
    cell's verdict is not "correct": a solution must pass its own checks. A
    kernel that never comes up is started once more (see sandbox.py).
    """
    from course.notebooks.sandbox import kernel_never_started

    try:
        executed = _execute_once(notebook, folder, timeout, record_timing)
    except RuntimeError as error:
        if not kernel_never_started(str(error)):
            raise
        executed = _execute_once(notebook, folder, timeout, record_timing)
    for cell in check_cells(executed):
        printed = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
        if status_of_line(printed) != "correct":
            raise RuntimeError(f"the check cell {cell.get('id')!r} of the solution did "
                               f"not print a correct verdict; it printed:\n{printed}")
    return executed


def _execute_once(notebook, folder, timeout, record_timing):
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, NbvalKernelspecManager

    executed = copy.deepcopy(notebook)
    # The kernel runs this very Python, as nbval's --nbval-current-env does.
    manager = KernelManager(kernel_name=CURRENT_ENV_KERNEL_NAME,
                            kernel_spec_manager=NbvalKernelspecManager())
    # coalesce_streams: a print may reach the notebook in one piece or in
    # several, depending on timing; stored outputs must not depend on that.
    client = NotebookClient(executed, km=manager, timeout=timeout, record_timing=record_timing,
                            coalesce_streams=True,
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(folder)}})
    try:
        client.execute()
    except CellExecutionError:
        raise RuntimeError(_failed_cell_report(executed)) from None
    finally:
        if manager.has_kernel:
            manager.shutdown_kernel(now=True)
    return executed


_COLOURS = re.compile(r"\x1b\[[0-9;]*m")


def _failed_cell_report(executed):
    """Which cell of the solution raised what, with its traceback in plain text."""
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                traceback = _COLOURS.sub("", "\n".join(output.get("traceback", [])))
                return (f"the cell {cell.get('id')!r} of the solution raised "
                        f"{output['ename']}: {output['evalue']}\n{traceback}")
    return "a cell of the solution failed"


def normalize(notebook):
    """Drop what changes from machine to machine (the Python version, timings)."""
    notebook.metadata.get("language_info", {}).pop("version", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    return notebook


def with_course_metadata(notebook, unit, role):
    """Record the unit, the role and each exercise's points in the notebook."""
    names = []
    for cell in notebook.cells:
        name = exercise_of(cell) if is_check(cell) else None
        if name and name not in names:
            names.append(name)
    notebook.metadata["course"] = {
        "unit": unit,
        "role": role,
        "exercises": [{"name": n, "points": checks.find(n).points} for n in names],
    }
    return notebook


def make_exercise(solution):
    """The exercise notebook for an executed solution notebook."""
    exercise = copy.deepcopy(solution)
    exercise.metadata["course"]["role"] = "exercise"
    for cell in exercise.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        if is_answer(cell):
            cell.source = to_exercise(source_of(cell), f"cell {cell.get('id')!r}")
    return exercise


def dumps(notebook):
    import nbformat

    text = nbformat.writes(notebook)
    return text if text.endswith("\n") else text + "\n"


# --- The command ----------------------------------------------------------------

def build_one(solution_path, exercises_dir, check_only=False, timeout=600):
    """Build one solution notebook and its exercise; return a BuildResult."""
    import nbformat

    solution_path = Path(solution_path)
    unit = solution_path.stem
    exercise_path = Path(exercises_dir) / solution_path.name
    result = BuildResult(solution_path, exercise_path)

    stored_text = solution_path.read_text(encoding="utf-8")
    check_markup(json.loads(stored_text), unit)
    stored = nbformat.reads(stored_text, as_version=4)

    executed = with_course_metadata(normalize(execute(stored, solution_path.parent, timeout)),
                                    unit, "solution")
    solution_text = dumps(executed)
    exercise_text = dumps(make_exercise(executed))
    for path, text in ((solution_path, solution_text), (exercise_path, exercise_text)):
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        result.stale.append(path)
        if not check_only:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            result.written.append(path)
    return result


def orphan_exercises(solutions_dir, exercises_dir):
    """Exercise notebooks that no solution notebook generates."""
    solutions = {p.name for p in Path(solutions_dir).glob("*.ipynb")}
    return sorted(p for p in Path(exercises_dir).glob("*.ipynb") if p.name not in solutions)
