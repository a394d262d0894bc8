"""Ops that reorder or repeat elements: flip fliplr flipud roll repeat tile repeat_interleave
clone.  flip, roll and clone are primitives (each its own inverse, or the identity, in
backward); the repeats are composites of reshape, expand and indexing, whose gradients sum the
copies back."""
from __future__ import annotations

from ..backend import int64, xp
from ..engine import Function, is_tensor, new_constant
from .array_or_tensor import shape_args
from .reduction import normalize_dims
from .registry import op


class Flip(Function):
    __slots__ = ("dims",)
    name = "flip"
    caption = "grad_in = grad_out flipped back along the same dims"
    reads = ()

    def __init__(self, dims: tuple):
        self.dims = dims

    def options(self):
        return {"dims": self.dims}

    def forward(self, x):
        return xp.flip(x, self.dims).copy()  # (PyTorch's flip copies; numpy's is a view)

    def backward(self, grad, inputs, output):  # flipping twice is the identity
        return (Flip.apply(grad, dims=self.dims) if is_tensor(grad) else self.forward(grad),)


class Roll(Function):
    __slots__ = ("shifts", "dims")
    name = "roll"
    caption = "grad_in = grad_out rolled back by the opposite shifts"
    reads = ()

    def __init__(self, shifts: tuple, dims):
        self.shifts, self.dims = shifts, dims

    def options(self):
        return {"shifts": self.shifts, "dims": self.dims}

    def forward(self, x):
        return xp.roll(x, self.shifts, axis=self.dims)

    def backward(self, grad, inputs, output):
        back = tuple(-s for s in self.shifts)
        if is_tensor(grad):
            return (Roll.apply(grad, shifts=back, dims=self.dims),)
        return (xp.roll(grad, back, axis=self.dims),)


class Clone(Function):
    __slots__ = ()
    name = "clone"
    caption = "grad_in = grad_out (a copy of the same values)"
    reads = ()

    def forward(self, x):
        return x.copy()

    def backward(self, grad, inputs, output):
        return (grad,)


@op("clone")
def clone(input):
    """A copy in memory of its own, still in the graph: its gradient flows back to ``input``
    (``detach()`` is the opposite: shared memory, cut from the graph)."""
    return Clone.apply(input)


def _dims(op_name: str, dims, ndim: int) -> tuple:
    """``dims`` (given as f(x, (0, 1)) or x.f(0, 1)) normalized, each at most once."""
    dims = shape_args(dims, op_name, what="dims")
    normalized = [normalize_dims(d, ndim, op_name)[0] for d in dims]
    for d in normalized:
        if normalized.count(d) > 1:
            raise RuntimeError(f"{op_name}: dim {d} appears multiple times in the list of dims {dims}")
    return tuple(normalized) if ndim else ()


@op("flip")
def flip(input, *dims):
    """The elements in reverse order along each of ``dims`` (a copy, as in PyTorch)."""
    return Flip.apply(input, dims=_dims("flip", dims, input.ndim))


@op("fliplr")
def fliplr(input):
    """Flipped left to right: along dim 1 (the tensor must have at least 2 dimensions)."""
    if input.ndim < 2:
        raise RuntimeError(f"fliplr: input must be >= 2-d, got shape {input.shape}")
    return Flip.apply(input, dims=(1,))


@op("flipud")
def flipud(input):
    """Flipped upside down: along dim 0 (the tensor must have at least 1 dimension)."""
    if input.ndim < 1:
        raise RuntimeError("flipud: input must be >= 1-d, got a 0-d tensor")
    return Flip.apply(input, dims=(0,))


@op("roll")
def roll(input, shifts, dims=None):
    """Elements shifted along ``dims`` (wrapping around at the end); with ``dims=None`` the
    tensor is shifted as if flattened."""
    shifts = shape_args((shifts,), "roll", what="shifts")
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"roll: shifts and dimensions must align: shifts {shifts} but no dims "
                               "(dims=None rolls the flattened tensor by one shift)")
        return Roll.apply(input, shifts=shifts, dims=None)
    dims = shape_args((dims,), "roll", what="dims")
    if len(shifts) != len(dims):
        raise RuntimeError(f"roll: shifts and dimensions must align: shifts {shifts}, dims {dims}")
    if input.ndim == 0:
        raise IndexError(f"roll: dimension specified as {dims[0]} but the tensor has no dimensions")
    dims = tuple(normalize_dims(d, input.ndim, "roll")[0] for d in dims)
    return Roll.apply(input, shifts=shifts, dims=dims)


def _fresh(out, input):
    """PyTorch's repeat copies; a repeat by ones would otherwise be a view of the input."""
    return clone(out) if xp.may_share_memory(out.data, input.data) else out


@op("repeat", torch=False)
def repeat(input, *sizes):
    """The tensor repeated ``sizes[i]`` times along dim i (numpy's tile); ``sizes`` may have
    more entries than the tensor has dims, for new leading ones."""
    sizes = shape_args(sizes, "repeat")
    if len(sizes) < input.ndim:
        raise RuntimeError(f"repeat: the number of repeat dims ({len(sizes)}, {sizes}) can not be "
                           f"smaller than the number of dimensions of the tensor ({input.ndim})")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"repeat: trying to create a tensor with negative dimension: sizes {sizes} "
                           f"for a tensor of shape {input.shape}")
    # (1, n0, 1, n1, ...) expanded to (s0, n0, s1, n1, ...): the copies' gradients sum back
    interleaved = sum(((1, n) for n in shape), ())
    expanded = sum(((s, n) for s, n in zip(sizes, shape)), ())
    out = input.reshape(interleaved).expand(expanded).reshape(tuple(s * n for s, n in zip(sizes, shape)))
    return _fresh(out, input)


@op("tile")
def tile(input, *dims):
    """``repeat`` where ``dims`` may also be shorter than the tensor's dims (ones fill in front)."""
    dims = shape_args(dims, "tile", what="dims")
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def _repeats_array(repeats):
    data = repeats.data
    if data.dtype.kind not in "iu":
        raise NotImplementedError(f"repeat_interleave: repeats must be an integer tensor, got dtype "
                                  f"{data.dtype} (convert it with .long())")
    if data.ndim > 1:
        raise RuntimeError(f"repeat_interleave: repeats must be 0-d or 1-d, got shape {data.shape}")
    if (data < 0).any():
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    return data.reshape(-1).astype(int64)


@op("repeat_interleave")
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place, before the
    next; ``repeats`` is an int or a tensor of one count per slice.  ``dim=None`` flattens
    first.  ``repeat_interleave(counts)`` alone repeats 0, 1, 2, ... by the counts."""
    if repeats is None:  # torch.repeat_interleave(repeats): the indices, repeated
        counts = _repeats_array(input)
        return new_constant(xp.repeat(xp.arange(counts.size, dtype=int64), counts))
    if dim is None:
        input, d = input.reshape(-1), 0
    else:
        (d,) = normalize_dims(dim, input.ndim, "repeat_interleave")
        if input.ndim == 0:
            raise IndexError(f"repeat_interleave: dim {dim} is out of range for a 0-d tensor")
    n = input.shape[d]
    if is_tensor(repeats) and repeats.numel() != 1:
        counts = _repeats_array(repeats)
        if counts.size != n:
            raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along dim, "
                               f"but got repeats.size(0) = {counts.size} and input.size({d}) = {n}")
        total = int(counts.sum())
    else:
        if is_tensor(repeats):
            count = int(_repeats_array(repeats)[0])
        else:
            count = shape_args((repeats,), "repeat_interleave", what="repeats")[0]
        if count < 0:
            raise RuntimeError(f"repeat_interleave: repeats must be non-negative, got {count}")
        counts, total = None, n * count
    if output_size is not None and output_size != total:
        raise RuntimeError(f"repeat_interleave: invalid output_size, expected {total} but got {output_size}")
    if counts is not None:
        return input[(slice(None),) * d + (xp.repeat(xp.arange(n, dtype=int64), counts),)]
    shape = tuple(input.shape)
    expanded = shape[:d + 1] + (count,) + shape[d + 1:]
    out = input.unsqueeze(d + 1).expand(expanded).reshape(shape[:d] + (total,) + shape[d + 1:])
    return _fresh(out, input)
