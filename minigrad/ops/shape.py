"""Ops that move elements without changing them: their backward moves the gradient back."""
from __future__ import annotations

from ..backend import xp
from ..engine import Function, is_tensor, new_constant
from .array_or_tensor import as_array, permute, shape_args, unbroadcast
from .promotion import cast_operands, result_type
from .reduction import normalize_dims
from .registry import op


class Reshape(Function):
    __slots__ = ("shape",)
    name = "reshape"
    caption = "grad_in = grad_out reshaped back to the input's shape"
    reads = ()
    view = True

    def __init__(self, shape: tuple):
        self.shape = shape

    def options(self):
        return {"shape": self.shape}

    def forward(self, x):
        return x.reshape(inferred_shape(self.name, x, self.shape))

    def backward(self, grad, inputs, output):
        return (grad.reshape(inputs[0].shape),)


class Contiguous(Function):
    """A copy in row-major (C) order of a tensor laid out otherwise (a transpose, a strided
    slice), so that ``view`` can reshape it without copying."""

    __slots__ = ()
    name = "contiguous"
    caption = "grad_in = grad_out (only the memory layout changed)"
    reads = ()

    def forward(self, x):
        return xp.ascontiguousarray(x)

    def backward(self, grad, inputs, output):
        return (grad,)


def inferred_shape(op_name: str, x, shape: tuple) -> tuple:
    """``shape`` with its -1 worked out from ``x``'s size; PyTorch's errors for a size below -1,
    two -1s, a -1 that any size would satisfy (0 elements), or a wrong number of elements."""
    for position, n in enumerate(shape):
        if n < -1:
            raise RuntimeError(f"{op_name}: invalid size {n} at position {position} of shape {shape}: "
                               "sizes are >= 0, or -1 for the one size to infer")
    if shape.count(-1) > 1:
        raise RuntimeError(f"{op_name}: only one size can be inferred (-1), got shape {shape}")
    known = 1
    for n in shape:
        known *= n if n != -1 else 1
    if -1 in shape:
        if known == 0:
            raise RuntimeError(f"{op_name}: cannot infer the -1 in shape {shape} for a tensor of shape "
                               f"{x.shape} ({x.size} elements): any size would do; give it")
        if x.size % known == 0:
            return tuple(x.size // known if n == -1 else n for n in shape)
    elif known == x.size:
        return shape
    raise RuntimeError(f"{op_name}: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                       f"into shape {shape} ({'a multiple of ' if -1 in shape else ''}{known} elements)")


class View(Reshape):
    __slots__ = ()
    name = "view"

    def forward(self, x):
        shape = inferred_shape(self.name, x, self.shape)
        try:  # a view, never a copy: writes through it must reach x (PyTorch's promise)
            return xp.reshape(x, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                f"view: a tensor of shape {x.shape} laid out as it is (transposed, or sliced with "
                f"steps) cannot be viewed as shape {shape} without copying; use .reshape(...), "
                "which copies when it must") from None


class Squeeze(Reshape):
    __slots__ = ()
    name = "squeeze"


class Unsqueeze(Reshape):
    __slots__ = ()
    name = "unsqueeze"


class Flatten(Reshape):
    __slots__ = ()
    name = "flatten"


class Permute(Function):
    __slots__ = ("dims",)
    name = "permute"
    caption = "grad_in = grad_out with the dims permuted back"
    reads = ()
    view = True

    def __init__(self, dims: tuple):
        self.dims = dims

    def options(self):
        return {"dims": self.dims}

    def forward(self, x):
        return x.transpose(self.dims)

    def backward(self, grad, inputs, output):  # apply the inverse permutation
        inverse = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inverse[d] = i
        return (permute(grad, tuple(inverse)),)


class Transpose(Permute):
    __slots__ = ()
    name = "transpose"
    caption = "grad_in = grad_out transposed back"


class Expand(Function):
    __slots__ = ("shape",)
    name = "expand"
    caption = "grad_in = grad_out summed over the expanded dims"
    reads = ()
    view = True

    def __init__(self, shape: tuple):
        self.shape = shape

    def options(self):
        return {"shape": self.shape}

    def forward(self, x):
        return xp.broadcast_to(x, expanded_shape(self.name, x.shape, self.shape))

    def backward(self, grad, inputs, output):  # the copies' gradients add up
        return (unbroadcast(grad, inputs[0].shape),)


def expanded_shape(op_name: str, shape: tuple, target: tuple) -> tuple:
    """``target`` with each -1 replaced by the size it keeps; PyTorch's errors where ``shape``
    cannot be expanded to it (only size-1 dimensions stretch, and new ones go in front)."""
    lead = len(target) - len(shape)
    if lead < 0:
        raise RuntimeError(f"{op_name}: cannot expand a tensor of shape {shape} to {target}: the "
                           f"target has fewer dimensions ({len(target)}) than the tensor ({len(shape)})")
    full = []
    for i, n in enumerate(target):
        if i < lead:
            if n < 0:
                raise RuntimeError(f"{op_name}: the size {n} is not allowed for the new leading "
                                   f"dimension {i} (target {target}, tensor of shape {shape})")
            full.append(n)
            continue
        existing = shape[i - lead]
        if n == -1:
            n = existing
        if n != existing and existing != 1 or n < 0:
            raise RuntimeError(f"{op_name}: the expanded size {n} must match the existing size "
                               f"{existing} at dimension {i}: only size-1 dimensions can be "
                               f"expanded (target {target}, tensor of shape {shape})")
        full.append(n)
    return tuple(full)


class Cat(Function):
    __slots__ = ("dim",)
    name = "cat"
    caption = "grad_out is cut back into the pieces that were joined"
    reads = ()

    def __init__(self, dim: int):
        self.dim = dim

    def options(self):
        return {"dim": self.dim}

    def forward(self, *xs):
        return xp.concatenate(cast_operands(xs, result_type(*xs)), axis=self.dim)

    def backward(self, grad, inputs, output):  # each input gets its own slice back
        grads, start = [], 0
        lead = (slice(None),) * self.dim
        for x, parent in zip(inputs, self.parents):
            stop = start + x.shape[self.dim]
            grads.append(grad[lead + (slice(start, stop),)] if parent is not None else None)
            start = stop
        return tuple(grads)


class Stack(Function):
    __slots__ = ("dim",)
    name = "stack"
    caption = "grad_out is split back into the stacked tensors"
    reads = ()

    def __init__(self, dim: int):
        self.dim = dim

    def options(self):
        return {"dim": self.dim}

    def forward(self, *xs):
        return xp.stack(cast_operands(xs, result_type(*xs)), axis=self.dim)

    def backward(self, grad, inputs, output):
        lead = (slice(None),) * self.dim
        return tuple(grad[lead + (i,)] if parent is not None else None
                     for i, parent in enumerate(self.parents))


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------
@op("reshape")
def reshape(input, *shape):
    """The same elements in a new shape (one size may be -1: inferred); ``reshape(2, 3)`` and
    ``reshape((2, 3))`` both work."""
    return Reshape.apply(input, shape=shape_args(shape, "reshape"))


@op("view", torch=False)
def view(input, *shape):
    """``reshape`` that never copies: the result shares the tensor's memory, or it raises."""
    return View.apply(input, shape=shape_args(shape, "view"))


@op("contiguous", torch=False)
def contiguous(input):
    """The tensor itself when its memory is already in row-major order, else a copy that is
    (PyTorch's ``contiguous``)."""
    if input.data.flags.c_contiguous:
        return input
    return Contiguous.apply(input)


@op("flatten")
def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Dimensions ``start_dim`` to ``end_dim`` merged into one."""
    (start,) = normalize_dims(start_dim, input.ndim, "flatten")
    (end,) = normalize_dims(end_dim, input.ndim, "flatten")
    if start > end:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} (a tensor "
                           f"of shape {input.shape}); start_dim must be <= end_dim")
    if input.ndim == 0:
        return Flatten.apply(input, shape=(1,))
    size = 1
    for n in input.shape[start:end + 1]:
        size *= n
    return Flatten.apply(input, shape=input.shape[:start] + (size,) + input.shape[end + 1:])


@op("permute")
def permute_(input, *dims):
    """The dimensions reordered: output dimension i is input dimension ``dims[i]``."""
    dims = shape_args(dims, "permute", what="dims")
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute: {dims} names {len(dims)} dimensions, but the tensor (shape "
                           f"{input.shape}) has {input.ndim}: give each of them once")
    normalized = tuple(normalize_dims(d, input.ndim, "permute")[0] for d in dims)
    if len(set(normalized)) != len(normalized):
        raise RuntimeError(f"permute: {dims} names a dimension twice (a tensor of shape "
                           f"{input.shape}): give each dimension once")
    return Permute.apply(input, dims=normalized)


@op("transpose")
def transpose(input, dim0: int, dim1: int):
    """Dimensions ``dim0`` and ``dim1`` swapped."""
    (a,) = normalize_dims(dim0, input.ndim, "transpose")
    (b,) = normalize_dims(dim1, input.ndim, "transpose")
    dims = list(range(input.ndim))
    if dims:  # (a 0-d tensor accepts dims 0 and -1 and stays as it is)
        dims[a], dims[b] = dims[b], dims[a]
    return Transpose.apply(input, dims=tuple(dims))


@op("unsqueeze")
def unsqueeze(input, dim: int):
    """A new dimension of size 1 at ``dim``."""
    if isinstance(dim, (bool, xp.bool_)) or not isinstance(dim, (int, xp.integer)):
        raise TypeError(f"unsqueeze: dim must be an int, got {dim!r}")
    if not -input.ndim - 1 <= dim <= input.ndim:
        raise IndexError(f"unsqueeze: dim {dim} is out of range for a tensor with {input.ndim} "
                         f"dimensions (valid: {-input.ndim - 1} to {input.ndim}, a new one included)")
    d = dim % (input.ndim + 1)
    return Unsqueeze.apply(input, shape=input.shape[:d] + (1,) + input.shape[d:])


@op("squeeze")
def squeeze(input, dim=None):
    """Dimensions of size 1 removed (only ``dim`` when given; a longer one stays)."""
    if dim is None:
        shape = tuple(n for n in input.shape if n != 1)
    else:
        dims = normalize_dims(dim, input.ndim, "squeeze")
        shape = tuple(n for i, n in enumerate(input.shape) if not (i in dims and n == 1))
    return Squeeze.apply(input, shape=shape)


@op("expand", torch=False)
def expand(input, *shape):
    """Size-1 dimensions repeated to ``shape`` (-1 keeps a size), without copying."""
    return Expand.apply(input, shape=shape_args(shape, "expand"))


class BroadcastTo(Expand):
    __slots__ = ()
    name = "broadcast_to"


@op("broadcast_to")
def broadcast_to_(input, shape):
    return BroadcastTo.apply(input, shape=shape_args((shape,), "broadcast_to"))


def _as_tensors(tensors, op_name):
    tensors = [t if is_tensor(t) else new_constant(as_array(t)) for t in tensors]
    if not tensors:
        kind = ValueError if op_name == "cat" else RuntimeError  # (PyTorch's, op by op)
        raise kind(f"{op_name}: expected a non-empty sequence of tensors")
    return tensors


@op("cat", method=False, aliases=("concat", "concatenate"))
def cat(tensors, dim: int = 0):
    """Tensors joined along an existing dimension."""
    tensors = _as_tensors(list(tensors), "cat")
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat: tensor {i} is 0-d and has no dimension to join along; "
                               "mg.stack joins 0-d tensors into a vector")
    (d,) = normalize_dims(dim, first.ndim, "cat")
    for i, t in enumerate(tensors):
        mismatch = any(a != b for j, (a, b) in enumerate(zip(t.shape, first.shape)) if j != d)
        if t.ndim != first.ndim or mismatch:
            raise RuntimeError(f"cat: tensor {i} has shape {t.shape}, which does not match tensor 0's "
                               f"shape {first.shape} outside dim {d}")
    return Cat.apply(*tensors, dim=d)


@op("stack", method=False)
def stack(tensors, dim: int = 0):
    """Tensors of the same shape joined along a new dimension."""
    tensors = _as_tensors(list(tensors), "stack")
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.shape != first.shape:
            raise RuntimeError(f"stack: tensor {i} has shape {t.shape} but tensor 0 has shape {first.shape}")
    if isinstance(dim, bool) or not isinstance(dim, (int, xp.integer)):
        raise TypeError(f"stack: dim must be an int, got {dim!r}")
    if not -first.ndim - 1 <= dim <= first.ndim:
        raise IndexError(f"stack: dim {dim} is out of range for tensors with {first.ndim} dimensions")
    return Stack.apply(*tensors, dim=dim % (first.ndim + 1))
