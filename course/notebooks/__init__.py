"""Notebook tooling: build exercises from solutions, and grade submissions with nbval.

    course build            execute solutions/, store their outputs, write exercises/
    course build --check    fail, naming the files, when either is stale
    course grade PATH...    grade submissions against the executed solutions
    course merge DIR...     join the gradebooks of `course grade --shard K/N`
    course canvas DIR       a CSV for Canvas's gradebook import
    course gradescope       run as a Gradescope autograder

Modules: `build`; `grade` (answers into the solution, nbval, verdicts);
`submissions` (finding what students hand in, reading it, taking the
answers) and `archives` (notebooks inside a zip, read in place); `gradebook`
(grades.csv, grades.json, summary.txt, feedback); `shards` (which shard a
submission is in, fingerprints, merging); `overrides` (grades set by hand);
`progress`; `commands` (what `course grade` and `course merge` do);
`sandbox` (one nbval run in its own processes, folder, time and memory
limits: the host's side), `driver` (the run's nbval process, forked from a
server that imported pytest and nbval once: `forkserver`), `inside` (the
run's kernel: what runs in the sandbox), `bwrap` (the bubblewrap sandbox);
`nbval_report` (a pytest plugin that records each cell's result as JSON);
`canvas` and `gradescope`.
The notebook markup and the finding of solutions live in course.checks
(markup, reference), which `cells` and `solutions` here re-export:
course.notebooks uses course.checks, never the reverse.
"""

import sys


def skip_slow_optional_imports():
    """Keep jsonschema from loading its optional IRI syntax checker.

    nbformat validates notebooks with jsonschema, which imports the optional
    `rfc3987_syntax` package if installed; building its grammar takes about
    1.5 s, and notebooks never use the "iri" format it checks. Marking it as
    absent saves that time in every command and every grading process.
    """
    sys.modules.setdefault("rfc3987_syntax", None)
