"""Grading a class of any size: LMS layouts, shards and merging, --only, overrides, progress.

Most tests need no kernel. One small class is graded once per session in a
single run and in two shards run side by side as separate processes, to show
that `course merge` rebuilds exactly the single run's gradebook.
"""

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from course.notebooks.gradebook import Row, read_gradebook, write_gradebook
from course.notebooks.overrides import OverridesError, apply_overrides, read_overrides
from course.notebooks.progress import Progress
from course.notebooks.shards import grading_record, parse_shard, shard_of
from course.notebooks.submissions import collect, read_submission
from fixtures.once import computed_once
from fixtures.submissions import EXERCISES, UNIT, exercise_notebook, make_class, write

ROOT = Path(__file__).resolve().parent.parent


def course(*args, cwd=ROOT, **kwargs):
    return subprocess.run([sys.executable, "-m", "course", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, **kwargs)


def tree(folder):
    """{relative path: bytes} of every file under a folder."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- Taking the class as it comes ------------------------------------------------------

def test_a_folder_per_student_with_the_same_file_name_gives_one_name_each(tmp_path):
    for name in ("alice/ex01.ipynb", "bob/ex01.ipynb", "section 2/carol/work/ex01.ipynb",
                 "bob/.ipynb_checkpoints/ex01-checkpoint.ipynb", "bob/notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    assert list(collect([tmp_path])) == ["alice/ex01.ipynb", "bob/ex01.ipynb",
                                         "section 2/carol/work/ex01.ipynb"]
    assert list(collect([tmp_path / "alice", tmp_path / "bob"])) == \
        ["alice/ex01.ipynb", "bob/ex01.ipynb"]
    assert list(collect([tmp_path / "bob" / "ex01.ipynb"])) == ["ex01.ipynb"]


def test_symbolic_links_to_notebooks_and_folders_elsewhere_are_followed(tmp_path):
    homes, course_folder = tmp_path / "homes", tmp_path / "class"
    (homes / "dave").mkdir(parents=True)
    course_folder.mkdir()
    write(homes / "dave" / "ex01.ipynb", exercise_notebook())
    write(homes / "erin.ipynb", exercise_notebook())
    (course_folder / "dave").symlink_to(homes / "dave")            # a student's folder
    (course_folder / "erin.ipynb").symlink_to(homes / "erin.ipynb")  # a notebook outside
    (course_folder / "dave" / "loop").symlink_to(course_folder)      # a link back up
    (course_folder / "gone.ipynb").symlink_to(tmp_path / "deleted.ipynb")
    found = collect([course_folder])
    assert list(found) == ["dave/ex01.ipynb", "erin.ipynb", "gone.ipynb"]
    assert read_submission(found["erin.ipynb"], "erin.ipynb").problem is None
    problem = read_submission(found["gone.ipynb"], "gone.ipynb").problem
    assert "symbolic link to" in problem and "does not exist" in problem


def test_a_zip_archive_is_read_as_if_unpacked_and_nothing_is_written(tmp_path):
    unpacked = tmp_path / "class"
    make_class(unpacked, {"alice/ex01.ipynb": "correct", "bob/ex01.ipynb": "wrong"})
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(unpacked.rglob("*.ipynb")):
            zipped.write(path, path.relative_to(unpacked).as_posix())
        zipped.writestr("../../escaped.ipynb", json.dumps(exercise_notebook()))
        zipped.writestr("/etc/absolute.ipynb", "{}")
        zipped.writestr("__MACOSX/alice/._ex01.ipynb", "resource fork")
        link = zipfile.ZipInfo("carol/ex01.ipynb")
        link.external_attr = (0o120777 << 16)
        zipped.writestr(link, "/etc/passwd")
    before = tree(tmp_path.parent)
    found = collect([archive])
    assert list(found) == ["../../escaped.ipynb", "alice/ex01.ipynb", "bob/ex01.ipynb",
                           "carol/ex01.ipynb", "etc/absolute.ipynb"]
    for name in ("alice/ex01.ipynb", "bob/ex01.ipynb"):
        from_zip, from_folder = (read_submission(found[name], name),
                                 read_submission(collect([unpacked])[name], name))
        assert from_zip.notebook == from_folder.notebook and from_zip.problem is None
    for name in ("../../escaped.ipynb", "etc/absolute.ipynb"):
        assert "leads outside the archive" in read_submission(found[name], name).problem
    assert "symbolic link" in read_submission(found["carol/ex01.ipynb"], "x").problem
    assert tree(tmp_path.parent) == before  # nothing was unpacked anywhere
    make_class(tmp_path / "late", {"frank.ipynb": "correct"})
    assert list(collect([archive, tmp_path / "late"]))[:3] == \
        ["class/../../escaped.ipynb", "class/alice/ex01.ipynb", "class/bob/ex01.ipynb"]
    assert list(collect([archive, tmp_path / "late"]))[-1] == "late/frank.ipynb"


def test_an_archive_that_lies_about_its_size_is_read_no_further_than_the_limit(
        tmp_path, monkeypatch):
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("a.ipynb", " " * 100_000 + "{}")
    monkeypatch.setattr("course.notebooks.submissions.MAX_SUBMISSION_BYTES", 1000)
    [(name, member)] = collect([archive]).items()
    assert "clear the outputs" in read_submission(member, name).problem
    assert len(member.read_bytes(1000)) == 1001


def test_what_cannot_be_graded_at_all_is_an_error_before_grading(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    result = course("grade", tmp_path / "broken.zip", "--out", tmp_path / "out")
    assert result.returncode == 2 and "cannot be read as a zip archive" in result.stderr
    result = course("grade", tmp_path / "missing", "--out", tmp_path / "out")
    assert result.returncode == 2 and "does not exist" in result.stderr


# --- Shards --------------------------------------------------------------------------------

def test_a_submissions_shard_depends_only_on_its_name():
    names = [f"student{i:03d}/ex01.ipynb" for i in range(200)]
    shards = {name: shard_of(name, 4) for name in names}
    assert set(shards.values()) == {0, 1, 2, 3}
    assert all(list(shards.values()).count(k) > 30 for k in range(4))  # about a quarter each
    # The same on every machine and in every release: a hash of the name, nothing else.
    assert [shard_of(n, 4) for n in ("alice/ex01.ipynb", "bob/ex01.ipynb")] == \
           [shard_of("alice/ex01.ipynb", 4), shard_of("bob/ex01.ipynb", 4)]
    assert shard_of("alice/ex01.ipynb", 1) == 0
    assert shard_of("alice/ex01.ipynb", 7) == int.from_bytes(
        __import__("hashlib").sha256(b"alice/ex01.ipynb").digest()[:8], "big") % 7


@pytest.mark.parametrize("text, message", [
    ("2/2", "less than N"), ("-1/2", "at least 0"), ("1", "K/N"), ("a/b", "K/N"), ("0/0", "K"),
])
def test_a_wrong_shard_is_explained(text, message):
    with pytest.raises(ValueError, match=message):
        parse_shard(text)


def fake_shard(folder, index, count, rows, **settings):
    record = grading_record({UNIT: ROOT / "solutions" / f"{UNIT}.ipynb"},
                            {"cell_timeout": 30.0, "sandbox": "none", **settings},
                            (index, count))
    write_gradebook(rows, folder, record)
    return folder


def rows_for(name):
    return [Row(name, UNIT, e, "correct", 1, 1, f"✓ {e}: correct") for e in EXERCISES]


@pytest.mark.parametrize("shards, message", [
    ([(0, 3), (1, 3)], "shard 2/3 is missing"),
    ([(0, 2), (1, 2), (1, 2)], "shard 1/2 is given twice"),
    ([(0, 2), (1, 3)], "same --shard K/N split"),
])
def test_merge_refuses_shards_missing_twice_or_of_other_splits(tmp_path, shards, message):
    folders = [fake_shard(tmp_path / f"s{n}", k, count, rows_for(f"st{n}.ipynb"))
               for n, (k, count) in enumerate(shards)]
    result = course("merge", *folders, "--out", tmp_path / "merged")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "merged").exists()


def test_merge_refuses_shards_graded_with_other_settings_or_solutions(tmp_path):
    first = fake_shard(tmp_path / "s0", 0, 2, rows_for("a.ipynb"))
    other = fake_shard(tmp_path / "s1", 1, 2, rows_for("b.ipynb"), cell_timeout=10.0)
    result = course("merge", first, other, "--out", tmp_path / "merged")
    assert result.returncode == 2
    assert "different solutions or settings (cell_timeout is 30.0 in one and 10.0" \
        in result.stderr
    report = json.loads((other / "grades.json").read_text())
    report["grading"]["solutions"][UNIT] = "0" * 64
    report["grading"]["settings"]["cell_timeout"] = 30.0
    report["grading"]["fingerprint"] = "changed"
    (other / "grades.json").write_text(json.dumps(report))
    result = course("merge", first, other, "--out", tmp_path / "merged")
    assert result.returncode == 2 and f"the solutions of {UNIT} differ" in result.stderr
    (other / "grades.json").write_text(json.dumps({"submissions": []}))
    result = course("merge", first, other, "--out", tmp_path / "merged")
    assert result.returncode == 2 and "does not record how it was graded" in result.stderr


CLASS = {"alice/ex01.ipynb": "correct", "bob/ex01.ipynb": "wrong",
         "carol/ex01.ipynb": "blank", "dave/ex01.ipynb": "correct",
         "erin/ex01.ipynb": "wrong"}


def grade_a_class(tmp_path_factory):
    """One run, and two shards side by side as separate processes, then merged."""
    base = tmp_path_factory.mktemp("class")
    make_class(base / "submissions", CLASS)
    common = [base / "submissions", "--jobs", "1", "--timeout", "20"]
    single = course("grade", *common, "--out", base / "single")
    shards = [subprocess.Popen([sys.executable, "-m", "course", "grade", *map(str, common),
                                "--shard", f"{k}/2", "--out", str(base / f"shard{k}")],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for k in range(2)]
    outputs = [shard.communicate(timeout=600) for shard in shards]
    merged = course("merge", base / "shard0", base / "shard1", "--out", base / "merged")
    return {"base": str(base), "single": single.returncode, "single_err": single.stderr,
            "single_out": single.stdout, "merged": merged.returncode,
            "merged_err": merged.stderr, "shards": [s.returncode for s in shards],
            "shard_out": [o for o, _ in outputs], "shard_err": [e for _, e in outputs]}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    data = computed_once(tmp_path_factory, "sharded-class",
                         lambda: grade_a_class(tmp_path_factory))
    data["base"] = Path(data["base"])
    return data


def test_shards_run_side_by_side_merge_into_exactly_the_single_runs_gradebook(graded):
    assert graded["single"] == 0, graded["single_err"]
    assert graded["shards"] == [0, 0], graded["shard_err"]
    assert graded["merged"] == 0, graded["merged_err"]
    base = graded["base"]
    single, merged = tree(base / "single"), tree(base / "merged")
    assert set(single) == {"grades.csv", "grades.json", "summary.txt"} | {
        f"feedback/{n.split('/')[0]}__ex01.md" for n in CLASS}
    assert merged == single
    shard_names = [{s["submission"] for s in json.loads(
        (base / f"shard{k}" / "grades.json").read_text())["submissions"]} for k in range(2)]
    assert shard_names[0] | shard_names[1] == set(CLASS)
    assert not shard_names[0] & shard_names[1]
    assert all(shard_of(n, 2) == k for k in range(2) for n in shard_names[k])


def test_the_gradebook_records_its_shard_and_what_it_was_graded_with(graded):
    base = graded["base"]
    rows, record = read_gradebook(base / "shard1")
    assert record["shard"] == {"index": 1, "count": 2}
    assert record["settings"]["cell_timeout"] == 20.0
    assert record["settings"]["sandbox"] in ("bwrap", "none")
    assert len(record["fingerprint"]) == 16 and UNIT in record["solutions"]
    assert "of shard 1/2" in graded["shard_out"][1]
    summary = (base / "single" / "summary.txt").read_text()
    assert "pass rate" in summary and "Sandbox: " + record["settings"]["sandbox"] in summary


def test_regrading_one_submission_with_only_changes_only_its_rows(graded, tmp_path):
    base = graded["base"]
    out = tmp_path / "gradebook"
    subprocess.run(["cp", "-r", str(base / "single"), str(out)], check=True)
    submissions = tmp_path / "submissions"
    subprocess.run(["cp", "-r", str(base / "submissions"), str(submissions)], check=True)
    make_class(submissions, {"bob/ex01.ipynb": "correct"})  # bob's late, corrected work
    (out / "overrides.csv").write_text("submission,exercise,points,note\n"
                                       f"carol/ex01.ipynb,{EXERCISES[0]},0.5,partial credit\n")
    before = {(r.submission, r.exercise): r for r in read_gradebook(out)[0]}
    result = course("grade", submissions, "--only", "bob/ex01.ipynb", "--out", out,
                    "--jobs", "1", "--timeout", "20")
    assert result.returncode == 0, result.stderr
    assert "Graded 1 submission(s)" in result.stdout
    after = {(r.submission, r.exercise): r for r in read_gradebook(out)[0]}
    assert list(after) == list(before)
    for (name, exercise), row in after.items():
        if name == "bob/ex01.ipynb":
            assert row.status == "correct"
        elif name == "carol/ex01.ipynb" and exercise == EXERCISES[0]:
            assert (row.points, row.override, row.status) == (0.5, "partial credit",
                                                            "not-attempted")
        else:
            assert row == before[(name, exercise)]
    assert "Points set by hand: partial credit" in (out / "feedback" / "carol__ex01.md") \
        .read_text()


def test_only_refuses_unknown_names_and_a_gradebook_graded_differently(graded, tmp_path):
    base = graded["base"]
    common = [base / "submissions", "--out", base / "single", "--timeout", "20"]
    unknown = course("grade", *common, "--only", "bobb/ex01.ipynb")
    assert unknown.returncode == 2 and "did you mean bob/ex01.ipynb" in unknown.stderr
    other = course("grade", base / "submissions", "--out", base / "single",
                   "--timeout", "10", "--only", "bob/ex01.ipynb")
    assert other.returncode == 2 and "graded differently (cell_timeout is 20.0" in other.stderr
    wrong_shard = next(n for n in CLASS if shard_of(n, 2) == 1)
    result = course("grade", *common, "--shard", "0/2", "--only", wrong_shard)
    assert result.returncode == 2 and "belongs to shard 1/2" in result.stderr
    empty = course("grade", base / "submissions", "--out", tmp_path / "none",
                   "--timeout", "20", "--only", "bob/ex01.ipynb")
    assert empty.returncode == 2 and "grade the whole class first" in empty.stderr


# --- Grades set by hand ---------------------------------------------------------------------

def test_overrides_set_points_keep_the_status_and_can_be_undone(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text("submission,exercise,points,note\n"
                    "alice.ipynb,mse,0.5,\"right idea, wrong sign\"\n"
                    "nobody.ipynb,mse,1,\n")
    overrides = read_overrides(path)
    rows = [Row("alice.ipynb", UNIT, "mse", "incorrect", 0, 1, "✗ mse: incorrect")]
    unmatched = apply_overrides(rows, overrides)
    assert (rows[0].points, rows[0].override, rows[0].status) == \
        (0.5, "right idea, wrong sign", "incorrect")
    assert [o.submission for o in unmatched] == ["nobody.ipynb"]
    apply_overrides(rows, [])
    assert (rows[0].points, rows[0].override) == (0, "")


@pytest.mark.parametrize("text, message", [
    ("student,exercise,points\n", "submission is missing"),
    ("submission,exercise,points,note\na.ipynb,mse,lots,\n", "line 2: points must be a number"),
    ("submission,exercise,points,note\na.ipynb,mse,-1,\n", "must be 0 or more"),
    ("submission,exercise,points,note\na.ipynb,mse,1,\na.ipynb,mse,0,\n", "line 3"),
    ("submission,exercise,points,note\n,mse,1,\n", "give both"),
])
def test_a_wrong_overrides_file_is_explained_with_its_line(tmp_path, text, message):
    path = tmp_path / "overrides.csv"
    path.write_text(text)
    with pytest.raises(OverridesError, match=message):
        read_overrides(path)


def test_merge_applies_the_overrides_too(tmp_path):
    first = fake_shard(tmp_path / "s0", 0, 2, rows_for("a.ipynb"))
    second = fake_shard(tmp_path / "s1", 1, 2, rows_for("b.ipynb"))
    overrides = tmp_path / "o.csv"
    overrides.write_text(f"submission,exercise,points,note\nb.ipynb,{EXERCISES[1]},0,copied\n")
    result = course("merge", second, first, "--out", tmp_path / "m", "--overrides", overrides)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "m" / "grades.csv", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [r["submission"] for r in rows] == \
        ["a.ipynb"] * len(EXERCISES) + ["b.ipynb"] * len(EXERCISES)
    assert [(r["points"], r["override"]) for r in rows if r["override"]] == [("0.0", "copied")]
    assert "1 grade(s) set by hand" in result.stdout


# --- Progress -------------------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_shows_on_a_terminal_only_and_never_when_quiet():
    rows = rows_for("alice.ipynb")
    for err, quiet, bar in ((Terminal(), False, True), (io.StringIO(), False, False),
                            (Terminal(), True, False)):
        out = io.StringIO()
        progress = Progress(2, quiet=quiet, out=out, err=err)
        progress.done(rows)
        progress.done(rows)
        progress.close()
        assert ("grading" in err.getvalue() and "2/2" in err.getvalue()) == bar
        total = len(EXERCISES)
        assert (f"[2/2] alice.ipynb: {total} / {total}" in out.getvalue()) != quiet


def test_writing_a_gradebook_again_leaves_no_feedback_of_submissions_it_no_longer_has(tmp_path):
    write_gradebook(rows_for("alice.ipynb") + rows_for("bob.ipynb"), tmp_path)
    (tmp_path / "notes.txt").write_text("an instructor's own file")
    write_gradebook(rows_for("alice.ipynb"), tmp_path)
    assert sorted(p.name for p in (tmp_path / "feedback").iterdir()) == ["alice.md"]
    assert (tmp_path / "notes.txt").exists()
