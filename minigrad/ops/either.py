"""Helpers for backward rules that must work on numpy arrays (a plain backward) and on Tensors
(``create_graph=True``).  Operators (``+ - * / @``) and ``.sum(axis=, keepdims=)``,
``.reshape`` and ``.mT`` already mean the same on both; the few functions below fill the gap.
"""
from __future__ import annotations

from ..autograd import is_tensor
from ..backend import xp


def raw(a):
    """The array behind a Tensor (or the array itself): for masks and other constants."""
    return a.data if is_tensor(a) else a


def exp(a):
    return a.exp() if is_tensor(a) else xp.exp(a)


def log(a):
    return a.log() if is_tensor(a) else xp.log(a)


def tanh(a):
    return a.tanh() if is_tensor(a) else xp.tanh(a)


def broadcast_to(a, shape):
    """``a`` repeated to ``shape`` (the backward of a reduction)."""
    if is_tensor(a):
        return a.broadcast_to(shape)
    # A filled new array rather than numpy's broadcast_to view: several times cheaper to make for
    # small arrays, and the gradient it becomes is then writable and owned.
    out = xp.empty(shape, dtype=a.dtype)
    out[...] = a
    return out


def permute(a, axes):
    return a.permute(axes) if is_tensor(a) else a.transpose(axes)


def unbroadcast(grad, shape):
    """Sum ``grad`` back to ``shape``: the backward of broadcasting, used by every binary op."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead:  # dimensions broadcasting added in front
        grad = grad.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:  # size-1 dimensions broadcasting stretched
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def reduced_shape(shape, dims) -> tuple:
    """``shape`` with the reduced ``dims`` kept as size 1 (the keepdim shape)."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))
