"""Reductions over ``dim`` (an int, a tuple of ints, or None for all) with ``keepdim``, and the
softmax family, each computed stably (the max is subtracted before ``exp``)."""
from __future__ import annotations

from collections import namedtuple

from ..autograd import Function, is_tensor, new_constant
from ..backend import int64, xp
from .array_or_tensor import broadcast_to, exp, raw, reduced_shape
from .elementwise import maximum, minimum
from .registry import op


def normalize_dims(dim, ndim: int, op: str) -> tuple:
    """``dim`` as a sorted tuple of non-negative axes; a clear error for an axis out of range."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims and op != "squeeze":  # PyTorch: an empty dim reduces over every dimension
        return tuple(range(ndim))
    result = []
    for d in dims:
        if not isinstance(d, int):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimensions")
        result.append(d % ndim if ndim else 0)
    if len(set(result)) != len(result):
        raise ValueError(f"{op}: dim {dim!r} names the same dimension twice")
    return tuple(sorted(result))


class _Reduction(Function):
    __slots__ = ("dims", "keepdim")

    def __init__(self, dims: tuple, keepdim: bool = False):
        self.dims, self.keepdim = dims, keepdim

    def options(self):
        opts = {"dim": self.dims[0] if len(self.dims) == 1 else self.dims}
        if self.keepdim:
            opts["keepdim"] = True
        return opts

    def kept(self, grad, input_shape):
        """The output gradient reshaped so that it broadcasts against the input."""
        return grad if self.keepdim else grad.reshape(reduced_shape(input_shape, self.dims))


class Sum(_Reduction):
    __slots__ = ()
    name = "sum"
    caption = "grad_in = grad_out copied to every summed element"
    reads = ()

    def forward(self, x):
        return x.sum(axis=self.dims, keepdims=self.keepdim)

    def backward(self, grad, inputs, output):  # every element contributes with weight 1
        shape = inputs[0].shape
        return (broadcast_to(self.kept(grad, shape), shape),)


class Mean(_Reduction):
    __slots__ = ()
    name = "mean"
    caption = "grad_in = grad_out / n copied to every averaged element"
    reads = ()

    def forward(self, x):
        if x.dtype.kind != "f":
            raise TypeError(f"mean: needs a floating point tensor, got dtype {x.dtype} (use .float())")
        return x.mean(axis=self.dims, keepdims=self.keepdim)

    def backward(self, grad, inputs, output):  # d mean / dx_i = 1 / n
        shape = inputs[0].shape
        count = 1
        for d in self.dims:
            count *= shape[d]
        return (broadcast_to(self.kept(grad, shape) * (1.0 / count), shape),)


class Amax(_Reduction):
    __slots__ = ()
    name = "amax"
    caption = "grad_out goes to the largest element (ties share it)"
    reads = (0, -1)

    def forward(self, x):
        _check_not_empty(x, self.dims, self.name)
        return x.max(axis=self.dims, keepdims=self.keepdim)

    def backward(self, grad, inputs, output):
        return (_extreme_backward(self, grad, inputs[0], output),)


class Amin(_Reduction):
    __slots__ = ()
    name = "amin"
    caption = "grad_out goes to the smallest element (ties share it)"
    reads = (0, -1)

    def forward(self, x):
        _check_not_empty(x, self.dims, self.name)
        return x.min(axis=self.dims, keepdims=self.keepdim)

    def backward(self, grad, inputs, output):
        return (_extreme_backward(self, grad, inputs[0], output),)


def _extreme_backward(function, grad, x, output):
    # The gradient is split evenly among the elements that tie for the max (PyTorch's amax).
    shape = x.shape
    raw_x = raw(x)
    winners = raw_x == function.kept(raw(output), shape)
    share = (winners / winners.sum(axis=function.dims, keepdims=True)).astype(raw_x.dtype)
    return function.kept(grad, shape) * share


def _check_not_empty(x, dims, op):
    if any(x.shape[d] == 0 for d in dims):
        raise ValueError(f"{op}: cannot reduce over an empty dimension (shape {x.shape}, dim {dims})")


class LogSumExp(_Reduction):
    __slots__ = ()
    name = "logsumexp"
    caption = "grad_in = grad_out * softmax(x)"
    reads = (0, -1)

    def forward(self, x):
        top = x.max(axis=self.dims, keepdims=True)
        top = xp.where(xp.isfinite(top), top, 0)  # all -inf rows stay -inf, not nan
        out = xp.log(xp.exp(x - top).sum(axis=self.dims, keepdims=True)) + top
        return out if self.keepdim else out.squeeze(axis=self.dims)

    def backward(self, grad, inputs, output):  # d/dx_i logsumexp(x) = softmax(x)_i
        x = inputs[0]
        shape = x.shape
        return (self.kept(grad, shape) * exp(x - self.kept(output, shape)),)


class Softmax(Function):
    __slots__ = ("dim",)
    name = "softmax"
    caption = "grad_in = y * (grad_out - sum(grad_out * y))"
    reads = (-1,)

    def __init__(self, dim: int):
        self.dim = dim

    def options(self):
        return {"dim": self.dim}

    def forward(self, x):
        shifted = xp.exp(x - x.max(axis=self.dim, keepdims=True))
        shifted /= shifted.sum(axis=self.dim, keepdims=True)
        return shifted

    def backward(self, grad, inputs, output):  # dx = y * (g - sum(g * y))
        return (output * (grad - (grad * output).sum(axis=self.dim, keepdims=True)),)


class LogSoftmax(Function):
    __slots__ = ("dim",)
    name = "log_softmax"
    caption = "grad_in = grad_out - softmax(x) * sum(grad_out)"
    reads = (-1,)

    def __init__(self, dim: int):
        self.dim = dim

    def options(self):
        return {"dim": self.dim}

    def forward(self, x):
        shifted = x - x.max(axis=self.dim, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=self.dim, keepdims=True))

    def backward(self, grad, inputs, output):  # dx = g - softmax(x) * sum(g)
        return (grad - exp(output) * grad.sum(axis=self.dim, keepdims=True),)


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------
MaxMin = namedtuple("MaxMin", ["values", "indices"])


def _dims(dim, axis, ndim, op_name):
    """``dim`` (or numpy's ``axis``) as a sorted tuple of axes."""
    return normalize_dims(axis if dim is None else dim, ndim, op_name)


def _keep(keepdim, keepdims):
    return keepdim if keepdims is None else keepdims


@op("sum")
def sum_(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    return Sum.apply(input, dims=_dims(dim, axis, input.ndim, "sum"), keepdim=_keep(keepdim, keepdims))


@op("mean")
def mean(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    return Mean.apply(input, dims=_dims(dim, axis, input.ndim, "mean"), keepdim=_keep(keepdim, keepdims))


@op("var")
def var(input, dim=None, correction: int = 1, keepdim: bool = False, *, unbiased=None, axis=None,
        keepdims=None):
    """Variance with ``correction`` (1: the unbiased estimate, PyTorch's default): the mean of
    the squared deviations, divided by ``n - correction`` instead of ``n``."""
    if unbiased is not None:
        correction = 1 if unbiased else 0
    dims = _dims(dim, axis, input.ndim, "var")
    count = 1
    for d in dims:
        count *= input.shape[d]
    centered = input - input.mean(dims, keepdim=True)
    return (centered * centered).sum(dims, keepdim=_keep(keepdim, keepdims)) / max(count - correction, 0)


@op("std")
def std(input, dim=None, correction: int = 1, keepdim: bool = False, *, unbiased=None, axis=None,
        keepdims=None):
    """The square root of ``var`` (same arguments)."""
    return var(input, dim, correction=correction, keepdim=keepdim, unbiased=unbiased, axis=axis,
               keepdims=keepdims).sqrt()


@op("amax")
def amax(input, dim=None, keepdim: bool = False):
    """The largest values over ``dim``; the gradient is shared evenly among ties."""
    return Amax.apply(input, dims=normalize_dims(dim, input.ndim, "amax"), keepdim=keepdim)


@op("amin")
def amin(input, dim=None, keepdim: bool = False):
    return Amin.apply(input, dims=normalize_dims(dim, input.ndim, "amin"), keepdim=keepdim)


@op("max")
def max_(input, dim=None, keepdim: bool = False):
    """``max()``: the largest element; ``max(dim)``: ``(values, indices)`` along ``dim``;
    ``max(other)``: the elementwise maximum."""
    if is_tensor(dim):
        return maximum(input, dim)
    if dim is None:
        return amax(input)
    return _extreme_along(input, dim, keepdim, xp.argmax, "max")


@op("min")
def min_(input, dim=None, keepdim: bool = False):
    if is_tensor(dim):
        return minimum(input, dim)
    if dim is None:
        return amin(input)
    return _extreme_along(input, dim, keepdim, xp.argmin, "min")


def _extreme_along(x, dim, keepdim, arg, op_name):
    (d,) = normalize_dims(dim, x.ndim, op_name)
    if x.shape[d] == 0:
        raise ValueError(f"{op_name}: cannot reduce over an empty dimension (shape {x.shape})")
    indices = arg(x.data, axis=d)
    # The values are picked by indexing, so their gradient goes to the chosen element only.
    grid = list(xp.ogrid[tuple(slice(n) for i, n in enumerate(x.shape) if i != d)])
    grid.insert(d, indices)
    values = x[tuple(grid)] if x.ndim > 1 else x[indices]
    if keepdim:
        values = values.unsqueeze(d)
        indices = xp.expand_dims(indices, d)
    return MaxMin(values, new_constant(xp.asarray(indices, dtype=int64)))


def _arg(x, arg, dim, keepdim):
    if dim is None:  # the index into the flattened tensor; keepdim keeps every dim as size 1
        index = xp.asarray(arg(x.data), dtype=int64)
        return new_constant(index.reshape((1,) * x.ndim) if keepdim else index)
    return new_constant(xp.asarray(arg(x.data, axis=dim, keepdims=keepdim), dtype=int64))


@op("argmax")
def argmax(input, dim=None, keepdim: bool = False):
    """The index of the largest element (of the flattened tensor when ``dim`` is None)."""
    return _arg(input, xp.argmax, dim, keepdim)


@op("argmin")
def argmin(input, dim=None, keepdim: bool = False):
    return _arg(input, xp.argmin, dim, keepdim)


@op("any")
def any_(input):
    return new_constant(xp.asarray(raw(input).any()))


@op("all")
def all_(input):
    return new_constant(xp.asarray(raw(input).all()))


@op("logsumexp")
def logsumexp(input, dim=None, keepdim: bool = False):
    """``log(sum(exp(x)))`` over ``dim``, without overflow."""
    return LogSumExp.apply(input, dims=normalize_dims(dim, input.ndim, "logsumexp"), keepdim=keepdim)


@op("softmax", functional=True)
def softmax(input, dim: int = -1):
    """``exp(x) / sum(exp(x))`` along ``dim``, with the max subtracted first (the stable form)."""
    (d,) = normalize_dims(dim, input.ndim, "softmax")
    return Softmax.apply(input, dim=d)


@op("log_softmax", functional=True)
def log_softmax(input, dim: int = -1):
    """``x - logsumexp(x)`` along ``dim``."""
    (d,) = normalize_dims(dim, input.ndim, "log_softmax")
    return LogSoftmax.apply(input, dim=d)
