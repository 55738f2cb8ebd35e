"""Loss functions: how wrong the predictions are, and which way to move them.

Every loss answers two questions, the same way for all of them:

    cost = mse(y_true, y_pred)             # a float: the mean over the examples
    grad = mse_gradient(y_true, y_pred)    # d(cost)/d(y_pred), shaped like y_pred

Training asks both at every step, so the costs you can train with (mae, mse,
huber, binary_crossentropy) also answer both at once, checking the inputs
once and computing what the two share (the error y_pred - y_true, the
clipped probabilities) once:

    cost, grad = mse_value_and_gradient(y_true, y_pred)   # the same two numbers

The loss of one example and the cost of a whole set are both reachable:
`reduction="none"` returns the per-example losses, shape (n,), "mean" (the
default) their mean, the cost, and "sum" their sum. For 2-D arrays of shape
(n, k) the loss of one example is the mean over its k values, as Keras
computes it. `l1_norm` and `l2_norm` are sums by definition.

y_true and y_pred must have exactly the same shape: a (n,) target against
(n, 1) predictions is an error, never a silent (n, n) broadcast. The result
keeps y_pred's float type (float32 stays float32).

The classes at the end (MeanSquaredError(), ...) wrap the same functions
under Keras's names, for `model.compile(loss=...)`; `get("mse")` finds them.
"""

import numpy as np

from course.activations import sigmoid
from course.validation import (as_float_array, check_binary_labels, check_choice,
                               check_finite, check_same_shape)

EPSILON = 1e-7
"""Binary cross-entropy clips probabilities to [EPSILON, 1 - EPSILON], as Keras does."""

_REDUCTIONS = ("mean", "sum", "none")


# --- Shared steps: check the inputs, reduce the per-example losses -----------

def _prepare(y_true, y_pred, true_name="y_true", pred_name="y_pred"):
    """Both as float arrays of y_pred's float type, finite, of the same shape."""
    y_true, y_pred = _same_shape_floats(y_true, y_pred, true_name, pred_name)
    check_finite(y_true, true_name)
    check_finite(y_pred, pred_name)
    return y_true, y_pred


def _same_shape_floats(y_true, y_pred, true_name, pred_name):
    """Both as float arrays of y_pred's float type and of the same, non-empty shape."""
    y_pred = as_float_array(y_pred, pred_name)
    y_true = as_float_array(y_true, true_name, dtype=y_pred.dtype)
    if y_pred.ndim == 0:
        raise ValueError(f"{pred_name} is a single number; pass an array with one "
                         f"value per example, e.g. np.array([{float(y_pred):g}]).")
    check_same_shape(y_true, y_pred, true_name, pred_name)
    if y_pred.size == 0:
        raise ValueError(f"{true_name} and {pred_name} are empty; pass at least "
                         f"one example.")
    return y_true, y_pred


def _per_example(values, combine=np.mean):
    """Elementwise losses of shape (n, ...) -> one loss per example, shape (n,)."""
    if values.size == len(values):          # one value per example: it is its loss
        return values.reshape(len(values))
    return combine(values.reshape(len(values), -1), axis=1)


def _cost(values):
    """Elementwise losses of shape (n, ...) -> the cost, the mean of the per-example losses.

    Written as sum / count, which gives the same number as .mean(): on the
    small arrays of a training step np.mean's own overhead costs several
    times more than the sum.
    """
    losses = _per_example(values)
    return float(losses.sum() / len(losses))


def _reduce(losses, reduction):
    """Per-example losses (n,) -> their mean or sum as a float, or themselves."""
    check_choice(reduction, _REDUCTIONS, "reduction")
    if reduction == "mean":
        return float(losses.mean())
    if reduction == "sum":
        return float(losses.sum())
    return losses


def reduce_mean(x):
    """The mean of all the values of x, a float: cost = reduce_mean(per-example losses).

    x: array of any non-empty shape. Same as tf.reduce_mean(x) without an axis.
    """
    x = as_float_array(x, "x")
    if x.size == 0:
        raise ValueError("x is empty; reduce_mean needs at least one value.")
    check_finite(x, "x")
    return float(x.mean())


def reduce_mean_gradient(x):
    """d(reduce_mean(x))/dx = 1 / x.size for every element, same shape as x."""
    x = as_float_array(x, "x")
    return np.full_like(x, 1 / x.size)


# --- Regression losses --------------------------------------------------------

def mae(y_true, y_pred, reduction="mean"):
    """Mean absolute error (the L1 loss as a mean): L = mean(|y_true - y_pred|).

    y_true, y_pred: arrays of the same shape, (n,) or (n, k).
    Returns the cost (a float), or per-example losses (n,) with reduction="none".
    Same as keras.losses.mean_absolute_error and torch.nn.functional.l1_loss.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(_per_example(np.abs(y_pred - y_true)), reduction)


def mae_gradient(y_true, y_pred):
    """d(mae)/d(y_pred) = sign(y_pred - y_true) / N, where N = y_pred.size.

    Where y_pred == y_true the slope is undefined; we return 0 there, as
    PyTorch does. Returns an array shaped like y_pred.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.sign(y_pred - y_true) / y_pred.size


def mae_value_and_gradient(y_true, y_pred):
    """(mae(y_true, y_pred), mae_gradient(y_true, y_pred)), sharing the error.

    With e = y_pred - y_true and N = y_pred.size: cost = mean(|e|) (a float),
    gradient = sign(e) / N (shaped like y_pred).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    gradient = np.sign(error)
    gradient /= y_pred.size
    return _cost(np.abs(error, out=error)), gradient


def mse(y_true, y_pred, reduction="mean"):
    """Mean squared error (the L2 loss as a mean): L = mean((y_true - y_pred)**2).

    y_true, y_pred: arrays of the same shape, (n,) or (n, k).
    Returns the cost (a float), or per-example losses (n,) with reduction="none".
    Same as keras.losses.mean_squared_error and torch.nn.functional.mse_loss.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(_per_example(np.square(y_pred - y_true)), reduction)


def mse_gradient(y_true, y_pred):
    """d(mse)/d(y_pred) = 2 * (y_pred - y_true) / N, where N = y_pred.size."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return 2 * (y_pred - y_true) / y_pred.size


def mse_value_and_gradient(y_true, y_pred):
    """(mse(y_true, y_pred), mse_gradient(y_true, y_pred)), sharing the error.

    With e = y_pred - y_true and N = y_pred.size: cost = mean(e**2) (a float),
    gradient = 2 * e / N (shaped like y_pred).
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    gradient = 2 * error
    gradient /= y_pred.size
    return _cost(np.square(error, out=error)), gradient


def l1_norm(y_true, y_pred, reduction="sum"):
    """L1 loss as a sum: L = sum(|y_true - y_pred|).

    y_true, y_pred: arrays of the same shape, (n,) or (n, k).
    Per example (reduction="none") it is the sum over that example's k values,
    shape (n,); "sum" (the default) adds those up, "mean" averages them.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(_per_example(np.abs(y_pred - y_true), np.sum), reduction)


def l1_norm_gradient(y_true, y_pred):
    """d(l1_norm)/d(y_pred) = sign(y_pred - y_true) (of the sum; 0 where equal)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.sign(y_pred - y_true)


def l2_norm(y_true, y_pred, reduction="sum"):
    """L2 loss as a sum of squares: L = sum((y_true - y_pred)**2).

    This is the squared Euclidean norm of the error, without a square root
    and without TensorFlow's factor 1/2 in tf.nn.l2_loss.
    y_true, y_pred: arrays of the same shape, (n,) or (n, k); reductions as
    for l1_norm.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(_per_example(np.square(y_pred - y_true), np.sum), reduction)


def l2_norm_gradient(y_true, y_pred):
    """d(l2_norm)/d(y_pred) = 2 * (y_pred - y_true) (of the sum)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return 2 * (y_pred - y_true)


def _check_delta(delta):
    """delta as a Python float (which keeps float32 arrays float32), or an error."""
    try:
        value = float(delta)
    except (TypeError, ValueError):
        value = float("nan")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"delta must be a positive number, but it is {delta!r}; "
                         f"the Keras and PyTorch default is 1.0.")
    return value


def huber(y_true, y_pred, delta=1.0, reduction="mean"):
    """Huber loss: with e = y_pred - y_true, L = mean(0.5*e**2 if |e| <= delta
    else delta*(|e| - 0.5*delta)).

    Quadratic near the target, linear (like MAE) far from it, so outliers pull
    less than with MSE. y_true, y_pred: arrays of the same shape, (n,) or (n, k).
    Returns the cost (a float), or per-example losses (n,) with reduction="none".

    delta=1.0 as keras.losses.Huber and torch.nn.HuberLoss, which agree.
    torch.nn.SmoothL1Loss(beta) is huber(delta=beta) divided by beta: the
    same only for beta = delta = 1.
    """
    delta = _check_delta(delta)
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(_per_example(_huber_losses(np.abs(y_pred - y_true), delta)), reduction)


def _huber_losses(size, delta):
    """Elementwise Huber losses of errors of size |e|, as in huber's docstring."""
    return np.where(size <= delta, 0.5 * size ** 2, delta * (size - 0.5 * delta))


def huber_gradient(y_true, y_pred, delta=1.0):
    """d(huber)/d(y_pred) = clip(y_pred - y_true, -delta, delta) / N, N = y_pred.size.

    The slope is the error itself inside [-delta, delta] and +-delta outside.
    """
    delta = _check_delta(delta)
    y_true, y_pred = _prepare(y_true, y_pred)
    return np.clip(y_pred - y_true, -delta, delta) / y_pred.size


def huber_value_and_gradient(y_true, y_pred, delta=1.0):
    """(huber(y_true, y_pred, delta), huber_gradient(y_true, y_pred, delta)), sharing the error.

    With e = y_pred - y_true and N = y_pred.size: cost = mean(0.5*e**2 if
    |e| <= delta else delta*(|e| - 0.5*delta)), gradient = clip(e, -delta, delta) / N.
    """
    delta = _check_delta(delta)
    y_true, y_pred = _prepare(y_true, y_pred)
    error = y_pred - y_true
    gradient = np.clip(error, -delta, delta)
    gradient /= y_pred.size
    return _cost(_huber_losses(np.abs(error, out=error), delta)), gradient


# --- Binary cross-entropy -----------------------------------------------------

def sigmoid_cross_entropy_with_logits(*, labels, logits):
    """Cross-entropy of sigmoid(logits) against labels, elementwise, as TensorFlow.

    L = max(z, 0) - z*y + log(1 + exp(-|z|)), with z the logits and y the labels.
    This equals -(y*log(sigmoid(z)) + (1-y)*log(1 - sigmoid(z))) but never takes
    the log of 0 and never overflows, even for z = +-1000.
    labels, logits: arrays of the same shape; labels in [0, 1]. Returns an
    array of that shape (not reduced).
    """
    labels, logits = _prepare_binary(labels, logits, True, "labels", "logits")
    return _logit_losses(labels, logits)


def sigmoid_cross_entropy_with_logits_gradient(*, labels, logits):
    """dL/dz = sigmoid(z) - y for each element, same shape as logits."""
    labels, logits = _prepare_binary(labels, logits, True, "labels", "logits")
    return sigmoid(logits) - labels


def _logit_losses(y, z):
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def _prepare_binary(y_true, y_pred, from_logits, true_name="y_true", pred_name="y_pred"):
    """_prepare for cross-entropy: also labels in [0, 1] and, unless from_logits,
    probabilities in [0, 1].

    A value between 0 and 1 is finite (NaN fails both comparisons), so when
    the minimum and maximum of the labels and of the probabilities lie there,
    as they do at every step of training, those few quick reductions prove
    it all. Otherwise the checks run one by one to say what is wrong.
    """
    y_true, y_pred = _same_shape_floats(y_true, y_pred, true_name, pred_name)
    if _between_0_and_1(y_true) and (_between_0_and_1(y_pred) if not from_logits
                                     else np.isfinite(y_pred.sum())):
        return y_true, y_pred
    check_finite(y_true, true_name)
    check_finite(y_pred, pred_name)
    check_binary_labels(y_true, true_name)
    if not from_logits:
        _check_probabilities(y_pred, pred_name)
    return y_true, y_pred


def _between_0_and_1(x):
    return x.min() >= 0 and x.max() <= 1


def _check_probabilities(p, name="y_pred"):
    if p.min() < 0 or p.max() > 1:
        raise ValueError(f"{name} must hold probabilities between 0 and 1, but it "
                         f"ranges from {p.min():g} to {p.max():g}. If {name} holds "
                         f"logits (the values before the sigmoid), pass "
                         f"from_logits=True.")


def binary_crossentropy(y_true, y_pred, from_logits=False, reduction="mean"):
    """Binary cross-entropy: L = mean(-(y*log(p) + (1-y)*log(1-p))).

    y_true: labels in [0, 1]. y_pred: probabilities p, or with from_logits=True
    logits z (p = sigmoid(z), computed stably as sigmoid_cross_entropy_with_logits).
    Both of the same shape, (n,) or (n, k). Returns the cost (a float), or
    per-example losses (n,) with reduction="none".

    Probabilities are clipped to [1e-7, 1 - 1e-7] as Keras does, so a
    confident wrong answer costs at most -log(1e-7) = 16.1. PyTorch's
    binary_cross_entropy instead clamps each log at -100 (a cost up to 100);
    the two agree whenever 1e-7 <= p <= 1 - 1e-7. We follow Keras because
    students meet Keras next, and so that the gradient stays finite.
    """
    y_true, y_pred = _prepare_binary(y_true, y_pred, from_logits)
    if from_logits:
        return _reduce(_per_example(_logit_losses(y_true, y_pred)), reduction)
    p = np.clip(y_pred, EPSILON, 1 - EPSILON)
    losses = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    return _reduce(_per_example(losses), reduction)


def binary_crossentropy_gradient(y_true, y_pred, from_logits=False):
    """d(binary_crossentropy)/d(y_pred), shaped like y_pred; N = y_pred.size.

    From probabilities: (p - y) / (p * (1 - p)) / N where 1e-7 <= p <= 1 - 1e-7,
    and 0 where the clip holds p fixed. From logits: (sigmoid(z) - y) / N.
    """
    y_true, y_pred = _prepare_binary(y_true, y_pred, from_logits)
    if from_logits:
        return (sigmoid(y_pred) - y_true) / y_pred.size
    inside = (y_pred >= EPSILON) & (y_pred <= 1 - EPSILON)
    p = np.clip(y_pred, EPSILON, 1 - EPSILON)
    slope = (p - y_true) / (p * (1 - p))
    return np.where(inside, slope, 0) / y_pred.size


def binary_crossentropy_value_and_gradient(y_true, y_pred, from_logits=False):
    """(binary_crossentropy(...), binary_crossentropy_gradient(...)) of the same arguments.

    From probabilities, with p = clip(y_pred, 1e-7, 1 - 1e-7), y = y_true and
    N = y_pred.size: cost = mean(-(y*log(p) + (1-y)*log(1-p))) (a float),
    gradient = (p - y) / (p * (1 - p)) / N where the clip leaves y_pred
    unchanged, 0 where it holds it fixed. Checks the inputs once and computes
    p and 1 - p once. From logits z: cost as sigmoid_cross_entropy_with_logits,
    gradient = (sigmoid(z) - y) / N.
    """
    y_true, y_pred = _prepare_binary(y_true, y_pred, from_logits)
    if from_logits:
        gradient = sigmoid(y_pred) - y_true
        gradient /= y_pred.size
        return _cost(_logit_losses(y_true, y_pred)), gradient
    p = np.clip(y_pred, EPSILON, 1 - EPSILON)
    one_minus_p = 1 - p
    losses = -(y_true * np.log(p) + (1 - y_true) * np.log(one_minus_p))
    gradient = p - y_true
    gradient /= p * one_minus_p
    clipped = p != y_pred
    if clipped.any():                   # rare: a confident prediction
        gradient[clipped] = 0
    gradient /= y_pred.size
    return _cost(losses), gradient


# --- Loss objects for compile(loss=...) --------------------------------------

class Loss:
    """A loss as `compile` uses it: the cost, the per-example losses, the gradient.

    loss(y_true, y_pred) -> the cost, a float (the mean of the per-example losses)
    loss.per_example(y_true, y_pred) -> shape (n,)
    loss.gradient(y_true, y_pred) -> d(cost)/d(y_pred), shaped like y_pred
    loss.value_and_gradient(y_true, y_pred) -> (cost, gradient), what fit asks

    To write your own, subclass Loss and define per_example and gradient;
    value_and_gradient then calls those two. `compile` also accepts any
    object with __call__ and gradient.
    """

    name = "loss"

    def __init_subclass__(cls, **kwargs):
        # A subclass that redefines the cost or the gradient (say, a
        # MeanSquaredError with your own gradient) must be trained with them,
        # so it gets the plain value_and_gradient below unless it defines its own.
        super().__init_subclass__(**kwargs)
        redefined = {"__call__", "per_example", "gradient"} & set(vars(cls))
        if redefined and "value_and_gradient" not in vars(cls):
            cls.value_and_gradient = Loss.value_and_gradient

    def __call__(self, y_true, y_pred):
        # The mean without reduce_mean's refusal of inf: finite predictions far
        # from the targets can cost inf (float32 squares overflow past 3.4e38),
        # and inf is then the right answer.
        return float(np.mean(self.per_example(y_true, y_pred)))

    def value_and_gradient(self, y_true, y_pred):
        """(cost, gradient) = (loss(y_true, y_pred), loss.gradient(y_true, y_pred)).

        fit asks for both at every step. The library's losses compute them
        together, checking the inputs once; this version calls the two methods.
        """
        return self(y_true, y_pred), self.gradient(y_true, y_pred)

    def per_example(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  f"per_example(y_true, y_pred).")

    def gradient(self, y_true, y_pred):
        raise NotImplementedError(f"{type(self).__name__} must define "
                                  f"gradient(y_true, y_pred).")

    def __repr__(self):
        return f"{type(self).__name__}()"


class MeanAbsoluteError(Loss):
    """keras.losses.MeanAbsoluteError: the cost is mae(y_true, y_pred)."""

    name = "mean_absolute_error"

    def per_example(self, y_true, y_pred):
        return mae(y_true, y_pred, reduction="none")

    def gradient(self, y_true, y_pred):
        return mae_gradient(y_true, y_pred)

    def value_and_gradient(self, y_true, y_pred):
        return mae_value_and_gradient(y_true, y_pred)


class MeanSquaredError(Loss):
    """keras.losses.MeanSquaredError: the cost is mse(y_true, y_pred)."""

    name = "mean_squared_error"

    def per_example(self, y_true, y_pred):
        return mse(y_true, y_pred, reduction="none")

    def gradient(self, y_true, y_pred):
        return mse_gradient(y_true, y_pred)

    def value_and_gradient(self, y_true, y_pred):
        return mse_value_and_gradient(y_true, y_pred)


class Huber(Loss):
    """keras.losses.Huber(delta=1.0): the cost is huber(y_true, y_pred, delta)."""

    name = "huber_loss"

    def __init__(self, delta=1.0):
        self.delta = _check_delta(delta)

    def per_example(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta, reduction="none")

    def gradient(self, y_true, y_pred):
        return huber_gradient(y_true, y_pred, self.delta)

    def value_and_gradient(self, y_true, y_pred):
        return huber_value_and_gradient(y_true, y_pred, self.delta)

    def __repr__(self):
        return f"Huber(delta={self.delta!r})"


class BinaryCrossentropy(Loss):
    """keras.losses.BinaryCrossentropy(from_logits=False): binary_crossentropy as an object."""

    name = "binary_crossentropy"

    def __init__(self, from_logits=False):
        self.from_logits = bool(from_logits)

    def per_example(self, y_true, y_pred):
        return binary_crossentropy(y_true, y_pred, self.from_logits, reduction="none")

    def gradient(self, y_true, y_pred):
        return binary_crossentropy_gradient(y_true, y_pred, self.from_logits)

    def value_and_gradient(self, y_true, y_pred):
        return binary_crossentropy_value_and_gradient(y_true, y_pred, self.from_logits)

    def __repr__(self):
        return f"BinaryCrossentropy(from_logits={self.from_logits!r})"


_ALIASES = {
    "mae": MeanAbsoluteError,
    "mean_absolute_error": MeanAbsoluteError,
    "mse": MeanSquaredError,
    "mean_squared_error": MeanSquaredError,
    "huber": Huber,
    "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy,
    "bce": BinaryCrossentropy,
}
_BY_FUNCTION = {mae: MeanAbsoluteError, mse: MeanSquaredError, huber: Huber,
                binary_crossentropy: BinaryCrossentropy}


def get(identifier):
    """Turn what compile(loss=...) was given into a loss object.

    identifier: a name as Keras spells it ("mae", "mean_absolute_error",
    "mse", "mean_squared_error", "huber", "binary_crossentropy", "bce"), in
    any case ("MSE" too), which gives a new Loss object with default
    settings; one of this module's functions mae, mse, huber or
    binary_crossentropy, or a loss class such as MeanSquaredError (the
    same); or a loss object, yours included: anything with
    __call__(y_true, y_pred) and gradient(y_true, y_pred), returned as is.
    """
    if isinstance(identifier, str):
        key = identifier.lower()
        check_choice(key, _ALIASES, "loss")
        return _ALIASES[key]()
    for function, cls in _BY_FUNCTION.items():
        if identifier is function:
            return cls()
    if isinstance(identifier, type):         # a class, e.g. MeanSquaredError
        identifier = identifier()            # is made into an object, as Keras does
    if callable(identifier) and callable(getattr(identifier, "gradient", None)):
        return identifier
    known = ", ".join(repr(name) for name in sorted(_ALIASES))
    problem = ("is a function without a gradient" if callable(identifier)
               else "is not a loss")
    raise ValueError(f"{identifier!r} {problem}. Pass one of {known}, or an object "
                     f"with __call__(y_true, y_pred) and gradient(y_true, y_pred), "
                     f"for example a subclass of course.losses.Loss.")
