"""How solution notebooks are marked up, and how answers become blanks.

Cells carry tags (Property Inspector > Common Tools > Cell Tags in JupyterLab):

    answer, exercise:mse                        a cell holding (part of) the answer to mse
    check, exercise:mse, nbval-check-output     the check cell graded by nbval

and every cell has a stable id (readable ones help: "mse-answer", "mse-check").
The notebook's metadata says which unit it is: metadata.course.unit.

Inside an answer cell, two markers say what the student writes:

    return float(np.mean(errors ** 2))  # BLANK: errors ** 2
becomes
    return float(np.mean(____))

and a block

    # BEGIN SOLUTION
    grad_w = np.sum(grad_pred * x)
    # END SOLUTION
becomes
    # YOUR CODE HERE
    raise NotImplementedError()

with the indentation of the BEGIN line. The marker comments never reach the
exercise notebook.
"""

import re

ANSWER_TAG = "answer"
CHECK_TAG = "check"
EXERCISE_TAG_PREFIX = "exercise:"
NBVAL_CHECK_TAG = "nbval-check-output"
NBVAL_CHECK_COMMENT = "# NBVAL_CHECK_OUTPUT"

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
_BLANK_LINE = re.compile(r"^(?P<code>.*?)\s*# BLANK:\s?(?P<text>.+?)\s*$")


class MarkupError(ValueError):
    """A solution notebook's markup is wrong; the message says where and how to fix it."""


# --- Cells and their roles ----------------------------------------------------

def source_of(cell):
    """A cell's source as one string (notebook files may store a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def tags_of(cell):
    tags = cell.get("metadata", {}).get("tags", [])
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def exercise_of(cell):
    """The exercise a cell belongs to (from its "exercise:NAME" tag), or None."""
    for tag in tags_of(cell):
        if tag.startswith(EXERCISE_TAG_PREFIX):
            return tag[len(EXERCISE_TAG_PREFIX):]
    return None


def is_answer(cell):
    return cell.get("cell_type") == "code" and ANSWER_TAG in tags_of(cell)


def is_check(cell):
    return cell.get("cell_type") == "code" and CHECK_TAG in tags_of(cell)


def is_compared_by_nbval(cell):
    return (NBVAL_CHECK_TAG in tags_of(cell)
            or any(line.strip() == NBVAL_CHECK_COMMENT
                   for line in source_of(cell).splitlines()))


def answer_cells(notebook, exercise=None):
    return [c for c in notebook["cells"]
            if is_answer(c) and (exercise is None or exercise_of(c) == exercise)]


def check_cells(notebook, exercise=None):
    return [c for c in notebook["cells"]
            if is_check(c) and (exercise is None or exercise_of(c) == exercise)]


def exercise_names(notebook):
    """The exercises of a notebook, in the order their check cells appear."""
    names = []
    for cell in check_cells(notebook):
        name = exercise_of(cell)
        if name and name not in names:
            names.append(name)
    return names


# --- Markers ------------------------------------------------------------------

def has_markers(source):
    return any(line.strip() in (BEGIN, END) or _BLANK_LINE.match(line)
               for line in source.splitlines())


def to_exercise(source, where="this cell"):
    """The answer cell's source with its answers replaced by blanks.

    where: names the cell in error messages (e.g. "cell 'mse-answer'").
    """
    lines, block_indent = [], None
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if block_indent is not None:
                raise MarkupError(f"{where}, line {number}: {BEGIN} inside another "
                                  f"block; close the first one with {END}.")
            block_indent = line[:len(line) - len(line.lstrip())]
        elif stripped == END:
            if block_indent is None:
                raise MarkupError(f"{where}, line {number}: {END} without a {BEGIN} "
                                  f"above it.")
            lines += [f"{block_indent}# YOUR CODE HERE",
                      f"{block_indent}raise NotImplementedError()"]
            block_indent = None
        elif block_indent is None:
            lines.append(_blank_out(line, f"{where}, line {number}"))
    if block_indent is not None:
        raise MarkupError(f"{where}: {BEGIN} is never closed; add {END} after the answer.")
    return "\n".join(lines)


def _blank_out(line, where):
    match = _BLANK_LINE.match(line)
    if not match:
        return line
    code, text = match["code"], match["text"]
    count = code.count(text)
    if count != 1:
        found = "does not appear" if count == 0 else f"appears {count} times"
        raise MarkupError(f"{where}: the blank {text!r} {found} in the code before "
                          f"# BLANK:; it must appear exactly once.")
    return code.replace(text, "____")


def to_solution(source):
    """The answer cell's source with the markers removed: what solution() shows."""
    lines = []
    for line in source.splitlines():
        if line.strip() in (BEGIN, END):
            continue
        match = _BLANK_LINE.match(line)
        lines.append(match["code"] if match else line)
    return "\n".join(lines)
