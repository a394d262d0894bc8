"""Exercise 2: the backward of add and mul, with broadcasting undone."""
from ..backend import xp as np
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck
from .shapes import broadcast_pair

TEMPLATE = '''"""Exercise 2: add and mul with broadcasting.

For out = a + b:  dL/da = dL/dout (elementwise), dL/db = dL/dout.
For out = a * b:  dL/da = dL/dout * b,           dL/db = dL/dout * a.
`grad` is dL/dout, of out's shape.  When a was broadcast (a of shape (3, 1) added to b of shape
(3, 4), or b of shape (4,) lacking the leading dimension), each element of a was used several
times: its gradient is the *sum* of the gradients of all its copies.  So every gradient must be
summed back to its input's shape: write `unbroadcast(grad, shape)` and use it in both backwards.

Check with:  python -m minigrad.exercises check add_mul
"""
import numpy as np


def add_forward(a, b):
    return a + b


def mul_forward(a, b):
    return a * b


def unbroadcast(grad, shape):
    """Sum grad back to `shape`: over the leading dimensions broadcasting added, and (keeping
    them, keepdims=True) over the size-1 dimensions it stretched."""
    raise NotImplementedError("unbroadcast")


def add_backward(grad, a, b):
    """Return (da, db), of the shapes of a and b."""
    raise NotImplementedError("add_backward")


def mul_backward(grad, a, b):
    """Return (da, db), of the shapes of a and b."""
    raise NotImplementedError("mul_backward")
'''

SOLUTIONS = {
    "unbroadcast": """lead = grad.ndim - len(shape)
grad = grad.sum(axis=tuple(range(lead)))
stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
return grad.sum(axis=stretched, keepdims=True).reshape(shape)""",
    "add_backward": "return unbroadcast(grad, a.shape), unbroadcast(grad, b.shape)",
    "mul_backward": "return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)",
}

HINTS = [
    "Each input's gradient has that input's shape. If a has shape (3, 1) and out has (3, 4), da has (3, 1).",
    "unbroadcast: first sum over the grad.ndim - len(shape) leading axes; then sum with keepdims=True over "
    "every axis where shape has 1 but grad does not.",
    "mul: d(a*b)/da = b, so da = unbroadcast(grad * b, a.shape); likewise db with a.",
]

NOT_SUMMED = ("a gradient has the output's shape, not its input's: the input was broadcast, so sum the "
              "gradient over the dimensions broadcasting added or stretched (unbroadcast(grad, a.shape)).")
LEAD_ONLY = ("you summed over the dimensions broadcasting added in front, but not over the size-1 dimensions "
             "it stretched: sum those too, with keepdims=True.")


def _lead_only(g, shape):
    return g.sum(axis=tuple(range(g.ndim - len(shape))))


CASES = [Case(((3, 4), (4,))), Case(((3, 1), (1, 4))), Case(((1,), (2, 3))), Case(((2, 1, 3), (4, 1))),
         Case(((1, 1), (1, 1))), Case(((2, 3), (2, 3)))]

EXERCISE = Exercise(
    name="add_mul",
    goal="the backward of a + b and a * b, summing gradients back over broadcast dimensions",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[
        OpCheck("add_backward", lambda a, b: a + b, ("a", "b"), CASES, broadcast_pair, mistakes=[
            Mistake("not-summed", NOT_SUMMED, {"add_backward": lambda g, a, b: (g, g)}),
            Mistake("lead-only", LEAD_ONLY,
                    {"add_backward": lambda g, a, b: (_lead_only(g, a.shape), _lead_only(g, b.shape))}),
        ]),
        OpCheck("mul_backward", lambda a, b: a * b, ("a", "b"), CASES, broadcast_pair, mistakes=[
            Mistake("not-summed", NOT_SUMMED, {"mul_backward": lambda g, a, b: (g * b, g * a)}),
            Mistake("swapped", "d(a*b)/da is b, not a: each input's gradient is grad times the "
                "*other* input.",
                    {"mul_backward": lambda g, a, b: (_sum_to(g * a, a.shape), _sum_to(g * b, b.shape))}),
        ]),
    ],
)


def _sum_to(g, shape):
    g = _lead_only(g, shape)
    return g.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True).reshape(shape)


__all__ = ["EXERCISE", "np"]
