"""Arithmetic: ``+ - * / **`` and negation, with numpy's broadcasting, and the comparisons.

Binary ops broadcast as numpy does; their backward sums the gradient back to each input's shape
(``unbroadcast``).  A Python scalar operand stays a Python scalar, so numpy keeps the tensor's
dtype (a float32 graph stays float32).
"""
from __future__ import annotations

import math

from ..autograd import Function, new_constant
from ..backend import default_float, float64, xp
from .array_or_tensor import log, operand, raw, unbroadcast
from .registry import op

_FLOAT64 = xp.dtype(float64)  # dtypes are singletons: ``is`` is the cheap test on the hot path


def _float_result(out, a, b):
    """For a float64 result: int / int (or int * 2.5) gives float32 in PyTorch, float64 in numpy;
    follow PyTorch unless an operand really was float64."""
    if getattr(a, "dtype", None) != float64 and getattr(b, "dtype", None) != float64:
        return out.astype(default_float)
    return out


class Add(Function):
    __slots__ = ()
    name = "add"
    caption = "grad_a = grad_out, grad_b = grad_out (summed over broadcast dims)"

    def forward(self, a, b):
        out = a + b
        return _float_result(out, a, b) if out.dtype is _FLOAT64 else out

    def backward(self, grad, inputs, output):  # d(a+b)/da = d(a+b)/db = 1
        a, b = inputs
        pa, pb = self.parents
        return (unbroadcast(grad, a.shape) if pa is not None else None,
                unbroadcast(grad, b.shape) if pb is not None else None)


class Sub(Function):
    __slots__ = ()
    name = "sub"
    caption = "grad_a = grad_out, grad_b = -grad_out"

    def forward(self, a, b):
        out = a - b
        return _float_result(out, a, b) if out.dtype is _FLOAT64 else out

    def backward(self, grad, inputs, output):  # d(a-b)/da = 1, d(a-b)/db = -1
        a, b = inputs
        pa, pb = self.parents
        return (unbroadcast(grad, a.shape) if pa is not None else None,
                unbroadcast(-grad, b.shape) if pb is not None else None)


class Mul(Function):
    __slots__ = ()
    name = "mul"
    caption = "grad_a = grad_out * b, grad_b = grad_out * a"

    def forward(self, a, b):
        out = a * b
        return _float_result(out, a, b) if out.dtype is _FLOAT64 else out

    def backward(self, grad, inputs, output):  # d(ab)/da = b, d(ab)/db = a
        a, b = inputs
        pa, pb = self.parents
        return (unbroadcast(grad * b, a.shape) if pa is not None else None,
                unbroadcast(grad * a, b.shape) if pb is not None else None)


class Div(Function):
    __slots__ = ()
    name = "div"
    caption = "grad_a = grad_out / b, grad_b = -grad_out * a / b²"

    def forward(self, a, b):
        out = a / b
        return _float_result(out, a, b) if out.dtype is _FLOAT64 else out

    def backward(self, grad, inputs, output):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -out/b
        a, b = inputs
        pa, pb = self.parents
        return (unbroadcast(grad / b, a.shape) if pa is not None else None,
                unbroadcast(-grad * output / b, b.shape) if pb is not None else None)


class Neg(Function):
    __slots__ = ()
    name = "neg"
    caption = "grad_in = -grad_out"

    def forward(self, a):
        return -a

    def backward(self, grad, inputs, output):
        return (-grad,)


class Pow(Function):
    """``a ** b`` where either side may be a Python scalar (``x ** 2``, ``2 ** x``)."""

    __slots__ = ()
    name = "pow"
    caption = "grad_a = grad_out * b * a^(b-1), grad_b = grad_out * a^b * log(a)"

    def forward(self, a, b):
        out = a ** b
        return _float_result(out, a, b) if out.dtype is _FLOAT64 else out

    def backward(self, grad, inputs, output):
        a, b = inputs
        pa, pb = self.parents
        grad_a = grad_b = None
        if pa is not None:  # d(a^b)/da = b * a^(b-1), and 0 where b == 0 (as PyTorch, not 0 * inf)
            if isinstance(b, (int, float)):
                grad_a = grad * b * a ** (b - 1) if b != 0 else grad * 0
            else:  # where b == 0 the power is taken as a^0 = 1, so the product is 0, not nan
                grad_a = grad * b * a ** (b - (raw(b) != 0))
            grad_a = unbroadcast(grad_a, a.shape)
        if pb is not None:  # d(a^b)/db = a^b * log(a), and 0 where a == 0 and b >= 0 (PyTorch's)
            if isinstance(a, (int, float)):
                if a > 0:
                    log_a = math.log(a)
                elif a == 0:
                    log_a = xp.where(raw(b) >= 0, 0.0, -xp.inf).astype(raw(output).dtype)
                else:  # a negative base has no real log (nan, as PyTorch)
                    log_a = math.nan
            else:
                log_a = log(a + ((raw(a) == 0) & (raw(b) >= 0)))
            grad_b = unbroadcast(grad * output * log_a, b.shape)
        return grad_a, grad_b


# ---------------------------------------------------------------------------------------------
# The functions (the operators of Tensor call the classes directly: the hot path)
# ---------------------------------------------------------------------------------------------
@op("add")
def add(input, other, *, alpha=1):
    """``input + alpha * other``."""
    return Add.apply(operand(input), operand(other) if alpha == 1 else operand(other) * alpha)


@op("sub", aliases=("subtract",))
def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    return Sub.apply(operand(input), operand(other) if alpha == 1 else operand(other) * alpha)


@op("mul", aliases=("multiply",))
def mul(input, other):
    return Mul.apply(operand(input), operand(other))


@op("div", aliases=("divide", "true_divide"))
def div(input, other):
    return Div.apply(operand(input), operand(other))


@op("neg", aliases=("negative",))
def neg(input):
    return Neg.apply(input)


@op("pow")
def pow(input, exponent):
    """``input ** exponent``; either side may be a Python number."""
    return Pow.apply(operand(input), operand(exponent))


def _comparison(name: str, ufunc):
    def compare(input, other):
        """A boolean tensor, outside the graph (comparisons have no gradient)."""
        other = raw(operand(other))
        return new_constant(xp.asarray(ufunc(raw(operand(input)), other)))

    compare.__name__ = compare.__qualname__ = name
    return op(name)(compare)


eq = _comparison("eq", xp.equal)
ne = _comparison("ne", xp.not_equal)
lt = _comparison("lt", xp.less)
le = _comparison("le", xp.less_equal)
gt = _comparison("gt", xp.greater)
ge = _comparison("ge", xp.greater_equal)
