"""What every loss checks before it computes: the ``reduction``, PyTorch's deprecated
``size_average`` / ``reduce`` pair, and a target that must broadcast against the input.

The composite losses (loss_regression.py, loss_margin.py) and the fused ones
(minigrad/functional.py over loss.py) share these, so that a bad call reads the same everywhere.
"""
from __future__ import annotations

import warnings

from ..backend import xp
from ..engine import is_tensor, new_constant
from .array_or_tensor import as_array

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(op: str, reduction: str, allowed: tuple = REDUCTIONS) -> None:
    """PyTorch's ValueError for a reduction it does not know."""
    if reduction not in allowed:
        choices = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"{op}: reduction must be one of {choices}, got {reduction!r}")


def legacy_reduction(size_average, reduce, reduction: str) -> str:
    """The reduction that PyTorch's deprecated ``size_average`` and ``reduce`` stand for
    (either given overrides ``reduction``, with PyTorch's deprecation warning):
    ``reduce=False`` -> 'none', else ``size_average=False`` -> 'sum', else 'mean'."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{result}' instead.", UserWarning, stacklevel=3)
    return result


def as_tensor(value):
    """A loss's argument as a Tensor: Tensors pass, arrays and numbers become constants."""
    return value if is_tensor(value) else new_constant(as_array(value))


def broadcast_target(op: str, input, target, warn: bool = True):
    """``target`` as a Tensor that broadcasts against ``input``.  With ``warn`` (the regression
    losses: mse, l1, huber, smooth_l1) a different shape warns first, as PyTorch warns; shapes
    that cannot broadcast raise PyTorch's RuntimeError."""
    target = as_tensor(target)
    if warn and target.shape != input.shape:
        warnings.warn(f"{op}: target shape {target.shape} differs from input shape {input.shape}; "
                      "they will be broadcast, which is likely not what you want: give them the "
                      "same shape", UserWarning, stacklevel=3)
    broadcastable(op, ("input", input), ("target", target))
    return target


def broadcastable(op: str, *named) -> tuple:
    """The broadcast shape of ``(name, tensor or shape)`` pairs, or a RuntimeError naming every
    shape."""
    shapes = [tuple(getattr(t, "shape", t)) for _, t in named]
    try:
        return xp.broadcast_shapes(*shapes)
    except ValueError:
        shapes = ", ".join(f"{name} of shape {shape}" for (name, _), shape in zip(named, shapes))
        raise RuntimeError(f"{op}: {shapes} do not broadcast together: give them the same "
                           "shape") from None


def float_input(op: str, input) -> None:
    """Losses compute on floating-point inputs (PyTorch refuses integer ones)."""
    if not is_tensor(input):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}: input must be a floating-point tensor, got dtype {input.dtype} "
                           "(convert it with .float())")
