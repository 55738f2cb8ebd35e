"""What the grading runs' fork server imports, once (see course.notebooks.driver).

Imported in that server process only, never by the grader itself: every
run's driver is forked from the server with all of this already loaded.
"""

import gc
from multiprocessing import spawn

from course.notebooks import skip_slow_optional_imports

skip_slow_optional_imports()   # before nbformat is imported

# multiprocessing would import the grading program's __main__ again in each
# forked driver (a script that grades at its top level would then grade in
# every run); a driver needs nothing of it, so the server's children skip it.
_prepare = spawn.prepare


def _prepare_without_main(data):
    _prepare({key: value for key, value in data.items()
              if key not in ("init_main_from_path", "init_main_from_name")})


spawn.prepare = _prepare_without_main

import jupyter_client.blocking.client  # noqa: E402,F401
import jupyter_client.manager  # noqa: E402,F401
import nbval.kernel  # noqa: E402,F401
import nbval.plugin  # noqa: E402,F401
import pytest  # noqa: E402,F401

import course.notebooks.driver  # noqa: E402,F401
import course.notebooks.inside  # noqa: E402,F401
import course.notebooks.nbval_report  # noqa: E402,F401


def _warm_up():
    """Do once here what every run would otherwise do for itself: import the
    plugins pytest loads at each start, and build nbformat's validator."""
    import importlib

    import nbformat
    from _pytest.config import default_plugins

    for name in default_plugins:
        try:
            importlib.import_module(f"_pytest.{name}")
        except ImportError:
            pass
    nbformat.validate(nbformat.v4.new_notebook())


_warm_up()
# What is loaded now stays in a generation of its own: the runs' garbage
# collections never go through it, so they neither spend time on it nor
# copy the server's memory page by page.
gc.freeze()
