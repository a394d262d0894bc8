"""Ops that move elements without changing them: their backward moves the gradient back."""
from __future__ import annotations

from ..autograd import Function, is_tensor, new_constant
from ..backend import xp
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
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ValueError(
                f"{self.name}: cannot reshape a tensor of shape {x.shape} ({x.size} elements) "
                f"into shape {self.shape}"
            ) from None

    def backward(self, grad, inputs, output):
        return (grad.reshape(inputs[0].shape),)


class View(Reshape):
    __slots__ = ()
    name = "view"


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
        try:
            return xp.broadcast_to(x, self.shape)
        except ValueError:
            raise ValueError(f"{self.name}: cannot expand shape {x.shape} to {self.shape}") from None

    def backward(self, grad, inputs, output):  # the copies' gradients add up
        return (unbroadcast(grad, inputs[0].shape),)


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
    return Reshape.apply(input, shape=shape_args(shape))


@op("view", torch=False)
def view(input, *shape):
    return View.apply(input, shape=shape_args(shape))


@op("flatten")
def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Dimensions ``start_dim`` to ``end_dim`` merged into one."""
    if input.ndim == 0:
        return Flatten.apply(input, shape=(1,))
    start, end = start_dim % input.ndim, end_dim % input.ndim
    shape = input.shape[:start] + (-1,) + input.shape[end + 1:]
    return Flatten.apply(input, shape=shape)


@op("permute")
def permute_(input, *dims):
    """The dimensions reordered: output dimension i is input dimension ``dims[i]``."""
    dims = shape_args(dims)
    if sorted(d % max(input.ndim, 1) for d in dims) != list(range(input.ndim)):
        raise ValueError(f"permute: {dims} is not a permutation of the {input.ndim} "
                         f"dimensions of a tensor of shape {input.shape}")
    return Permute.apply(input, dims=tuple(d % input.ndim for d in dims))


@op("transpose")
def transpose(input, dim0: int, dim1: int):
    """Dimensions ``dim0`` and ``dim1`` swapped."""
    (a,) = normalize_dims(dim0, input.ndim, "transpose")
    (b,) = normalize_dims(dim1, input.ndim, "transpose")
    dims = list(range(input.ndim))
    dims[a], dims[b] = dims[b], dims[a]
    return Transpose.apply(input, dims=tuple(dims))


@op("unsqueeze")
def unsqueeze(input, dim: int):
    """A new dimension of size 1 at ``dim``."""
    if not -input.ndim - 1 <= dim <= input.ndim:
        raise IndexError(f"unsqueeze: dim {dim} is out of range for a tensor with "
                         f"{input.ndim} dimensions")
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
    shape = shape_args(shape)
    lead = len(shape) - input.ndim
    if lead < 0:
        raise ValueError(f"expand: cannot expand shape {input.shape} to fewer dimensions {shape}")
    full = tuple(input.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
    return Expand.apply(input, shape=full)


@op("broadcast_to")
def broadcast_to_(input, shape):
    return Expand.apply(input, shape=tuple(shape))


def _as_tensors(tensors, op_name):
    tensors = [t if is_tensor(t) else new_constant(as_array(t)) for t in tensors]
    if not tensors:
        raise ValueError(f"{op_name}: expected a non-empty sequence of tensors")
    return tensors


@op("cat", method=False, aliases=("concat", "concatenate"))
def cat(tensors, dim: int = 0):
    """Tensors joined along an existing dimension."""
    tensors = _as_tensors(list(tensors), "cat")
    first = tensors[0]
    (d,) = normalize_dims(dim, first.ndim, "cat")
    for i, t in enumerate(tensors):
        mismatch = any(a != b for j, (a, b) in enumerate(zip(t.shape, first.shape)) if j != d)
        if t.ndim != first.ndim or mismatch:
            raise ValueError(f"cat: tensor {i} has shape {t.shape}, which does not match tensor 0's "
                             f"shape {first.shape} outside dim {d}")
    return Cat.apply(*tensors, dim=d)


@op("stack", method=False)
def stack(tensors, dim: int = 0):
    """Tensors of the same shape joined along a new dimension."""
    tensors = _as_tensors(list(tensors), "stack")
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.shape != first.shape:
            raise ValueError(f"stack: tensor {i} has shape {t.shape} but tensor 0 has shape {first.shape}")
    if not -first.ndim - 1 <= dim <= first.ndim:
        raise IndexError(f"stack: dim {dim} is out of range for tensors with {first.ndim} dimensions")
    return Stack.apply(*tensors, dim=dim % (first.ndim + 1))
