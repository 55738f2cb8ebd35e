"""Metrics: accuracy and the regression errors that fit reports."""

import numpy as np
import pytest

from course import losses, metrics


def test_binary_accuracy_counts_predictions_on_the_right_side_of_one_half():
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]])
    y_pred = np.array([[0.9], [0.2], [0.4], [0.7]])      # right, right, wrong, wrong
    assert metrics.binary_accuracy(y_true, y_pred) == 0.5


def test_binary_accuracy_with_threshold_zero_reads_logits():
    y_true = np.array([1.0, 0.0, 1.0])
    logits = np.array([0.3, -2.0, -0.1])                  # right, right, wrong
    assert metrics.binary_accuracy(y_true, logits, threshold=0.0) == pytest.approx(2 / 3)


def test_categorical_accuracy_compares_the_most_likely_class():
    y_true = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]])
    y_pred = np.array([[0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
    assert metrics.categorical_accuracy(y_true, y_pred) == pytest.approx(2 / 3)


def test_accuracy_is_binary_for_one_output_and_categorical_for_several():
    accuracy = metrics.get("accuracy")
    assert accuracy(np.array([[1.0], [0.0]]), np.array([[0.6], [0.6]])) == 0.5
    assert accuracy(np.eye(2), np.array([[0.9, 0.1], [0.8, 0.2]])) == 0.5


def test_accuracy_refuses_targets_that_would_broadcast():
    with pytest.raises(ValueError, match=r"y_true has shape \(3,\) and y_pred has shape \(3, 1\)"):
        metrics.binary_accuracy(np.zeros(3), np.zeros((3, 1)))


def test_mae_and_mse_metrics_are_the_losses():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.normal(size=(8, 1)), rng.normal(size=(8, 1))
    assert metrics.get("mae")(y_true, y_pred) == losses.mae(y_true, y_pred)
    assert metrics.get("mean_squared_error")(y_true, y_pred) == losses.mse(y_true, y_pred)


@pytest.mark.parametrize("name", ["accuracy", "acc", "binary_accuracy", "mae",
                                  "mean_absolute_error", "mse", "categorical_accuracy"])
def test_a_metric_is_reported_under_the_name_it_was_given(name):
    assert metrics.get(name).name == name


def test_your_own_metric_function_is_reported_under_its_name():
    def largest_error(y_true, y_pred):
        return np.max(np.abs(y_true - y_pred))

    metric = metrics.get(largest_error)
    assert metric.name == "largest_error"
    assert metric(np.array([1.0, 2.0]), np.array([1.5, 4.0])) == 2.0


def test_accuracy_thresholds_logits_at_zero_when_the_loss_takes_logits():
    y_true = np.array([[1.0], [0.0]])
    logits = np.array([[0.2], [-0.2]])                    # both right if read as logits
    from_logits = metrics.get("accuracy", losses.BinaryCrossentropy(from_logits=True))
    from_probabilities = metrics.get("accuracy", losses.BinaryCrossentropy())
    assert from_logits(y_true, logits) == 1.0
    assert from_probabilities(y_true, logits) == 0.5


def test_an_unknown_metric_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown metric 'accuracyy'. Known: .*'accuracy'.*'mae'"):
        metrics.get("accuracyy")


def test_something_that_is_not_a_metric_is_a_clear_error():
    with pytest.raises(ValueError, match="Cannot use 3 as a metric"):
        metrics.get(3)


def test_accuracy_is_categorical_from_two_outputs_on():
    # Read per output with a 0.5 threshold these would score 0.5; by the most
    # likely class both examples are right.
    accuracy = metrics.get("accuracy")
    assert accuracy(np.eye(2), np.array([[0.4, 0.3], [0.2, 0.3]])) == 1.0


def test_binary_accuracy_also_thresholds_logits_at_zero_when_the_loss_takes_logits():
    y_true = np.array([[1.0], [0.0]])
    logits = np.array([[0.2], [-0.2]])
    from_logits = metrics.get("binary_accuracy", losses.BinaryCrossentropy(from_logits=True))
    from_probabilities = metrics.get("binary_accuracy", losses.BinaryCrossentropy())
    assert from_logits(y_true, logits) == 1.0
    assert from_probabilities(y_true, logits) == 0.5
