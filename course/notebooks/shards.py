"""Grading past one machine: which shard a submission is in, and joining the shards.

    index, count = parse_shard("2/8")         # shard 2 of 8, counting from 0
    shard_of("alice/ex01.ipynb", 8)           # the same number on every machine
    record = grading_record(units, settings, (index, count))
    rows, record = merge_gradebooks(["grades/shard-0", "grades/shard-1"])

A submission's shard depends only on its name (a hash of it), so every
machine splits the class the same way, and a late submission does not move
the others. Each shard's gradebook records a fingerprint of the solutions and
settings it was graded with, and its K/N; merging refuses shards that are
missing, given twice, or graded differently (MergeError says which).
"""

import hashlib
import json
from pathlib import Path


class MergeError(Exception):
    """The gradebooks given cannot be joined into one; the message says why."""


def parse_shard(text):
    """(K, N) from "K/N", with 0 <= K < N; ValueError for a learner otherwise."""
    try:
        index, count = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ValueError(f"--shard takes K/N, the shard K (counting from 0) of N shards, "
                         f"such as 0/4; got {text!r}") from None
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"--shard {text}: K must be at least 0 and less than N (the shards "
                         f"of 4 are 0/4, 1/4, 2/4 and 3/4)")
    return index, count


def shard_of(name, count):
    """The shard (0 to count - 1) of the submission called `name`."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count


# --- What a gradebook records about how it was graded ------------------------------

def grading_record(solution_files, settings, shard=(0, 1)):
    """The "grading" entry of grades.json.

    solution_files: {unit: path of its executed solution notebook};
    settings: what else changes a grade (limits, sandbox mode, course version).
    """
    solutions = {unit: hashlib.sha256(Path(path).read_bytes()).hexdigest()
                 for unit, path in sorted(solution_files.items())}
    return {"fingerprint": fingerprint(solutions, settings),
            "shard": {"index": shard[0], "count": shard[1]},
            "solutions": solutions, "settings": settings}


def fingerprint(solutions, settings):
    text = json.dumps({"solutions": solutions, "settings": settings}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def differences(first, second):
    """What differs between two grading records, as phrases ([] if nothing)."""
    found = []
    units = sorted(set(first["solutions"]) | set(second["solutions"]))
    changed = [u for u in units if first["solutions"].get(u) != second["solutions"].get(u)]
    if changed:
        found.append(f"the solutions of {', '.join(changed)} differ")
    for key in sorted(set(first["settings"]) | set(second["settings"])):
        a, b = first["settings"].get(key), second["settings"].get(key)
        if a != b:
            found.append(f"{key} is {a} in one and {b} in the other")
    return found


# --- Merging -------------------------------------------------------------------------

def read_gradebook_json(folder):
    """grades.json of a gradebook folder, or MergeError saying what is wrong with it."""
    path = Path(folder) / "grades.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MergeError(f"{folder}/ holds no grades.json; is it the --out folder of a "
                         f"`course grade --shard` run that finished?") from None
    except (OSError, ValueError) as error:
        raise MergeError(f"{path} cannot be read ({error})") from None
    if not isinstance(report, dict) or "grading" not in report:
        raise MergeError(f"{path} does not record how it was graded (it was written by an "
                         f"older version of course); grade that shard again")
    return report


def merge_gradebooks(folders):
    """(rows as dicts, in the order a single run writes them, grading record of the
    whole class) from the gradebooks of all the shards; MergeError when they do not
    make one class."""
    reports = [(Path(f), read_gradebook_json(f)) for f in folders]
    first_folder, first = reports[0]
    record = first["grading"]
    count = record["shard"]["count"]
    by_index = {}
    for folder, report in reports:
        grading = report["grading"]
        if grading["fingerprint"] != record["fingerprint"]:
            raise MergeError(f"{folder}/ and {first_folder}/ were graded against different "
                             f"solutions or settings ({'; '.join(differences(record, grading))}"
                             f"); grade them again the same way")
        index, its_count = grading["shard"]["index"], grading["shard"]["count"]
        if its_count != count:
            raise MergeError(f"{folder}/ is shard {index}/{its_count} but {first_folder}/ is "
                             f"one of {count}; every shard must come from the same --shard "
                             f"K/N split")
        if index in by_index:
            raise MergeError(f"shard {index}/{count} is given twice: {by_index[index]}/ and "
                             f"{folder}/")
        by_index[index] = folder
    missing = [f"{k}/{count}" for k in range(count) if k not in by_index]
    if missing:
        raise MergeError(f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                         f"{'are' if len(missing) > 1 else 'is'} missing; grade "
                         f"{'them' if len(missing) > 1 else 'it'} with --shard and give "
                         f"every shard's folder")
    rows, owner = [], {}
    for folder, report in reports:
        for submission in report["submissions"]:
            name = submission["submission"]
            if name in owner:
                raise MergeError(f"{name} is graded in both {owner[name]}/ and {folder}/")
            owner[name] = folder
            rows += submission["exercises"]
    rows.sort(key=lambda row: row["submission"])   # stable: exercises keep their order
    return rows, {**record, "shard": {"index": 0, "count": 1}}
