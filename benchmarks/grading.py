"""How fast `course grade` goes: 40 submissions of one unit, two at a time, and in shards.

    .venv/bin/python benchmarks/grading.py [--submissions 40] [--jobs 2]
        [--sandbox auto|bwrap|none] [--shards 2] [--shard-submissions 24]

The submissions mix correct, wrong and blank answers. Prints submissions per
minute and the overhead per submission beyond executing its cells (starting
pytest, nbval and a kernel, merging the answers, reading the report), with
the sandbox asked for. Then it grades --shard-submissions once with
`course grade --jobs 1`, and again as --shards processes side by side (each
`--shard K/N --jobs 1`, named so that each shard gets the same share),
merges them, and prints how much faster the shards were. It does so twice:
with all processes sharing the machine's cores, and with each pinned to a
core of its own (the single run too), as N one-core machines would run
them. Sharing, the figure is lower than pinned when a single run already
keeps more than one core busy (its kernel starts while nbval reads the
notebook). Last it prints the machine's own figure: N processes doing the
same Python work (starting and importing what grading imports) a core each,
against one doing all of it. That is the most sharding can gain here: on a
virtual machine, shared caches, memory and the hypervisor keep it below N.

Targets on a 2-core machine: at least 60 submissions per minute with the
sandbox on, at most 1.5 s of overhead per submission, and 2 shards, a core
each, in about half the time of one run on one core.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"   # the datasets, offline, as the tests use them
if "COURSE_DATA_DIR" not in os.environ and SHARED_DATA.is_dir():
    os.environ["COURSE_DATA_DIR"] = str(SHARED_DATA)
sys.path.insert(0, str(ROOT / "tests"))  # the submission makers the tests use

from course.notebooks import skip_slow_optional_imports  # noqa: E402

skip_slow_optional_imports()

from course.notebooks.build import execute  # noqa: E402
from course.notebooks.bwrap import choose_sandbox  # noqa: E402
from course.notebooks.grade import grade_all  # noqa: E402
from course.notebooks.gradebook import summary_table, write_gradebook  # noqa: E402
from course.notebooks.shards import shard_of  # noqa: E402
from fixtures.submissions import (UNIT, exercise_notebook, fill, solution_answers,  # noqa: E402
                                  wrong_answers, write)


def make_submissions(folder, count, shards=1):
    """`count` submissions, a third each correct, wrong and blank; with shards > 1,
    named so that every shard gets as many of each kind (a class's own names
    split only as evenly as they hash)."""
    kinds = {
        "correct": fill(exercise_notebook(), solution_answers()),
        "wrong": fill(exercise_notebook(), wrong_answers()),
        "blank": exercise_notebook(),
    }
    names = list(kinds)
    wanted = {(kind, shard): 0 for kind in names for shard in range(shards)}
    for number in range(count):
        kind = names[number % len(names)]
        wanted[kind, number % shards] += 1
    number = 0
    while any(wanted.values()):
        kind = names[number % len(names)]
        name = f"student{number:03d}-{kind}.ipynb"
        shard = shard_of(name, shards)
        if wanted[kind, shard]:
            wanted[kind, shard] -= 1
            write(folder / name, kinds[kind])
        number += 1


def seconds_in_cells():
    """How long the solution's cells take to run, kernel start-up excluded."""
    import nbformat

    notebook = nbformat.read(ROOT / "solutions" / f"{UNIT}.ipynb", as_version=4)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    executed = execute(notebook, ROOT / "solutions", record_timing=True)
    total = 0.0
    for cell in executed.cells:
        timing = cell.metadata.get("execution", {})
        if "iopub.execute_input" in timing and "shell.execute_reply" in timing:
            start = datetime.fromisoformat(timing["iopub.execute_input"].rstrip("Z"))
            end = datetime.fromisoformat(timing["shell.execute_reply"].rstrip("Z"))
            total += (end - start).total_seconds()
    return total


def course(*args, core=None):
    """Start `python -m course ARGS...`; with `core`, it and all it starts run on that core."""
    pin = None
    if core is not None:
        def pin():
            os.sched_setaffinity(0, {core})
    return subprocess.Popen([sys.executable, "-m", "course", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=pin)


def time_shards(count, submissions, sandbox, pinned):
    """(seconds for one run, seconds for `count` shards side by side, whether merging
    them gave the single run's gradebook) on the same class. pinned: the single
    run gets one core and each shard one of its own, as if each were a machine
    with one core; else they share all cores."""
    cores = sorted(os.sched_getaffinity(0)) if pinned else None
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "submissions"
        folder.mkdir()
        make_submissions(folder, submissions, count)
        common = [folder, "--jobs", "1", "--quiet", "--sandbox", sandbox]
        start = time.perf_counter()
        single = course("grade", *common, "--out", Path(temporary) / "single",
                        core=cores[0] if pinned else None)
        _, err = single.communicate()
        one = time.perf_counter() - start
        if single.returncode:
            raise SystemExit(f"course grade failed: {err}")
        start = time.perf_counter()
        shards = [course("grade", *common, "--shard", f"{k}/{count}", "--out",
                         Path(temporary) / f"shard{k}",
                         core=cores[k % len(cores)] if pinned else None)
                  for k in range(count)]
        for shard in shards:
            _, err = shard.communicate()
            if shard.returncode:
                raise SystemExit(f"course grade --shard failed: {err}")
        side_by_side = time.perf_counter() - start
        merged = course("merge", *(Path(temporary) / f"shard{k}" for k in range(count)),
                        "--out", Path(temporary) / "merged")
        merged.communicate()
        same = all((Path(temporary) / "single" / name).read_bytes()
                   == (Path(temporary) / "merged" / name).read_bytes()
                   for name in ("grades.csv", "grades.json", "summary.txt"))
    return one, side_by_side, same


# Work like a grading run's, for the machine's own figure: start Python and
# import what nbval and a kernel import.
LIKE_A_RUN = "import numpy, IPython, ipykernel.kernelapp, pytest, nbval.plugin"


def machine_speedup(count, repeats=4):
    """How much faster `count` processes doing the same Python work side by side,
    each pinned to a core of its own, finish than one process doing it all:
    the most any sharding can gain on this machine (shared caches, memory and
    the hypervisor keep it below `count`)."""
    cores = sorted(os.sched_getaffinity(0))

    def work(core, times):
        script = "; ".join([f"subprocess.run([sys.executable, '-c', {LIKE_A_RUN!r}], "
                            f"check=True)"] * times)
        return subprocess.Popen([sys.executable, "-c", f"import subprocess, sys; {script}"],
                                preexec_fn=lambda: os.sched_setaffinity(0, {core}))

    start = time.perf_counter()
    work(cores[0], count * repeats).wait()
    one = time.perf_counter() - start
    start = time.perf_counter()
    for process in [work(cores[k % len(cores)], repeats) for k in range(count)]:
        process.wait()
    return one / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="bwrap")
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--shard-submissions", type=int, default=24)
    args = parser.parse_args()

    sandbox, mode, note = choose_sandbox(args.sandbox)
    cells = seconds_in_cells()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "submissions"
        folder.mkdir()
        make_submissions(folder, args.submissions)
        start = time.perf_counter()
        rows = grade_all([folder], ROOT / "solutions", jobs=args.jobs, sandbox=sandbox)
        seconds = time.perf_counter() - start
        write_gradebook(rows, Path(temporary) / "grades")

    per_submission = seconds * args.jobs / args.submissions  # worker time each one took
    print(summary_table(rows))
    print()
    print(f"unit {UNIT}: its solution's cells run in {cells:.2f} s")
    print(f"sandbox: {mode}" + (f" ({note})" if note and args.sandbox == "auto" else ""))
    print(f"graded {args.submissions} submissions with --jobs {args.jobs} in {seconds:.1f} s: "
          f"{60 * args.submissions / seconds:.1f} submissions per minute")
    print(f"each submission took {per_submission:.2f} s of a worker: {cells:.2f} s in its "
          f"cells and {per_submission - cells:.2f} s of overhead (pytest, nbval and a "
          f"kernel starting, merging, the report)")
    result = {"sandbox": mode, "submissions_per_minute": round(60 * args.submissions / seconds, 1),
              "overhead_seconds": round(per_submission - cells, 2),
              "cell_seconds": round(cells, 3)}
    if args.shards > 1:
        pinning = [False] + ([True] if hasattr(os, "sched_setaffinity")
                             and len(os.sched_getaffinity(0)) >= args.shards else [])
        for pinned in pinning:
            one, side_by_side, same = time_shards(args.shards, args.shard_submissions, mode,
                                                  pinned)
            how = ("each on a core of its own (one core for the single run)" if pinned
                   else f"sharing the {os.cpu_count()} cores")
            print(f"{args.shard_submissions} submissions, --jobs 1, {how}: one run "
                  f"{one:.1f} s; {args.shards} shards side by side {side_by_side:.1f} s: "
                  f"{one / side_by_side:.2f} times as fast; merged gradebook "
                  f"{'identical to' if same else 'DIFFERENT from'} the single run's")
            key = "shard_speedup_one_core_each" if pinned else "shard_speedup"
            result.update({"shards": args.shards, key: round(one / side_by_side, 2)})
            result["merge_identical"] = result.get("merge_identical", True) and same
        if len(pinning) > 1:
            machine = machine_speedup(args.shards)
            print(f"the machine itself: {args.shards} processes starting Python and importing "
                  f"what grading imports, a core each, finish {machine:.2f} times as fast as "
                  f"one doing all their work")
            result["machine_speedup_one_core_each"] = round(machine, 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
