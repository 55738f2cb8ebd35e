"""Hold some examples back: a training part to learn from, a validation part to judge.

    X_train, X_valid, y_train, y_valid = train_valid_split(X, y, train_frac=0.7, seed=0)

The model never trains on the validation part, so its loss there tells you how
well it does on examples it has not seen.
"""

import numpy as np

from course.data._checks import as_number, as_rows, check_seed


def train_valid_split(X, y, train_frac=0.7, seed=0, shuffle=True):
    """Shuffle the rows, then cut them into a training and a validation part.

    X: array of shape (n, ...), one row per example; y: array of shape (n, ...).
    train_frac: the share of rows for training, between 0 and 1; the training
        part gets round(train_frac * n) rows and validation the rest.
    seed: a whole number >= 0; the same seed always picks the same rows
        (None: different rows on every call).
    shuffle: False keeps the rows in their order: the first ones train and
        the last ones validate, as Keras's fit(validation_split=...) does.
    Returns X_train, X_valid, y_train, y_valid (scikit-learn's order).
    """
    X, y = as_rows(X, y)
    train_frac = as_number(train_frac, "train_frac")
    check_seed(seed)
    if not 0 < train_frac < 1:
        raise ValueError(f"train_frac is the share of rows for training and must lie "
                         f"strictly between 0 and 1, not {train_frac}.")
    n = len(X)
    n_train = int(round(train_frac * n))
    if n_train == 0 or n_train == n:
        raise ValueError(f"With {n} examples, train_frac={train_frac} leaves "
                         f"{n_train} for training and {n - n_train} for validation; "
                         f"both need at least one. Use more examples or a "
                         f"train_frac nearer 0.5.")
    if not shuffle:
        return X[:n_train], X[n_train:], y[:n_train], y[n_train:]
    order = np.random.default_rng(seed).permutation(n)
    train, valid = order[:n_train], order[n_train:]
    return X[train], X[valid], y[train], y[valid]
