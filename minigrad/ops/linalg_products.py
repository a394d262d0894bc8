"""Products of vectors and matrices with PyTorch's strict shapes: ``mm mv bmm dot vdot inner
outer addmm addmv baddbmm addbmm kron tensordot cross`` and ``linalg.cross linalg.vecdot
linalg.multi_dot``.

All are composites over ``@`` (``matmul``), reshapes and elementwise ops, so their gradients
are those ops' gradients.  Unlike ``matmul``, each checks the ranks PyTorch requires (``mm`` two
matrices, ``bmm`` two 3-D batches of one size, ``dot`` two vectors) rather than broadcasting, and
none promotes a mixed pair of dtypes except ``outer`` and ``kron``, which PyTorch computes as
products of elements.
"""
from __future__ import annotations

import math
import warnings

from ..backend import xp
from .linalg import matmul
from .linalg_inverse import check_tensor, type_name
from .reduction import normalize_dims
from .registry import op


def _shape_text(shape) -> str:
    return "x".join(str(n) for n in shape) or "scalar"


def _same_dtype(op_name: str, *tensors) -> None:
    first = tensors[0]
    for other in tensors[1:]:
        if other.dtype != first.dtype:
            raise RuntimeError(
                f"{op_name}: expected all operands to have the same dtype, but got "
                f"{type_name(first.dtype)} and {type_name(other.dtype)}; convert one first, "
                "e.g. x.to(y.dtype)")


def _rank(op_name: str, x, ndim: int, what: str, kind: str):
    check_tensor(op_name, x, what)
    if x.ndim != ndim:
        raise RuntimeError(f"{op_name}: {what} must be a {kind} ({ndim}-D), got a {x.ndim}-D "
                           f"tensor of shape {x.shape}")
    return x


def _check_mm(op_name: str, a, b, names=("mat1", "mat2")) -> None:
    _rank(op_name, a, 2, names[0], "matrix")
    _rank(op_name, b, 2, names[1], "matrix")
    _same_dtype(op_name, a, b)
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"{op_name}: {names[0]} and {names[1]} shapes cannot be multiplied "
                           f"({_shape_text(a.shape)} and {_shape_text(b.shape)}): the columns of "
                           "the first must equal the rows of the second")


def _check_mv(op_name: str, mat, vec) -> None:
    _rank(op_name, mat, 2, "mat", "matrix")
    _rank(op_name, vec, 1, "vec", "vector")
    _same_dtype(op_name, mat, vec)
    if mat.shape[1] != vec.shape[0]:
        raise RuntimeError(f"{op_name}: size mismatch, mat ({_shape_text(mat.shape)}) and vec "
                           f"({vec.shape[0]}): the vector needs {mat.shape[1]} elements")


def _check_bmm(op_name: str, a, b) -> None:
    _rank(op_name, a, 3, "batch1", "3-D tensor")
    _rank(op_name, b, 3, "batch2", "3-D tensor")
    _same_dtype(op_name, a, b)
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"{op_name}: expected size for first two dimensions of batch2 tensor "
                           f"to be: [{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, "
                           f"{b.shape[1]}] (batch1 has shape {a.shape})")


@op("mm")
def mm(input, mat2):
    """The product of two matrices (2-D only; :func:`matmul` broadcasts batches)."""
    _check_mm("mm", input, mat2, ("input", "mat2"))
    return matmul(input, mat2)


@op("mv")
def mv(input, vec):
    """A matrix times a vector."""
    _check_mv("mv", input, vec)
    return matmul(input, vec)


@op("bmm")
def bmm(input, mat2):
    """Batches of matrix products: (b, n, k) @ (b, k, m) -> (b, n, m), with equal batch sizes."""
    _check_bmm("bmm", input, mat2)
    return matmul(input, mat2)


def _check_dot(op_name: str, a, b) -> None:
    check_tensor(op_name, a, "input")
    check_tensor(op_name, b, "tensor")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"{op_name}: 1D tensors expected, but got {a.ndim}D and {b.ndim}D "
                           f"tensors (shapes {a.shape} and {b.shape})")
    if a.shape != b.shape:
        raise RuntimeError(f"{op_name}: inconsistent tensor size: {a.shape[0]} and {b.shape[0]} "
                           "elements; the vectors must have the same length")
    _same_dtype(op_name, a, b)


@op("dot")
def dot(input, tensor):
    """The dot product of two vectors of one length (1-D only)."""
    _check_dot("dot", input, tensor)
    return matmul(input, tensor)


@op("vdot")
def vdot(input, other):
    """The dot product with the first vector conjugated: :func:`dot` for real tensors."""
    _check_dot("vdot", input, other)
    return matmul(input, other)


@op("inner")
def inner(input, other):
    """Sums of products over the last dimension of each: shape ``input.shape[:-1] +
    other.shape[:-1]`` (a 0-d operand multiplies)."""
    check_tensor("inner", input)
    check_tensor("inner", other, "other")
    _same_dtype("inner", input, other)
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner: the last dimension must match on both input tensors but got "
                           f"shapes {input.shape} and {other.shape}")
    k = input.shape[-1]
    rows = matmul(input.reshape(-1, k), other.reshape(-1, k).mT)
    return rows.reshape(input.shape[:-1] + other.shape[:-1])


@op("outer", aliases=("ger",))
def outer(input, vec2):
    """The outer product of two vectors: ``out[i, j] = input[i] * vec2[j]`` (dtypes promote)."""
    _rank("outer", input, 1, "input", "vector")
    _rank("outer", vec2, 1, "vec2", "vector")
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


def _scaled_sum(op_name: str, input, product, beta, alpha):
    """``beta * input + alpha * product``; ``beta=0`` ignores input (its nan and inf too)."""
    check_tensor(op_name, input)
    _same_dtype(op_name, input, product)
    try:
        fits = xp.broadcast_shapes(input.shape, product.shape) == product.shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"{op_name}: input of shape {input.shape} does not broadcast to the "
                           f"product's shape {product.shape}")
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:
        return scaled
    return scaled + (input if beta == 1 else input * beta)


@op("addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)``, input broadcast to the product's shape."""
    _check_mm("addmm", mat1, mat2)
    return _scaled_sum("addmm", input, matmul(mat1, mat2), beta, alpha)


@op("addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``."""
    _check_mv("addmv", mat, vec)
    return _scaled_sum("addmv", input, matmul(mat, vec), beta, alpha)


@op("baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    _check_bmm("baddbmm", batch1, batch2)
    return _scaled_sum("baddbmm", input, matmul(batch1, batch2), beta, alpha)


@op("addbmm")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``: the batch of products summed,
    computed as one (n, b·k) @ (b·k, m) product."""
    _check_bmm("addbmm", batch1, batch2)
    b, n, k = batch1.shape
    wide = batch1.permute(1, 0, 2).reshape(n, b * k)
    return _scaled_sum("addbmm", input, matmul(wide, batch2.reshape(b * k, -1)), beta, alpha)


@op("kron")
def kron(input, other):
    """The Kronecker product: each element of input times the whole of other, in blocks; the
    shorter shape is padded with leading 1s (dtypes promote)."""
    check_tensor("kron", input)
    check_tensor("kron", other, "other")
    ndim = max(input.ndim, other.ndim)
    a_shape = (1,) * (ndim - input.ndim) + input.shape
    b_shape = (1,) * (ndim - other.ndim) + other.shape
    # a's dims at even positions, b's at odd ones: the product's dims pair up (i, j) -> i * |b| + j
    a = input.reshape(tuple(n for pair in zip(a_shape, (1,) * ndim) for n in pair))
    b = other.reshape(tuple(n for pair in zip((1,) * ndim, b_shape) for n in pair))
    return (a * b).reshape(tuple(p * q for p, q in zip(a_shape, b_shape)))


def _tensordot_dims(dims, a, b) -> tuple:
    if isinstance(dims, (int, xp.integer)) and not isinstance(dims, bool):
        if not 0 <= dims <= min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot: dims={dims} must be between 0 and the smaller number of "
                               f"dimensions ({min(a.ndim, b.ndim)}) of shapes {a.shape} and {b.shape}")
        return tuple(range(a.ndim - dims, a.ndim)), tuple(range(dims))
    if not isinstance(dims, (tuple, list)) or len(dims) != 2:
        raise TypeError(f"tensordot: dims must be an int or a pair of lists of dims, got {dims!r}")
    dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError(f"tensordot: both dimension lists should have same length, got "
                           f"{dims_a} and {dims_b}")
    return (tuple(normalize_dims(d, a.ndim, "tensordot")[0] for d in dims_a),
            tuple(normalize_dims(d, b.ndim, "tensordot")[0] for d in dims_b))


@op("tensordot", method=False)
def tensordot(a, b, dims=2):
    """Sums of products over ``dims``: an int n contracts the last n dims of ``a`` with the first
    n of ``b``; a pair of lists names them.  Computed as one matrix product."""
    check_tensor("tensordot", a, "a")
    check_tensor("tensordot", b, "b")
    _same_dtype("tensordot", a, b)
    dims_a, dims_b = _tensordot_dims(dims, a, b)
    for i, j in zip(dims_a, dims_b):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"tensordot: contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {i} and second has size {b.shape[j]} in dim {j}")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    k = math.prod(a.shape[d] for d in dims_a)
    left = a.permute(*free_a, *dims_a).reshape(-1, k)
    right = b.permute(*dims_b, *free_b).reshape(k, -1)
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return matmul(left, right).reshape(shape)


def _cross(op_name: str, input, other, dim):
    check_tensor(op_name, input)
    check_tensor(op_name, other, "other")
    _same_dtype(op_name, input, other)
    if input.ndim != other.ndim:
        raise RuntimeError(f"{op_name}: inputs must have the same number of dimensions, got shapes "
                           f"{input.shape} and {other.shape} (unsqueeze the shorter one)")
    try:
        shape = xp.broadcast_shapes(input.shape, other.shape)
    except ValueError:
        raise RuntimeError(f"{op_name}: shapes {input.shape} and {other.shape} do not broadcast") from None
    (d,) = normalize_dims(dim, len(shape), op_name)
    from_end = d - len(shape)
    sizes = [x.shape[from_end] if x.ndim >= -from_end else 1 for x in (input, other)]
    if sizes != [3, 3]:
        raise RuntimeError(f"{op_name}: inputs dimension {dim} must have length 3. Got {sizes[0]} "
                           f"and {sizes[1]} (shapes {input.shape} and {other.shape})")
    a = input if input.shape == shape else input.broadcast_to(shape)
    b = other if other.shape == shape else other.broadcast_to(shape)
    before = (slice(None),) * d

    def rotated(x, order):
        return x[before + (list(order),)]

    # (a x b)_i = a_{i+1} b_{i+2} - a_{i+2} b_{i+1}, indices mod 3
    return rotated(a, (1, 2, 0)) * rotated(b, (2, 0, 1)) - rotated(a, (2, 0, 1)) * rotated(b, (1, 2, 0))


@op("cross")
def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim``; without ``dim``, along the first dimension
    of size 3 (PyTorch's deprecated default, with its warning: pass ``dim`` or use
    ``mg.linalg.cross``, whose default is -1)."""
    if dim is None:
        check_tensor("cross", input)
        check_tensor("cross", other, "other")
        try:
            shape = xp.broadcast_shapes(input.shape, other.shape)
        except ValueError:
            shape = input.shape  # (_cross names the shapes that do not broadcast)
        sizes = [d for d, n in enumerate(shape) if n == 3]
        if not sizes:
            raise RuntimeError(f"cross: no dimension of size 3 in input of shape {input.shape}")
        warnings.warn("Using mg.cross without specifying the dim arg is deprecated (as in PyTorch): "
                      "pass dim explicitly or use mg.linalg.cross", UserWarning, stacklevel=2)
        dim = sizes[0]
    return _cross("cross", input, other, dim)


@op("cross", method=False, torch=False, linalg=True)
def linalg_cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim`` (default -1), the operands broadcasting."""
    return _cross("linalg.cross", input, other, dim)


@op("vecdot", method=False, torch=False, linalg=True)
def vecdot(x, y, *, dim=-1):
    """Sums of products along ``dim``, the operands broadcasting: ``(x * y).sum(dim)``."""
    check_tensor("linalg.vecdot", x, "x")
    check_tensor("linalg.vecdot", y, "y")
    if x.dtype.kind != "f":
        raise RuntimeError(f"linalg.vecdot: Expected a floating point tensor as input. Got "
                           f"{type_name(x.dtype)}")
    _same_dtype("linalg.vecdot", x, y)
    return (x * y).sum(dim)


@op("multi_dot", method=False, torch=False, linalg=True)
def multi_dot(tensors):
    """``tensors[0] @ tensors[1] @ ...``: the first may be a vector (a row), the last a vector
    (a column), the others matrices."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"linalg.multi_dot: expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        check_tensor("linalg.multi_dot", t, f"tensors[{i}]")
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            raise RuntimeError(f"linalg.multi_dot: tensor {i} must be "
                               f"{'1D or 2D' if len(allowed) == 2 else '2D'} but got {t.ndim}D")
    _same_dtype("linalg.multi_dot", *tensors)
    result = tensors[0]
    for t in tensors[1:]:
        result = matmul(result, t)
    return result
