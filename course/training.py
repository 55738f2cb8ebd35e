"""The training loop behind `Sequential.fit`: epochs of minibatches, a step for each.

One training step on a minibatch (x, y) is the whole lesson in four lines:

    predictions = model.forward(x)                       # every layer's forward
    cost, grad = loss.value_and_gradient(y, predictions) # the cost, d(cost)/d(predictions)
    model.backward(grad)                                 # every layer's backward
    optimizer.update(params, grads)                      # one step downhill

`train_step` is those four lines; `train_epoch` runs them over the
minibatches of one shuffled pass through the data and returns the epoch's
numbers. `fit` (in course.models) checks its arguments, makes a `Run`, and
calls `train_epoch` once per epoch, with the callbacks around it.

The loss may be your own object: anything with `loss(y_true, y_pred)` and
`loss.gradient(y_true, y_pred)` (called in turn when it has no
value_and_gradient). So may the optimizer: anything with
`optimizer.update(params, grads)` that changes the arrays in params in place.
"""

import dataclasses
import math

import numpy as np

from course import utils
from course.validation import as_float_array


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite during `fit`, so training stopped.

    history: the `History` of the epochs completed before it happened (also
        in `model.history`).
    epoch, step: where it happened, counting from 1 as the printed lines do.
    """

    def __init__(self, message, history, epoch, step):
        super().__init__(message)
        self.history = history
        self.epoch = epoch
        self.step = step


@dataclasses.dataclass
class Run:
    """What one call of fit trains on, and how: the same for all its epochs.

    x: (n, features) and y: (n, units), checked and in the model's dtype.
    params: the model's parameter arrays, which the optimizer updates in place.
    update_checked: whether the first update has been checked to change them.
    """

    x: np.ndarray
    y: np.ndarray
    batch_size: int
    shuffle: bool
    epochs: int
    verbose: int
    params: list
    update_checked: bool = False

    @property
    def steps(self):
        """Minibatches per epoch; the last one holds what is left."""
        return math.ceil(len(self.x) / self.batch_size)


def train_epoch(model, run, epoch):
    """One pass over (run.x, run.y) in minibatches; returns {"loss": ..., metric: ...}.

    The examples are put in a new random order once per epoch; each
    minibatch is then a slice of that copy, so no step copies data.
    The epoch's loss is the mean over its examples of the step losses,
    and each metric is computed once, at the end, on the predictions
    each step made before its update: the running means Keras reports.
    """
    x, y, n, batch_size = run.x, run.y, len(run.x), run.batch_size
    if run.shuffle:
        order = utils.random_generator().permutation(n)
        x, y = x[order], y[order]
    seen = np.empty_like(y) if model.metrics else None
    bar = _progress_bar(epoch, run.epochs, run.steps) if run.verbose == 1 else None
    loss_sum = 0.0
    try:
        for step, start in enumerate(range(0, n, batch_size)):
            stop = min(start + batch_size, n)
            loss = train_step(model, run, x[start:stop], y[start:stop], seen, start)
            if not math.isfinite(loss):
                raise _diverged(model, loss, epoch + 1, step + 1, run.steps)
            loss_sum += loss * (stop - start)
            if bar is not None:
                bar.set_postfix_str(f"loss: {loss_sum / stop:.4f}", refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    logs = {"loss": loss_sum / n}
    for metric in model.metrics:
        logs[metric.name] = metric(y, seen)
    return logs


def train_step(model, run, x, y, seen=None, start=0):
    """Forward, loss, backward, update on one minibatch; returns its loss.

    The update is skipped when the loss is NaN or infinite. With metrics,
    the predictions are kept in `seen` from row `start` on.
    """
    predictions = model.forward(x)
    loss, grad = loss_and_gradient(model.loss, y, predictions)
    if not math.isfinite(loss):
        return loss
    model.backward(_checked_gradient(grad, predictions))
    if run.update_checked:
        model.optimizer.update(run.params, model._gradients())
    else:
        _update_checking_it_changes(model, run.params)
        run.update_checked = True
    if seen is not None:
        seen[start:start + len(predictions)] = predictions
    return loss


def _update_checking_it_changes(model, params):
    """The first update of a fit, checking that the optimizer changed the weights.

    An update written param = param - lr * grad makes a new array and
    leaves the model's weights unchanged: training would do nothing,
    silently. Checked once per fit, as it costs a copy of the weights.
    """
    grads = model._gradients()
    before = [param.copy() for param in params]
    model.optimizer.update(params, grads)
    if getattr(model.optimizer, "learning_rate", None) == 0 \
            or not any(grad.any() for grad in grads):
        return
    if all(np.array_equal(old, new) for old, new in zip(before, params)):
        raise RuntimeError(
            "The optimizer's update(params, grads) changed none of the weights, "
            "although the gradients are not zero. update must change the arrays "
            "in params in place: write param -= learning_rate * grad. Writing "
            "param = param - learning_rate * grad only makes a new array and "
            "leaves the model's weights as they were.")


def _diverged(model, loss, epoch, step, steps):
    learning_rate = getattr(model.optimizer, "learning_rate", None)
    rate = f" (it is {learning_rate:g} now)" if isinstance(learning_rate, float) else ""
    done = epoch - 1
    kept = ("No epoch was completed" if done == 0 else
            f"The {done} completed epoch{'s are' if done > 1 else ' is'} kept")
    return TrainingDiverged(
        f"The loss became {loss} at epoch {epoch}, step {step} of {steps}, so training "
        f"stopped. This usually means the steps were too large: the weights grew "
        f"until the numbers overflowed. Try a smaller learning rate{rate}, for "
        f"example 10 times smaller, and scale the inputs (for example to [0, 1], or "
        f"to mean 0 and standard deviation 1). {kept} in model.history (and in this "
        f"error's .history).", model.history, epoch, step)


# ------------------------------------------------------------ asking the loss

def loss_value(loss, y, predictions):
    """The loss of (y, predictions) as a float; NaN if the predictions overflowed."""
    try:
        value = loss(y, predictions)
    except ValueError as error:
        return _nan_if_overflowed(predictions, error)
    return _as_cost(value)


def loss_and_gradient(loss, y, predictions):
    """The loss of one minibatch (a float) and its gradient d(loss)/d(predictions).

    Asks loss.value_and_gradient when the loss has it (the library's losses
    compute both in one pass), else loss(y, predictions) and then
    loss.gradient(y, predictions). When the loss is NaN or inf the gradient
    is not needed, and is None.
    """
    both = getattr(loss, "value_and_gradient", None)
    if both is None:
        value = loss_value(loss, y, predictions)
        return value, (loss.gradient(y, predictions) if math.isfinite(value) else None)
    try:
        value, grad = both(y, predictions)
    except ValueError as error:
        return _nan_if_overflowed(predictions, error), None
    return _as_cost(value), grad


def _as_cost(value):
    """The value a loss returned, as a float, or a TypeError saying it must be one number."""
    if isinstance(value, float):            # the library's losses return floats
        return value
    array = np.asarray(value)
    if array.size == 1 and array.dtype.kind in "biuf":
        return float(array.reshape(()))
    what = f"an array of shape {array.shape}" if array.ndim else repr(value)
    raise TypeError(f"loss(y_true, y_pred) must return one number, the cost, but it "
                    f"returned {what}; take the mean of the per-example losses, "
                    f"e.g. return np.mean(losses).")


def _nan_if_overflowed(predictions, error):
    """NaN if the predictions hold NaN or inf, else raise the loss's `error` again.

    The library's losses refuse NaN or infinite inputs. During training such
    predictions mean the weights diverged, which fit reports with its own
    error (TrainingDiverged), so the loss becomes NaN instead.
    """
    if np.isfinite(predictions).all():
        raise error
    return math.nan


def _checked_gradient(grad, predictions):
    """The loss's gradient as an array of the predictions' dtype and shape, or an error."""
    if not isinstance(grad, np.ndarray) or grad.dtype != predictions.dtype:
        grad = as_float_array(grad, "the loss gradient", dtype=predictions.dtype)
    if grad.shape != predictions.shape:
        raise ValueError(f"The loss's gradient has shape {grad.shape}, but the "
                         f"predictions have shape {predictions.shape}; "
                         f"gradient(y_true, y_pred) must return an array shaped "
                         f"like y_pred.")
    return grad


def _progress_bar(epoch, epochs, steps):
    from tqdm.auto import tqdm  # here, so that importing course stays fast

    return tqdm(total=steps, desc=f"Epoch {epoch + 1}/{epochs}", unit="step",
                leave=False, delay=0.5)
