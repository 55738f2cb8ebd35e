"""The run's nbval process: forked from a warm server, driving a kernel it starts apart.

course.notebooks.driver forks each run's nbval process from a
multiprocessing forkserver. These tests pin down what that must not change:
a grading script without a `__main__` guard grades once, not once per run;
and a kernel that cannot start ends its run at once with a reason. (That a
run leaves no process behind is in test_grade_hostile.)
"""

import subprocess
import sys
import time
from pathlib import Path

from course.notebooks import sandbox
from fixtures.submissions import make_class

ROOT = Path(__file__).resolve().parent.parent


def test_a_script_that_grades_at_its_top_level_grades_once(tmp_path):
    """multiprocessing would run such a script again in every forked run."""
    make_class(tmp_path / "class", {"alice.ipynb": "correct", "bob.ipynb": "wrong"})
    log = tmp_path / "started.txt"
    script = tmp_path / "grade_my_class.py"
    script.write_text(
        "from course.notebooks.grade import grade_all\n"
        "from course.notebooks.gradebook import write_gradebook\n"
        f"with open({str(log)!r}, 'a') as file:\n"
        "    file.write('started\\n')\n"
        f"if open({str(log)!r}).read().count('started') == 1:  # never twice, even if broken\n"
        f"    rows = grade_all([{str(tmp_path / 'class')!r}], {str(ROOT / 'solutions')!r},\n"
        "                     jobs=2, sandbox=None)\n"
        "    print(sorted({(row.submission, row.status) for row in rows}))\n")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert log.read_text() == "started\n"
    assert done.stdout.strip() == str([("alice.ipynb", "correct"), ("bob.ipynb", "incorrect")])


NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "cells": [{"cell_type": "code", "id": "first", "metadata": {}, "execution_count": 1,
               "source": "print(1)", "outputs": []}],
}


def test_a_kernel_that_cannot_start_ends_the_run_at_once_saying_so(monkeypatch):
    monkeypatch.setattr(sandbox, "_kernel_command",
                        lambda limits, processes: [sys.executable, "-c", "raise SystemExit(3)"])
    start = time.monotonic()
    result = sandbox.run_nbval(NOTEBOOK, sandbox.Limits(startup_timeout=60))
    assert time.monotonic() - start < 30   # not the 60 s of the start-up limit
    assert [r["cell_id"] for r in result.records] == ["first"]
    assert "Kernel died before replying to kernel_info" in result.records[0]["message"]
    assert not result.records[0]["kernel_alive"]
