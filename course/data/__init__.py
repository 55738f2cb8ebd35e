"""Data for the lessons: real datasets, made-up ones for pictures, and the tools
to split, scale and batch them.

    from course.data import load_red_wine, train_valid_split, MinMaxScaler, minibatches
    X, y, feature_names = load_red_wine()
    X_train, X_valid, y_train, y_valid = train_valid_split(X, y, train_frac=0.7, seed=0)
    scaler = MinMaxScaler().fit(X_train)
    X_train, X_valid = scaler.transform(X_train), scaler.transform(X_valid)

Real datasets (DATASETS.md lists their licenses and how to cite them):
    load_red_wine()   Red Wine Quality (UCI), downloaded once, then cached
    load_cereals()    80 Cereals (Kaggle), downloaded once, then cached
    load_digits01()   handwritten 0s and 1s, shipped with the package

Offline: set COURSE_DATA_DIR to a folder holding winequality-red.csv and
cereal.csv (see course.data.download).
"""

from course.data.datasets import (Dataset, drop_incomplete_rows, load_cereals,
                                  load_digits01, load_red_wine)
from course.data.download import (DATA_DIR_ENV, ChecksumError, DownloadError, fetch,
                                  file_sha256, get_data_dir)
from course.data.minibatches import minibatches
from course.data.registry import REGISTRY, RemoteFile
from course.data.scaling import MinMaxScaler
from course.data.splits import train_valid_split
from course.data.synthetic import (LossSurface, make_noisy_line, make_ravine,
                                   make_rosenbrock, make_two_blobs, ravine,
                                   ravine_gradient, rosenbrock, rosenbrock_gradient)

__all__ = [
    "ChecksumError", "DATA_DIR_ENV", "Dataset", "DownloadError", "LossSurface",
    "MinMaxScaler", "REGISTRY", "RemoteFile", "drop_incomplete_rows", "fetch",
    "file_sha256", "get_data_dir", "load_cereals", "load_digits01", "load_red_wine",
    "make_noisy_line", "make_ravine", "make_rosenbrock", "make_two_blobs",
    "minibatches", "ravine", "ravine_gradient", "rosenbrock", "rosenbrock_gradient",
    "train_valid_split",
]
