"""What runs inside one grading run: its process's entry point, and helpers for its kernel.

The host side (course.notebooks.sandbox) starts

    python -m course.notebooks.inside MEMORY_MB FILE_MB PROCESSES -- PYTEST_ARGS...

which limits its own process (inherited by the kernel nbval starts) and runs
pytest. In the kernel, an IPython startup file calls limit_output(), and
every check cell starts with reset_kernel().

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


# --- The run's own process ---------------------------------------------------------------

def limit_this_process(memory_mb, file_mb, processes=0):
    """Address space, file size, no core dumps and, if processes > 0, the number of
    processes (and threads) the run's user may have."""
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


def start_kernel_early():
    """Start the grading kernel now, and make nbval's start_new_kernel wait for it.

    A kernel takes about as long to start (IPython, numpy, the course) as
    pytest and nbval take to import, and nbval starts it only after that;
    started first, the two overlap. nbval gets this kernel the first time it
    asks for one with --nbval-current-env, and starts its own after that.
    """
    import os

    import nbval.kernel as nbval_kernel

    manager = nbval_kernel.KernelManager(
        kernel_name=nbval_kernel.CURRENT_ENV_KERNEL_NAME,
        kernel_spec_manager=nbval_kernel.NbvalKernelspecManager())
    manager.start_kernel(stderr=open(os.devnull, "w"), cwd=os.getcwd())
    waiting = [manager]
    start_new_kernel = nbval_kernel.start_new_kernel

    def take_the_early_kernel(startup_timeout=60, kernel_name="python", **kwargs):
        if not waiting or kernel_name != nbval_kernel.CURRENT_ENV_KERNEL_NAME:
            return start_new_kernel(startup_timeout=startup_timeout, kernel_name=kernel_name,
                                    **kwargs)
        early = waiting.pop()
        client = early.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=startup_timeout)
        except RuntimeError:
            client.stop_channels()
            early.shutdown_kernel(now=True)
            raise
        return early, client

    nbval_kernel.start_new_kernel = take_the_early_kernel


def main(argv):
    memory_mb, file_mb, processes, separator, *pytest_args = argv
    if separator != "--":
        raise SystemExit("usage: python -m course.notebooks.inside MEMORY_MB FILE_MB "
                         "PROCESSES -- PYTEST_ARGS...")
    limit_this_process(int(memory_mb), int(file_mb), int(processes))

    from course.notebooks import skip_slow_optional_imports

    skip_slow_optional_imports()
    if "--nbval-current-env" in pytest_args:
        start_kernel_early()
    import pytest

    return pytest.main(pytest_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
