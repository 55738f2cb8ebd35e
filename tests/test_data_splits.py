"""Splitting, scaling and minibatches: every row accounted for, no peeking at validation."""

import numpy as np
import pytest

from course.data import MinMaxScaler, minibatches, train_valid_split


def numbered_rows(n):
    """X whose first column is the row number, and y = 10 * that number."""
    X = np.column_stack([np.arange(n), np.arange(n) ** 2]).astype(float)
    return X, 10 * np.arange(n)


def test_split_is_a_shuffled_partition_with_rows_kept_aligned():
    X, y = numbered_rows(10)
    X_train, X_valid, y_train, y_valid = train_valid_split(X, y, train_frac=0.7, seed=0)
    assert len(X_train) == len(y_train) == 7 and len(X_valid) == len(y_valid) == 3
    rows = np.concatenate([X_train[:, 0], X_valid[:, 0]])
    assert sorted(rows.tolist()) == list(range(10))
    np.testing.assert_array_equal(y_train, 10 * X_train[:, 0])
    np.testing.assert_array_equal(y_valid, 10 * X_valid[:, 0])
    assert rows.tolist() != list(range(10))


def test_split_repeats_with_a_seed_and_changes_with_another():
    X, y = numbered_rows(50)
    first = train_valid_split(X, y, seed=4)
    again = train_valid_split(X, y, seed=4)
    other = train_valid_split(X, y, seed=5)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


def test_split_bad_arguments_are_clear_errors():
    X, y = numbered_rows(10)
    with pytest.raises(ValueError, match="X has 10 examples .* y has 9"):
        train_valid_split(X, y[:9])
    for fraction in (0, 1, 1.5, -0.2):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            train_valid_split(X, y, train_frac=fraction)
    with pytest.raises(ValueError, match="both need at least one"):
        train_valid_split(X[:2], y[:2], train_frac=0.9)


def test_scaler_learns_only_from_the_training_rows():
    X, _ = numbered_rows(30)
    X_train, X_valid = X[5:25], X[[0, 2, 29]]  # validation holds both extremes
    scaler = MinMaxScaler().fit(X_train)
    np.testing.assert_array_equal(scaler.data_min, X_train.min(axis=0))
    np.testing.assert_array_equal(scaler.data_max, X_train.max(axis=0))
    assert (scaler.data_min > X.min(axis=0)).all() and (scaler.data_max < X.max(axis=0)).all()
    learned = scaler.data_min.copy(), scaler.data_max.copy()
    scaled_valid = scaler.transform(X_valid)
    np.testing.assert_array_equal(scaler.data_min, learned[0])
    np.testing.assert_array_equal(scaler.data_max, learned[1])
    # Validation extremes show up outside 0..1 instead of stretching the scale.
    assert (scaled_valid[0] < 0).all() and (scaled_valid[2] > 1).all()


def test_scaled_training_columns_span_exactly_zero_to_one():
    X, _ = numbered_rows(15)
    scaled = MinMaxScaler().fit_transform(X + 3.0)
    np.testing.assert_array_equal(scaled.min(axis=0), [0.0, 0.0])
    np.testing.assert_array_equal(scaled.max(axis=0), [1.0, 1.0])
    np.testing.assert_allclose(scaled[:, 0], np.arange(15) / 14)


def test_inverse_transform_undoes_transform():
    X = np.random.default_rng(0).normal(size=(30, 4)) * [1, 10, 100, 1000]
    scaler = MinMaxScaler().fit(X)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X)), X)


def test_constant_column_scales_to_zeros_not_nan():
    X = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 3.0]])
    scaled = MinMaxScaler().fit_transform(X)
    np.testing.assert_array_equal(scaled[:, 0], [0.0, 0.0, 0.0])


def test_scaler_works_on_one_feature_given_as_a_vector():
    scaler = MinMaxScaler().fit([2.0, 4.0, 6.0])
    np.testing.assert_array_equal(scaler.transform([4.0, 8.0]), [0.5, 1.5])


def test_scaler_misuse_is_a_clear_error():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        MinMaxScaler().transform([[1.0]])
    with pytest.raises(ValueError, match="NaN"):
        MinMaxScaler().fit([[1.0, np.nan], [2.0, 3.0]])
    scaler = MinMaxScaler().fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"fitted on rows of shape \(3,\)"):
        scaler.transform(np.ones((4, 2)))
    with pytest.raises(ValueError, match="no rows"):
        MinMaxScaler().fit(np.ones((0, 3)))


def test_each_epoch_visits_every_row_exactly_once():
    X, y = numbered_rows(103)
    for epoch in range(3):
        seen = [X_batch[:, 0] for X_batch, _ in minibatches(X, y, 16, seed=0, epoch=epoch)]
        assert sorted(np.concatenate(seen).tolist()) == list(range(103))


def test_last_partial_batch_is_kept():
    X, y = numbered_rows(10)
    sizes = [len(X_batch) for X_batch, _ in minibatches(X, y, batch_size=4)]
    assert sizes == [4, 4, 2]
    assert [len(X_batch) for X_batch, _ in minibatches(X, y, batch_size=32)] == [10]


def test_batches_keep_inputs_and_targets_aligned():
    X, y = numbered_rows(37)
    for X_batch, y_batch in minibatches(X, y, batch_size=5, seed=3):
        np.testing.assert_array_equal(y_batch, 10 * X_batch[:, 0])


def order(X, y, **kwargs):
    return np.concatenate([X_batch[:, 0] for X_batch, _ in minibatches(X, y, 8, **kwargs)])


def test_epochs_shuffle_differently_and_a_seed_repeats_them():
    X, y = numbered_rows(50)
    epoch0, epoch1 = order(X, y, seed=0, epoch=0), order(X, y, seed=0, epoch=1)
    assert not np.array_equal(epoch0, epoch1)
    np.testing.assert_array_equal(epoch1, order(X, y, seed=0, epoch=1))
    assert not np.array_equal(epoch0, order(X, y, seed=1, epoch=0))
    assert not np.array_equal(order(X, y, seed=None), order(X, y, seed=None))


def test_without_shuffle_batches_follow_the_stored_order():
    X, y = numbered_rows(20)
    np.testing.assert_array_equal(order(X, y, shuffle=False), np.arange(20))


def test_minibatch_mistakes_are_reported_when_called_not_later():
    X, y = numbered_rows(10)
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1"):
        minibatches(X, y, batch_size=0)
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(X, y, batch_size=2.5)
    with pytest.raises(ValueError, match="X has 10 examples .* y has 3"):
        minibatches(X, y[:3], batch_size=2)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_a_seed_that_is_not_a_whole_number_is_a_clear_error(seed):
    X, y = numbered_rows(10)
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0, not"):
        minibatches(X, y, seed=seed)
    with pytest.raises(ValueError, match=r"seed must be a whole number >= 0, not"):
        train_valid_split(X, y, seed=seed)


def test_minibatches_epoch_must_be_a_whole_number():
    X, y = numbered_rows(10)
    with pytest.raises(ValueError, match=r"epoch must be a whole number >= 0, not -1"):
        minibatches(X, y, epoch=-1)


def test_train_frac_must_be_a_number():
    X, y = numbered_rows(10)
    with pytest.raises(ValueError, match=r"train_frac must be a finite number, not '70%'"):
        train_valid_split(X, y, train_frac="70%")


def test_split_without_a_seed_picks_fresh_rows_each_call():
    X, y = numbered_rows(40)
    first, second = train_valid_split(X, y, seed=None)[0], train_valid_split(X, y, seed=None)[0]
    assert len(first) == len(second) == 28
    assert not np.array_equal(first, second)


def test_a_generator_draws_the_order_as_fit_does():
    X, y = numbered_rows(30)
    drawn = order(X, y, seed=np.random.default_rng(5))
    np.testing.assert_array_equal(drawn, np.random.default_rng(5).permutation(30))


def test_shuffled_batches_are_copies_and_the_data_stays_as_it_was():
    X, y = numbered_rows(12)
    for X_batch, _ in minibatches(X, y, batch_size=5, seed=0):
        X_batch[:] = -1
    np.testing.assert_array_equal(X[:, 0], np.arange(12))


def test_a_split_without_shuffle_keeps_the_first_rows_for_training():
    X, y = numbered_rows(10)
    X_train, X_valid, y_train, y_valid = train_valid_split(X, y, train_frac=0.8, shuffle=False)
    np.testing.assert_array_equal(X_train[:, 0], np.arange(8))
    np.testing.assert_array_equal(X_valid[:, 0], [8, 9])
    np.testing.assert_array_equal(y_valid, 10 * X_valid[:, 0])
