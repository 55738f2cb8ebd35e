"""The real datasets: counts, ranges, missing values and checksums.

Red wine and cereals are read from COURSE_DATA_DIR (tests/conftest.py points it
at the verified copies beside the project), so these tests run offline.
"""

import hashlib
import os
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from course.data import (REGISTRY, ChecksumError, Dataset, drop_incomplete_rows,
                         file_sha256, get_data_dir, load_cereals, load_digits01,
                         load_red_wine)
from course.data import datasets

ROOT = Path(__file__).resolve().parent.parent

WINE_FEATURES = ("fixed acidity", "volatile acidity", "citric acid", "residual sugar",
                 "chlorides", "free sulfur dioxide", "total sulfur dioxide", "density",
                 "pH", "sulphates", "alcohol")


@pytest.fixture(scope="module")
def data_dir():
    """The data folder, if it holds both verified files; else skip."""
    folder = get_data_dir()
    for remote in REGISTRY.values():
        path = folder / remote.filename
        if not path.is_file():
            pytest.skip(f"{remote.filename} is not in {folder}; set COURSE_DATA_DIR "
                        f"to a folder holding the verified data files.")
    return folder


def test_data_files_have_the_registered_size_and_checksum(data_dir):
    for remote in REGISTRY.values():
        path = data_dir / remote.filename
        assert path.stat().st_size == remote.size
        assert file_sha256(path) == remote.sha256


def test_loading_from_the_data_folder_writes_nothing_there(data_dir):
    before = sorted(os.listdir(data_dir))
    load_red_wine(data_dir=data_dir)
    load_cereals(data_dir=data_dir)
    assert sorted(os.listdir(data_dir)) == before


def test_red_wine_has_1599_wines_with_11_features(data_dir):
    wine = load_red_wine(data_dir=data_dir)
    assert isinstance(wine, Dataset)
    assert wine.data.shape == (1599, 11) and wine.data.dtype == np.float64
    assert wine.target.shape == (1599,) and wine.target.dtype == np.int64
    assert wine.feature_names == WINE_FEATURES
    assert wine.target_name == "quality"
    assert np.isfinite(wine.data).all()
    assert wine.license == "CC BY 4.0" and "Cortez" in wine.citation


def test_red_wine_quality_scores_run_from_3_to_8(data_dir):
    wine = load_red_wine(data_dir=data_dir)
    scores, counts = np.unique(wine.target, return_counts=True)
    assert dict(zip(scores.tolist(), counts.tolist())) == {
        3: 10, 4: 53, 5: 681, 6: 638, 7: 199, 8: 18}


def test_red_wine_measurements_lie_in_plausible_ranges(data_dir):
    wine = load_red_wine(data_dir=data_dir)
    column = dict(zip(wine.feature_names, wine.data.T))
    assert (wine.data >= 0).all()
    assert 8 <= column["alcohol"].min() and column["alcohol"].max() <= 15
    assert 2.7 <= column["pH"].min() and column["pH"].max() <= 4.1
    assert 0.99 <= column["density"].min() and column["density"].max() <= 1.01
    np.testing.assert_array_equal(wine.data[0], [7.4, 0.7, 0, 1.9, 0.076, 11, 34,
                                                 0.9978, 3.51, 0.56, 9.4])


def test_red_wine_keeps_the_duplicate_rows_as_published(data_dir):
    wine = load_red_wine(data_dir=data_dir)
    rows = np.column_stack([wine.data, wine.target])
    assert len(np.unique(rows, axis=0)) == 1599 - 240


def test_dataset_unpacks_into_data_target_and_feature_names(data_dir):
    wine = load_red_wine(data_dir=data_dir)
    X, y, feature_names = wine
    assert X is wine.data and y is wine.target and feature_names is wine.feature_names
    assert "1599" in repr(wine) and "quality" in repr(wine)


def test_cereals_has_77_named_cereals_and_13_numeric_columns(data_dir):
    cereals = load_cereals(data_dir=data_dir)
    assert cereals.data.shape == (77, 12)
    assert cereals.target.shape == (77,) and cereals.target_name == "calories"
    assert "calories" not in cereals.feature_names
    assert len(cereals.names) == 77 == len(set(cereals.names))
    assert cereals.names[0] == "100% Bran"
    assert cereals.license == "CC BY-SA 3.0"
    assert 50 <= cereals.target.min() and cereals.target.max() <= 160


def test_cereals_unknown_values_become_nan_never_minus_one(data_dir):
    cereals = load_cereals(data_dir=data_dir)
    assert not (cereals.data == -1).any()
    missing = {(cereals.names[row], cereals.feature_names[column])
               for row, column in np.argwhere(np.isnan(cereals.data))}
    assert missing == {("Almond Delight", "potass"), ("Cream of Wheat (Quick)", "potass"),
                       ("Quaker Oatmeal", "carbo"), ("Quaker Oatmeal", "sugars")}
    sugars = load_cereals(target="sugars", features=["calories"], data_dir=data_dir)
    assert np.isnan(sugars.target[sugars.names.index("Quaker Oatmeal")])


def test_cereals_chosen_features_come_in_the_order_asked(data_dir):
    cereals = load_cereals(features=("sugars", "fiber", "protein"), data_dir=data_dir)
    assert cereals.feature_names == ("sugars", "fiber", "protein")
    bran = cereals.names.index("100% Bran")
    np.testing.assert_array_equal(cereals.data[bran], [6, 10, 4])
    assert cereals.target[bran] == 70


def test_drop_incomplete_rows_keeps_names_aligned(data_dir):
    cereals = load_cereals(features=("sugars", "fiber", "protein"), data_dir=data_dir)
    complete = drop_incomplete_rows(cereals)
    assert complete.data.shape == (76, 3) and complete.target.shape == (76,)
    assert "Quaker Oatmeal" not in complete.names
    assert np.isfinite(complete.data).all()
    for name in ("100% Bran", "Wheaties"):
        np.testing.assert_array_equal(complete.data[complete.names.index(name)],
                                      cereals.data[cereals.names.index(name)])
    everything = drop_incomplete_rows(load_cereals(data_dir=data_dir))
    assert len(everything.names) == 74


def test_cereals_bad_column_choices_are_clear_errors(data_dir):
    with pytest.raises(ValueError, match="Unknown cereal column 'sugar'.*'sugars'"):
        load_cereals(features=["sugar"], data_dir=data_dir)
    with pytest.raises(ValueError, match="both the target and a feature"):
        load_cereals(features=["calories", "fiber"], data_dir=data_dir)
    with pytest.raises(ValueError, match="features is empty"):
        load_cereals(features=[], data_dir=data_dir)
    with pytest.raises(ValueError, match="Unknown cereal column 'name'"):
        load_cereals(target="name", data_dir=data_dir)


def test_digits01_has_178_zeros_and_182_ones_of_8x8_pixels():
    digits = load_digits01()
    assert digits.data.shape == (360, 64) and digits.data.dtype == np.float64
    assert digits.images.shape == (360, 8, 8)
    np.testing.assert_array_equal(digits.images.reshape(360, 64), digits.data)
    assert np.bincount(digits.target).tolist() == [178, 182]
    assert digits.data.min() == 0 and digits.data.max() == 16
    assert (digits.data == np.round(digits.data)).all()
    assert digits.feature_names[0] == "pixel_0_0" and digits.feature_names[-1] == "pixel_7_7"
    assert digits.license == "CC BY 4.0" and "10.24432/C50P49" in digits.citation


def test_digits01_zeros_have_an_empty_centre_unlike_ones():
    digits = load_digits01()
    centre = digits.images[:, 3:5, 3:5].mean(axis=(1, 2))
    assert centre[digits.target == 0].mean() < 4 < centre[digits.target == 1].mean()


def test_packaged_digits_file_has_the_recorded_checksum():
    raw = resources.files("course.data").joinpath("digits01.npz").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == datasets.DIGITS01_SHA256
    note = resources.files("course.data").joinpath("DIGITS01.md").read_text()
    assert datasets.DIGITS01_SHA256 in note and "CC BY 4.0" in note


def test_damaged_digits_file_is_refused():
    with pytest.raises(ChecksumError, match="make_digits01.py"):
        datasets._check_digits01(b"not an npz file")


def test_make_digits01_script_reproduces_the_packaged_file(tmp_path):
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    import runpy

    script = runpy.run_path(str(ROOT / "scripts" / "make_digits01.py"))
    output = tmp_path / "digits01.npz"
    script["main"](["--output", str(output)])
    packaged = resources.files("course.data").joinpath("digits01.npz").read_bytes()
    assert output.read_bytes() == packaged

    reference = sklearn_datasets.load_digits(n_class=2)
    digits = load_digits01()
    np.testing.assert_array_equal(digits.data, reference.data)
    np.testing.assert_array_equal(digits.target, reference.target)
