"""Checks for the exercises of unit 07: a multilayer perceptron with the library.

Notebook: solutions/07_multilayer_perceptron.ipynb (the exercise is made
from it by `course build`). The exercises, in order, all on Red Wine Quality
as the source course trains it:

    build_model             the 11 -> 512 -> 512 -> 512 -> 1 relu network
    compile_model           compiled with Adam and the mean absolute error
    fit_model               features scaled with the training part's min and max,
                            then 10 epochs of batches of 256, with validation data
    read_curves             the validation loss after the last epoch, in quality points
    own_loss_or_optimizer   your own MAE loss object, trained with by fit

The answers here are models, compiled models and training runs, so this
module has its own kinds of check (ModelExercise, CompileExercise,
FitExercise, LossObjectExercise) beside the ValueExercise of kinds.py. Each
check builds what it needs from the reference answers, so one mistake is
counted once: fit_model gets the reference model, already compiled.

The reference training run (10 epochs, about a second) is made once, when
a check first needs it, and shared by the checks that compare with it.
"""

import inspect
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from course import losses, optimizers, utils
from course.callbacks import History
from course.checks.blank import is_blank
from course.checks.kinds import Exercise, ValueExercise, run_answer
from course.checks.mistakes import Mistake
from course.checks.verdicts import compare, correct, describe, format_number, incorrect, \
    is_number
from course.data import MinMaxScaler, load_red_wine, train_valid_split
from course.layers import Dense
from course.models import Sequential

UNIT = "07_multilayer_perceptron"

SEED = 0            # course.set_random_seed before building: the same starting weights
SPLIT_SEED = 0      # train_valid_split(..., seed=0): the same 70/30 split
EPOCHS, BATCH_SIZE = 10, 256
N_FEATURES = 11


# --- The data, as the solution notebook's setup cell prepares it ---------------

@lru_cache(maxsize=1)
def wine_data():
    """Red Wine split 70/30 (seed 0); the target quality scaled to [0, 1] with the
    training part's min and max (3 and 8), as the source course does; the
    features left as they are (fit_model scales them)."""
    X, quality, _ = load_red_wine()
    X_train, X_valid, quality_train, quality_valid = train_valid_split(
        X, quality, train_frac=0.7, seed=SPLIT_SEED)
    target_scaler = MinMaxScaler().fit(quality_train)
    return {"X_train": X_train, "X_valid": X_valid,
            "y_train": target_scaler.transform(quality_train),
            "y_valid": target_scaler.transform(quality_valid),
            "quality_range": float(target_scaler.data_max - target_scaler.data_min)}


def _data_copies():
    data = wine_data()
    return tuple(data[key].copy() for key in ("X_train", "y_train", "X_valid", "y_valid"))


# --- Reference answers (what the solution notebook computes) -------------------

def reference_build_model(model_class=Sequential):
    """11 -> 512 -> 512 -> 512 -> 1: three relu layers, a linear output."""
    return model_class([
        Dense(512, activation="relu", input_shape=(N_FEATURES,)),
        Dense(512, activation="relu"),
        Dense(512, activation="relu"),
        Dense(1),
    ])


def reference_compile_model(model):
    """Adam with Keras's defaults, and the mean absolute error."""
    model.compile(optimizer="adam", loss="mae")


def reference_fit_model(model, X_train, y_train, X_valid, y_valid, epochs=EPOCHS):
    """Scale the features with the training part's min and max, then fit; the History."""
    scaler = MinMaxScaler().fit(X_train)
    return model.fit(scaler.transform(X_train), y_train,
                     validation_data=(scaler.transform(X_valid), y_valid),
                     batch_size=BATCH_SIZE, epochs=epochs, verbose=0)


def reference_model(loss="mae"):
    """The reference model, seeded and compiled (with `loss` in place of MAE if given)."""
    utils.set_random_seed(SEED)
    model = reference_build_model()
    model.compile(optimizer="adam", loss=loss)
    return model


@lru_cache(maxsize=1)
def reference_history():
    """The History dict of the reference run: {"loss": [...], "val_loss": [...]}."""
    history = reference_fit_model(reference_model(), *_data_copies())
    return {key: list(values) for key, values in history.history.items()}


# --- Describing what an answer built ------------------------------------------

@dataclass(frozen=True)
class Architecture:
    """A model's shape: its inputs, each layer's units and activation, its parameters."""

    input_dim: int
    units: tuple
    activations: tuple
    params: int

    def __str__(self):
        layers = " -> ".join(str(n) for n in (self.input_dim, *self.units))
        return (f"{layers} (activations {', '.join(self.activations)}) with "
                f"{self.params:,} parameters")


def _activation_name(layer):
    activation = getattr(layer, "activation", None)
    return "none" if activation is None else type(activation).__name__.lower()


def architecture_of(model):
    layers = model.layers
    return Architecture(model.input_dim, tuple(layer.units for layer in layers),
                        tuple("none" if name == "linear" else name
                              for name in map(_activation_name, layers)),
                        model.count_params())


def _is_model(value):
    return all(callable(getattr(value, name, None))
               for name in ("fit", "compile", "count_params")) and hasattr(value, "layers")


class ModelExercise(Exercise):
    """A function that builds a model: its layers, activations and parameter count
    must be the reference model's."""

    kind = "model"

    def __init__(self, name, reference, **options):
        super().__init__(name, **options)
        self.reference = reference

    def grade_answer(self, function):
        if not callable(function):
            return incorrect(self.name, f"{self.answer_name} should be a function that "
                                        f"returns a model, got {describe(function)}")
        utils.set_random_seed(SEED)
        model, failure = run_answer(function, uses=self.uses)
        where = f"{self.answer_name}()"
        if failure:
            return self.failure_verdict(failure, f"on {where}")
        if is_blank(model):
            return self.grade({self.answer_name: model})
        if model is None:
            return incorrect(self.name, f"{where} returned None: did you forget "
                                        f"`return model`?")
        if not _is_model(model):
            return incorrect(self.name, f"{where} should return a course.Sequential, "
                                        f"got {describe(model)}")
        if not model.built:
            return incorrect(self.name, "the model is not built yet, so it has no "
                                        "weights to count: give the first Dense "
                                        f"input_shape=({N_FEATURES},)")
        got, expected = architecture_of(model), architecture_of(self.reference())
        if got == expected:
            return correct(self.name)
        return self.wrong(f"your model is {got}; expected {expected}", got, expected)


def _loss_name(loss):
    for name, cls in (("mae", losses.MeanAbsoluteError), ("mse", losses.MeanSquaredError),
                      ("huber", losses.Huber),
                      ("binary_crossentropy", losses.BinaryCrossentropy)):
        if isinstance(loss, cls):
            return name
    return type(loss).__name__


@dataclass(frozen=True)
class Compiled:
    """How a model was compiled: its loss's and optimizer's names, the learning rate."""

    loss: str
    optimizer: str
    learning_rate: object

    def __str__(self):
        rate = ("" if self.learning_rate is None
                else f", learning rate {format_number(self.learning_rate)}")
        return f"loss {self.loss!r}, optimizer {self.optimizer!r}{rate}"


def compiled_as(model):
    optimizer = model.optimizer
    return Compiled(_loss_name(model.loss),
                    getattr(optimizer, "name", type(optimizer).__name__),
                    getattr(optimizer, "learning_rate", None))


class CompileExercise(Exercise):
    """A function that compiles the model it is given: the loss, the optimizer and its
    learning rate must be the reference's."""

    kind = "compile"

    def __init__(self, name, reference, build, **options):
        super().__init__(name, **options)
        self.reference = reference
        self.build = build

    def grade_answer(self, function):
        if not callable(function):
            return incorrect(self.name, f"{self.answer_name} should be a function "
                                        f"(def {self.answer_name}(model):), got "
                                        f"{describe(function)}")
        model = self.build()
        _, failure = run_answer(function, (model,), uses=self.uses)
        where = f"on {self.answer_name}(model)"
        if failure:
            return self.failure_verdict(failure, where)
        if model.loss is None:
            return incorrect(self.name, f"{where}: the model it was given is not "
                                        f"compiled; call model.compile(...) on it")
        expected_model = self.build()
        self.reference(expected_model)
        got, expected = compiled_as(model), compiled_as(expected_model)
        if got == expected:
            return correct(self.name)
        return self.wrong(f"the model was compiled with {got}; expected {expected}",
                          got, expected, where=where)


@dataclass
class FitCall:
    """What a fit_model answer did: the arguments it gave fit, and what came back."""

    x: object = None
    x_val: object = None
    batch_size: object = None
    epochs: object = None
    returned: object = None
    val_loss: tuple = ()
    calls: int = 0

    def same_as(self, other):
        """Whether fit got the same data, batch size and epochs as in `other`."""
        return (self.batch_size == other.batch_size and self.epochs == other.epochs
                and self.x_val is not None and _same_array(self.x, other.x)
                and _same_array(self.x_val, other.x_val))


class _RecordingSequential(Sequential):
    """A Sequential that notes what its fit is called with (for FitExercise).

    It trains only when fit is given what the reference gives it (the same
    scaled features, batch size and epochs): otherwise the verdict is already
    known, and fit returns an empty History at once instead of training.
    """

    def fit(self, *args, **kwargs):
        bound = inspect.signature(Sequential.fit).bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = bound.arguments
        record = self.fit_call
        record.calls += 1
        record.x = np.array(arguments["x"], dtype=np.float64, copy=True)
        validation = arguments["validation_data"]
        record.x_val = (np.array(validation[0], dtype=np.float64, copy=True)
                        if isinstance(validation, (tuple, list)) and len(validation) == 2
                        else None)
        record.batch_size, record.epochs = arguments["batch_size"], arguments["epochs"]
        if not record.same_as(self.expected_call):
            return History()
        return super().fit(*args, **kwargs)


def _recording_model():
    """The reference model, seeded and compiled, that records its fit call."""
    expected = FitExercise.expected()      # first: it may train the reference run
    utils.set_random_seed(SEED)
    model = reference_build_model(_RecordingSequential)
    model.fit_call = FitCall()
    model.expected_call = expected
    reference_compile_model(model)
    return model


def _scaled(fit_on, X):
    return MinMaxScaler().fit(fit_on).transform(X)


def _same_array(a, b):
    return a is not None and a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-9)


class FitExercise(Exercise):
    """A function that trains the model it is given: checked by what it passes to fit
    (the scaled features, validation data, batch size, epochs) and by the validation
    loss it reaches, which must lie within `band` (relative) of the reference run's."""

    kind = "fit"

    def __init__(self, name, *, band=0.1, **options):
        super().__init__(name, **options)
        self.band = band

    def grade_answer(self, function):
        if not callable(function):
            return incorrect(self.name, f"{self.answer_name} should be a function, got "
                                        f"{describe(function)}")
        model = _recording_model()
        returned, failure = run_answer(function, (model, *_data_copies()), uses=self.uses)
        where = f"on {self.answer_name}(model, X_train, y_train, X_valid, y_valid)"
        if failure:
            return self.failure_verdict(failure, where)
        if is_blank(returned):
            return self.grade({self.answer_name: returned})
        got = model.fit_call
        got.returned = returned
        if got.calls == 0:
            return incorrect(self.name, f"{where}: model.fit was never called")
        if isinstance(returned, History):
            got.val_loss = tuple(returned.history.get("val_loss", ()))
        problem = self._problem_with(got)
        if problem is None:
            return correct(self.name)
        return self.wrong(problem, got, self.expected(), where=where)

    @staticmethod
    def expected():
        """The FitCall of the reference answer, with the reference run's val_loss."""
        data = wine_data()
        scaler = MinMaxScaler().fit(data["X_train"])
        return FitCall(scaler.transform(data["X_train"]), scaler.transform(data["X_valid"]),
                       BATCH_SIZE, EPOCHS, None, tuple(reference_history()["val_loss"]), 1)

    def _problem_with(self, got):
        expected = self.expected()
        if not isinstance(got.returned, History):
            return (f"it returned {describe(got.returned)}; return the History that "
                    f"model.fit returns")
        if got.calls > 1:
            return (f"model.fit was called {got.calls} times; call it once, for "
                    f"{EPOCHS} epochs (each call goes on training the same weights)")
        if got.epochs != EPOCHS:
            return f"fit ran for epochs={got.epochs}; the source course trains for {EPOCHS}"
        if got.batch_size != BATCH_SIZE:
            return (f"fit used batch_size={got.batch_size}; the source course uses "
                    f"batches of {BATCH_SIZE}")
        if got.x_val is None:
            return ("fit had no validation_data, so the History has no val_loss: pass "
                    "validation_data=(X_valid scaled, y_valid)")
        if not _same_array(got.x, expected.x):
            return ("the features given to fit are not X_train scaled to [0, 1] with the "
                    "training part's min and max")
        if not _same_array(got.x_val, expected.x_val):
            return ("the validation features are not X_valid scaled with the training "
                    "part's min and max (the same scaler as X_train)")
        final, reference = got.val_loss[-1], expected.val_loss[-1]
        low, high = reference * (1 - self.band), reference * (1 + self.band)
        if not low <= final <= high:
            return (f"after {EPOCHS} epochs the validation loss is {format_number(final)}; "
                    f"expected between {format_number(low)} and {format_number(high)}")
        return None


def _train_x(got):
    return getattr(got, "x", None)


def _scaled_with_whole_set(expected, got):
    data = wine_data()
    whole = np.concatenate([data["X_train"], data["X_valid"]])
    return _same_array(_train_x(got), _scaled(whole, data["X_train"]))


def _not_scaled(expected, got):
    return _same_array(_train_x(got), wine_data()["X_train"])


def _valid_not_scaled(expected, got):
    return (_same_array(_train_x(got), expected.x)
            and _same_array(got.x_val, wine_data()["X_valid"]))


def _valid_scaled_on_itself(expected, got):
    X_valid = wine_data()["X_valid"]
    return (_same_array(_train_x(got), expected.x)
            and _same_array(got.x_val, _scaled(X_valid, X_valid)))


class LazyValueExercise(ValueExercise):
    """A ValueExercise whose expected value comes from a function, called when the
    first answer is checked (here: from the reference training run)."""

    def __init__(self, name, expected_from, **options):
        super().__init__(name, expected=None, **options)
        self.expected_from = expected_from

    def grade_answer(self, value):
        if self.expected is None:
            self.expected = self.expected_from()
        return super().grade_answer(value)


def _final_val_loss_in_quality_points():
    return reference_history()["val_loss"][-1] * wine_data()["quality_range"]


def _near(target, tolerance):
    """A relation: the answer is a number within `tolerance` of target(expected)."""
    def relation(expected, got):
        return is_number(got) and abs(float(got) - target(expected)) <= tolerance
    return relation


# --- Your own loss object -------------------------------------------------------

class LossObjectExercise(Exercise):
    """A loss class (MAE): its value and gradient on a few inputs, then a training
    run with it in fit, whose validation losses must follow the reference run's.

    The run is the reference run's first `epochs` epochs (the same seed, so the
    same weights and minibatches): enough to see the curves agree, and quick.
    """

    kind = "loss object"

    def __init__(self, name, value, gradient, cases, *, rtol=1e-5, atol=1e-8,
                 curve_rtol=1e-3, epochs=3, **options):
        super().__init__(name, **options)
        self.value, self.gradient = value, gradient
        self.cases = cases
        self.epochs = epochs
        self.rtol, self.atol, self.curve_rtol = rtol, atol, curve_rtol

    def grade_answer(self, cls):
        if not callable(cls):
            return incorrect(self.name, f"{self.answer_name} should be a class (class "
                                        f"{self.answer_name}: ...), got {describe(cls)}")
        loss, failure = run_answer(cls, uses=self.uses)
        if failure:
            return self.failure_verdict(failure, f"on {self.answer_name}()")
        for method, reference in (("__call__", self.value), ("gradient", self.gradient)):
            if not callable(getattr(loss, method, None)):
                return incorrect(self.name, f"{self.answer_name} has no {method} method: "
                                            f"fit calls loss(y_true, y_pred) and "
                                            f"loss.gradient(y_true, y_pred)")
            verdict = self._check_method(loss, method, reference)
            if verdict is not None:
                return verdict
        return self._check_training(cls)

    def _check_method(self, loss, method, reference):
        function = loss if method == "__call__" else loss.gradient
        shown = "loss" if method == "__call__" else "loss.gradient"
        for label, y_true, y_pred in self.cases:
            where = f"on {shown}(y_true, y_pred) with {label}"
            result, failure = run_answer(function, (y_true.copy(), y_pred.copy()),
                                         uses=self.uses)
            if failure:
                return self.failure_verdict(failure, where)
            if is_blank(result):
                return self.grade({self.answer_name: result})
            expected = reference(y_true, y_pred)
            reason = compare(expected, result, self.rtol, self.atol,
                             what="the cost" if method == "__call__" else "the gradient")
            if reason:
                return self.wrong(reason, (method, result, y_pred.size),
                                  (method, expected, y_pred.size), where=where)
        return None

    def _check_training(self, cls):
        model = reference_model(loss=cls())
        history, failure = run_answer(reference_fit_model, (model, *_data_copies()),
                                      {"epochs": self.epochs})
        where = (f"training the unit's model with loss={self.answer_name}() "
                 f"for {self.epochs} epochs")
        if failure:
            return self.failure_verdict(failure, f"on {where}")
        got = np.asarray(history.history["val_loss"])
        expected = np.asarray(reference_history()["val_loss"][:self.epochs])
        reason = compare(expected, got, self.curve_rtol, 1e-6, what="the validation losses")
        if reason:
            return self.wrong(f"{where}: {reason}", ("curve", got, got.size),
                              ("curve", expected, expected.size))
        return correct(self.name)


def _method_result(method, relation):
    """A relation between what one method of the loss returned and the right result.

    expected and got are (method, result, n): n is the number of values in y_pred.
    relation(expected_result, got_result, n) compares the two as float64 arrays.
    """
    def holds(expected, got):
        return (got[0] == method == expected[0]
                and relation(np.asarray(expected[1], dtype=np.float64),
                             np.asarray(got[1], dtype=np.float64), expected[2]))
    return holds


def _close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-4, atol=1e-9)


# --- Inputs the checks use ------------------------------------------------------

_rng = np.random.default_rng(7)
_y_true = _rng.uniform(0, 1, size=(6, 1)).astype(np.float32)
_y_pred = (_y_true + 0.2 * _rng.standard_normal((6, 1))).astype(np.float32)
_LOSS_CASES = [
    ("y of shape (6, 1), float32, as fit passes them", _y_true, _y_pred),
    ("y of shape (3,)", np.array([0.2, 0.5, 0.9]), np.array([0.4, 0.5, 0.3])),
    ("a single example", np.array([[0.6]]), np.array([[0.1]])),
]

_MODEL_START = ("def build_model():\n"
                "    return course.Sequential([\n")


# --- The exercises ---------------------------------------------------------------

build_model = ModelExercise(
    "build_model",
    reference=reference_build_model,
    hints=[
        "course.Sequential takes a list of layers; each course.Dense(units, activation=...) "
        "is one layer. The first one also needs input_shape=(11,), the number of features.",
        "Three hidden layers of 512 units with activation='relu', then Dense(1) with no "
        "activation: the output is the predicted quality, a number on the target's scale.",
        "course.Dense(512, activation='relu', input_shape=(11,)), "
        "course.Dense(512, activation='relu'), course.Dense(512, activation='relu'), "
        "course.Dense(1)",
    ],
    wrong_answer=(_MODEL_START +
                  "        course.Dense(512, activation='relu', input_shape=(11,)),\n"
                  "        course.Dense(512, activation='relu'),\n"
                  "        course.Dense(1),\n"
                  "    ])\n"),
    mistakes=[
        Mistake("the model takes 12 features: was quality, the target, counted as one? "
                "The wines have 11 measurements (X has 11 columns), so input_shape=(11,)",
                when=lambda expected, got: got.input_dim == expected.input_dim + 1,
                example=(_MODEL_START +
                         "        course.Dense(512, activation='relu', input_shape=(12,)),\n"
                         "        course.Dense(512, activation='relu'),\n"
                         "        course.Dense(512, activation='relu'),\n"
                         "        course.Dense(1),\n"
                         "    ])\n")),
        Mistake("the output layer has an activation: the predicted quality is a plain "
                "number, so leave the last Dense(1) without one (a relu there can get "
                "stuck at 0 and stop learning)",
                when=lambda expected, got: (got.units == expected.units
                                            and got.activations[:-1] == expected.activations[:-1]
                                            and got.activations[-1] != "none"),
                example=(_MODEL_START +
                         "        course.Dense(512, activation='relu', input_shape=(11,)),\n"
                         "        course.Dense(512, activation='relu'),\n"
                         "        course.Dense(512, activation='relu'),\n"
                         "        course.Dense(1, activation='relu'),\n"
                         "    ])\n")),
        Mistake("the hidden layers have no activation: without relu, stacked Dense "
                "layers add up to a single linear model; give each hidden layer "
                "activation='relu'",
                when=lambda expected, got: (got.units == expected.units
                                            and set(got.activations) == {"none"}),
                example=(_MODEL_START +
                         "        course.Dense(512, input_shape=(11,)),\n"
                         "        course.Dense(512),\n"
                         "        course.Dense(512),\n"
                         "        course.Dense(1),\n"
                         "    ])\n")),
        Mistake("the network needs three hidden layers of 512 units, then the output "
                "layer: four Dense layers in all",
                when=lambda expected, got: (got.units != expected.units
                                            and got.units[-1:] == (1,)
                                            and set(got.units[:-1]) == {512}),
                example=(_MODEL_START +
                         "        course.Dense(512, activation='relu', input_shape=(11,)),\n"
                         "        course.Dense(512, activation='relu'),\n"
                         "        course.Dense(1),\n"
                         "    ])\n")),
    ],
)

compile_model = CompileExercise(
    "compile_model",
    reference=reference_compile_model,
    build=reference_build_model,
    hints=[
        "model.compile takes the optimizer and the loss, each by name (or as an object).",
        "The source course trains this network with Adam and the mean absolute error, "
        "'mae': a regression loss, measured in the target's units.",
        "model.compile(optimizer='adam', loss='mae')",
    ],
    wrong_answer=("def compile_model(model):\n"
                  "    model.compile(optimizer='sgd', loss='mse')\n"),
    mistakes=[
        Mistake("binary cross-entropy is the loss for labels that are 0 or 1 (a class); "
                "quality is a score to predict, a regression: use loss='mae'",
                when=lambda expected, got: got.loss == "binary_crossentropy",
                example=("def compile_model(model):\n"
                         "    model.compile(optimizer='adam', loss='binary_crossentropy')\n")),
        Mistake("the loss is the mean squared error; the source course trains this "
                "network with the mean absolute error, loss='mae' (and only an MAE can "
                "be compared with its numbers)",
                when=lambda expected, got: got.loss == "mse" and got.optimizer == "adam",
                example=("def compile_model(model):\n"
                         "    model.compile(optimizer='adam', loss='mse')\n")),
        Mistake("the optimizer is RMSprop, compile's default (as in Keras): pass "
                "optimizer='adam'",
                when=lambda expected, got: got.loss == "mae" and got.optimizer == "rmsprop",
                example=("def compile_model(model):\n"
                         "    model.compile(loss='mae')\n")),
        Mistake("Adam's learning rate is not Keras's default 0.001: pass "
                "optimizer='adam' (or course.optimizers.Adam() without a learning rate)",
                when=lambda expected, got: (got.loss == "mae" and got.optimizer == "adam"
                                            and got.learning_rate != expected.learning_rate),
                example=("def compile_model(model):\n"
                         "    model.compile(optimizer=course.optimizers.Adam(0.01), loss='mae')\n")),
    ],
)

_FIT_START = ("def fit_model(model, X_train, y_train, X_valid, y_valid):\n")

fit_model = FitExercise(
    "fit_model",
    band=0.1,
    hints=[
        "First scale: a MinMaxScaler fitted on X_train only, then used to transform both "
        "X_train and X_valid. Then one call of model.fit.",
        "scaler = MinMaxScaler().fit(X_train); model.fit(scaler.transform(X_train), "
        "y_train, validation_data=(...), batch_size=..., epochs=...)",
        "return model.fit(scaler.transform(X_train), y_train, validation_data="
        "(scaler.transform(X_valid), y_valid), batch_size=256, epochs=10, verbose=2)",
    ],
    wrong_answer=(_FIT_START +
                  "    scaler = MinMaxScaler().fit(X_train)\n"
                  "    return model.fit(scaler.transform(X_train), y_train,\n"
                  "                     validation_data=(scaler.transform(X_valid), y_valid),\n"
                  "                     epochs=10, verbose=0)\n"),
    mistakes=[
        Mistake("the scaler learned its min and max from all the wines, validation "
                "part included: that lets the validation wines leak into training. Fit "
                "it on X_train only: MinMaxScaler().fit(X_train)",
                when=_scaled_with_whole_set,
                example=(_FIT_START +
                         "    scaler = MinMaxScaler().fit(np.concatenate([X_train, X_valid]))\n"
                         "    return model.fit(scaler.transform(X_train), y_train,\n"
                         "                     validation_data=(scaler.transform(X_valid), y_valid),\n"
                         "                     batch_size=256, epochs=10, verbose=0)\n")),
        Mistake("the features were not scaled: their ranges differ by a factor of "
                "hundreds (total sulfur dioxide runs up to 289, chlorides stay below 1); "
                "scale them to [0, 1] with a MinMaxScaler fitted on X_train",
                when=_not_scaled,
                example=(_FIT_START +
                         "    return model.fit(X_train, y_train, validation_data=(X_valid, y_valid),\n"
                         "                     batch_size=256, epochs=10, verbose=0)\n")),
        Mistake("the validation features were not scaled: transform X_valid with the "
                "same scaler as X_train, so the model sees both on the same scale",
                when=_valid_not_scaled,
                example=(_FIT_START +
                         "    scaler = MinMaxScaler().fit(X_train)\n"
                         "    return model.fit(scaler.transform(X_train), y_train,\n"
                         "                     validation_data=(X_valid, y_valid),\n"
                         "                     batch_size=256, epochs=10, verbose=0)\n")),
        Mistake("the validation part was scaled with its own min and max: use the "
                "scaler fitted on X_train for both, scaler.transform(X_valid)",
                when=_valid_scaled_on_itself,
                example=(_FIT_START +
                         "    scaler = MinMaxScaler().fit(X_train)\n"
                         "    X_valid01 = MinMaxScaler().fit_transform(X_valid)\n"
                         "    return model.fit(scaler.transform(X_train), y_train,\n"
                         "                     validation_data=(X_valid01, y_valid),\n"
                         "                     batch_size=256, epochs=10, verbose=0)\n")),
        Mistake("fit used its default batch size, 32: pass batch_size=256",
                when=lambda expected, got: got.batch_size == 32 and got.epochs == EPOCHS,
                example=(_FIT_START +
                         "    scaler = MinMaxScaler().fit(X_train)\n"
                         "    return model.fit(scaler.transform(X_train), y_train,\n"
                         "                     validation_data=(scaler.transform(X_valid), y_valid),\n"
                         "                     epochs=10, verbose=0)\n")),
        Mistake("fit_model returned nothing: return the History, "
                "return model.fit(...)",
                when=lambda expected, got: got.returned is None and got.calls == 1,
                example=(_FIT_START +
                         "    scaler = MinMaxScaler().fit(X_train)\n"
                         "    model.fit(scaler.transform(X_train), y_train,\n"
                         "              validation_data=(scaler.transform(X_valid), y_valid),\n"
                         "              batch_size=256, epochs=10, verbose=0)\n")),
    ],
)

read_curves = LazyValueExercise(
    "read_curves",
    expected_from=_final_val_loss_in_quality_points,
    rtol=0, atol=0.03,
    hints=[
        "The validation loss is the val_loss that fit printed for each epoch (History key "
        "'val_loss'); read it on the last line, after epoch 10. The target was scaled by "
        "1 / 5, so the loss is too.",
        "An MAE is a mean distance between predictions and targets. Undoing the scaling "
        "of a distance multiplies by the range (8 - 3 = 5); the shift by the minimum "
        "cancels out in a difference.",
        "read_curves = (last validation loss) * quality_range, about 0.1 * 5",
    ],
    mistakes=[
        Mistake("that is the loss on the [0, 1] scale: turn it into quality points by "
                "multiplying by the range of quality in the training part (5)",
                when=_near(lambda e: e / 5, 0.012), example="read_curves = 0.10"),
        Mistake("an error is a difference, so undo only the scaling's factor (times 5), "
                "not its shift: the + 3 of inverse_transform cancels out between a "
                "prediction and its target",
                when=_near(lambda e: e + 3, 0.1), example="read_curves = 0.10 * 5 + 3"),
        Mistake("you divided by the range: going back from the [0, 1] scale to quality "
                "points multiplies by 5",
                when=_near(lambda e: e / 25, 0.003), example="read_curves = 0.10 / 5"),
        Mistake("that is the validation loss after the first epoch; read the val_loss of "
                "the last line fit printed, after epoch 10",
                when=_near(lambda e: (reference_history()["val_loss"][0]
                                      * wine_data()["quality_range"]), 0.03),
                example="read_curves = 0.128 * 5"),
    ],
)

_LOSS_START = ("class MyMAE:\n"
               "    def __call__(self, y_true, y_pred):\n")

own_loss_or_optimizer = LossObjectExercise(
    "own_loss_or_optimizer",
    answer_name="MyMAE",
    value=losses.mae,
    gradient=losses.mae_gradient,
    cases=_LOSS_CASES,
    hints=[
        "fit asks your loss two things at every step: loss(y_true, y_pred), the cost as "
        "one number, and loss.gradient(y_true, y_pred), an array shaped like y_pred.",
        "The cost is np.mean(np.abs(y_pred - y_true)); its slope for each prediction is "
        "the sign of its error, divided by how many values the mean is over.",
        "return float(np.mean(np.abs(y_pred - y_true))) and "
        "return np.sign(y_pred - y_true) / y_pred.size",
    ],
    wrong_answer=(_LOSS_START +
                  "        return float(np.mean(np.abs(y_pred - y_true)))\n"
                  "\n"
                  "    def gradient(self, y_true, y_pred):\n"
                  "        return np.sign(y_pred - y_true) / len(y_pred) ** 2\n"),
    mistakes=[
        Mistake("your gradient points uphill: it is the right one with its sign flipped "
                "(the error is y_pred - y_true)",
                when=_method_result("gradient", lambda e, g, n: _close(g, -e)),
                example=(_LOSS_START +
                         "        return float(np.mean(np.abs(y_pred - y_true)))\n"
                         "\n"
                         "    def gradient(self, y_true, y_pred):\n"
                         "        return np.sign(y_true - y_pred) / y_pred.size\n")),
        Mistake("your gradient is n times too large, the slope of a sum: the cost is a "
                "mean, so divide by y_pred.size (with Adam the curves would hardly show "
                "it, since Adam divides by the gradient's size, but SGD's steps would be "
                "n times too long)",
                when=_method_result("gradient", lambda e, g, n: n > 1 and _close(g, e * n)),
                example=(_LOSS_START +
                         "        return float(np.mean(np.abs(y_pred - y_true)))\n"
                         "\n"
                         "    def gradient(self, y_true, y_pred):\n"
                         "        return np.sign(y_pred - y_true)\n")),
        Mistake("the cost is n times too large: did you sum the absolute errors instead "
                "of averaging them?",
                when=_method_result("__call__", lambda e, g, n: n > 1 and _close(g, e * n)),
                example=(_LOSS_START +
                         "        return float(np.sum(np.abs(y_pred - y_true)))\n"
                         "\n"
                         "    def gradient(self, y_true, y_pred):\n"
                         "        return np.sign(y_pred - y_true) / y_pred.size\n")),
        Mistake("__call__ returned one loss per example; fit needs the cost, one number: "
                "the mean of those losses",
                when=lambda expected, got: (isinstance(got, tuple) and got[0] == "__call__"
                                            and np.ndim(got[1]) > 0),
                example=(_LOSS_START +
                         "        return np.abs(y_pred - y_true)\n"
                         "\n"
                         "    def gradient(self, y_true, y_pred):\n"
                         "        return np.sign(y_pred - y_true) / y_pred.size\n")),
    ],
)

EXERCISES = [build_model, compile_model, fit_model, read_curves, own_loss_or_optimizer]
