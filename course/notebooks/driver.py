"""The nbval process of one grading run: pytest and nbval, outside the sandbox.

    process = start(Run(pytest_args, kernel_command, kernel_folder, private, env, workdir,
                        log, memory_mb, file_mb, kernel_uid))
    process.join(timeout)      # a multiprocessing.Process; its exitcode is pytest's

A grading run is two processes. This one (the driver) reads the merged
notebook, sends its cells to the kernel one by one, compares the outputs and
writes the report; it runs only the grader's code. The kernel runs the
answers: `kernel_command` starts it, inside bubblewrap when there is a
sandbox (see course.notebooks.inside and course.notebooks.bwrap). The two
talk over Unix sockets, not TCP: the kernel needs no network, and kernels
started side by side never draw the same port. The kernel binds them in its
own folder; the driver connects through hard links to them in its private
folder (see _start_kernel).
Under the sandbox the report is written where the kernel cannot see it.

Every driver is forked from one server process that imported pytest, nbval
and jupyter_client once (multiprocessing's "forkserver", with
course.notebooks.forkserver preloaded), so a run starts in
milliseconds instead of spending most of a second importing them. The
server is started on the first run and lives as long as the grading process.
"""

import multiprocessing
import os
import shutil
import signal
import stat
import sys
import threading
import time
from dataclasses import dataclass

_context = None
_context_lock = threading.Lock()
_kernels = []   # in a driver: the kernel managers it started


@dataclass
class Run:
    """What one driver is to do."""

    pytest_args: list      # the notebook and nbval's options
    kernel_command: list   # argv that starts the kernel; "{connection_file}" is filled in
    kernel_folder: str     # its connection file and sockets (writable by the kernel)
    private: str           # the driver's own folder (the kernel never sees it)
    env: dict              # the environment of the driver and the kernel
    workdir: str           # the kernel's working directory (the notebook's folder)
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
    """Start the server now, so that it imports while the grader does other work.

    Raises OSError, saying what to do, when it cannot start."""
    _forkserver()
    import tempfile
    from multiprocessing import forkserver

    try:
        forkserver.ensure_running()
    except OSError as error:
        if "AF_UNIX path too long" not in str(error):
            raise
        raise OSError(f"the temporary folder's path ({len(tempfile.gettempdir())} characters: "
                      f"{tempfile.gettempdir()}) is too long for the Unix socket of the "
                      f"process that starts the runs; set TMPDIR to a folder with a shorter "
                      f"path, such as /tmp") from None


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
    _end_with_the_grader([os.path.dirname(run.kernel_folder), run.private])
    from course.notebooks.inside import limit_this_process

    limit_this_process(run.memory_mb, run.file_mb)
    os.environ.clear()
    os.environ.update(run.env)
    # Nothing may be imported from a folder the kernel can write.
    os.chdir(run.private)
    sys.path[:] = [entry for entry in sys.path if entry and os.path.isabs(entry)]
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


def _end_with_the_grader(run_folders):
    """Exit as soon as the grading process is gone (killed, say), first killing
    the kernel's session (bubblewrap's, whose sandbox ends with it, or the
    kernel's own) and removing the run's folders, which the grader can no
    longer remove."""
    from multiprocessing import connection

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch():
        connection.wait([parent.sentinel])
        for manager in _kernels:   # the kernel's session: bwrap, or the kernel and its own
            process = getattr(manager.provisioner, "process", None)
            if process is not None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except OSError:
                    pass
        for folder in run_folders:   # the answers and the report go with the run
            shutil.rmtree(folder, ignore_errors=True)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-the-grader", daemon=True).start()


def use_kernel(run):
    """Make nbval start its kernel with run.kernel_command, and start it now.

    A kernel takes about as long to start (IPython, its imports) as pytest
    takes to set up and collect the notebook; started first, the two
    overlap. nbval asks for one kernel per notebook, and a run has one
    notebook: a second request is refused, since it would come after
    answers ran in the kernel's folder. Whatever goes wrong in starting the
    kernel is reported to nbval in jupyter_client's words for a kernel that
    never started (course.notebooks.sandbox.KERNEL_NEVER_STARTED).
    """
    import nbval.kernel as nbval_kernel

    try:
        early = [_start_kernel(run)]
    except Exception as error:   # no kernel (bwrap gone, no processes left...)
        early = [error]

    def start_new_kernel(startup_timeout=60, kernel_name=None, **_):
        if not early:
            raise RuntimeError("Kernel died before replying to kernel_info (a run starts "
                               "one kernel only)")
        manager = early.pop()
        if isinstance(manager, Exception):
            raise RuntimeError(f"Kernel died before replying to kernel_info (it could not "
                               f"be started: {manager})")
        deadline = time.monotonic() + startup_timeout
        client = None
        try:
            _link_sockets(manager, run, deadline, startup_timeout)
            client = manager.client()
            client.start_channels()
            _wait_until_ready(manager, client, deadline, startup_timeout)
        except Exception:
            if client is not None:
                client.stop_channels()
            manager.shutdown_kernel(now=True)
            raise
        return manager, client

    nbval_kernel.start_new_kernel = start_new_kernel


def _wait_until_ready(manager, client, deadline, timeout):
    """Wait until the kernel answers on the shell channel and IOPub delivers, as
    jupyter_client's wait_for_ready does, without its last step: waiting until
    IOPub has been quiet for 0.2 s. nbval reads past what is left there (it
    waits for the idle status of its own first request).

    A request sent while the kernel is still starting is now and then never
    answered, so one is sent every 0.1 s, and a reply to any of them will do.
    """
    from queue import Empty

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


CHANNELS = ("shell", "iopub", "stdin", "control", "hb")


def _start_kernel(run):
    """Start a kernel with run.kernel_command, binding its sockets in its own folder.

    The driver connects to them through hard links in its private folder,
    made once the kernel has bound them and before any answer runs (see
    _link_sockets): an answer that replaced its socket files, with links to
    other sockets of the machine say, could otherwise make this process,
    outside the sandbox, connect to those when it reconnects.
    """
    from jupyter_client.blocking.client import BlockingKernelClient
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class GradingKernelSpec(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            # Interrupted by a message, not a signal: under bubblewrap the
            # process this side knows is bwrap's, not the kernel's.
            return KernelSpec(argv=list(run.kernel_command), language="python",
                              display_name="Python 3 (grading)", interrupt_mode="message")

    class GradingClient(BlockingKernelClient):
        def _make_url(self, channel):
            return f"ipc://{self.parent.links}-{getattr(self, f'{channel}_port')}"

    class GradingKernelManager(KernelManager):
        links = None   # where the links to the kernel's sockets are, less "-PORT"

        def _make_url(self, channel):
            return f"ipc://{self.links}-{getattr(self, f'{channel}_port')}"

        def shutdown_kernel(self, now=False, restart=False):
            """A grading kernel has nothing to save: kill it and all it started at
            once and reap it, instead of asking first and polling every 0.1 s
            for it to go; jupyter_client then has no process left to signal
            (its id may belong to another process by then)."""
            process = getattr(self.provisioner, "process", None)
            if process is not None:
                if process.poll() is None:
                    try:
                        os.killpg(process.pid, signal.SIGKILL)   # its own session
                    except OSError:
                        process.kill()
                    process.wait()
                for stream in (process.stdin, process.stdout, process.stderr):
                    if stream:
                        stream.close()
                self.provisioner.process = None
            super().shutdown_kernel(now=True, restart=restart)

        def cleanup_connection_file(self):
            """Nothing to do: the kernel's folder, which answers could have changed
            (a link in place of a file, say), is removed by the host."""

        def cleanup_ipc_files(self):
            """Remove only the links in the driver's own folder (see above)."""
            for port in (getattr(self, f"{channel}_port") for channel in CHANNELS):
                try:
                    os.remove(f"{self.links}-{port}")
                except OSError:
                    pass

    name = f"kernel-{len([n for n in os.listdir(run.kernel_folder) if n.endswith('.json')])}"
    manager = GradingKernelManager(kernel_name="grading", kernel_spec_manager=GradingKernelSpec(),
                                   transport="ipc", client_factory=GradingClient,
                                   connection_file=os.path.join(run.kernel_folder,
                                                                f"{name}.json"))
    manager.links = os.path.join(run.private, name)
    manager.write_connection_file()
    if run.kernel_uid is not None:   # the kernel's own user must read it
        os.chown(manager.connection_file, run.kernel_uid, run.kernel_uid)
    _kernels.append(manager)
    with open(os.devnull, "w") as nowhere:   # not this process's log: answers could write it
        manager.start_kernel(stdout=nowhere, stderr=nowhere, cwd=run.workdir)
    return manager


def _link_sockets(manager, run, deadline, timeout):
    """Wait for the kernel to bind its sockets, then hard-link each into the
    driver's folder, where the manager and the client connect."""
    wanted = {f"{manager.ip}-{port}": f"{manager.links}-{port}"
              for port in (getattr(manager, f"{channel}_port") for channel in CHANNELS)}
    while wanted:
        for bound, link in list(wanted.items()):
            try:
                if stat.S_ISSOCK(os.lstat(bound).st_mode):
                    os.link(bound, link, follow_symlinks=False)
                    del wanted[bound]
            except FileNotFoundError:
                pass
            except OSError as error:
                raise RuntimeError(f"Kernel died before replying to kernel_info (its "
                                   f"sockets could not be linked: {error})") from None
        if not wanted:
            return
        if not manager.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() >= deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        time.sleep(0.01)
