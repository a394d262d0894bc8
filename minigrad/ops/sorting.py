"""Sorting and the selections built on it: ``sort``, ``argsort``, ``msort``, ``topk``,
``kthvalue``, ``median``, ``nanmedian`` and ``mode``.

Each finds indices on the array (a stable sort, NaN counting as the largest, as in PyTorch) and
reads the values there by indexing, so the gradient goes to the selected elements and can be
differentiated again.  ``median()`` and ``nanmedian()`` without a dim share the gradient evenly
among the elements equal to the result (PyTorch's rule); with a dim it goes to the one index.
"""
from __future__ import annotations

from .. import return_types
from ..backend import int64, xp
from ..engine import new_constant
from .elementwise import where
from .gather import gather_
from .reduce_args import dim_alias, keepdim_alias, one_dim
from .reduction import _check_not_empty
from .registry import op


def _order(data, d: int, descending: bool):
    """The stable sorting permutation along ``d`` (ties keep their order, NaNs go last, or first
    when descending)."""
    if not descending:
        return xp.argsort(data, axis=d, kind="stable").astype(int64)
    # Ascending on the reversed array, read backwards: descending, ties still in their order.
    flipped = xp.argsort(xp.flip(data, d), axis=d, kind="stable")
    return (data.shape[d] - 1 - xp.flip(flipped, d)).astype(int64)


def _pick(input, indices, d: int, kind, squeeze: bool = False):
    """``kind((values, indices))`` with the values read at ``indices`` along ``d``; a 0-d
    input is one element along dim 0 (PyTorch's view of it) and gives 0-d results."""
    if input.ndim == 0:
        values = gather_(input.reshape(1), 0, indices.reshape(-1))
        return kind((values.reshape(values.shape if values.numel() != 1 else ()),
                     new_constant(indices.reshape(indices.size if indices.size != 1 else ()))))
    values = gather_(input, d, indices)
    if squeeze:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return kind((values, new_constant(xp.array(indices, dtype=int64))))


def _data_along(input, d: int):
    """The data as an array with dim ``d`` to sort along (a 0-d tensor as one element)."""
    return (input.data, d) if input.ndim else (input.data.reshape(1), 0)


@op("sort")
def sort(input, dim: int = -1, descending: bool = False, *, stable: bool = False, axis=None):
    """The values along ``dim`` in order, with their indices, as ``return_types.sort``.  The
    sort is always stable (a stable sort is a valid unstable one), so ``stable=True`` holds.

    >>> import minigrad as mg
    >>> mg.tensor([2.0, 1.0, 2.0, 1.0]).sort(descending=True).indices
    tensor([0, 2, 1, 3])
    """
    data, d = _data_along(input, one_dim(dim_alias(dim, axis, "sort", -1), input.ndim, "sort"))
    return _pick(input, _order(data, d, bool(descending)), d, return_types.sort)


@op("argsort")
def argsort(input, dim: int = -1, descending: bool = False, *, stable: bool = False, axis=None):
    """The indices that sort ``input`` along ``dim`` (``sort(...).indices``, without the values)."""
    data, d = _data_along(input, one_dim(dim_alias(dim, axis, "argsort", -1), input.ndim, "argsort"))
    order = _order(data, d, bool(descending))
    return new_constant(order.reshape(input.shape))


@op("msort")
def msort(input):
    """``sort(input, dim=0).values``."""
    return sort(input, 0).values


@op("topk")
def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, axis=None):  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, as
    ``return_types.topk``; they come sorted (PyTorch leaves their order open when
    ``sorted=False``)."""
    data, d = _data_along(input, one_dim(dim_alias(dim, axis, "topk", -1), input.ndim, "topk"))
    n = data.shape[d]
    if isinstance(k, bool) or not isinstance(k, (int, xp.integer)) or not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k={k!r} is out of range: dim {dim} has {n} "
                           f"elements (shape {tuple(input.shape)}), so k must be in 0..{n}")
    if data.dtype.kind == "b":
        raise RuntimeError("topk: does not support bool tensors; convert first, e.g. x.long().topk(k)")
    indices = xp.take(_order(data, d, bool(largest)), xp.arange(k), axis=d)
    return _pick(input, indices, d, return_types.topk)


def _selected(input, dim, keepdim, keepdims, op_name, position_of, kind):
    """The element at sorted position ``position_of(data, d, order)`` along ``dim``."""
    keepdim = keepdim_alias(keepdim, keepdims, op_name)
    data, d = _data_along(input, one_dim(dim, input.ndim, op_name))
    if input.ndim:
        _check_not_empty(input, (d,), op_name)
    order = _order(data, d, False)
    indices = xp.take_along_axis(order, position_of(data, d, order), axis=d)
    return _pick(input, indices, d, kind, squeeze=not keepdim)


def _nans(data, d):
    return xp.isnan(data).sum(axis=d, keepdims=True) if data.dtype.kind == "f" else \
        xp.zeros(data.shape[:d] + (1,) + data.shape[d + 1:], dtype=int64)


@op("kthvalue")
def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False, *, axis=None, keepdims=None):
    """The ``k``-th smallest value along ``dim`` (k from 1) and its index (``return_types.kthvalue``)."""
    dim = dim_alias(dim, axis, "kthvalue", -1)
    n = input.shape[one_dim(dim, input.ndim, "kthvalue")] if input.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (int, xp.integer)) or not 1 <= k <= max(n, 1):
        raise RuntimeError(f"kthvalue: selected number k={k!r} is out of range for dim {dim} of "
                           f"size {n} (shape {tuple(input.shape)}): k counts from 1 to {n}")

    def position(data, d, order):
        return xp.full(data.shape[:d] + (1,) + data.shape[d + 1:], k - 1, dtype=int64)
    return _selected(input, dim, keepdim, keepdims, "kthvalue", position, return_types.kthvalue)


def _whole_median(input, ignore_nan: bool, op_name: str):
    """``median()``: the lower median of every element, the gradient shared among its ties."""
    data = input.data.reshape(-1)
    if data.size == 0:
        return input.sum() * float("nan")
    if data.dtype.kind == "b":
        raise NotImplementedError(f"{op_name}: not implemented for bool tensors; convert first")
    flat = input.reshape(-1)
    chosen = _selected(flat, 0, False, None, op_name, _median_position(ignore_nan), return_types.median)
    value = chosen.values.data
    ties = data == value
    if data.dtype.kind == "f" and xp.isnan(value):
        ties = xp.isnan(data)
    count = new_constant(xp.asarray(ties.sum(), dtype=data.dtype))
    return where(ties, flat, 0).sum() / count if data.dtype.kind == "f" else chosen.values


def _median_position(ignore_nan: bool):
    def position(data, d, order):  # the lower median; with NaNs, the first NaN (or ignore them)
        nans = _nans(data, d)
        counted = data.shape[d] - nans
        if ignore_nan:
            return xp.maximum(counted - 1, 0) // 2
        return xp.where(nans > 0, counted, (data.shape[d] - 1) // 2)
    return position


@op("median")
def median(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """``median()``: the lower of the two middle values (a 0-d tensor; NaN if any is NaN);
    ``median(dim)``: ``return_types.median(values, indices)`` along ``dim``."""
    dim = dim_alias(dim, axis, "median")
    if dim is None:
        return _whole_median(input, False, "median")
    return _selected(input, dim, keepdim, keepdims, "median", _median_position(False),
                     return_types.median)


@op("nanmedian")
def nanmedian(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """``median`` with NaNs ignored (NaN only where every element is NaN)."""
    dim = dim_alias(dim, axis, "nanmedian")
    if dim is None:
        return _whole_median(input, True, "nanmedian")
    return _selected(input, dim, keepdim, keepdims, "nanmedian", _median_position(True),
                     return_types.nanmedian)


@op("mode")
def mode(input, dim: int = -1, keepdim: bool = False, *, axis=None, keepdims=None):
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the
    index of its last occurrence, as ``return_types.mode``."""
    dim = dim_alias(dim, axis, "mode", -1)

    def position(data, d, order):
        ordered = xp.take_along_axis(data, order, axis=d)
        n = data.shape[d]
        steps = xp.arange(n).reshape([-1 if i == d else 1 for i in range(data.ndim)])
        changed = xp.ones(ordered.shape, dtype=bool)
        later, earlier = (slice(None),) * d + (slice(1, None),), (slice(None),) * d + (slice(0, -1),)
        same = ordered[later] == ordered[earlier]
        if data.dtype.kind == "f":  # NaNs are equal to each other here (a run of NaNs can be the mode)
            same |= xp.isnan(ordered[later]) & xp.isnan(ordered[earlier])
        changed[later] = ~same
        run_start = xp.maximum.accumulate(xp.where(changed, steps, 0), axis=d)
        run_length = steps - run_start + 1  # so far, within its run of equal values
        best = run_length.max(axis=d, keepdims=True)
        # The first position reaching the longest run ends the smallest modal value's run; its
        # last element is that value's last occurrence (the sort is stable).
        return xp.argmax(run_length == best, axis=d).reshape(best.shape).astype(int64)
    return _selected(input, dim, keepdim, keepdims, "mode", position, return_types.mode)
