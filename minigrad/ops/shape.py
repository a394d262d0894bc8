"""Ops that move elements without changing them: their backward moves the gradient back."""
from __future__ import annotations

from ..autograd import Function
from ..backend import xp
from .either import is_tensor, permute, raw, unbroadcast


class Reshape(Function):
    __slots__ = ("shape",)
    name = "reshape"
    caption = "grad_in = grad_out reshaped back to the input's shape"

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


def is_basic_index(index) -> bool:
    """True for ints, slices, None and Ellipsis only: such an index never repeats an element."""
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice)) for i in items)


class GetItem(Function):
    __slots__ = ("index",)
    name = "index"
    caption = "grad_out is scatter-added into zeros of the input's shape"

    def __init__(self, index):
        self.index = index

    def options(self):
        return {"index": _describe_index(self.index)}

    def forward(self, x):
        try:
            return x[self.index]
        except IndexError as error:
            raise IndexError(f"index: {error} (tensor of shape {x.shape}, index "
                             f"{_describe_index(self.index)})") from None

    def backward(self, grad, inputs, output):  # scatter-add: a repeated index accumulates
        x = inputs[0]
        return (index_add(grad, self.index, x.shape, raw(x).dtype),)


def index_add(grad, index, shape, dtype):
    """A zero tensor of ``shape`` with ``grad`` added at ``index`` (duplicates accumulate)."""
    if is_tensor(grad):
        return IndexAdd.apply(grad, index=index, shape=shape)
    out = xp.zeros(shape, dtype=dtype)
    if is_basic_index(index):
        out[index] = grad
    else:
        xp.add.at(out, index, grad)
    return out


class IndexAdd(Function):
    """The backward of indexing, as an op of its own so that it can be differentiated again."""

    __slots__ = ("index", "shape")
    name = "index_add"
    caption = "grad_in = grad_out read back at the index"

    def __init__(self, index, shape):
        self.index, self.shape = index, shape

    def forward(self, grad):
        return index_add(grad, self.index, self.shape, grad.dtype)

    def backward(self, grad, inputs, output):
        return (grad[self.index],)


def _describe_index(index) -> str:
    items = index if isinstance(index, tuple) else (index,)
    parts = []
    for i in items:
        if isinstance(i, slice):
            parts.append(":" if i == slice(None) else
                         f"{'' if i.start is None else i.start}:{'' if i.stop is None else i.stop}"
                         + ("" if i.step is None else f":{i.step}"))
        elif i is Ellipsis:
            parts.append("...")
        elif isinstance(i, xp.ndarray):
            parts.append(f"<{i.dtype} array {i.shape}>")
        else:
            parts.append(repr(i))
    return "[" + ", ".join(parts) + "]"


class Cat(Function):
    __slots__ = ("dim",)
    name = "cat"
    caption = "grad_out is cut back into the pieces that were joined"

    def __init__(self, dim: int):
        self.dim = dim

    def options(self):
        return {"dim": self.dim}

    def forward(self, *xs):
        return xp.concatenate(xs, axis=self.dim)

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

    def __init__(self, dim: int):
        self.dim = dim

    def options(self):
        return {"dim": self.dim}

    def forward(self, *xs):
        return xp.stack(xs, axis=self.dim)

    def backward(self, grad, inputs, output):
        lead = (slice(None),) * self.dim
        return tuple(grad[lead + (i,)] if parent is not None else None
                     for i, parent in enumerate(self.parents))
