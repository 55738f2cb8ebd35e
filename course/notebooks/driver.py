"""The nbval process of one grading run: pytest and nbval, outside the sandbox.

    process = start(Run(pytest_args, kernel_command, kernel_folder, env, workdir, log,
                        memory_mb, file_mb, kernel_uid))
    process.join(timeout)      # a multiprocessing.Process; its exitcode is pytest's

A grading run is two processes. This one (the driver) reads the merged
notebook, sends its cells to the kernel one by one, compares the outputs and
writes the report; it runs only the grader's code. The kernel runs the
answers: `kernel_command` starts it, inside bubblewrap when there is a
sandbox (see course.notebooks.inside and course.notebooks.bwrap). The two
talk over Unix sockets in the kernel's own folder, not TCP: the kernel needs
no network, and kernels started side by side never draw the same port.
Under the sandbox the report is written where the kernel cannot see it.

Every driver is forked from one server process that imported pytest, nbval
and jupyter_client once (multiprocessing's "forkserver", with
course.notebooks.forkserver preloaded), so a run starts in
milliseconds instead of spending most of a second importing them. The
server is started on the first run and lives as long as the grading process.
"""

import multiprocessing
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass

_context = None
_context_lock = threading.Lock()


@dataclass
class Run:
    """What one driver is to do."""

    pytest_args: list      # the notebook and nbval's options
    kernel_command: list   # argv that starts the kernel; "{connection_file}" is filled in
    kernel_folder: str     # its connection file and sockets (writable by the kernel)
    env: dict              # the environment of the driver and the kernel
    workdir: str           # the driver's and the kernel's working directory
    log: str               # where the driver's output goes
    memory_mb: int         # address space of the driver
    file_mb: int           # largest file the driver may write
    kernel_uid: int = None  # the user the kernel runs as (grading as root), or None


def start(run):
    """Fork a driver for `run` from the server; return its multiprocessing.Process."""
    process = _forkserver().Process(target=main, args=(run,), daemon=False,
                                    name="course-grading-run")
    process.start()
    return process


def warm_up():
    """Start the server now, so that it imports while the grader does other work."""
    _forkserver()
    from multiprocessing import forkserver

    forkserver.ensure_running()


def _forkserver():
    global _context
    with _context_lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["course.notebooks.forkserver"])
            _context = context
        return _context


def main(run):
    """In the forked driver: become a session of its own, set limits, run pytest."""
    os.setsid()   # the host kills the run's session at once when it must
    from course.notebooks.inside import limit_this_process

    limit_this_process(run.memory_mb, run.file_mb)
    os.environ.clear()
    os.environ.update(run.env)
    os.chdir(run.workdir)
    log = os.open(run.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    for stream in (1, 2):
        os.dup2(log, stream)
    os.close(log)
    use_kernel(run)
    import pytest

    code = pytest.main(list(run.pytest_args))
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(int(code))


def use_kernel(run):
    """Make nbval start its kernel with run.kernel_command, and start it now.

    A kernel takes about as long to start (IPython, its imports) as pytest
    takes to set up and collect the notebook; started first, the two
    overlap. nbval gets this kernel the first time it asks for one, and a
    new one started the same way after that.
    """
    import nbval.kernel as nbval_kernel

    early = [_start_kernel(run)]

    def start_new_kernel(startup_timeout=60, kernel_name=None, **_):
        manager = early.pop() if early else _start_kernel(run)
        client = manager.client()
        client.start_channels()
        try:
            _wait_until_ready(manager, client, startup_timeout)
        except RuntimeError:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
            raise
        return manager, client

    nbval_kernel.start_new_kernel = start_new_kernel


def _wait_until_ready(manager, client, timeout):
    """Wait until the kernel answers on the shell channel and IOPub delivers, as
    jupyter_client's wait_for_ready does, without its last step: waiting until
    IOPub has been quiet for 0.2 s. nbval reads past what is left there (it
    waits for the idle status of its own first request).

    A request sent while the kernel is still starting is now and then never
    answered, so one is sent every 0.1 s, and a reply to any of them will do.
    """
    from queue import Empty

    deadline = time.monotonic() + timeout
    asked = set()
    while True:
        asked.add(client.kernel_info())
        try:
            while True:
                wait = max(0.0, min(0.1, deadline - time.monotonic()))
                if client.get_shell_msg(timeout=wait)["parent_header"].get("msg_id") in asked:
                    break
            client.get_iopub_msg(timeout=0.2)   # IOPub is connected: it carried something
            return
        except Empty:
            pass
        if not manager.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() >= deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


def _start_kernel(run):
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class GradingKernelSpec(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(argv=list(run.kernel_command), language="python",
                              display_name="Python 3 (grading)")

    class GradingKernelManager(KernelManager):
        def shutdown_kernel(self, now=False, restart=False):
            """A grading kernel has nothing to save: kill it and all it started at
            once, instead of asking first and polling every 0.1 s for it to go."""
            process = getattr(self.provisioner, "process", None)
            if process is not None and process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)   # its own session
                except OSError:
                    process.kill()
                process.wait()
            super().shutdown_kernel(now=True, restart=restart)

    folder = run.kernel_folder
    count = len([name for name in os.listdir(folder) if name.endswith(".json")])
    manager = GradingKernelManager(kernel_name="grading", kernel_spec_manager=GradingKernelSpec(),
                                   transport="ipc",
                                   connection_file=os.path.join(folder, f"kernel-{count}.json"))
    manager.write_connection_file()
    if run.kernel_uid is not None:   # the kernel's own user must read it
        os.chown(manager.connection_file, run.kernel_uid, run.kernel_uid)
    manager.start_kernel(stderr=open(os.devnull, "w"), cwd=run.workdir)
    return manager
