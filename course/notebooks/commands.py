"""What `course grade` and `course merge` do, once the command line is read (course.cli).

    course grade PATH... [--shard K/N] [--only NAME...] [--sandbox auto|bwrap|none]
    course merge DIR... --out DIR

Each returns the exit code: 0 when grading ran (whatever the grades), 2 when
it could not (with the reason on stderr), 130 on Ctrl-C.
"""

import difflib
import sys
import tempfile
import time
from pathlib import Path

from course import __version__
from course.checks.reference import find_solutions_dir
from course.notebooks import driver
from course.notebooks.bwrap import SandboxError, choose_sandbox
from course.notebooks.grade import grade_submissions, load_units
from course.notebooks.gradebook import read_gradebook, rows_of, summary_table, write_gradebook
from course.notebooks.overrides import OverridesError, apply_overrides, read_overrides
from course.notebooks.progress import Progress
from course.notebooks.sandbox import Limits, RunsFolderError, runs_folder
from course.notebooks.shards import (MergeError, differences, grading_record, merge_gradebooks,
                                     parse_shard, shard_of)
from course.notebooks.submissions import GradingError, collect


class CommandError(Exception):
    """The command cannot run as asked; the message says why and what to do."""


def settings_of(limits, sandbox_mode):
    """Everything besides the solutions that can change a grade."""
    return {"cell_timeout": float(limits.cell_timeout), "memory_mb": int(limits.memory_mb),
            "file_mb": int(limits.file_mb), "output_chars": int(limits.output_chars),
            "startup_timeout": float(limits.startup_timeout),
            "processes": int(limits.processes),
            "sandbox": sandbox_mode, "course": __version__}


# --- course grade ------------------------------------------------------------------------

def run_grade(args, out=None, err=None):
    out, err = out or sys.stdout, err or sys.stderr
    try:
        plan = _plan(args)
    except (CommandError, GradingError, SandboxError, OverridesError) as error:
        print(f"course grade: {error}", file=err)
        return 2
    if plan["sandbox_note"]:
        print(f"course grade: grading without a sandbox ({plan['sandbox_note']})", file=err)
    chosen = plan["chosen"]
    show_rows = (len(args.paths) == 1 and Path(args.paths[0]).is_file()
                 and Path(args.paths[0]).suffix.lower() == ".ipynb")
    progress = Progress(len(chosen), quiet=args.quiet, out=out, show_rows=show_rows)
    start = time.monotonic()
    try:
        rows = grade_submissions(chosen, plan["units"], jobs=args.jobs, limits=plan["limits"],
                                 progress=progress.done, sandbox=plan["sandbox"])
    except KeyboardInterrupt:
        progress.close()
        print("course grade: interrupted; nothing was written", file=err)
        return 130
    progress.close()
    seconds = time.monotonic() - start
    if args.only:
        regraded = set(chosen)
        rows = sorted([r for r in plan["previous"] if r.submission not in regraded] + rows,
                      key=lambda row: row.submission)
    _apply(rows, plan["overrides"], set(plan["submissions"]), err)
    record = plan["record"]
    print(file=out)
    print(summary_table(rows, record), file=out)
    written = _write_gradebook_somewhere(rows, args.out, record, err)
    per_minute = f" ({60 * len(chosen) / seconds:.0f} per minute)" if seconds > 0 and chosen else ""
    shard = record["shard"]
    which = f" of shard {shard['index']}/{shard['count']}" if shard["count"] > 1 else ""
    print(f"\nGraded {len(chosen)} submission(s){which} in {seconds:.1f} s{per_minute}. "
          f"Gradebook: {written / 'grades.csv'}, {written / 'grades.json'}; feedback in "
          f"{written / 'feedback'}/", file=out)
    return 0 if written == Path(args.out) else 2


def _plan(args):
    """Everything grading needs, checked before anything is graded."""
    try:
        runs_folder()
        driver.warm_up()   # its imports overlap the checks and the reading below
    except (RunsFolderError, OSError) as error:
        raise CommandError(f"cannot start grading: {error}") from None
    solutions = find_solutions_dir(args.solutions)
    if solutions is None:
        raise CommandError(f"no solutions folder at {args.solutions or './solutions'}; pass "
                           f"--solutions DIR")
    try:
        index, count = parse_shard(args.shard) if args.shard else (0, 1)
    except ValueError as error:
        raise CommandError(str(error)) from None
    if args.jobs < 1:
        raise CommandError(f"--jobs must be 1 or more, got {args.jobs}")
    overrides_path = _overrides_path(args.overrides, args.out)
    overrides = read_overrides(overrides_path) if overrides_path else None
    units = load_units(solutions)
    submissions = collect(args.paths)
    in_shard = {name: source for name, source in submissions.items()
                if shard_of(name, count) == index}
    chosen = _only(args.only, submissions, in_shard, (index, count)) if args.only else in_shard
    sandbox, mode, note = choose_sandbox(args.sandbox, hide=[args.out, *args.paths])
    limits = Limits(cell_timeout=args.timeout, memory_mb=args.memory,
                    processes=args.processes)
    record = grading_record({u.name: u.path for u in units.values()},
                            settings_of(limits, mode), (index, count))
    previous = _previous(args.out, record) if args.only else []
    return {"units": units, "submissions": submissions, "chosen": chosen,
            "sandbox": sandbox, "sandbox_note": note if args.sandbox == "auto" else None,
            "limits": limits, "record": record, "previous": previous,
            "overrides": overrides}


def _only(names, submissions, in_shard, shard):
    chosen = {}
    for name in names:
        found = name if name in submissions else f"{name}.ipynb"
        if found not in submissions:
            close = difflib.get_close_matches(name, list(submissions), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise CommandError(f"--only {name}: no submission has that name{hint}; names are "
                               f"paths relative to what you grade, as in grades.csv")
        if found not in in_shard:
            raise CommandError(f"--only {name}: it belongs to shard "
                               f"{shard_of(found, shard[1])}/{shard[1]}, not {shard[0]}/"
                               f"{shard[1]}; regrade it with that shard")
        chosen[found] = submissions[found]
    return dict(sorted(chosen.items()))


def _previous(out, record):
    """The rows of the gradebook that --only regrades into, if it was graded the same way."""
    try:
        rows, previous = read_gradebook(out)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CommandError(f"--only regrades into an existing gradebook, and {out}/grades.json "
                           f"cannot be read ({error}); grade the whole class first") from None
    if previous is None:
        raise CommandError(f"{out}/grades.json does not record how it was graded (an older "
                           f"version wrote it); grade the whole class again")
    if previous["fingerprint"] != record["fingerprint"] or previous["shard"] != record["shard"]:
        why = differences(previous, record)
        if previous["shard"] != record["shard"]:
            why.append(f"it is shard {previous['shard']['index']}/{previous['shard']['count']}")
        raise CommandError(f"the gradebook in {out}/ was graded differently ({'; '.join(why)}); "
                           f"regrade the whole class, or use the same solutions and options")
    return rows


def _overrides_path(given, out):
    if given is not None:
        if not Path(given).is_file():
            raise CommandError(f"--overrides {given}: there is no such file")
        return Path(given)
    default = Path(out) / "overrides.csv"
    return default if default.is_file() else None


def _apply(rows, overrides, names, err):
    """Apply the overrides; say on stderr which name nothing that exists."""
    if overrides is None:
        return
    exercises = {r.exercise for r in rows}
    for override in apply_overrides(rows, overrides):
        if override.submission not in names:
            print(f"course grade: the override for {override.submission} ({override.exercise}) "
                  f"names no submission; check its spelling against grades.csv", file=err)
        elif exercises and override.exercise not in exercises:
            print(f"course grade: the override for {override.submission} names the exercise "
                  f"{override.exercise!r}, which is not in the gradebook", file=err)


def _write_gradebook_somewhere(rows, out, record=None, err=None):
    """Write the gradebook to `out`, or, if that fails, to a new temporary folder
    rather than lose the grading; return the folder it is in."""
    err = err or sys.stderr
    try:
        write_gradebook(rows, out, record)
        return Path(out)
    except OSError as error:
        fallback = Path(tempfile.mkdtemp(prefix="course-grades-"))
        write_gradebook(rows, fallback, record)
        print(f"course grade: could not write the gradebook to {out}/ ({error}); "
              f"it was written to {fallback}/ instead", file=err)
        return fallback


# --- course merge --------------------------------------------------------------------------

def run_merge(args, out=None, err=None):
    out, err = out or sys.stdout, err or sys.stderr
    try:
        if Path(args.out).resolve() in {Path(f).resolve() for f in args.gradebooks}:
            raise CommandError(f"--out {args.out} is one of the shards; write the merged "
                               f"gradebook to a folder of its own")
        entries, record = merge_gradebooks(args.gradebooks)
        overrides_path = _overrides_path(args.overrides, args.out)
        overrides = read_overrides(overrides_path) if overrides_path else None
    except (MergeError, CommandError, OverridesError) as error:
        print(f"course merge: {error}", file=err)
        return 2
    rows = rows_of(entries)
    _apply(rows, overrides, {r.submission for r in rows}, err)
    print(summary_table(rows, record), file=out)
    written = _write_gradebook_somewhere(rows, args.out, record, err)
    print(f"\nMerged {len(args.gradebooks)} shard(s), {len({r.submission for r in rows})} "
          f"submission(s). Gradebook: {written / 'grades.csv'}, {written / 'grades.json'}; "
          f"feedback in {written / 'feedback'}/", file=out)
    return 0 if written == Path(args.out) else 2


