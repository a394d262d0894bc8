"""Products and scans along one dim: ``prod``, ``cumsum``, ``cumprod``, ``cummax``/``cummin``
(``return_types`` with the index of each running extreme) and ``logcumsumexp``.

The gradient of a product divides by the input, which fails where it is zero; there the rules
below use the product of the *other* elements, computed without a division, so that one zero,
several zeros and second derivatives are all exact (as PyTorch's are).
"""
from __future__ import annotations

from .. import return_types
from ..backend import int64, xp
from ..engine import Function, is_tensor, new_constant
from .array_or_tensor import exp, raw
from .elementwise import where
from .gather import gather_
from .reduce_args import dim_alias, keepdim_alias, one_dim
from .reduction import _Reduction, cast_for
from .registry import op
from .shape import cat


# ---------------------------------------------------------------------------------------------
# Helpers on arrays or Tensors (the backward rules run on both)
# ---------------------------------------------------------------------------------------------
def _flip(a, d: int):
    if not is_tensor(a):
        return xp.flip(a, d)
    return a[(slice(None),) * d + (xp.arange(a.shape[d] - 1, -1, -1),)]


def _reverse_cumsum(a, d: int):
    """``sum_{j >= k} a_j`` at each k along ``d`` (the backward of cumsum)."""
    return _flip(_flip(a, d).cumsum(d), d)


def _exclusive_cumprod(a, d: int):
    """``prod_{i < k} a_i`` at each k along ``d`` (1 at the start), without a division."""
    n = a.shape[d]
    head = (slice(None),) * d
    ones_shape = a.shape[:d] + (1,) + a.shape[d + 1:]
    if not is_tensor(a):
        shifted = xp.concatenate([xp.ones(ones_shape, a.dtype), a[head + (slice(0, n - 1),)]], axis=d)
        return shifted.cumprod(d)
    ones = new_constant(xp.ones(ones_shape, raw(a).dtype))
    return cat([ones, a[head + (slice(0, n - 1),)]], d).cumprod(d)


def _product_of_the_others(x, d: int):
    """``prod_{i != k} x_i`` at each k along ``d``: the products before and after k."""
    return _exclusive_cumprod(x, d) * _flip(_exclusive_cumprod(_flip(x, d), d), d)


def _swap(a, d: int, e: int):
    return a.transpose(d, e) if is_tensor(a) else xp.swapaxes(a, d, e)


def _select(mask, a, b):
    return where(mask, a, b) if is_tensor(a) or is_tensor(b) else xp.where(mask, a, b)


# ---------------------------------------------------------------------------------------------
# prod
# ---------------------------------------------------------------------------------------------
class Prod(_Reduction):
    __slots__ = ()
    name = "prod"
    caption = "grad_in = grad_out * (the product of the other elements)"
    reads = (0, -1)

    def forward(self, x):
        return x.prod(axis=self.dims, keepdims=self.keepdim)

    def backward(self, grad, inputs, output):
        x = inputs[0]
        shape = x.shape
        grad = self.kept(grad, shape)
        if not (raw(x) == 0).any():  # d/dx_k prod(x) = prod(x) / x_k
            return (grad * self.kept(output, shape) / x,)
        if len(self.dims) == 1:
            return (grad * _product_of_the_others(x, self.dims[0]),)
        return (grad * _product_of_the_others(x.reshape(-1), 0).reshape(shape),)


@op("prod")
def prod(input, dim=None, keepdim: bool = False, *, dtype=None, axis=None, keepdims=None):
    """The product of the elements over ``dim`` (one int; all elements when None); integers and
    bools give int64.  The gradient is exact where elements are zero.

    >>> import minigrad as mg
    >>> x = mg.tensor([2.0, 0.0, 3.0], requires_grad=True)
    >>> x.prod().backward()
    >>> x.grad
    tensor([0., 6., 0.])
    """
    keepdim = keepdim_alias(keepdim, keepdims, "prod")
    dim = dim_alias(dim, axis, "prod")
    x = cast_for(input, dtype, "prod")
    if dim is None:
        if keepdim:
            raise TypeError("prod: keepdim needs a dim (prod(dim, keepdim=True)); prod() reduces "
                            "every dimension")
        return Prod.apply(x, dims=tuple(range(x.ndim)), keepdim=False)
    d = one_dim(dim, x.ndim, "prod")
    return Prod.apply(x, dims=(d,) if x.ndim else (), keepdim=keepdim)


# ---------------------------------------------------------------------------------------------
# cumsum, cumprod, logcumsumexp
# ---------------------------------------------------------------------------------------------
class _Scan(Function):
    __slots__ = ("dim",)

    def __init__(self, dim: int):
        self.dim = dim

    def options(self):
        return {"dim": self.dim}


class CumSum(_Scan):
    __slots__ = ()
    name = "cumsum"
    caption = "grad_in = the reversed cumulative sum of grad_out"
    reads = ()

    def forward(self, x):
        return x.cumsum(axis=self.dim)

    def backward(self, grad, inputs, output):  # x_k is in every out_j with j >= k
        return (_reverse_cumsum(grad, self.dim),)


class CumProd(_Scan):
    __slots__ = ()
    name = "cumprod"
    caption = "grad_in_k = sum over j >= k of grad_out_j * out_j / x_k (zeros: the other factors)"
    reads = (0, -1)

    def forward(self, x):
        return x.cumprod(axis=self.dim)

    def backward(self, grad, inputs, output):
        x, d = inputs[0], self.dim
        if not (raw(x) == 0).any():  # d out_j / d x_k = out_j / x_k for j >= k
            return (_reverse_cumsum(grad * output, d) / x,)
        if is_tensor(grad):  # recorded: the n^2 table, exact to every order
            return (_cumprod_grad_with_zeros(grad, x, d),)
        return (_cumprod_grad_at_first_zero(grad, x, output, d),)


def _cumprod_grad_at_first_zero(grad, x, output, d: int):
    """The same gradient on arrays in O(n), split at each slice's first zero z: before it the
    division is safe (every later product holding x_z is 0 on both sides); at z the gradient
    is the reversed cumulative sum of grad times the products with x_z taken as 1; after z
    every product holds x_z, so it is 0."""
    n = x.shape[d]
    zero = x == 0
    first = xp.where(zero.any(axis=d, keepdims=True), xp.argmax(zero, axis=d, keepdims=True), n)
    position = xp.arange(n).reshape([-1 if i == d else 1 for i in range(x.ndim)])
    before, at = position < first, position == first
    result = xp.where(before, _reverse_cumsum(grad * output, d) / xp.where(before, x, 1), 0)
    at_zero = _reverse_cumsum(grad * xp.where(at, 1, x).cumprod(d), d)
    return xp.where(at, at_zero, result)


def _cumprod_grad_with_zeros(grad, x, d: int):
    """``sum_{j >= k} grad_j prod_{i <= j, i != k} x_i`` without a division: row k of an n x n
    table is the cumulative product of x with x_k set to 1.  Exact to every order, but n^2
    memory per slice: used only under create_graph where some element is zero."""
    n = x.shape[d]
    last = x.ndim - 1
    xt, gt = _swap(x, d, last), _swap(grad, d, last)  # the scan dim last
    eye = xp.eye(n, dtype=bool)
    table = _select(eye, 1.0, xt.reshape(xt.shape[:-1] + (1, n)))  # [..., k, i]
    partial = table.cumprod(last + 1)  # [..., k, j] = prod_{i <= j, i != k} x_i
    later = xp.triu(xp.ones((n, n), dtype=raw(x).dtype))  # j >= k
    result = (partial * later * gt.reshape(gt.shape[:-1] + (1, n))).sum(last + 1)
    return _swap(result, d, last)


class LogCumSumExp(_Scan):
    __slots__ = ()
    name = "logcumsumexp"
    caption = "grad_in_k = sum over j >= k of grad_out_j * exp(x_k - out_j)"
    reads = (0, -1)

    def forward(self, x):
        with xp.errstate(invalid="ignore"):  # (a NaN, or inf - inf: NaN from there on, as in PyTorch)
            return xp.logaddexp.accumulate(x, axis=self.dim)

    def backward(self, grad, inputs, output):
        x, d = inputs[0], self.dim
        if is_tensor(grad):  # recorded: a table of exp(x_k - out_j) <= 1, differentiable again
            last = x.ndim - 1
            xt, gt, ot = x.transpose(d, last), grad.transpose(d, last), output.transpose(d, last)
            n = xt.shape[-1]
            later = xp.triu(xp.ones((n, n), dtype=bool))  # [k, j]: j >= k
            gaps = _select(later, xt.unsqueeze(-1) - ot.unsqueeze(-2), -xp.inf)
            return ((exp(gaps) * gt.unsqueeze(-2)).sum(-1).transpose(d, last),)
        # The sum in log space, positive and negative parts apart: no overflow, no n^2 table.
        with xp.errstate(divide="ignore", invalid="ignore"):
            parts = [xp.exp(x + _reverse_logcumsumexp(xp.log(xp.maximum(sign * grad, 0)) - output, d))
                     for sign in (1, -1)]
        return (xp.nan_to_num(parts[0], nan=0.0) - xp.nan_to_num(parts[1], nan=0.0),)


def _reverse_logcumsumexp(a, d: int):
    return xp.flip(xp.logaddexp.accumulate(xp.flip(a, d), axis=d), d)


def _scan_dim(input, dim, axis, op_name):
    return one_dim(dim_alias(dim, axis, op_name), input.ndim, op_name)


def _scanned(function, x, d):
    if x.ndim == 0:  # one element: the scan is the element itself
        return function.apply(x.reshape(1), dim=0).reshape(())
    return function.apply(x, dim=d)


@op("cumsum", inplace=True)
def cumsum(input, dim=None, *, dtype=None, axis=None):
    """The running sums along ``dim``: ``out_j = x_0 + ... + x_j``; integers give int64."""
    d = _scan_dim(input, dim, axis, "cumsum")
    return _scanned(CumSum, cast_for(input, dtype, "cumsum"), d)


@op("cumprod", inplace=True)
def cumprod(input, dim=None, *, dtype=None, axis=None):
    """The running products along ``dim``: ``out_j = x_0 * ... * x_j`` (exact gradient at zeros)."""
    d = _scan_dim(input, dim, axis, "cumprod")
    return _scanned(CumProd, cast_for(input, dtype, "cumprod"), d)


@op("logcumsumexp")
def logcumsumexp(input, dim=None, *, axis=None):
    """``log(cumsum(exp(x)))`` along ``dim``, without overflow."""
    d = _scan_dim(input, dim, axis, "logcumsumexp")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"logcumsumexp: not implemented for {input.dtype} tensors; "
                                  "convert first, e.g. x.float().logcumsumexp(dim)")
    return _scanned(LogCumSumExp, input, d)


# ---------------------------------------------------------------------------------------------
# cummax, cummin: the running extreme and where it was (the latest of ties, as PyTorch)
# ---------------------------------------------------------------------------------------------
def _running_extreme(input, dim, axis, accumulate, kind, op_name):
    d = _scan_dim(input, dim, axis, op_name)
    if input.ndim == 0:
        return kind((input.reshape(()), new_constant(xp.zeros((), dtype=int64))))
    data = input.data
    running = accumulate.accumulate(data, axis=d)  # (NaN propagates, as in PyTorch)
    positions = xp.arange(data.shape[d]).reshape([-1 if i == d else 1 for i in range(data.ndim)])
    reached = data == running
    if data.dtype.kind == "f":
        reached |= xp.isnan(data)
    indices = xp.maximum.accumulate(xp.where(reached, positions, 0), axis=d).astype(int64)
    return kind((gather_(input, d, indices), new_constant(indices)))


@op("cummax")
def cummax(input, dim=None, *, axis=None):
    """The running maximum along ``dim`` and the index where it was reached, as
    ``return_types.cummax(values, indices)``; the gradient goes to those indices."""
    return _running_extreme(input, dim, axis, xp.maximum, return_types.cummax, "cummax")


@op("cummin")
def cummin(input, dim=None, *, axis=None):
    """The running minimum along ``dim`` and its index (``return_types.cummin``)."""
    return _running_extreme(input, dim, axis, xp.minimum, return_types.cummin, "cummin")
