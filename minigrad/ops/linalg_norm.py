"""Norms: ``linalg.vector_norm``, ``linalg.matrix_norm``, ``linalg.norm``, ``linalg.svdvals``
and ``torch.norm`` / ``Tensor.norm``, with PyTorch's orders, dims and gradients.

:class:`VectorNorm` is a primitive for the finite orders: composed as ``sum(|x|^p)^(1/p)`` its
gradient at a zero vector would be 0/0 = nan, where PyTorch's is 0 (and 0 at the zero elements
of a p < 1 norm).  The orders inf, -inf and 0 are composites (amax/amin of |x|, which share the
gradient among ties as PyTorch does; a count of non-zeros, whose gradient is zero).  The matrix
norms are composites over those and :class:`SvdVals` ('nuc', 2 and -2).
"""
from __future__ import annotations

import math

from ..backend import xp
from ..engine import Function, is_tensor, new_constant
from .array_or_tensor import raw, reduced_shape
from .elementwise import where
from .linalg_inverse import check_tensor, type_name
from .reduction import amax, amin, normalize_dims
from .registry import op


def _where(condition, a, b):
    """``where`` of arrays, or of Tensors (recorded), with a constant condition."""
    if is_tensor(a) or is_tensor(b):
        return where(new_constant(condition), a, b)
    return xp.where(condition, a, b)


class VectorNorm(Function):
    __slots__ = ("ord", "dims", "keepdim")
    name = "linalg.vector_norm"
    caption = "grad_x = grad_out · sign(x)·|x|^(p-1) / norm^(p-1) (0 where the norm is 0)"
    reads = (0, -1)

    def __init__(self, ord: float, dims: tuple, keepdim: bool):
        self.ord, self.dims, self.keepdim = ord, dims, keepdim

    def options(self):
        return {"ord": self.ord, "dim": self.dims, "keepdim": self.keepdim}

    def forward(self, x):
        p, dims = self.ord, self.dims
        if p == 2:
            return xp.sqrt((x * x).sum(axis=dims, keepdims=self.keepdim))
        if p == 1:
            return xp.abs(x).sum(axis=dims, keepdims=self.keepdim)
        with xp.errstate(divide="ignore"):  # a negative order of a zero element: |0|^p = inf
            return (xp.abs(x) ** p).sum(axis=dims, keepdims=self.keepdim) ** (1.0 / p)

    def backward(self, grad, inputs, output):
        (x,) = inputs
        p, shape = self.ord, x.shape
        kept = (lambda t: t) if self.keepdim else (lambda t: t.reshape(reduced_shape(shape, self.dims)))
        grad, norm = kept(grad), kept(output)
        sign = xp.sign(raw(x))  # d|x|/dx, a constant (its own derivative is zero)
        if p == 1:
            return (grad * (new_constant(sign) if is_tensor(grad) else sign),)
        zero_norm = raw(norm) == 0
        safe_norm = _where(zero_norm, 1.0, norm)
        if p == 2:  # d sqrt(sum x^2) = x / norm
            result = x * (grad / safe_norm)
        else:  # d (sum |x|^p)^(1/p) = sign(x) |x|^(p-1) / norm^(p-1)
            zero = raw(x) == 0
            magnitude = _where(zero, 1.0, x * (new_constant(sign) if is_tensor(x) else sign))
            result = _where(zero, 0.0, magnitude ** (p - 1)) * (grad / safe_norm ** (p - 1))
            result = result * (new_constant(sign) if is_tensor(result) else sign)
        return (_where(xp.broadcast_to(zero_norm, shape), 0.0, result),)


class SvdVals(Function):
    __slots__ = ("u", "vh")
    name = "linalg.svdvals"
    caption = "grad_A = U · diag(grad_out) · Vᵀ"
    saved = ("u", "vh")
    reads = ()

    def forward(self, a):
        self.u, s, self.vh = xp.linalg.svd(a, full_matrices=False)
        return s

    def backward(self, grad, inputs, output):
        if is_tensor(grad):
            raise RuntimeError("linalg.svdvals: the gradient of the singular values is computed "
                               "from the singular vectors, whose own gradient minigrad does not "
                               "have: create_graph=True (second order) through it is not supported")
        # dσ_i = u_iᵀ dA v_i  =>  grad_A = U diag(grad) Vᵀ (for distinct singular values)
        return ((self.u * grad[..., None, :]) @ self.vh,)


def _floating(op_name: str, x, dtype=None):
    check_tensor(op_name, x)
    if dtype is not None:
        x = x.to(dtype)
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op_name}: Expected a floating point tensor as input. Got "
                           f"{type_name(x.dtype)}; convert it first, e.g. x.float()")
    return x


def _order(op_name: str, ord):
    if isinstance(ord, bool) or not isinstance(ord, (int, float, xp.integer, xp.floating)):
        raise TypeError(f"{op_name}(): argument 'ord' must be a number, not {type(ord).__name__}")
    return float(ord)


@op("vector_norm", method=False, torch=False, linalg=True)
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``(sum |x|^ord)^(1/ord)`` over ``dim`` (all elements when None); ``ord`` inf: max |x|,
    -inf: min |x|, 0: the number of non-zero elements."""
    x = _floating("linalg.vector_norm", x, dtype)
    p = _order("linalg.vector_norm", ord)
    dims = normalize_dims(dim, x.ndim, "linalg.vector_norm")
    if math.isinf(p):
        if any(x.shape[d] == 0 for d in dims) or (not dims and x.size == 0):
            raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor "
                               "because the operation does not have an identity")
        return (amax if p > 0 else amin)(x.abs(), dims, keepdim)
    if p == 0:  # a count: its gradient is zero (the where keeps the result in the graph)
        count = new_constant((x.data != 0).sum(axis=dims, keepdims=keepdim).astype(x.dtype))
        untouched = where(new_constant(xp.zeros(x.shape, dtype=bool)), x, 0.0)
        return untouched.sum(dims, keepdim) + count
    return VectorNorm.apply(x, ord=p, dims=dims, keepdim=keepdim)


@op("svdvals", method=False, torch=False, linalg=True)
def svdvals(A):
    """The singular values of A (or of each matrix in a batch), in descending order."""
    check_tensor("linalg.svdvals", A, "A")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.svdvals: The input tensor A must have at least 2 dimensions, "
                           f"got shape {A.shape}")
    return SvdVals.apply(_floating("linalg.svdvals", A))


def _matrix_dims(op_name: str, dim, ndim: int) -> tuple:
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{op_name}: dim must be a 2-tuple. Got {dim!r}")
    rows, cols = (normalize_dims(d, ndim, op_name)[0] for d in dim)
    if rows == cols:
        raise RuntimeError(f"{op_name}: dims must be different. Got {tuple(dim)}")
    return rows, cols


@op("matrix_norm", method=False, torch=False, linalg=True)
def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The norm of the matrices in dims ``dim``: 'fro' (sqrt of the sum of squares), 'nuc' (sum
    of singular values), 2 / -2 (largest / smallest singular value), 1 / -1 (max / min column
    sum of |A|), inf / -inf (max / min row sum of |A|)."""
    A = _floating("linalg.matrix_norm", A, dtype)
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions, got shape {A.shape}")
    rows, cols = _matrix_dims("linalg.matrix_norm", dim, A.ndim)
    if ord == "fro":
        return VectorNorm.apply(A, ord=2.0, dims=tuple(sorted((rows, cols))), keepdim=keepdim)
    if isinstance(ord, str) and ord != "nuc" or not isinstance(ord, str) and ord not in (
            1, -1, 2, -2, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported (use 'fro', 'nuc', "
                           "1, -1, 2, -2, inf or -inf)")
    if ord in ("nuc", 2, -2):
        moved = A.permute(*(d for d in range(A.ndim) if d not in (rows, cols)), rows, cols)
        values = svdvals(moved)
        result = values.sum(-1) if ord == "nuc" else (values.amax(-1) if ord == 2 else values.amin(-1))
        if keepdim:
            for d in sorted((rows, cols)):
                result = result.unsqueeze(d)
        return result
    summed, reduced = (rows, cols) if abs(ord) == 1 else (cols, rows)  # 1: column sums, inf: row sums
    sums = A.abs().sum(summed, True)
    result = (amax if ord > 0 else amin)(sums, reduced, True)
    return result if keepdim else result.squeeze((rows, cols))


@op("norm", method=False, torch=False, linalg=True)
def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair, or a 2-D
    input when ``ord`` is given); without ``ord`` or ``dim``, the 2-norm of all elements."""
    check_tensor("linalg.norm", A, "A")
    if dim is None and ord is not None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                               f"1D or 2D. Got {A.ndim}D.")
        dim = (0,) if A.ndim == 1 else (0, 1)
    if isinstance(dim, int) or (isinstance(dim, (tuple, list)) and len(dim) == 1) or dim is None:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.norm: ord={ord!r} is a matrix norm: it needs a 2-D input "
                               "or a dim of two dimensions")
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)


@op("norm")
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm``: with a number ``p``, the vector p-norm over ``dim`` (every element when
    None); 'fro' the 2-norm over ``dim`` (at most two dims); 'nuc' the nuclear norm of a matrix."""
    check_tensor("norm", input)
    dims = None if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    if p == "fro" and (dims is None or len(dims) <= 2) or not isinstance(p, str):
        return vector_norm(input, 2 if p == "fro" else p, dims, keepdim, dtype=dtype)
    if dims is None:
        dims = tuple(range(input.ndim))
    if p == "nuc" or p == "fro":
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    raise RuntimeError(f"norm: p={p!r} is not a norm PyTorch knows ('fro', 'nuc' or a number)")
