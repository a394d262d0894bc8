"""Functions of several tensors: ``cat``, ``stack``, ``where``, ``maximum``, ``minimum``."""
from __future__ import annotations

from .backend import bool_, xp
from .ops import elementwise as E
from .ops import reduction as R
from .ops import shape as S
from .tensor import Tensor, _operand


def _as_tensor_operand(x):
    return x if isinstance(x, Tensor) else _operand(x)


def maximum(a, b) -> Tensor:
    """Elementwise maximum; on a tie each side gets half of the gradient (as PyTorch)."""
    return E.Maximum.apply(_as_tensor_operand(a), _as_tensor_operand(b))


def minimum(a, b) -> Tensor:
    return E.Minimum.apply(_as_tensor_operand(a), _as_tensor_operand(b))


def where(condition, a, b) -> Tensor:
    """``a`` where ``condition`` holds, else ``b``."""
    cond = condition.data if isinstance(condition, Tensor) else xp.asarray(condition)
    if cond.dtype != bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {cond.dtype}")
    return E.Where.apply(cond, _as_tensor_operand(a), _as_tensor_operand(b))


def _check_same_ndim(tensors, op):
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty sequence of tensors")
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    return tensors


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension."""
    tensors = _check_same_ndim(list(tensors), "cat")
    first = tensors[0]
    (d,) = R.normalize_dims(dim, first.ndim, "cat")
    for i, t in enumerate(tensors):
        mismatch = any(a != b for j, (a, b) in enumerate(zip(t.shape, first.shape)) if j != d)
        if t.ndim != first.ndim or mismatch:
            raise ValueError(f"cat: tensor {i} has shape {t.shape}, which does not match tensor 0's "
                             f"shape {first.shape} outside dim {d}")
    return S.Cat.apply(*tensors, dim=d)


def stack(tensors, dim: int = 0) -> Tensor:
    """Join tensors of the same shape along a new dimension."""
    tensors = _check_same_ndim(list(tensors), "stack")
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.shape != first.shape:
            raise ValueError(f"stack: tensor {i} has shape {t.shape} but tensor 0 has shape {first.shape}")
    if not -first.ndim - 1 <= dim <= first.ndim:
        raise IndexError(f"stack: dim {dim} is out of range for tensors with {first.ndim} dimensions")
    return S.Stack.apply(*tensors, dim=dim % (first.ndim + 1))
