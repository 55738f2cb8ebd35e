"""What runs inside one grading run's kernel: its entry point, and helpers for the kernel.

The run's nbval process (course.notebooks.driver) starts the kernel with

    python -m course.notebooks.inside MEMORY_MB FILE_MB PROCESSES -- -f CONNECTION_FILE

(inside bubblewrap when there is a sandbox), which limits its own process
(and so everything an answer starts) and runs an IPython kernel. In the
kernel, an IPython startup file calls limit_output(), and every check cell
starts with reset_kernel().

Nothing here may import the grader's host side: this module is loaded by
code that submissions can reach.
"""

import sys


# --- In the kernel -----------------------------------------------------------------------

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


# --- The kernel's process ---------------------------------------------------------------

def limit_this_process(memory_mb, file_mb, processes=0):
    """Address space, file size, no core dumps and, if processes > 0, the number of
    processes (and threads) the run's user may have. Inherited by all this
    process starts. (The run's nbval process limits itself the same way,
    processes aside.)"""
    import resource

    limits = [(resource.RLIMIT_AS, memory_mb * 2**20),
              (resource.RLIMIT_FSIZE, file_mb * 2**20),
              (resource.RLIMIT_CORE, 0)]
    if processes > 0:
        limits.append((resource.RLIMIT_NPROC, processes))
    for limit, value in limits:
        _, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(limit, (value, value if limit == resource.RLIMIT_NPROC
                                       else hard))
        except (ValueError, OSError):
            pass  # macOS does not enforce RLIMIT_AS; the other limits still hold


def main(argv):
    memory_mb, file_mb, processes, separator, *kernel_args = argv
    if separator != "--":
        raise SystemExit("usage: python -m course.notebooks.inside MEMORY_MB FILE_MB "
                         "PROCESSES -- IPYKERNEL_ARGS...")
    limit_this_process(int(memory_mb), int(file_mb), int(processes))
    # A grading kernel offers no debugger: not importing debugpy (ipykernel
    # does when it can) saves about 0.15 s at every start.
    sys.modules.setdefault("debugpy", None)
    import os

    if os.environ.get("JPY_PARENT_PID") != str(os.getppid()):
        # In a sandbox's own process namespace the nbval process that started
        # the kernel is not its parent; the kernel would take that for its
        # parent having exited, and quit. The sandbox ends it with the run.
        os.environ.pop("JPY_PARENT_PID", None)
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=kernel_args)


if __name__ == "__main__":
    main(sys.argv[1:])
