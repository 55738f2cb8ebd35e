"""Bubblewrap: run each submission's kernel with no network, a read-only machine and its own processes.

    sandbox, mode, why = choose_sandbox("auto", hide=[out_dir, *submission_folders])
    # sandbox is None (and why says why) when the mode is "none", or "auto"
    # and bubblewrap cannot run here
    run_nbval(notebook, limits, sandbox=sandbox)

Only the kernel, where the answers run, is sandboxed; the run's nbval
process, outside, starts it with the command Bubblewrap.wrap() gives, and
talks to it over Unix sockets in the run's folder. Under `bwrap` (Debian's
`bubblewrap` package) the kernel gets:

- new namespaces for the network (only its own loopback: a server on the
  host's 127.0.0.1 cannot be reached), processes (it sees only its own, and
  all of them die when the run's nbval process ends), IPC, hostname and users;
- the whole file system read-only, with the temporary folders (where the
  other runs and every run's report live), /run (where most of the
  machine's services keep their sockets), the gradebook and the
  submissions replaced by empty folders, and its own run folder writable;
- a limit on processes and threads (RLIMIT_NPROC). That limit counts every
  process of a user (so, run as you, the processes you already have are
  added to it) and does not bind root, so when grading runs as root
  each run's kernel gets a user id of its own, with no other process, and
  runs as that user (setpriv, from util-linux, drops root inside the
  sandbox; a folder closed to others on the way to this Python, such as
  /root, is replaced by an empty one with only that way bound back).

`choose_sandbox("bwrap")` raises SandboxError, saying why, when bubblewrap
is missing or cannot create its namespaces (a container that forbids them,
say): before anything is graded.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

MODES = ("auto", "bwrap", "none")

# User ids for runs when grading as root: far above any real user's, one per
# run at a time, so that each run's process limit counts only that run.
_UIDS_PER_GRADER = 1000
_UID_BASE = 2_100_000_000 + (os.getpid() % 100_000) * _UIDS_PER_GRADER
_uids_in_use = set()
_uids_lock = threading.Lock()


class SandboxError(Exception):
    """The sandbox that was asked for cannot run on this machine."""


@dataclass
class Bubblewrap:
    """How to wrap one run's command in bwrap."""

    hide: list = field(default_factory=list)   # folders and files the runs must not see
    bwrap: str = "bwrap"
    setpriv: str = "setpriv"

    def wrap(self, command, writable, workdir, uid=None):
        """The command line that runs `command` in the sandbox.

        writable: the run's own folders; workdir: where it starts. With a uid
        (grading as root), bwrap sets the sandbox up as root and setpriv then
        runs the command as that user, who owns the writable folders.
        """
        if uid is None:
            arguments = [self.bwrap, "--unshare-all"]
        else:  # a user namespace would map only root, and setpriv needs the real uid
            arguments = [self.bwrap, "--unshare-net", "--unshare-pid", "--unshare-ipc",
                         "--unshare-uts", "--unshare-cgroup-try",
                         "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
            for folder in writable:
                _chown_tree(folder, uid)
        arguments += ["--die-with-parent", "--new-session",
                      "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        arguments += _hiding(self.hide)
        if uid is not None:
            arguments += _reachable(_needed())
        for folder in writable:
            arguments += ["--bind", str(folder), str(folder)]
        arguments += ["--chdir", str(workdir), "--"]
        if uid is not None:
            arguments += [self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                          "--"]
        return arguments + list(command)

    @staticmethod
    def process_limit(processes, uid):
        """RLIMIT_NPROC for a run that may start `processes` processes and threads.

        The limit counts every process and thread of the run's user: with a
        user of its own (uid), that is the run alone; run as you, what you
        already run counts too, so it is added.
        """
        return processes if uid is not None else processes + _tasks_of(os.getuid())

    @contextlib.contextmanager
    def user(self):
        """A user id of its own for one run when grading as root; None otherwise."""
        if os.geteuid() != 0:
            yield None
            return
        with _uids_lock:
            free = [u for u in range(_UID_BASE, _UID_BASE + _UIDS_PER_GRADER)
                    if u not in _uids_in_use]
            if not free:
                raise SandboxError(f"more than {_UIDS_PER_GRADER} submissions at once; "
                                   f"grade with a smaller --jobs")
            uid = free[0]
            _uids_in_use.add(uid)
        try:
            yield uid
        finally:
            with _uids_lock:
                _uids_in_use.discard(uid)


def _tasks_of(uid):
    """How many processes and threads the user `uid` has now (Linux: from /proc)."""
    count = 0
    for name in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", encoding="ascii", errors="replace") as file:
                fields = dict(line.split(":", 1) for line in file if ":" in line)
        except OSError:
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            count += int(fields.get("Threads", "1").strip() or 1)
    return count


def _hiding(paths):
    """bwrap arguments that hide, from the kernel: the temporary folders (other
    runs and every run's report live there) and /run (where the machine's
    services keep their sockets, a desktop's session bus among them), then
    `paths` (the gradebook, the submissions).

    A temporary folder that holds this Python or the course (a checkout under
    /tmp, say) is hidden all the same, and those are bound back into it;
    one of `paths` that holds them is left visible (the kernel needs them).
    """
    needed = _needed()
    arguments, hidden, rebound = [], [], []

    def hide(path):
        hidden.append(path)
        arguments.extend(["--tmpfs", str(path)] if path.is_dir()
                         else ["--ro-bind", "/dev/null", str(path)])

    def covered(path):   # empty already, and not bound back
        return (any(_within(path, h) for h in hidden)
                and not any(_within(path, r) for r in rebound))

    folders = {Path(p).resolve() for p in (tempfile.gettempdir(), "/tmp", "/run")}
    for path in sorted(folders, key=lambda folder: len(folder.parts)):   # outermost first
        if path.exists() and not covered(path):
            hide(path)
    made = set()
    for inside in sorted(needed, key=lambda folder: len(folder.parts)):
        if covered(inside):
            outer = next(h for h in hidden if _within(inside, h))
            for depth in range(len(outer.parts) + 1, len(inside.parts)):
                between = Path(*inside.parts[:depth])   # open to the kernel's user too
                if between not in made:
                    made.add(between)
                    arguments.extend(["--perms", "0755", "--dir", str(between)])
            rebound.append(inside)
            arguments.extend(["--ro-bind", str(inside), str(inside)])
    for path in paths:
        path = Path(path).resolve()
        if path.exists() and not covered(path) and not any(_within(n, path) for n in needed):
            hide(path)
    return arguments


def _needed():
    """What a run must read: this Python, its environment, the course's source
    and the data folder set in COURSE_DATA_DIR (by the path the kernel will
    use, and by where that leads)."""
    paths = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
             Path(sys.executable).resolve().parent, Path(__file__).resolve().parents[2]]
    data = os.environ.get("COURSE_DATA_DIR")   # course.data.download.DATA_DIR_ENV
    if data and Path(data).expanduser().is_dir():
        given = Path(os.path.abspath(Path(data).expanduser()))
        paths += [given] if given == given.resolve() else [given, given.resolve()]
    return paths


def _reachable(paths):
    """bwrap arguments that let another user reach `paths` when a folder above one is
    closed to others (a Python installed under /root, say): that folder becomes an
    empty one, open to all, with only the way to the path bound back into it."""
    arguments, emptied = [], set()
    for path in paths:
        for depth in range(1, len(path.parts)):
            above = Path(*path.parts[:depth])
            if above in emptied or not os.stat(above).st_mode & 0o001:
                if above not in emptied:
                    arguments += ["--perms", "0755", "--tmpfs", str(above)]
                    emptied.add(above)
                inner = Path(*path.parts[:depth + 1])
                if inner not in emptied and str(inner) not in arguments:
                    arguments += ["--ro-bind", str(inner), str(inner)]
    return arguments


def _within(path, folder):
    return path == folder or folder in path.parents


def _chown_tree(folder, uid):
    os.chown(folder, uid, uid)
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)


# What a kernel in the sandbox needs: the course, zmq's compiled core, and
# ipykernel found and readable (opened, not imported: that would take a
# third of a second).
_PROBE = ("import importlib.util, sys, zmq, course.notebooks.inside; "
          "spec = importlib.util.find_spec('ipykernel') or sys.exit('No module named ipykernel'); "
          "open(spec.origin).close()")


def why_not(sandbox):
    """None if the sandbox runs a grading process here, else what went wrong and what to do."""
    if shutil.which(sandbox.bwrap) is None:
        return ("bubblewrap is not installed (on Debian or Ubuntu: apt-get install "
                "bubblewrap)")
    if os.geteuid() == 0 and shutil.which(sandbox.setpriv) is None:
        return ("grading runs as root, and setpriv (util-linux), which runs each submission "
                "as a user of its own, is not installed")
    home = Path(tempfile.mkdtemp(prefix="course-probe-"))
    try:
        probe = [sys.executable, "-c", _PROBE]
        with sandbox.user() as uid:
            command = sandbox.wrap(probe, [home], home, uid)
            try:
                done = subprocess.run(command, cwd=home, capture_output=True, text=True,
                                      timeout=60, stdin=subprocess.DEVNULL)
            except (OSError, subprocess.TimeoutExpired) as error:
                return f"bwrap could not be started ({error})"
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if done.returncode == 0:
        return None
    said = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
    hint = ""
    if "No module named" in said or "execvp" in said or "Errno 13" in said:
        hint = ("; the runs' user cannot read this Python or the course: make them "
                "readable by all users (chmod -R a+rX)")
    elif "namespace" in said.lower() or "permission" in said.lower():
        hint = ("; this machine (or the container grading runs in) does not let it create "
                "namespaces: allow unprivileged user namespaces (sysctl "
                "kernel.unprivileged_userns_clone=1, or run the container with "
                "--security-opt seccomp=unconfined), or grade with --sandbox none in a "
                "container or virtual machine of its own")
    return f"bwrap failed: {said}{hint}"


def choose_sandbox(mode, hide=()):
    """(the Bubblewrap to use or None, the mode that will run, why bwrap is not used)."""
    if mode not in MODES:
        raise SandboxError(f"--sandbox must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "none":
        return None, "none", "--sandbox none was asked for"
    sandbox = Bubblewrap(hide=list(hide))
    reason = why_not(sandbox)
    if reason is None:
        return sandbox, "bwrap", None
    if mode == "bwrap":
        raise SandboxError(f"--sandbox bwrap cannot run on this machine: {reason}. Nothing "
                           f"was graded.")
    return None, "none", reason
