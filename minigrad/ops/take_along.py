"""Reading a tensor at indices found along one dim, the values half of ``max(dim)``, ``sort``,
``topk``, ``kthvalue``, ``median``, ``mode``, ``cummax``...: the ops find the indices on the
array, and :func:`take_along` reads the values there, recorded so that the gradient is added
back at those indices (and that backward is an op too, so it can be differentiated again).

A fused pair rather than indexing (``x[grid]``): the general indexing backward scatter-adds
with ``numpy.add.at``, 5x slower on a (128, 256) sort than the ``bincount`` below.
"""
from __future__ import annotations

import math

from ..backend import xp
from ..engine import Function, is_tensor


def _flat_positions(indices, d: int, shape) -> object:
    """The flat position in ``shape`` of each element read: ``indices`` along ``d``, the
    element's own position along every other dim."""
    grid = list(xp.ix_(*[xp.arange(n) for n in indices.shape])) if indices.ndim else []
    grid[d] = indices
    return xp.ravel_multi_index(tuple(grid), shape)


def scatter_add_along(grad, indices, d: int, shape):
    """A zero array of ``shape`` with ``grad`` added at ``indices`` along ``d`` (repeats add up)."""
    if is_tensor(grad):
        return ScatterAddAlong.apply(grad, indices=indices, dim=d, shape=shape)
    positions = _flat_positions(indices, d, shape).reshape(-1)
    summed = xp.bincount(positions, weights=grad.reshape(-1), minlength=math.prod(shape))
    return summed.reshape(shape).astype(grad.dtype, copy=False)


class TakeAlong(Function):
    __slots__ = ("indices", "dim")
    name = "take_along"
    caption = "grad_in = grad_out added back at the indices it was read from"
    reads = ()

    def __init__(self, indices, dim: int):
        self.indices, self.dim = indices, dim

    def options(self):
        return {"dim": self.dim}

    def forward(self, x):
        return xp.take_along_axis(x, self.indices, axis=self.dim)

    def backward(self, grad, inputs, output):
        return (scatter_add_along(grad, self.indices, self.dim, inputs[0].shape),)


class ScatterAddAlong(Function):
    """The backward of :class:`TakeAlong`, as an op of its own (differentiated: a take again)."""

    __slots__ = ("indices", "dim", "shape")
    name = "scatter_add_along"
    caption = "grad_in = grad_out read back at the indices"
    reads = ()

    def __init__(self, indices, dim: int, shape):
        self.indices, self.dim, self.shape = indices, dim, tuple(shape)

    def options(self):
        return {"dim": self.dim}

    def forward(self, grad):
        return scatter_add_along(grad, self.indices, self.dim, self.shape)

    def backward(self, grad, inputs, output):
        return (take_along(grad, self.indices, self.dim),)


def take_along(x, indices, d: int):
    """``x`` read at ``indices`` along dim ``d`` (PyTorch's ``take_along_dim``); ``indices``
    has ``x``'s shape except along ``d``."""
    if not is_tensor(x):
        return xp.take_along_axis(x, indices, axis=d)
    return TakeAlong.apply(x, indices=indices, dim=d)
