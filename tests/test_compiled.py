"""Adam's compiled loop gives the numpy rule's numbers, bit for bit, or stands aside."""

import warnings

import numpy as np
import pytest

from course import _compiled
from course.optimizers import PACK_LIMIT, Adam, adam_update

CONFIG = {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-7}
SHAPE = (300, 100)          # 30,000 numbers: more than PACK_LIMIT, so updated alone
assert np.prod(SHAPE) >= PACK_LIMIT


@pytest.fixture
def numba():
    return pytest.importorskip("numba", reason="numba (the 'fast' extra) is not installed")


@pytest.fixture
def fresh_compiled(monkeypatch):
    """The module as if no kernel had been built and numba had not failed yet."""
    monkeypatch.setattr(_compiled, "_kernel", None)
    monkeypatch.setattr(_compiled, "_unavailable", False)
    monkeypatch.setattr(_compiled, "ENABLED", True)


def gradients(dtype, steps=40, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(SHAPE).astype(dtype) for _ in range(steps)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", [CONFIG, {"learning_rate": 0.001, "beta_1": 0.9,
                                             "beta_2": 0.999, "epsilon": 1e-7}])
def test_compiled_adam_gives_the_numpy_rules_bits(numba, dtype, config):
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


def test_adam_optimizer_trains_the_same_with_and_without_the_compiled_loop(numba, monkeypatch):
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


def test_without_numba_the_numpy_rule_does_the_step(fresh_compiled, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "numba", None)      # import numba now fails
    param = np.ones(SHAPE, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # missing numba is no warning
        assert _compiled.adam_update(param, np.ones(SHAPE, np.float32), {}, CONFIG) is False
        Adam().update([param], [np.ones(SHAPE, np.float32)])
    assert param[0, 0] < 1.0


def test_a_compile_failure_warns_once_and_falls_back_without_losing_the_step(
        numba, fresh_compiled, monkeypatch):
    def broken_kernel(*args):
        raise RuntimeError("no LLVM here")

    monkeypatch.setattr(_compiled, "_kernel", broken_kernel)
    params, expected = [np.ones(SHAPE, np.float32)], np.ones(SHAPE, np.float32)
    optimizer, state = Adam(learning_rate=0.1), {}
    grads = gradients(np.float32, steps=3)
    with pytest.warns(RuntimeWarning, match="numba failed .* Adam's update runs on numpy"):
        optimizer.update(params, [grads[0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # warned once, not at every step
        for grad in grads[1:]:
            optimizer.update(params, [grad])
    for grad in grads:
        adam_update(expected, grad, state, optimizer.get_config())
    np.testing.assert_array_equal(params[0], expected)   # each step taken exactly once
    assert optimizer.states[0]["step"] == 3


def test_a_numba_that_fails_to_import_warns_and_falls_back(fresh_compiled, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def numba_needs_another_numpy(name, *args, **kwargs):
        if name == "numba":
            raise AttributeError("module 'numpy' has no attribute 'something_old'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", numba_needs_another_numpy)
    param = np.ones(SHAPE, np.float32)
    with pytest.warns(RuntimeWarning, match="numba failed .* Adam's update runs on numpy"):
        Adam().update([param], [np.ones(SHAPE, np.float32)])
    assert param[0, 0] < 1.0
