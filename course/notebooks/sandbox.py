"""Run nbval on one notebook in its own processes, folder, and time and memory limits.

    records = run_nbval(notebook, Limits(cell_timeout=30, memory_mb=2048))
    records = run_nbval(notebook, limits, sandbox=Bubblewrap(hide=[gradebook]))

This is the host's side: it prepares and supervises the run. A run is two
processes: nbval (course.notebooks.driver), which reads the notebook, drives
the kernel and writes the report, and the kernel, which runs the answers
(its entry point, output cap and reset are in course.notebooks.inside). Only
the kernel runs in the sandbox; the bubblewrap command is in
course.notebooks.bwrap.

What a run is given:
- a fresh folder of its own in the temporary folder (in /tmp when that
  one's path is too long for a Unix socket), holding the working directory (only
  the notebook is in it), the run's TMPDIR and the kernel's connection file,
  sockets and settings, so that what a cell writes or deletes there, or one
  level up in `..`, is the run's own; the report and nbval's settings live
  in a second folder, which the kernel cannot see under the sandbox; both
  are deleted afterwards;
- a wall-clock limit on top of nbval's per-cell timeout: nbval's process and
  the kernel have sessions of their own, so each can be killed with all it
  started; afterwards every process the run started is stopped, even one
  that left its session (found by a variable in its environment, on Linux),
  and nbval's process ends itself, and so the kernel, if the grader dies;
- a limit on address space (RLIMIT_AS) for nbval and for the kernel, so a
  cell that allocates too much gets a MemoryError instead of taking the
  machine; a limit on the size of any file it writes (RLIMIT_FSIZE), so an
  output flood cannot fill the disk; no core dumps;
- one thread for numpy's linear algebra, so parallel runs do not fight for cores.

These limits stop accidents and runaway code, not an attacker. Under
bubblewrap (sandbox=Bubblewrap(...)) the kernel also gets no network, a
read-only view of the machine but for its own folder, its own process tree
that dies with it, and a limit on processes; see the threat model in the README.
"""

import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from course.notebooks import driver

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


# What the run's nbval process says (in jupyter_client's words) when a kernel
# never answered its first request or died before it could: that is the
# machine's doing (a machine too loaded to start it in time, say), not the
# answer's, since no answer has run yet; such a run is made once more.
KERNEL_NEVER_STARTED = ("Kernel didn't respond in", "Kernel died before replying to kernel_info")


def kernel_never_started(text):
    """Whether `text` (a run's output, an error message) says the kernel never came up."""
    return any(sign in text for sign in KERNEL_NEVER_STARTED)


_stopping = threading.Event()   # set by stop_all(): no run may start or be made again


def run_nbval(notebook, limits, name="notebook.ipynb", sandbox=None):
    """Run `pytest --nbval-lax` on a notebook (a dict); return a RunResult.

    sandbox: a course.notebooks.bwrap.Bubblewrap to run it in, or None.
    A run whose kernel never started is made a second time. Raises
    KeyboardInterrupt once stop_all() was called (grading was interrupted),
    so that a run it stopped is not taken for the answer's doing.
    """
    for attempt in range(2):
        if _stopping.is_set():
            raise KeyboardInterrupt
        result = _run_nbval_once(notebook, limits, name, sandbox)
        if _stopping.is_set():
            raise KeyboardInterrupt
        if not kernel_never_started(result.log):
            break
    return result


def start_grading():
    """Allow runs again (after an earlier batch was interrupted in this process)."""
    _stopping.clear()


# The longest path under the runs' folder that must fit in a Unix socket's
# address: a kernel's socket, course-grade-XXXXXXXX/kernel/kernel-N-ipc-N.
_SOCKET_PATH_TAIL = len("/course-grade-12345678/kernel/kernel-99-ipc-99")


class RunsFolderError(Exception):
    """No folder for the runs has a path short enough for the kernels' sockets."""


def runs_folder():
    """Where each run's folders are made: the temporary folder, or /tmp when the
    temporary folder's path is too long for a Unix socket's address (about
    100 characters, less the run's own part)."""
    import zmq

    longest = zmq.IPC_PATH_MAX_LEN - _SOCKET_PATH_TAIL   # in bytes, as the system counts
    for folder in (tempfile.gettempdir(), "/tmp"):
        if (len(os.fsencode(folder)) <= longest and os.path.isdir(folder)
                and os.access(folder, os.W_OK)):
            return folder
    raise RunsFolderError(
        f"the temporary folder's path is too long for the kernels' sockets "
        f"({len(os.fsencode(tempfile.gettempdir()))} bytes, at most {longest}: "
        f"{tempfile.gettempdir()}) and /tmp cannot be used instead; set TMPDIR to a "
        f"folder with a shorter path")


def _run_nbval_once(notebook, limits, name, sandbox):
    folder = runs_folder()
    home = Path(tempfile.mkdtemp(prefix="course-grade-", dir=folder))
    private = Path(tempfile.mkdtemp(prefix="course-report-", dir=folder))
    try:
        work, kernel = home / "work", home / "kernel"
        for folder in (work, home / "tmp", kernel, kernel / "runtime"):
            folder.mkdir()
        path = work / name
        path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
        _write_settings(private, kernel, limits)
        code_cells = sum(c.get("cell_type") == "code" for c in notebook["cells"])
        result = RunResult(wall_clock=limits.wall_clock(code_cells))
        log = private / "pytest.log"
        env = _environment(kernel, home)
        with contextlib.ExitStack() as stack:
            uid = None if sandbox is None else stack.enter_context(sandbox.user())
            processes = 0 if sandbox is None else sandbox.process_limit(limits.processes, uid)
            command = _kernel_command(limits, processes)
            if sandbox is not None:
                command = sandbox.wrap(command, [home], work, uid)
            run = driver.Run(_pytest_args(path, private, limits), command, str(kernel),
                             str(private), env, str(work), str(log), limits.memory_mb,
                             limits.file_mb, uid)
            _run(run, result)
        result.log = _tail(log, 4000)
        records = _read_records(private / "cells.jsonl")
        if not os.path.isdir("/proc"):
            # Without /proc the kernel's session is all we know to stop. (With
            # it, the process id may have been given to another run's process
            # since the kernel ended, and _stop_processes_of found all.)
            for record in records:
                if "kernel_pid" in record:
                    _kill_group(record["kernel_pid"])
        result.records = [r for r in records if "cell_id" in r]
        return result
    finally:
        _remove(home)
        _remove(private)


def _write_settings(private, kernel, limits):
    """pytest.ini, and an IPython start-up file that caps each cell's output."""
    (private / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    startup = kernel / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-limit-output.py").write_text(
        f"from course.notebooks.inside import limit_output\n"
        f"limit_output({limits.output_chars})\n", encoding="utf-8")


def _kernel_command(limits, processes):
    return [sys.executable, "-m", "course.notebooks.inside",
            str(limits.memory_mb), str(limits.file_mb), str(processes), "--",
            "-f", "{connection_file}"]


def _pytest_args(path, private, limits):
    return [
        str(path), "-c", str(private / "pytest.ini"), "--rootdir", str(path.parent),
        "-p", "nbval.plugin", "-p", "course.notebooks.nbval_report",
        "--nbval-lax", "--nbval-current-env", "--assert=plain",
        "--nbval-cell-timeout", str(limits.cell_timeout),
        "--nbval-kernel-startup-timeout", str(limits.startup_timeout),
        "--course-report", str(private / "cells.jsonl"),
        "-p", "no:cacheprovider", "-p", "no:unraisableexception", "-p", "no:threadexception",
        "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:doctest",
        "-q", "--tb=no", "--color=no",
    ]


def _run(run, result):
    """Run the driver within the wall-clock limit, then stop all the run started."""
    process = driver.start(run)
    with _running_lock:
        _running[process.pid] = run.env[RUN_VARIABLE]
    try:
        process.join(timeout=result.wall_clock)
        if process.exitcode is None:
            result.killed = True
            _kill_group(process.pid)
            process.kill()
            process.join()
        result.returncode = process.exitcode
    finally:
        _stop_processes_of(run.env[RUN_VARIABLE])
        with _running_lock:
            _running.pop(process.pid, None)
        process.close()


def _tail(path, characters):
    try:
        with open(path, "rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - characters))
            return file.read().decode("utf-8", "replace")
    except OSError:
        return ""


def stop_all():
    """Kill every run under way (when grading is interrupted with Ctrl-C)."""
    _stopping.set()
    with _running_lock:
        for pid, run in list(_running.items()):
            _kill_group(pid)
            _stop_processes_of(run)


def _environment(kernel, home):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "JPY_")) and k != "PYTHONSTARTUP"}
    env.update({
        RUN_VARIABLE: str(home),
        "TMPDIR": str(home / "tmp"),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "IPYTHONDIR": str(kernel / "ipython"),
        "JUPYTER_RUNTIME_DIR": str(kernel / "runtime"),
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
    deadline = time.monotonic() + 5
    while folder.exists() and time.monotonic() < deadline:
        shutil.rmtree(folder, onerror=_make_writable_and_retry)


def _make_writable_and_retry(function, path, _):
    """For rmtree: open up the folder holding `path` (never a link: rmtree does
    not follow them), and `path` itself unless it is a link (chmod would
    follow it to a file of the grader's), then try again."""
    try:
        os.chmod(os.path.dirname(path), 0o700)
        if not os.path.islink(path):
            os.chmod(path, 0o700)
        function(path)
    except OSError:
        pass
