"""The `course` command (also `python -m course`).

    course build [NOTEBOOK ...] [--check]     exercises from solutions
    course build --lessons [LESSON ...]       run the lessons, store their outputs
    course grade PATH ... [--out DIR] [--jobs N] [--timeout SECONDS] [--shard K/N]
                          [--sandbox auto|bwrap|none] [--only NAME ...]
    course merge DIR ... --out DIR            the shards' gradebooks as one
    course canvas DIR --assignment NAME --out FILE    a CSV for Canvas's grade import
    course gradescope [--submission DIR] [--results FILE]    run as a Gradescope autograder
    course render [--out DIR] [--execute]      the lessons and exercises as a static site

Run `course COMMAND --help` for the options of each.
"""

import argparse
import os
import sys
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
        description="Grade notebooks (files, folders searched for *.ipynb, or zip archives "
                    "read as if unpacked). The answer cells of each are put into a fresh "
                    "copy of the executed solution and run with `pytest --nbval-lax` in a "
                    "separate process and folder. Writes DIR/grades.csv, DIR/grades.json, "
                    "DIR/summary.txt and DIR/feedback/. Exits 0 whenever grading ran, "
                    "whatever the grades.")
    grade.add_argument("paths", nargs="+", type=Path,
                       help="notebooks, folders of them, or zip archives of them")
    grade.add_argument("--out", type=Path, default=Path("grades"),
                       help="folder for the gradebook and feedback (default: grades)")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                       help="submissions graded at once (default: the number of cores)")
    grade.add_argument("--timeout", type=float, default=30.0,
                       help="seconds each cell may run before it is stopped (default: 30)")
    grade.add_argument("--memory", type=int, default=2048, metavar="MB",
                       help="memory each grading kernel may use, in MB (default: 2048)")
    grade.add_argument("--solutions", type=Path, default=None,
                       help="folder of executed solution notebooks (default: ./solutions, "
                            "or the course's own)")
    _add_scale_options(grade)
    grade.set_defaults(run=_run_grade)

    merge = commands.add_parser(
        "merge", help="join the gradebooks of the shards into one",
        description="Join the gradebooks that `course grade --shard K/N` wrote into exactly "
                    "the one a single run would have written. Exits 2, saying why, when a "
                    "shard is missing or given twice, or the shards were graded against "
                    "different solutions or settings.")
    merge.add_argument("gradebooks", nargs="+", type=Path, metavar="DIR",
                       help="the --out folder of every shard")
    merge.add_argument("--out", type=Path, required=True,
                       help="folder for the merged gradebook")
    merge.add_argument("--overrides", type=Path, default=None, metavar="CSV",
                       help="grades set by hand to apply (default: OUT/overrides.csv if it "
                            "exists)")
    merge.set_defaults(run=_run_merge)
    _add_lms_commands(commands)
    _add_render(commands)
    return parser


def _add_lms_commands(commands):
    """Handing grades to a learning management system."""
    canvas = commands.add_parser(
        "canvas", help="write a gradebook as a CSV that Canvas's gradebook import takes",
        description="Write DIR's total per student as a CSV for Canvas (Grades > Import). "
                    "Students are found by the Canvas user id in the names Canvas gives "
                    "downloaded submissions, or with --roster by their SIS Login ID, SIS "
                    "User ID or Canvas ID as the submission's folder or file name.")
    canvas.add_argument("gradebook", type=Path, metavar="DIR",
                        help="the --out folder of `course grade` or `course merge`")
    canvas.add_argument("--assignment", required=True,
                        help='the assignment\'s column as in a Canvas export, "Name (id)"')
    canvas.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    canvas.add_argument("--roster", type=Path, default=None, metavar="CSV",
                        help="Canvas's gradebook export, to match students and keep every "
                             "column Canvas expects")
    canvas.set_defaults(run=_run_canvas)

    gradescope = commands.add_parser(
        "gradescope", help="grade one submission as a Gradescope autograder",
        description="Grade the notebooks in Gradescope's submission folder and write its "
                    "results.json, one test per exercise.")
    gradescope.add_argument("--submission", type=Path, default=Path("/autograder/submission"),
                            help="the student's files (default: /autograder/submission)")
    gradescope.add_argument("--results", type=Path,
                            default=Path("/autograder/results/results.json"),
                            help="where to write the results "
                                 "(default: /autograder/results/results.json)")
    gradescope.add_argument("--solutions", type=Path, default=None,
                            help="folder of executed solution notebooks")
    gradescope.add_argument("--timeout", type=float, default=30.0,
                            help="seconds each cell may run (default: 30)")
    gradescope.add_argument("--memory", type=int, default=2048, metavar="MB",
                            help="memory the grading kernel may use (default: 2048)")
    gradescope.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                            help="run the submission under bubblewrap (default: auto)")
    gradescope.set_defaults(run=_run_gradescope)


def _add_scale_options(grade):
    """The options for large classes, untrusted code and regrades."""
    grade.add_argument("--shard", default=None, metavar="K/N",
                       help="grade only shard K (from 0) of N; a submission's shard depends "
                            "only on its name. Join the shards with `course merge`")
    grade.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto",
                       help="run each submission under bubblewrap: no network, a read-only "
                            "machine, its own processes (bwrap: required, an error if it "
                            "cannot run here; auto: when it can; default: auto)")
    grade.add_argument("--processes", type=int, default=256, metavar="N",
                       help="processes and threads each submission may run under bwrap "
                            "(default: 256)")
    grade.add_argument("--only", nargs="+", default=None, metavar="NAME",
                       help="regrade only these submissions (names as in grades.csv) into "
                            "the gradebook already in --out")
    grade.add_argument("--overrides", type=Path, default=None, metavar="CSV",
                       help="grades set by hand (submission,exercise,points,note), applied "
                            "after grading (default: OUT/overrides.csv if it exists)")
    grade.add_argument("--quiet", action="store_true",
                       help="print only the summary: no line per submission, no progress bar")


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
    from course.notebooks.commands import run_grade

    return run_grade(args)


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


def _run_merge(args):
    from course.notebooks.commands import run_merge

    return run_merge(args)


def _run_canvas(args):
    from course.notebooks.canvas import run_canvas

    return run_canvas(args)


def _run_gradescope(args):
    from course.notebooks.gradescope import run_gradescope

    return run_gradescope(args)


if __name__ == "__main__":
    sys.exit(main())
