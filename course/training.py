"""The training loop behind `Sequential.fit`: epochs of minibatches, a step for each.

One training step on a minibatch (x, y) is the whole lesson in four lines:

    predictions = model.forward(x)                       # every layer's forward
    cost, grad = loss.value_and_gradient(y, predictions) # the cost, d(cost)/d(predictions)
    model.backward(grad)                                 # every layer's backward
    optimizer.update(params, grads)                      # one step downhill

`train_step` is those four lines; `train_epoch` runs them over the
minibatches of one shuffled pass through the data (course.data.minibatches)
and returns the epoch's numbers; `train` runs the epochs, with the
callbacks around them. `fit` (in course.models) checks its arguments,
makes a `Run` with `prepare`, and hands over to `train`.

The steps trust what fit checked: the library's own losses and optimizers
are asked without checking the arrays again (`_value_and_gradient`,
`_apply`). Your own loss may be any object with
`loss(y_true, y_pred)` and `loss.gradient(y_true, y_pred)` (called in turn
when it has no value_and_gradient), your own optimizer any object with
`optimizer.update(params, grads)` that changes the arrays in place; their
answers are checked at every step (the loss's) or at the first (the
optimizer's), as your code may do anything.
"""

import dataclasses
import functools
import math

import numpy as np

from course import losses, optimizers, utils
from course.data.minibatches import minibatches
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
    value_and_gradient(y, predictions) -> (cost, gradient): how a step asks the loss.
    update(params, grads): how a step asks the optimizer; the first update
        of a fit is checked, then this becomes the update the check trusts.
    validation: (x_val, y_val), checked, or None.
    """

    x: np.ndarray
    y: np.ndarray
    batch_size: int
    shuffle: bool
    epochs: int
    verbose: int
    params: list
    value_and_gradient: object
    update: object
    validation: tuple = None

    @property
    def steps(self):
        """Minibatches per epoch; the last one holds what is left."""
        return math.ceil(len(self.x) / self.batch_size)


def prepare(model, x, y, batch_size, shuffle, epochs, verbose, validation=None):
    """The Run of one fit, choosing once how its steps ask the loss and the optimizer."""
    loss = model.loss
    if type(loss) in losses.LIBRARY_LOSSES:      # their formulas, without the checks
        value_and_gradient = loss._value_and_gradient
    else:
        value_and_gradient = functools.partial(_checked_value_and_gradient, loss)
    run = Run(x, y, batch_size, shuffle, epochs, verbose, model._parameters(),
              value_and_gradient, None, validation)
    run.update = functools.partial(_first_update, model, run)
    return run


def train(model, run, callbacks):
    """The epochs of one fit, with the callbacks around them; returns model.history."""
    history = model.history
    for callback in callbacks:
        callback.set_model(model)
        callback.set_params({"verbose": run.verbose, "epochs": run.epochs,
                             "steps": run.steps})
    # Overflow is reported once, clearly, by TrainingDiverged, not as warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        for callback in callbacks:
            callback.on_train_begin({})
        for epoch in range(run.epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch, {})
            logs = train_epoch(model, run, epoch)
            if run.validation is not None:
                for name, value in model._evaluate_logs(*run.validation).items():
                    logs["val_" + name] = value
            if run.verbose:
                print(f"Epoch {epoch + 1}/{run.epochs} - {format_logs(logs)}")
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
        for callback in callbacks:
            callback.on_train_end({})
    return history


def train_epoch(model, run, epoch):
    """One pass over (run.x, run.y) in minibatches; returns {"loss": ..., metric: ...}.

    The examples come in a new random order every epoch, drawn from the
    library's generator (course.utils.set_random_seed repeats it). The
    epoch's loss is the mean over its examples of the step losses, and each
    metric is computed once, at the end, on the predictions each step made
    before its update: the running means Keras reports.
    """
    seed = utils.random_generator() if run.shuffle else None
    batches = minibatches(run.x, run.y, run.batch_size, run.shuffle, seed=seed)
    bar = _progress_bar(epoch, run.epochs, run.steps) if run.verbose == 1 else None
    seen, targets, loss_sum, done = [], [], 0.0, 0
    try:
        for step, (x, y) in enumerate(batches):
            loss, predictions = train_step(model, run, x, y)
            if not math.isfinite(loss):
                raise _diverged(model, loss, epoch + 1, step + 1, run.steps)
            done += len(x)
            loss_sum += loss * len(x)
            if model.metrics:
                seen.append(predictions)
                targets.append(y)
            if bar is not None:
                bar.set_postfix_str(f"loss: {loss_sum / done:.4f}", refresh=False)
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    logs = {"loss": loss_sum / done}
    if model.metrics:
        seen, targets = np.concatenate(seen), np.concatenate(targets)
        for metric in model.metrics:
            logs[metric.name] = metric(targets, seen)
    return logs


def train_step(model, run, x, y):
    """Forward, loss, backward, update on one minibatch; returns its cost and predictions.

    The update is skipped when the cost is NaN or infinite (fit then stops).
    """
    predictions = model.forward(x)
    cost, grad = run.value_and_gradient(y, predictions)
    if math.isfinite(cost):
        model.backward(grad)
        run.update(run.params, model._gradients())
    return cost, predictions


def _first_update(model, run, params, grads):
    """The first update of a fit: checked, then the update later steps trust.

    The library's optimizers check the arrays (one model's, grads shaped like
    params) in `update`, and later steps skip those checks (`_apply`). Any
    optimizer's first update is also checked to change the weights: one
    written param = param - lr * grad makes a new array and leaves the
    model's weights unchanged, and training would silently do nothing.
    """
    optimizer = model.optimizer
    before = [param.copy() for param in params]
    optimizer.update(params, grads)
    library = isinstance(optimizer, optimizers.Optimizer) \
        and type(optimizer).update is optimizers.Optimizer.update
    run.update = optimizer._apply if library else optimizer.update
    if getattr(optimizer, "learning_rate", None) == 0 \
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


def _checked_value_and_gradient(loss, y, predictions):
    """Your own loss's cost (a float) and gradient d(cost)/d(predictions), checked.

    Asks loss.value_and_gradient when the loss has it, else loss(y,
    predictions) and then loss.gradient(y, predictions). When the cost is
    NaN or inf the gradient is not needed, and is None. The gradient must
    be shaped like the predictions; it is cast to their dtype.
    """
    both = getattr(loss, "value_and_gradient", None)
    if both is None:
        value = loss_value(loss, y, predictions)
        grad = loss.gradient(y, predictions) if math.isfinite(value) else None
    else:
        try:
            value, grad = both(y, predictions)
        except ValueError as error:
            return _nan_if_overflowed(predictions, error), None
        value = _as_cost(value)
    if not math.isfinite(value):
        return value, None
    return value, _checked_gradient(grad, predictions)


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


def format_logs(logs):
    """{"loss": 0.25, "val_loss": 0.3} -> "loss: 0.2500 - val_loss: 0.3000", as Keras."""
    return " - ".join(f"{name}: {_format_number(value)}" for name, value in logs.items())


def _format_number(value):
    if value == 0 or abs(value) >= 1e-3 or not math.isfinite(value):
        return f"{value:.4f}"
    return f"{value:.4e}"


def _progress_bar(epoch, epochs, steps):
    from tqdm.auto import tqdm  # here, so that importing course stays fast

    return tqdm(total=steps, desc=f"Epoch {epoch + 1}/{epochs}", unit="step",
                leave=False, delay=0.5)
