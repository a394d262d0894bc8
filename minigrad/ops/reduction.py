"""Reductions over ``dim`` (an int, a tuple of ints, or None for all) with ``keepdim``, and the
softmax family, each computed stably (the max is subtracted before ``exp``)."""
from __future__ import annotations

import math
import warnings
from collections import namedtuple

from ..backend import int64, xp
from ..engine import Function, is_tensor, new_constant
from .array_or_tensor import as_float, broadcast_to, exp, raw, reduced_shape
from .elementwise import maximum, minimum
from .registry import op


def normalize_dims(dim, ndim: int, op: str) -> tuple:
    """``dim`` as a sorted tuple of non-negative axes; a clear error for an axis out of range."""
    if dim is None:
        return tuple(range(ndim))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if not dims and op != "squeeze":  # PyTorch: an empty dim reduces over every dimension
        return tuple(range(ndim))
    result = []
    for d in dims:
        if isinstance(d, (bool, xp.bool_)) or not isinstance(d, (int, xp.integer)):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        # a 0-d tensor has one dimension to name, as 0 or -1 (PyTorch's rule)
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimensions "
                             f"(valid: {-max(ndim, 1)} to {max(ndim, 1) - 1})")
        result.append(int(d) % ndim if ndim else 0)
    if len(set(result)) != len(result):
        raise RuntimeError(f"{op}: dim {dim!r} names the same dimension twice")
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
            raise RuntimeError(f"mean: needs a floating point tensor, got dtype {x.dtype} (use .float())")
        if x.size == 0:  # the mean of nothing is nan, as in PyTorch (without numpy's warning)
            with xp.errstate(invalid="ignore"):
                return x.sum(axis=self.dims, keepdims=self.keepdim) / 0.0
        return x.mean(axis=self.dims, keepdims=self.keepdim)

    def backward(self, grad, inputs, output):  # d mean / dx_i = 1 / n
        shape = inputs[0].shape
        count = 1
        for d in self.dims:
            count *= shape[d]
        # (no element averaged: the input is empty, and so is its gradient)
        return (broadcast_to(self.kept(grad, shape) * (1.0 / count if count else 0.0), shape),)


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
    """An empty dimension has no largest element (PyTorch's IndexError)."""
    empty = [d for d in dims if x.shape[d] == 0]
    if empty:
        raise IndexError(f"{op}: cannot reduce over dim {empty[0]}, which is empty (shape {x.shape}): "
                         "it has no element to pick")


def _check_floating(x, op):
    if x.dtype.kind != "f":
        raise NotImplementedError(f"{op}: not implemented for {x.dtype} tensors; convert first, "
                                  f"e.g. x.float().{op}(dim)")


def _check_whole_not_empty(x, op):
    """``amax()`` of an empty tensor has nothing to pick (PyTorch's RuntimeError)."""
    if x.data.size == 0:
        raise RuntimeError(f"{op}: cannot reduce an empty tensor (shape {tuple(x.shape)}) to one value; "
                           "reduce over a dim (dim=...) to get an empty result")


class LogSumExp(_Reduction):
    __slots__ = ()
    name = "logsumexp"
    caption = "grad_in = grad_out * softmax(x)"
    reads = (0, -1)

    def forward(self, x):
        x = as_float(x)  # integers give float32, as in PyTorch
        top = x.max(axis=self.dims, keepdims=True, initial=-xp.inf)  # (-inf over an empty dim)
        top = xp.where(xp.isfinite(top), top, 0)  # all -inf rows stay -inf, not nan
        with xp.errstate(divide="ignore"):  # log(0) = -inf: an empty or all -inf row
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
        shifted = xp.exp(x - x.max(axis=self.dim, keepdims=True, initial=-xp.inf))  # (empty dims too)
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
        if x.size == 0:  # nothing to normalize (and no log(0) warning)
            return x.copy()
        shifted = x - x.max(axis=self.dim, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=self.dim, keepdims=True))

    def backward(self, grad, inputs, output):  # dx = g - softmax(x) * sum(g)
        return (grad - exp(output) * grad.sum(axis=self.dim, keepdims=True),)


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------
MaxMin = namedtuple("MaxMin", ["values", "indices"])


def _dims(dim, axis, ndim, op_name):
    """``dim`` (or numpy's ``axis``) as a sorted tuple of the axes to reduce."""
    return reduction_dims(axis if dim is None else dim, ndim, op_name)


def reduction_dims(dim, ndim: int, op_name: str) -> tuple:
    """The axes a reduction runs over.  A 0-d tensor accepts dim 0 or -1 (PyTorch's rule) but
    numpy has no axis there: reducing a 0-d array over no axis is the value itself."""
    dims = normalize_dims(dim, ndim, op_name)
    return dims if ndim else ()


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
    return _variance(input, _dims(dim, axis, input.ndim, "var"), correction, unbiased,
                     _keep(keepdim, keepdims), "var")


def _variance(input, dims: tuple, correction, unbiased, keepdim: bool, op_name: str):
    """``sum((x - mean)^2) / (n - correction)``; with no degree of freedom left (correction >=
    n) PyTorch warns and divides by 0: inf, or nan where every deviation is 0."""
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op_name}: needs a floating point tensor, got dtype {input.dtype} "
                           "(use .float())")
    if unbiased is not None:
        correction = 1 if unbiased else 0
    count = 1
    for d in dims:
        count *= input.shape[d]
    centered = input - input.mean(dims, keepdim=True)
    squares = (centered * centered).sum(dims, keepdim=keepdim)
    if count - correction > 0:
        return squares / (count - correction)
    warnings.warn(f"{op_name}: degrees of freedom is <= 0: correction {correction} is not less than "
                  f"the {count} elements reduced, so the result is inf or nan", UserWarning, stacklevel=3)
    with xp.errstate(divide="ignore", invalid="ignore"):
        return squares * math.inf


class SqrtOfVariance(Function):
    """``std = sqrt(var)``, whose gradient is 0 where std is 0 (PyTorch's definition: a constant
    input gets gradient 0 instead of 0 * inf = nan, so ``(x - mean) / (std + eps)`` stays finite)."""

    __slots__ = ()
    name = "std"
    caption = "grad_var = grad_out / (2 std), and 0 where std = 0"
    reads = (-1,)

    def forward(self, variance):
        return xp.sqrt(variance)

    def backward(self, grad, inputs, output):  # d sqrt(v)/dv = 1 / (2 sqrt(v)), 0 where v = 0
        zero = raw(output) == 0
        return (grad * ~zero / (output * 2 + zero),)


@op("std")
def std(input, dim=None, correction: int = 1, keepdim: bool = False, *, unbiased=None, axis=None,
        keepdims=None):
    """The square root of ``var`` (same arguments); its gradient at a constant input is 0."""
    variance = _variance(input, _dims(dim, axis, input.ndim, "std"), correction, unbiased,
                         _keep(keepdim, keepdims), "std")
    return SqrtOfVariance.apply(variance)


@op("amax")
def amax(input, dim=None, keepdim: bool = False):
    """The largest values over ``dim``; the gradient is shared evenly among ties."""
    if dim is None:
        _check_whole_not_empty(input, "amax")
    return Amax.apply(input, dims=reduction_dims(dim, input.ndim, "amax"), keepdim=keepdim)


@op("amin")
def amin(input, dim=None, keepdim: bool = False):
    if dim is None:
        _check_whole_not_empty(input, "amin")
    return Amin.apply(input, dims=reduction_dims(dim, input.ndim, "amin"), keepdim=keepdim)


@op("max")
def max_(input, dim=None, keepdim: bool = False):
    """``max()``: the largest element; ``max(dim)``: ``(values, indices)`` along ``dim``;
    ``max(other)``: the elementwise maximum."""
    if is_tensor(dim):
        return maximum(input, dim)
    if dim is None:
        _check_whole_not_empty(input, "max")
        return amax(input)
    return _extreme_along(input, dim, keepdim, xp.argmax, "max")


@op("min")
def min_(input, dim=None, keepdim: bool = False):
    if is_tensor(dim):
        return minimum(input, dim)
    if dim is None:
        _check_whole_not_empty(input, "min")
        return amin(input)
    return _extreme_along(input, dim, keepdim, xp.argmin, "min")


def _extreme_along(x, dim, keepdim, arg, op_name):
    (d,) = normalize_dims(dim, x.ndim, op_name)
    if x.ndim == 0:  # the one element is the extreme, at index 0
        return MaxMin(x.reshape(()), new_constant(xp.zeros((), dtype=int64)))
    _check_not_empty(x, (d,), op_name)
    indices = arg(x.data, axis=d)
    # The values are picked by indexing, so their gradient goes to the chosen element only.
    grid = list(xp.ogrid[tuple(slice(n) for i, n in enumerate(x.shape) if i != d)])
    grid.insert(d, indices)
    values = x[tuple(grid)] if x.ndim > 1 else x[indices]
    if keepdim:
        values = values.unsqueeze(d)
        indices = xp.expand_dims(indices, d)
    return MaxMin(values, new_constant(xp.asarray(indices, dtype=int64)))


def _arg(x, arg, dim, keepdim, op_name):
    if dim is None:  # the index into the flattened tensor; keepdim keeps every dim as size 1
        if x.data.size == 0:
            raise IndexError(f"{op_name}: an empty tensor (shape {x.shape}) has no element to point "
                             "at; reduce over a dim (dim=...) that is not empty")
        index = xp.asarray(arg(x.data), dtype=int64)
        return new_constant(index.reshape((1,) * x.ndim) if keepdim else index)
    (d,) = normalize_dims(dim, x.ndim, op_name)
    if x.ndim == 0:  # (its only dimension is 0 for PyTorch, none for numpy)
        return new_constant(xp.zeros((), dtype=int64))
    _check_not_empty(x, (d,), op_name)
    return new_constant(xp.asarray(arg(x.data, axis=d, keepdims=keepdim), dtype=int64))


@op("argmax")
def argmax(input, dim=None, keepdim: bool = False):
    """The index of the largest element (of the flattened tensor when ``dim`` is None)."""
    return _arg(input, xp.argmax, dim, keepdim, "argmax")


@op("argmin")
def argmin(input, dim=None, keepdim: bool = False):
    return _arg(input, xp.argmin, dim, keepdim, "argmin")


@op("any")
def any_(input):
    return new_constant(xp.asarray(raw(input).any()))


@op("all")
def all_(input):
    return new_constant(xp.asarray(raw(input).all()))


@op("logsumexp")
def logsumexp(input, dim=None, keepdim: bool = False):
    """``log(sum(exp(x)))`` over ``dim``, without overflow."""
    return LogSumExp.apply(input, dims=reduction_dims(dim, input.ndim, "logsumexp"), keepdim=keepdim)


@op("softmax", functional=True)
def softmax(input, dim: int = -1):
    """``exp(x) / sum(exp(x))`` along ``dim``, with the max subtracted first (the stable form)."""
    _check_floating(input, "softmax")
    (d,) = normalize_dims(dim, input.ndim, "softmax")
    return Softmax.apply(input, dim=d)


@op("log_softmax", functional=True)
def log_softmax(input, dim: int = -1):
    """``x - logsumexp(x)`` along ``dim``."""
    _check_floating(input, "log_softmax")
    (d,) = normalize_dims(dim, input.ndim, "log_softmax")
    return LogSoftmax.apply(input, dim=d)
