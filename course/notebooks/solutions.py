"""Finding the solution notebooks, as the notebook tools import it.

It lives in `course.checks.reference`, beside the `solution()` that reads
reference answers in an exercise notebook; see course.notebooks.cells for why.
"""

from course.checks.reference import (SOLUTIONS_DIR_VARIABLE, find_solutions_dir,  # noqa: F401
                                     read_notebook_json, solution_source)
