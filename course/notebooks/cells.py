"""The notebook markup, as the notebook tools import it.

The markup (tags, cell roles, BLANK and BEGIN/END SOLUTION markers) lives in
`course.checks.markup`, because `solution()` in an exercise notebook reads it
too; this module gives the notebook tools the same names, so the dependency
runs one way: course.notebooks uses course.checks, never the reverse.
"""

from course.checks.markup import (ANSWER_TAG, BEGIN, CHECK_TAG, END,  # noqa: F401
                                  EXERCISE_TAG_PREFIX, NBVAL_CHECK_COMMENT, NBVAL_CHECK_TAG,
                                  MarkupError, answer_cells, check_cells, exercise_names,
                                  exercise_of, has_markers, is_answer, is_check,
                                  is_compared_by_nbval, source_of, tags_of, to_exercise,
                                  to_solution)
