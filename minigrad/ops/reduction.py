"""Reductions over ``dim`` (an int, a tuple of ints, or None for all) with ``keepdim``, and the
softmax family, each computed stably (the max is subtracted before ``exp``)."""
from __future__ import annotations

from .. import return_types
from ..backend import int64, xp
from ..engine import Function, is_grad_enabled, is_tensor, new_constant
from .array_or_tensor import as_float, broadcast_to, exp, raw, reduced_shape
from .elementwise import maximum, minimum, where
from .gather import gather_
from .reduce_args import (  # noqa: F401 (normalize_dims and reduction_dims: shape.py and scan.py use them)
    dim_alias,
    keepdim_alias,
    normalize_dims,
    one_dim,
    reduction_dims,
    result_dtype,
)
from .registry import op


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
def _dims(dim, axis, ndim, op_name, default=None):
    """``dim`` (or numpy's ``axis``) as a sorted tuple of the axes to reduce."""
    return reduction_dims(dim_alias(dim, axis, op_name, default), ndim, op_name)


def cast_for(input, dtype, op_name: str):
    """The input cast to a reduction's ``dtype=`` first (PyTorch's order); integers and bools
    otherwise sum to int64.  A gradient cannot flow into an integer result (PyTorch's error)."""
    dtype = result_dtype(dtype)
    if dtype is None:
        if input.dtype.kind in "biu" and input.dtype != int64:
            return input.to(int64)
        return input
    if dtype.kind != "f" and input.requires_grad and is_grad_enabled():
        raise RuntimeError(f"{op_name}: a result of dtype {dtype} cannot carry a gradient back to "
                           f"an input that requires grad; detach the input or use a float dtype")
    return input.to(dtype)


@op("sum")
def sum_(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
    """The sum over ``dim`` (all dims when None); integers and bools give int64."""
    keepdim = keepdim_alias(keepdim, keepdims, "sum")
    dims = _dims(dim, axis, input.ndim, "sum")
    return Sum.apply(cast_for(input, dtype, "sum"), dims=dims, keepdim=keepdim)


@op("mean")
def mean(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
    """The mean over ``dim``; an integer tensor needs ``dtype=`` (a float dtype), as in PyTorch."""
    keepdim = keepdim_alias(keepdim, keepdims, "mean")
    dims = _dims(dim, axis, input.ndim, "mean")
    dtype = result_dtype(dtype)
    if dtype is not None and dtype.kind != "f":
        raise RuntimeError(f"mean: could not infer the output dtype: dtype={dtype} is not a "
                           "floating point dtype (use dtype=mg.float32 or mg.float64)")
    return Mean.apply(input if dtype is None else input.to(dtype), dims=dims, keepdim=keepdim)


@op("amax")
def amax(input, dim=(), keepdim: bool = False, *, axis=None, keepdims=None):
    """The largest values over ``dim`` (all dims by default); the gradient is shared evenly
    among ties."""
    keepdim = keepdim_alias(keepdim, keepdims, "amax")
    dims = _dims(dim, axis, input.ndim, "amax", default=())
    if len(dims) == input.ndim:
        _check_whole_not_empty(input, "amax")
    return Amax.apply(input, dims=dims, keepdim=keepdim)


@op("amin")
def amin(input, dim=(), keepdim: bool = False, *, axis=None, keepdims=None):
    """The smallest values over ``dim``; the gradient is shared evenly among ties."""
    keepdim = keepdim_alias(keepdim, keepdims, "amin")
    dims = _dims(dim, axis, input.ndim, "amin", default=())
    if len(dims) == input.ndim:
        _check_whole_not_empty(input, "amin")
    return Amin.apply(input, dims=dims, keepdim=keepdim)


@op("aminmax")
def aminmax(input, *, dim=None, keepdim: bool = False, axis=None, keepdims=None):
    """``(min, max)`` over ``dim`` (one int, or all dims), as ``return_types.aminmax``."""
    keepdim = keepdim_alias(keepdim, keepdims, "aminmax")
    dim = dim_alias(dim, axis, "aminmax")
    if dim is None:
        _check_whole_not_empty(input, "aminmax")
        dims = tuple(range(input.ndim))
    else:
        dims = reduction_dims(one_dim(dim, input.ndim, "aminmax"), input.ndim, "aminmax")
        _check_not_empty(input, dims, "aminmax")
    return return_types.aminmax((Amin.apply(input, dims=dims, keepdim=keepdim),
                                 Amax.apply(input, dims=dims, keepdim=keepdim)))


@op("max")
def max_(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """``max()``: the largest element; ``max(dim)``: ``return_types.max(values, indices)`` along
    ``dim`` (the first of ties); ``max(other)``: the elementwise maximum."""
    if is_tensor(dim):
        return maximum(input, dim)
    return _max_or_min(input, dim_alias(dim, axis, "max"), keepdim, keepdims, "max")


@op("min")
def min_(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """``min()``, ``min(dim)`` (``return_types.min``) or ``min(other)``, as :func:`max_`."""
    if is_tensor(dim):
        return minimum(input, dim)
    return _max_or_min(input, dim_alias(dim, axis, "min"), keepdim, keepdims, "min")


def _max_or_min(input, dim, keepdim, keepdims, op_name):
    keepdim = keepdim_alias(keepdim, keepdims, op_name)
    if dim is None:  # (keepdim is PyTorch's too: max() takes no keepdim, max(dim) does)
        _check_whole_not_empty(input, op_name)
        return (amax if op_name == "max" else amin)(input)
    d = one_dim(dim, input.ndim, op_name)
    arg = xp.argmax if op_name == "max" else xp.argmin
    kind = return_types.max if op_name == "max" else return_types.min
    if input.ndim == 0:  # the one element is the extreme, at index 0
        return kind((input.reshape(()), new_constant(xp.zeros((), dtype=int64))))
    _check_not_empty(input, (d,), op_name)
    indices = xp.expand_dims(arg(input.data, axis=d), d)
    values = gather_(input, d, indices)  # the gradient goes to the chosen element only
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return kind((values, new_constant(xp.asarray(indices, dtype=int64))))


def _arg(x, arg, dim, keepdim, op_name):
    if x.dtype.kind == "b":
        raise RuntimeError(f"{op_name}: does not support bool input; convert first, e.g. "
                           f"x.long().{op_name}()")
    if dim is None:  # the index into the flattened tensor; keepdim keeps every dim as size 1
        if x.data.size == 0:
            raise IndexError(f"{op_name}: an empty tensor (shape {x.shape}) has no element to point "
                             "at; reduce over a dim (dim=...) that is not empty")
        index = xp.asarray(arg(x.data), dtype=int64)
        return new_constant(index.reshape((1,) * x.ndim) if keepdim else index)
    d = one_dim(dim, x.ndim, op_name)
    if x.ndim == 0:  # (its only dimension is 0 for PyTorch, none for numpy)
        return new_constant(xp.zeros((), dtype=int64))
    _check_not_empty(x, (d,), op_name)
    return new_constant(xp.asarray(arg(x.data, axis=d, keepdims=keepdim), dtype=int64))


@op("argmax")
def argmax(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """The index of the largest element (of the flattened tensor when ``dim`` is None; the
    first of ties, a NaN counting as the largest)."""
    keepdim = keepdim_alias(keepdim, keepdims, "argmax")
    return _arg(input, xp.argmax, dim_alias(dim, axis, "argmax"), keepdim, "argmax")


@op("argmin")
def argmin(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """The index of the smallest element (the first of ties, a NaN counting as the smallest)."""
    keepdim = keepdim_alias(keepdim, keepdims, "argmin")
    return _arg(input, xp.argmin, dim_alias(dim, axis, "argmin"), keepdim, "argmin")


def _truth(input, dim, axis, keepdim, keepdims, reduce, op_name):
    """``any``/``all``: bool results (uint8 for a uint8 tensor, as in PyTorch), no gradient."""
    keepdim = keepdim_alias(keepdim, keepdims, op_name)
    dim = dim_alias(dim, axis, op_name)
    data = raw(input)
    if dim == ():  # PyTorch: an empty dim list reduces nothing, each element is its own truth
        result = data.astype(bool)
    else:
        result = reduce(data, axis=reduction_dims(dim, data.ndim, op_name), keepdims=keepdim)
    result = xp.asarray(result)
    return new_constant(result.astype(xp.uint8) if data.dtype == xp.uint8 else result)


@op("any")
def any_(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """Whether any element over ``dim`` is nonzero (True)."""
    return _truth(input, dim, axis, keepdim, keepdims, xp.any, "any")


@op("all")
def all_(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """Whether every element over ``dim`` is nonzero (True)."""
    return _truth(input, dim, axis, keepdim, keepdims, xp.all, "all")


@op("count_nonzero")
def count_nonzero(input, dim=None, *, axis=None):
    """The number of nonzero elements over ``dim`` (an int, a tuple, or None for all): int64."""
    dims = _dims(dim, axis, input.ndim, "count_nonzero")
    counts = xp.count_nonzero(raw(input), axis=dims) if dims else (raw(input) != 0)
    return new_constant(xp.asarray(counts, dtype=int64))


@op("nansum")
def nansum(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
    """The sum with NaNs counted as zero (their gradient is 0)."""
    keepdim = keepdim_alias(keepdim, keepdims, "nansum")
    dims = _dims(dim, axis, input.ndim, "nansum")
    x = cast_for(input, dtype, "nansum")
    if x.dtype.kind == "f":
        x = where(xp.isnan(x.data), 0.0, x)
    return Sum.apply(x, dims=dims, keepdim=keepdim)


@op("nanmean")
def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
    """The mean of the elements that are not NaN (NaN where every one is)."""
    keepdim = keepdim_alias(keepdim, keepdims, "nanmean")
    dims = _dims(dim, axis, input.ndim, "nanmean")
    x = input if dtype is None else input.to(result_dtype(dtype))
    if x.dtype.kind != "f":
        raise RuntimeError(f"nanmean: expected a floating point tensor, got dtype {x.dtype} "
                           "(use .float() or dtype=mg.float32)")
    kept = ~xp.isnan(x.data)
    count = xp.asarray(kept.sum(axis=dims, keepdims=keepdim), dtype=x.dtype)
    with xp.errstate(invalid="ignore", divide="ignore"):  # all NaN: 0 / 0 is PyTorch's nan
        return Sum.apply(where(kept, x, 0.0), dims=dims, keepdim=keepdim) / new_constant(count)


@op("logsumexp")
def logsumexp(input, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
    """``log(sum(exp(x)))`` over ``dim``, without overflow."""
    keepdim = keepdim_alias(keepdim, keepdims, "logsumexp")
    return LogSumExp.apply(input, dims=_dims(dim, axis, input.ndim, "logsumexp"), keepdim=keepdim)


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
