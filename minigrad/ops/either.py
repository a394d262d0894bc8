"""Helpers for backward rules that must work on numpy arrays (a plain backward) and on Tensors
(``create_graph=True``).  Operators (``+ - * / @``) and ``.sum(axis=, keepdims=)``,
``.reshape`` and ``.mT`` already mean the same on both; the few functions below fill the gap.
"""
from __future__ import annotations

from .. import autograd
from ..backend import xp


def is_tensor(a) -> bool:
    return isinstance(a, autograd.Tensor)


def raw(a):
    """The array behind a Tensor (or the array itself): for masks and other constants."""
    return a.data if isinstance(a, autograd.Tensor) else a


def exp(a):
    return a.exp() if isinstance(a, autograd.Tensor) else xp.exp(a)


def log(a):
    return a.log() if isinstance(a, autograd.Tensor) else xp.log(a)


def tanh(a):
    return a.tanh() if isinstance(a, autograd.Tensor) else xp.tanh(a)


def broadcast_to(a, shape):
    return a.broadcast_to(shape) if isinstance(a, autograd.Tensor) else xp.broadcast_to(a, shape)


def permute(a, axes):
    return a.permute(axes) if isinstance(a, autograd.Tensor) else a.transpose(axes)


def unbroadcast(grad, shape):
    """Sum ``grad`` back to ``shape``: the backward of broadcasting, used by every binary op."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1
    )
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def reduced_shape(shape, dims) -> tuple:
    """``shape`` with the reduced ``dims`` kept as size 1 (the keepdim shape)."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))
