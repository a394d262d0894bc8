"""Exercise 4: the backward of sum and mean over a dimension."""
from ..backend import xp as np
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck
from .shapes import reduce_dim

TEMPLATE = '''"""Exercise 4: sum and mean over a dimension.

out = x.sum(axis=dim): every x element along `dim` adds into one out element, with
derivative 1, so dL/dx = grad copied back along `dim`.  `grad` lacks that axis: put it back
(np.expand_dims(grad, dim)) before broadcasting it to x's shape.
out = x.mean(axis=dim) = x.sum(axis=dim) / N with N = x.shape[dim]: the same, times 1/N.

Check with:  python -m minigrad.exercises check sum_mean
"""
import numpy as np


def sum_forward(x, dim):
    return x.sum(axis=dim)


def mean_forward(x, dim):
    return x.mean(axis=dim)


def sum_backward(grad, x, dim):
    """Return dx, of x's shape."""
    raise NotImplementedError("sum_backward")


def mean_backward(grad, x, dim):
    """Return dx, of x's shape."""
    raise NotImplementedError("mean_backward")
'''

SOLUTIONS = {
    "sum_backward": "return np.broadcast_to(np.expand_dims(grad, dim), x.shape).copy()",
    "mean_backward": "return np.broadcast_to(np.expand_dims(grad, dim), x.shape) / x.shape[dim]",
}

HINTS = [
    "dx has x's shape; each x[..., i, ...] along dim receives the grad of the out element it went into.",
    "np.expand_dims(grad, dim) restores the summed axis with size 1; np.broadcast_to then copies it along.",
    "mean divides by N = x.shape[dim], so its gradient does too.",
]


def _expand(g, x, dim):
    return np.broadcast_to(np.expand_dims(g, dim), x.shape)


CASES = [Case(((3, 4),), {"dim": 0}), Case(((3, 3),), {"dim": 1}), Case(((1, 4),), {"dim": 0}),
         Case(((2, 3, 4),), {"dim": -1}), Case(((4,),), {"dim": 0})]
NO_EXPAND = ("grad was broadcast against the wrong axis: numpy aligns it with x's *last* axes; put "
    "the summed "
             "axis back first with np.expand_dims(grad, dim), then broadcast to x.shape.")

EXERCISE = Exercise(
    name="sum_mean",
    goal="the backward of sum and mean over a dim: copy the gradient back, and 1/N for the mean",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[
        OpCheck("sum_backward", lambda x, dim: x.sum(dim=dim), ("x",), CASES, reduce_dim, mistakes=[
            Mistake("no-expand", NO_EXPAND, {"sum_backward": lambda g, x, dim: np.broadcast_to(g, x.shape)}),
            Mistake("mean-for-sum", "that is the mean's gradient: a sum passes grad back unscaled (no 1/N).",
                    {"sum_backward": lambda g, x, dim: _expand(g, x, dim) / x.shape[dim]}),
        ]),
        OpCheck("mean_backward", lambda x, dim: x.mean(dim=dim), ("x",), CASES, reduce_dim, mistakes=[
            Mistake("no-1/N", "the 1/N of the mean is missing: dx = grad / N copied along dim, "
                    "N = x.shape[dim].", {"mean_backward": lambda g, x, dim: _expand(g, x, dim)}),
            Mistake("size", "you divided by x.size, all the elements; the mean over dim averages "
                    "N = x.shape[dim] of "
                        "them.", {"mean_backward": lambda g, x, dim: _expand(g, x, dim) / x.size}),
            Mistake("no-expand", NO_EXPAND,
                    {"mean_backward": lambda g, x, dim: np.broadcast_to(g, x.shape) / x.shape[dim]}),
        ]),
    ],
)
