"""Exercise 7: the numerically stable softmax, forward and backward."""
from ..backend import xp as np
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck, float_inputs
from .shapes import batch_rows

TEMPLATE = '''"""Exercise 7: the stable softmax (over the last axis: one row of scores z per sample).

a_i = e^{z_i} / sum_j e^{z_j}.  e^{1000} overflows to inf, and inf / inf is nan; since softmax(z)
= softmax(z - c) for any constant c, subtract each row's max first: the largest exponent is then
e^0 = 1.  Write that forward.

Backward: da_i/dz_k = a_i (delta_ik - a_k), so for an upstream gradient g (dL/da)
  dL/dz_k = sum_i g_i a_i (delta_ik - a_k) = a_k (g_k - sum_i g_i a_i).
Every output depends on every input of its row: the Jacobian is not diagonal.

Check with:  python -m minigrad.exercises check softmax
"""
import numpy as np


def softmax_forward(z):
    """The softmax of each row of z (the last axis), stable for scores in the thousands."""
    raise NotImplementedError("softmax_forward")


def softmax_backward(grad, z):
    """Return dz (of z's shape) for dL/da = grad, a = softmax_forward(z)."""
    raise NotImplementedError("softmax_backward")
'''

SOLUTIONS = {
    "softmax_forward": "t = np.exp(z - z.max(axis=-1, keepdims=True))\nreturn t / t.sum(axis=-1, "
        "keepdims=True)",
    "softmax_backward": "a = softmax_forward(z)\nreturn a * (grad - (grad * a).sum(axis=-1, keepdims=True))",
}

HINTS = [
    "Forward: t = np.exp(z - z.max(axis=-1, keepdims=True)), then divide t by its row sums (keepdims=True).",
    "Backward: a = softmax_forward(z); dz = a * (grad - (grad * a).sum(axis=-1, keepdims=True)).",
]


def _a(z):
    t = np.exp(z - z.max(axis=-1, keepdims=True))
    return t / t.sum(axis=-1, keepdims=True)


def _scaled(case, rng):
    """Scores of the case's shape, times the case's scale (1000: they overflow a naive softmax)."""
    params = dict(case.params)
    scale = params.pop("scale", 1.0)
    arrays, _ = float_inputs(case, rng)
    return [a * scale for a in arrays], params


def _unstable(z):
    with np.errstate(all="ignore"):
        return np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)


CASES = [Case(((3, 4),)), Case(((1, 3),)), Case(((2, 1),)), Case(((2, 5),), {"scale": 1000.0})]

EXERCISE = Exercise(
    name="softmax",
    goal="the stable softmax (subtract the max) and its backward (a full Jacobian per row)",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[OpCheck("softmax_backward", lambda z: z.softmax(dim=-1), ("z",), CASES, batch_rows,
                    make=_scaled, forward="softmax_forward", mistakes=[
        Mistake("unstable", "exp overflowed (scores in the thousands give inf / inf = nan): subtract "
            "each row's "
                "max first, softmax(z) = softmax(z - max(z)).", {"softmax_forward": _unstable}),
        Mistake("diagonal", "that is only the diagonal of the Jacobian, a (1 - a): every output of a "
            "row depends "
                "on every score of the row: dz = a * (grad - sum(grad * a, axis=-1, keepdims=True)).",
                {"softmax_backward": lambda g, z: g * _a(z) * (1 - _a(z))}),
        Mistake("no-keepdims", "the row sums lost their axis: use keepdims=True so each row's sum broadcasts "
                "along that row.", {"softmax_backward": lambda g, z: _a(z) * (g - (g * _a(z)).sum(axis=-1))}),
    ])],
)
