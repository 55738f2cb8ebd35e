"""`course grade --sandbox`: bubblewrap found and working, or an error that says why.

The hostile batch runs only where bubblewrap works (CI installs it). Its
answers call a server on the host's 127.0.0.1, write outside their folder,
read the gradebook and another submission, and start processes until the
limit stops them (at most 300, each killed at once: never a fork bomb).
Each such answer fails its exercise if the attempt succeeds, so "correct"
means it was stopped; the tests also look at the machine's side.
"""

import csv
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from course.notebooks.bwrap import Bubblewrap, why_not
from fixtures.once import computed_once
from fixtures.submissions import (EXERCISES, FIRST, all_correct_except, correct_after,
                                  index_rows, make_class, statuses, write)

ROOT = Path(__file__).resolve().parent.parent
PROCESS_LIMIT = 64
BWRAP_REASON = why_not(Bubblewrap())
needs_bwrap = pytest.mark.skipif(BWRAP_REASON is not None,
                                 reason=f"bubblewrap cannot run here: {BWRAP_REASON}")


def course(*args, env=None):
    return subprocess.run([sys.executable, "-m", "course", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


# --- Asked for and not working: an error before anything is graded ------------------------

def failing_bwrap(folder):
    """A `bwrap` that fails the way it does in a container that forbids namespaces."""
    folder.mkdir()
    fake = folder / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace, likely "
                    "because the kernel does not allow non-privileged user namespaces' >&2\n"
                    "exit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_bwrap_asked_for_and_failing_is_an_error_saying_why(tmp_path):
    make_class(tmp_path / "submissions", {"alice.ipynb": "correct"})
    result = course("grade", tmp_path / "submissions", "--out", tmp_path / "out",
                    "--sandbox", "bwrap", env=failing_bwrap(tmp_path / "bin"))
    assert result.returncode == 2
    assert "--sandbox bwrap cannot run on this machine: bwrap failed: bwrap: No permissions " \
           "to create new namespace" in result.stderr
    assert "does not let it create namespaces" in result.stderr
    assert "Nothing was graded" in result.stderr and "[1/1]" not in result.stdout
    assert not (tmp_path / "out").exists()


def test_bwrap_asked_for_and_missing_is_an_error_saying_how_to_install_it(tmp_path):
    make_class(tmp_path / "submissions", {"alice.ipynb": "correct"})
    (tmp_path / "empty").mkdir()
    result = course("grade", tmp_path / "submissions", "--out", tmp_path / "out",
                    "--sandbox", "bwrap", env={"PATH": str(tmp_path / "empty")})
    assert result.returncode == 2
    assert "bubblewrap is not installed (on Debian or Ubuntu: apt-get install bubblewrap)" \
        in result.stderr


def test_auto_grades_without_the_sandbox_when_it_cannot_run_and_says_so(tmp_path):
    make_class(tmp_path / "submissions", {"alice.ipynb": "correct"})
    result = course("grade", tmp_path / "submissions", "--out", tmp_path / "out",
                    "--sandbox", "auto", "--jobs", "1", env=failing_bwrap(tmp_path / "bin"))
    assert result.returncode == 0, result.stderr
    assert "grading without a sandbox (bwrap failed: bwrap: No permissions" in result.stderr
    assert "Sandbox: none" in result.stdout
    assert "Sandbox: none" in (tmp_path / "out" / "summary.txt").read_text()
    report = json.loads((tmp_path / "out" / "grades.json").read_text())
    assert report["grading"]["settings"]["sandbox"] == "none"
    assert [e["points"] for e in report["submissions"]] == [len(EXERCISES)]


# --- Under bubblewrap: hostile answers ---------------------------------------------------

def calls_the_host(port):
    return (f"import socket\n"
            f"try:\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
            f"except OSError:\n"
            f"    pass\n"
            f"else:\n"
            f"    raise RuntimeError('reached a server on the host')\n")


def writes_outside(paths):
    return (f"import os\n"
            f"for path in {[str(p) for p in paths]!r}:\n"
            f"    try:\n"
            f"        with open(path, 'a') as file:\n"
            f"            file.write('written by a submission')\n"
            f"    except OSError:\n"
            f"        continue\n"
            f"    raise RuntimeError('wrote ' + path)\n")


def reads(paths):
    return (f"for path in {[str(p) for p in paths]!r}:\n"
            f"    try:\n"
            f"        text = open(path).read()\n"
            f"    except OSError:\n"
            f"        continue\n"
            f"    raise RuntimeError('read ' + path + ': ' + text[:40])\n")


STARTS_PROCESSES = """
import os, time
children, stopped_by = [], None
for _ in range(300):
    try:
        pid = os.fork()
    except OSError as error:
        stopped_by = type(error).__name__
        break
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
raise RuntimeError(f'started {len(children)} processes, then {stopped_by}')
"""


# The report of its own run (where nbval writes each cell's result) lies
# beside the run's folder, in the grader's temporary folder.
REACHES_REPORT = """
import glob, os
beside = os.path.dirname(os.path.dirname(os.getcwd()))
for path in glob.glob(os.path.join(beside, 'course-report-*', '*')) + glob.glob('/tmp/course-report-*/*'):
    raise RuntimeError('found the report: ' + path)
"""


class Server:
    """A TCP server on the host's loopback that counts the connections it gets."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port, self.connections = self.socket.getsockname()[1], 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


def grade_hostile_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("sandboxed")
    folder, out, outside = base / "submissions", base / "gradebook", base / "outside"
    outside.mkdir()
    paths = make_class(folder, {"alice/unit.ipynb": "correct", "bob/unit.ipynb": "wrong"})
    out.mkdir()
    (out / "grades.csv").write_text("submission,points\nsomeone.ipynb,SECRET\n")
    server = Server()
    hostile = {
        "network": correct_after(FIRST, calls_the_host(server.port)),
        "writes_outside": correct_after(FIRST, writes_outside(
            [outside / "escaped", folder / "alice" / "unit.ipynb", out / "grades.csv",
             ROOT / "escaped", Path.home() / "escaped"])),
        "reads_gradebook": correct_after(FIRST, reads(
            [out / "grades.csv", paths["alice/unit.ipynb"]])),
        "many_processes": correct_after(FIRST, STARTS_PROCESSES),
        "reaches_report": correct_after(FIRST, REACHES_REPORT),
        "memory_hog": correct_after(EXERCISES[-1], "import numpy\nhog = numpy.ones(10**9)"),
    }
    for name, notebook in hostile.items():
        write(folder / f"{name}.ipynb", notebook)
    before = paths["alice/unit.ipynb"].read_bytes()
    result = course("grade", folder, "--out", out, "--jobs", "2", "--timeout", "20",
                    "--sandbox", "bwrap", "--processes", PROCESS_LIMIT)
    with open(out / "grades.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    return {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr,
            "rows": rows, "connections": server.connections,
            "outside": sorted(p.name for p in outside.iterdir()),
            "escaped": [str(p) for p in (ROOT / "escaped", Path.home() / "escaped")
                        if p.exists()],
            "alice_unchanged": paths["alice/unit.ipynb"].read_bytes() == before,
            "report": json.loads((out / "grades.json").read_text())}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    batch = computed_once(tmp_path_factory, "sandboxed-batch",
                          lambda: grade_hostile_batch(tmp_path_factory))
    return index_rows(batch)




@needs_bwrap
def test_grading_ran_under_bwrap_and_says_so(batch):
    assert batch["returncode"] == 0, batch["stderr"]
    assert batch["report"]["grading"]["settings"]["sandbox"] == "bwrap"
    assert "Sandbox: bwrap (no network" in batch["stdout"]


@needs_bwrap
def test_the_sandbox_changes_no_honest_grade(batch):
    assert statuses(batch, "alice/unit") == all_correct_except()
    assert set(statuses(batch, "bob/unit").values()) == {"incorrect"}


@needs_bwrap
def test_a_server_on_the_hosts_loopback_cannot_be_reached(batch):
    assert statuses(batch, "network") == all_correct_except()
    assert batch["connections"] == 0


@needs_bwrap
def test_nothing_outside_the_runs_folder_can_be_written(batch):
    assert statuses(batch, "writes_outside") == all_correct_except()
    assert batch["outside"] == [] and batch["escaped"] == []
    assert batch["alice_unchanged"]


@needs_bwrap
def test_the_gradebook_and_other_submissions_cannot_be_read(batch):
    assert statuses(batch, "reads_gradebook") == all_correct_except()


@needs_bwrap
def test_an_answer_cannot_see_the_report_nbval_writes_of_its_run(batch):
    assert statuses(batch, "reaches_report") == all_correct_except()


@needs_bwrap
def test_starting_hundreds_of_processes_is_stopped_by_the_process_limit(batch):
    row = batch["grades"]["many_processes"][FIRST]
    assert row["status"] == "error"
    started = re.search(r"started (\d+) processes, then (\w+)", row["message"])
    assert started, row["message"]
    count, stopped_by = int(started[1]), started[2]
    assert stopped_by == "BlockingIOError" and 0 < count < PROCESS_LIMIT
    assert statuses(batch, "many_processes") == all_correct_except(FIRST, "error")


@needs_bwrap
def test_the_memory_limit_still_holds_in_the_sandbox(batch):
    assert statuses(batch, "memory_hog") == all_correct_except(EXERCISES[-1], "error")
    assert "MemoryError" in batch["grades"]["memory_hog"][EXERCISES[-1]]["message"]


@needs_bwrap
def test_a_process_that_leaves_its_session_still_dies_with_the_sandbox(tmp_path):
    """Without the grader's own clean-up: bwrap's process namespace alone ends it."""
    marker = f"course-test-daemon-{os.getpid()}"
    daemon = ("import os, sys, time\n"
              "if os.fork() == 0:\n"
              "    os.setsid()\n"
              "    if os.fork() == 0:\n"
              f"        os.execv(sys.executable, [sys.executable, '-c', "
              f"'import time; time.sleep(60)', {marker!r}])\n"
              "    os._exit(0)\n"
              "time.sleep(0.5)\n")
    sandbox = Bubblewrap()
    with sandbox.user() as uid:
        command = sandbox.wrap([sys.executable, "-c", daemon], [tmp_path], tmp_path, uid)
        subprocess.run(command, timeout=60, check=True)

    def running():
        found = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as file:
                    if marker.encode() in file.read():
                        found.append(int(pid))
            except OSError:
                pass
        return found

    left = running()
    for _ in range(50):  # the kernel kills them as the sandbox ends; give it a moment
        if not left:
            break
        time.sleep(0.1)
        left = running()
    for pid in left:  # never leave it behind, even when the test fails
        os.kill(pid, 9)
    assert left == []


@needs_bwrap
def test_an_endless_loop_is_interrupted_in_the_sandbox_and_the_kernel_goes_on():
    """The kernel is interrupted by a message: a signal would reach bwrap, not it."""
    from course.notebooks.sandbox import Limits, run_nbval

    cell = {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": []}
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                "cells": [dict(cell, id="loop", source="while True:\n    pass"),
                          dict(cell, id="after", source="print('still here')")]}
    start = time.monotonic()
    result = run_nbval(notebook, Limits(cell_timeout=3), sandbox=Bubblewrap())
    loop, after = result.records
    assert loop["ename"] == "KeyboardInterrupt" and loop["kernel_alive"]
    assert after["outcome"] == "passed" and after["stdout"] == "still here\n"
    assert time.monotonic() - start < 20


@pytest.mark.skipif(not Path("/run").is_dir(), reason="no /run on this machine")
def test_the_sockets_of_the_machines_services_are_hidden_from_the_kernel(tmp_path):
    command = Bubblewrap().wrap(["true"], [tmp_path], tmp_path)
    hidden = {command[i + 1] for i, argument in enumerate(command) if argument == "--tmpfs"}
    assert str(Path("/run").resolve()) in hidden


def test_a_temporary_folder_holding_the_course_is_hidden_with_the_course_bound_back(
        tmp_path, monkeypatch):
    """A checkout and its virtual environment under /tmp, as on a CI machine."""
    from course.notebooks import bwrap

    checkout, venv = tmp_path / "checkout", tmp_path / "checkout" / ".venv"
    grades, elsewhere = checkout / "grades", tmp_path / "class"
    for folder in (venv, grades, elsewhere):
        folder.mkdir(parents=True)
    monkeypatch.setattr(bwrap, "_needed", lambda: [venv, checkout])
    monkeypatch.setattr(bwrap.tempfile, "tempdir", str(tmp_path))
    arguments = bwrap._hiding([grades, elsewhere])
    outer = Path("/tmp") if tmp_path.is_relative_to("/tmp") else tmp_path
    pairs = list(zip(arguments, arguments[1:]))
    assert ("--tmpfs", str(outer)) in pairs
    bound = arguments.index("--ro-bind")
    # The folders on the way back to the checkout are made open to the kernel's
    # user (bwrap would make them for root only), then the checkout is bound.
    between = [checkout.parents[i] for i in range(len(checkout.parts) - len(outer.parts) - 1)]
    made = [arguments[i + 3] for i in range(bound) if arguments[i:i + 3] == ["--perms", "0755",
                                                                              "--dir"]]
    assert sorted(made) == sorted(map(str, between))
    assert arguments[bound:] == ["--ro-bind", str(checkout), str(checkout),
                                 "--tmpfs", str(grades)]   # after the checkout is back
    assert str(elsewhere) not in arguments                  # empty with the temporary folder


@needs_bwrap
def test_the_kernel_reads_the_data_folder_even_through_a_link_in_a_hidden_folder(
        tmp_path, monkeypatch):
    """COURSE_DATA_DIR as CI sets it: a path through a link, under /tmp."""
    from course.data.download import get_data_dir
    from course.notebooks.sandbox import Limits, run_nbval

    (tmp_path / "beside").symlink_to(get_data_dir().resolve())
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "beside"))
    cell = {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
            "id": "load", "source": "from course.data import load_cereals\n"
                                    "print(load_cereals().data.shape[0])"}
    notebook = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}
    record, = run_nbval(notebook, Limits(), sandbox=Bubblewrap()).records
    assert record["outcome"] == "passed" and record["stdout"] == "77\n", record["evalue"]
