"""Matrix products: ``a @ b`` with numpy's 1-D and batched rules, and the fused linear layer."""
from __future__ import annotations

from ..backend import xp
from ..engine import Function
from .array_or_tensor import operand, unbroadcast
from .registry import op


def _same_dtype(op_name: str, a, b) -> None:
    """A matrix product does not promote (PyTorch refuses int @ float and float32 @ float64)."""
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{op_name}: expected both operands to have the same dtype, but got {a.dtype} (shape "
            f"{a.shape}) and {b.dtype} (shape {b.shape}); convert one first, e.g. x.float() or "
            f"x.to(w.dtype)"
        )


class MatMul(Function):
    __slots__ = ()
    name = "matmul"
    caption = "grad_A = grad_out @ Bᵀ, grad_B = Aᵀ @ grad_out"

    @property
    def reads(self):  # dA reads B, dB reads A
        pa, pb = self.parents
        return ((1,) if pa is not None else ()) + ((0,) if pb is not None else ())

    def forward(self, a, b):
        if a.dtype != b.dtype:
            _same_dtype("matmul", a, b)
        try:
            return a @ b
        except ValueError:  # numpy's text: say it as PyTorch does (the checks run only now)
            _check_matmul(a.shape, b.shape)
            raise

    def backward(self, grad, inputs, output):
        # C = A B  =>  dA = dC B^T,  dB = A^T dC ; 1-D operands are promoted to matrices first.
        a, b = inputs
        pa, pb = self.parents
        if a.ndim == 1 and b.ndim == 1:  # a dot product
            return (grad * b if pa is not None else None, grad * a if pb is not None else None)
        a2 = a.reshape((1,) + a.shape) if a.ndim == 1 else a
        b2 = b.reshape(b.shape + (1,)) if b.ndim == 1 else b
        if a.ndim == 1:  # the result lost the row dimension: put it back
            grad = grad.reshape(grad.shape[:-1] + (1, grad.shape[-1]))
        elif b.ndim == 1:  # the result lost the column dimension
            grad = grad.reshape(grad.shape + (1,))
        grad_a = grad_b = None
        if pa is not None:
            grad_a = unbroadcast(grad @ b2.mT, a2.shape)
            if a.ndim == 1:
                grad_a = grad_a.reshape(a.shape)
        if pb is not None:
            grad_b = unbroadcast(a2.mT @ grad, b2.shape)
            if b.ndim == 1:
                grad_b = grad_b.reshape(b.shape)
        return grad_a, grad_b


def _check_matmul(shape_a: tuple, shape_b: tuple) -> None:
    """PyTorch's matmul rules, with its RuntimeError: inner sizes equal, batches that broadcast."""
    if not shape_a or not shape_b:
        raise RuntimeError(f"matmul: both operands need at least 1 dimension, got shapes "
                           f"{shape_a} and {shape_b}")
    inner_b = shape_b[0 if len(shape_b) == 1 else -2]
    if shape_a[-1] != inner_b:
        raise RuntimeError(
            f"matmul: shapes {shape_a} and {shape_b} do not match: the last dimension of the first "
            f"({shape_a[-1]}) must equal the {'only' if len(shape_b) == 1 else 'second-to-last'} "
            f"dimension of the second ({inner_b})")
    batch_a, batch_b = shape_a[:-2], shape_b[:-2]
    try:
        xp.broadcast_shapes(batch_a, batch_b)
    except ValueError:
        raise RuntimeError(f"matmul: shapes {shape_a} and {shape_b} do not match: their batch "
                           f"dimensions {batch_a} and {batch_b} do not broadcast (each must be "
                           "equal or 1, counted from the last)") from None


class Linear(Function):
    """``x @ weight.T + bias`` as one node (PyTorch's layout: weight is (out, in))."""

    __slots__ = ()
    name = "linear"
    caption = "grad_x = grad_out @ W, grad_W = grad_outᵀ @ x, grad_b = grad_out summed over the batch"

    @property
    def reads(self):  # dx reads W, dW reads x, db reads nothing
        parents = self.parents
        return ((1,) if parents[0] is not None else ()) + ((0,) if parents[1] is not None else ())

    def forward(self, x, weight, bias=None):
        _same_dtype("linear", x, weight)
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise RuntimeError(
                f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape} "
                f"(the input's last dimension must equal weight.shape[1] = "
                f"{weight.shape[1] if weight.ndim == 2 else '?'})"
            )
        if bias is not None and bias.shape != (weight.shape[0],):
            raise RuntimeError(f"linear: bias of shape {bias.shape} does not fit weight of shape "
                               f"{weight.shape} (expected ({weight.shape[0]},))")
        out = x @ weight.T
        return out + bias if bias is not None else out

    def backward(self, grad, inputs, output):
        # y = x W^T + b  =>  dx = dy W,  dW = dy^T x,  db = sum of dy over the batch
        x, weight = inputs[0], inputs[1]
        parents = self.parents
        grad_x = grad @ weight if parents[0] is not None else None
        # The batch as rows (x may be (in,), (N, in) or (..., in)): dW and db sum over them.
        rows_x = x.reshape((-1, x.shape[-1]))
        rows_grad = grad.reshape((-1, grad.shape[-1]))
        grad_w = grad_b = None
        if parents[1] is not None:
            grad_w = rows_grad.mT @ rows_x
        if len(parents) == 3 and parents[2] is not None:
            grad_b = rows_grad.sum(axis=0)
        return (grad_x, grad_w, grad_b) if len(parents) == 3 else (grad_x, grad_w)


@op("matmul", linalg=True)
def matmul(input, other):
    """The matrix product with numpy's rules: 1-D operands are vectors, more dimensions are
    batches that broadcast."""
    return MatMul.apply(operand(input), operand(other))


@op("linear", method=False, torch=False, functional=True)
def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` as one op (weight shaped (out_features, in_features))."""
    if bias is None:
        return Linear.apply(input, weight)
    return Linear.apply(input, weight, bias)
