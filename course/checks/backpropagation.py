"""Checks for the exercises of unit 05: backpropagation, layer by layer.

Notebook: solutions/05_backpropagation.ipynb (the exercise is made from it
by `course build`). The exercises, in order:

    dense_backward     a dense layer's backward pass: grad_x, grad_kernel, grad_bias
    sigmoid_backward   dL/dz from dL/da through a = sigmoid(z)
    relu_backward      the same through a = relu(z)
    network_gradients  every gradient of the 64-25-15-1 sigmoid network on digits
    gradient_check     the relative error between a gradient and centred differences

Each later exercise is checked with the reference versions of the earlier
ones, so one mistake is counted once.
"""

import inspect

import numpy as np

from course import activations, layers, losses
from course.checks.kinds import Case, FunctionExercise
from course.checks.mistakes import GRADIENT_MISTAKES, Mistake
from course.checks.verdicts import compare, describe, format_number, incorrect, is_number
from course.data import load_digits01
from course.gradcheck import check_gradient, numerical_gradient

UNIT = "05_backpropagation"

PARAMETERS = ("W1", "b1", "W2", "b2", "W3", "b3")
"""The parameters of the network, in the order of its layers."""


# --- Cases whose arguments hold arrays inside a tuple or a dict ---------------------

def _same(a, b):
    """a and b hold the same values, looking inside tuples, lists and dicts."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)):
        return (isinstance(b, type(a)) and len(a) == len(b)
                and all(_same(x, y) for x, y in zip(a, b)))
    if isinstance(a, np.ndarray):
        return (isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
                and np.array_equal(a, b, equal_nan=True))
    return a is b or a == b


class NestedCase(Case):
    """A Case whose arguments may be a tuple (a layer's cache) or a dict of
    arrays (a network's parameters): a change inside them counts as a change."""

    def changed_argument(self, function, args, kwargs):
        try:
            names = list(inspect.signature(function).parameters)
        except (TypeError, ValueError):
            names = []
        for position, (before, after) in enumerate(zip(self.args, args)):
            if not _same(before, after):
                return names[position] if position < len(names) else f"argument {position + 1}"
        return None


# --- dense_backward ------------------------------------------------------------------

def _dense_case(n, d, units, seed, dtype=np.float64, label=""):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(dtype)
    kernel = rng.standard_normal((d, units)).astype(dtype)
    grad_out = rng.standard_normal((n, units)).astype(dtype)
    return NestedCase(grad_out, (x, kernel), label=label)


def _bias_has_a_row_per_example(expected, got):
    grad_x, grad_kernel, _ = expected
    return np.shape(got[2]) == (grad_x.shape[0], grad_kernel.shape[1]) != grad_kernel.shape[1:]


def _shapes_do_not_fit(expected, got):
    """The answer raised: a matrix product whose inner sizes differ."""
    return (getattr(got, "type", None) == "ValueError"
            and "matmul" in getattr(got, "message", ""))


def _bias_averaged(expected, got):
    n = expected[0].shape[0]
    return (n > 1 and all(compare(e, g, 1e-6, 1e-9) is None for e, g in zip(expected[:2], got[:2]))
            and np.allclose(np.asarray(got[2]) * n, expected[2], rtol=1e-6, atol=1e-9))


_DENSE_ANSWER = """def dense_backward(grad_out, cache):
    x, kernel = cache
    grad_x = {grad_x}
    grad_kernel = {grad_kernel}
    grad_bias = {grad_bias}
    return grad_x, grad_kernel, grad_bias
"""


def _dense_answer(grad_x="grad_out @ kernel.T", grad_kernel="x.T @ grad_out",
                  grad_bias="grad_out.sum(axis=0)"):
    return _DENSE_ANSWER.format(grad_x=grad_x, grad_kernel=grad_kernel, grad_bias=grad_bias)


dense_backward = FunctionExercise(
    "dense_backward",
    reference=layers.dense_backward,
    cases=[
        _dense_case(4, 3, 2, seed=1, label="4 examples, 3 features, 2 units"),
        _dense_case(1, 5, 3, seed=2, label="a single example"),
        _dense_case(6, 4, 1, seed=3, label="one unit: grad_out of shape (n, 1)"),
        _dense_case(3, 2, 2, seed=4, dtype=np.float32, label="float32"),
    ],
    rtol=1e-5, atol=1e-6,
    hints=[
        "out = x @ kernel + bias. Each gradient has the shape of what it is the gradient "
        "of: grad_x like x (n, d), grad_kernel like the kernel (d, units), grad_bias like "
        "the bias (units,).",
        "The bias is added to every example's output, so its gradient adds up grad_out "
        "over the examples; the kernel meets x in a matrix product, so its gradient is a "
        "matrix product of x and grad_out; line the shapes up to find which is transposed.",
        "grad_x = grad_out @ kernel.T; grad_kernel = x.T @ grad_out; "
        "grad_bias = grad_out.sum(axis=0)",
    ],
    wrong_answer=_dense_answer(grad_bias="grad_out.mean(axis=0)"),
    mistakes=[
        Mistake("your kernel gradient has the shape of the kernel turned around: "
                "grad_kernel = x.T @ grad_out has the kernel's shape (d, units)",
                when=lambda expected, got: np.shape(got[1]) == expected[1].shape[::-1]
                != expected[1].shape,
                example=_dense_answer(grad_kernel="grad_out.T @ x")),
        Mistake("one of your matrix products does not fit: line up the shapes. "
                "grad_out (n, units) @ kernel.T (units, d) gives grad_x (n, d); "
                "x.T (d, n) @ grad_out (n, units) gives grad_kernel (d, units)",
                when=_shapes_do_not_fit,
                example=_dense_answer(grad_x="grad_out @ kernel")),
        Mistake("your bias gradient still has one row per example: add grad_out up over "
                "the examples, grad_out.sum(axis=0)", when=_bias_has_a_row_per_example,
                example=_dense_answer(grad_bias="grad_out")),
        Mistake("your bias gradient is the mean over the examples, n times too small: sum "
                "it instead (the cost's 1/n is already inside grad_out)", when=_bias_averaged,
                example=_dense_answer(grad_bias="grad_out.mean(axis=0)")),
    ],
)


# --- sigmoid_backward and relu_backward ------------------------------------------------

def reference_sigmoid_backward(grad_a, z):
    """dL/dz = dL/da * sigmoid(z) * (1 - sigmoid(z)), elementwise; shape of z."""
    return grad_a * activations.sigmoid_derivative(z)


def reference_relu_backward(grad_a, z):
    """dL/dz = dL/da where z > 0, else 0 (0 at z = 0, as Keras and PyTorch); shape of z."""
    return grad_a * activations.relu_derivative(z)


def _activation_cases(seed):
    rng = np.random.default_rng(seed)
    z = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
    grad_a = rng.standard_normal((2, 3))
    return [
        Case(grad_a, z, label="a batch of 2 examples, 3 units, z = 0 included"),
        Case(rng.standard_normal((5, 1)), rng.standard_normal((5, 1)), label="shape (n, 1)"),
        Case(np.array([[0.7]]), np.array([[0.0]]), label="a single example at z = 0"),
        Case(np.array([[1.0, -1.0, 2.0]]), np.array([[-30.0, 30.0, 0.25]]),
             label="large values of z"),
        Case(grad_a.astype(np.float32), z.astype(np.float32), label="float32"),
    ]


sigmoid_backward = FunctionExercise(
    "sigmoid_backward",
    reference=reference_sigmoid_backward,
    cases=_activation_cases(5),
    rtol=1e-5, atol=1e-8,
    hints=[
        "The chain rule: dL/dz = dL/da * da/dz, element by element, with grad_a = dL/da "
        "coming from the layer above.",
        "For a = sigmoid(z), da/dz = a * (1 - a): compute a = sigmoid(z) first.",
        "a = sigmoid(z); return grad_a * a * (1 - a)",
    ],
    mistakes=[
        Mistake("you used z where the sigmoid's output belongs: da/dz = a * (1 - a) with "
                "a = sigmoid(z), not z * (1 - z)",
                answer=lambda grad_a, z: grad_a * z * (1 - z),
                example=("def sigmoid_backward(grad_a, z):\n"
                         "    return grad_a * z * (1 - z)\n")),
        Mistake("you returned the sigmoid's derivative alone: multiply it by grad_a, the "
                "gradient arriving from the layer above (the chain rule)",
                answer=lambda grad_a, z: activations.sigmoid_derivative(z),
                example=("def sigmoid_backward(grad_a, z):\n"
                         "    a = sigmoid(z)\n"
                         "    return a * (1 - a)\n")),
        Mistake("you passed grad_a through unchanged: multiply it by the sigmoid's "
                "derivative, a * (1 - a)", answer=lambda grad_a, z: grad_a,
                example="def sigmoid_backward(grad_a, z):\n    return grad_a\n"),
    ],
)

relu_backward = FunctionExercise(
    "relu_backward",
    reference=reference_relu_backward,
    cases=_activation_cases(6),
    rtol=1e-6, atol=1e-9,
    hints=[
        "relu(z) = max(z, 0): its slope is 1 where z > 0 and 0 where z < 0. At z = 0 the "
        "course takes 0, as Keras and PyTorch do.",
        "Multiply grad_a by a mask of 1s and 0s: (z > 0).",
        "return grad_a * (z > 0)",
    ],
    mistakes=[
        Mistake("at z = 0 your gradient passes through: take relu's derivative there to be "
                "0, as Keras and PyTorch do, with the mask z > 0 (not z >= 0)",
                answer=lambda grad_a, z: grad_a * (z >= 0),
                example=("def relu_backward(grad_a, z):\n"
                         "    return grad_a * (z >= 0)\n")),
        Mistake("you multiplied by relu(z) itself: multiply by its derivative, 1 where "
                "z > 0 and 0 elsewhere", answer=lambda grad_a, z: grad_a * np.maximum(z, 0),
                example=("def relu_backward(grad_a, z):\n"
                         "    return grad_a * relu(z)\n")),
        Mistake("you returned relu's derivative alone: multiply it by grad_a, the gradient "
                "arriving from the layer above (the chain rule)",
                answer=lambda grad_a, z: (z > 0).astype(np.float64),
                example=("def relu_backward(grad_a, z):\n"
                         "    return (z > 0) * 1.0\n")),
    ],
)


# --- network_gradients ----------------------------------------------------------------

def initial_parameters(seed=0, sizes=(64, 25, 15, 1)):
    """Glorot-uniform kernels and zero biases for the 64-25-15-1 network, as a dict
    {"W1": (64, 25), "b1": (25,), "W2": (25, 15), "b2": (15,), "W3": (15, 1), "b3": (1,)}."""
    rng = np.random.default_rng(seed)
    params = {}
    for number, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        params[f"W{number}"] = rng.uniform(-limit, limit, size=(fan_in, fan_out))
        params[f"b{number}"] = np.zeros(fan_out)
    return params


def reference_network_gradients(params, x, y):
    """Every gradient of cost = binary_crossentropy(y, a3) for the sigmoid network
    a1 = sigmoid(x @ W1 + b1), a2 = sigmoid(a1 @ W2 + b2), a3 = sigmoid(a2 @ W3 + b3).

    params: the dict of initial_parameters; x: (n, 64); y: (n, 1).
    Returns {"W1": dL/dW1, ..., "b3": dL/db3}, each shaped like its parameter.
    """
    caches, a = [], x
    for number in (1, 2, 3):
        z, cache = layers.dense_forward(a, params[f"W{number}"], params[f"b{number}"])
        a = activations.sigmoid(z)
        caches.append((cache, z))
    grad_a = losses.binary_crossentropy_gradient(y, a)
    grads = {}
    for number in (3, 2, 1):
        cache, z = caches[number - 1]
        grad_z = reference_sigmoid_backward(grad_a, z)
        grad_a, grads[f"W{number}"], grads[f"b{number}"] = layers.dense_backward(grad_z, cache)
    return {name: grads[name] for name in PARAMETERS}


def _digits(count, offset=0):
    data = load_digits01()
    rows = slice(offset, offset + count)
    return data.data[rows] / 16.0, data.target[rows].reshape(-1, 1).astype(np.float64)


def _all_right(expected, got, names):
    return all(compare(expected[k], got[k], 1e-6, 1e-10) is None for k in names)


def _kernel_transposed(expected, got):
    return any(np.shape(got[k]) == expected[k].shape[::-1] != expected[k].shape
               for k in ("W1", "W2", "W3"))


def _bias_with_rows(expected, got):
    return any(np.ndim(got[k]) == 2 and np.shape(got[k])[1] == expected[k].shape[0]
               for k in ("b1", "b2", "b3"))


def _hidden_derivative_forgotten(expected, got):
    return _all_right(expected, got, ("W3", "b3")) and not _all_right(expected, got, ("W2",))


def _as_tuple(grads):
    return tuple(grads[k] for k in PARAMETERS)


def _all_scaled(factor_test):
    def relation(expected, got):
        return factor_test(_as_tuple(expected), _as_tuple(got))
    return relation


def _n_times(expected, got):
    ratios = [np.asarray(got[k], dtype=np.float64).ravel() / expected[k].ravel()
              for k in PARAMETERS if np.all(expected[k] != 0)]
    ratios = np.concatenate(ratios)
    return len(ratios) > 0 and np.allclose(ratios, ratios[0], rtol=1e-5) and ratios[0] > 2.5


class NetworkGradientsExercise(FunctionExercise):
    """network_gradients: a dict of six gradients, each compared with the reference,
    named by its parameter in the verdict."""

    def mismatch(self, expected, result, case):
        if not isinstance(result, dict):
            return (f"network_gradients should return a dict with a gradient per parameter "
                    f"({', '.join(PARAMETERS)}), got {describe(result)}")
        missing = [k for k in PARAMETERS if k not in result]
        if missing:
            return (f"the gradients of {', '.join(missing)} are missing: return "
                    f"{{'W1': grad_W1, 'b1': grad_b1, ...}} with all six")
        for k in PARAMETERS:
            what = f"grads['{k}']"
            reason = compare(expected[k], result[k], self.rtol, self.atol, what=what)
            if reason and np.shape(result[k]) == expected[k].shape and expected[k].size > 8:
                # A big array printed in full says little: say how far off it is.
                error = np.abs(np.asarray(result[k], dtype=np.float64) - expected[k])
                if np.isfinite(error).all():
                    reason = (f"{what} is not the right gradient: it is off by up to "
                              f"{format_number(error.max())}, where the right one's largest "
                              f"value is {format_number(np.abs(expected[k]).max())}")
            if reason:
                return reason if reason.startswith(what) else f"{what}: {reason}"
        return None


_NETWORK_ANSWER = """def network_gradients(params, x, y):
    z1, cache1 = dense_forward(x, params["W1"], params["b1"])
    a1 = sigmoid(z1)
    z2, cache2 = dense_forward(a1, params["W2"], params["b2"])
    a2 = sigmoid(z2)
    z3, cache3 = dense_forward(a2, params["W3"], params["b3"])
    a3 = sigmoid(z3)
    grad_a3 = {grad_a3}
    grad_z3 = sigmoid_backward(grad_a3, z3)
    grad_a2, grad_W3, grad_b3 = dense_backward(grad_z3, cache3)
{layer2}
    grad_a1, grad_W2, grad_b2 = dense_backward(grad_z2, cache2)
{layer1}
    _, grad_W1, grad_b1 = dense_backward(grad_z1, cache1)
    return {{"W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2,
            "W3": grad_W3, "b3": grad_b3}}
"""


def _network_answer(grad_a3="binary_crossentropy_gradient(y, a3)",
                    layer2="    grad_z2 = sigmoid_backward(grad_a2, z2)",
                    layer1="    grad_z1 = sigmoid_backward(grad_a1, z1)"):
    return _NETWORK_ANSWER.format(grad_a3=grad_a3, layer2=layer2, layer1=layer1)


network_gradients = NetworkGradientsExercise(
    "network_gradients",
    reference=reference_network_gradients,
    cases=[
        NestedCase(initial_parameters(seed=1), *_digits(8), label="8 digits"),
        NestedCase(initial_parameters(seed=2), *_digits(1, offset=20), label="a single digit"),
        NestedCase(initial_parameters(seed=3), *_digits(40, offset=100), label="40 digits"),
    ],
    rtol=1e-5, atol=1e-9,
    uses={"dense_backward": layers.dense_backward, "sigmoid_backward": reference_sigmoid_backward,
          "relu_backward": reference_relu_backward},
    hints=[
        "Forward first, keeping what backward needs: each layer's cache (from dense_forward) "
        "and its z. Then walk back from the loss: binary_crossentropy_gradient(y, a3) is "
        "dL/da3.",
        "Each layer going back is two steps: through the activation, grad_z = "
        "sigmoid_backward(grad_a, z); then through the dense part, grad_a_below, grad_W, "
        "grad_b = dense_backward(grad_z, cache).",
        "grad_z2 = sigmoid_backward(grad_a2, z2); grad_a1, grad_W2, grad_b2 = "
        "dense_backward(grad_z2, cache2); and the same once more for layer 1.",
    ],
    wrong_answer=_network_answer(layer2="    grad_z2 = grad_a2", layer1="    grad_z1 = grad_a1"),
    mistakes=[
        Mistake("a kernel's gradient has the shape of the kernel turned around: dL/dW = "
                "a_below.T @ grad_z has the shape of W, (inputs, units)",
                when=_kernel_transposed,
                example=_network_answer().replace(
                    "    _, grad_W1, grad_b1 = dense_backward(grad_z1, cache1)\n",
                    "    grad_W1, grad_b1 = grad_z1.T @ x, grad_z1.sum(axis=0)\n")),
        Mistake("a bias gradient still has one row per example: add grad_z up over the "
                "examples, grad_z.sum(axis=0)", when=_bias_with_rows,
                example=_network_answer().replace(
                    "    _, grad_W1, grad_b1 = dense_backward(grad_z1, cache1)\n",
                    "    grad_W1, grad_b1 = x.T @ grad_z1, grad_z1\n")),
        Mistake("the last layer's gradients are right but the earlier ones are not: going "
                "back through a hidden layer, did you multiply by the sigmoid's derivative "
                "(sigmoid_backward) before the next dense_backward?",
                when=_hidden_derivative_forgotten,
                example=_network_answer(layer2="    grad_z2 = grad_a2",
                                        layer1="    grad_z1 = grad_a1")),
        Mistake("every gradient is the right one times the number of examples: the cost is "
                "the mean over the examples, and binary_crossentropy_gradient(y, a3) already "
                "divides by n; do not leave that out", when=_n_times,
                example=_network_answer(
                    grad_a3="binary_crossentropy_gradient(y, a3) * len(y)")),
        *(Mistake(m.says, when=_all_scaled(m.when)) for m in GRADIENT_MISTAKES),
    ],
)


# --- gradient_check ---------------------------------------------------------------------

def reference_gradient_check(f, grad_f, x, eps=1e-5):
    """max over the elements of |a - n| / max(1e-8, |a| + |n|), with a = grad_f(x)
    and n the centred differences (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)."""
    return float(check_gradient(f, grad_f, x, eps))


def _cube_sum(x):
    return float(np.sum(x ** 3))


def _cube_sum_gradient(x):
    return 3 * x ** 2


def _cube_sum_half_gradient(x):
    return 1.5 * x ** 2


_rng = np.random.default_rng(7)
_X_logistic = _rng.uniform(-1.0, 1.0, size=(6, 3))
_y_logistic = np.array([[1.0], [0.0], [1.0], [1.0], [0.0], [0.0]])


def _logistic_cost(w):
    """The cost of logistic regression with weights w (3, 1) on six examples."""
    return losses.binary_crossentropy(_y_logistic, activations.sigmoid(_X_logistic @ w))


def _logistic_gradient(w):
    return _X_logistic.T @ (activations.sigmoid(_X_logistic @ w) - _y_logistic) / len(_y_logistic)


def _logistic_gradient_flipped(w):
    return -_logistic_gradient(w)


RIGHT_BELOW = 1e-6
"""A gradient check of a right gradient must score below this."""


class GradientCheckExercise(FunctionExercise):
    """gradient_check: for a right gradient the score must be below RIGHT_BELOW; for a
    wrong one it must match the reference's score."""

    def grade_answer(self, function):
        verdict = super().grade_answer(function)
        where, _, rest = verdict.detail.partition(": your function changed its argument x ")
        if verdict.status == "incorrect" and rest.startswith("in place"):
            # Moving x's elements in place is what a gradient check does; the
            # general advice (compute a new array) would lead the learner astray.
            return incorrect(self.name, f"{where}: x is not the same after your check as "
                                        f"before: moving one element is right, but put it "
                                        f"back afterwards, x[index] = original")
        return verdict

    def mismatch(self, expected, result, case):
        if not is_number(result):
            return compare(expected, result, self.rtol, self.atol, what="the relative error")
        if expected < 1e-8:
            if 0 <= float(result) < RIGHT_BELOW:
                return None
            return (f"this gradient is right, so the relative error should be below "
                    f"{RIGHT_BELOW:g}, but your check gives {format_number(result)}")
        return compare(expected, result, self.rtol, self.atol, what="the relative error")


def _one_sided(expected, got):
    return expected < 1e-8 and 1e-8 < float(got) < 1e-3


def _divided_by_eps(expected, got):
    return expected < 1e-8 and abs(float(got) - 1 / 3) < 1e-3


def _absolute_error(f, grad_f, x, eps=1e-5):
    return float(np.max(np.abs(grad_f(x) - numerical_gradient(f, np.array(x, dtype=float),
                                                              eps))))


_CHECK_ANSWER = """def gradient_check(f, grad_f, x, eps=1e-5):
    analytic = grad_f(x)
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
{differences}
        x[index] = original
    return {error}
"""


def _check_answer(differences=("        x[index] = original + eps\n"
                               "        f_plus = f(x)\n"
                               "        x[index] = original - eps\n"
                               "        f_minus = f(x)\n"
                               "        numeric[index] = (f_plus - f_minus) / (2 * eps)"),
                  error=("float(np.max(np.abs(analytic - numeric)\n"
                         "                        / np.maximum(1e-8, np.abs(analytic) "
                         "+ np.abs(numeric))))")):
    return _CHECK_ANSWER.format(differences=differences, error=error)


gradient_check = GradientCheckExercise(
    "gradient_check",
    reference=reference_gradient_check,
    cases=[
        Case(_cube_sum, _cube_sum_gradient, np.array([1.0, -2.0, 0.5]),
             label="f = sum(x ** 3) with its right gradient 3 x ** 2"),
        Case(_cube_sum, _cube_sum_half_gradient, np.array([1.0, -2.0, 0.5]),
             label="the same f with a gradient half the right one"),
        Case(_logistic_cost, _logistic_gradient, np.array([[0.5], [-1.0], [2.0]]),
             label="a logistic regression's cost and its right gradient, w of shape (3, 1)"),
        Case(_logistic_cost, _logistic_gradient_flipped, np.array([[0.5], [-1.0], [2.0]]),
             label="the same cost with the gradient's sign flipped"),
    ],
    rtol=1e-4, atol=1e-7,
    hints=[
        "Measure the slope of f along each element of x in turn: move that one element a "
        "little up and a little down, call f each time, and put the element back.",
        "The centred difference is (f(x + eps) - f(x - eps)) / (2 * eps), element by "
        "element (loop with np.ndindex(x.shape)); the relative error is "
        "|a - n| / max(1e-8, |a| + |n|), and you return its largest value.",
        "x[index] = original + eps; f_plus = f(x); x[index] = original - eps; f_minus = f(x); "
        "x[index] = original; numeric[index] = (f_plus - f_minus) / (2 * eps)",
    ],
    mistakes=[
        Mistake("your check finds a right gradient slightly wrong: are your differences "
                "one-sided, (f(x + eps) - f(x)) / eps? Their error is about eps; the centred "
                "difference (f(x + eps) - f(x - eps)) / (2 * eps) is far more exact",
                when=_one_sided,
                example=_check_answer(differences=("        x[index] = original + eps\n"
                                                   "        f_plus = f(x)\n"
                                                   "        x[index] = original\n"
                                                   "        numeric[index] = (f_plus - f(x)) "
                                                   "/ eps"))),
        Mistake("your check gives a right gradient a relative error of 1/3: your measured "
                "slopes are twice too large. The two points of the centred difference are "
                "2 * eps apart, so divide by 2 * eps, not eps",
                when=_divided_by_eps,
                example=_check_answer(differences=("        x[index] = original + eps\n"
                                                   "        f_plus = f(x)\n"
                                                   "        x[index] = original - eps\n"
                                                   "        f_minus = f(x)\n"
                                                   "        numeric[index] = (f_plus - f_minus)"
                                                   " / eps"))),
        Mistake("you returned the absolute difference: divide it by |a| + |n|, so that the "
                "error means the same for large and small gradients",
                answer=_absolute_error, rtol=1e-4, atol=1e-9,
                example=_check_answer(error="float(np.max(np.abs(analytic - numeric)))")),
    ],
)

EXERCISES = [dense_backward, sigmoid_backward, relu_backward, network_gradients, gradient_check]
