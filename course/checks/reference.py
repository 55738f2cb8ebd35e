"""Finding the solution notebooks, and reading answers out of them."""

import json
import os
from pathlib import Path

from course.checks.markup import answer_cells, source_of, to_solution

SOLUTIONS_DIR_VARIABLE = "COURSE_SOLUTIONS_DIR"


def find_solutions_dir(explicit=None):
    """The folder of solution notebooks, or None if there is none to be found.

    Looked for in order: `explicit`, $COURSE_SOLUTIONS_DIR, ./solutions,
    ../solutions (an exercise notebook runs in exercises/), and the
    solutions/ folder beside the installed package (a source checkout).
    """
    if explicit is not None:
        return Path(explicit) if Path(explicit).is_dir() else None
    candidates = [os.environ.get(SOLUTIONS_DIR_VARIABLE), "solutions", "../solutions",
                  Path(__file__).resolve().parents[2] / "solutions"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def read_notebook_json(path):
    """A notebook file as plain JSON (a dict), without validating it."""
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def solution_source(exercise, solutions_dir=None):
    """The reference answer of an exercise: its answer cells, markers removed."""
    folder = find_solutions_dir(solutions_dir)
    path = folder / f"{exercise.unit}.ipynb" if folder else None
    if path is None or not path.is_file():
        return (f"The solution notebook {exercise.unit}.ipynb was not found. It lives "
                f"in the solutions/ folder of the course; set {SOLUTIONS_DIR_VARIABLE} "
                f"to that folder if you keep it elsewhere.")
    cells = answer_cells(read_notebook_json(path), exercise.name)
    return "\n\n".join(to_solution(source_of(cell)) for cell in cells)
