"""Cut a dataset into minibatches, in a new random order every epoch.

    for epoch in range(epochs):
        for X_batch, y_batch in minibatches(X, y, batch_size=32, seed=0, epoch=epoch):
            ...   # one gradient step per minibatch

One epoch visits every row exactly once. The order depends only on (seed,
epoch): each epoch is shuffled differently, and rerunning with the same seed
repeats every epoch exactly.
"""

import numpy as np

from course.data._checks import as_rows, check_seed
from course.validation import check_whole_number


def minibatches(X, y, batch_size=32, shuffle=True, seed=0, epoch=0):
    """Return an iterator of (X_batch, y_batch) pairs that cover every row once.

    X: array (n, ...); y: array (n, ...), one row per example.
    batch_size: rows per minibatch; the last minibatch keeps the n % batch_size
        rows left over (it is smaller, never dropped).
    shuffle: visit the rows in a random order (else in their stored order).
    seed, epoch: whole numbers >= 0; the random order is drawn from
        (seed, epoch): pass the epoch number to get a fresh order each epoch.
        seed=None draws a fresh order on every call. seed may also be a
        numpy Generator, which draws the order (and epoch is not used):
        that is how fit shuffles, from the library's generator.
    Yields X[rows], y[rows] with len(rows) == batch_size except maybe the last:
    copies when shuffled (the rows in their new order are copied once, then
    cut), views of X and y when not.
    """
    X, y = as_rows(X, y)
    check_whole_number(batch_size, "batch_size", minimum=1)
    if not isinstance(seed, np.random.Generator):
        check_seed(seed)
        check_whole_number(epoch, "epoch")
    if shuffle:
        rng = seed if isinstance(seed, np.random.Generator) else \
            np.random.default_rng(None if seed is None else (seed, epoch))
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    # The checks above run when you call minibatches(); the batches come lazily.
    return _batches(X, y, batch_size)


def _batches(X, y, batch_size):
    for start in range(0, len(X), batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]
