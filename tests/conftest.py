"""Shared test set-up.

The data loaders read COURSE_DATA_DIR. When the verified copies of the public
datasets sit beside the project (../shared/data), the tests use them, so
every data test and notebook runs offline.
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"

if "COURSE_DATA_DIR" not in os.environ and SHARED_DATA.is_dir():
    os.environ["COURSE_DATA_DIR"] = str(SHARED_DATA)
