"""The run's nbval process: forked from a warm server, driving a kernel it starts apart.

course.notebooks.driver forks each run's nbval process from a
multiprocessing forkserver. These tests pin down what that must not change:
a grading script without a `__main__` guard grades once, not once per run;
and a kernel that cannot start ends its run at once with a reason. (That a
run leaves no process behind is in test_grade_hostile.)
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from course.notebooks import sandbox
from course.notebooks.bwrap import Bubblewrap, why_not
from fixtures.submissions import EXERCISES, FIRST, correct_after, make_class, write

BWRAP_REASON = why_not(Bubblewrap())

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


def test_sockets_an_answer_swaps_for_links_elsewhere_are_never_followed(tmp_path):
    """nbval connects through links of its own to the kernel's sockets, made
    before any answer ran; replacing the kernel's socket files and then
    dropping the connection makes it reconnect to nothing else."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "host.sock"))
    server.listen(8)
    server.settimeout(0.2)
    notebook = json.loads(json.dumps(NOTEBOOK))
    notebook["cells"][0]["source"] = (
        "import glob, os\n"
        "for path in glob.glob(os.path.join('..', 'kernel', '*-ipc-*')):\n"
        "    os.remove(path)\n"
        f"    os.symlink({str(tmp_path / 'host.sock')!r}, path)\n"
        "os._exit(1)\n")
    result = sandbox.run_nbval(notebook, sandbox.Limits())
    assert result.records[0]["kernel_alive"] is False
    connections = 0
    deadline = time.monotonic() + 1
    while time.monotonic() < deadline:
        try:
            server.accept()[0].close()
            connections += 1
        except socket.timeout:
            pass
    server.close()
    assert connections == 0


def test_a_kernel_that_never_starts_is_blamed_on_the_machine_not_the_answer(monkeypatch,
                                                                           tmp_path):
    from course.notebooks.grade import grade_all

    monkeypatch.setattr(sandbox, "_kernel_command",
                        lambda limits, processes: [sys.executable, "-c", "raise SystemExit(3)"])
    make_class(tmp_path / "class", {"alice.ipynb": "correct"})
    rows = grade_all([tmp_path / "class"], ROOT / "solutions", jobs=1, sandbox=None)
    assert [row.exercise for row in rows] == EXERCISES
    assert {row.status for row in rows} == {"error"}
    assert all(row.message.startswith("The grading kernel never started (Kernel died")
               and "not of this answer" in row.message for row in rows)


# --- Where the runs' sockets go ---------------------------------------------------------

def test_a_temporary_folder_too_long_for_sockets_gives_way_to_tmp(monkeypatch):
    """70 bytes: too long for a kernel's sockets under it. (The fork server,
    which lives as long as this process, is started first, with its own
    socket where it always is.)"""
    from course.notebooks import driver

    driver.warm_up()
    base = Path(tempfile.mkdtemp(prefix="t-", dir="/tmp"))
    long = base / ("x" * (70 - len(str(base)) - 1))
    long.mkdir()
    try:
        monkeypatch.setattr(tempfile, "tempdir", str(long))
        assert sandbox.runs_folder() == "/tmp"
        result = sandbox.run_nbval(NOTEBOOK, sandbox.Limits())
        assert [r["outcome"] for r in result.records] == ["passed"]
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_grading_with_a_temporary_folder_too_long_for_any_socket_says_what_to_do(tmp_path):
    long = tmp_path / ("y" * (149 - len(str(tmp_path))))
    long.mkdir()
    make_class(tmp_path / "class", {"alice.ipynb": "correct"})
    done = subprocess.run([sys.executable, "-m", "course", "grade", tmp_path / "class",
                           "--out", tmp_path / "out", "--sandbox", "none"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TMPDIR": str(long)})
    assert done.returncode == 2
    assert "course grade: cannot start grading: the temporary folder's path (150 " \
           "characters" in done.stderr
    assert "set TMPDIR to a folder with a shorter path" in done.stderr
    assert not (tmp_path / "out").exists()


# --- When the grader itself is killed ---------------------------------------------------

def processes_of_runs_under(folder):
    """Process ids of every run's processes whose folders are under `folder`."""
    marker = f"{sandbox.RUN_VARIABLE}={folder}{os.sep}".encode()
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as file:
                if marker in file.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the runs' processes in /proc")
@pytest.mark.parametrize("mode", ["none", pytest.param("bwrap", marks=pytest.mark.skipif(
    BWRAP_REASON is not None, reason=f"bubblewrap cannot run here: {BWRAP_REASON}"))])
def test_killing_the_grader_ends_the_runs_it_started(tmp_path, mode):
    runs = Path(tempfile.mkdtemp(prefix="runs-", dir="/tmp"))   # short enough for sockets
    (tmp_path / "class").mkdir()
    write(tmp_path / "class" / "sleeper.ipynb",
          correct_after(FIRST, "import time\ntime.sleep(120)"))
    grader = subprocess.Popen([sys.executable, "-m", "course", "grade", tmp_path / "class",
                               "--out", tmp_path / "out", "--sandbox", mode, "--jobs", "1",
                               "--quiet"], cwd=ROOT, env={**os.environ, "TMPDIR": str(runs)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    left = []
    try:
        deadline = time.monotonic() + 60
        while not processes_of_runs_under(runs) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert processes_of_runs_under(runs), "the run never started"
        time.sleep(1)   # the answer is sleeping now
        grader.kill()
        grader.wait()
        deadline = time.monotonic() + 10
        while processes_of_runs_under(runs) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = processes_of_runs_under(runs)
    finally:
        grader.kill()
        for pid in processes_of_runs_under(runs):   # never leave one behind
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(runs, ignore_errors=True)
    assert left == []


def test_removing_a_run_folder_never_changes_a_file_a_link_in_it_points_to(tmp_path):
    """What an answer can leave behind: a link to a file of the grader's, in a
    folder it made read-only (which stops rmtree, unless grading runs as root)."""
    outside = tmp_path / "grader's file"
    outside.write_text("mine")
    outside.chmod(0o644)
    locked = tmp_path / "run" / "locked"
    locked.mkdir(parents=True)
    (locked / "link").symlink_to(outside)
    locked.chmod(0o500)
    sandbox._make_writable_and_retry(os.unlink, str(locked / "link"), None)
    assert not (locked / "link").is_symlink()
    sandbox._remove(tmp_path / "run")
    assert not (tmp_path / "run").exists()
    assert oct(outside.stat().st_mode & 0o777) == oct(0o644) and outside.read_text() == "mine"
