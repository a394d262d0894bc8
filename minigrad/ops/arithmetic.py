"""Arithmetic: ``+ - * / **`` and negation, with numpy's broadcasting, and the comparisons.

Binary ops broadcast as numpy does; their backward sums the gradient back to each input's shape
(``unbroadcast``).  A Python scalar operand stays a Python scalar, so numpy keeps the tensor's
dtype (a float32 graph stays float32).
"""
from __future__ import annotations

import math

from ..backend import ndarray, xp
from ..engine import Function, new_constant
from .array_or_tensor import broadcast_error, log, operand, raw, unbroadcast
from .promotion import cast_operands, floating, result_type
from .registry import op


class Binary(Function):
    """``a (op) b`` with numpy's broadcasting, either side possibly a Python scalar.

    A subclass gives ``compute(a, b)`` and the two partial products ``grad_a`` and ``grad_b``
    (each as ``(grad, a, b, out) -> gradient``); this class sums each gradient back to its
    input's shape (``unbroadcast``), computes it only for an input that needs it, and gives the
    result PyTorch's dtype (``promotion.result_type``) where numpy's differs (int * 2.5,
    float32 * a 0-d float64, int / int).
    """

    __slots__ = ()
    grad_a_reads: tuple = ()  # what each partial product reads: 0 = a, 1 = b, -1 = the output
    grad_b_reads: tuple = ()

    @property
    def reads(self):
        pa, pb = self.parents
        return (self.grad_a_reads if pa is not None else ()) + (self.grad_b_reads if pb is not None else ())

    true_division = False  # the result is floating even for integer operands

    def forward(self, a, b):
        try:
            out = self.compute(a, b)
        except ValueError:  # (numpy's only ValueError here: shapes that do not broadcast)
            raise broadcast_error(self.name, a, b) from None
        # The common case costs two tests: no operand was promoted, so numpy agrees with PyTorch.
        if (a.__class__ is not ndarray or out.dtype is a.dtype) and \
                (b.__class__ is not ndarray or out.dtype is b.dtype) and not self.true_division:
            return out
        dtype = result_type(a, b)
        if self.true_division:
            dtype = floating(dtype)
        return out if out.dtype == dtype else self.compute(*cast_operands((a, b), dtype))

    def backward(self, grad, inputs, output):
        a, b = inputs
        pa, pb = self.parents
        return (unbroadcast(self.grad_a(grad, a, b, output), a.shape) if pa is not None else None,
                unbroadcast(self.grad_b(grad, a, b, output), b.shape) if pb is not None else None)


class Add(Binary):
    __slots__ = ()
    name = "add"
    caption = "grad_a = grad_out, grad_b = grad_out (summed over broadcast dims)"
    compute = staticmethod(xp.add)

    def grad_a(self, grad, a, b, out):  # d(a+b)/da = 1
        return grad

    def grad_b(self, grad, a, b, out):  # d(a+b)/db = 1
        return grad


class Sub(Binary):
    __slots__ = ()
    name = "sub"
    caption = "grad_a = grad_out, grad_b = -grad_out"
    compute = staticmethod(xp.subtract)

    def grad_a(self, grad, a, b, out):  # d(a-b)/da = 1
        return grad

    def grad_b(self, grad, a, b, out):  # d(a-b)/db = -1
        return -grad


class Mul(Binary):
    __slots__ = ()
    name = "mul"
    caption = "grad_a = grad_out * b, grad_b = grad_out * a"
    compute = staticmethod(xp.multiply)
    grad_a_reads, grad_b_reads = (1,), (0,)

    def grad_a(self, grad, a, b, out):  # d(ab)/da = b
        return grad * b

    def grad_b(self, grad, a, b, out):  # d(ab)/db = a
        return grad * a


class Div(Binary):
    __slots__ = ()
    name = "div"
    caption = "grad_a = grad_out / b, grad_b = -grad_out * a / b²"
    compute = staticmethod(xp.true_divide)
    true_division = True
    grad_a_reads, grad_b_reads = (1,), (0, 1)

    def grad_a(self, grad, a, b, out):  # d(a/b)/da = 1/b
        return grad / b

    def grad_b(self, grad, a, b, out):  # d(a/b)/db = -a/b^2
        return -grad * a / (b * b)


class Neg(Function):
    __slots__ = ()
    name = "neg"
    caption = "grad_in = -grad_out"
    reads = ()

    def forward(self, a):
        return -a

    def backward(self, grad, inputs, output):
        return (-grad,)


class Pow(Binary):
    """``a ** b`` where either side may be a Python scalar (``x ** 2``, ``2 ** x``)."""

    __slots__ = ()
    name = "pow"
    caption = "grad_a = grad_out * b * a^(b-1), grad_b = grad_out * a^b * log(a)"
    compute = staticmethod(xp.power)
    grad_a_reads, grad_b_reads = (0, 1), (0, 1, -1)

    def grad_a(self, grad, a, b, out):  # d(a^b)/da = b * a^(b-1), and 0 where b == 0 (PyTorch's)
        if isinstance(b, (int, float)):
            return grad * b * a ** (b - 1) if b != 0 else grad * 0
        return grad * b * a ** (b - (raw(b) != 0))  # where b == 0: b * a^0 = 0, not 0 * inf

    def grad_b(self, grad, a, b, out):  # d(a^b)/db = a^b * log(a), and 0 where a == 0 and b >= 0
        if not isinstance(a, (int, float)):
            return grad * out * log(a + ((raw(a) == 0) & (raw(b) >= 0)))
        if a > 0:
            log_a = math.log(a)
        elif a == 0:
            log_a = xp.where(raw(b) >= 0, 0.0, -xp.inf).astype(raw(out).dtype)
        else:  # a negative base has no real log (nan, as PyTorch)
            log_a = math.nan
        return grad * out * log_a


# ---------------------------------------------------------------------------------------------
# The functions (the operators of Tensor call the classes directly: the hot path)
# ---------------------------------------------------------------------------------------------
@op("add", inplace=True)
def add(input, other, *, alpha=1):
    """``input + alpha * other``."""
    return Add.apply(operand(input), operand(other) if alpha == 1 else operand(other) * alpha)


@op("sub", aliases=("subtract",), inplace=True)
def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    return Sub.apply(operand(input), operand(other) if alpha == 1 else operand(other) * alpha)


@op("mul", aliases=("multiply",), inplace=True)
def mul(input, other):
    return Mul.apply(operand(input), operand(other))


@op("div", aliases=("divide", "true_divide"), inplace=True)
def div(input, other):
    return Div.apply(operand(input), operand(other))


@op("neg", aliases=("negative",), inplace=True)
def neg(input):
    return Neg.apply(input)


@op("pow", inplace=True)
def pow(input, exponent):
    """``input ** exponent``; either side may be a Python number."""
    return Pow.apply(operand(input), operand(exponent))


def _comparison(name: str, ufunc):
    def compare(input, other):
        """A boolean tensor, outside the graph (comparisons have no gradient); the operands are
        compared in the dtype PyTorch promotes them to."""
        a, b = raw(operand(input)), raw(operand(other))
        a, b = cast_operands((a, b), result_type(a, b))
        try:
            return new_constant(xp.asarray(ufunc(a, b)))
        except ValueError:
            raise broadcast_error(name, a, b) from None

    compare.__name__ = compare.__qualname__ = name
    return op(name)(compare)


eq = _comparison("eq", xp.equal)
ne = _comparison("ne", xp.not_equal)
lt = _comparison("lt", xp.less)
le = _comparison("le", xp.less_equal)
gt = _comparison("gt", xp.greater)
ge = _comparison("ge", xp.greater_equal)
