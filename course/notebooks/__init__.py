"""Notebook tooling: build exercises from solutions, and grade submissions with nbval.

    course build            execute solutions/, store their outputs, write exercises/
    course build --check    fail, naming the files, when either is stale
    course grade PATH...    grade submissions against the executed solutions

Modules: `cells` (markup and blanks), `solutions` (finding the solution
notebooks), `build`, `grade` (answers into the solution, nbval, verdicts),
`submissions` (reading what students hand in and taking their answers),
`gradebook` (grades.csv, grades.json, feedback), `sandbox` (one nbval run in
its own process, folder, time and memory limits) and `nbval_report` (a
pytest plugin that records each cell's result as JSON).
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
