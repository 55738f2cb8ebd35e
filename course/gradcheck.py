"""Gradient checking: compare a gradient you derived with one you measured.

The slope of f at x along one coordinate is measured by a centred difference,

    df/dx_i ~ (f(x + eps*e_i) - f(x - eps*e_i)) / (2*eps),

whose error shrinks like eps**2. Comparing it with the gradient from your
formula (or from backward) catches almost every backpropagation bug:

    error = check_gradient(f, grad_f, x)
    assert error < 1e-5

The comparison is the relative error |a - b| / (|a| + |b|), element by
element, so it means the same for large and small gradients. The checkers
measure an element against at least a thousandth of the largest |a| + |b| of
its array (SCALE_FLOOR): a difference quotient cannot measure a gradient a
thousand times smaller than its neighbours to many digits, and such an
element moves the weights a thousand times less anyway.

What the scores mean, measured on float64 networks like those of the lessons
(the 64-25-15-1 sigmoid network on the digits, a hundred small random
sigmoid and tanh networks): a correct backward pass scores 1e-6 or less,
usually far less; a mistake (a missing factor, a wrong sign, a transposed
matrix, a forgotten activation derivative) scores 1e-2 or more. TOLERANCE,
1e-5, sits between the two.

Everything here runs in float64: float32 keeps only about 7 digits, too few
for a difference quotient.
"""

import numpy as np

from course.validation import as_float_array, check_same_shape

# The step of the difference quotient used by the checkers. Its error is
# about eps**2 (from the curvature) plus 1e-16 / eps (from rounding the
# cost); their sum is smallest near eps = 1e-5.
EPS = 1e-5
# An element is compared against at least this share of its array's largest
# |a| + |b| (see relative_error).
SCALE_FLOOR = 1e-3
# A check scores below this when the gradient is right (see the module's text).
TOLERANCE = 1e-5


def numerical_gradient(f, x, eps=1e-6):
    """Centred finite differences of a scalar function: df/dx, same shape as x.

    f: a function of one array returning a number. x: float64 array of any
    shape. Each element of x is moved to x_i + eps and x_i - eps in place, f is
    called with x, and x_i is then restored exactly; so when x is an array that
    f also reads by itself (a layer's kernel), f may ignore its argument.
    Costs 2 * x.size calls of f.
    """
    x = _float64_array(x, "x")
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        f_plus = _scalar(f(x))
        x[index] = original - eps
        f_minus = _scalar(f(x))
        x[index] = original
        gradient[index] = (f_plus - f_minus) / (2 * eps)
    return gradient


def relative_error(a, b, scale_floor=0.0):
    """max over elements of |a - b| / max(1e-8, |a| + |b|), a float in [0, 1].

    a, b: arrays of the same shape. About 1e-7 or less means the two agree;
    1e-2 or more means one of them is wrong.
    scale_floor: with a value s > 0 the denominator is also at least
        s * max(|a| + |b|), the largest over the whole array: an element much
        smaller than the others is then judged by its error relative to the
        array's scale. The checkers below pass SCALE_FLOOR.
    """
    a = as_float_array(a, "a", dtype=np.float64)
    b = as_float_array(b, "b", dtype=np.float64)
    check_same_shape(a, b, "a", "b")
    if a.size == 0:
        return 0.0
    size = np.abs(a) + np.abs(b)
    floor = max(1e-8, scale_floor * float(size.max()))
    return float(np.max(np.abs(a - b) / np.maximum(floor, size)))


class GradientError(float):
    """The largest relative error of a check (a float you can compare), with
    `.parts`: the relative error of each gradient that was checked, by name."""

    def __new__(cls, parts):
        error = super().__new__(cls, max(parts.values(), default=0.0))
        error.parts = dict(parts)
        return error

    def __repr__(self):
        parts = ", ".join(f"{name}: {value:.1e}" for name, value in self.parts.items())
        return f"{float(self):.2e} ({parts})"


def check_gradient(f, grad_f, x, eps=EPS):
    """Relative error between grad_f(x) and the numerical gradient of f at x.

    f: x -> number; grad_f: x -> array shaped like x; x: array (made float64).
    Returns a GradientError, a float: below TOLERANCE (1e-5) means grad_f is
    right (unless x sits within eps of a kink, where the slope jumps); a
    mistake gives 1e-2 or more.
    """
    x = as_float_array(x, "x", dtype=np.float64).copy()
    analytic = as_float_array(grad_f(x.copy()), "grad_f(x)", dtype=np.float64)
    check_same_shape(x, analytic, "x", "grad_f(x)")
    numeric = numerical_gradient(f, x, eps)
    return _compare({"x": analytic}, {"x": numeric})


def check_layer(layer, x, eps=EPS, seed=0):
    """Check a layer's backward against finite differences of its forward.

    layer: with forward(x) -> out, backward(grad_out) -> grad_x, and the dicts
    `params` and `grads` (filled by backward), all float64: build it with
    dtype="float64". x: input batch, shape (n, d).
    The layer is scored with L = sum(forward(x) * g) for a fixed random g of
    the output's shape, whose gradient with respect to the output is g.
    Returns a GradientError with a part for "x" and for every parameter;
    below TOLERANCE (1e-5) means backward is right.
    """
    x = as_float_array(x, "x", dtype=np.float64).copy()
    grad_out = np.random.default_rng(seed).standard_normal(np.shape(layer.forward(x)))
    _require_float64(layer.params, "the layer's parameters")

    def score(_):
        return float(np.sum(layer.forward(x) * grad_out))

    layer.forward(x)
    grad_x = layer.backward(grad_out)
    analytic = {"x": grad_x, **{name: np.array(layer.grads[name]) for name in layer.params}}
    numeric = {"x": numerical_gradient(score, x, eps)}
    for name, value in layer.params.items():
        numeric[name] = numerical_gradient(score, value, eps)
    return _compare(analytic, numeric)


def check_model(model, x, y, loss=None, eps=EPS):
    """Check a whole model's backpropagation against finite differences of its cost.

    model: with `layers` (each with float64 `params` and `grads`),
    forward(x) -> predictions and backward(grad_predictions), which fills
    every layer's grads. x: a batch (n, d); y: its targets, shaped like the
    predictions ((n,) is reshaped to (n, 1) for a model with one output, as
    fit does). loss: a loss name or object; None uses model.loss (set by
    compile). The cost checked is loss(y, model.forward(x)).
    Returns a GradientError with a part per parameter, named like
    "dense_1.kernel" (the layer's name, or its index, then the parameter);
    below TOLERANCE (1e-5) means backpropagation is right.
    """
    from course import losses  # here, so gradcheck can be read on its own

    if loss is None:
        loss = getattr(model, "loss", None)
        if loss is None:
            raise ValueError("The model has no loss: call model.compile(loss=...) "
                             "first, or pass loss= to check_model.")
    loss = losses.get(loss)
    x = as_float_array(x, "x", dtype=np.float64)
    y = as_float_array(y, "y", dtype=np.float64)
    predictions = model.forward(x)           # also builds the layers if needed
    if y.ndim == 1 and np.shape(predictions) == (len(y), 1):
        y = y.reshape(-1, 1)

    def cost(_):
        return loss(y, model.forward(x))

    named = [(getattr(layer, "name", None) or str(i), layer)
             for i, layer in enumerate(model.layers)]
    params = {f"{layer_name}.{name}": value for layer_name, layer in named
              for name, value in layer.params.items()}
    _require_float64(params, "the model's parameters")
    model.backward(loss.gradient(y, predictions))
    analytic = {f"{layer_name}.{name}": np.array(layer.grads[name])
                for layer_name, layer in named for name in layer.params}
    numeric = {name: numerical_gradient(cost, value, eps)
               for name, value in params.items()}
    return _compare(analytic, numeric)


def _compare(analytic, numeric):
    return GradientError({name: relative_error(analytic[name], numeric[name], SCALE_FLOOR)
                          for name in numeric})


def _require_float64(params, what):
    for name, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype != np.float64:
            dtype = getattr(value, "dtype", type(value).__name__)
            raise TypeError(f"{what} must be float64 numpy arrays for a gradient "
                            f"check, but {name!r} is {dtype}; create the layers "
                            f"with dtype='float64' (float32 keeps only about 7 "
                            f"digits, too few for finite differences).")


def _float64_array(x, name):
    if isinstance(x, np.ndarray) and x.dtype == np.float64:
        return x
    return as_float_array(x, name, dtype=np.float64).copy()


def _scalar(value):
    value = np.asarray(value)
    if value.size != 1:
        raise ValueError(f"f must return a single number, but it returned an array "
                         f"of shape {value.shape}; reduce it, e.g. with np.sum or "
                         f"np.mean.")
    return float(value.reshape(()))
