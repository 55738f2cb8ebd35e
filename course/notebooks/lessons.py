"""Run the lesson notebooks and store their outputs, the same bytes every run.

    course build --lessons [LESSON ...]

A lesson keeps its outputs in git: readers' pages are rendered from them and
a student sees them before running anything. So what is stored must not
change from run to run, and must not need a kernel or the network to show:

- nbclient's timings and the Python version are dropped, as for solutions;
- widget state is dropped: ipywidgets gives its models new random ids on
  every run, and a page holding that state loads a widget manager from the
  network. An explorer's output keeps the PNG of its default state, which
  JupyterLab shows until the cell runs again and a page shows for good.
"""

from pathlib import Path

from course.notebooks.build import dumps, execute, normalize

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def without_widget_state(notebook):
    """The notebook with its widget state and widget views removed (in place)."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    return notebook


def store_lesson(path, check_only=False, timeout=600):
    """Execute the lesson at `path` and store its outputs there, unless check_only.

    Returns True when the stored bytes were (or, with check_only, would be)
    out of date. Raises RuntimeError naming the cell when a cell fails.
    """
    import nbformat

    path = Path(path)
    stored = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(stored, as_version=4)
    executed = without_widget_state(normalize(execute(notebook, path.parent, timeout)))
    text = dumps(executed)
    if text == stored:
        return False
    if not check_only:
        path.write_text(text, encoding="utf-8")
    return True
