"""Run nbval on one notebook in its own process, folder, and time and memory limits.

    records = run_nbval(notebook, Limits(cell_timeout=30, memory_mb=2048))

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

These limits stop accidents and runaway code, not an attacker: see the
threat model in the README.
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


def run_nbval(notebook, limits, name="notebook.ipynb"):
    """Run `pytest --nbval-lax` on a notebook (a dict); return a RunResult."""
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
            _run(_pytest_command(path, private, limits), work, _environment(private, home),
                 log, result)
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
        f"from course.notebooks.sandbox import limit_output\n"
        f"limit_output({limits.output_chars})\n", encoding="utf-8")


def _pytest_command(path, private, limits):
    return [
        sys.executable, "-m", "course.notebooks.sandbox",
        str(limits.memory_mb), str(limits.file_mb), "--",
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


# --- Inside the run's process and its kernel ----------------------------------------

class _CappedStream:
    """A stream that passes on the first `limit` characters of each cell's output."""

    def __init__(self, stream, limit):
        self._stream, self._limit = stream, limit
        self.reset()

    def reset(self, *_):
        self._written, self._cut = 0, False

    def write(self, text):
        room = self._limit - self._written
        if room > 0:
            self._written += len(text)
            return self._stream.write(text[:room])
        if not self._cut:
            self._cut = True
            self._stream.write(f"\n[more than {self._limit} characters of output; "
                               f"the rest was dropped]\n")
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


_grading_streams = {}   # the kernel's sys.stdout and sys.stderr, as limit_output set them


def limit_output(limit):
    """In a grading kernel: keep each cell's printed output under `limit` characters.

    `while True: print(...)` would otherwise flood the grader with messages
    until the cell times out. Runs from the kernel's IPython startup folder;
    the capped streams are kept for reset_kernel() to put back.
    """
    from IPython import get_ipython

    shell = get_ipython()
    for name in ("stdout", "stderr"):
        capped = _CappedStream(getattr(sys, name), limit)
        setattr(sys, name, capped)
        _grading_streams[name] = capped
        if shell is not None:
            shell.events.register("pre_execute", capped.reset)


def reset_kernel():
    """In a grading kernel, before each check cell: undo what answers changed.

    Puts back sys.stdout and sys.stderr (an answer could have replaced them
    with a filter that rewrites verdicts) and whatever answers rebound in
    numpy, builtins or course (course.checks.guard), and returns the real
    check(), which an answer may have redefined.
    """
    from IPython import get_ipython

    for name, stream in _grading_streams.items():
        setattr(sys, name, stream)
    shell = get_ipython()
    if _grading_streams and hasattr(shell, "set_parent"):
        # A replaced stream missed the kernel's note of which cell is running
        # now; without it the verdict would be printed under the answer cell.
        shell.set_parent(shell.get_parent())
    from course.checks import guard

    guard.restore()
    from course.checks import check

    return check


def _limit_this_process(memory_mb, file_mb):
    import resource

    for limit, value in ((resource.RLIMIT_AS, memory_mb * 2**20),
                         (resource.RLIMIT_FSIZE, file_mb * 2**20),
                         (resource.RLIMIT_CORE, 0)):
        _, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(limit, (value, hard))
        except (ValueError, OSError):
            pass  # macOS does not enforce RLIMIT_AS; the other limits still hold


def main(argv):
    memory_mb, file_mb, separator, *pytest_args = argv
    if separator != "--":
        raise SystemExit("usage: python -m course.notebooks.sandbox MEMORY_MB FILE_MB -- "
                         "PYTEST_ARGS...")
    _limit_this_process(int(memory_mb), int(file_mb))

    from course.notebooks import skip_slow_optional_imports

    skip_slow_optional_imports()
    import pytest

    return pytest.main(pytest_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
