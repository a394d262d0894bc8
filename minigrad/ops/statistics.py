"""Variance and standard deviation, with PyTorch's two ways of asking for the correction:
``var(dim, unbiased, keepdim)`` (positional, a bool) or ``var(dim, correction=c)`` (keyword, a
number; 1 by default, Bessel's correction), and ``var_mean`` / ``std_mean`` returning both."""
from __future__ import annotations

import math
import numbers
import warnings

from ..backend import xp
from ..engine import Function
from .array_or_tensor import raw
from .reduce_args import dim_alias, keepdim_alias, reduction_dims
from .registry import op


def _correction(dim, unbiased, correction, op_name: str):
    """``(dim, correction)`` from PyTorch's overloads: ``var(True)`` is ``unbiased=True``; the
    positional ``unbiased`` is a bool; ``correction`` a keyword number; not both."""
    if isinstance(dim, (bool, xp.bool_)):
        if unbiased is not None:
            raise TypeError(f"{op_name}: got dim={dim!r} and unbiased={unbiased!r}: a bool first "
                            "argument is 'unbiased'; give dim as an int or a tuple of ints")
        dim, unbiased = None, dim
    if unbiased is not None and not isinstance(unbiased, (bool, xp.bool_)):
        raise TypeError(f"{op_name}: 'unbiased' must be a bool, got {unbiased!r} "
                        f"({type(unbiased).__name__}); for another correction use correction={unbiased!r}")
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op_name}: give either unbiased={unbiased!r} or correction={correction!r}, "
                        "not both")
    if correction is None:
        return dim, 1 if unbiased is None or unbiased else 0
    if not isinstance(correction, numbers.Real):
        raise TypeError(f"{op_name}: 'correction' must be a number, got {correction!r}")
    return dim, correction


def _variance(input, dims: tuple, correction, keepdim: bool, op_name: str):
    """``sum((x - mean)^2) / (n - correction)``; with no degree of freedom left (correction >=
    n) PyTorch warns and divides by 0: inf, or nan where every deviation is 0."""
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op_name}: needs a floating point tensor, got dtype {input.dtype} "
                           "(use .float())")
    count = 1
    for d in dims:
        count *= input.shape[d]
    centered = input - input.mean(dims, keepdim=True)
    squares = (centered * centered).sum(dims, keepdim=keepdim)
    if count - correction > 0:
        return squares / (count - correction)
    warnings.warn(f"{op_name}: degrees of freedom is <= 0: correction {correction} is not less than "
                  f"the {count} elements reduced, so the result is inf or nan", UserWarning, stacklevel=4)
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


def _arguments(input, dim, unbiased, keepdim, correction, axis, keepdims, op_name):
    keepdim = keepdim_alias(keepdim, keepdims, op_name)
    dim, correction = _correction(dim_alias(dim, axis, op_name), unbiased, correction, op_name)
    return reduction_dims(dim, input.ndim, op_name), correction, keepdim


@op("var")
def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, axis=None,
        keepdims=None):
    """The variance over ``dim``: the squared deviations from the mean summed and divided by
    ``n - correction`` (``correction=1``, the unbiased estimate, by default; ``unbiased=False``
    is ``correction=0``).

    >>> import minigrad as mg
    >>> mg.tensor([1.0, 2.0, 3.0, 6.0]).var(correction=0)
    tensor(3.5000)
    """
    dims, correction, keepdim = _arguments(input, dim, unbiased, keepdim, correction, axis,
                                           keepdims, "var")
    return _variance(input, dims, correction, keepdim, "var")


@op("std")
def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, axis=None,
        keepdims=None):
    """The square root of ``var`` (same arguments); its gradient at a constant input is 0."""
    dims, correction, keepdim = _arguments(input, dim, unbiased, keepdim, correction, axis,
                                           keepdims, "std")
    return SqrtOfVariance.apply(_variance(input, dims, correction, keepdim, "std"))


@op("var_mean", method=False)
def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, axis=None,
             keepdims=None):
    """``(var, mean)`` over ``dim``, a plain tuple as in PyTorch."""
    dims, correction, keepdim = _arguments(input, dim, unbiased, keepdim, correction, axis,
                                           keepdims, "var_mean")
    return _variance(input, dims, correction, keepdim, "var_mean"), input.mean(dims, keepdim=keepdim)


@op("std_mean", method=False)
def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, axis=None,
             keepdims=None):
    """``(std, mean)`` over ``dim``, a plain tuple as in PyTorch."""
    dims, correction, keepdim = _arguments(input, dim, unbiased, keepdim, correction, axis,
                                           keepdims, "std_mean")
    variance = _variance(input, dims, correction, keepdim, "std_mean")
    return SqrtOfVariance.apply(variance), input.mean(dims, keepdim=keepdim)
