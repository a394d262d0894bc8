"""Inverses and determinants: ``linalg.inv``, ``linalg.det``, ``linalg.slogdet``, ``logdet``,
``linalg.solve`` and ``linalg.matrix_power``, on matrices and batches of matrices.

Each primitive's backward is written with the ops themselves (``inv``, ``solve``, ``@``), so a
``create_graph=True`` backward records it and second-order gradients follow.
"""
from __future__ import annotations

from collections import namedtuple

from ..backend import xp
from ..engine import Function, is_tensor, new_constant
from .elementwise import where
from .registry import op


class LinAlgError(RuntimeError):
    """PyTorch's ``torch.linalg.LinAlgError``: a matrix the op cannot factorise (singular)."""


def type_name(dtype) -> str:
    return xp.dtype(dtype).name


def check_tensor(op_name: str, x, what: str = "input"):
    if not is_tensor(x):
        raise TypeError(f"{op_name}(): argument '{what}' must be Tensor, not {type(x).__name__}")
    return x


def check_matrices(op_name: str, A, square: bool = True, floating: bool = True, what: str = "A"):
    """``A`` is a Tensor of (batches of) matrices: PyTorch's checks and RuntimeError texts."""
    check_tensor(op_name, A, what)
    if A.ndim < 2:
        raise RuntimeError(f"{op_name}: The input tensor {what} must have at least 2 dimensions, "
                           f"got shape {A.shape}")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op_name}: {what} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")
    if floating and A.dtype.kind != "f":
        raise RuntimeError(f"{op_name}: Expected a floating point tensor as input. Got "
                           f"{type_name(A.dtype)}; convert it first, e.g. A.double()")
    return A


def _singular(op_name: str, a) -> LinAlgError:
    return LinAlgError(
        f"{op_name}: the input matrix (shape {tuple(a.shape)}) is singular: its LU factorisation met "
        "a zero pivot, so the operation could not be completed. Check for rows that are linear "
        "combinations of others, or add a small multiple of the identity (A + eps * I)."
    )


def _inv(a):
    """The inverse of an array or a Tensor (a Tensor's is recorded)."""
    return Inverse.apply(a) if is_tensor(a) else Inverse().forward(a)


def _column(x):
    """``x`` shaped (..., 1, 1), to scale a batch of matrices by one number per matrix."""
    return x.reshape(tuple(x.shape) + (1, 1))


class Inverse(Function):
    __slots__ = ()
    name = "linalg.inv"
    caption = "grad_A = -A⁻ᵀ @ grad_out @ A⁻ᵀ"
    reads = (-1,)

    def forward(self, a):
        try:
            return xp.linalg.inv(a)
        except xp.linalg.LinAlgError:
            raise _singular("linalg.inv", a) from None

    def backward(self, grad, inputs, output):
        # d(A⁻¹) = -A⁻¹ dA A⁻¹  =>  grad_A = -(A⁻¹)ᵀ grad (A⁻¹)ᵀ
        inverse_t = output.mT
        return (-(inverse_t @ grad @ inverse_t),)


def _cofactors(a):
    """The cofactor matrix (det(A) A⁻ᵀ, but finite for singular A too), from the SVD:
    A = U S Vᵀ  =>  cof(A) = det(U) det(Vᵀ) U diag(prod_{j != i} s_j) Vᵀ."""
    u, s, vh = xp.linalg.svd(a)
    ones = xp.ones(s.shape[:-1] + (1,), dtype=s.dtype)
    before = xp.cumprod(xp.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(s[..., 1:], -1)], axis=-1), axis=-1), -1)
    others = before * after  # the product of every singular value but the i-th, without dividing
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    return _column(sign) * ((u * others[..., None, :]) @ vh)


class Det(Function):
    __slots__ = ()
    name = "linalg.det"
    caption = "grad_A = grad_out · det(A) · A⁻ᵀ (the cofactor matrix)"
    reads = (0, -1)

    def forward(self, a):
        return xp.linalg.det(a)

    def backward(self, grad, inputs, output):
        (a,) = inputs
        if is_tensor(a):  # create_graph: recorded through inv (a singular A raises there)
            return (_column(grad * output) * _inv(a).mT,)
        return (_column(grad) * _cofactors(a),)


class LogAbsDet(Function):
    __slots__ = ()
    name = "linalg.slogdet"
    caption = "grad_A = grad_out · A⁻ᵀ"
    reads = (0,)

    def forward(self, a):
        return xp.linalg.slogdet(a)[1]

    def backward(self, grad, inputs, output):
        (a,) = inputs
        if is_tensor(a):
            return (_column(grad) * _inv(a).mT,)
        try:
            inverse_t = xp.linalg.inv(a).mT
        except xp.linalg.LinAlgError:  # singular: the cofactors over det(A) = 0, as inf (PyTorch's)
            with xp.errstate(divide="ignore", invalid="ignore"):
                inverse_t = _cofactors(a) / _column(xp.linalg.det(a))
        return (_column(grad) * inverse_t,)


slogdet_result = namedtuple("slogdet", ["sign", "logabsdet"])


@op("inv", method=False, torch=False, linalg=True)
def inv(A):
    """The inverse of a square matrix (or of each in a batch); a singular one raises
    :class:`LinAlgError`."""
    return Inverse.apply(check_matrices("linalg.inv", A))


@op("inverse")
def inverse(input):
    """``torch.inverse``: :func:`inv` under its older name."""
    return Inverse.apply(check_matrices("inverse", input, what="input"))


@op("det", linalg=True)
def det(A):
    """The determinant of a square matrix (or of each in a batch); 0 for a singular one, whose
    gradient is then its cofactor matrix."""
    return Det.apply(check_matrices("linalg.det", A))


@op("slogdet", linalg=True)
def slogdet(A):
    """``(sign, logabsdet)``: the sign of det(A) (0 when singular) and log|det(A)|, computed
    without forming det(A) (no overflow for large matrices)."""
    check_matrices("linalg.slogdet", A)
    sign = new_constant(xp.linalg.slogdet(A.data)[0].astype(A.dtype))
    if A.requires_grad:  # PyTorch's sign requires grad too, with a zero gradient
        sign = where(new_constant(xp.zeros(A.shape, dtype=bool)), A, 0.0).sum((-2, -1)) + sign
    return slogdet_result(sign, LogAbsDet.apply(A))


@op("logdet")
def logdet(input):
    """log(det(A)): nan when det(A) < 0, -inf when A is singular."""
    sign, logabsdet = slogdet(check_matrices("logdet", input, what="input"))
    with xp.errstate(divide="ignore", invalid="ignore"):
        return logabsdet + new_constant(xp.log(sign.data))


class Solve(Function):
    __slots__ = ()
    name = "linalg.solve"
    caption = "grad_B = solve(Aᵀ, grad_out), grad_A = -grad_B @ Xᵀ"
    reads = (0, -1)

    def forward(self, a, b):
        try:
            return xp.linalg.solve(a, b)
        except xp.linalg.LinAlgError:
            raise _singular("linalg.solve", a) from None

    def backward(self, grad, inputs, output):
        # A X = B  =>  grad_B = A⁻ᵀ grad,  grad_A = -grad_B Xᵀ
        a = inputs[0]
        grad_b = Solve.apply(a.mT, grad) if is_tensor(grad) else self.forward(a.mT, grad)
        grad_a = -(grad_b @ output.mT) if self.parents[0] is not None else None
        return grad_a, grad_b


@op("solve", method=False, torch=False, linalg=True)
def solve(A, B, *, left=True):
    """X with ``A @ X = B`` (``X @ A = B`` when ``left=False``), without forming A⁻¹.  B is a
    vector (or batch of vectors) when it is 1-D or has the shape of A without its last dimension;
    the batch dimensions broadcast."""
    check_matrices("linalg.solve", A)
    check_tensor("linalg.solve", B, "B")
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of "
                           f"type {type_name(A.dtype)} and B of type {type_name(B.dtype)} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if not left:  # X A = B  <=>  Aᵀ Xᵀ = Bᵀ
        A, B = A.mT, (B if vector else B.mT)
    matrix_b = B.unsqueeze(-1) if vector else B
    if matrix_b.ndim < 2 or matrix_b.shape[-2] != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"(A of shape {A.shape}, B of shape {B.shape}): B needs {A.shape[-1]} rows")
    try:
        batch = xp.broadcast_shapes(A.shape[:-2], matrix_b.shape[:-2])
    except ValueError:
        raise RuntimeError(f"linalg.solve: the batch dimensions of A {A.shape[:-2]} and B "
                           f"{matrix_b.shape[:-2]} do not broadcast") from None
    A = A if A.shape[:-2] == batch else A.broadcast_to(batch + A.shape[-2:])
    if matrix_b.shape[:-2] != batch:
        matrix_b = matrix_b.broadcast_to(batch + matrix_b.shape[-2:])
    X = Solve.apply(A, matrix_b)
    if vector:
        return X.squeeze(-1)
    return X if left else X.mT


@op("matrix_power", linalg=True)
def matrix_power(A, n):
    """A multiplied by itself ``n`` times (A⁰ is the identity, A⁻ⁿ the inverse's power), by
    repeated squaring: about log2(n) products."""
    check_matrices("linalg.matrix_power", A, floating=n < 0)
    if isinstance(n, bool) or not isinstance(n, (int, xp.integer)):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {n!r}")
    if n < 0:
        A, n = inv(A), -n
    result = None
    while n:
        if n & 1:
            result = A if result is None else result @ A
        n >>= 1
        if n:
            A = A @ A
    if result is None:  # n == 0: the identity, still connected to A (its gradient is zero)
        identity = xp.broadcast_to(xp.eye(A.shape[-1], dtype=A.dtype), A.shape)
        return where(new_constant(xp.zeros(A.shape, dtype=bool)), A, new_constant(identity))
    return result
