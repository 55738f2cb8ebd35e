"""Min-max scaling: put every feature on the same 0-to-1 scale.

    scaler = MinMaxScaler().fit(X_train)        # learn min and max from training rows only
    X_train01 = scaler.transform(X_train)       # each column now spans 0..1
    X_valid01 = scaler.transform(X_valid)       # same formula; may fall a bit outside 0..1

Fit on the training part only. Fitting on validation rows too would let the
model peek at them through their minimum and maximum.
"""

import numpy as np

from course.validation import as_float_array, check_finite


class MinMaxScaler:
    """x_scaled = (x - data_min) / (data_max - data_min), column by column.

    fit(X) learns data_min and data_max, arrays of shape (d,), from X of
    shape (n, d) (or (n,) for one feature, giving shape ()). A column whose
    values are all equal has range 0; it is divided by 1 instead, so it
    becomes all zeros rather than NaN.
    """

    def __init__(self):
        self.data_min = None
        self.data_max = None

    def fit(self, X):
        """Learn each column's minimum and maximum from X; returns the scaler."""
        X = self._checked(X, "X")
        if len(X) == 0:
            raise ValueError("X has no rows; fit the scaler on at least one example.")
        self.data_min = X.min(axis=0)
        self.data_max = X.max(axis=0)
        return self

    def transform(self, X):
        """Scale X with the minimum and maximum learned by fit; same shape as X."""
        X = self._checked(X, "X")
        self._check_fitted(X)
        return (X - self.data_min) / self._range()

    def fit_transform(self, X):
        """fit(X), then transform(X)."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X_scaled):
        """Undo transform: x = x_scaled * (data_max - data_min) + data_min."""
        X_scaled = self._checked(X_scaled, "X_scaled")
        self._check_fitted(X_scaled)
        return X_scaled * self._range() + self.data_min

    def _range(self):
        spread = self.data_max - self.data_min
        return np.where(spread == 0, 1.0, spread)

    @staticmethod
    def _checked(X, name):
        X = as_float_array(X, name)
        if X.ndim not in (1, 2):
            raise ValueError(f"{name} must be (n,) or (n, features), not shape {X.shape}.")
        check_finite(X, name)
        return X

    def _check_fitted(self, X):
        if self.data_min is None:
            raise RuntimeError("This MinMaxScaler is not fitted yet; call "
                               "scaler.fit(X_train) first.")
        if X.shape[1:] != self.data_min.shape:
            raise ValueError(f"The scaler was fitted on rows of shape "
                             f"{self.data_min.shape} but got rows of shape "
                             f"{X.shape[1:]}; pass the same columns as in fit.")
