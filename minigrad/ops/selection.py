"""Selecting by index along a dim, by mask, and by flat position: index_select index_add
index_fill masked_fill masked_select take take_along_dim nonzero argwhere.

All are composites of indexing (ops/indexing.py), gather (ops/gather.py) and where: their
gradients are those ops' (a selected element's gradient flows back to it, a filled one's to the
fill value).  What they add is PyTorch's argument checking and its errors.
"""
from __future__ import annotations

from ..backend import bool_, int64, xp
from ..engine import is_tensor, new_constant
from . import indexing
from .array_or_tensor import broadcast_error, operand
from .elementwise import where
from .gather import Gather, index_array
from .reduction import normalize_dims
from .registry import op


def _index_vector(op_name: str, input, dim, index) -> tuple:
    """``(dim, 1-d index array)`` for the index_* ops: a vector (or a 0-d) of int64/int32
    within the dimension, as PyTorch checks it."""
    array = index_array(op_name, index)
    if array.ndim > 1:
        raise IndexError(f"{op_name}(): index is supposed to be a vector, but got {array.ndim} "
                         f"dimensions (shape {array.shape}); flatten it first")
    (d,) = normalize_dims(dim, input.ndim, op_name)
    size = input.shape[d] if input.ndim else 1
    array = array.reshape(-1)
    if array.size:
        low, high = int(array.min()), int(array.max())
        if low < -size or high >= size or (low < 0 and op_name in ("index_select", "index_add")):
            bad = high if high >= size else low
            kind = IndexError if op_name == "index_fill" else RuntimeError  # (PyTorch's, op by op)
            raise kind(f"{op_name}(): index {bad} is out of bounds for dimension {d} with size {size}")
    return d, array


def _along(d: int, array) -> tuple:
    return (slice(None),) * d + (array,)


@op("index_select")
def index_select(input, dim: int, index):
    """The slices of ``input`` along ``dim`` at the positions ``index`` (a vector) names, in
    its order (a repeated position is read twice, and its gradient adds up)."""
    d, array = _index_vector("index_select", input, dim, index)
    if input.ndim == 0:
        if array.size != 1:
            raise RuntimeError(f"index_select(): an index into a 0-d tensor can have only 1 value, "
                               f"got {array.size}")
        return input[...] * 1 if index.ndim == 0 else input.reshape(1)
    if index.ndim == 0:
        array = array.reshape(1)
    return input[_along(d, array)]


@op("index_add", inplace=True)
def index_add(input, dim: int, index, source, *, alpha=1):
    """``input`` with ``alpha * source`` added at the positions ``index`` names along ``dim``
    (``source`` has index's length there, input's sizes elsewhere; repeats add up)."""
    d, array = _index_vector("index_add", input, dim, index)
    if not is_tensor(source):
        raise TypeError(f"index_add(): argument 'source' must be a Tensor, not {type(source).__name__}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"index_add(): self ({input.dtype}) and source ({source.dtype}) must have "
                           "the same scalar type (convert source with .to(x.dtype))")
    expected = input.shape[:d] + (array.size,) + input.shape[d + 1:] if input.ndim else (array.size,)
    if tuple(source.shape or (1,)) != tuple(expected):
        raise RuntimeError(f"index_add(): source of shape {source.shape} should have input's shape "
                           f"{input.shape} except at dimension {d}, where it has the number of indices "
                           f"({array.size}): expected shape {expected}")
    flat = input.reshape(1) if input.ndim == 0 else input
    plan = indexing.plan_index(_along(d, array), flat.shape)
    added = indexing.index_add(source.reshape(expected), plan, flat.shape, input.dtype)
    added = added if is_tensor(added) else new_constant(added)
    out = flat + (added if alpha == 1 else added * alpha)
    return out.reshape(input.shape) if input.ndim == 0 else out


def _fill_value(op_name: str, value):
    if is_tensor(value):
        if value.ndim:
            raise RuntimeError(f"{op_name} only supports a 0-dimensional value tensor, but got a "
                               f"tensor with {value.ndim} dimension(s) (shape {value.shape})")
        return value
    if isinstance(value, (bool, int, float)) or isinstance(value, xp.generic):
        return operand(value)
    raise TypeError(f"{op_name}(): value must be a number or a 0-d Tensor, not {type(value).__name__}")


def _filled(input, mask, value):
    """where(mask, value, input) in input's dtype (an int tensor filled with 2.5 holds 2)."""
    out = where(mask, value, input)
    return out if out.dtype == input.dtype else out.to(input.dtype)


@op("index_fill", inplace=True)
def index_fill(input, dim: int, index, value):
    """``input`` with ``value`` (a number or a 0-d tensor) in the slices ``index`` names."""
    d, array = _index_vector("index_fill", input, dim, index)
    value = _fill_value("index_fill", value)
    mask = xp.zeros(input.shape or (1,), dtype=bool_)
    mask[_along(d, array)] = True
    return _filled(input, mask.reshape(input.shape), value)


def _mask(op_name: str, mask):
    if not is_tensor(mask):
        raise TypeError(f"{op_name}(): argument 'mask' must be a Tensor, not {type(mask).__name__}")
    if mask.dtype != bool_:
        raise RuntimeError(f"{op_name}: only boolean masks are supported, but got a mask with dtype "
                           f"{mask.dtype} (compare first: x > 0, or convert with .bool())")
    return mask.data


@op("masked_fill", inplace=True)
def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` (boolean, broadcastable) is True.

    >>> import minigrad as mg
    >>> x = mg.tensor([1., -2., 3.])
    >>> x.masked_fill(x < 0, 0.)
    tensor([1., 0., 3.])
    """
    mask = _mask("masked_fill", mask)
    value = _fill_value("masked_fill", value)
    try:
        xp.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise broadcast_error("masked_fill", input.data, mask) from None
    return _filled(input, mask, value)


@op("masked_select")
def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-d tensor (the two broadcast)."""
    mask = _mask("masked_select", mask)
    try:
        shape = xp.broadcast_shapes(input.shape, mask.shape)
    except ValueError:
        raise broadcast_error("masked_select", input.data, mask) from None
    x = input if input.shape == shape else input.broadcast_to(shape)
    return x.reshape(-1)[xp.broadcast_to(mask, shape).reshape(-1)]


@op("take")
def take(input, index):
    """``input`` read as 1-d at the positions ``index`` (int64, any shape; negative counts from
    the end); the result has the index's shape."""
    array = index_array("take", index, dtypes=(xp.dtype(int64),))
    size = input.numel()
    if array.size:
        low, high = int(array.min()), int(array.max())
        if low < -size or high >= size:
            raise IndexError(f"take(): out of range: tried to access index {high if high >= size else low} "
                             f"on a tensor of {size} elements")
    return input.reshape(-1)[array] if array.ndim else input.reshape(-1)[int(array)] * 1


@op("take_along_dim")
def take_along_dim(input, indices, dim=None):
    """gather along ``dim`` with the index broadcast against the input (outside ``dim``); with
    ``dim=None``, both are read flat."""
    array = index_array("take_along_dim", indices)
    if dim is None:  # (PyTorch reads the flat index as gather does: no negative indices)
        input, array, d = input.reshape(-1), array.reshape(-1), 0
        if array.size and array.min() < 0:
            raise RuntimeError(f"take_along_dim(): index {int(array.min())} is out of bounds for "
                               f"dimension 0 with size {input.shape[0]} (with dim=None, indices "
                               "run from 0)")
    else:
        if array.ndim != input.ndim:
            raise RuntimeError(f"take_along_dim(): input and indices should have the same number of "
                               f"dimensions, but got {input.ndim} dimensions for input, and "
                               f"{array.ndim} dimensions for indices")
        (d,) = normalize_dims(dim, input.ndim, "take_along_dim")
        outside = tuple(s for k, s in enumerate(input.shape) if k != d)
        try:
            common = xp.broadcast_shapes(outside, tuple(s for k, s in enumerate(array.shape) if k != d))
        except ValueError:
            raise broadcast_error("take_along_dim", input.data, array) from None
        shape_in = common[:d] + (input.shape[d],) + common[d:] if input.ndim else ()
        shape_index = common[:d] + (array.shape[d],) + common[d:] if input.ndim else ()
        input = input if input.shape == shape_in else input.broadcast_to(shape_in)
        array = xp.broadcast_to(array, shape_index)
    size = input.shape[d] if input.ndim else 1
    if array.size and (array.min() < -size or array.max() >= size):
        bad = int(array.max()) if array.max() >= size else int(array.min())
        raise RuntimeError(f"take_along_dim(): index {bad} is out of bounds for dimension {d} with "
                           f"size {size}")
    return Gather.apply(input, dim=d, index=xp.where(array < 0, array + size, array))


@op("nonzero")
def nonzero(input, *, as_tuple: bool = False):
    """The coordinates of the nonzero elements: an int64 tensor of shape (n, ndim), or with
    ``as_tuple=True`` one int64 vector per dimension (a 0-d input counts as 1-d there)."""
    data = input.data if is_tensor(input) else xp.asarray(input)
    if as_tuple:
        return tuple(new_constant(c.astype(int64)) for c in xp.nonzero(xp.atleast_1d(data)))
    return new_constant(xp.argwhere(data).astype(int64))


@op("argwhere")
def argwhere(input):
    """``nonzero(input)``: the (n, ndim) coordinates of the nonzero elements."""
    return nonzero(input)
