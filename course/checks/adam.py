"""Checks for the exercises of unit 06: momentum, RMSprop and Adam.

Notebook: solutions/06_adam.ipynb (the exercise is made from it by
`course build`). The exercises, in order:

    momentum_step       one step of gradient descent with momentum (Keras's velocity)
    rmsprop_step        one step of RMSprop (epsilon inside the root, as Keras)
    adam_step           one step of Adam with bias correction (Keras's epsilon)
    corrected_moment    Adam's bias-corrected first moment after one step, by hand
    my_adam_on_ravine   your own Adam optimizer, run by course.optimizers.minimize

Each step is a pure function: it returns the new weights and the new state
and leaves its inputs alone. The references call the library's update rules
(course.optimizers) on copies, so each formula is written once.
"""

import numpy as np

from course import optimizers
from course.checks.kinds import Case, FunctionExercise, ValueExercise
from course.checks.mistakes import Mistake
from course.data import ravine_gradient

UNIT = "06_adam"


# --- Reference answers (what the solution notebook computes) -------------------

def reference_momentum_step(w, grad, velocity, learning_rate, momentum):
    """One step of gradient descent with momentum, Keras's form.

    v = momentum * v - learning_rate * grad;  w = w + v
    w, grad, velocity: arrays of one shape. Returns (new_w, new_velocity).
    """
    new_w = np.array(w, copy=True)
    state = {"velocity": np.array(velocity, dtype=new_w.dtype, copy=True)}
    optimizers.sgd_update(new_w, np.asarray(grad), state,
                          {"learning_rate": learning_rate, "momentum": momentum,
                           "nesterov": False})
    return new_w, state["velocity"]


def reference_rmsprop_step(w, grad, mean_square, learning_rate, rho, epsilon):
    """One step of RMSprop, Keras's form (epsilon inside the root).

    s = rho * s + (1 - rho) * grad**2;  w = w - learning_rate * grad / sqrt(s + epsilon)
    w, grad, mean_square: arrays of one shape. Returns (new_w, new_mean_square).
    """
    new_w = np.array(w, copy=True)
    state = {"mean_square": np.array(mean_square, dtype=new_w.dtype, copy=True)}
    optimizers.rmsprop_update(new_w, np.asarray(grad), state,
                              {"learning_rate": learning_rate, "rho": rho, "momentum": 0.0,
                               "epsilon": epsilon, "centered": False})
    return new_w, state["mean_square"]


def reference_adam_step(w, grad, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                        epsilon=1e-7):
    """Update number t (1 for the first) of Adam, Keras's form.

    m = beta_1 * m + (1 - beta_1) * grad;  v = beta_2 * v + (1 - beta_2) * grad**2
    lr_t = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
    w = w - lr_t * m / (sqrt(v) + epsilon)
    Returns (new_w, new_m, new_v).
    """
    new_w = np.array(w, copy=True)
    state = {"m": np.array(m, dtype=new_w.dtype, copy=True),
             "v": np.array(v, dtype=new_w.dtype, copy=True), "step": int(t) - 1}
    optimizers.adam_update(new_w, np.asarray(grad), state,
                           {"learning_rate": learning_rate, "beta_1": beta_1,
                            "beta_2": beta_2, "epsilon": epsilon})
    return new_w, state["m"], state["v"]


def reference_my_adam_on_ravine(start, learning_rate, steps):
    """The path of the library's Adam on the ravine (steepness 20) from `start`."""
    return optimizers.minimize(ravine_gradient, start, optimizers.Adam(learning_rate),
                               steps)


# --- Mistaken answers, for naming the common mistakes ---------------------------

def _momentum_velocity_flipped(w, grad, velocity, learning_rate, momentum):
    new_velocity = momentum * velocity + learning_rate * grad
    return w - new_velocity, new_velocity


def _momentum_subtracted(w, grad, velocity, learning_rate, momentum):
    new_velocity = momentum * velocity - learning_rate * grad
    return w - new_velocity, new_velocity


def _momentum_forgotten(w, grad, velocity, learning_rate, momentum):
    return w - learning_rate * grad, -learning_rate * grad


def _rmsprop_not_squared(w, grad, mean_square, learning_rate, rho, epsilon):
    s = rho * mean_square + (1 - rho) * grad
    with np.errstate(invalid="ignore"):       # a negative mean has no root
        return w - learning_rate * grad / np.sqrt(s + epsilon), s


def _rmsprop_epsilon_outside(w, grad, mean_square, learning_rate, rho, epsilon):
    s = rho * mean_square + (1 - rho) * grad ** 2
    return w - learning_rate * grad / (np.sqrt(s) + epsilon), s


def _rmsprop_rho_swapped(w, grad, mean_square, learning_rate, rho, epsilon):
    s = (1 - rho) * mean_square + rho * grad ** 2
    return w - learning_rate * grad / np.sqrt(s + epsilon), s


def _rmsprop_no_root(w, grad, mean_square, learning_rate, rho, epsilon):
    s = rho * mean_square + (1 - rho) * grad ** 2
    return w - learning_rate * grad / (s + epsilon), s


def _adam_uncorrected(w, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad ** 2
    return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v


def _adam_betas_swapped(w, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    return reference_adam_step(w, grad, m, v, t, learning_rate, beta_2, beta_1, epsilon)


def _adam_like_pytorch(w, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad ** 2
    m_hat, v_hat = m / (1 - beta_1 ** t), v / (1 - beta_2 ** t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _adam_epsilon_in_root(w, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad ** 2
    lr_t = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - lr_t * m / np.sqrt(v + epsilon), m, v


def _adam_not_squared(w, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad
    lr_t = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    with np.errstate(invalid="ignore"):       # a negative mean has no root
        return w - lr_t * m / (np.sqrt(v) + epsilon), m, v


def _adam_next_step(w, grad, m, v, t, learning_rate, beta_1, beta_2, epsilon):
    return reference_adam_step(w, grad, m, v, t + 1, learning_rate, beta_1, beta_2, epsilon)


class _ForgetfulAdam:
    """Adam that starts from zero moments at every update (its state is never kept)."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def update(self, params, grads):
        for param, grad in zip(params, grads):
            zeros = np.zeros_like(param)
            param[...] = reference_adam_step(param, grad, zeros, zeros, 1,
                                             self.learning_rate)[0]


class _StuckClockAdam:
    """Adam that keeps its moments but corrects every update as if it were the first."""

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        for i, (param, grad) in enumerate(zip(params, grads)):
            param[...], self.m[i], self.v[i] = reference_adam_step(
                param, grad, self.m[i], self.v[i], 1, self.learning_rate)


def _path_standing_still(start, learning_rate, steps):
    return np.tile(np.asarray(start, dtype=np.float64), (steps + 1, 1))


def _path_forgetful(start, learning_rate, steps):
    return optimizers.minimize(ravine_gradient, start, _ForgetfulAdam(learning_rate), steps)


def _path_stuck_clock(start, learning_rate, steps):
    return optimizers.minimize(ravine_gradient, start, _StuckClockAdam(learning_rate), steps)


# --- Inputs the checks use ------------------------------------------------------

_rng = np.random.default_rng(6)
_w5, _g5 = _rng.standard_normal(5), _rng.standard_normal(5)
_state5 = 0.1 * np.abs(_rng.standard_normal(5))
_w31 = _rng.standard_normal((3, 1)).astype(np.float32)
_g31 = _rng.standard_normal((3, 1)).astype(np.float32)
_tiny = np.array([1e-4, -2e-4])   # where epsilon, and where it sits, matters

_W2, _G2 = np.array([1.0, -2.0]), np.array([0.5, -1.0])


# --- The exercises ---------------------------------------------------------------

momentum_step = FunctionExercise(
    "momentum_step",
    reference=reference_momentum_step,
    cases=[
        Case(_W2, _G2, np.zeros(2), 0.1, 0.9, label="the first step: the velocity starts at 0"),
        Case(_W2, _G2, np.array([-0.05, 0.1]), 0.1, 0.9, label="a velocity carried over"),
        Case(_w5, _g5, -0.1 * _state5, 0.01, 0.95, label="random values"),
        Case(_w31, _g31, np.full((3, 1), 0.02, dtype=np.float32), 0.05, 0.9,
             label="shape (3, 1), float32"),
        Case(np.array([3.0]), np.array([-2.0]), np.array([0.4]), 0.1, 0.5,
             label="a single weight"),
    ],
    rtol=1e-5, atol=1e-10,
    hints=[
        "The velocity remembers the past steps: each step keeps `momentum` of the old "
        "velocity and adds a step downhill, against the gradient.",
        "Keras's form: new_velocity = momentum * velocity - learning_rate * grad; the "
        "weights then move by the velocity.",
        "new_velocity = momentum * velocity - learning_rate * grad; "
        "new_w = w + new_velocity; return new_w, new_velocity",
    ],
    wrong_answer=("def momentum_step(w, grad, velocity, learning_rate, momentum):\n"
                  "    new_velocity = velocity - learning_rate * grad\n"
                  "    return w + new_velocity, new_velocity\n"),
    mistakes=[
        Mistake("your velocity has the opposite sign: here the velocity is the step "
                "itself, v = momentum * v - learning_rate * grad, and the weights move "
                "by w + v (PyTorch keeps the opposite sign and subtracts)",
                answer=_momentum_velocity_flipped,
                example=("def momentum_step(w, grad, velocity, learning_rate, momentum):\n"
                         "    new_velocity = momentum * velocity + learning_rate * grad\n"
                         "    return w - new_velocity, new_velocity\n")),
        Mistake("your weights move uphill: the velocity already points downhill "
                "(it holds - learning_rate * grad), so add it: w + new_velocity",
                answer=_momentum_subtracted,
                example=("def momentum_step(w, grad, velocity, learning_rate, momentum):\n"
                         "    new_velocity = momentum * velocity - learning_rate * grad\n"
                         "    return w - new_velocity, new_velocity\n")),
        Mistake("the old velocity is lost: this is plain gradient descent; keep "
                "momentum * velocity in the new velocity",
                answer=_momentum_forgotten,
                example=("def momentum_step(w, grad, velocity, learning_rate, momentum):\n"
                         "    new_velocity = -learning_rate * grad\n"
                         "    return w + new_velocity, new_velocity\n")),
    ],
)

rmsprop_step = FunctionExercise(
    "rmsprop_step",
    reference=reference_rmsprop_step,
    cases=[
        Case(_W2, _G2, np.zeros(2), 0.01, 0.9, 1e-7, label="the first step: s starts at 0"),
        Case(_w5, _g5, _state5, 0.001, 0.9, 1e-7, label="random values"),
        Case(_w31, _g31, np.full((3, 1), 0.5, dtype=np.float32), 0.01, 0.99, 1e-7,
             label="shape (3, 1), float32"),
        Case(_W2, _tiny, np.zeros(2), 0.01, 0.9, 1e-7,
             label="tiny gradients, where epsilon matters"),
        Case(np.array([3.0]), np.array([-2.0]), np.array([0.4]), 0.1, 0.5, 1e-7,
             label="a single weight"),
    ],
    rtol=1e-5, atol=1e-12,
    hints=[
        "Keep a running mean of the squared gradient, then divide the step by its root: "
        "weights with large gradients take smaller steps.",
        "new_mean_square = rho * mean_square + (1 - rho) * grad ** 2; Keras puts epsilon "
        "inside the root: np.sqrt(new_mean_square + epsilon).",
        "new_w = w - learning_rate * grad / np.sqrt(new_mean_square + epsilon); "
        "return new_w, new_mean_square",
    ],
    wrong_answer=("def rmsprop_step(w, grad, mean_square, learning_rate, rho, epsilon):\n"
                  "    new_mean_square = rho * mean_square + (1 - rho) * grad ** 2\n"
                  "    return w - learning_rate * grad, new_mean_square\n"),
    mistakes=[
        Mistake("the running mean is of the gradient, not of its square: RMSprop "
                "averages grad ** 2 (a negative mean then even has no root)",
                answer=_rmsprop_not_squared,
                example=("def rmsprop_step(w, grad, mean_square, learning_rate, rho, epsilon):\n"
                         "    s = rho * mean_square + (1 - rho) * grad\n"
                         "    return w - learning_rate * grad / np.sqrt(s + epsilon), s\n")),
        Mistake("epsilon sits outside the root, as in PyTorch; Keras and this course "
                "add it inside: np.sqrt(new_mean_square + epsilon). Where the gradients "
                "are tiny the two differ a lot",
                answer=_rmsprop_epsilon_outside,
                example=("def rmsprop_step(w, grad, mean_square, learning_rate, rho, epsilon):\n"
                         "    s = rho * mean_square + (1 - rho) * grad ** 2\n"
                         "    return w - learning_rate * grad / (np.sqrt(s) + epsilon), s\n")),
        Mistake("rho and 1 - rho are swapped: rho is the share of the OLD mean kept at "
                "each step (0.9), and only 1 - rho of the new squared gradient comes in",
                answer=_rmsprop_rho_swapped,
                example=("def rmsprop_step(w, grad, mean_square, learning_rate, rho, epsilon):\n"
                         "    s = (1 - rho) * mean_square + rho * grad ** 2\n"
                         "    return w - learning_rate * grad / np.sqrt(s + epsilon), s\n")),
        Mistake("the step is divided by the mean square itself: divide by its square "
                "root, the root mean square that gives RMSprop its name",
                answer=_rmsprop_no_root,
                example=("def rmsprop_step(w, grad, mean_square, learning_rate, rho, epsilon):\n"
                         "    s = rho * mean_square + (1 - rho) * grad ** 2\n"
                         "    return w - learning_rate * grad / (s + epsilon), s\n")),
    ],
)

_ADAM = dict(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)

adam_step = FunctionExercise(
    "adam_step",
    reference=reference_adam_step,
    cases=[
        Case(_W2, _G2, np.zeros(2), np.zeros(2), 1, **_ADAM,
             label="the first update: m and v start at 0"),
        Case(_w5, _g5, 0.1 * _g5, 0.01 * _g5 ** 2, 5, learning_rate=0.01, beta_1=0.9,
             beta_2=0.999, epsilon=1e-7, label="update 5, random values"),
        Case(_w31, _g31, np.zeros((3, 1), dtype=np.float32),
             np.zeros((3, 1), dtype=np.float32), 1, **_ADAM, label="shape (3, 1), float32"),
        Case(_W2, _tiny, np.zeros(2), np.zeros(2), 1, learning_rate=0.1, beta_1=0.9,
             beta_2=0.999, epsilon=1e-7, label="tiny gradients, where epsilon matters"),
        Case(np.array([3.0]), np.array([-2.0]), np.array([-0.5]), np.array([0.01]), 100,
             learning_rate=0.1, beta_1=0.8, beta_2=0.99, epsilon=1e-7,
             label="a single weight, update 100"),
    ],
    rtol=1e-5, atol=1e-12,
    hints=[
        "Adam keeps two running means: m of the gradient (momentum) and v of the squared "
        "gradient (as RMSprop). Both start at 0, so early on they are too small: "
        "bias correction divides by 1 - beta**t.",
        "new_m = beta_1 * m + (1 - beta_1) * grad and new_v = beta_2 * v + (1 - beta_2) "
        "* grad ** 2. Keras folds both corrections into the learning rate: lr_t = "
        "learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t).",
        "new_w = w - lr_t * new_m / (np.sqrt(new_v) + epsilon); return new_w, new_m, new_v",
    ],
    wrong_answer=("def adam_step(w, grad, m, v, t, learning_rate=0.001, beta_1=0.9,\n"
                  "              beta_2=0.999, epsilon=1e-7):\n"
                  "    new_m = beta_1 * m + (1 - beta_1) * grad\n"
                  "    new_v = beta_2 * v + (1 - beta_2) * grad ** 2\n"
                  "    lr_t = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)\n"
                  "    return w + lr_t * new_m / (np.sqrt(new_v) + epsilon), new_m, new_v\n"),
    mistakes=[
        Mistake("there is no bias correction: m and v start at 0, so in the first "
                "updates they are far too small; use lr_t = learning_rate * "
                "np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)",
                answer=_adam_uncorrected,
                example=("def adam_step(w, grad, m, v, t, learning_rate=0.001, beta_1=0.9,\n"
                         "              beta_2=0.999, epsilon=1e-7):\n"
                         "    new_m = beta_1 * m + (1 - beta_1) * grad\n"
                         "    new_v = beta_2 * v + (1 - beta_2) * grad ** 2\n"
                         "    new_w = w - learning_rate * new_m / (np.sqrt(new_v) + epsilon)\n"
                         "    return new_w, new_m, new_v\n")),
        Mistake("beta_1 and beta_2 are swapped: beta_1 (0.9) belongs to m, the mean "
                "of the gradient, and beta_2 (0.999) to v, the mean of its square",
                answer=_adam_betas_swapped,
                example=("def adam_step(w, grad, m, v, t, learning_rate=0.001, beta_1=0.9,\n"
                         "              beta_2=0.999, epsilon=1e-7):\n"
                         "    new_m = beta_2 * m + (1 - beta_2) * grad\n"
                         "    new_v = beta_1 * v + (1 - beta_1) * grad ** 2\n"
                         "    lr_t = learning_rate * np.sqrt(1 - beta_1 ** t) / (1 - beta_2 ** t)\n"
                         "    new_w = w - lr_t * new_m / (np.sqrt(new_v) + epsilon)\n"
                         "    return new_w, new_m, new_v\n")),
        Mistake("epsilon is added to the root of the corrected v_hat, as PyTorch does; "
                "Keras (and this course) fold the corrections into lr_t and add epsilon "
                "to np.sqrt(new_v): w - lr_t * new_m / (np.sqrt(new_v) + epsilon)",
                answer=_adam_like_pytorch,
                example=("def adam_step(w, grad, m, v, t, learning_rate=0.001, beta_1=0.9,\n"
                         "              beta_2=0.999, epsilon=1e-7):\n"
                         "    new_m = beta_1 * m + (1 - beta_1) * grad\n"
                         "    new_v = beta_2 * v + (1 - beta_2) * grad ** 2\n"
                         "    m_hat = new_m / (1 - beta_1 ** t)\n"
                         "    v_hat = new_v / (1 - beta_2 ** t)\n"
                         "    new_w = w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon)\n"
                         "    return new_w, new_m, new_v\n")),
        Mistake("epsilon is inside the root (that is RMSprop's place for it); Adam adds "
                "it outside: np.sqrt(new_v) + epsilon",
                answer=_adam_epsilon_in_root,
                example=("def adam_step(w, grad, m, v, t, learning_rate=0.001, beta_1=0.9,\n"
                         "              beta_2=0.999, epsilon=1e-7):\n"
                         "    new_m = beta_1 * m + (1 - beta_1) * grad\n"
                         "    new_v = beta_2 * v + (1 - beta_2) * grad ** 2\n"
                         "    lr_t = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)\n"
                         "    new_w = w - lr_t * new_m / np.sqrt(new_v + epsilon)\n"
                         "    return new_w, new_m, new_v\n")),
        Mistake("v is a running mean of the gradient, not of its square: use grad ** 2",
                answer=_adam_not_squared,
                example=("def adam_step(w, grad, m, v, t, learning_rate=0.001, beta_1=0.9,\n"
                         "              beta_2=0.999, epsilon=1e-7):\n"
                         "    new_m = beta_1 * m + (1 - beta_1) * grad\n"
                         "    new_v = beta_2 * v + (1 - beta_2) * grad\n"
                         "    lr_t = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)\n"
                         "    new_w = w - lr_t * new_m / (np.sqrt(new_v) + epsilon)\n"
                         "    return new_w, new_m, new_v\n")),
        Mistake("the bias correction uses t + 1: t is already this update's number "
                "(1 for the first update), so use it as it is",
                answer=_adam_next_step,
                example=("def adam_step(w, grad, m, v, t, learning_rate=0.001, beta_1=0.9,\n"
                         "              beta_2=0.999, epsilon=1e-7):\n"
                         "    t = t + 1\n"
                         "    new_m = beta_1 * m + (1 - beta_1) * grad\n"
                         "    new_v = beta_2 * v + (1 - beta_2) * grad ** 2\n"
                         "    lr_t = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)\n"
                         "    new_w = w - lr_t * new_m / (np.sqrt(new_v) + epsilon)\n"
                         "    return new_w, new_m, new_v\n")),
    ],
)


def _first_corrected_moment(grad, beta_1=0.9):
    """m_hat after Adam's first update with gradient `grad`, from the library's own m."""
    state = {}
    optimizers.adam_update(np.zeros(1), np.array([grad]), state,
                           {"learning_rate": 0.001, "beta_1": beta_1, "beta_2": 0.999,
                            "epsilon": 1e-7})
    return float(state["m"][0] / (1 - beta_1 ** state["step"]))


corrected_moment = ValueExercise(
    "corrected_moment",
    expected=_first_corrected_moment(0.4),
    rtol=0, atol=1e-3,
    hints=[
        "Start from m = 0 and apply m = beta_1 * m + (1 - beta_1) * g once, with g = 0.4.",
        "After that first update m = 0.1 * 0.4 = 0.04, ten times smaller than the "
        "gradient. Bias correction divides by 1 - beta_1 ** t, with t = 1.",
        "m_hat = 0.04 / (1 - 0.9 ** 1) = 0.04 / 0.1",
    ],
    mistakes=[
        Mistake("that is m itself, before bias correction: divide it by 1 - beta_1 ** t",
                answer=0.04, example="corrected_moment = 0.1 * 0.4"),
        Mistake("you divided by 1 - beta_2 ** t: the first moment m is corrected with "
                "beta_1, the second moment v with beta_2",
                answer=0.04 / (1 - 0.999), example="corrected_moment = 0.04 / (1 - 0.999)"),
        Mistake("beta_1 and 1 - beta_1 are swapped in the update of m: the new gradient "
                "comes in with weight 1 - beta_1 = 0.1",
                answer=0.36 / 0.1, example="corrected_moment = 0.9 * 0.4 / (1 - 0.9)"),
    ],
)

my_adam_on_ravine = FunctionExercise(
    "my_adam_on_ravine",
    reference=reference_my_adam_on_ravine,
    cases=[
        Case(np.array([-4.0, 1.0]), 0.1, 60, label="the ravine's usual start"),
        Case(np.array([3.0, -2.0]), 0.5, 40, label="another start, a larger learning rate"),
    ],
    rtol=1e-6, atol=1e-9,
    uses={"adam_step": reference_adam_step},
    hints=[
        "minimize calls optimizer.update([x], [grad]) once per step with the same array "
        "x: MyAdam must remember m, v and t between calls (set them up in __init__ or at "
        "the first update) and change x in place.",
        "In update: count the step (self.t += 1), then for each parameter call adam_step "
        "with its own m and v, store the new m and v back, and write the new weights "
        "into the array: param[...] = new_param.",
        "new_param, self.m[i], self.v[i] = adam_step(param, grad, self.m[i], self.v[i], "
        "self.t, self.learning_rate, self.beta_1, self.beta_2, self.epsilon); "
        "param[...] = new_param",
    ],
    wrong_answer=("class MyAdam:\n"
                  "    def __init__(self, learning_rate=0.001):\n"
                  "        self.learning_rate = learning_rate\n"
                  "\n"
                  "    def update(self, params, grads):\n"
                  "        for param, grad in zip(params, grads):\n"
                  "            param -= self.learning_rate * grad\n"
                  "\n"
                  "def my_adam_on_ravine(start, learning_rate, steps):\n"
                  "    return minimize(ravine.gradient, start, MyAdam(learning_rate), steps)\n"),
    mistakes=[
        Mistake("the path never moves: update must change the arrays it is given in "
                "place (param[...] = new_param); param = new_param only makes a new array "
                "and leaves minimize's x as it was",
                answer=_path_standing_still,
                example=("class MyAdam:\n"
                         "    def __init__(self, learning_rate=0.001):\n"
                         "        self.learning_rate = learning_rate\n"
                         "        self.m = self.v = None\n"
                         "        self.t = 0\n"
                         "\n"
                         "    def update(self, params, grads):\n"
                         "        if self.m is None:\n"
                         "            self.m = [np.zeros_like(p) for p in params]\n"
                         "            self.v = [np.zeros_like(p) for p in params]\n"
                         "        self.t += 1\n"
                         "        for i, (param, grad) in enumerate(zip(params, grads)):\n"
                         "            param, self.m[i], self.v[i] = adam_step(\n"
                         "                param, grad, self.m[i], self.v[i], self.t,\n"
                         "                self.learning_rate)\n"
                         "\n"
                         "def my_adam_on_ravine(start, learning_rate, steps):\n"
                         "    return minimize(ravine.gradient, start, MyAdam(learning_rate), steps)\n")),
        Mistake("your optimizer forgets its moments: every update starts again from "
                "m = v = 0 and t = 1; keep m, v and t on self between calls",
                answer=_path_forgetful,
                example=("class MyAdam:\n"
                         "    def __init__(self, learning_rate=0.001):\n"
                         "        self.learning_rate = learning_rate\n"
                         "\n"
                         "    def update(self, params, grads):\n"
                         "        for param, grad in zip(params, grads):\n"
                         "            m, v = np.zeros_like(param), np.zeros_like(param)\n"
                         "            new_param, m, v = adam_step(param, grad, m, v, 1,\n"
                         "                                        self.learning_rate)\n"
                         "            param[...] = new_param\n"
                         "\n"
                         "def my_adam_on_ravine(start, learning_rate, steps):\n"
                         "    return minimize(ravine.gradient, start, MyAdam(learning_rate), steps)\n")),
        Mistake("t never grows: every update is corrected as if it were the first; "
                "add 1 to self.t at each update",
                answer=_path_stuck_clock,
                example=("class MyAdam:\n"
                         "    def __init__(self, learning_rate=0.001):\n"
                         "        self.learning_rate = learning_rate\n"
                         "        self.m = self.v = None\n"
                         "\n"
                         "    def update(self, params, grads):\n"
                         "        if self.m is None:\n"
                         "            self.m = [np.zeros_like(p) for p in params]\n"
                         "            self.v = [np.zeros_like(p) for p in params]\n"
                         "        for i, (param, grad) in enumerate(zip(params, grads)):\n"
                         "            param[...], self.m[i], self.v[i] = adam_step(\n"
                         "                param, grad, self.m[i], self.v[i], 1,\n"
                         "                self.learning_rate)\n"
                         "\n"
                         "def my_adam_on_ravine(start, learning_rate, steps):\n"
                         "    return minimize(ravine.gradient, start, MyAdam(learning_rate), steps)\n")),
    ],
)

EXERCISES = [momentum_step, rmsprop_step, adam_step, corrected_moment, my_adam_on_ravine]
