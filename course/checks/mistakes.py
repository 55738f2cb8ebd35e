"""Common mistakes, recognised and named in the verdict.

A verdict that says only "expected 1.3333, got 4" leaves the learner to find
out why. When the wrong answer is one that many learners give, the check
can say what went wrong, in the learner's words:

    ✗ mse: incorrect — the cost is n times too large: did you sum the squared
      errors instead of averaging them? (on mse(...): expected 1.3333, got 4)

A Mistake describes one such wrong answer in one of two ways:

    Mistake("...", answer=lambda y_true, y_pred: np.sum((y_pred - y_true) ** 2))
        the mistaken answer itself, with the reference's signature (for a
        ValueExercise, the mistaken value): the learner's result matches it;
    Mistake("...", when=scaled(-1))
        a relation between the right result and the learner's: here, the
        sign is flipped;
    Mistake("...", when=raised("TypeError", "boolean subtract"))
        an error the mistake raises: when an answer raises, the relation
        sees the kinds.Failure (its .type and .message) as the result.

`example` is the source of an answer cell that makes the mistake. The tests
run every example and prove that its verdict names the mistake, so a named
mistake is one the check really recognises.
"""

import numpy as np

from course.checks.verdicts import compare

_NOTHING = object()


class Mistake:
    """One common wrong answer of an exercise, and the words that name it.

    says: what went wrong and what to try, as the verdict will print it.
    answer: the mistaken answer (a function with the reference's signature,
        or for a ValueExercise the mistaken value); or
    when: a relation `when(expected, got) -> bool` between the right result
        and the learner's result.
    example: the source of an answer cell that makes this mistake.
    rtol, atol: how closely the learner's result must match `answer`.
    """

    def __init__(self, says, *, answer=_NOTHING, when=None, example=None, rtol=1e-5,
                 atol=1e-8):
        if (answer is _NOTHING) == (when is None):
            raise ValueError(f"Mistake({says!r}) needs exactly one of answer= (the mistaken "
                             f"answer) or when= (a relation between expected and got).")
        self.says = says
        self.answer = answer
        self.when = when
        self.example = example
        self.rtol, self.atol = rtol, atol

    def made_by(self, got, expected, case=None):
        """Whether `got` is this mistake. `case` (a kinds.Case) gives the
        arguments to call a mistaken function answer with."""
        try:
            if self.when is not None:
                return bool(self.when(expected, got))
            mistaken = self.answer
            if case is not None and callable(mistaken):
                mistaken = case.call(mistaken)
            return compare(mistaken, got, self.rtol, self.atol) is None
        except Exception:  # an answer too odd to relate to the mistake is not it
            return False

    def __repr__(self):
        return f"Mistake({self.says!r})"


def first_made(mistakes, got, expected, case=None):
    """The first of `mistakes` that `got` makes, or None."""
    for mistake in mistakes:
        if mistake.made_by(got, expected, case):
            return mistake
    return None


def scaled(factor, rtol=1e-4, atol=1e-9):
    """A relation: the learner's result is `factor` times the right one.

    scaled(-1) is a flipped sign, scaled(0.5) a missing factor of 2. It never
    holds where the right result is all zeros (every factor fits zero).
    """
    def relation(expected, got):
        items = zip(expected, got) if isinstance(expected, tuple) else [(expected, got)]
        pairs = [(np.asarray(e, dtype=np.float64), np.asarray(g, dtype=np.float64))
                 for e, g in items]
        if isinstance(expected, tuple) and len(pairs) != len(expected):
            return False
        return (all(e.shape == g.shape for e, g in pairs)
                and any(np.any(e != 0) for e, _ in pairs)
                and all(np.allclose(g, factor * e, rtol=rtol, atol=atol) for e, g in pairs))

    relation.__name__ = f"scaled({factor})"
    return relation


def raised(type_name, containing=""):
    """A relation: the answer raised an exception of type `type_name` (its
    class name, e.g. "TypeError") whose message contains `containing`."""
    def relation(expected, got):
        return (getattr(got, "type", None) == type_name
                and containing in getattr(got, "message", ""))

    relation.__name__ = f"raised({type_name!r}, {containing!r})"
    return relation


# Where a gradient is checked, these are recognised in every exercise, after
# the exercise's own mistakes.
GRADIENT_MISTAKES = (
    Mistake("your gradient points the wrong way: it is the right one with its sign "
            "flipped (is an error computed as y_true - y_pred?)", when=scaled(-1)),
    Mistake("your gradient is exactly half the right one: is a factor of 2 missing?",
            when=scaled(0.5)),
    Mistake("your gradient is exactly twice the right one: is a factor of 2 one too many?",
            when=scaled(2)),
)
