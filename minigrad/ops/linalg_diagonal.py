"""Diagonals and triangles: ``diagonal``, ``diag_embed``, ``diag``, ``trace``, ``tril``, ``triu``
and ``linalg.diagonal``.

Two primitives, each the other's gradient: :class:`Diagonal` reads a diagonal out of a pair of
dimensions, :class:`DiagEmbed` writes a vector onto one (zeros elsewhere).  ``tril``/``triu``
are a ``where`` with a constant triangular mask (so an inf above the diagonal gives 0, not nan).
Unlike PyTorch's, ``diagonal`` returns a copy, not a view: writing into it leaves the input as
it was.
"""
from __future__ import annotations

from ..backend import xp
from ..engine import Function, is_tensor, new_constant
from .elementwise import where
from .linalg_inverse import check_tensor
from .reduction import normalize_dims
from .registry import op


def _diagonal_length(rows: int, cols: int, offset: int) -> int:
    return max(0, min(rows - max(-offset, 0), cols - max(offset, 0)))


def _pair(op_name: str, dim1, dim2, ndim: int) -> tuple:
    (d1,) = normalize_dims(dim1, ndim, op_name)
    (d2,) = normalize_dims(dim2, ndim, op_name)
    if d1 == d2:
        raise RuntimeError(f"{op_name}: diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


class Diagonal(Function):
    __slots__ = ("offset", "dim1", "dim2", "shape")
    name = "diagonal"
    caption = "grad_in = grad_out written onto the diagonal, zeros elsewhere"
    reads = ()

    def __init__(self, offset: int, dim1: int, dim2: int, shape: tuple):
        self.offset, self.dim1, self.dim2, self.shape = offset, dim1, dim2, shape

    def options(self):
        return {"offset": self.offset, "dim1": self.dim1, "dim2": self.dim2}

    def forward(self, x):
        return xp.diagonal(x, self.offset, self.dim1, self.dim2).copy()

    def backward(self, grad, inputs, output):
        rows, cols = self.shape[self.dim1], self.shape[self.dim2]
        return (embed(grad, self.offset, self.dim1, self.dim2, rows, cols),)


class DiagEmbed(Function):
    """The last dimension of the input laid on the ``offset`` diagonal of a (rows, cols) pair of
    new dimensions at ``dim1`` and ``dim2`` of the output."""

    __slots__ = ("offset", "dim1", "dim2", "rows", "cols")
    name = "diag_embed"
    caption = "grad_in = the diagonal of grad_out"
    reads = ()

    def __init__(self, offset: int, dim1: int, dim2: int, rows: int, cols: int):
        self.offset, self.dim1, self.dim2, self.rows, self.cols = offset, dim1, dim2, rows, cols

    def options(self):
        return {"offset": self.offset, "dim1": self.dim1, "dim2": self.dim2}

    def forward(self, v):
        out = xp.zeros(v.shape[:-1] + (self.rows, self.cols), dtype=v.dtype)
        i = xp.arange(v.shape[-1])
        out[..., i + max(-self.offset, 0), i + max(self.offset, 0)] = v
        return xp.moveaxis(out, (-2, -1), (self.dim1, self.dim2))

    def backward(self, grad, inputs, output):
        if is_tensor(grad):
            return (Diagonal.apply(grad, offset=self.offset, dim1=self.dim1, dim2=self.dim2,
                                   shape=tuple(grad.shape)),)
        return (xp.diagonal(grad, self.offset, self.dim1, self.dim2).copy(),)


def embed(v, offset: int, dim1: int, dim2: int, rows: int, cols: int):
    """``v``'s last dimension on a diagonal (an array's or a Tensor's, recorded)."""
    if is_tensor(v):
        return DiagEmbed.apply(v, offset=offset, dim1=dim1, dim2=dim2, rows=rows, cols=cols)
    return DiagEmbed(offset, dim1, dim2, rows, cols).forward(v)


def _offset(op_name: str, offset) -> int:
    if isinstance(offset, bool) or not isinstance(offset, (int, xp.integer)):
        raise TypeError(f"{op_name}: the diagonal offset must be an int, got {offset!r}")
    return int(offset)


@op("diagonal")
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The ``offset`` diagonal of the matrices in dims ``dim1`` and ``dim2``, as the last
    dimension of the result (offset > 0 above the main diagonal, < 0 below)."""
    check_tensor("diagonal", input)
    d1, d2 = _pair("diagonal", dim1, dim2, input.ndim)
    return Diagonal.apply(input, offset=_offset("diagonal", offset), dim1=d1, dim2=d2,
                          shape=input.shape)


@op("diagonal", method=False, torch=False, linalg=True)
def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """:func:`diagonal` with the last two dimensions as the default matrices."""
    check_tensor("linalg.diagonal", A, "A")
    d1, d2 = _pair("linalg.diagonal", dim1, dim2, A.ndim)
    return Diagonal.apply(A, offset=_offset("linalg.diagonal", offset), dim1=d1, dim2=d2,
                          shape=A.shape)


@op("diag_embed")
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Square matrices (in new dims ``dim1``, ``dim2``) with the last dimension of input on the
    ``offset`` diagonal and zeros elsewhere."""
    check_tensor("diag_embed", input)
    d1, d2 = _pair("diag_embed", dim1, dim2, input.ndim + 1)
    offset = _offset("diag_embed", offset)
    n = input.shape[-1] + abs(offset) if input.ndim else 1
    return DiagEmbed.apply(input if input.ndim else input.reshape(1), offset=offset, dim1=d1,
                           dim2=d2, rows=n, cols=n)


@op("diag")
def diag(input, diagonal=0):
    """A vector -> the square matrix with it on the ``diagonal``-th diagonal; a matrix -> that
    diagonal as a vector."""
    check_tensor("diag", input)
    offset = _offset("diag", diagonal)
    if input.ndim == 1:
        n = input.shape[0] + abs(offset)
        return DiagEmbed.apply(input, offset=offset, dim1=0, dim2=1, rows=n, cols=n)
    if input.ndim == 2:
        return Diagonal.apply(input, offset=offset, dim1=0, dim2=1, shape=input.shape)
    raise RuntimeError(f"diag: supports 1D or 2D tensors, got {input.ndim}D (shape {input.shape}); "
                       "use diagonal or diag_embed for batches")


@op("trace")
def trace(input):
    """The sum of the main diagonal of a matrix (2-D only)."""
    check_tensor("trace", input)
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim} "
                           f"(shape {input.shape})")
    return diagonal(input).sum()


def _triangle(op_name: str, input, offset, lower: bool):
    check_tensor(op_name, input)
    if input.ndim < 2:
        raise RuntimeError(f"{op_name}: input tensor must have at least 2 dimensions, got shape "
                           f"{input.shape}")
    offset = _offset(op_name, offset)
    rows, cols = input.shape[-2:]
    below = xp.tri(rows, cols, offset if lower else offset - 1, dtype=bool)
    mask = below if lower else ~below
    return where(new_constant(mask), input, new_constant(xp.zeros((), dtype=input.dtype)))


@op("tril", inplace=True)
def tril(input, diagonal=0):
    """The lower triangle of the matrices in the last two dims: elements on and below the
    ``diagonal``-th diagonal, zeros above."""
    return _triangle("tril", input, diagonal, lower=True)


@op("triu", inplace=True)
def triu(input, diagonal=0):
    """The upper triangle: elements on and above the ``diagonal``-th diagonal, zeros below."""
    return _triangle("triu", input, diagonal, lower=False)
