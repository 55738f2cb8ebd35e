"""Speed machinery of the optimizers: update many small parameters as one vector.

Nothing here changes a number; it only makes fewer numpy calls. You can read
the optimizers without it: `Optimizer.update` applies its rule to every
parameter, and this module decides how.

numpy spends about a microsecond on every call, whatever the size of the
array, and an update rule makes up to a dozen calls per parameter. For a
small network's biases and kernels the calls cost more than the arithmetic.
So the parameters with fewer than PACK_LIMIT numbers (of the same dtype) are
copied end to end into one long vector, the rule runs once on that vector,
and the results are copied back. The rules are elementwise, so the numbers
are exactly those of updating each array on its own.
"""

import numpy as np

from course import _compiled

PACK_LIMIT = 20_000
"""Parameters with fewer numbers than this are updated together, as one vector."""


class Plan:
    """How one optimizer updates its parameters: some alone, the small ones packed.

    Made at the optimizer's first update, from its params, grads, rule and
    config: the parameters of fewer than PACK_LIMIT numbers (several of one
    dtype) become packs; each other one is updated alone, by the rule or,
    where course._compiled has one for it, by the rule's compiled twin. The
    plan keeps one state dict per parameter alone and one per pack.
    """

    def __init__(self, params, grads, rule, config):
        small = {}
        for position, param in enumerate(params):
            if param.size < PACK_LIMIT:
                small.setdefault(param.dtype, []).append(position)
        groups = [group for group in small.values() if len(group) > 1]
        packed = {position for group in groups for position in group}
        self.singles = [(position, {}, _compiled.adam_step_for(rule, params[position],
                                                               grads[position], config))
                        for position in range(len(params)) if position not in packed]
        self.packs = [Pack(group, params) for group in groups]

    def apply(self, rule, params, grads, config):
        """rule(param, grad, state, config) on every parameter, packed or alone.

        A compiled twin returns False where the rule must take this step.
        """
        for position, state, compiled in self.singles:
            param, grad = params[position], grads[position]
            if compiled is None or not compiled(param, grad, state, config):
                rule(param, grad, state, config)
        for pack in self.packs:
            pack.apply(rule, params, grads, config)

    def states(self):
        """The state of each parameter, in order."""
        by_position = {position: dict(state) for position, state, _ in self.singles}
        for pack in self.packs:
            by_position.update(pack.states())
        return [by_position[position] for position in sorted(by_position)]


class Pack:
    """Small parameters updated as one vector.

    positions: where they sit in the params list. `param` and `grad` are flat
    vectors holding all of them end to end; `views[k]` and `grad_views[k]`
    are the pieces of them shaped like the k-th parameter.
    """

    def __init__(self, positions, params):
        self.positions = positions
        sizes = [params[i].size for i in positions]
        self.ends = np.cumsum(sizes)
        self.param = np.empty(int(self.ends[-1]), dtype=params[positions[0]].dtype)
        self.grad = np.empty_like(self.param)
        self.views = [self.param[end - size:end].reshape(params[i].shape)
                      for i, size, end in zip(positions, sizes, self.ends)]
        self.grad_views = [self.grad[end - size:end].reshape(params[i].shape)
                           for i, size, end in zip(positions, sizes, self.ends)]
        self.state = {}

    def apply(self, rule, params, grads, config):
        for i, view, grad_view in zip(self.positions, self.views, self.grad_views):
            view[...] = params[i]
            grad_view[...] = grads[i]
        rule(self.param, self.grad, self.state, config)
        for i, view in zip(self.positions, self.views):
            params[i][...] = view

    def states(self):
        """{position: that parameter's state}, its arrays being views into ours."""
        result = {}
        for i, view, end in zip(self.positions, self.views, self.ends):
            start = end - view.size
            result[i] = {key: (value[start:end].reshape(view.shape)
                               if isinstance(value, np.ndarray) else value)
                         for key, value in self.state.items()}
        return result
