"""unique and unique_consecutive, with PyTorch's options and return values.

Neither has a gradient in PyTorch: the values of a tensor that requires grad require grad, and
backward through them raises.  So here too (:class:`Unique`).  The inverse indices and counts
are int64 and never require grad.
"""
from __future__ import annotations

from ..backend import bool_, int64, xp
from ..engine import Function, is_tensor, new_constant
from .reduction import normalize_dims
from .registry import op


class Unique(Function):
    """The unique values, found by the op's function (with the inverse and the counts)."""

    __slots__ = ("values",)
    name = "unique"
    caption = "no gradient (as in PyTorch: the derivative of unique is not implemented)"
    reads = ()

    def __init__(self, values):
        self.values = values

    def forward(self, x):
        return self.values

    def backward(self, grad, inputs, output):
        raise NotImplementedError("the derivative for 'unique' is not implemented (as in PyTorch); "
                                  "detach() the values, or index the tensor with the inverse")


def _results(input, values, inverse, counts, return_inverse: bool, return_counts: bool):
    out = Unique.apply(input, values=xp.ascontiguousarray(values))
    if not (return_inverse or return_counts):
        return out
    extra = [new_constant(a.astype(int64)) for a, wanted in ((inverse, return_inverse),
                                                              (counts, return_counts)) if wanted]
    return (out, *extra)


def _dim(op_name: str, input, dim):
    if not is_tensor(input):
        raise TypeError(f"{op_name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if dim is None:
        return None
    (d,) = normalize_dims(dim, input.ndim, op_name)
    if input.ndim and 0 in input.shape and input.shape[d] != 0:
        raise RuntimeError(f"{op_name}: there are 0 sized dimensions, and they aren't selected, so "
                           f"unique cannot be applied (shape {input.shape}, dim {d})")
    return d if input.ndim else None


@op("unique")
def unique(input, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim=None):
    """The distinct elements (or slices along ``dim``), in ascending order; with
    ``return_inverse`` also where each element went (input's shape, or one per slice), with
    ``return_counts`` how often each occurs.  NaNs are distinct from each other, as in PyTorch.

    >>> import minigrad as mg
    >>> mg.unique(mg.tensor([3, 1, 3]), return_counts=True)
    (tensor([1, 3]), tensor([1, 2]))
    """
    d = _dim("unique", input, dim)
    # (sorted=False: PyTorch on the CPU sorts too, and promises no other order)
    data = input.data
    if d is None:
        values, inverse, counts = xp.unique(data.reshape(-1), return_inverse=True, return_counts=True,
                                            equal_nan=False)
        inverse = inverse.reshape(data.shape)
    else:
        values, inverse, counts = xp.unique(data, return_inverse=True, return_counts=True, axis=d,
                                            equal_nan=False)
        inverse = inverse.reshape(-1)
    return _results(input, values, inverse, counts, return_inverse, return_counts)


@op("unique_consecutive")
def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """Each run of equal consecutive elements (or slices along ``dim``) kept once, in order."""
    d = _dim("unique_consecutive", input, dim)
    data = input.data
    rows = data.reshape(-1, 1) if d is None else xp.moveaxis(data, d, 0).reshape(data.shape[d], -1)
    starts = xp.ones(rows.shape[0], dtype=bool_)
    if rows.shape[0] > 1:
        starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    inverse = xp.cumsum(starts) - 1
    first = xp.flatnonzero(starts)
    counts = xp.diff(xp.append(first, rows.shape[0]))
    if d is None:
        values, inverse = data.reshape(-1)[first], inverse.reshape(data.shape)
    else:
        values = xp.take(data, first, axis=d)
    return _results(input, values, inverse, counts, return_inverse, return_counts)
