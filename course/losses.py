"""Loss functions: how wrong the predictions are, and which way to move them.

Every loss answers two questions, the same way for all of them:

    cost = mse(y_true, y_pred)             # a float: the mean over the examples
    grad = mse_gradient(y_true, y_pred)    # d(cost)/d(y_pred), shaped like y_pred

Each formula is written once, as a few lines on the error y_pred - y_true
(or on the clipped probabilities), with its slope beside it. The functions
above check what you hand them, then apply those formulas. Training asks
for both numbers at every step, so the costs you can train with (mae, mse,
huber, binary_crossentropy) also answer both at once, from the same
formulas, computing what the two share once:

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
#
# Each is a formula in the error e = y_pred - y_true, value by value, written
# once below with its slope d/de beside it (which is also d/dy_pred, as e
# moves one for one with y_pred). The functions a student calls (mae,
# mae_gradient, ...) check their inputs and then use these; so do the loss
# objects at every step of fit, on data fit has checked already.

def _absolute(error):
    """|e|, value by value: the loss of mae and of l1_norm."""
    return np.abs(error)


def _absolute_slope(error):
    """d|e|/de = sign(e); 0 where e = 0, where the slope is undefined, as PyTorch."""
    return np.sign(error)


def _squared(error):
    """e**2, value by value: the loss of mse and of l2_norm."""
    return np.square(error)


def _squared_slope(error):
    """d(e**2)/de = 2 * e."""
    return 2 * error


def _huber(error, delta):
    """0.5 * e**2 where |e| <= delta, else delta * (|e| - 0.5 * delta), value by value."""
    size = np.abs(error)
    return np.where(size <= delta, 0.5 * size ** 2, delta * (size - 0.5 * delta))


def _huber_slope(error, delta):
    """The error itself inside [-delta, delta], +-delta outside: clip(e, -delta, delta)."""
    return np.clip(error, -delta, delta)


def mae(y_true, y_pred, reduction="mean"):
    """Mean absolute error (the L1 loss as a mean): L = mean(|y_true - y_pred|).

    y_true, y_pred: arrays of the same shape, (n,) or (n, k).
    Returns the cost (a float), or per-example losses (n,) with reduction="none".
    Same as keras.losses.mean_absolute_error and torch.nn.functional.l1_loss.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(_per_example(_absolute(y_pred - y_true)), reduction)


def mae_gradient(y_true, y_pred):
    """d(mae)/d(y_pred) = sign(y_pred - y_true) / N, where N = y_pred.size.

    Where y_pred == y_true the slope is undefined; we return 0 there, as
    PyTorch does. Returns an array shaped like y_pred.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _absolute_slope(y_pred - y_true) / y_pred.size


def mae_value_and_gradient(y_true, y_pred):
    """(mae(y_true, y_pred), mae_gradient(y_true, y_pred)), checking the inputs once.

    The error e = y_pred - y_true is computed once and shared by the two.
    """
    return MeanAbsoluteError().value_and_gradient(y_true, y_pred)


def mse(y_true, y_pred, reduction="mean"):
    """Mean squared error (the L2 loss as a mean): L = mean((y_true - y_pred)**2).

    y_true, y_pred: arrays of the same shape, (n,) or (n, k).
    Returns the cost (a float), or per-example losses (n,) with reduction="none".
    Same as keras.losses.mean_squared_error and torch.nn.functional.mse_loss.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(_per_example(_squared(y_pred - y_true)), reduction)


def mse_gradient(y_true, y_pred):
    """d(mse)/d(y_pred) = 2 * (y_pred - y_true) / N, where N = y_pred.size."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _squared_slope(y_pred - y_true) / y_pred.size


def mse_value_and_gradient(y_true, y_pred):
    """(mse(y_true, y_pred), mse_gradient(y_true, y_pred)), checking the inputs once."""
    return MeanSquaredError().value_and_gradient(y_true, y_pred)


def l1_norm(y_true, y_pred, reduction="sum"):
    """L1 loss as a sum: L = sum(|y_true - y_pred|).

    y_true, y_pred: arrays of the same shape, (n,) or (n, k).
    Per example (reduction="none") it is the sum over that example's k values,
    shape (n,); "sum" (the default) adds those up, "mean" averages them.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(_per_example(_absolute(y_pred - y_true), np.sum), reduction)


def l1_norm_gradient(y_true, y_pred):
    """d(l1_norm)/d(y_pred) = sign(y_pred - y_true) (of the sum; 0 where equal)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _absolute_slope(y_pred - y_true)


def l2_norm(y_true, y_pred, reduction="sum"):
    """L2 loss as a sum of squares: L = sum((y_true - y_pred)**2).

    This is the squared Euclidean norm of the error, without a square root
    and without TensorFlow's factor 1/2 in tf.nn.l2_loss.
    y_true, y_pred: arrays of the same shape, (n,) or (n, k); reductions as
    for l1_norm.
    """
    y_true, y_pred = _prepare(y_true, y_pred)
    return _reduce(_per_example(_squared(y_pred - y_true), np.sum), reduction)


def l2_norm_gradient(y_true, y_pred):
    """d(l2_norm)/d(y_pred) = 2 * (y_pred - y_true) (of the sum)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return _squared_slope(y_pred - y_true)


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
    return _reduce(_per_example(_huber(y_pred - y_true, delta)), reduction)


def huber_gradient(y_true, y_pred, delta=1.0):
    """d(huber)/d(y_pred) = clip(y_pred - y_true, -delta, delta) / N, N = y_pred.size.

    The slope is the error itself inside [-delta, delta] and +-delta outside.
    """
    delta = _check_delta(delta)
    y_true, y_pred = _prepare(y_true, y_pred)
    return _huber_slope(y_pred - y_true, delta) / y_pred.size


def huber_value_and_gradient(y_true, y_pred, delta=1.0):
    """(huber(y_true, y_pred, delta), huber_gradient(y_true, y_pred, delta)), checked once."""
    return Huber(delta).value_and_gradient(y_true, y_pred)


# --- Binary cross-entropy -----------------------------------------------------
#
# From probabilities p, each value costs -(y*log(p) + (1-y)*log(1-p)) with p
# clipped to [EPSILON, 1 - EPSILON]; from logits z, max(z, 0) - z*y +
# log(1 + exp(-|z|)). Each formula is written once, with its slope beside it.

def _clipped(y_pred):
    """The probabilities clipped to [EPSILON, 1 - EPSILON], as Keras does."""
    return np.clip(y_pred, EPSILON, 1 - EPSILON)


def _crossentropy(y, p):
    """-(y*log(p) + (1-y)*log(1-p)), value by value, for clipped probabilities p."""
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def _crossentropy_slope(y, p, y_pred):
    """d/dy_pred of _crossentropy: (p - y) / (p * (1 - p)), and 0 where the clip holds p fixed.

    y_pred: the probabilities before the clip, p = _clipped(y_pred). Where the
    clip changed them (rare: a confident prediction) the slope is 0, and a
    value outside [0, 1] is refused there (it is no probability).
    """
    slope = (p - y) / (p * (1 - p))
    clipped = p != y_pred
    if clipped.any():
        _check_probabilities(y_pred)
        slope[clipped] = 0
    return slope


def _logit_losses(y, z):
    """max(z, 0) - z*y + log(1 + exp(-|z|)): the cross-entropy of sigmoid(z), never overflowing."""
    return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))


def _logit_slope(y, z):
    """d/dz of _logit_losses = sigmoid(z) - y."""
    return sigmoid(z) - y


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
    return _logit_slope(labels, logits)


def _prepare_binary(y_true, y_pred, from_logits, true_name="y_true", pred_name="y_pred"):
    """_prepare for cross-entropy: also labels in [0, 1] and, unless from_logits,
    probabilities in [0, 1].

    A value between 0 and 1 is finite (NaN fails both comparisons), so when
    the minimum and maximum of the labels and of the probabilities lie there,
    those few quick reductions prove it all. Otherwise the checks run one by
    one to say what is wrong.
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
        losses = _logit_losses(y_true, y_pred)
    else:
        losses = _crossentropy(y_true, _clipped(y_pred))
    return _reduce(_per_example(losses), reduction)


def binary_crossentropy_gradient(y_true, y_pred, from_logits=False):
    """d(binary_crossentropy)/d(y_pred), shaped like y_pred; N = y_pred.size.

    From probabilities: (p - y) / (p * (1 - p)) / N where 1e-7 <= p <= 1 - 1e-7,
    and 0 where the clip holds p fixed. From logits: (sigmoid(z) - y) / N.
    """
    y_true, y_pred = _prepare_binary(y_true, y_pred, from_logits)
    if from_logits:
        return _logit_slope(y_true, y_pred) / y_pred.size
    return _crossentropy_slope(y_true, _clipped(y_pred), y_pred) / y_pred.size


def binary_crossentropy_value_and_gradient(y_true, y_pred, from_logits=False):
    """(binary_crossentropy(...), binary_crossentropy_gradient(...)) of the same arguments.

    Checks the inputs once, and clips the probabilities once for both.
    """
    return BinaryCrossentropy(from_logits).value_and_gradient(y_true, y_pred)


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
        # The library's losses answer value_and_gradient from their formulas
        # directly. A subclass that redefines what that answer stands for (the
        # cost or the gradient, say a MeanSquaredError with your own gradient)
        # must be trained with its own methods, so it gets the plain
        # value_and_gradient below. One that you wrote yourself is never replaced.
        super().__init_subclass__(**kwargs)
        answering = _defined_by(cls, "value_and_gradient")
        if cls.__module__ == __name__ or answering is Loss or answering.__module__ != __name__:
            return                  # the library's own classes, or yours: as written
        mro = cls.__mro__
        if any(mro.index(_defined_by(cls, name)) < mro.index(answering)
               for name in ("__call__", "per_example", "gradient")):
            cls.value_and_gradient = Loss.value_and_gradient

    def __call__(self, y_true, y_pred):
        # The mean without reduce_mean's refusal of inf: finite predictions far
        # from the targets can cost inf (float32 squares overflow past 3.4e38),
        # and inf is then the right answer.
        return float(np.mean(self.per_example(y_true, y_pred)))

    def value_and_gradient(self, y_true, y_pred):
        """(cost, gradient) = (loss(y_true, y_pred), loss.gradient(y_true, y_pred)).

        fit asks for both at every step. This version calls the two methods;
        the library's losses compute them together from their formulas.
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


def _defined_by(cls, name):
    """The class in cls's method resolution order whose body defines `name`."""
    return next(klass for klass in cls.__mro__ if name in vars(klass))


class _ErrorLoss(Loss):
    """A loss of the error e = y_pred - y_true: `losses(e)` value by value, `slope(e)` = d/de.

    value_and_gradient gives cost = mean(losses(e)) and gradient = slope(e) / N,
    N = y_pred.size: the same numbers as the function and its gradient.
    """

    def value_and_gradient(self, y_true, y_pred):
        """(loss(y_true, y_pred), loss.gradient(y_true, y_pred)), checking the inputs once."""
        return self._value_and_gradient(*_prepare(y_true, y_pred))

    def _value_and_gradient(self, y_true, y_pred):
        """The same for arrays checked already (fit's), the error computed once for both."""
        error = y_pred - y_true
        return _cost(self.losses(error)), self.slope(error) / error.size


class MeanAbsoluteError(_ErrorLoss):
    """keras.losses.MeanAbsoluteError: the cost is mae(y_true, y_pred)."""

    name = "mean_absolute_error"
    losses = staticmethod(_absolute)
    slope = staticmethod(_absolute_slope)

    def per_example(self, y_true, y_pred):
        return mae(y_true, y_pred, reduction="none")

    def gradient(self, y_true, y_pred):
        return mae_gradient(y_true, y_pred)


class MeanSquaredError(_ErrorLoss):
    """keras.losses.MeanSquaredError: the cost is mse(y_true, y_pred)."""

    name = "mean_squared_error"
    losses = staticmethod(_squared)
    slope = staticmethod(_squared_slope)

    def per_example(self, y_true, y_pred):
        return mse(y_true, y_pred, reduction="none")

    def gradient(self, y_true, y_pred):
        return mse_gradient(y_true, y_pred)


class Huber(_ErrorLoss):
    """keras.losses.Huber(delta=1.0): the cost is huber(y_true, y_pred, delta)."""

    name = "huber_loss"

    def __init__(self, delta=1.0):
        self.delta = _check_delta(delta)

    def losses(self, error):
        return _huber(error, self.delta)

    def slope(self, error):
        return _huber_slope(error, self.delta)

    def per_example(self, y_true, y_pred):
        return huber(y_true, y_pred, self.delta, reduction="none")

    def gradient(self, y_true, y_pred):
        return huber_gradient(y_true, y_pred, self.delta)

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
        """(loss(y_true, y_pred), loss.gradient(y_true, y_pred)), checking the inputs once."""
        return self._value_and_gradient(*_prepare_binary(y_true, y_pred, self.from_logits))

    def _value_and_gradient(self, y_true, y_pred):
        """The same for arrays checked already (fit's); the probabilities clipped once for both."""
        if self.from_logits:
            return _cost(_logit_losses(y_true, y_pred)), \
                _logit_slope(y_true, y_pred) / y_pred.size
        p = _clipped(y_pred)
        return _cost(_crossentropy(y_true, p)), \
            _crossentropy_slope(y_true, p, y_pred) / y_pred.size

    def __repr__(self):
        return f"BinaryCrossentropy(from_logits={self.from_logits!r})"


LIBRARY_LOSSES = (MeanAbsoluteError, MeanSquaredError, Huber, BinaryCrossentropy)
"""The library's own loss classes: fit asks their _value_and_gradient, which
trusts the arrays fit checked, and takes the answer as it is (see course.training)."""

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
