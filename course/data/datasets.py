"""The real datasets of the course, as numpy arrays ready to train on.

    wine = load_red_wine()
    X, y, feature_names = wine            # or wine.data, wine.target, wine.feature_names

Every loader returns a Dataset. Unpacking one gives (data, target,
feature_names); its other fields (target_name, names, images, license,
citation) are there when you want them.

Red wine and cereals are downloaded once and cached (see course.data.fetch);
the handwritten digits ship inside the package.
"""

import csv
import dataclasses
import hashlib
import io
from importlib import resources

import numpy as np

from course.data.download import ChecksumError, fetch
from course.data.registry import CEREALS, RED_WINE
from course.validation import check_choice

DIGITS01_FILE = "digits01.npz"
# The SHA-256 of digits01.npz as scripts/make_digits01.py writes it.
DIGITS01_SHA256 = "63ab8563a5ecb65cc89a017308b68222cb248c359a1abe9874db3cbdca70f386"
DIGITS01_LICENSE = "CC BY 4.0"
DIGITS01_CITATION = ("E. Alpaydin and C. Kaynak. Optical Recognition of Handwritten "
                     "Digits [Dataset]. UCI Machine Learning Repository, 1998. "
                     "https://doi.org/10.24432/C50P49.")

CEREAL_TEXT_COLUMNS = ("name", "mfr", "type")
CEREAL_NUMERIC_COLUMNS = ("calories", "protein", "fat", "sodium", "fiber", "carbo",
                          "sugars", "potass", "vitamins", "shelf", "weight", "cups",
                          "rating")


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A table of examples: inputs, the value to predict, and what they mean.

    data: float64 array, shape (n, d), one row per example.
    target: array, shape (n,), the value to predict for each row.
    feature_names: tuple of d strings, the meaning of each column of data.
    target_name: what target measures.
    names: tuple of n strings naming each row (the cereals' names), or None.
    images: float64 array, shape (n, 8, 8), the rows as pictures (digits), or None.
    title, license, citation: where the data comes from and how to credit it.

    `X, y, feature_names = dataset` unpacks the first three fields.
    """

    data: np.ndarray
    target: np.ndarray
    feature_names: tuple
    target_name: str
    title: str
    license: str
    citation: str
    names: tuple = None
    images: np.ndarray = None

    def __iter__(self):
        return iter((self.data, self.target, self.feature_names))

    def __repr__(self):
        n, d = self.data.shape
        return (f"<Dataset {self.title!r}: data ({n}, {d}), target "
                f"{self.target_name!r} ({n},); X, y, feature_names = dataset>")


def load_red_wine(data_dir=None, progress=True):
    """Red Wine Quality (UCI): 1,599 red wines, 11 measurements, a taste score.

    Returns a Dataset with
        data: float64 (1599, 11), e.g. "alcohol" (% vol.), "pH", "density";
        target: int64 (1599,), "quality", the median expert score, 3 to 8.
    The file is read as UCI publishes it, 240 duplicate rows included.
    data_dir, progress: where the file is cached and whether a download shows
        a progress bar (see course.data.fetch).
    License CC BY 4.0; cite Cortez et al. 2009 (see the dataset's .citation).
    """
    path = fetch(RED_WINE, data_dir, progress)
    header, rows = _read_csv(path, delimiter=";")
    table = np.array(rows, dtype=np.float64)
    return Dataset(data=table[:, :-1], target=table[:, -1].astype(np.int64),
                   feature_names=tuple(header[:-1]), target_name=header[-1],
                   title="Red Wine Quality", license=RED_WINE.license,
                   citation=RED_WINE.citation)


def load_cereals(target="calories", features=None, data_dir=None, progress=True):
    """80 Cereals: nutrition facts of 77 breakfast cereals (per serving).

    target: the numeric column to predict (default "calories").
    features: the numeric columns to use as inputs; None means every numeric
        column except the target: protein, fat, sodium, fiber, carbo, sugars,
        potass, vitamins, shelf, weight, cups, rating (and calories if it is
        not the target). The lesson uses ("sugars", "fiber", "protein").
    Returns a Dataset with data float64 (77, len(features)), target float64
    (77,), and names: the 77 cereal names (in the file, commas inside a name
    are written as ";").

    Missing values: the file writes -1 for an unknown value (potassium of
    Almond Delight and Cream of Wheat (Quick); carbohydrates and sugars of
    Quaker Oatmeal). They come back as NaN, never as -1. Use
    drop_incomplete_rows(dataset) to keep only complete rows.
    License CC BY-SA 3.0 (Kaggle, "80 Cereals" by Chris Crawford).
    """
    check_choice(target, CEREAL_NUMERIC_COLUMNS, "cereal column")
    if features is None:
        features = [column for column in CEREAL_NUMERIC_COLUMNS if column != target]
    features = _check_cereal_features(features, target)
    path = fetch(CEREALS, data_dir, progress)
    header, rows = _read_csv(path, delimiter=",")
    columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    table = np.array([columns[name] for name in features + (target,)],
                     dtype=np.float64).T
    table[table == -1] = np.nan
    return Dataset(data=table[:, :-1], target=table[:, -1], feature_names=features,
                   target_name=target, title="80 Cereals", license=CEREALS.license,
                   citation=CEREALS.citation, names=tuple(columns["name"]))


def _check_cereal_features(features, target):
    if isinstance(features, str):
        features = [features]
    features = tuple(features)
    if not features:
        raise ValueError("features is empty; pass at least one column name, "
                         "e.g. features=('sugars', 'fiber', 'protein').")
    for feature in features:
        check_choice(feature, CEREAL_NUMERIC_COLUMNS, "cereal column")
    if target in features:
        raise ValueError(f"{target!r} is both the target and a feature; the model "
                         f"would see the answer. Remove it from features.")
    return features


def drop_incomplete_rows(dataset):
    """Return a copy of `dataset` without the rows that hold a NaN.

    A row is kept only if its data and its target are all finite; names and
    images are filtered the same way, so they still line up with the rows.
    """
    complete = np.isfinite(dataset.data).all(axis=1)
    if np.issubdtype(dataset.target.dtype, np.floating):
        complete &= np.isfinite(dataset.target)
    names = dataset.names
    if names is not None:
        names = tuple(name for name, keep in zip(names, complete) if keep)
    images = dataset.images
    if images is not None:
        images = images[complete]
    return dataclasses.replace(dataset, data=dataset.data[complete],
                               target=dataset.target[complete], names=names,
                               images=images)


def load_digits01():
    """Handwritten 0s and 1s: 360 images of 8x8 pixels, for binary classification.

    Returns a Dataset with
        data: float64 (360, 64), pixel values 0 (white) to 16 (black), row by row;
        target: int64 (360,), the digit, 0 (178 images) or 1 (182 images);
        images: float64 (360, 8, 8), the same pixels as pictures
            (plt.imshow(dataset.images[0], cmap="gray_r"));
        feature_names: "pixel_0_0" ... "pixel_7_7" (row, column).
    The file ships inside the package (no download). It holds the 0s and 1s of
    the UCI "Optical Recognition of Handwritten Digits" test set, as bundled
    with scikit-learn; license CC BY 4.0; see DIGITS01.md for provenance.
    """
    raw = resources.files(__package__).joinpath(DIGITS01_FILE).read_bytes()
    _check_digits01(raw)
    with np.load(io.BytesIO(raw)) as arrays:
        images = arrays["images"].astype(np.float64)
        labels = arrays["labels"].astype(np.int64)
    feature_names = tuple(f"pixel_{row}_{column}" for row in range(8)
                          for column in range(8))
    return Dataset(data=images.reshape(len(images), 64), target=labels,
                   feature_names=feature_names, target_name="digit",
                   title="Handwritten digits 0 and 1", license=DIGITS01_LICENSE,
                   citation=DIGITS01_CITATION, images=images)


def _check_digits01(raw):
    actual = hashlib.sha256(raw).hexdigest()
    if actual != DIGITS01_SHA256:
        raise ChecksumError(f"The packaged {DIGITS01_FILE} is damaged: its SHA-256 is "
                            f"{actual}, expected {DIGITS01_SHA256}. Reinstall the "
                            f"course, or rebuild the file with "
                            f"scripts/make_digits01.py.")


def _read_csv(path, delimiter):
    """Return (header, rows) of a CSV file, as lists of strings."""
    with open(path, newline="", encoding="ascii") as file:
        reader = csv.reader(file, delimiter=delimiter)
        header = next(reader)
        rows = [row for row in reader if row]
    return header, rows
