"""The optimizers: each update rule by hand, the shared contract, paths, and PyTorch."""

import numpy as np
import pytest

from course import optimizers
from course._packing import PACK_LIMIT
from course.optimizers import (SGD, Adam, RMSprop, adam_update, minimize, rmsprop_update,
                               sgd_update)


def one_param(value):
    return np.array([value], dtype=np.float64)


def run(optimizer, grads, start=1.0):
    """Apply the gradients one after another to a single number; return the path."""
    w = one_param(start)
    path = []
    for g in grads:
        optimizer.update([w], [one_param(g)])
        path.append(w[0])
    return path


# ---------------------------------------------------------------- SGD by hand

def test_sgd_steps_against_the_gradient_by_learning_rate():
    w = np.array([1.0, 2.0])
    SGD(learning_rate=0.1).update([w], [np.array([0.5, -1.0])])
    np.testing.assert_allclose(w, [1.0 - 0.05, 2.0 + 0.1], rtol=1e-15)


def test_sgd_momentum_builds_up_velocity():
    # v1 = -0.1, w1 = 0.9; v2 = 0.9 * -0.1 - 0.1 = -0.19, w2 = 0.71
    path = run(SGD(learning_rate=0.1, momentum=0.9), [1.0, 1.0])
    np.testing.assert_allclose(path, [0.9, 0.71], rtol=1e-14)


def test_sgd_nesterov_steps_with_the_look_ahead_velocity():
    # w1 = 1 + 0.9 * -0.1 - 0.1 = 0.81; w2 = 0.81 + 0.9 * -0.19 - 0.1 = 0.539
    path = run(SGD(learning_rate=0.1, momentum=0.9, nesterov=True), [1.0, 1.0])
    np.testing.assert_allclose(path, [0.81, 0.539], rtol=1e-14)


# ---------------------------------------------------------------- RMSprop by hand

def test_rmsprop_first_step_matches_the_keras_documentation_example():
    # Keras's RMSprop docstring: var = 10, loss = var**2 / 2, lr = 0.1 -> 9.683772
    w = one_param(10.0)
    RMSprop(learning_rate=0.1).update([w], [w.copy()])
    assert w[0] == pytest.approx(9.683772, abs=5e-7)


def test_rmsprop_puts_epsilon_inside_the_square_root():
    # s = 0.1 * g^2 = 1e-9; step = lr * g / sqrt(s + eps), not / (sqrt(s) + eps)
    g, eps = 1e-4, 1e-7
    path = run(RMSprop(learning_rate=1.0, epsilon=eps), [g], start=0.0)
    assert path[0] == pytest.approx(-g / np.sqrt(0.1 * g**2 + eps), rel=1e-12)
    assert path[0] != pytest.approx(-g / (np.sqrt(0.1 * g**2) + eps), rel=1e-3)


def test_rmsprop_centered_divides_by_the_gradient_standard_deviation():
    # s = 0.1 g^2, a = 0.1 g, s - a^2 = 0.09 g^2: the first step is lr / 0.3
    path = run(RMSprop(learning_rate=0.03, epsilon=0.0, centered=True), [5.0])
    assert path[0] == pytest.approx(1.0 - 0.1, rel=1e-14)


def test_rmsprop_momentum_accumulates_the_scaled_steps():
    # constant g: s1 = 0.1 g^2, s2 = 0.19 g^2; steps lr/sqrt(0.1), then 0.5*that + lr/sqrt(0.19)
    lr = 0.01
    first = lr / np.sqrt(0.1)
    second = 0.5 * first + lr / np.sqrt(0.19)
    path = run(RMSprop(learning_rate=lr, momentum=0.5, epsilon=0.0), [2.0, 2.0])
    np.testing.assert_allclose(path, [1.0 - first, 1.0 - first - second], rtol=1e-14)


# ---------------------------------------------------------------- Adam by hand

def test_adam_with_a_constant_gradient_steps_by_exactly_the_learning_rate():
    # the bias corrections make m_hat = g and v_hat = g^2 at every step
    path = run(Adam(learning_rate=0.1, epsilon=0.0), [3.0] * 5)
    np.testing.assert_allclose(path, [0.9, 0.8, 0.7, 0.6, 0.5], rtol=1e-13)


def test_adam_adds_epsilon_to_the_root_of_the_uncorrected_second_moment():
    # t=1: m = 0.1 g, v = 0.001 g^2, lr_t = lr * sqrt(0.001) / 0.1
    g, eps, lr = 1e-4, 1e-7, 1.0
    keras_step = lr * np.sqrt(0.001) / 0.1 * (0.1 * g) / (np.sqrt(0.001 * g**2) + eps)
    pytorch_step = lr * g / (abs(g) + eps)
    path = run(Adam(learning_rate=lr, epsilon=eps), [g], start=0.0)
    assert path[0] == pytest.approx(-keras_step, rel=1e-12)
    assert path[0] != pytest.approx(-pytorch_step, rel=1e-2)


# ---------------------------------------------------------------- the contract

@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.9), lambda: RMSprop(0.1),
                                  lambda: Adam(0.1)])
def test_state_is_kept_per_parameter(make):
    rng = np.random.default_rng(0)
    grads_a = [rng.normal(size=(2, 3)) for _ in range(4)]
    grads_b = [rng.normal(size=(3,)) for _ in range(4)]
    a, b = np.ones((2, 3)), np.zeros(3)
    together = make()
    for ga, gb in zip(grads_a, grads_b):
        together.update([a, b], [ga, gb])
    alone_a, alone_b = np.ones((2, 3)), np.zeros(3)
    first, second = make(), make()
    for ga, gb in zip(grads_a, grads_b):
        first.update([alone_a], [ga])
        second.update([alone_b], [gb])
    np.testing.assert_array_equal(a, alone_a)
    np.testing.assert_array_equal(b, alone_b)


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam"])
def test_update_changes_the_arrays_in_place_and_keeps_float32(name):
    w = np.ones((4, 2), dtype=np.float32)
    before = w.copy()
    optimizer = optimizers.get(name)
    optimizer.update([w], [np.full((4, 2), 0.5, dtype=np.float32)])
    optimizer.update([w], [np.full((4, 2), 0.5, dtype=np.float32)])
    assert w.dtype == np.float32
    assert (w < before).all()
    assert optimizer.iterations == 2


@pytest.mark.parametrize("rule, optimizer", [
    (sgd_update, SGD(0.05, momentum=0.8, nesterov=True)),
    (rmsprop_update, RMSprop(0.05, momentum=0.3, centered=True)),
    (adam_update, Adam(0.05)),
])
def test_update_rule_alone_gives_what_the_class_gives(rule, optimizer):
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=5) for _ in range(3)]
    w_rule, w_class, state = np.ones(5), np.ones(5), {}
    for g in grads:
        rule(w_rule, g, state, optimizer.get_config())
        optimizer.update([w_class], [g])
    np.testing.assert_array_equal(w_rule, w_class)


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.9, nesterov=True),
                                  lambda: RMSprop(0.1, momentum=0.5, centered=True),
                                  lambda: Adam(0.1)])
def test_small_parameters_updated_together_give_the_same_numbers(make):
    # three small arrays are packed into one vector, the big kernel is updated alone
    rng = np.random.default_rng(2)
    shapes = [(3, 4), (4,), (PACK_LIMIT, 1), (1,)]
    params = [rng.normal(size=s).astype(np.float32) for s in shapes]
    alone = [p.copy() for p in params]
    together, one_by_one = make(), [make() for _ in shapes]
    for _ in range(3):
        grads = [rng.normal(size=s).astype(np.float32) for s in shapes]
        together.update(params, grads)
        for optimizer, p, g in zip(one_by_one, alone, grads):
            optimizer.update([p], [g])
    for p, q in zip(params, alone):
        np.testing.assert_array_equal(p, q)
    assert len(together.states) == len(shapes)
    for state, single in zip(together.states, one_by_one):
        assert state.keys() == single.states[0].keys()
        for key in state:
            np.testing.assert_array_equal(state[key], single.states[0][key])


def test_states_show_each_parameters_velocity_live():
    optimizer = SGD(0.1, momentum=0.9)
    w, b, c = np.ones((2, 2)), np.ones(2), np.ones(1)
    optimizer.update([w, b, c], [np.ones((2, 2)), 2 * np.ones(2), 3 * np.ones(1)])
    velocities = [state["velocity"] for state in optimizer.states]
    np.testing.assert_allclose(velocities[1], [-0.2, -0.2])
    optimizer.update([w, b, c], [np.zeros((2, 2)), np.zeros(2), np.zeros(1)])
    np.testing.assert_allclose(velocities[2], [-0.27])     # 0.9 * -0.3, seen through the view


def test_your_own_rule_plugs_into_the_optimizer_class():
    def sign_update(param, grad, state, config):      # signSGD: w = w - lr * sign(g)
        param -= config["learning_rate"] * np.sign(grad)

    class SignSGD(optimizers.Optimizer):
        rule = sign_update

    w, b = np.zeros(3), np.zeros(1)
    SignSGD(0.5).update([w, b], [np.array([2.0, -3.0, 0.0]), np.array([-1.0])])
    np.testing.assert_array_equal(w, [-0.5, 0.5, 0.0])
    np.testing.assert_array_equal(b, [0.5])


def test_get_makes_new_optimizers_with_keras_defaults():
    adam = optimizers.get("adam")
    assert isinstance(adam, Adam) and adam is not optimizers.get("adam")
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    sgd = optimizers.get("SGD")
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)
    rms = optimizers.get("rmsprop")
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon) == (0.001, 0.9, 0.0, 1e-7)


def test_get_passes_an_object_with_update_through():
    class Mine:
        def update(self, params, grads):
            for p, g in zip(params, grads):
                p -= g

    mine, adam = Mine(), Adam()
    assert optimizers.get(mine) is mine
    assert optimizers.get(adam) is adam


def test_get_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="'adam', 'rmsprop', 'sgd'"):
        optimizers.get("adamw")
    with pytest.raises(ValueError, match="update"):
        optimizers.get(42)
    with pytest.raises(ValueError, match="update"):
        optimizers.get(int)           # a class, but not an optimizer


def test_get_makes_an_optimizer_class_into_a_new_object_as_losses_and_activations_do():
    adam = optimizers.get(Adam)
    assert isinstance(adam, Adam) and adam.learning_rate == 0.001
    assert optimizers.get(Adam) is not adam


def test_an_optimizer_used_on_other_arrays_says_to_make_a_new_one():
    optimizer = Adam()
    first_model = [np.ones(2), np.ones(3)]
    optimizer.update(first_model, [np.ones(2), np.ones(3)])
    second_model = [np.ones(2), np.ones(3)]
    with pytest.raises(ValueError, match=r"Parameter 0 is not the array this Adam updated "
                                         r"before: the optimizer already trained another "
                                         r"model.*Make a new optimizer"):
        optimizer.update(second_model, [np.ones(2), np.ones(3)])
    np.testing.assert_array_equal(second_model[0], np.ones(2))   # nothing was changed
    optimizer.update(first_model, [np.ones(2), np.ones(3)])       # its own model still trains
    assert optimizer.iterations == 2


def test_states_are_empty_before_the_first_update():
    assert Adam().states == []


def test_different_numbers_of_params_and_grads_is_an_error():
    with pytest.raises(ValueError, match="2 parameters but 1 gradients"):
        SGD().update([np.ones(2), np.ones(3)], [np.ones(2)])


def test_gradient_of_the_wrong_shape_is_an_error():
    with pytest.raises(ValueError, match=r"Gradient 1 has shape \(3, 1\).*\(3,\)"):
        Adam().update([np.ones(2), np.ones(3)], [np.ones(2), np.ones((3, 1))])


def test_parameters_that_change_between_updates_are_an_error():
    optimizer = Adam()
    optimizer.update([np.ones(2), np.ones(3)], [np.ones(2), np.ones(3)])
    with pytest.raises(ValueError, match="new optimizer"):
        optimizer.update([np.ones(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="same order"):
        optimizer.update([np.ones(3), np.ones(2)], [np.ones(3), np.ones(2)])


def test_parameters_that_cannot_change_in_place_are_an_error():
    with pytest.raises(TypeError, match="numpy float array.*list"):
        SGD().update([[1.0, 2.0]], [np.ones(2)])
    with pytest.raises(TypeError, match="dtype int64"):
        SGD().update([np.array([1, 2], dtype=np.int64)], [np.ones(2)])
    with pytest.raises(TypeError, match="Gradient 0 must be a numpy array"):
        SGD().update([np.ones(2)], [[1.0, 2.0]])


@pytest.mark.parametrize("make, message", [
    (lambda: SGD(learning_rate=-0.1), "learning_rate must be at least 0"),
    (lambda: SGD(momentum=1.5), "momentum must be at least 0 and at most 1"),
    (lambda: Adam(beta_1=1.0), "beta_1 must be at least 0 and below 1"),
    (lambda: RMSprop(epsilon=-1e-7), "epsilon must be at least 0"),
    (lambda: Adam(learning_rate="fast"), "learning_rate must be a number"),
])
def test_out_of_range_hyperparameters_are_an_error(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()


# ---------------------------------------------------------------- minimize

def bowl(x):
    """f(x, y) = (x - 1)^2 + 10 (y + 2)^2, minimum at (1, -2)."""
    return (x[0] - 1) ** 2 + 10 * (x[1] + 2) ** 2


def bowl_gradient(x):
    return np.array([2 * (x[0] - 1), 20 * (x[1] + 2)])


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_gradient(x):
    return np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2),
                     200 * (x[1] - x[0] ** 2)])


@pytest.mark.parametrize("optimizer", [SGD(0.04), SGD(0.02, momentum=0.9, nesterov=True),
                                       RMSprop(0.05), Adam(0.1)])
def test_minimize_finds_the_minimum_of_a_quadratic(optimizer):
    path = minimize(bowl_gradient, [4.0, 3.0], optimizer, steps=500)
    assert path.shape == (501, 2)
    np.testing.assert_array_equal(path[0], [4.0, 3.0])
    np.testing.assert_allclose(path[-1], [1.0, -2.0], atol=2e-2)


def test_minimize_makes_progress_on_rosenbrock_and_returns_values():
    path, values = minimize(rosenbrock_gradient, [-1.5, 2.0], Adam(0.02), steps=2000,
                            function=rosenbrock)
    assert values.shape == (2001,)
    assert values[0] == pytest.approx(rosenbrock(path[0]))
    assert values[-1] < 1e-3 * values[0]
    assert np.linalg.norm(path[-1] - [1.0, 1.0]) < np.linalg.norm(path[0] - [1.0, 1.0]) / 10


def test_minimize_leaves_the_callers_optimizer_untouched():
    optimizer = SGD(0.01, momentum=0.9)
    first = minimize(bowl_gradient, [4.0, 3.0], optimizer, steps=20)
    second = minimize(bowl_gradient, [4.0, 3.0], optimizer, steps=20)
    assert optimizer.iterations == 0
    np.testing.assert_array_equal(first, second)


def test_minimize_starts_from_rest_with_an_optimizer_that_already_trained():
    used = SGD(0.01, momentum=0.9)
    used.update([np.zeros(2)], [np.ones(2)])
    np.testing.assert_array_equal(
        minimize(bowl_gradient, [4.0, 3.0], used, steps=20),
        minimize(bowl_gradient, [4.0, 3.0], SGD(0.01, momentum=0.9), steps=20))
    assert used.iterations == 1


def test_minimize_steps_must_be_a_whole_number():
    with pytest.raises(ValueError, match="steps must be a whole number >= 0, not 2.5"):
        minimize(bowl_gradient, [4.0, 3.0], "sgd", steps=2.5)


def test_minimize_stops_with_a_hint_when_the_path_diverges():
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(
            FloatingPointError, match=r"diverged at step \d+.*smaller learning rate than 0.2"):
        minimize(bowl_gradient, [4.0, 3.0], SGD(0.2), steps=1000)


def test_minimize_checks_the_shape_of_the_gradient():
    with pytest.raises(ValueError, match=r"gradient returned shape \(3,\)"):
        minimize(lambda x: np.zeros(3), [1.0, 2.0], "sgd", steps=3)


# ---------------------------------------------------------------- against PyTorch
# A fixed least-squares problem in float64: cost = mean((x @ w + b - y)^2), with w of
# shape (3, 1) and b of shape (1,), so the optimizers keep state for two parameters.

STEPS = 100


def least_squares():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(20, 3))
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.3 + 0.1 * rng.normal(size=(20, 1))
    return x, y


def our_path(optimizer):
    x, y = least_squares()
    w, b = np.full((3, 1), 0.5), np.zeros(1)
    path = []
    for _ in range(STEPS):
        residual = x @ w + b - y
        optimizer.update([w, b], [2 * x.T @ residual / len(x), 2 * residual.mean(axis=0)])
        path.append(np.concatenate([w.ravel(), b]))
    return np.array(path)


def torch_path(make_optimizer, before_step=None):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    x, y = (torch.tensor(a) for a in least_squares())
    w = torch.full((3, 1), 0.5, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer(torch.optim, [w, b])
    path = []
    for t in range(1, STEPS + 1):
        optimizer.zero_grad()
        ((x @ w + b - y) ** 2).mean().backward()
        if before_step is not None:
            before_step(optimizer, t)
        optimizer.step()
        path.append(torch.cat([w.detach().ravel(), b.detach()]).numpy().copy())
    return np.array(path)


# Where the formulas are the same, the only difference is rounding: rtol 1e-10.
@pytest.mark.parametrize("ours, theirs", [
    (lambda: SGD(0.05), lambda optim, p: optim.SGD(p, lr=0.05)),
    (lambda: SGD(0.05, momentum=0.9), lambda optim, p: optim.SGD(p, lr=0.05, momentum=0.9)),
    (lambda: SGD(0.05, momentum=0.9, nesterov=True),
     lambda optim, p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    # epsilon 0 makes Keras's sqrt(s + eps) and PyTorch's sqrt(s) + eps the same formula
    (lambda: RMSprop(0.01, rho=0.9, epsilon=0.0),
     lambda optim, p: optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0)),
    (lambda: RMSprop(0.01, rho=0.9, momentum=0.5, epsilon=0.0, centered=True),
     lambda optim, p: optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0, momentum=0.5,
                                    centered=True)),
], ids=["sgd", "momentum", "nesterov", "rmsprop", "rmsprop-centered-momentum"])
def test_trajectory_matches_pytorch(ours, theirs):
    expected = torch_path(theirs)
    actual = our_path(ours())
    assert np.abs(actual[-1] - actual[0]).max() > 0.1      # the path goes somewhere
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)


# With the same nonzero epsilon the formulas differ (see the docstrings of
# rmsprop_update and adam_update). sqrt(s + eps) against sqrt(s) + eps, or Keras's
# eps against PyTorch's eps / sqrt(1 - beta_2**t), changes a denominator of order
# 1e-2 (the root mean square of these gradients) by under 1e-6, so each step by
# under 1e-4 of itself. Measured over the 100 steps: 1.0e-6 (RMSprop) and 1.1e-6
# (Adam). We allow 1e-5; a wrong rho, beta or learning rate moves the path by 1e-3
# or more.
EPSILON_TOLERANCE = 1e-5


def test_rmsprop_trajectory_with_keras_epsilon_stays_close_to_pytorch():
    expected = torch_path(lambda optim, p: optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7))
    actual = our_path(RMSprop(0.01, rho=0.9, epsilon=1e-7))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=EPSILON_TOLERANCE)


def test_adam_matches_pytorch_once_epsilon_is_moved_where_pytorch_puts_it():
    # Keras: lr*sqrt(1-b2^t)/(1-b1^t) * m/(sqrt(v) + eps). PyTorch divides by
    # sqrt(v)/sqrt(1-b2^t) + eps_t; with eps_t = eps/sqrt(1-b2^t) the two are the
    # same formula, which pins down exactly where each library puts epsilon.
    eps, beta_2 = 1e-7, 0.999

    def keras_epsilon(optimizer, t):
        optimizer.param_groups[0]["eps"] = eps / np.sqrt(1 - beta_2**t)

    expected = torch_path(lambda optim, p: optim.Adam(p, lr=0.05, betas=(0.9, beta_2)),
                          before_step=keras_epsilon)
    actual = our_path(Adam(0.05, beta_1=0.9, beta_2=beta_2, epsilon=eps))
    assert np.abs(actual[-1] - actual[0]).max() > 0.1
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-12)


def test_adam_with_the_same_epsilon_as_pytorch_stays_close():
    expected = torch_path(lambda optim, p: optim.Adam(p, lr=0.05, eps=1e-7))
    actual = our_path(Adam(0.05, epsilon=1e-7))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=EPSILON_TOLERANCE)
