"""A pytest plugin for grading: nbval's result for each cell, as JSON lines.

    python -m pytest --nbval-lax -p nbval.plugin -p course.notebooks.nbval_report \\
        --course-report cells.jsonl notebook.ipynb

After each cell, one line is appended (and flushed, so a run that is killed
half-way still tells how far it got):

    {"cell_id": "mse-check", "index": 4, "outcome": "failed",
     "message": "Cell outputs differ", "ename": null, "evalue": null,
     "stdout": "✗ mse: incorrect — ...", "kernel_alive": true}

The first line records the kernel's process id, so the grader can stop the
kernel (and anything it started) if it has to kill the run.

It also makes nbval notice a kernel that died (os._exit, a crash, the
memory limit) at once, instead of waiting out the cell timeout.
"""

import json
import time
from queue import Empty

import pytest

MAX_TEXT = 2000  # characters of a cell's output kept in the report


class KernelDied(RuntimeError):
    """The kernel process ended while a cell was running."""


def pytest_addoption(parser):
    parser.addoption("--course-report", default=None,
                     help="append each notebook cell's result to this file as JSON lines")


def pytest_configure(config):
    if config.getoption("course_report"):
        _notice_dead_kernels()


def _notice_dead_kernels():
    """Poll the kernel's reply in short waits and stop as soon as its process is gone."""
    from nbval.kernel import RunningKernel

    def await_reply(self, msg_id, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = 0.5 if deadline is None else min(0.5, max(0.0, deadline - time.monotonic()))
            try:
                msg = self.get_message(stream="shell", timeout=wait)
            except Empty:
                if not self.is_alive():
                    raise KernelDied("the kernel died while running this cell (it exited, "
                                     "crashed, or ran out of memory)") from None
                if deadline is not None and time.monotonic() >= deadline:
                    raise
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] == "aborted":
                    raise RuntimeError("Kernel aborted execution request")
                return

    RunningKernel.await_reply = await_reply


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    path = item.config.getoption("course_report")
    cell = getattr(item, "cell", None)
    if not path or cell is None:
        return
    if call.when == "setup":
        _record_kernel(item, path)
    if call.when == "call" or (call.when == "setup" and not report.passed):
        _append(path, _cell_record(item, call, report))


def _record_kernel(item, path):
    file = item.parent
    if getattr(file, "_course_kernel_recorded", False):
        return
    kernel = getattr(file, "kernel", None)
    provisioner = getattr(getattr(kernel, "km", None), "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    if pid:
        _append(path, {"kernel_pid": pid})
        file._course_kernel_recorded = True


def _cell_record(item, call, report):
    # A cell after a timed-out cell is marked xfail by nbval: it still runs,
    # and "xfailed" means it failed, "xpassed" that it passed.
    failed = report.failed or (report.skipped and hasattr(report, "wasxfail"))
    skipped = report.skipped and not hasattr(report, "wasxfail")
    outputs = getattr(item, "test_outputs", None) or []
    error = next((o for o in outputs if o.get("output_type") == "error"), None)
    stdout = "".join(o.get("text", "") for o in outputs
                     if o.get("output_type") == "stream" and o.get("name") == "stdout")
    message = None
    if call.excinfo is not None:
        message = str(call.excinfo.value).strip().splitlines()[0][:MAX_TEXT] \
            if str(call.excinfo.value).strip() else type(call.excinfo.value).__name__
    return {
        "cell_id": item.cell.get("id"),
        "index": item.cell_num,
        "outcome": "skipped" if skipped else "failed" if failed else "passed",
        "message": message,
        "ename": error.get("ename") if error else None,
        "evalue": str(error.get("evalue", ""))[:MAX_TEXT] if error else None,
        "stdout": stdout[:MAX_TEXT],
        "kernel_alive": _kernel_alive(item),
    }


def _kernel_alive(item):
    kernel = getattr(item.parent, "kernel", None)
    try:
        return bool(kernel is not None and kernel.is_alive())
    except Exception:  # a kernel half torn down
        return False


def _append(path, record):
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps(record, ensure_ascii=False) + "\n")
        file.flush()
