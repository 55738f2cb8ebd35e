"""Run nbval on one notebook in its own process, folder, and time and memory limits.

    records = run_nbval(notebook, Limits(cell_timeout=30, memory_mb=2048))
    records = run_nbval(notebook, limits, sandbox=Bubblewrap(hide=[gradebook]))

This is the host's side: it starts and supervises the run. What runs inside
the run (its entry point, the kernel's output cap and reset) is in
course.notebooks.inside; the bubblewrap command is in course.notebooks.bwrap.

What a run is given:
- a fresh temporary folder of its own, holding the working directory (only
  the notebook is in it) and the run's TMPDIR, so that what a cell writes or
  deletes there, or one level up in `..`, is the run's own; the report and
  the kernel's settings live in a second folder; both are deleted afterwards;
- its own process session, so the whole run can be killed at once, and a
  wall-clock limit on top of nbval's per-cell timeout; afterwards every
  process the run started is stopped, even one that left the session
  (found by a variable in its environment, on Linux);
- a limit on address space (RLIMIT_AS, inherited by the kernel), so a cell
  that allocates too much gets a MemoryError instead of taking the machine;
  a limit on the size of any file it writes (RLIMIT_FSIZE), so an output
  flood cannot fill the disk; no core dumps;
- one thread for numpy's linear algebra, so parallel runs do not fight for cores.

These limits stop accidents and runaway code, not an attacker. Under
bubblewrap (sandbox=Bubblewrap(...)) the run also gets no network, a
read-only view of the machine but for its own folders, its own process tree
that dies with it, and a limit on processes; see the threat model in the README.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

RUN_VARIABLE = "COURSE_GRADING_RUN"   # set in every process of a run, to find them all

_running = {}               # process id -> run folder, of the runs under way, for stop_all()
_running_lock = threading.Lock()


@dataclass
class Limits:
    cell_timeout: float = 30.0         # seconds each cell may run
    memory_mb: int = 2048              # address space of the run and its kernel
    file_mb: int = 64                  # largest file the run may write
    output_chars: int = 100_000        # what one cell may print; the rest is dropped
    startup_timeout: float = 60.0      # seconds for the kernel to start
    processes: int = 256               # processes and threads of a run (under bubblewrap)

    def wall_clock(self, code_cells):
        """The most a whole run may take before it is killed."""
        return self.startup_timeout + 30 + code_cells * (self.cell_timeout + 10)


@dataclass
class RunResult:
    records: list = field(default_factory=list)   # one dict per cell that ran (nbval_report)
    killed: bool = False                          # the wall-clock limit was hit
    returncode: int = None
    log: str = ""                                 # the end of pytest's own output
    wall_clock: float = 0.0                       # the limit the run had, in seconds


# What jupyter_client says when a kernel never answered its first request.
# Kernels started side by side now and then never come up (two of them
# drawn the same free port, say); that is the machine's doing, not the
# answer's, so such a run is made once more.
KERNEL_NEVER_STARTED = ("Kernel didn't respond in", "Kernel died before replying to kernel_info")


def kernel_never_started(text):
    """Whether `text` (a run's output, an error message) says the kernel never came up."""
    return any(sign in text for sign in KERNEL_NEVER_STARTED)


def run_nbval(notebook, limits, name="notebook.ipynb", sandbox=None):
    """Run `pytest --nbval-lax` on a notebook (a dict); return a RunResult.

    sandbox: a course.notebooks.bwrap.Bubblewrap to run it in, or None.
    A run whose kernel never started is made a second time.
    """
    result = _run_nbval_once(notebook, limits, name, sandbox)
    if kernel_never_started(result.log):
        result = _run_nbval_once(notebook, limits, name, sandbox)
    return result


def _run_nbval_once(notebook, limits, name, sandbox):
    home = Path(tempfile.mkdtemp(prefix="course-grade-"))
    private = Path(tempfile.mkdtemp(prefix="course-report-"))
    try:
        work = home / "work"
        for folder in (work, home / "tmp", private / "runtime"):
            folder.mkdir()
        path = work / name
        path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
        _write_settings(private, limits)
        code_cells = sum(c.get("cell_type") == "code" for c in notebook["cells"])
        result = RunResult(wall_clock=limits.wall_clock(code_cells))
        with open(private / "pytest.log", "w+b") as log:
            if sandbox is None:
                command = _pytest_command(path, private, limits, processes=0)
                _run(command, work, _environment(private, home), log, result)
            else:
                with sandbox.user() as uid:
                    command = _pytest_command(path, private, limits,
                                              sandbox.process_limit(limits.processes, uid))
                    _run(sandbox.wrap(command, [home, private], work, uid), work,
                         _environment(private, home), log, result)
            log.seek(max(0, log.seek(0, os.SEEK_END) - 4000))
            result.log = log.read().decode("utf-8", "replace")
        records = _read_records(private / "cells.jsonl")
        for record in records:  # where /proc is missing, the kernel's session is all we know
            if "kernel_pid" in record:
                _kill_group(record["kernel_pid"])
        result.records = [r for r in records if "cell_id" in r]
        return result
    finally:
        _remove(home)
        _remove(private)


def _write_settings(private, limits):
    """pytest.ini, and an IPython start-up file that caps each cell's output."""
    (private / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    startup = private / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-limit-output.py").write_text(
        f"from course.notebooks.inside import limit_output\n"
        f"limit_output({limits.output_chars})\n", encoding="utf-8")


def _pytest_command(path, private, limits, processes):
    return [
        sys.executable, "-m", "course.notebooks.inside",
        str(limits.memory_mb), str(limits.file_mb),
        str(processes), "--",
        str(path), "-c", str(private / "pytest.ini"), "--rootdir", str(path.parent),
        "-p", "nbval.plugin", "-p", "course.notebooks.nbval_report",
        "--nbval-lax", "--nbval-current-env",
        "--nbval-cell-timeout", str(limits.cell_timeout),
        "--nbval-kernel-startup-timeout", str(limits.startup_timeout),
        "--course-report", str(private / "cells.jsonl"),
        "-p", "no:cacheprovider", "-q", "--tb=no", "--color=no",
    ]


def _run(command, work, env, log, result):
    """Run the command within the wall-clock limit, then stop all it started."""
    process = subprocess.Popen(command, cwd=work, env=env, stdin=subprocess.DEVNULL,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    with _running_lock:
        _running[process.pid] = env[RUN_VARIABLE]
    try:
        result.returncode = process.wait(timeout=result.wall_clock)
    except subprocess.TimeoutExpired:
        result.killed = True
        _kill_group(process.pid)
        result.returncode = process.wait()
    finally:
        _stop_processes_of(env[RUN_VARIABLE])
        with _running_lock:
            _running.pop(process.pid, None)


def stop_all():
    """Kill every run under way (when grading is interrupted with Ctrl-C)."""
    with _running_lock:
        for pid, run in list(_running.items()):
            _kill_group(pid)
            _stop_processes_of(run)


def _environment(private, home):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "JPY_")) and k != "PYTHONSTARTUP"}
    env.update({
        RUN_VARIABLE: str(home),
        "TMPDIR": str(home / "tmp"),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "IPYTHONDIR": str(private / "ipython"),
        "JUPYTER_RUNTIME_DIR": str(private / "runtime"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    })
    return env


def _read_records(path):
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return records
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            break  # a line cut short when the run was killed
    return records


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _stop_processes_of(run):
    """Kill every process whose environment marks it as part of `run`: the
    kernel (which has its own session) and anything a cell started, even in a
    session of its own. Linux only (it reads /proc); elsewhere a no-op."""
    marker = f"{RUN_VARIABLE}={run}".encode() + b"\0"
    for _ in range(10):  # a process may fork while the others are being killed
        found = [pid for pid in _process_ids() if marker in _environment_of(pid)]
        if not found:
            return
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.05)


def _process_ids():
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _environment_of(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as file:
            return file.read()
    except OSError:
        return b""


def _remove(folder):
    """Delete a folder even if the run made files read-only."""
    def make_writable_and_retry(function, path, _):
        try:
            os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass
    deadline = time.monotonic() + 5
    while folder.exists() and time.monotonic() < deadline:
        shutil.rmtree(folder, onerror=make_writable_and_retry)
