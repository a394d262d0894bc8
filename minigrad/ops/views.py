"""Views and rearrangements with PyTorch's names: narrow select split chunk unbind unflatten
movedim/moveaxis swapaxes/swapdims t adjoint view_as reshape_as expand_as type_as atleast_1d/2d/3d
hstack vstack dstack column_stack.

Each is written with indexing (a slice or an int: a view of the tensor's memory, sharing its
version counter), reshape, permute or cat, so its gradient is theirs.  The ones that are views in
PyTorch (narrow, select, split, chunk, unbind, unflatten, movedim, swapaxes, t, view_as,
expand_as) are views here too, so that writing through one reaches the tensor.
"""
from __future__ import annotations

import math

from ..backend import xp
from ..engine import is_tensor
from .array_or_tensor import shape_args
from .reduction import normalize_dims
from .registry import op
from .shape import cat, inferred_shape


def _dim(op_name: str, input, dim) -> int:
    if input.ndim == 0:
        raise RuntimeError(f"{op_name}: expects at least a 1-dimensional tensor, got a 0-d tensor")
    return normalize_dims(dim, input.ndim, op_name)[0]


def _int(op_name: str, what: str, n) -> int:
    if is_tensor(n) and n.ndim == 0 and n.dtype.kind in "iu":
        return int(n.item())
    if isinstance(n, bool) or not isinstance(n, (int, xp.integer)):
        raise TypeError(f"{op_name}(): argument '{what}' must be an int, not {type(n).__name__}")
    return int(n)


@op("narrow")
def narrow(input, dim: int, start, length: int):
    """Elements ``start`` to ``start + length`` along ``dim``: a view (negative start counts
    from the end)."""
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor")
    d = normalize_dims(dim, input.ndim, "narrow")[0]
    start, length = _int("narrow", "start", start), _int("narrow", "length", length)
    size = input.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"narrow(): start {start} is out of range for dimension {d} of size {size} "
                         f"(expected to be in range of [{-size}, {size}])")
    if length < 0:
        raise RuntimeError(f"narrow(): length must be non-negative, got {length}")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"narrow(): start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}) of dimension {d}")
    return input[(slice(None),) * d + (slice(start, start + length),)]


@op("select")
def select(input, dim: int, index):
    """The slice at ``index`` along ``dim``, that dimension removed (``x.select(0, i)`` is
    ``x[i]``)."""
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor")
    d = normalize_dims(dim, input.ndim, "select")[0]
    index = _int("select", "index", index)
    if not -input.shape[d] <= index < input.shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} "
                         f"at dimension {d}")
    return input[(slice(None),) * d + (index,)]


@op("split")
def split(tensor, split_size_or_sections, dim: int = 0):
    """Views of consecutive pieces along ``dim``: of ``split_size`` each (the last may be
    smaller), or of the sizes in a list (which must add up to the dimension)."""
    d = _dim("split", tensor, dim)
    size = tensor.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = list(shape_args((tuple(split_size_or_sections),), "split", what="split_sizes"))
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, "
                               f"but got split_sizes={sizes}")
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                               f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    else:
        step = _int("split", "split_size", split_size_or_sections)
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
        if step == 0 and size != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension "
                               f"size of {size}")
        count = max(math.ceil(size / step), 1) if step else 1
        sizes = [min(step, size - i * step) for i in range(count)]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    return tuple(tensor[(slice(None),) * d + (slice(s, s + n),)] for s, n in zip(starts, sizes))


@op("chunk")
def chunk(input, chunks: int, dim: int = 0):
    """At most ``chunks`` views along ``dim``, each of ceil(size / chunks) elements (the last
    may be smaller; fewer pieces when the size runs out first)."""
    chunks = _int("chunk", "chunks", chunks)
    d = _dim("chunk", input, dim)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input.shape[d]
    if size == 0:
        return tuple(input[(slice(None),) * d + (slice(0, 0),)] for _ in range(chunks))
    return split(input, math.ceil(size / chunks), d)


@op("unbind")
def unbind(input, dim: int = 0):
    """The slices along ``dim``, that dimension removed: a tuple of views."""
    if input.ndim == 0:
        raise IndexError(f"unbind: dimension specified as {dim} but the tensor has no dimensions")
    d = normalize_dims(dim, input.ndim, "unbind")[0]
    return tuple(input[(slice(None),) * d + (i,)] for i in range(input.shape[d]))


@op("unflatten")
def unflatten(input, dim: int, sizes):
    """Dimension ``dim`` split into ``sizes`` (one of them may be -1): a view where it can be."""
    d = normalize_dims(dim, input.ndim, "unflatten")[0]
    sizes = shape_args((tuple(sizes),), "unflatten")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = input.shape[d] if input.ndim else 1
    try:
        sizes = inferred_shape("unflatten", xp.empty(n), sizes)
    except RuntimeError as error:
        raise RuntimeError(f"unflatten: provided sizes {list(sizes)} don't multiply up to the size of "
                           f"dim {d} ({n}) in the input tensor ({error})") from None
    return input.reshape(tuple(input.shape[:d]) + sizes + tuple(input.shape[d + 1:]))


def _dim_list(dims) -> tuple:
    return tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)


@op("movedim", aliases=("moveaxis",))
def movedim(input, source, destination):
    """Dimensions ``source`` moved to positions ``destination`` (ints or tuples of them), the
    others keeping their order: a view."""
    source, destination = _dim_list(source), _dim_list(destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(source)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(destination)} dims)")
    src = [normalize_dims(s, input.ndim, "movedim")[0] for s in source]
    dst = [normalize_dims(s, input.ndim, "movedim")[0] for s in destination]
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    order = [None] * input.ndim
    for s, t in zip(src, dst):
        order[t] = s
    rest = iter(k for k in range(input.ndim) if k not in src)
    return input.permute(tuple(k if k is not None else next(rest) for k in order))


@op("swapaxes")
def swapaxes(input, axis0: int, axis1: int):
    """``transpose(input, axis0, axis1)`` under numpy's name."""
    return input.transpose(axis0, axis1)


@op("swapdims")
def swapdims(input, dim0: int, dim1: int):
    """``transpose(input, dim0, dim1)``."""
    return input.transpose(dim0, dim1)


@op("t")
def t(input):
    """A matrix transposed; a 0-d or 1-d tensor as it is (a view either way)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D "
                           f"(shape {input.shape}); use .mT or transpose(dim0, dim1)")
    return input.permute(tuple(range(input.ndim - 1, -1, -1)))


@op("adjoint")
def adjoint(input):
    """The last two dimensions swapped (the conjugate transpose of a real matrix)."""
    if input.ndim < 2:
        raise RuntimeError(f"tensor.adjoint() is only supported on matrices or batches of matrices. "
                           f"Got {input.ndim}-D tensor.")
    if input.dtype.kind == "c":
        raise NotImplementedError("adjoint: minigrad has no complex conjugate; for a real tensor it "
                                  "is .mT")
    return input.transpose(-2, -1)


def _other(op_name: str, other):
    if not is_tensor(other):
        raise TypeError(f"{op_name}(): argument 'other' must be a Tensor, not {type(other).__name__}")
    return other


@op("view_as", torch=False)
def view_as(input, other):
    """``input.view(other.shape)``."""
    return input.view(_other("view_as", other).shape)


@op("reshape_as", torch=False)
def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return input.reshape(_other("reshape_as", other).shape)


@op("expand_as", torch=False)
def expand_as(input, other):
    """``input.expand(other.shape)``."""
    return input.expand(_other("expand_as", other).shape)


@op("type_as", torch=False)
def type_as(input, other):
    """``input.to(other.dtype)``: the tensor itself when the dtypes already agree."""
    return input.to(_other("type_as", other).dtype)


def _padded_shape(shape: tuple, rank: int) -> tuple:
    """numpy's and PyTorch's rule: (n,) becomes (1, n) for 2-d and (1, n, 1) for 3-d."""
    if len(shape) >= rank:
        return shape
    if rank == 1 or not shape:
        return (1,) * rank
    if rank == 2 or len(shape) == 2:
        return (1,) + shape if rank == 2 else shape + (1,)
    return (1,) + shape + (1,)


def _atleast(op_name: str, tensors, rank: int):
    """One tensor gives one tensor; several, or one sequence of them, a tuple."""
    several = len(tensors) != 1 or isinstance(tensors[0], (list, tuple))
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = []
    for x in tensors:
        if not is_tensor(x):
            raise TypeError(f"{op_name}(): expected Tensors, got {type(x).__name__}")
        shape = _padded_shape(tuple(x.shape), rank)
        out.append(x if shape == x.shape else x.reshape(shape))
    return tuple(out) if several else out[0]


@op("atleast_1d", method=False)
def atleast_1d(*tensors):
    """A 0-d tensor as shape (1,); others as they are (several tensors: a tuple)."""
    return _atleast("atleast_1d", tensors, 1)


@op("atleast_2d", method=False)
def atleast_2d(*tensors):
    """0-d as (1, 1), 1-d (n,) as (1, n); others as they are."""
    return _atleast("atleast_2d", tensors, 2)


@op("atleast_3d", method=False)
def atleast_3d(*tensors):
    """0-d as (1, 1, 1), (n,) as (1, n, 1), (m, n) as (m, n, 1); others as they are."""
    return _atleast("atleast_3d", tensors, 3)


def _stacked(op_name: str, tensors, rank: int, dim: int):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{op_name} expects a non-empty TensorList")
    return cat(_atleast(op_name, (tensors,), rank), dim)


@op("hstack", method=False)
def hstack(tensors):
    """Joined along dim 1 (along dim 0 when they are all 1-d; 0-d ones count as 1-d)."""
    tensors = list(tensors)
    return _stacked("hstack", tensors, 1, 0 if all(t.ndim <= 1 for t in tensors) else 1)


@op("vstack", method=False)
def vstack(tensors):
    """Joined along dim 0, 1-d ones taken as rows (1, n)."""
    return _stacked("vstack", tensors, 2, 0)


@op("dstack", method=False)
def dstack(tensors):
    """Joined along dim 2, after atleast_3d."""
    return _stacked("dstack", tensors, 3, 2)


@op("column_stack", method=False)
def column_stack(tensors):
    """0-d and 1-d tensors as columns (n, 1), joined with the others along dim 1."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    columns = [t.reshape(t.numel(), 1) if t.ndim <= 1 else t for t in tensors]
    return cat(columns, 1)
