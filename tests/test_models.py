"""Sequential: building, compile, fit, evaluate, predict, summary, weights, callbacks."""

import re
import warnings

import numpy as np
import pytest

import course
from course import gradcheck, losses, optimizers
from course.callbacks import Callback, EarlyStopping
from course.layers import Dense
from course.models import Sequential, TrainingDiverged


def regression_data(n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = x @ rng.normal(size=d) + 0.1 * rng.normal(size=n)
    return x, y


def small_model(d=3, units=(8, 1), activation="tanh", dtype="float32", seed=0):
    course.set_random_seed(seed)
    layers = [Dense(units[0], activation=activation, input_shape=(d,), dtype=dtype)]
    layers += [Dense(u, dtype=dtype) for u in units[1:]]
    return Sequential(layers)


def compiled_model(**compile_args):
    model = small_model()
    model.compile(**{"optimizer": "adam", "loss": "mse", **compile_args})
    return model


# --- building and summary ---------------------------------------------------------

def test_layers_get_keras_names_and_the_model_builds_from_input_shape():
    model = small_model(units=(25, 15, 1))
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "dense_2"]
    assert model.built and model.count_params() == (3 * 25 + 25) + (25 * 15 + 15) + (15 + 1)


def test_a_layer_added_to_a_built_model_is_built_on_top_of_it():
    model = small_model(units=(8,))
    model.add(Dense(2))
    assert model.layers[1].params["kernel"].shape == (8, 2)


def test_summary_prints_layers_output_shapes_and_parameter_counts():
    course.set_random_seed(0)
    model = Sequential([Dense(25, activation="sigmoid", input_shape=(64,)),
                        Dense(15, activation="sigmoid"), Dense(1, activation="sigmoid")])
    printed = []
    model.summary(print_fn=printed.append)
    text = printed[0]
    assert 'Model: "sequential"' in text
    rows = [line.split() for line in text.splitlines() if "(Dense)" in line]
    assert rows == [["dense", "(Dense)", "(None,", "25)", "1,625"],
                    ["dense_1", "(Dense)", "(None,", "15)", "390"],
                    ["dense_2", "(Dense)", "(None,", "1)", "16"]]
    assert "Total params: 2,031" in text and "Trainable params: 2,031" in text


def test_summary_of_a_model_without_weights_says_how_to_build_it():
    model = Sequential([Dense(3), Dense(1)])
    with pytest.raises(ValueError, match=r"input_shape=\(features,\), or call fit or predict"):
        model.summary()


def test_a_model_learns_its_input_size_from_the_first_data_it_sees():
    model = Sequential([Dense(4, activation="relu"), Dense(1)])
    assert model.predict(np.ones((2, 6))).shape == (2, 1)
    assert model.input_dim == 6 and model.layers[0].params["kernel"].shape == (6, 4)


class Doubling:
    """A student's own layer, written to the documented contract only: no dtype,
    no count_params, and a backward without input_gradient."""

    def __init__(self):
        self.params, self.grads, self.output_shape = {}, {}, None

    def build(self, input_dim):
        self.output_shape = (None, input_dim)

    def forward(self, x):
        return 2 * x

    def backward(self, grad):
        return 2 * grad


def summary_text(model):
    printed = []
    model.summary(print_fn=printed.append)
    return printed[0]


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_your_own_layer_trains_anywhere_in_the_stack(where):
    x, y = regression_data()
    course.set_random_seed(0)
    layers = {"first": [Doubling(), Dense(4), Dense(1)],
              "middle": [Dense(4, input_shape=(3,)), Doubling(), Dense(1)],
              "last": [Dense(4, input_shape=(3,)), Dense(1), Doubling()]}[where]
    model = Sequential(layers)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x).dtype == np.float32
    assert model.count_params() == (3 * 4 + 4) + (4 + 1)
    assert "doubling (Doubling)" in summary_text(model)


def test_a_layer_without_output_shape_after_build_is_a_clear_error():
    class NoShape(Doubling):
        def build(self, input_dim):
            pass

    with pytest.raises(TypeError, match=r"'noshape' has no output_shape after build; "
                                        r"set self.output_shape = \(None, units\)"):
        Sequential([Dense(2, input_shape=(3,)), NoShape()])


@pytest.mark.parametrize("missing", ["build", "forward", "backward"])
def test_a_layer_without_a_needed_method_names_it(missing):
    layer = Doubling()
    setattr(layer, missing, None)
    with pytest.raises(TypeError, match=f"it has no method {missing}"):
        Sequential([layer])


def test_a_layer_whose_params_is_not_a_dict_is_refused():
    layer = Doubling()
    layer.params = []
    with pytest.raises(TypeError, match="its params must be a dict"):
        Sequential([layer])


def test_a_single_layer_instead_of_a_list_says_to_put_it_in_a_list():
    with pytest.raises(TypeError, match=r"layers must be a list of layers, not a Dense; "
                                        r"put it in a list"):
        Sequential(Dense(3))


def test_something_that_is_not_a_layer_is_refused():
    with pytest.raises(TypeError, match="cannot be a layer"):
        Sequential(["relu"])


# --- compile -------------------------------------------------------------------------

def test_compile_turns_names_into_objects():
    model = compiled_model(optimizer="sgd", loss="mae", metrics=["accuracy", "mae"])
    assert isinstance(model.optimizer, optimizers.SGD)
    assert isinstance(model.loss, losses.MeanAbsoluteError)
    assert [metric.name for metric in model.metrics] == ["accuracy", "mae"]


@pytest.mark.parametrize("args, message", [
    (dict(loss="msee"), "Unknown loss 'msee'. Known: .*'mse'"),
    (dict(loss="mse", optimizer="adamw"), "Unknown optimizer 'adamw'. Known: .*'adam'"),
    (dict(loss=None), "compile needs a loss"),
    (dict(loss="mse", metrics=["acuracy"]), "Unknown metric 'acuracy'"),
])
def test_compile_rejects_unknown_names_listing_the_known_ones(args, message):
    with pytest.raises(ValueError, match=message):
        small_model().compile(**args)


@pytest.mark.parametrize("call", ["fit", "evaluate"])
def test_fit_and_evaluate_before_compile_say_to_compile(call):
    x, y = regression_data()
    with pytest.raises(RuntimeError, match=f"Compile the model before you call {call}"):
        getattr(small_model(), call)(x, y)


# --- bad data --------------------------------------------------------------------------

def test_x_and_y_of_different_lengths_are_refused():
    x, y = regression_data()
    with pytest.raises(ValueError, match="x has 40 examples .* but y has 39"):
        compiled_model().fit(x, y[:-1], verbose=0)


def test_a_feature_count_that_does_not_match_the_model_is_refused():
    x, y = regression_data(d=5)
    with pytest.raises(ValueError, match="x has 5 features .* built for 3"):
        compiled_model().fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="x has 5 features .* built for 3"):
        compiled_model().predict(x)


@pytest.mark.parametrize("bad", ["x", "y", "x_val", "y_val"])
def test_nan_or_inf_in_the_data_is_refused_naming_the_array(bad):
    x, y = regression_data()
    data = {"x": x, "y": y, "x_val": x[:5].copy(), "y_val": y[:5].copy()}
    data[bad] = data[bad].copy()
    data[bad][2] = np.nan if bad.startswith("x") else np.inf
    with pytest.raises(ValueError, match=f"{bad} contains"):
        compiled_model().fit(data["x"], data["y"], verbose=0,
                             validation_data=(data["x_val"], data["y_val"]))


def test_one_dimensional_x_gets_a_reshape_hint():
    with pytest.raises(ValueError, match=r"2-D array .* x.reshape\(-1, 1\)"):
        compiled_model().fit(np.ones(10), np.ones(10), verbose=0)


def test_targets_that_do_not_match_the_outputs_are_refused():
    x, y = regression_data()
    with pytest.raises(ValueError, match=r"y has shape \(40, 2\), but the model predicts 1"):
        compiled_model().fit(x, np.stack([y, y], axis=1), verbose=0)
    three_outputs = small_model(units=(4, 3))
    three_outputs.compile(loss="mse")
    with pytest.raises(ValueError, match=r"y has shape \(40,\), but the model predicts 3"):
        three_outputs.fit(x, y, verbose=0)


def test_a_one_dimensional_target_is_read_as_one_column():
    x, y = regression_data()
    first = compiled_model().fit(x, y, epochs=3, verbose=0).history
    second = compiled_model().fit(x, y.reshape(-1, 1), epochs=3, verbose=0).history
    assert first == second


@pytest.mark.parametrize("args, message", [
    (dict(batch_size=0), "batch_size must be a whole number >= 1, not 0"),
    (dict(epochs=2.0), "epochs must be a whole number >= 0, not 2.0"),
    (dict(callbacks=EarlyStopping()), r"callbacks must be a list, even of one callback: "
                                      r"callbacks=\[EarlyStopping\(...\)\]"),
    (dict(epochs=-1), "epochs must be a whole number"),
    (dict(verbose=3), "verbose must be 0"),
    (dict(validation_split=1.0), "validation_split must be a fraction"),
    (dict(validation_split="20%"), "validation_split must be a fraction"),
    (dict(validation_split=0.99), "leaves 0 for training"),
    (dict(validation_data=(np.ones((2, 3)),)), r"validation_data must be a pair"),
    (dict(callbacks=[print]), "is not a callback"),
])
def test_fit_rejects_bad_arguments_clearly(args, message):
    x, y = regression_data()
    with pytest.raises((ValueError, TypeError), match=message):
        compiled_model().fit(x, y, **{"verbose": 0, **args})


# --- fit ------------------------------------------------------------------------------

def test_fit_returns_a_history_per_epoch_with_keras_names():
    x, y = regression_data()
    model = compiled_model(metrics=["mae"])
    history = model.fit(x, y, epochs=4, batch_size=16, validation_split=0.25, verbose=0)
    assert model.history is history
    assert list(history.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert all(len(values) == 4 for values in history.history.values())
    assert history.epoch == [0, 1, 2, 3]
    assert history.params == {"verbose": 0, "epochs": 4, "steps": 2}   # 30 examples / 16


def test_the_epoch_loss_is_the_mean_over_examples_of_the_step_losses():
    x, y = regression_data(n=10)
    model = compiled_model(optimizer=optimizers.SGD(learning_rate=0.0))  # weights never move
    history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    predictions = model.predict(x)
    y = y.reshape(-1, 1).astype(np.float32)
    by_hand = (4 * losses.mse(y[:4], predictions[:4]) + 4 * losses.mse(y[4:8], predictions[4:8])
               + 2 * losses.mse(y[8:], predictions[8:])) / 10
    assert history.history["loss"][0] == pytest.approx(by_hand, rel=1e-6)
    assert history.history["loss"][0] == pytest.approx(losses.mse(y, predictions), rel=1e-6)


def test_training_metrics_cover_every_example_of_the_epoch():
    x, y = regression_data(n=37)
    y = (y > 0).astype(float)
    model = compiled_model(optimizer=optimizers.SGD(learning_rate=0.0), metrics=["accuracy", "mae"])
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)    # shuffled, last batch of 5
    _, accuracy, mae = model.evaluate(x, y, verbose=0)
    assert history.history["accuracy"] == [accuracy, accuracy]
    assert history.history["mae"] == pytest.approx([mae, mae], rel=1e-6)


def test_validation_split_holds_out_the_last_examples_before_shuffling():
    x, y = regression_data(n=50)
    split = compiled_model().fit(x, y, epochs=3, validation_split=0.2, verbose=0)
    explicit = compiled_model().fit(x[:40], y[:40], epochs=3, verbose=0,
                                    validation_data=(x[40:], y[40:]))
    assert split.history == explicit.history


def test_fit_trains_the_model_downhill():
    x, y = regression_data(n=200)
    history = compiled_model(optimizer=optimizers.Adam(0.01)).fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]


def test_a_seeded_fit_repeats_bit_for_bit_and_another_seed_does_not():
    x, y = regression_data()

    def run(seed):
        course.set_random_seed(seed)
        model = Sequential([Dense(8, activation="relu"), Dense(1)])
        model.compile(optimizer="adam", loss="mae")
        history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.2, verbose=0)
        return history.history, model.get_weights()

    (history_1, weights_1), (history_2, weights_2) = run(5), run(5)
    assert history_1 == history_2
    assert all(np.array_equal(a, b) for a, b in zip(weights_1, weights_2))
    history_3, _ = run(6)
    assert history_3 != history_1


def test_validation_numbers_are_those_of_the_validation_data():
    x, y = regression_data(n=60)
    model = compiled_model(metrics=["mae", "mse"])
    history = model.fit(x[:40], y[:40], epochs=2, verbose=0, validation_data=(x[40:], y[40:]))
    val_loss, val_mae, val_mse = model.evaluate(x[40:], y[40:], verbose=0)
    assert history.history["val_loss"][-1] == val_loss
    assert history.history["val_mae"][-1] == val_mae
    assert history.history["val_mse"][-1] == val_mse
    assert history.history["val_loss"][-1] != model.evaluate(x[:40], y[:40], verbose=0)[0]


def test_each_epoch_visits_every_example_once_in_a_new_order():
    seen = []

    class Recording(losses.MeanSquaredError):
        def value_and_gradient(self, y_true, y_pred):
            seen.append(y_true.ravel().copy())
            return super().value_and_gradient(y_true, y_pred)

    x = np.arange(20, dtype=np.float32).reshape(-1, 1)
    course.set_random_seed(0)
    model = Sequential([Dense(1, input_shape=(1,))])
    model.compile(optimizer=optimizers.SGD(0.0), loss=Recording())
    model.fit(x, x.ravel(), batch_size=5, epochs=2, verbose=0)
    first, second = np.concatenate(seen[:4]), np.concatenate(seen[4:])
    assert sorted(first) == sorted(second) == list(range(20))
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, np.arange(20))


def test_another_seed_with_the_same_starting_weights_changes_the_training():
    x, y = regression_data()
    weights = compiled_model().get_weights()

    def run(seed):
        model = compiled_model()
        model.set_weights(weights)
        course.set_random_seed(seed)
        return model.fit(x, y, epochs=2, batch_size=8, verbose=0).history

    assert run(1) == run(1)
    assert run(1) != run(2)


def test_training_metrics_are_measured_before_each_update():
    # One full batch: the epoch's metric is that of the starting weights,
    # although the update then moves the weights a long way.
    x, y = regression_data()
    model = compiled_model(optimizer=optimizers.SGD(0.5), metrics=["mae"])
    _, mae_before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)
    _, mae_after = model.evaluate(x, y, verbose=0)
    assert history.history["mae"][0] == pytest.approx(mae_before, rel=1e-6)
    assert mae_after != pytest.approx(mae_before, rel=1e-2)


def test_shuffle_false_walks_the_examples_in_order():
    x, y = regression_data()
    course.set_random_seed(0)
    first = compiled_model().fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    model = compiled_model()
    course.set_random_seed(123)          # a different seed changes nothing without shuffling
    second = model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    assert first.history == second.history


def test_training_is_float32_by_default_and_float64_on_request():
    x, y = regression_data()
    model = compiled_model()
    model.fit(x, y, verbose=0)
    assert model.predict(x).dtype == np.float32
    assert all(w.dtype == np.float32 for w in model.get_weights())
    model64 = small_model(dtype="float64")
    model64.compile(optimizer="adam", loss="mse")
    model64.fit(x.astype(np.float32), y, verbose=0)
    assert model64.predict(x).dtype == np.float64
    assert all(w.dtype == np.float64 for w in model64.get_weights())


def test_full_batch_gradient_descent_is_one_step_per_epoch():
    x, y = regression_data()
    history = compiled_model(optimizer="sgd").fit(x, y, batch_size=len(x), epochs=3, verbose=0)
    assert history.params["steps"] == 1


def test_zero_epochs_train_nothing():
    x, y = regression_data()
    model = compiled_model()
    before = model.get_weights()
    history = model.fit(x, y, epochs=0, verbose=0)
    assert history.history == {} and history.epoch == []
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


# --- what fit prints ---------------------------------------------------------------------

EPOCH_LINE = re.compile(r"^Epoch (\d+)/3 - loss: \d+\.\d{4} - mae: \d+\.\d{4} "
                        r"- val_loss: \d+\.\d{4} - val_mae: \d+\.\d{4}$")


def fit_and_capture(capsys, verbose, **fit_args):
    x, y = regression_data()
    compiled_model(metrics=["mae"]).fit(x, y, epochs=3, validation_split=0.25,
                                        verbose=verbose, **fit_args)
    return capsys.readouterr()


def test_verbose_0_prints_nothing(capsys):
    captured = fit_and_capture(capsys, verbose=0)
    assert captured.out == "" and captured.err == ""


def test_verbose_2_prints_one_line_per_epoch_without_timings(capsys):
    lines = fit_and_capture(capsys, verbose=2).out.splitlines()
    assert len(lines) == 3
    assert [EPOCH_LINE.match(line).group(1) for line in lines] == ["1", "2", "3"]


def test_verbose_1_prints_the_same_epoch_lines(capsys):
    assert fit_and_capture(capsys, verbose=1).out == fit_and_capture(capsys, verbose=2).out


class SlowLoss(losses.MeanSquaredError):
    """MSE that takes 0.1 s per call, so that an epoch lasts long enough for a bar."""

    def __call__(self, y_true, y_pred):
        import time
        time.sleep(0.1)
        return super().__call__(y_true, y_pred)


def test_verbose_1_shows_a_progress_bar_over_the_steps_of_a_long_epoch(capsys):
    x, y = regression_data(n=64)
    model = compiled_model(loss=SlowLoss())
    model.fit(x, y, epochs=1, batch_size=8, verbose=1)
    captured = capsys.readouterr()
    assert "Epoch 1/1" in captured.err and "step" in captured.err and "/8" in captured.err
    assert captured.out.startswith("Epoch 1/1 - loss: ")


# --- your own loss and optimizer ---------------------------------------------------------

class MyMeanSquaredError:
    """A student's MSE: only __call__ and gradient, no base class."""

    def __call__(self, y_true, y_pred):
        return np.mean((y_pred - y_true) ** 2)

    def gradient(self, y_true, y_pred):
        return 2 * (y_pred - y_true) / y_pred.size


class MyGradientDescent:
    """A student's optimizer: plain gradient descent with the shared update contract."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def update(self, params, grads):
        for param, grad in zip(params, grads):
            param -= self.learning_rate * grad


def test_your_own_loss_object_trains_like_the_library_loss():
    x, y = regression_data()
    mine = compiled_model(loss=MyMeanSquaredError()).fit(x, y, epochs=3, verbose=0)
    library = compiled_model(loss="mse").fit(x, y, epochs=3, verbose=0)
    np.testing.assert_allclose(mine.history["loss"], library.history["loss"], rtol=1e-5)


def test_your_own_optimizer_object_trains_like_the_library_optimizer():
    x, y = regression_data()
    mine = compiled_model(optimizer=MyGradientDescent(0.05)).fit(x, y, epochs=3, verbose=0)
    library = compiled_model(optimizer=optimizers.SGD(0.05)).fit(x, y, epochs=3, verbose=0)
    np.testing.assert_allclose(mine.history["loss"], library.history["loss"], rtol=1e-6)


def test_fit_asks_the_loss_for_its_value_and_gradient_once_per_step():
    class CountingMeanSquaredError(losses.MeanSquaredError):
        calls = 0

        def value_and_gradient(self, y_true, y_pred):
            self.calls += 1
            return super().value_and_gradient(y_true, y_pred)

    x, y = regression_data(n=40)
    loss = CountingMeanSquaredError()
    counted = compiled_model(loss=loss).fit(x, y, batch_size=10, epochs=2, verbose=0)
    library = compiled_model(loss="mse").fit(x, y, batch_size=10, epochs=2, verbose=0)
    assert loss.calls == 2 * 4
    assert counted.history["loss"] == library.history["loss"]


def test_your_own_loss_that_returns_an_array_is_told_to_take_the_mean():
    class PerExample(MyMeanSquaredError):
        def __call__(self, y_true, y_pred):
            return (y_pred - y_true) ** 2

    x, y = regression_data()
    with pytest.raises(TypeError, match=r"loss\(y_true, y_pred\) must return one number, "
                                        r"the cost, but it returned an array of shape "
                                        r"\(32, 1\); take the mean"):
        compiled_model(loss=PerExample()).fit(x, y, verbose=0)


def test_your_own_optimizer_that_does_not_update_in_place_is_caught_at_the_first_step():
    class Rebinding(MyGradientDescent):
        def update(self, params, grads):
            for param, grad in zip(params, grads):
                param = param - self.learning_rate * grad     # a new array, then lost

    x, y = regression_data()
    with pytest.raises(RuntimeError, match=r"changed none of the weights.*"
                                           r"param -= learning_rate \* grad"):
        compiled_model(optimizer=Rebinding(0.1)).fit(x, y, verbose=0)


def test_one_optimizer_for_two_models_is_refused():
    x, y = regression_data()
    adam = optimizers.Adam()
    compiled_model(optimizer=adam).fit(x, y, verbose=0)
    second = compiled_model(optimizer=adam)
    before = second.get_weights()
    with pytest.raises(ValueError, match="already trained another model.*Make a new optimizer"):
        second.fit(x, y, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, second.get_weights()))


@pytest.mark.parametrize("call", ["fit", "evaluate"])
def test_labels_outside_0_and_1_for_cross_entropy_are_reported_for_y(call):
    x, _ = regression_data()
    model = small_model(units=(4, 1))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    labels = np.arange(len(x)) % 3                      # 0, 1 and 2
    with pytest.raises(ValueError, match=r"^y must hold labels between 0 and 1 .* from 0 to 2"):
        getattr(model, call)(x, labels, verbose=0)


def test_validation_labels_outside_0_and_1_are_reported_for_y_val():
    x, _ = regression_data()
    model = small_model(units=(4, 1))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    labels = np.arange(len(x)) % 3
    with pytest.raises(ValueError, match=r"^y_val must hold labels between 0 and 1"):
        model.fit(x, labels % 2, verbose=0, validation_data=(x, labels))


def test_a_loss_whose_gradient_has_the_wrong_shape_is_a_clear_error():
    class FlatGradient(MyMeanSquaredError):
        def gradient(self, y_true, y_pred):
            return super().gradient(y_true, y_pred).ravel()

    x, y = regression_data()
    with pytest.raises(ValueError, match=r"loss's gradient has shape \(32,\), .* \(32, 1\)"):
        compiled_model(loss=FlatGradient()).fit(x, y, verbose=0)


# --- divergence ----------------------------------------------------------------------------

class NanAfter(MyMeanSquaredError):
    """MSE that turns NaN from its `calls`-th call on, as a diverging run would."""

    def __init__(self, calls):
        self.calls_left = calls

    def __call__(self, y_true, y_pred):
        self.calls_left -= 1
        return np.nan if self.calls_left < 0 else super().__call__(y_true, y_pred)


def test_a_nan_loss_stops_fit_with_the_epoch_the_step_and_a_hint():
    x, y = regression_data(n=40)                   # 4 steps of 10 per epoch
    model = compiled_model(loss=NanAfter(calls=6))  # the 7th step: epoch 2, step 3
    with pytest.raises(TrainingDiverged, match=r"epoch 2, step 3 of 4.*smaller learning rate"
                                               r".*scale the inputs") as caught:
        model.fit(x, y, batch_size=10, epochs=5, verbose=0)
    assert caught.value.epoch == 2 and caught.value.step == 3
    assert caught.value.history is model.history
    assert len(model.history.history["loss"]) == 1 and model.history.epoch == [0]


def test_a_learning_rate_far_too_large_stops_with_training_diverged_and_no_warnings():
    x, y = regression_data(n=64)
    model = compiled_model(loss="mse", optimizer=optimizers.SGD(learning_rate=1e4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TrainingDiverged, match="Try a smaller learning rate"):
            model.fit(100 * x, 100 * y, epochs=50, batch_size=8, verbose=0)


def test_a_loss_that_overflows_to_inf_with_finite_predictions_stops_fit():
    # Finite float32 predictions of 1e20 whose squared error, 1e40, overflows.
    model = Sequential([Dense(1, input_shape=(1,))])
    model.set_weights([np.array([[1e20]]), np.zeros(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(TrainingDiverged, match=r"The loss became inf at epoch 1, step 1"):
        model.fit(np.ones((4, 1)), np.zeros(4), batch_size=2, verbose=0)
    assert np.isfinite(model.predict(np.ones((1, 1)))).all()


# --- predict, evaluate, weights --------------------------------------------------------------

def test_evaluate_returns_the_loss_then_the_metrics():
    x, y = regression_data()
    model = compiled_model(metrics=["mae"])
    predictions = model.predict(x)
    y32 = y.reshape(-1, 1).astype(np.float32)
    loss, mae = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(losses.mse(y32, predictions), rel=1e-6)
    assert mae == pytest.approx(losses.mae(y32, predictions), rel=1e-6)
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss, "mae": mae}
    assert isinstance(compiled_model().evaluate(x, y, verbose=0), float)


def test_evaluate_prints_one_line_with_verbose_1(capsys):
    x, y = regression_data()
    compiled_model(metrics=["mae"]).evaluate(x, y)
    assert re.fullmatch(r"loss: \d+\.\d{4} - mae: \d+\.\d{4}\n", capsys.readouterr().out)


def test_predict_in_chunks_gives_the_same_predictions():
    x, _ = regression_data(n=50)
    model = compiled_model()
    np.testing.assert_allclose(model.predict(x, batch_size=7), model.predict(x), rtol=1e-6)


def test_predict_takes_keras_verbose_and_prints_nothing(capsys):
    x, _ = regression_data()
    model = compiled_model()
    for verbose in (0, 1, 2, "auto"):
        np.testing.assert_array_equal(model.predict(x, verbose=verbose), model.predict(x))
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="verbose must be 0"):
        model.predict(x, verbose=5)


def test_get_weights_returns_copies_and_set_weights_puts_them_back():
    x, _ = regression_data()
    model = compiled_model()
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 8), (8,), (8, 1), (1,)]
    before = model.predict(x)
    weights[0][:] = 0                                  # a copy: the model is unchanged
    np.testing.assert_array_equal(model.predict(x), before)
    model.set_weights(weights)
    assert np.array_equal(model.layers[0].params["kernel"], np.zeros((3, 8)))
    assert not np.array_equal(model.predict(x), before)


def test_set_weights_refuses_the_wrong_count_or_shapes():
    model = compiled_model()
    weights = model.get_weights()
    with pytest.raises(ValueError, match="set_weights got 3 arrays, but the model has 4"):
        model.set_weights(weights[:3])
    weights[2] = np.zeros((1, 8))
    with pytest.raises(ValueError, match=r"weights\[2\] has shape \(1, 8\).* \(8, 1\)"):
        model.set_weights(weights)


def test_set_weights_refuses_nan_or_infinity():
    model = compiled_model()
    weights = model.get_weights()
    before = model.get_weights()
    weights[1][3] = np.nan
    with pytest.raises(ValueError, match=r"weights\[1\] holds NaN or infinite values"):
        model.set_weights(weights)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


# --- callbacks -------------------------------------------------------------------------------

class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(f"epoch_begin {epoch}")

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.calls.append("train_end")


def test_callbacks_are_called_at_each_point_of_training_with_the_logs():
    x, y = regression_data()
    recorder = Recorder()
    model = compiled_model()
    model.fit(x, y, epochs=2, validation_split=0.25, verbose=0, callbacks=[recorder])
    assert recorder.calls == ["train_begin", "epoch_begin 0", "epoch_end 0 ['loss', 'val_loss']",
                              "epoch_begin 1", "epoch_end 1 ['loss', 'val_loss']", "train_end"]
    assert recorder.model is model and recorder.params["epochs"] == 2


def test_a_callback_can_stop_training():
    class StopAfterTwo(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    x, y = regression_data()
    history = compiled_model().fit(x, y, epochs=10, verbose=0, callbacks=[StopAfterTwo()])
    assert history.epoch == [0, 1]


def test_early_stopping_stops_after_patience_epochs_without_improvement():
    class Scripted(Callback):
        """Replaces val_loss by a scripted sequence before EarlyStopping sees it."""

        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = [5.0, 4.0, 4.5, 4.2, 3.0, 6.0][epoch]

    x, y = regression_data()
    stopper = EarlyStopping(patience=2)
    history = compiled_model().fit(x, y, epochs=6, verbose=0, validation_split=0.25,
                                   callbacks=[Scripted(), stopper])
    assert history.epoch == [0, 1, 2, 3]                # 4.5 and 4.2 do not beat 4.0
    assert stopper.stopped_epoch == 3 and stopper.best_epoch == 1


def test_early_stopping_can_restore_the_best_weights():
    class Snapshot(Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = [3.0, 1.0, 2.0, 2.5][epoch]
            if epoch == 1:
                self.best = self.model.get_weights()

    x, y = regression_data()
    model = compiled_model()
    snapshot = Snapshot()
    model.fit(x, y, epochs=4, verbose=0, validation_split=0.25,
              callbacks=[snapshot, EarlyStopping(patience=2, restore_best_weights=True)])
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), snapshot.best))


def test_early_stopping_without_validation_data_says_what_to_pass():
    x, y = regression_data()
    with pytest.raises(ValueError, match="watches 'val_loss', but fit reports only 'loss'. "
                                         "Pass validation_data or validation_split"):
        compiled_model().fit(x, y, epochs=2, verbose=0, callbacks=[EarlyStopping()])


# --- gradients of whole networks -----------------------------------------------------------

@pytest.mark.parametrize("activation, loss, y", [
    ("tanh", "mse", lambda n: np.linspace(-1, 1, n)),
    ("sigmoid", "binary_crossentropy", lambda n: np.arange(n) % 2),
    ("relu", "huber", lambda n: np.linspace(-2, 2, n)),
])
def test_network_gradients_agree_with_finite_differences(activation, loss, y):
    course.set_random_seed(1)
    last = "sigmoid" if loss == "binary_crossentropy" else None
    model = Sequential([Dense(6, activation=activation, dtype="float64"),
                        Dense(4, activation=activation, dtype="float64"),
                        Dense(1, activation=last, dtype="float64")])
    model.compile(loss=loss)
    x = np.random.default_rng(2).normal(size=(7, 3))
    error = gradcheck.check_model(model, x, y(7))
    assert error < 1e-6, error


def test_network_gradients_agree_with_torch():
    torch = pytest.importorskip("torch")
    course.set_random_seed(3)
    model = Sequential([Dense(5, activation="relu", dtype="float64"),
                        Dense(4, activation="sigmoid", dtype="float64"),
                        Dense(1, dtype="float64")])
    model.compile(loss="mse")
    x = np.random.default_rng(4).normal(size=(9, 3))
    y = np.random.default_rng(5).normal(size=(9, 1))
    model.backward(model.loss.gradient(y, model.forward(x)))

    params = [torch.tensor(p, requires_grad=True) for p in model.get_weights()]
    hidden = torch.relu(torch.tensor(x) @ params[0] + params[1])
    hidden = torch.sigmoid(hidden @ params[2] + params[3])
    predictions = hidden @ params[4] + params[5]
    torch.nn.functional.mse_loss(predictions, torch.tensor(y)).backward()

    grads = [g for layer in model.layers for g in layer.grads.values()]
    for ours, theirs in zip(grads, params):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-6, atol=1e-12)
