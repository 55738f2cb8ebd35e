"""Adam's compiled loop gives the numpy rule's numbers, bit for bit, or stands aside."""

import numpy as np
import pytest

from course import _compiled
from course.optimizers import PACK_LIMIT, Adam, adam_update

CONFIG = {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-7}
SHAPE = (300, 100)          # 30,000 numbers: more than PACK_LIMIT, so updated alone
assert np.prod(SHAPE) >= PACK_LIMIT


@pytest.fixture
def needs_compiled_loop():
    if not _compiled.available():
        pytest.skip("course/_adam_loop.pyx was not compiled (no C compiler when the "
                    "course was installed)")


def gradients(dtype, steps=40, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(SHAPE).astype(dtype) for _ in range(steps)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", [CONFIG, {"learning_rate": 0.001, "beta_1": 0.9,
                                             "beta_2": 0.999, "epsilon": 1e-7}])
def test_compiled_adam_gives_the_numpy_rules_bits(needs_compiled_loop, dtype, config):
    start = np.random.default_rng(1).standard_normal(SHAPE).astype(dtype)
    by_numpy, compiled = start.copy(), start.copy()
    numpy_state, compiled_state = {}, {}
    for grad in gradients(dtype):
        adam_update(by_numpy, grad, numpy_state, config)
        assert _compiled.adam_update(compiled, grad, compiled_state, config) is True
    assert compiled.dtype == dtype
    np.testing.assert_array_equal(compiled, by_numpy)
    np.testing.assert_array_equal(compiled_state["m"], numpy_state["m"])
    np.testing.assert_array_equal(compiled_state["v"], numpy_state["v"])
    assert compiled_state["step"] == numpy_state["step"] == 40
    assert not np.array_equal(compiled, start)


def test_adam_optimizer_trains_the_same_with_and_without_the_compiled_loop(needs_compiled_loop, monkeypatch):
    def train():
        params = [np.ones(SHAPE, np.float32), np.zeros(10, np.float32), np.ones(5, np.float32)]
        optimizer = Adam(learning_rate=0.05)
        for grad in gradients(np.float32, steps=20):
            optimizer.update(params, [grad, grad[0, :10].copy(), grad[1, :5].copy()])
        return params, optimizer.states

    compiled_params, compiled_states = train()
    monkeypatch.setattr(_compiled, "ENABLED", False)
    numpy_params, numpy_states = train()
    for ours, theirs in zip(compiled_params, numpy_params):
        np.testing.assert_array_equal(ours, theirs)
    for ours, theirs in zip(compiled_states, numpy_states):
        assert ours["step"] == theirs["step"] == 20
        np.testing.assert_array_equal(ours["m"], theirs["m"])


@pytest.mark.parametrize("case", ["small", "integer grad dtype", "other grad dtype",
                                  "not contiguous", "read-only", "numpy hyperparameter",
                                  "disabled"])
def test_compiled_adam_stands_aside_where_numbers_could_differ(case, monkeypatch):
    param = np.ones(SHAPE, np.float32)
    grad = np.full(SHAPE, 0.5, np.float32)
    config = dict(CONFIG)
    if case == "small":
        param, grad = param[:10, :10].copy(), grad[:10, :10].copy()
    elif case == "integer grad dtype":
        grad = np.ones(SHAPE, np.int64)
    elif case == "other grad dtype":
        grad = grad.astype(np.float64)
    elif case == "not contiguous":
        param = np.ones((SHAPE[1], SHAPE[0]), np.float32).T
    elif case == "read-only":
        param.flags.writeable = False
    elif case == "numpy hyperparameter":
        config["learning_rate"] = np.float64(0.01)
    else:
        monkeypatch.setattr(_compiled, "ENABLED", False)
    before = param.copy()
    state = {}
    assert _compiled.adam_update(param, grad, state, config) is False
    assert state == {}
    np.testing.assert_array_equal(param, before)


def test_without_the_compiled_loop_the_numpy_rule_does_the_step(monkeypatch):
    monkeypatch.setattr(_compiled, "adam_loop", None)    # as when installed without a compiler
    assert not _compiled.available()
    param, expected = np.ones(SHAPE, np.float32), np.ones(SHAPE, np.float32)
    grad = np.full(SHAPE, 0.5, np.float32)
    assert _compiled.adam_update(param, grad, {}, CONFIG) is False
    optimizer = Adam(learning_rate=0.1)
    optimizer.update([param], [grad])
    adam_update(expected, grad, {}, optimizer.get_config())
    np.testing.assert_array_equal(param, expected)


def test_the_loop_refuses_arrays_of_different_lengths(needs_compiled_loop):
    a = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="same length, but have 3, 2, 3 and 3"):
        _compiled.adam_loop(a, np.zeros(2, np.float32), a.copy(), a.copy(),
                            0.9, 0.1, 0.999, 0.001, 1e-7, 1e-3)
