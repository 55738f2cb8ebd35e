"""Every lesson runs from top to bottom, and is stored with its outputs for readers."""

import re
from pathlib import Path

import nbformat
import pytest
from course.notebooks.build import execute
from course.notebooks.lessons import WIDGET_VIEW, without_widget_state

LESSONS = sorted((Path(__file__).resolve().parent.parent / "lessons").glob("*.ipynb"))


def test_there_are_lessons():
    assert LESSONS, "lessons/ holds no notebook"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_is_stored_with_its_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert any(cell.outputs for cell in code_cells), \
        f"{path.name} was stored without outputs: execute it before committing"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_without_errors(path):
    notebook = nbformat.read(path, as_version=4)
    # execute() raises RuntimeError, naming the cell, at the first error.
    execute(notebook, path.parent, timeout=120)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_is_stored_without_what_changes_from_run_to_run(path):
    """As `course build --lessons` stores it: no widget state (random ids, and a
    page would fetch a widget manager for it), no timings, no memory addresses."""
    notebook = nbformat.read(path, as_version=4)
    assert "widgets" not in notebook.metadata, \
        f"{path.name} holds widget state: store it with `course build --lessons`"
    for cell in notebook.cells:
        assert "execution" not in cell.metadata, f"{path.name}, cell {cell.id}: timings stored"
        for output in cell.get("outputs", []):
            assert WIDGET_VIEW not in output.get("data", {}), \
                f"{path.name}, cell {cell.id}: a widget view stored (its model is gone)"
            text = "".join(output.get("text", "")) + "".join(
                output.get("data", {}).get("text/plain", ""))
            assert not re.search(r" at 0x[0-9a-f]+", text), \
                f"{path.name}, cell {cell.id}: a memory address stored: {text[:80]}"


def test_storing_a_lesson_drops_widget_state_and_keeps_the_picture():
    notebook = nbformat.v4.new_notebook(metadata={"widgets": {"state": {}}})
    cell = nbformat.v4.new_code_cell("explorer")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        WIDGET_VIEW: {"model_id": "abc"}, "image/png": "iVBOR", "text/plain": "VBox()"})]
    notebook.cells.append(cell)
    stored = without_widget_state(notebook)
    assert "widgets" not in stored.metadata
    assert set(stored.cells[0].outputs[0].data) == {"image/png", "text/plain"}
