"""The `course` command (also `python -m course`).

    course build [NOTEBOOK ...] [--check]     exercises from solutions
    course build --lessons [LESSON ...]       run the lessons, store their outputs
    course grade PATH ... [--out DIR] [--jobs N] [--timeout SECONDS]
    course render [--out DIR] [--execute]      the lessons and exercises as a static site

Run `course COMMAND --help` for the options of each.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv=None):
    from course.notebooks import skip_slow_optional_imports

    skip_slow_optional_imports()
    for stream in (sys.stdout, sys.stderr):  # verdicts use ✓ ✗ ○, even on a narrow console
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    return args.run(args)


def _parser():
    parser = argparse.ArgumentParser(
        prog="course", description="Build exercise notebooks, grade submissions, render pages.")
    commands = parser.add_subparsers(title="commands")

    build = commands.add_parser(
        "build", help="execute the solution notebooks and write the exercises from them",
        description="Execute each solution notebook, store its outputs, and write its "
                    "exercise notebook (answers blanked, outputs removed). Files are "
                    "written only when their bytes change.")
    build.add_argument("notebooks", nargs="*", type=Path,
                       help="solution notebooks to build (default: all in --solutions)")
    build.add_argument("--check", action="store_true",
                       help="write nothing; exit 1 naming every stale solution or exercise")
    build.add_argument("--solutions", type=Path, default=Path("solutions"),
                       help="folder of solution notebooks (default: solutions)")
    build.add_argument("--exercises", type=Path, default=Path("exercises"),
                       help="folder to write the exercises to (default: exercises)")
    build.add_argument("--timeout", type=float, default=600,
                       help="seconds allowed for each cell (default: 600)")
    build.add_argument("--lessons", action="store_true",
                       help="run the lesson notebooks instead (default: all in lessons/) and "
                            "store their outputs without widget state or timings")
    build.set_defaults(run=_run_build)

    grade = commands.add_parser(
        "grade", help="grade submissions against the executed solutions with nbval",
        description="Grade notebooks (files, or folders searched for *.ipynb). The answer "
                    "cells of each are put into a fresh copy of the executed solution and "
                    "run with `pytest --nbval-lax` in a separate process and folder. Writes "
                    "DIR/grades.csv, DIR/grades.json and DIR/feedback/. Exits 0 whenever "
                    "grading ran, whatever the grades.")
    grade.add_argument("paths", nargs="+", type=Path, help="notebooks or folders of them")
    grade.add_argument("--out", type=Path, default=Path("grades"),
                       help="folder for the gradebook and feedback (default: grades)")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: the number of cores)")
    grade.add_argument("--timeout", type=float, default=30,
                       help="seconds each cell may run before it is stopped (default: 30)")
    grade.add_argument("--memory", type=int, default=2048, metavar="MB",
                       help="memory each grading kernel may use, in MB (default: 2048)")
    grade.add_argument("--solutions", type=Path, default=None,
                       help="folder of executed solution notebooks (default: ./solutions, "
                            "or the course's own)")
    grade.set_defaults(run=_run_grade)

    _add_render(commands)
    return parser


def _add_render(commands):
    render = commands.add_parser(
        "render", help="make a static site of the lessons and exercises, for readers",
        description="Turn lessons/NN_topic.ipynb and exercises/NN_topic.ipynb into HTML "
                    "pages from the outputs stored in them, with an index, math and "
                    "figures, loading nothing from the network. Open DIR/index.html from "
                    "disk, or serve DIR with any static web server.")
    render.add_argument("--out", type=Path, default=Path("site"),
                        help="folder for the site, replaced if an earlier render made it "
                             "(default: site)")
    render.add_argument("--execute", action="store_true",
                        help="run each lesson first instead of using its stored outputs")
    render.add_argument("--lessons", type=Path, default=Path("lessons"),
                        help="folder of lesson notebooks (default: lessons)")
    render.add_argument("--exercises", type=Path, default=Path("exercises"),
                        help="folder of exercise notebooks (default: exercises)")
    render.add_argument("--timeout", type=float, default=120,
                        help="seconds allowed for each cell with --execute (default: 120)")
    render.set_defaults(run=_run_render)


def _run_build(args):
    if args.lessons:
        return _run_build_lessons(args)
    from course.notebooks.build import build_one, orphan_exercises
    from course.notebooks.cells import MarkupError

    notebooks = args.notebooks or sorted(args.solutions.glob("*.ipynb"))
    if not notebooks:
        print(f"course build: no solution notebooks in {args.solutions}/", file=sys.stderr)
        return 2
    stale, failed = [], False
    for path in notebooks:
        try:
            result = build_one(path, args.exercises, check_only=args.check,
                               timeout=args.timeout)
        except (MarkupError, RuntimeError, OSError, ValueError) as error:
            print(f"course build: {path}: {error}", file=sys.stderr)
            failed = True
            continue
        stale += result.stale
        if not args.check:
            what = ", ".join(str(p) for p in result.written) or "unchanged"
            print(f"{path}: {what}")
    if not args.notebooks and args.exercises.is_dir():
        for orphan in orphan_exercises(args.solutions, args.exercises):
            print(f"course build: {orphan} has no solution notebook in {args.solutions}/; "
                  f"delete it or add its solution", file=sys.stderr)
            stale.append(orphan)
    if args.check and stale:
        print("Stale (run `course build` and commit the result):", file=sys.stderr)
        for path in stale:
            print(f"  {path}", file=sys.stderr)
    if failed:
        return 2
    return 1 if args.check and stale else 0


def _run_build_lessons(args):
    from course.notebooks.lessons import store_lesson

    lessons = args.notebooks or sorted(Path("lessons").glob("*.ipynb"))
    if not lessons:
        print("course build: no lesson notebooks in lessons/", file=sys.stderr)
        return 2
    stale, failed = [], False
    for path in lessons:
        try:
            changed = store_lesson(path, check_only=args.check, timeout=args.timeout)
        except (RuntimeError, OSError, ValueError) as error:
            print(f"course build: {path}: {error}", file=sys.stderr)
            failed = True
            continue
        if changed:
            stale.append(path)
        if not args.check:
            print(f"{path}: {'written' if changed else 'unchanged'}")
    if args.check and stale:
        print("Stale (run `course build --lessons` and commit the result):", file=sys.stderr)
        for path in stale:
            print(f"  {path}", file=sys.stderr)
    if failed:
        return 2
    return 1 if args.check and stale else 0


def _run_grade(args):
    from course.notebooks.grade import GradingError, grade_all
    from course.notebooks.gradebook import row_line, summary_table
    from course.notebooks.sandbox import Limits
    from course.notebooks.solutions import find_solutions_dir

    solutions = find_solutions_dir(args.solutions)
    if solutions is None:
        where = args.solutions or "./solutions"
        print(f"course grade: no solutions folder at {where}; pass --solutions DIR",
              file=sys.stderr)
        return 2
    limits = Limits(cell_timeout=args.timeout, memory_mb=args.memory)
    done = []

    def report(rows):
        done.append(rows)
        points = sum(r.points for r in rows)
        most = sum(r.max_points for r in rows)
        print(f"[{len(done)}] {rows[0].submission}: {points:g} / {most:g}", flush=True)
        if len(args.paths) == 1 and args.paths[0].is_file():
            for row in rows:
                print(f"    {row_line(row)}")

    start = time.monotonic()
    try:
        rows = grade_all(args.paths, solutions, jobs=args.jobs, limits=limits, progress=report)
    except (GradingError, OSError) as error:
        print(f"course grade: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("course grade: interrupted; nothing was written", file=sys.stderr)
        return 130
    seconds = time.monotonic() - start
    print()
    print(summary_table(rows))
    out = _write_gradebook_somewhere(rows, args.out)
    print(f"\nGraded {len(done)} submission(s) in {seconds:.1f} s "
          f"({60 * len(done) / seconds:.0f} per minute). Gradebook: {out / 'grades.csv'}, "
          f"{out / 'grades.json'}; feedback in {out / 'feedback'}/")
    return 0 if out == args.out else 2


def _run_render(args):
    from course.notebooks.render import RenderError, render_site

    try:
        site = render_site(args.out, args.lessons, args.exercises, execute=args.execute,
                           timeout=args.timeout)
    except (RenderError, OSError) as error:
        print(f"course render: {error}", file=sys.stderr)
        return 2
    for page in site.pages:
        print(page)
    print(f"Rendered {len(site.units)} unit(s), {len(site.pages)} page(s) in "
          f"{site.seconds:.1f} s. Open {site.out / 'index.html'}")
    return 0


def _write_gradebook_somewhere(rows, out):
    """Write the gradebook to `out`, or, if that fails, to a new temporary folder
    rather than lose the grading; return the folder it is in."""
    from course.notebooks.gradebook import write_gradebook

    try:
        write_gradebook(rows, out)
        return out
    except OSError as error:
        fallback = Path(tempfile.mkdtemp(prefix="course-grades-"))
        write_gradebook(rows, fallback)
        print(f"course grade: could not write the gradebook to {out}/ ({error}); "
              f"it was written to {fallback}/ instead", file=sys.stderr)
        return fallback


if __name__ == "__main__":
    sys.exit(main())
