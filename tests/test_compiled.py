"""Adam's compiled loop gives the numpy rule's numbers, bit for bit, or stands aside."""

import numpy as np
import pytest

from course import _compiled
from course._compiled import ADAM_LOOP_MIN_SIZE
from course._packing import PACK_LIMIT
from course.optimizers import Adam, adam_update

CONFIG = {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-7}
SHAPE = (300, 100)          # 30,000 numbers: more than PACK_LIMIT, so updated alone,
assert np.prod(SHAPE) >= max(PACK_LIMIT, ADAM_LOOP_MIN_SIZE)   # and by the loop
HYPERPARAMETERS = ("learning_rate", "beta_1", "beta_2", "epsilon")


@pytest.fixture
def needs_compiled_loop():
    if not _compiled.available():
        pytest.skip("course/_adam_loop.pyx was not compiled (no C compiler when the "
                    "course was installed)")


def gradients(dtype, steps=40, seed=0, shape=SHAPE):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype) for _ in range(steps)]


def assert_same_bits(ours, theirs):
    """Equal as bit patterns, so -0.0 differs from 0.0; NaN where the other has NaN.

    (Which of two NaNs an addition passes on depends on the order of its
    operands, so a NaN's sign bit carries no meaning and is not compared.)
    """
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    nan = np.isnan(ours)
    np.testing.assert_array_equal(nan, np.isnan(theirs))
    as_integers = np.uint32 if ours.dtype == np.float32 else np.uint64
    np.testing.assert_array_equal(ours[~nan].view(as_integers), theirs[~nan].view(as_integers))


def both_ways(start, grads, config, numpy_state=None, compiled_state=None):
    """Run the numpy rule and the compiled loop side by side; return both results."""
    by_numpy, compiled = start.copy(), start.copy()
    numpy_state = {} if numpy_state is None else numpy_state
    compiled_state = {} if compiled_state is None else compiled_state
    for grad in grads:
        adam_update(by_numpy, grad, numpy_state, config)
        assert _compiled.adam_update(compiled, grad, compiled_state, config) is True
    return (by_numpy, numpy_state), (compiled, compiled_state)


def assert_same_step(numpy_result, compiled_result):
    (by_numpy, numpy_state), (compiled, compiled_state) = numpy_result, compiled_result
    assert_same_bits(compiled, by_numpy)
    assert_same_bits(compiled_state["m"], numpy_state["m"])
    assert_same_bits(compiled_state["v"], numpy_state["v"])
    assert compiled_state["step"] == numpy_state["step"]


# ---------------------------------------------------------------- same numbers

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", [CONFIG, {"learning_rate": 0.001, "beta_1": 0.9,
                                             "beta_2": 0.999, "epsilon": 1e-7}])
def test_compiled_adam_gives_the_numpy_rules_bits(needs_compiled_loop, dtype, config):
    start = np.random.default_rng(1).standard_normal(SHAPE).astype(dtype)
    numpy_result, compiled_result = both_ways(start, gradients(dtype), config)
    assert_same_step(numpy_result, compiled_result)
    assert compiled_result[1]["step"] == 40
    assert not np.array_equal(compiled_result[0], start)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_bits_with_nan_infinite_and_zero_gradients_and_no_epsilon(needs_compiled_loop,
                                                                       dtype):
    grads = gradients(dtype, steps=5)
    grads[1][0, :4] = [np.nan, np.inf, -np.inf, 0.0]
    grads[2][1, :2] = [-0.0, np.finfo(dtype).tiny / 4]      # a subnormal number
    config = {**CONFIG, "epsilon": 0.0}
    start = np.random.default_rng(1).standard_normal(SHAPE).astype(dtype)
    assert_same_step(*both_ways(start, grads, config))


def test_same_bits_with_whole_number_hyperparameters(needs_compiled_loop):
    config = {"learning_rate": 1, "beta_1": 0, "beta_2": 0.5, "epsilon": 1}
    start = np.ones(SHAPE, np.float32)
    assert_same_step(*both_ways(start, gradients(np.float32, steps=5), config))


@pytest.mark.parametrize("first", ["numpy", "compiled"])
def test_a_state_begun_by_one_path_is_continued_by_the_other_with_the_same_bits(
        needs_compiled_loop, first):
    grads = gradients(np.float32, steps=20)
    start = np.random.default_rng(1).standard_normal(SHAPE).astype(np.float32)
    reference, reference_state = start.copy(), {}
    for grad in grads:
        adam_update(reference, grad, reference_state, CONFIG)

    mixed, state = start.copy(), {}
    for step, grad in enumerate(grads):
        use_numpy = (step < 10) == (first == "numpy")
        if use_numpy:
            adam_update(mixed, grad, state, CONFIG)
        else:
            assert _compiled.adam_update(mixed, grad, state, CONFIG) is True
    assert_same_step((reference, reference_state), (mixed, state))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_optimizer_trains_the_same_with_and_without_the_compiled_loop(
        needs_compiled_loop, monkeypatch, dtype):
    def train():
        params = [np.ones(SHAPE, dtype), np.zeros(10, dtype), np.ones(5, dtype)]
        optimizer = Adam(learning_rate=0.05)
        for step, grad in enumerate(gradients(dtype, steps=20)):
            if step == 10:
                optimizer.learning_rate = 0.01       # changed between epochs, as allowed
            optimizer.update(params, [grad, grad[0, :10].copy(), grad[1, :5].copy()])
        return params, optimizer.states

    compiled_params, compiled_states = train()
    monkeypatch.setattr(_compiled, "ENABLED", False)
    numpy_params, numpy_states = train()
    for ours, theirs in zip(compiled_params, numpy_params):
        assert_same_bits(ours, theirs)
    for ours, theirs in zip(compiled_states, numpy_states):
        assert ours["step"] == theirs["step"] == 20
        assert_same_bits(ours["m"], theirs["m"])
        assert_same_bits(ours["v"], theirs["v"])


def test_adam_optimizer_uses_the_compiled_loop_for_large_parameters_only(
        needs_compiled_loop, monkeypatch):
    calls = []

    def counting_loop(param, *args):
        calls.append(param.size)
        return loop(param, *args)

    loop = _compiled.adam_loop
    monkeypatch.setattr(_compiled, "adam_loop", counting_loop)
    # Alone and large enough; alone but too small; packed (20006 numbers, by numpy).
    large, small = max(PACK_LIMIT, ADAM_LOOP_MIN_SIZE), ADAM_LOOP_MIN_SIZE - 1
    params = [np.ones(SHAPE, np.float32), np.ones(large, np.float32),
              np.ones(PACK_LIMIT - 1, np.float32), np.ones(7, np.float32)]
    if small >= PACK_LIMIT:
        params.append(np.ones(small, np.float32))
    Adam().update(params, [np.ones_like(p) for p in params])
    assert sorted(calls) == [large, np.prod(SHAPE)]


# ---------------------------------------------------------------- standing aside

@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")   # np.matrix
@pytest.mark.parametrize("case", [
    "small", "integer grad dtype", "other grad dtype", "not contiguous", "read-only",
    "overlapping grad", "np.matrix grad", "masked param", "state of another dtype",
    "disabled", *[f"numpy float64 {key}" for key in HYPERPARAMETERS]])
def test_compiled_adam_stands_aside_where_numbers_could_differ(case, monkeypatch):
    param = np.ones(SHAPE, np.float32)
    grad = np.full(SHAPE, 0.5, np.float32)
    config, state = dict(CONFIG), {}
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
    elif case == "overlapping grad":
        both = np.ones(np.prod(SHAPE) + 1, np.float32)
        param, grad = both[1:], both[:-1]
    elif case == "np.matrix grad":
        grad = np.asmatrix(grad)
    elif case == "masked param":
        param = np.ma.masked_array(param, mask=np.zeros(SHAPE, bool))
    elif case == "state of another dtype":
        state = {"m": np.zeros(SHAPE, np.float64), "v": np.zeros(SHAPE, np.float64)}
    elif case == "disabled":
        monkeypatch.setattr(_compiled, "ENABLED", False)
    else:
        config[case.split()[-1]] = np.float64(config[case.split()[-1]])
    before, state_before = param.copy(), dict(state)
    assert _compiled.adam_update(param, grad, state, config) is False
    assert state == state_before
    np.testing.assert_array_equal(param, before)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_adam_still_takes_np_matrix_gradients():
    param = np.ones((200, 200), np.float32)
    optimizer = Adam(learning_rate=0.1)
    optimizer.update([param], [np.asmatrix(np.ones((200, 200), np.float32))])
    assert optimizer.iterations == optimizer.states[0]["step"] == 1
    np.testing.assert_allclose(param, 0.9, rtol=1e-6)


def test_without_the_compiled_loop_the_numpy_rule_does_the_step(monkeypatch):
    monkeypatch.setattr(_compiled, "adam_loop", None)    # as when installed without a compiler
    assert not _compiled.available()
    param, expected = np.ones(SHAPE, np.float32), np.ones(SHAPE, np.float32)
    grad = np.full(SHAPE, 0.5, np.float32)
    assert _compiled.adam_update(param, grad, {}, CONFIG) is False
    optimizer = Adam(learning_rate=0.1)
    optimizer.update([param], [grad])
    adam_update(expected, grad, {}, optimizer.get_config())
    assert_same_bits(param, expected)


def test_the_loop_refuses_arrays_of_different_lengths(needs_compiled_loop):
    a = np.zeros(3, np.float32)
    with pytest.raises(ValueError, match="same length, but have 3, 2, 3 and 3"):
        _compiled.adam_loop(a, np.zeros(2, np.float32), a.copy(), a.copy(),
                            0.9, 0.1, 0.999, 0.001, 1e-7, 1e-3)


# ---------------------------------------------------------------- Dense + relu

@pytest.fixture
def needs_compiled_relu():
    if not _compiled.ENABLED or _compiled.add_bias_relu is None:
        pytest.skip("course/_dense_relu.pyx was not compiled (no C compiler when the "
                    "course was installed)")


def relu_layer_both_ways(monkeypatch, x, grad_a, dtype, input_gradient=True, seed=0):
    """Forward and backward of the same relu Dense layer, compiled and by numpy."""
    from course import utils
    from course.layers import Dense

    results = []
    for enabled in (True, False):
        monkeypatch.setattr(_compiled, "ENABLED", enabled)
        utils.set_random_seed(seed)
        layer = Dense(grad_a.shape[1], activation="relu", dtype=dtype.__name__,
                      bias_initializer="random_normal")
        a = layer.forward(x)
        grad_x = layer.backward(grad_a, input_gradient=input_gradient)
        results.append((a, grad_x, layer.grads["kernel"], layer.grads["bias"]))
    return results


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, d, units", [(256, 512, 512), (95, 11, 512), (30000, 3, 2),
                                         (7000, 5, 3), (1, 4, 20000), (30000, 2, 1)])
def test_a_relu_layer_gives_numpys_bits_compiled(needs_compiled_relu, monkeypatch,
                                                 dtype, n, d, units):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((n, d)).astype(dtype)
    grad_a = rng.standard_normal((n, units)).astype(dtype)
    x[0, 0] = np.nan                               # NaN must stay NaN through the relu
    grad_a[-1, 0] = np.nan
    grad_a[0, -1] = np.inf
    grad_a[n // 2, -1] = -0.0
    compiled, by_numpy = relu_layer_both_ways(monkeypatch, x, grad_a, dtype)
    for ours, theirs in zip(compiled, by_numpy):
        assert_same_bits(ours, theirs)
    assert np.isnan(compiled[0][0]).all()


def test_a_relu_layer_treats_minus_zero_as_numpy_does(needs_compiled_relu, monkeypatch):
    from course.layers import Dense

    x = np.full((100, 1), -0.0, np.float32)
    x[::2] = 0.0
    grad_a = -np.ones((100, 300), np.float32)      # times a zero mask: -0.0, as numpy
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(_compiled, "ENABLED", enabled)
        layer = Dense(300, activation="relu")
        layer.build(1)
        layer.params["bias"][:] = -0.0             # z = -0.0 + -0.0 = -0.0 into the relu
        a = layer.forward(x)
        assert layer.backward(grad_a, input_gradient=False) is None
        results.append((a, layer.grads["kernel"], layer.grads["bias"]))
    for ours, theirs in zip(*results):
        assert_same_bits(ours, theirs)
    assert not np.signbit(results[0][0]).any()    # relu(-0.0) is 0.0


def test_changing_a_relu_layers_output_in_place_does_not_change_its_gradients(
        needs_compiled_relu, monkeypatch):
    # A loss may work in y_pred's memory; the layer's own z must stay as it was.
    from course.layers import Dense

    x = np.random.default_rng(4).standard_normal((256, 8)).astype(np.float32)
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(_compiled, "ENABLED", enabled)
        layer = Dense(256, activation="relu", kernel_initializer="ones")
        a = layer.forward(x)
        a -= 1.0                                   # the caller's array, changed in place
        layer.backward(a * 0.01)
        results.append((layer.grads["kernel"], layer.grads["bias"]))
    for ours, theirs in zip(*results):
        assert_same_bits(ours, theirs)


def test_a_relu_network_trains_to_the_same_bits_compiled_or_not(needs_compiled_relu,
                                                                monkeypatch):
    import course

    rng = np.random.default_rng(3)
    x = rng.standard_normal((300, 11)).astype(np.float32)
    y = rng.standard_normal((300, 1)).astype(np.float32)

    def train():
        course.set_random_seed(0)
        model = course.Sequential([course.Dense(128, activation="relu", input_shape=(11,)),
                                   course.Dense(160, activation="relu"), course.Dense(1)])
        model.compile(optimizer="adam", loss="mae")
        history = model.fit(x, y, batch_size=150, epochs=3, verbose=0)
        return model.get_weights(), history.history["loss"]

    compiled_weights, compiled_losses = train()
    monkeypatch.setattr(_compiled, "ENABLED", False)
    numpy_weights, numpy_losses = train()
    assert compiled_losses == numpy_losses
    for ours, theirs in zip(compiled_weights, numpy_weights):
        assert_same_bits(ours, theirs)


def test_dense_uses_the_compiled_relu_for_large_relu_layers_only(needs_compiled_relu,
                                                                 monkeypatch):
    from course import activations
    from course.layers import Dense

    calls = []

    def counting(name, loop):
        def wrapped(*args):
            calls.append(name)
            return loop(*args)
        return wrapped

    monkeypatch.setattr(_compiled, "add_bias_relu",
                        counting("forward", _compiled.add_bias_relu))
    monkeypatch.setattr(_compiled, "relu_gradient_and_bias_sum",
                        counting("backward", _compiled.relu_gradient_and_bias_sum))

    class MyReLU(activations.ReLU):
        pass

    for layer, n in [(Dense(512, activation="relu"), 256),        # compiled
                     (Dense(512, activation="relu"), 8),          # too small: numpy
                     (Dense(1, activation="relu"), 30000),        # one unit: numpy
                     (Dense(512, activation=MyReLU()), 256),      # your own relu: numpy
                     (Dense(512, activation="tanh"), 256)]:       # not relu: numpy
        a = layer.forward(np.ones((n, 4), np.float32))
        layer.backward(np.ones_like(a))
    assert calls == ["forward", "backward"]
