"""Losses: values, gradients against finite differences and PyTorch, bad input."""

import numpy as np
import pytest

from course import losses
from course.gradcheck import check_gradient

# Cost functions with their gradient and the keyword arguments to try them with.
COSTS = [
    (losses.mae, losses.mae_gradient, {}),
    (losses.mse, losses.mse_gradient, {}),
    (losses.l1_norm, losses.l1_norm_gradient, {}),
    (losses.l2_norm, losses.l2_norm_gradient, {}),
    (losses.huber, losses.huber_gradient, {}),
    (losses.huber, losses.huber_gradient, {"delta": 2.5}),
    (losses.binary_crossentropy, losses.binary_crossentropy_gradient, {}),
    (losses.binary_crossentropy, losses.binary_crossentropy_gradient,
     {"from_logits": True}),
]
COST_IDS = ["mae", "mse", "l1_norm", "l2_norm", "huber", "huber_delta_2.5", "bce",
            "bce_from_logits"]


def labels_and_predictions(shape, cost, options):
    """A valid (y_true, y_pred) pair in float64, away from every kink.

    Targets are labels in [0, 1] (valid for every loss). Predictions sit at
    least 0.1 away from the target, so the eps = 1e-6 steps never cross the
    kink of |e| at e = 0 (MAE, L1); for probabilities they stay in
    [0.05, 0.95], far from the clip edges 1e-7 and 1 - 1e-7 where the BCE
    gradient jumps to 0. The same shape always gives the same arrays.
    """
    rng = np.random.default_rng(7)
    y_true = rng.integers(0, 2, size=shape).astype(float)
    if cost is losses.binary_crossentropy:
        if options.get("from_logits"):
            return y_true, rng.uniform(-4, 4, size=shape)
        return y_true, rng.uniform(0.05, 0.95, size=shape)
    offset = rng.uniform(0.1, 3.0, size=shape) * rng.choice([-1, 1], size=shape)
    return y_true, y_true + offset


# --- Gradients agree with finite differences (float64) ------------------------

@pytest.mark.parametrize("shape", [(6,), (4, 3)])
@pytest.mark.parametrize("cost, gradient, options", COSTS, ids=COST_IDS)
def test_gradient_matches_finite_differences(cost, gradient, options, shape):
    y_true, y_pred = labels_and_predictions(shape, cost, options)
    error = check_gradient(lambda p: cost(y_true, p, **options),
                           lambda p: gradient(y_true, p, **options), y_pred)
    assert error < 1e-6


@pytest.mark.parametrize("delta", [1.0, 0.5])
def test_huber_gradient_matches_on_both_sides_of_delta(delta):
    # Errors 0.2 below and 0.2 above delta on both signs, never on |e| = delta
    # itself, where the second derivative jumps.
    y_true = np.zeros(8)
    errors = np.array([delta - 0.2, delta + 0.2, 3 * delta, 0.1])
    y_pred = np.concatenate([errors, -errors])
    quadratic = np.abs(y_pred) < delta
    assert quadratic.any() and (~quadratic).any()
    error = check_gradient(lambda p: losses.huber(y_true, p, delta),
                           lambda p: losses.huber_gradient(y_true, p, delta), y_pred)
    assert error < 1e-6


def test_bce_gradient_matches_with_soft_labels():
    y_true = np.array([0.0, 0.25, 0.5, 0.9, 1.0])
    y_pred = np.array([0.3, 0.6, 0.2, 0.7, 0.4])
    for options in ({}, {"from_logits": True}):
        error = check_gradient(
            lambda p: losses.binary_crossentropy(y_true, p, **options),
            lambda p: losses.binary_crossentropy_gradient(y_true, p, **options), y_pred)
        assert error < 1e-6


def test_sigmoid_cross_entropy_gradient_matches_finite_differences():
    labels = np.array([0.0, 1.0, 1.0, 0.0, 0.5])
    logits = np.array([-3.0, -0.5, 2.0, 4.0, 0.3])
    error = check_gradient(
        lambda z: np.sum(losses.sigmoid_cross_entropy_with_logits(labels=labels, logits=z)),
        lambda z: losses.sigmoid_cross_entropy_with_logits_gradient(labels=labels, logits=z),
        logits)
    assert error < 1e-6


def test_reduce_mean_gradient_matches_finite_differences():
    x = np.random.default_rng(0).normal(size=(3, 4))
    assert check_gradient(losses.reduce_mean, losses.reduce_mean_gradient, x) < 1e-6


# --- Values follow their formulas ---------------------------------------------

def test_values_follow_the_formulas_on_a_small_example():
    y_true = np.array([0.0, 1.0, 2.0])
    y_pred = np.array([0.5, -1.0, 2.0])           # errors 0.5, -2, 0
    assert losses.mae(y_true, y_pred) == pytest.approx((0.5 + 2) / 3)
    assert losses.mse(y_true, y_pred) == pytest.approx((0.25 + 4) / 3)
    assert losses.l1_norm(y_true, y_pred) == pytest.approx(2.5)
    assert losses.l2_norm(y_true, y_pred) == pytest.approx(4.25)
    # Huber, delta = 1: 0.5 * 0.5**2 inside, 1 * (2 - 0.5) outside, 0.
    assert losses.huber(y_true, y_pred) == pytest.approx((0.125 + 1.5) / 3)


def test_binary_crossentropy_is_minus_log_of_the_probability_of_the_true_class():
    y_true = np.array([1.0, 0.0])
    y_pred = np.array([0.8, 0.1])
    expected = -(np.log(0.8) + np.log(0.9)) / 2
    assert losses.binary_crossentropy(y_true, y_pred) == pytest.approx(expected)
    logits = np.log(y_pred / (1 - y_pred))        # sigmoid(logits) == y_pred
    assert losses.binary_crossentropy(y_true, logits, from_logits=True) == \
        pytest.approx(expected)


def test_sigmoid_cross_entropy_matches_the_naive_formula_where_that_is_safe():
    labels = np.array([0.0, 1.0, 0.3])
    logits = np.array([-2.0, 0.7, 3.0])
    p = 1 / (1 + np.exp(-logits))
    naive = -(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    np.testing.assert_allclose(
        losses.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits), naive,
        rtol=1e-12)


@pytest.mark.parametrize("cost, gradient, options", COSTS, ids=COST_IDS)
def test_reductions_agree_with_each_other(cost, gradient, options):
    y_true, y_pred = labels_and_predictions((5, 3), cost, options)
    per_example = cost(y_true, y_pred, reduction="none", **options)
    assert per_example.shape == (5,)
    assert cost(y_true, y_pred, reduction="mean", **options) == \
        pytest.approx(per_example.mean())
    assert cost(y_true, y_pred, reduction="sum", **options) == \
        pytest.approx(per_example.sum())
    # One example at a time gives the same loss for that example.
    for i in range(5):
        alone = cost(y_true[i:i + 1], y_pred[i:i + 1], reduction="none", **options)
        assert alone == pytest.approx(per_example[i:i + 1])


def test_per_example_loss_of_2d_input_is_the_mean_over_the_last_axis():
    y_true = np.array([[0.0, 0.0], [1.0, 1.0]])
    y_pred = np.array([[1.0, 3.0], [1.0, 2.0]])
    np.testing.assert_allclose(losses.mae(y_true, y_pred, reduction="none"), [2.0, 0.5])
    np.testing.assert_allclose(losses.mse(y_true, y_pred, reduction="none"), [5.0, 0.5])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_per_example_loss_of_one_column_is_that_column(dtype):
    y_true = np.zeros((3, 1), dtype=dtype)
    y_pred = np.array([[1.0], [-2.0], [0.5]], dtype=dtype)
    per_example = losses.mse(y_true, y_pred, reduction="none")
    assert per_example.shape == (3,) and per_example.dtype == dtype
    np.testing.assert_array_equal(per_example, [1.0, 4.0, 0.25])


def test_norms_are_sums_by_default_and_per_example_sums():
    y_true = np.array([[0.0, 0.0], [1.0, 1.0]])
    y_pred = np.array([[1.0, 3.0], [1.0, 2.0]])
    assert losses.l1_norm(y_true, y_pred) == pytest.approx(5.0)
    assert losses.l2_norm(y_true, y_pred) == pytest.approx(11.0)
    np.testing.assert_allclose(losses.l1_norm(y_true, y_pred, reduction="none"), [4.0, 1.0])
    assert losses.l2_norm(y_true, y_pred, reduction="mean") == pytest.approx(5.5)


def test_mae_gradient_is_zero_where_prediction_equals_target():
    assert losses.mae_gradient(np.array([1.0, 2.0]), np.array([1.0, 3.0]))[0] == 0


def test_bce_clips_probabilities_as_keras_and_stops_the_gradient_there():
    # p = 0 for a positive example costs -log(1e-7), not infinity (PyTorch: 100).
    assert losses.binary_crossentropy([1.0], [0.0]) == pytest.approx(-np.log(1e-7))
    assert losses.binary_crossentropy([0.0], [1.0]) == pytest.approx(-np.log(1e-7),
                                                                     rel=1e-6)
    np.testing.assert_array_equal(
        losses.binary_crossentropy_gradient([1.0, 0.0], [0.0, 1.0]), [0.0, 0.0])


# --- Numerical stability and float types ------------------------------------

@pytest.mark.filterwarnings("error")
def test_bce_from_logits_is_finite_and_correct_at_plus_minus_1000():
    labels = np.array([1.0, 0.0, 1.0, 0.0])
    logits = np.array([1000.0, -1000.0, -1000.0, 1000.0])
    # Right with full confidence costs 0; wrong costs |z| = 1000.
    np.testing.assert_allclose(
        losses.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits),
        [0.0, 0.0, 1000.0, 1000.0])
    assert losses.binary_crossentropy(labels, logits, from_logits=True) == \
        pytest.approx(500.0)
    np.testing.assert_allclose(
        losses.binary_crossentropy_gradient(labels, logits, from_logits=True),
        np.array([0.0, 0.0, -1.0, 1.0]) / 4)
    float32 = losses.binary_crossentropy_gradient(labels.astype(np.float32),
                                                  logits.astype(np.float32),
                                                  from_logits=True)
    assert np.all(np.isfinite(float32))


def test_huge_finite_logits_are_accepted_even_when_their_sum_overflows():
    labels = np.ones(2, dtype=np.float32)
    logits = np.full(2, 3e38, dtype=np.float32)     # their sum is inf in float32
    with np.errstate(over="ignore"):
        assert losses.binary_crossentropy(labels, logits, from_logits=True) == 0.0
        value, grad = losses.binary_crossentropy_value_and_gradient(labels, logits,
                                                                    from_logits=True)
    assert value == 0.0
    np.testing.assert_array_equal(grad, [0.0, 0.0])


@pytest.mark.parametrize("cost, gradient, options", COSTS, ids=COST_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_results_keep_the_float_type_of_y_pred(cost, gradient, options, dtype):
    y_true, y_pred = labels_and_predictions((4, 2), cost, options)
    y_pred = y_pred.astype(dtype)
    assert isinstance(cost(y_true, y_pred, **options), float)
    assert cost(y_true, y_pred, reduction="none", **options).dtype == dtype
    grad = gradient(y_true, y_pred, **options)
    assert grad.dtype == dtype and grad.shape == y_pred.shape


def test_integer_lists_are_accepted_as_float64():
    assert losses.mse([1, 2], [1, 4]) == 2.0
    assert losses.mse_gradient([1, 2], [1, 4]).dtype == np.float64


# --- Value and gradient together --------------------------------------------------

VALUE_AND_GRADIENT = [
    (losses.mae_value_and_gradient, losses.mae, losses.mae_gradient, {}),
    (losses.mse_value_and_gradient, losses.mse, losses.mse_gradient, {}),
    (losses.huber_value_and_gradient, losses.huber, losses.huber_gradient, {}),
    (losses.huber_value_and_gradient, losses.huber, losses.huber_gradient, {"delta": 0.3}),
    (losses.binary_crossentropy_value_and_gradient, losses.binary_crossentropy,
     losses.binary_crossentropy_gradient, {}),
    (losses.binary_crossentropy_value_and_gradient, losses.binary_crossentropy,
     losses.binary_crossentropy_gradient, {"from_logits": True}),
]
VALUE_AND_GRADIENT_IDS = ["mae", "mse", "huber", "huber_delta_0.3", "bce", "bce_from_logits"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(7,), (7, 1), (5, 3)])
@pytest.mark.parametrize("both, cost, gradient, options", VALUE_AND_GRADIENT,
                         ids=VALUE_AND_GRADIENT_IDS)
def test_value_and_gradient_gives_exactly_the_cost_and_the_gradient(both, cost, gradient,
                                                                    options, shape, dtype):
    y_true, y_pred = labels_and_predictions(shape, cost, options)
    y_pred = y_pred.astype(dtype)
    value, grad = both(y_true, y_pred, **options)
    assert type(value) is float and value == cost(y_true, y_pred, **options)
    assert grad.dtype == dtype
    np.testing.assert_array_equal(grad, gradient(y_true, y_pred, **options))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_value_and_gradient_agree_at_the_kinks_and_the_clip_edges(dtype):
    y_true = np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])
    errors = np.array([0.0, 1e-7, 1.0, -1.0, 2.5, -3.0], dtype=dtype)   # MAE, Huber kinks
    for both, cost, gradient, _ in VALUE_AND_GRADIENT[:3]:
        value, grad = both(y_true, y_true + errors)
        assert value == cost(y_true, y_true + errors)
        np.testing.assert_array_equal(grad, gradient(y_true, y_true + errors))
    # Probabilities on, inside and outside Keras's clip to [1e-7, 1 - 1e-7].
    p = np.array([0.0, 1e-8, 1e-7, 1 - 1e-7, 1 - 1e-8, 1.0], dtype=dtype)
    value, grad = losses.binary_crossentropy_value_and_gradient(y_true, p)
    assert value == losses.binary_crossentropy(y_true, p)
    np.testing.assert_array_equal(grad, losses.binary_crossentropy_gradient(y_true, p))


@pytest.mark.parametrize("both, cost, gradient, options", VALUE_AND_GRADIENT,
                         ids=VALUE_AND_GRADIENT_IDS)
def test_value_and_gradient_refuses_what_the_cost_refuses(both, cost, gradient, options):
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(3, 1\).*ravel"):
        both(np.array([0.0, 1.0, 1.0]), np.array([[0.2], [0.6], [0.7]]), **options)
    with pytest.raises(ValueError, match="y_pred contains 1 NaN .*index 1"):
        both([0.0, 1.0], [0.5, np.nan], **options)
    with pytest.raises(ValueError, match="y_true contains 0 NaN and 1 infinite .*index 0"):
        both([np.inf, 1.0], [0.5, 0.5], **options)


def test_bce_value_and_gradient_refuses_bad_labels_and_probabilities():
    both = losses.binary_crossentropy_value_and_gradient
    with pytest.raises(ValueError, match="between 0 and 1.*from 0 to 2"):
        both([0.0, 2.0], [0.5, 0.5])
    with pytest.raises(ValueError, match="probabilities.*from_logits=True"):
        both([0.0, 1.0], [-2.0, 3.0])


# --- Bad input ------------------------------------------------------------------

@pytest.mark.parametrize("cost, gradient, options", COSTS, ids=COST_IDS)
def test_column_predictions_against_flat_targets_are_refused(cost, gradient, options):
    y_true = np.array([0.0, 1.0, 1.0])
    y_pred = np.array([[0.2], [0.6], [0.7]])
    for function in (cost, gradient):
        with pytest.raises(ValueError, match=r"shape \(3,\).*\(3, 1\).*ravel"):
            function(y_true, y_pred, **options)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("cost, gradient, options", COSTS, ids=COST_IDS)
def test_nan_or_inf_in_either_input_is_refused(cost, gradient, options, bad):
    good = np.array([0.0, 1.0, 0.5])
    with_bad = np.array([0.0, bad, 0.5])
    for function in (cost, gradient):
        with pytest.raises(ValueError, match="y_pred contains .*index 1"):
            function(good, with_bad, **options)
        with pytest.raises(ValueError, match="y_true contains .*index 1"):
            function(with_bad, good, **options)


@pytest.mark.parametrize("from_logits", [False, True])
def test_bce_refuses_labels_outside_0_and_1(from_logits):
    for function in (losses.binary_crossentropy, losses.binary_crossentropy_gradient):
        with pytest.raises(ValueError, match="between 0 and 1.*from -1 to 1"):
            function([-1.0, 1.0], [0.5, 0.5], from_logits=from_logits)
        with pytest.raises(ValueError, match="between 0 and 1.*from 0 to 2"):
            function([0.0, 2.0], [0.5, 0.5], from_logits=from_logits)
    with pytest.raises(ValueError, match="labels must hold labels between 0 and 1"):
        losses.sigmoid_cross_entropy_with_logits(labels=[2.0], logits=[0.5])


def test_bce_refuses_probabilities_outside_0_and_1_and_suggests_from_logits():
    for function in (losses.binary_crossentropy, losses.binary_crossentropy_gradient):
        with pytest.raises(ValueError, match="probabilities.*from_logits=True"):
            function([0.0, 1.0], [-2.0, 3.0])


def test_unknown_reduction_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown reduction 'average'.*'mean'.*'none'.*'sum'"):
        losses.mse([1.0], [2.0], reduction="average")


@pytest.mark.parametrize("delta", [0, -1.0, np.inf, "one"])
def test_huber_refuses_a_delta_that_is_not_positive(delta):
    with pytest.raises(ValueError, match="delta must be a positive number"):
        losses.huber([1.0], [2.0], delta=delta)
    with pytest.raises(ValueError, match="delta must be a positive number"):
        losses.Huber(delta)


def test_empty_and_scalar_inputs_are_refused():
    with pytest.raises(ValueError, match="empty"):
        losses.mse([], [])
    with pytest.raises(ValueError, match="single number"):
        losses.mse(1.0, 2.0)
    with pytest.raises(TypeError, match="must hold numbers"):
        losses.mse(["a"], ["b"])


# --- Loss objects and get ------------------------------------------------------

LOSS_CLASSES = [
    (losses.MeanAbsoluteError(), losses.mae, losses.mae_gradient, {}),
    (losses.MeanSquaredError(), losses.mse, losses.mse_gradient, {}),
    (losses.Huber(delta=0.7), losses.huber, losses.huber_gradient, {"delta": 0.7}),
    (losses.BinaryCrossentropy(), losses.binary_crossentropy,
     losses.binary_crossentropy_gradient, {}),
    (losses.BinaryCrossentropy(from_logits=True), losses.binary_crossentropy,
     losses.binary_crossentropy_gradient, {"from_logits": True}),
]


@pytest.mark.parametrize("loss, cost, gradient, options", LOSS_CLASSES,
                         ids=[repr(case[0]) for case in LOSS_CLASSES])
def test_loss_object_gives_the_cost_per_example_losses_and_gradient(loss, cost, gradient,
                                                                    options):
    y_true, y_pred = labels_and_predictions((6, 1), cost, options)
    assert loss(y_true, y_pred) == cost(y_true, y_pred, **options)
    np.testing.assert_array_equal(loss.per_example(y_true, y_pred),
                                  cost(y_true, y_pred, reduction="none", **options))
    np.testing.assert_array_equal(loss.gradient(y_true, y_pred),
                                  gradient(y_true, y_pred, **options))


@pytest.mark.parametrize("alias, cls, name", [
    ("mae", losses.MeanAbsoluteError, "mean_absolute_error"),
    ("mean_absolute_error", losses.MeanAbsoluteError, "mean_absolute_error"),
    ("mse", losses.MeanSquaredError, "mean_squared_error"),
    ("mean_squared_error", losses.MeanSquaredError, "mean_squared_error"),
    ("huber", losses.Huber, "huber_loss"),
    ("binary_crossentropy", losses.BinaryCrossentropy, "binary_crossentropy"),
    ("bce", losses.BinaryCrossentropy, "binary_crossentropy"),
])
def test_get_turns_keras_aliases_into_new_loss_objects(alias, cls, name):
    loss = losses.get(alias)
    assert type(loss) is cls and loss.name == name
    assert losses.get(alias) is not loss


def test_get_finds_names_in_any_case_as_optimizers_get_does():
    assert type(losses.get("MSE")) is losses.MeanSquaredError
    assert type(losses.get("Binary_Crossentropy")) is losses.BinaryCrossentropy


def test_get_turns_functions_and_classes_into_loss_objects_with_defaults():
    assert type(losses.get(losses.mse)) is losses.MeanSquaredError
    assert type(losses.get(losses.Huber)) is losses.Huber
    assert losses.get("huber").delta == 1.0
    assert losses.get("bce").from_logits is False


def test_get_returns_your_own_loss_object_as_is():
    class Quartic(losses.Loss):
        name = "quartic"

        def per_example(self, y_true, y_pred):
            return (np.asarray(y_pred) - y_true) ** 4

        def gradient(self, y_true, y_pred):
            return 4 * (np.asarray(y_pred) - y_true) ** 3 / np.size(y_pred)

    mine = Quartic()
    assert losses.get(mine) is mine
    assert mine([0.0, 0.0], [1.0, 2.0]) == pytest.approx(8.5)   # (1 + 16) / 2
    y_true = np.zeros(3)
    assert check_gradient(lambda p: mine(y_true, p), lambda p: mine.gradient(y_true, p),
                          np.array([0.5, -1.0, 2.0])) < 1e-6

    class Duck:
        def __call__(self, y_true, y_pred):
            return 0.0

        def gradient(self, y_true, y_pred):
            return np.zeros_like(y_pred)

    duck = Duck()
    assert losses.get(duck) is duck


def test_get_refuses_unknown_aliases_and_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown loss 'crossentropy'. Known: 'bce', "
                                         "'binary_crossentropy', 'huber'.*'mse'"):
        losses.get("crossentropy")
    with pytest.raises(ValueError, match="not a loss. Pass one of 'bce'"):
        losses.get(42)
    with pytest.raises(ValueError, match="function without a gradient"):
        losses.get(lambda y_true, y_pred: 0.0)


@pytest.mark.parametrize("loss", [losses.MeanSquaredError(), losses.Huber(delta=1e20)],
                         ids=repr)
def test_a_loss_object_costs_inf_when_finite_float32_predictions_overflow(loss):
    y_true = np.zeros((2, 1), dtype=np.float32)
    y_pred = np.array([[3e19], [0.0]], dtype=np.float32)      # (3e19)**2 > 3.4e38
    with np.errstate(over="ignore"):
        assert loss(y_true, y_pred) == np.inf
        assert np.isinf(loss.per_example(y_true, y_pred)[0])


def test_a_loss_subclass_without_gradient_says_what_is_missing():
    with pytest.raises(NotImplementedError, match="must define gradient"):
        losses.Loss().gradient([1.0], [1.0])


@pytest.mark.parametrize("loss, cost, gradient, options", LOSS_CLASSES,
                         ids=[repr(case[0]) for case in LOSS_CLASSES])
def test_loss_objects_give_value_and_gradient_in_one_call(loss, cost, gradient, options):
    y_true, y_pred = labels_and_predictions((6, 1), cost, options)
    value, grad = loss.value_and_gradient(y_true, y_pred)
    assert value == loss(y_true, y_pred)
    np.testing.assert_array_equal(grad, loss.gradient(y_true, y_pred))


@pytest.mark.parametrize("loss, cost, gradient, options", LOSS_CLASSES,
                         ids=[repr(case[0]) for case in LOSS_CLASSES])
def test_loss_objects_check_what_you_hand_their_value_and_gradient(loss, cost, gradient,
                                                                   options):
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(3, 1\).*ravel"):
        loss.value_and_gradient(np.array([0.0, 1.0, 1.0]), np.array([[0.2], [0.6], [0.7]]))
    value, grad = loss.value_and_gradient([0, 1], [0.25, 0.5])         # lists are welcome
    assert value == cost([0, 1], [0.25, 0.5], **options)


def test_your_own_loss_subclass_gets_value_and_gradient_from_its_two_methods():
    class Quartic(losses.Loss):
        def per_example(self, y_true, y_pred):
            return (np.asarray(y_pred) - y_true) ** 4

        def gradient(self, y_true, y_pred):
            return 4 * (np.asarray(y_pred) - y_true) ** 3 / np.size(y_pred)

    value, grad = Quartic().value_and_gradient([0.0, 0.0], [1.0, 2.0])
    assert value == pytest.approx(8.5)                 # (1 + 16) / 2
    np.testing.assert_allclose(grad, [2.0, 16.0])      # 4 * e**3 / 2


def test_a_subclass_that_redefines_the_cost_or_the_gradient_is_trained_with_it():
    class SteeperMeanSquaredError(losses.MeanSquaredError):
        def gradient(self, y_true, y_pred):
            return 2 * super().gradient(y_true, y_pred)

    class CappedMeanSquaredError(losses.MeanSquaredError):
        def __call__(self, y_true, y_pred):
            return min(1.0, super().__call__(y_true, y_pred))

    y_true, y_pred = np.zeros(3), np.array([1.0, -2.0, 3.0])
    value, grad = SteeperMeanSquaredError().value_and_gradient(y_true, y_pred)
    assert value == losses.mse(y_true, y_pred)
    np.testing.assert_array_equal(grad, 2 * losses.mse_gradient(y_true, y_pred))
    value, grad = CappedMeanSquaredError().value_and_gradient(y_true, y_pred)
    assert value == 1.0
    np.testing.assert_array_equal(grad, losses.mse_gradient(y_true, y_pred))


def test_a_mixin_that_redefines_the_cost_before_a_library_loss_is_trained_with_it():
    class Capped:
        def __call__(self, y_true, y_pred):
            return min(1.0, super().__call__(y_true, y_pred))

    class CappedMeanSquaredError(Capped, losses.MeanSquaredError):
        pass

    value, grad = CappedMeanSquaredError().value_and_gradient(np.zeros(3),
                                                              np.array([1.0, -2.0, 3.0]))
    assert value == 1.0


def test_a_value_and_gradient_you_wrote_is_never_replaced():
    class Counting:
        calls = 0

        def value_and_gradient(self, y_true, y_pred):
            self.calls += 1
            return super().value_and_gradient(y_true, y_pred)

    class Quartic(Counting, losses.Loss):            # your method comes from a mixin
        def per_example(self, y_true, y_pred):
            return (np.asarray(y_pred) - y_true) ** 4

        def gradient(self, y_true, y_pred):
            return 4 * (np.asarray(y_pred) - y_true) ** 3 / np.size(y_pred)

    class SteeperQuartic(Quartic):                     # or from the class above
        def gradient(self, y_true, y_pred):
            return 2 * super().gradient(y_true, y_pred)

    for cls in (Quartic, SteeperQuartic):
        loss = cls()
        value, grad = loss.value_and_gradient([0.0, 0.0], [1.0, 2.0])
        assert loss.calls == 1 and value == pytest.approx(8.5)
        np.testing.assert_allclose(grad, loss.gradient([0.0, 0.0], [1.0, 2.0]))


def test_the_library_losses_answer_from_their_formulas():
    for cls in losses.LIBRARY_LOSSES:
        assert cls.value_and_gradient is not losses.Loss.value_and_gradient


# --- Agreement with PyTorch -----------------------------------------------------

def torch_value_and_gradient(torch_loss, y_true, y_pred, **options):
    """Value of a torch.nn.functional loss (mean) and its gradient, as numpy float64."""
    torch = pytest.importorskip("torch")
    prediction = torch.tensor(y_pred, dtype=torch.float64, requires_grad=True)
    value = torch_loss(prediction, torch.tensor(y_true, dtype=torch.float64), **options)
    value.backward()
    return value.item(), prediction.grad.numpy()


@pytest.mark.parametrize("shape", [(7,), (5, 3)])
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss", "huber_loss_delta_2",
                                  "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits"])
def test_values_and_gradients_agree_with_pytorch(name, shape):
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    ours, torch_loss, options, torch_options = {
        "l1_loss": (losses.mae, functional.l1_loss, {}, {}),
        "mse_loss": (losses.mse, functional.mse_loss, {}, {}),
        "huber_loss": (losses.huber, functional.huber_loss, {}, {}),
        "huber_loss_delta_2": (losses.huber, functional.huber_loss, {"delta": 2.0},
                               {"delta": 2.0}),
        # Probabilities stay in [0.05, 0.95]: away from Keras's clip at 1e-7
        # and PyTorch's log clamp at -100, where the two differ on purpose.
        "binary_cross_entropy": (losses.binary_crossentropy,
                                 functional.binary_cross_entropy, {}, {}),
        "binary_cross_entropy_with_logits": (losses.binary_crossentropy,
                                             functional.binary_cross_entropy_with_logits,
                                             {"from_logits": True}, {}),
    }[name]
    gradient = {losses.mae: losses.mae_gradient, losses.mse: losses.mse_gradient,
                losses.huber: losses.huber_gradient,
                losses.binary_crossentropy: losses.binary_crossentropy_gradient}[ours]
    y_true, y_pred = labels_and_predictions(shape, ours, options)
    torch_value, torch_gradient = torch_value_and_gradient(torch_loss, y_true, y_pred,
                                                           **torch_options)
    assert ours(y_true, y_pred, **options) == pytest.approx(torch_value, rel=1e-6, abs=1e-12)
    np.testing.assert_allclose(gradient(y_true, y_pred, **options), torch_gradient,
                               rtol=1e-6, atol=1e-12)
    # Per-example losses: PyTorch's elementwise losses averaged over the last axis.
    elementwise = torch_loss(torch.tensor(y_pred), torch.tensor(y_true), reduction="none",
                             **torch_options).numpy()
    per_example = elementwise if elementwise.ndim == 1 else elementwise.mean(axis=-1)
    np.testing.assert_allclose(ours(y_true, y_pred, reduction="none", **options),
                               per_example, rtol=1e-6)


def test_norms_agree_with_pytorch_sums():
    torch = pytest.importorskip("torch")
    y_true, y_pred = labels_and_predictions((6, 2), losses.mse, {})
    for ours, gradient, torch_loss in (
            (losses.l1_norm, losses.l1_norm_gradient, torch.nn.functional.l1_loss),
            (losses.l2_norm, losses.l2_norm_gradient, torch.nn.functional.mse_loss)):
        torch_value, torch_gradient = torch_value_and_gradient(
            torch_loss, y_true, y_pred, reduction="sum")
        assert ours(y_true, y_pred) == pytest.approx(torch_value, rel=1e-6)
        np.testing.assert_allclose(gradient(y_true, y_pred), torch_gradient, rtol=1e-6)


@pytest.mark.parametrize("beta", [1.0, 0.5, 2.0])
def test_smooth_l1_is_huber_divided_by_beta(beta):
    # Documented difference: torch's SmoothL1Loss(beta) equals Huber(delta=beta)
    # only for beta = 1; otherwise it is huber / beta.
    y_true, y_pred = labels_and_predictions((9,), losses.huber, {})
    smooth_l1, _ = torch_value_and_gradient(
        pytest.importorskip("torch").nn.functional.smooth_l1_loss, y_true, y_pred,
        beta=beta)
    assert losses.huber(y_true, y_pred, delta=beta) / beta == pytest.approx(smooth_l1,
                                                                            rel=1e-6)


def test_bce_differs_from_pytorch_only_beyond_the_clip():
    y_true = np.array([1.0])
    ours = losses.binary_crossentropy(y_true, np.array([0.0]))
    theirs, _ = torch_value_and_gradient(
        pytest.importorskip("torch").nn.functional.binary_cross_entropy, y_true,
        np.array([0.0]))
    assert ours == pytest.approx(-np.log(1e-7)) and theirs == pytest.approx(100.0)
