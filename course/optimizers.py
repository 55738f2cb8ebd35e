"""Optimizers: how a gradient turns into a step.

Every optimizer here is one *update rule*, a plain function with the same
signature for all of them:

    sgd_update(param, grad, state, config)
    rmsprop_update(param, grad, state, config)
    adam_update(param, grad, state, config)

    param:  numpy float array of any shape, changed IN PLACE.
    grad:   array of the same shape, d(cost)/d(param).
    state:  a dict this rule owns for this one parameter (velocities, moments,
            step count). Pass {} the first time and the same dict afterwards.
    config: a dict of hyperparameters, e.g. {"learning_rate": 0.01, ...}.

Beside each rule is a small class with Keras's name and defaults that keeps
each parameter's state and applies the rule to a whole model:

    optimizer = Adam(learning_rate=0.001)
    optimizer.update(params, grads)     # lists of arrays, same order each call
    optimizer.iterations                # how many updates so far

Your own optimizer plugs into `Sequential.compile` if it has the same
`update(params, grads)` method. `minimize` runs any optimizer on a plain
function of a few numbers and records the path it takes.

Each rule is its docstring's formulas, line for line. The parameter and the
state's arrays change in place (`param -= ...`, `v[...] = ...`), so the
model keeps its weights and `optimizer.states` shows them as they change.
To write your own optimizer, write a rule with the same signature and a
subclass of `Optimizer` naming it, as SGD does.
"""

import copy
import math

import numpy as np

from course import _packing
from course.validation import as_float_array, check_choice, check_whole_number

__all__ = [
    "sgd_update", "rmsprop_update", "adam_update",
    "Optimizer", "SGD", "RMSprop", "Adam", "get", "minimize",
]


# ---------------------------------------------------------------- SGD

def sgd_update(param, grad, state, config):
    """Stochastic gradient descent, with optional momentum (Keras's formulas).

    plain:    w = w - lr * g
    momentum: v = momentum * v - lr * g;  w = w + v
    nesterov: v = momentum * v - lr * g;  w = w + momentum * v - lr * g

    config: {"learning_rate", "momentum", "nesterov"}. state: "velocity" (v,
    starts at zeros) when momentum > 0.

    PyTorch's SGD keeps b = momentum * b + g and steps w = w - lr * b (nesterov:
    w = w - lr * (g + momentum * b)). With a constant learning rate that is the
    same path, since v = -lr * b. PyTorch's default learning rate is 1e-3.
    """
    lr, momentum = config["learning_rate"], config["momentum"]
    if momentum == 0:
        param -= lr * grad
        return
    if "velocity" not in state:
        state["velocity"] = np.zeros_like(param)
    v = state["velocity"]
    v[...] = momentum * v - lr * grad
    if config["nesterov"]:
        param -= lr * grad
        param += momentum * v
    else:
        param += v


# ---------------------------------------------------------------- RMSprop

def rmsprop_update(param, grad, state, config):
    """RMSprop: divide the step by a running root mean square of the gradient.

    s = rho * s + (1 - rho) * g**2;  w = w - lr * g / sqrt(s + epsilon)
    centered: a = rho * a + (1 - rho) * g;  w = w - lr * g / sqrt(s - a**2 + epsilon)
    momentum: m = momentum * m + lr * g / sqrt(...);  w = w - m

    config: {"learning_rate", "rho", "momentum", "epsilon", "centered"}.
    state: "mean_square" (s), "mean_gradient" (a, centered only) and
    "momentum" (m, momentum > 0 only), all starting at zeros.

    This is Keras's RMSprop: epsilon inside the square root, rho=0.9,
    epsilon=1e-7, learning_rate=0.001. PyTorch's RMSprop puts epsilon outside,
    w = w - lr * g / (sqrt(s) + eps), and defaults to alpha (our rho) = 0.99,
    eps=1e-8, lr=0.01; its momentum buffer b = momentum * b + g / (sqrt(s) + eps)
    with w = w - lr * b is the same as ours for a constant learning rate.
    """
    lr, rho, epsilon = config["learning_rate"], config["rho"], config["epsilon"]
    momentum = config["momentum"]
    if "mean_square" not in state:
        state["mean_square"] = np.zeros_like(param)
    s = state["mean_square"]
    s[...] = rho * s + (1 - rho) * np.square(grad)
    if config["centered"]:
        if "mean_gradient" not in state:
            state["mean_gradient"] = np.zeros_like(param)
        a = state["mean_gradient"]
        a[...] = rho * a + (1 - rho) * grad
        step = lr * (grad / np.sqrt(s - np.square(a) + epsilon))
    else:
        step = lr * (grad / np.sqrt(s + epsilon))
    if momentum > 0:
        if "momentum" not in state:
            state["momentum"] = np.zeros_like(param)
        m = state["momentum"]
        m[...] = momentum * m + step
        param -= m
    else:
        param -= step


# ---------------------------------------------------------------- Adam

def adam_update(param, grad, state, config):
    """Adam: momentum on the gradient, divided by the RMS of the gradient.

    m = beta_1 * m + (1 - beta_1) * g;  v = beta_2 * v + (1 - beta_2) * g**2
    lr_t = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t);  w = w - lr_t * m / (sqrt(v) + epsilon)

    config: {"learning_rate", "beta_1", "beta_2", "epsilon"}. state: "m" and
    "v" (starting at zeros) and "step" (t, counts this parameter's updates
    from 1).

    Where epsilon goes. This is Keras's Adam (and TensorFlow's): epsilon is
    added to sqrt(v) of the *uncorrected* v, the "epsilon hat" of Kingma & Ba
    (the formula just before their section 2.1), and the bias corrections are
    folded into lr_t. PyTorch's Adam follows Algorithm 1 of the paper instead:
    m_hat = m / (1 - beta_1**t), v_hat = v / (1 - beta_2**t),
    w = w - lr * m_hat / (sqrt(v_hat) + eps). The two agree exactly when
    PyTorch's eps equals ours divided by sqrt(1 - beta_2**t), which changes
    with t, so for the same epsilon Keras's epsilon weighs more in the first
    steps (at t=1 about 32 times more with beta_2=0.999). Defaults: Keras
    epsilon=1e-7, PyTorch eps=1e-8; both lr=0.001, betas (0.9, 0.999).
    """
    beta_1, beta_2, epsilon = config["beta_1"], config["beta_2"], config["epsilon"]
    if "m" not in state:
        state["m"], state["v"] = np.zeros_like(param), np.zeros_like(param)
    m, v = state["m"], state["v"]
    t = state["step"] = state.get("step", 0) + 1
    lr_t = config["learning_rate"] * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    m[...] = beta_1 * m + (1 - beta_1) * grad
    v[...] = beta_2 * v + (1 - beta_2) * np.square(grad)
    param -= lr_t * (m / (np.sqrt(v) + epsilon))


# ---------------------------------------------------------------- classes

def _check_number(value, name, low, high=None, high_included=False):
    """Return `value` as a float, or raise ValueError if it is out of range."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number, but got {value!r}.") from None
    too_high = high is not None and (number > high if high_included else number >= high)
    if not np.isfinite(number) or number < low or too_high:
        upper = "" if high is None else f" and {'at most' if high_included else 'below'} {high:g}"
        raise ValueError(f"{name} must be at least {low:g}{upper}, but got {value!r}.")
    return number


class Optimizer:
    """What every optimizer shares: per-parameter state and the update loop.

    A subclass sets `name`, `rule` (one of the update functions above) and
    `hyperparameters` (the names of its config entries, stored as attributes,
    so you may change `optimizer.learning_rate` between epochs).

    An optimizer belongs to the arrays of its first update, one model's
    parameters: its velocities and moments describe them. Updating other
    arrays with it is an error, as in Keras; make a new optimizer for each
    model.
    """

    name = "optimizer"
    rule = None
    hyperparameters = ("learning_rate",)

    def __init__(self, learning_rate):
        self.learning_rate = _check_number(learning_rate, "learning_rate", 0.0)
        self.iterations = 0
        self._params = None      # the arrays of the first update
        self._plan = None        # how they are updated (see course._packing)

    def get_config(self):
        """The hyperparameters as the dict the update rule reads."""
        config = {}
        for key in self.hyperparameters:
            config[key] = getattr(self, key)
        return config

    def update(self, params, grads):
        """Apply one step to every parameter, in place.

        params: list of numpy float arrays (the model's weights), changed in place.
        grads:  list of arrays of the same shapes, in the same order.
        Call it with the same parameters in the same order every time: the
        optimizer remembers a velocity or moments for each position. What it
        does, in plain Python:

            for param, grad, state in zip(params, grads, states):
                rule(param, grad, state, config)

        except that, for speed and with the same numbers, small parameters are
        updated together as one vector (see course._packing) and large ones
        by Adam's compiled loop (see course._compiled).
        """
        self._check(params, grads)
        self._apply(params, grads)

    def _apply(self, params, grads):
        """update without its checks, for arrays that update has checked before.

        fit checks its first update with `update`, then calls this at every
        later step of the same model (see course.training).
        """
        config = self.get_config()
        if self._plan is None:
            self._params = list(params)
            self._plan = _packing.Plan(params, grads, type(self).rule, config)
        self._plan.apply(type(self).rule, params, grads, config)
        self.iterations += 1

    @property
    def states(self):
        """The state of each parameter, in order: a dict of its arrays (velocity,
        moments) and step count. The arrays are live: they change as training goes."""
        return [] if self._plan is None else self._plan.states()

    def _fresh(self):
        """A copy with the same hyperparameters that has not updated anything yet."""
        fresh = copy.copy(self)
        fresh.iterations, fresh._params, fresh._plan = 0, None, None
        return fresh

    def _check(self, params, grads):
        if len(params) != len(grads):
            raise ValueError(f"update got {len(params)} parameters but {len(grads)} "
                             f"gradients; pass one gradient per parameter, in the same order.")
        if self._params is not None and len(self._params) != len(params):
            raise ValueError(f"This {type(self).__name__} was first used with "
                             f"{len(self._params)} parameters and now got {len(params)}; "
                             f"make a new optimizer for a different model.")
        for i, (param, grad) in enumerate(zip(params, grads)):
            _check_pair(i, param, grad)
            if self._params is not None and param is not self._params[i]:
                self._check_same_array(i, param)

    def _check_same_array(self, i, param):
        known = self._params[i]
        if param.shape != known.shape:
            raise ValueError(f"Parameter {i} has shape {param.shape} but had shape "
                             f"{known.shape} at the previous update; pass the "
                             f"parameters in the same order every time, or make a "
                             f"new optimizer for a different model.")
        raise ValueError(f"Parameter {i} is not the array this {type(self).__name__} "
                         f"updated before: the optimizer already trained another model "
                         f"(or other arrays), and its velocities and moments belong "
                         f"to that one. Make a new optimizer for this model, e.g. "
                         f"compile(optimizer={type(self).__name__}(...)).")

    def __repr__(self):
        args = ", ".join(f"{key}={getattr(self, key)!r}" for key in self.hyperparameters)
        return f"{type(self).__name__}({args})"


def _check_pair(i, param, grad):
    """Raise unless param is a float array that can change in place and grad matches it."""
    if not isinstance(param, np.ndarray) or param.dtype.kind != "f":
        raise TypeError(f"Parameter {i} must be a numpy float array (it is "
                        f"updated in place), but got {type(param).__name__}"
                        f"{' of dtype ' + str(param.dtype) if isinstance(param, np.ndarray) else ''}; "
                        f"convert it once with np.asarray(p, dtype=np.float32).")
    if not isinstance(grad, np.ndarray):
        raise TypeError(f"Gradient {i} must be a numpy array, but got "
                        f"{type(grad).__name__}; pass np.asarray(g).")
    if grad.shape != param.shape:
        raise ValueError(f"Gradient {i} has shape {grad.shape} "
                         f"but parameter {i} has shape {param.shape}; each "
                         f"gradient must have its parameter's shape.")


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum; see `sgd_update`.

    Full-batch gradient descent is SGD with the whole training set as one
    batch: `fit(x, y, batch_size=len(x))`. Keras defaults; PyTorch's lr is 1e-3.
    """

    name = "sgd"
    rule = staticmethod(sgd_update)
    hyperparameters = ("learning_rate", "momentum", "nesterov")

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate)
        self.momentum = _check_number(momentum, "momentum", 0.0, 1.0, high_included=True)
        self.nesterov = bool(nesterov)


class RMSprop(Optimizer):
    """RMSprop with Keras's defaults and epsilon inside the root; see `rmsprop_update`."""

    name = "rmsprop"
    rule = staticmethod(rmsprop_update)
    hyperparameters = ("learning_rate", "rho", "momentum", "epsilon", "centered")

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False):
        super().__init__(learning_rate)
        self.rho = _check_number(rho, "rho", 0.0, 1.0)
        self.momentum = _check_number(momentum, "momentum", 0.0, 1.0, high_included=True)
        self.epsilon = _check_number(epsilon, "epsilon", 0.0)
        self.centered = bool(centered)


class Adam(Optimizer):
    """Adam with Keras's defaults and Keras's epsilon placement; see `adam_update`."""

    name = "adam"
    rule = staticmethod(adam_update)
    hyperparameters = ("learning_rate", "beta_1", "beta_2", "epsilon")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
        self.beta_1 = _check_number(beta_1, "beta_1", 0.0, 1.0)
        self.beta_2 = _check_number(beta_2, "beta_2", 0.0, 1.0)
        self.epsilon = _check_number(epsilon, "epsilon", 0.0)


_ALIASES = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get(identifier):
    """Turn "sgd", "rmsprop" or "adam" (any case) into a new optimizer with Keras's defaults.

    A class such as Adam gives a new object with its defaults, as losses.get
    and activations.get do. An object with an `update(params, grads)` method
    (one of ours or your own) is returned as it is. Anything else is a
    ValueError listing the names.
    """
    if isinstance(identifier, str):
        key = identifier.lower()
        check_choice(key, _ALIASES, "optimizer")
        return _ALIASES[key]()
    if isinstance(identifier, type) and callable(getattr(identifier, "update", None)):
        identifier = identifier()            # a class, e.g. Adam
    if callable(getattr(identifier, "update", None)) and not isinstance(identifier, type):
        return identifier
    known = ", ".join(repr(k) for k in sorted(_ALIASES))
    raise ValueError(f"Unknown optimizer {identifier!r}. Pass one of {known}, or an "
                     f"object with an update(params, grads) method such as Adam().")


# ---------------------------------------------------------------- paths

def minimize(gradient, x0, optimizer="sgd", steps=100, function=None):
    """Run an optimizer on a function of a few numbers and record its path.

    gradient: callable taking x of shape (d,) and returning df/dx, shape (d,).
    x0: the starting point, d numbers.
    optimizer: a name ("sgd", "rmsprop", "adam") or an optimizer object. A
        fresh copy is used, so every call starts from rest and your object is
        unchanged.
    steps: how many updates to take.
    function: optional callable f(x) -> number; when given, its value at every
        point of the path is returned too.

    Returns path, shape (steps + 1, d), row 0 being x0; or (path, values) with
    values of shape (steps + 1,) when `function` is given. Raises
    FloatingPointError when the path runs off to infinity or NaN.
    """
    x = as_float_array(x0, "x0", dtype=np.float64).ravel().copy()
    check_whole_number(steps, "steps")
    optimizer = get(optimizer)
    optimizer = (optimizer._fresh() if isinstance(optimizer, Optimizer)
                 else copy.deepcopy(optimizer))
    path = np.empty((steps + 1, x.size))
    path[0] = x
    for step in range(1, steps + 1):
        grad = np.asarray(gradient(x.copy()), dtype=np.float64)
        if grad.shape != x.shape:
            raise ValueError(f"gradient returned shape {grad.shape}, but x has shape "
                             f"{x.shape}; return one partial derivative per coordinate.")
        optimizer.update([x], [grad])
        if not np.isfinite(x).all():
            rate = getattr(optimizer, "learning_rate", None)
            raise FloatingPointError(
                f"The path diverged at step {step}: x became {x}. Try a smaller "
                f"learning rate" + (f" than {rate:g}." if rate is not None else "."))
        path[step] = x
    if function is None:
        return path
    values = np.array([float(function(point)) for point in path])
    return path, values
