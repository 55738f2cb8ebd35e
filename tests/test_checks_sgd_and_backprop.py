"""The checks of units 04 (SGD) and 05 (backpropagation) beyond the generic tests:
their references agree with the library, and their verdicts say what a
learner needs to hear in the cases the generic tests do not reach."""

import numpy as np
import pytest

from course import checks
from course.checks import backpropagation, stochastic_gradient_descent as sgd
from course.data import minibatches
from course.gradcheck import SCALE_FLOOR, numerical_gradient, relative_error


def grade(name, source):
    namespace = {"np": np}
    exec(source, namespace)
    return checks.grade(name, namespace)


# --- unit 04 --------------------------------------------------------------------

def test_the_minibatch_reference_is_the_library_iterator_every_row_once():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10.0)
    batches = sgd.reference_minibatches_of(X, y, 4, seed=0, epoch=1)
    library = list(minibatches(X, y, batch_size=4, seed=0, epoch=1))
    assert [len(b) for b, _ in batches] == [4, 4, 2]
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
               for a, b in zip(batches, library))
    assert sorted(np.concatenate([yb for _, yb in batches])) == list(range(10))


def test_an_order_drawn_another_way_is_told_which_line_to_use():
    verdict = grade("minibatches_of", (
        "def minibatches_of(X, y, batch_size, seed=0, epoch=0):\n"
        "    order = np.random.RandomState(seed + epoch).permutation(len(X))\n"
        "    return [(X[order[s:s + batch_size]], y[order[s:s + batch_size]])\n"
        "            for s in range(0, len(X), batch_size)]\n"))
    assert verdict.status == "incorrect"
    assert "np.random.default_rng((seed, epoch)).permutation(n)" in verdict.detail


def test_a_generator_of_minibatches_is_asked_for_a_list():
    verdict = grade("minibatches_of", (
        "def minibatches_of(X, y, batch_size, seed=0, epoch=0):\n"
        "    order = np.random.default_rng((seed, epoch)).permutation(len(X))\n"
        "    for s in range(0, len(X), batch_size):\n"
        "        yield X[order[s:s + batch_size]], y[order[s:s + batch_size]]\n"))
    assert "should return a list of (X_batch, y_batch) pairs" in verdict.detail


@pytest.mark.parametrize("pair", [(1, 0.1), (2, 0.3), (4, 0.3), (8, 0.3)])
def test_batch_and_rate_passes_several_good_choices(pair):
    assert checks.grade("batch_and_rate", {"batch_and_rate": pair}).passed


@pytest.mark.parametrize("pair, says", [
    ((0.3, 4), "did you swap the two?"),
    ((65, 0.1), "a whole number from 1 to 64"),
    ((4, -0.1), "a number above 0"),
    (4, "should be a pair"),
])
def test_batch_and_rate_refuses_what_is_not_a_batch_size_and_a_rate(pair, says):
    verdict = checks.grade("batch_and_rate", {"batch_and_rate": pair})
    assert verdict.status == "incorrect" and says in verdict.detail


def test_a_training_choice_that_does_too_few_steps_says_how_many_it_made():
    detail = checks.grade("batch_and_rate", {"batch_and_rate": (32, 0.3)}).detail
    assert "2 epochs make 4 steps" in detail


RECORDED_AFTER_THE_STEP = (
    "def train_sgd(X, y, batch_size, learning_rate, epochs, seed=0):\n"
    "    w, b, losses_per_step = np.zeros(X.shape[1]), 0.0, []\n"
    "    for epoch in range(epochs):\n"
    "        for X_batch, y_batch in minibatches_of(X, y, batch_size, seed, epoch):\n"
    "            grad_pred = mse_gradient(y_batch, X_batch @ w + b)\n"
    "            w = w - learning_rate * (X_batch.T @ grad_pred)\n"
    "            b = b - learning_rate * np.sum(grad_pred)\n"
    "            losses_per_step.append(mse(y_batch, X_batch @ w + b))\n"
    "    return losses_per_step\n")


def test_a_loop_that_records_the_loss_after_its_step_fails_though_it_ends_in_the_band():
    X, y, batch_size, learning_rate, epochs = sgd.train_sgd.case.args
    namespace = {"np": np, **sgd.train_sgd.uses}
    exec(RECORDED_AFTER_THE_STEP, namespace)
    got = namespace["train_sgd"](X, y, batch_size, learning_rate, epochs)
    expected = sgd.reference_train_sgd(X, y, batch_size, learning_rate, epochs)
    assert abs(got[-1] - expected[-1]) <= sgd.train_sgd.band * expected[-1]

    verdict = grade("train_sgd", RECORDED_AFTER_THE_STEP)
    assert verdict.status == "incorrect"
    assert "before the first step it is" in verdict.detail and "before each update" in verdict.detail


# --- unit 05 --------------------------------------------------------------------

def test_the_network_gradients_reference_agrees_with_finite_differences():
    case = backpropagation.network_gradients.cases[0]
    params, x, y = case.copies()[0]
    grads = backpropagation.reference_network_gradients(params, x, y)

    def cost(_):
        a = x
        for number in (1, 2, 3):
            a = 1 / (1 + np.exp(-(a @ params[f"W{number}"] + params[f"b{number}"])))
        return float(np.mean(-(y * np.log(a) + (1 - y) * np.log(1 - a))))

    for name in backpropagation.PARAMETERS:
        numeric = numerical_gradient(cost, params[name], eps=1e-5)
        assert relative_error(grads[name], numeric, SCALE_FLOOR) < 1e-5, name


def test_the_gradient_check_reference_scores_right_and_wrong_gradients():
    scores = [case.call(backpropagation.reference_gradient_check)
              for case in backpropagation.gradient_check.cases]
    assert scores[0] < 1e-8 and scores[2] < 1e-8
    assert scores[1] == pytest.approx(1 / 3, rel=1e-6)
    assert scores[3] == pytest.approx(1.0, rel=1e-6)


def test_a_backward_pass_that_changes_its_cache_in_place_is_caught():
    verdict = grade("dense_backward", (
        "def dense_backward(grad_out, cache):\n"
        "    x, kernel = cache\n"
        "    grad_kernel = x.T @ grad_out\n"
        "    x *= 0\n"
        "    return grad_out @ kernel.T, grad_kernel, grad_out.sum(axis=0)\n"))
    assert "changed its argument cache in place" in verdict.detail


def test_network_gradients_name_the_parameter_that_is_off():
    verdict = grade("network_gradients", (
        "def network_gradients(params, x, y):\n"
        "    return {name: np.zeros_like(value) for name, value in params.items()}\n"))
    assert verdict.detail.startswith("on network_gradients(")
    assert "grads['W1'] is not the right gradient" in verdict.detail
    missing = grade("network_gradients", (
        "def network_gradients(params, x, y):\n"
        "    return {'W1': params['W1']}\n"))
    assert "the gradients of b1, W2, b2, W3, b3 are missing" in missing.detail


def test_a_gradient_check_that_leaves_x_moved_is_told_to_put_it_back():
    verdict = grade("gradient_check", (
        "def gradient_check(f, grad_f, x, eps=1e-5):\n"
        "    analytic = grad_f(x)\n"
        "    numeric = np.zeros_like(x)\n"
        "    for index in np.ndindex(x.shape):\n"
        "        original = x[index]\n"
        "        x[index] = original + eps\n"
        "        f_plus = f(x)\n"
        "        x[index] = original - eps\n"
        "        numeric[index] = (f_plus - f(x)) / (2 * eps)\n"
        "    return float(np.max(np.abs(analytic - numeric)\n"
        "                        / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))))\n"))
    assert verdict.status == "incorrect"
    assert "put it back afterwards, x[index] = original" in verdict.detail
    assert "compute a new array" not in verdict.detail
