"""How long each lesson and solution notebook takes to run, kernel start included.

    .venv/bin/python benchmarks/notebooks.py [--runs 1] [NOTEBOOK ...]

A unit's notebooks must each run in under 30 s on a 2-core machine (see
CURRICULUM.md), so a student never waits long for a cell and `course build`
and the tests stay quick. With no arguments, every notebook in lessons/ and
solutions/ is run in a fresh kernel, in a temporary folder, with the data
read from COURSE_DATA_DIR (../shared/data when it sits beside the project).
Prints one line per notebook, the slowest of --runs runs, and marks those
over the target.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 30.0

SHARED_DATA = ROOT.parent / "shared" / "data"
if "COURSE_DATA_DIR" not in os.environ and SHARED_DATA.is_dir():
    os.environ["COURSE_DATA_DIR"] = str(SHARED_DATA)

from course.notebooks.build import execute  # noqa: E402


def seconds_to_run(path):
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        execute(notebook, folder)
        return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to time (default: lessons/ and solutions/)")
    parser.add_argument("--runs", type=int, default=1, help="runs per notebook (default 1)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "lessons").glob("*.ipynb")) + \
        sorted((ROOT / "solutions").glob("*.ipynb"))
    if not paths:
        sys.exit("No notebooks to time.")
    print(f"load average: {os.getloadavg()[0]:.1f} (figures swing when it is above 1)")
    slow = []
    for path in paths:
        worst = max(seconds_to_run(path) for _ in range(args.runs))
        mark = "" if worst < TARGET_SECONDS else f"  over the {TARGET_SECONDS:.0f} s target"
        print(f"{path.relative_to(ROOT) if path.is_absolute() else path}: {worst:5.1f} s{mark}")
        if mark:
            slow.append(path)
    print(f"{len(paths) - len(slow)} of {len(paths)} notebooks under {TARGET_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
