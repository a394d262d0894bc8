"""gather, scatter and scatter_add: read or write along one dim, at the positions an index names.

For ``index`` of shape (i0, i1, ...) along ``dim``, position (p0, p1, ...) of the index stands
for the element of the tensor at (p0, ..., index[p], ..., pk): the same coordinates, except the
one along ``dim``, which the index gives.  ``gather`` reads those elements, ``scatter`` writes
there, ``scatter_add`` adds there (a repeated position adding each time).  The three are each
other's gradients: gather's backward scatter-adds, scatter_add's backward gathers.
"""
from __future__ import annotations

import math
import warnings

from ..backend import int64, xp
from ..engine import Function, is_tensor, new_constant
from .array_or_tensor import raw
from .reduce_args import normalize_dims
from .registry import op

_INDEX_DTYPES = (xp.dtype(int64), xp.dtype(xp.int32))


def index_array(op_name: str, index, dtypes=_INDEX_DTYPES):
    """The array of an index tensor, with PyTorch's errors for a non-tensor or a float index."""
    if not is_tensor(index):
        raise TypeError(f"{op_name}(): argument 'index' must be a Tensor, not {type(index).__name__} "
                        "(make it with mg.tensor([...]))")
    array = index.data
    if array.dtype not in dtypes:
        wanted = " or ".join(str(d) for d in dtypes)
        raise RuntimeError(f"{op_name}(): expected dtype {wanted} for index, got {array.dtype} "
                           "(convert it with .long())")
    return array


def positions(index, dim: int) -> tuple:
    """The coordinates the index stands for, as a tuple of arrays that broadcast to its shape."""
    grids = list(xp.indices(index.shape, sparse=True))
    grids[dim] = index
    return tuple(grids)


def _flat(a):
    """A 0-d array as 1-d: PyTorch lets a 0-d tensor and a 0-d index meet along dim 0."""
    return a.reshape(1) if a.ndim == 0 else a


def read_at(x, dim: int, index):
    """``gather`` on arrays."""
    return _flat(x)[positions(_flat(index), dim)].reshape(index.shape)


def _cut(src, index):
    """The part of ``src`` the index covers (src may be larger, as PyTorch allows)."""
    src = _flat(src)
    return src[tuple(slice(0, n) for n in _flat(index).shape)]


def gather_(x, dim: int, index):
    """``gather`` of an array or a Tensor (in a backward)."""
    return Gather.apply(x, dim=dim, index=index) if is_tensor(x) else read_at(x, dim, index)


def gathered_into(grad, dim: int, index, shape):
    """The gradient of a scattered ``src`` of ``shape``: ``grad`` gathered at the index, and 0
    for the elements of a src larger than the index (which no position reads)."""
    out = gather_(grad, dim, index)
    if tuple(out.shape) == tuple(shape):
        return out
    if not shape:
        return out.reshape(shape)
    from .pad import pad_to  # (pad.py builds on the ops here)
    return pad_to(out, shape)


def scatter_added(grad, dim: int, index, shape):
    """Zeros of ``shape`` with ``grad`` added at the index (gather's backward)."""
    if is_tensor(grad):
        zeros = new_constant(xp.zeros(shape, dtype=raw(grad).dtype))
        return ScatterAdd.apply(zeros, grad, dim=dim, index=index)
    # A sum per flat position with bincount: about 5x faster than numpy.add.at on a (128, 256)
    # sort, and this is the backward of max(dim), sort, topk, median, mode, cummax... too.
    where = xp.ravel_multi_index(positions(_flat(index), dim), tuple(shape) or (1,)).reshape(-1)
    summed = xp.bincount(where, weights=_cut(grad, index).reshape(-1), minlength=math.prod(shape))
    return summed.reshape(shape).astype(grad.dtype, copy=False)


class Gather(Function):
    __slots__ = ("dim", "index")
    name = "gather"
    caption = "grad_out is scatter-added into zeros at the gathered positions"
    reads = ()

    def __init__(self, dim: int, index):
        self.dim, self.index = dim, index

    def options(self):
        return {"dim": self.dim}

    def forward(self, x):
        return read_at(x, self.dim, self.index)

    def backward(self, grad, inputs, output):  # each read element gets the gradient of its reads
        return (scatter_added(grad, self.dim, self.index, raw(inputs[0]).shape),)


class ScatterAdd(Function):
    __slots__ = ("dim", "index")
    name = "scatter_add"
    caption = "grad_self = grad_out; grad_src = grad_out gathered at the index"
    reads = ()

    def __init__(self, dim: int, index):
        self.dim, self.index = dim, index

    def options(self):
        return {"dim": self.dim}

    def forward(self, x, src):
        out = x.copy()
        xp.add.at(_flat(out), positions(_flat(self.index), self.dim), _cut(src, self.index))
        return out

    def backward(self, grad, inputs, output):
        grad_src = None
        if self.parents[1] is not None:
            grad_src = gathered_into(grad, self.dim, self.index, raw(inputs[1]).shape)
        return grad if self.parents[0] is not None else None, grad_src


class Scatter(Function):
    """``src`` (a tensor, or one number) written at the index; with a repeated position, which
    write lands is unspecified in PyTorch (here: the last)."""

    __slots__ = ("dim", "index")
    name = "scatter"
    caption = "grad_self = grad_out with 0 where written; grad_src = grad_out gathered at the index"
    reads = ()

    def __init__(self, dim: int, index):
        self.dim, self.index = dim, index

    def options(self):
        return {"dim": self.dim}

    def forward(self, x, src):
        out = x.copy()
        value = _cut(src, self.index) if isinstance(src, xp.ndarray) else src
        _flat(out)[positions(_flat(self.index), self.dim)] = value
        return out

    def backward(self, grad, inputs, output):
        x, src = inputs
        grad_x = grad_src = None
        if self.parents[0] is not None:  # what was overwritten no longer depends on self
            kept = xp.ones(raw(x).shape, dtype=bool)
            _flat(kept)[positions(_flat(self.index), self.dim)] = False
            grad_x = grad * kept
        if self.parents[1] is not None:
            grad_src = gathered_into(grad, self.dim, self.index, raw(src).shape)
        return grad_x, grad_src


class ScatterWithReduce(Function):
    """The deprecated ``scatter(..., reduce='add' | 'multiply')``, which PyTorch still accepts
    and does not differentiate: neither does this (scatter_add and scatter_reduce do)."""

    __slots__ = ("dim", "index", "reduce")
    name = "scatter_with_reduce"
    caption = "no gradient (as in PyTorch): use scatter_add or scatter_reduce"
    reads = ()

    def __init__(self, dim: int, index, reduce: str):
        self.dim, self.index, self.reduce = dim, index, reduce

    def options(self):
        return {"dim": self.dim, "reduce": self.reduce}

    def forward(self, x, src):
        out = x.copy()
        value = _cut(src, self.index) if isinstance(src, xp.ndarray) else src
        ufunc = xp.add if self.reduce == "add" else xp.multiply
        ufunc.at(_flat(out), positions(_flat(self.index), self.dim), value)
        return out

    def backward(self, grad, inputs, output):
        raise RuntimeError(f"scatter(reduce={self.reduce!r}): the derivative of scatter with "
                           "reduce= is not implemented (as in PyTorch); use scatter_add, or "
                           "scatter_reduce(..., reduce='sum' | 'prod')")


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------
def check_index(op_name: str, input, dim, index, src=None) -> tuple:
    """``(dim, index array)`` after PyTorch's checks: an integer index with the tensor's number
    of dimensions, no larger than it (and than src) outside ``dim``, within bounds along it."""
    array = index_array(op_name, index)
    (d,) = normalize_dims(dim, input.ndim, op_name)
    shape = tuple(input.shape) or (1,)
    index_shape = array.shape or (1,)
    if len(index_shape) != len(shape) and array.size:
        raise RuntimeError(f"{op_name}(): the index must have as many dimensions as the tensor: "
                           f"index of shape {array.shape}, tensor of shape {tuple(input.shape)}")
    src_shape = None if src is None else (tuple(src.shape) or (1,))
    if src_shape is not None and len(src_shape) != len(index_shape) and array.size:
        raise RuntimeError(f"{op_name}(): the index must have as many dimensions as src: index of "
                           f"shape {array.shape}, src of shape {tuple(src.shape)}")
    for k, n in enumerate(index_shape if array.size else ()):
        if (k != d and n > shape[k]) or (src_shape is not None and n > src_shape[k]):
            against = "" if src is None else f" and no larger than src {list(src.shape)}"
            raise RuntimeError(f"{op_name}(): expected index {list(array.shape)} to be no larger than "
                               f"self {list(input.shape)} apart from dimension {d}{against} (size "
                               f"{n} at dimension {k})")
    if array.size:
        low, high = int(array.min()), int(array.max())
        if low < 0 or high >= shape[d]:
            bad = low if low < 0 else high
            raise RuntimeError(f"{op_name}(): index {bad} is out of bounds for dimension {d} with "
                               f"size {shape[d]} (indices run from 0 to {shape[d] - 1}; negative "
                               "ones are not accepted)")
    return d, array


@op("gather")
def gather(input, dim: int, index, *, sparse_grad: bool = False):
    """``out[p] = input[p with its coordinate along dim replaced by index[p]]``; out has the
    index's shape.

    >>> import minigrad as mg
    >>> mg.gather(mg.tensor([[1., 2.], [3., 4.]]), 1, mg.tensor([[0, 0], [1, 0]]))
    tensor([[1., 1.],
           [4., 3.]])
    """
    if sparse_grad:
        raise NotImplementedError("gather(sparse_grad=True): minigrad has no sparse tensors; the "
                                  "dense gradient (sparse_grad=False) has the same values")
    d, array = check_index("gather", input, dim, index)
    return Gather.apply(input, dim=d, index=array)


def _src(op_name: str, input, src, value):
    """scatter's ``src`` (a tensor of the input's dtype) or ``value`` (a number)."""
    if src is not None and value is not None:
        raise TypeError(f"{op_name}(): give src or value, not both")
    src = value if src is None else src
    if src is None:
        raise TypeError(f"{op_name}(): missing src (a tensor) or value (a number)")
    if is_tensor(src):
        if src.dtype != input.dtype:
            raise RuntimeError(f"{op_name}(): expected self.dtype to be equal to src.dtype, got "
                               f"{input.dtype} and {src.dtype} (convert src with .to(x.dtype))")
        return src
    if isinstance(src, (bool, int, float)) or isinstance(src, xp.generic):
        return src.item() if isinstance(src, xp.generic) else src
    raise TypeError(f"{op_name}(): src must be a Tensor or a number, not {type(src).__name__}")


@op("scatter", inplace=True)
def scatter(input, dim: int, index, src=None, value=None, *, reduce: str | None = None):
    """``input`` with ``src[p]`` (or the number ``value``) written at each index position p;
    ``reduce='add' | 'multiply'`` is PyTorch's deprecated form (no gradient, as there)."""
    src = _src("scatter", input, src, value)
    d, array = check_index("scatter", input, dim, index, src if is_tensor(src) else None)
    if reduce is None:
        return Scatter.apply(input, src, dim=d, index=array)
    if reduce not in ("add", "multiply"):
        raise RuntimeError(f"scatter(): reduce argument must be either add or multiply, got {reduce!r} "
                           "(scatter_reduce has 'sum', 'prod', 'mean', 'amax', 'amin')")
    if is_tensor(src):
        warnings.warn("scatter(reduce=...) with a Tensor src is deprecated in PyTorch; use "
                      "scatter_reduce, which has more reductions", UserWarning, stacklevel=2)
    return ScatterWithReduce.apply(input, src, dim=d, index=array, reduce=reduce)


@op("scatter_add", inplace=True)
def scatter_add(input, dim: int, index, src):
    """``input`` with ``src[p]`` added at each index position p (a repeated position adds up)."""
    if not is_tensor(src):
        raise TypeError(f"scatter_add(): argument 'src' must be a Tensor, not {type(src).__name__}")
    src = _src("scatter_add", input, src, None)
    d, array = check_index("scatter_add", input, dim, index, src)
    return ScatterAdd.apply(input, src, dim=d, index=array)
