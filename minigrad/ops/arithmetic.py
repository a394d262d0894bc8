"""Arithmetic: ``+ - * / **`` and negation, with numpy's broadcasting, and the comparisons.

Binary ops broadcast as numpy does; their backward sums the gradient back to each input's shape
(``unbroadcast``).  A Python scalar operand stays a Python scalar, so numpy keeps the tensor's
dtype (a float32 graph stays float32).
"""
from __future__ import annotations

import math

from ..backend import ndarray, xp
from ..engine import Function, is_tensor, new_constant
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

    def forward(self, a, b):
        if _is_bool(a) and _is_bool(b):
            raise RuntimeError("sub: subtraction, the `-` operator, with two bool tensors is not "
                               "supported; use the `^` operator or logical_xor() instead")
        return super().forward(a, b)

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
        if a.dtype.kind == "b":
            raise RuntimeError("neg: negation, the `-` operator, on a bool tensor is not supported; "
                               "to invert a mask, use the `~` operator or logical_not()")
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

    def forward(self, a, b):
        if _is_integral(a) and _is_integral(b):  # (two tests on the hot path, x ** 2)
            return _integer_power(a, b, super().forward)
        return super().forward(a, b)

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
# Rounded division and remainders: ``//`` ``%``, div(rounding_mode=), fmod
# ---------------------------------------------------------------------------------------------
class IntegerDivision(Binary):
    """The base of the rounded divisions and remainders: integer operands give integers (as
    PyTorch), an integer divided by zero raises PyTorch's RuntimeError (numpy would give 0 with
    a warning), bool operands are refused (NotImplementedError, as PyTorch)."""

    __slots__ = ()

    def forward(self, a, b):
        dtype = result_type(a, b)
        if dtype.kind == "b":
            raise NotImplementedError(f"{self.name}: not implemented for bool tensors; convert them "
                                      "first, e.g. x.long()")
        if dtype.kind in "iu" and not xp.all(xp.asarray(b) != 0):
            raise RuntimeError(f"{self.name}: ZeroDivisionError: an integer divided by zero (the "
                               f"divisor, of shape {tuple(xp.shape(b))}, holds a 0); divide floats "
                               "(x.float()) to get inf or nan instead")
        with xp.errstate(divide="ignore", invalid="ignore"):  # floats: inf and nan, as PyTorch
            return super().forward(a, b)


def zero_gradient(grad):
    """The gradient of a piecewise constant function: zeros shaped as ``grad`` (``grad * 0``
    would turn an inf of ``grad`` into nan)."""
    return new_constant(xp.zeros_like(grad.data)) if is_tensor(grad) else xp.zeros_like(grad)


def _trunc_divide(a, b):
    quotient = xp.floor_divide(a, b)
    if quotient.dtype.kind == "f":
        return xp.trunc(xp.true_divide(a, b))
    # integers: floor and trunc differ by one where the quotient is negative and inexact
    return quotient + ((quotient < 0) & (xp.remainder(a, b) != 0))


class RoundedDiv(IntegerDivision):
    """``div(a, b, rounding_mode='trunc' | 'floor')``: the quotient rounded toward zero or down."""

    __slots__ = ("rounding_mode",)
    name = "div_rounded"
    caption = "grad_a = grad_b = 0: a rounded quotient is piecewise constant (PyTorch's zero gradient)"

    def __init__(self, rounding_mode: str):
        self.rounding_mode = rounding_mode

    def options(self):
        return {"rounding_mode": self.rounding_mode}

    def compute(self, a, b):
        return xp.floor_divide(a, b) if self.rounding_mode == "floor" else _trunc_divide(a, b)

    def grad_a(self, grad, a, b, out):
        return zero_gradient(grad)

    grad_b = grad_a


class FloorDivide(IntegerDivision):
    """``a // b``: the quotient rounded down (Python's and PyTorch's ``//``)."""

    __slots__ = ()
    name = "floor_divide"
    caption = "no derivative (PyTorch defines none; div(a, b, rounding_mode='floor') has a zero one)"
    compute = staticmethod(xp.floor_divide)

    def grad_a(self, grad, a, b, out):
        raise RuntimeError("floor_divide (//): the derivative for 'floor_divide' is not implemented "
                           "(as in PyTorch); use mg.div(a, b, rounding_mode='floor'), whose gradient "
                           "is zero, or detach() the quotient")

    grad_b = grad_a


class Remainder(IntegerDivision):
    """``a % b``: ``a - b * floor(a / b)``, with the sign of ``b`` (Python's and PyTorch's ``%``)."""

    __slots__ = ()
    name = "remainder"
    caption = "grad_a = grad_out, grad_b = -grad_out * floor(a / b)"
    compute = staticmethod(xp.remainder)
    grad_b_reads = (0, 1)

    def grad_a(self, grad, a, b, out):  # d/da (a - b floor(a/b)) = 1 (floor is piecewise constant)
        return grad

    def grad_b(self, grad, a, b, out):  # d/db (a - b floor(a/b)) = -floor(a/b)
        return -grad * xp.floor_divide(raw(a), raw(b))


class Fmod(IntegerDivision):
    """``fmod(a, b)``: ``a - b * trunc(a / b)``, with the sign of ``a`` (C's fmod)."""

    __slots__ = ()
    name = "fmod"
    caption = "grad_a = grad_out, grad_b = -grad_out * trunc(a / b)"
    compute = staticmethod(xp.fmod)
    grad_b_reads = (0, 1)

    def grad_a(self, grad, a, b, out):  # d/da (a - b trunc(a/b)) = 1
        return grad

    def grad_b(self, grad, a, b, out):  # d/db (a - b trunc(a/b)) = -trunc(a/b)
        return -grad * _trunc_divide(raw(a), raw(b))


def _is_integral(x) -> bool:
    return x.dtype.kind in "biu" if isinstance(x, ndarray) else type(x) in (int, bool)


def _is_bool(x) -> bool:
    return x.dtype.kind == "b" if isinstance(x, ndarray) else type(x) is bool


def _integer_power(a, b, power):
    """``a ** b`` on integers, as PyTorch: a negative Python exponent raises; a negative
    exponent in a tensor gives 1 for a base of 1, ±1 for -1 and 0 otherwise (numpy raises)."""
    if type(b) is int and b < 0:
        raise RuntimeError(f"pow: integers to negative integer powers are not allowed (exponent {b}); "
                           f"make the base floating first, e.g. x.float() ** {b}")
    dtype = result_type(a, b)
    a, b = cast_operands((a, b), dtype)
    negative = xp.asarray(b) < 0
    if not negative.any():
        return power(a, b)
    try:
        shape = xp.broadcast_shapes(xp.shape(a), xp.shape(b))
    except ValueError:
        raise broadcast_error("pow", a, b) from None
    base = xp.broadcast_to(a, shape)
    out = xp.power(base, xp.where(negative, 0, b)).astype(dtype)
    one_over = xp.where(base == 1, 1, xp.where(base == -1, 1 - 2 * (xp.abs(b) % 2), 0)).astype(dtype)
    return xp.where(negative, one_over, out)


# ---------------------------------------------------------------------------------------------
# The functions (the operators of Tensor call the classes directly: the hot path)
# ---------------------------------------------------------------------------------------------
@op("add", inplace=True)
def add(input, other, *, alpha=1):
    """``input + alpha * other``."""
    return Add.apply(operand(input), _times_alpha("add", input, other, alpha))


@op("sub", aliases=("subtract",), inplace=True)
def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    return Sub.apply(operand(input), _times_alpha("sub", input, other, alpha))


@op("rsub", method=False)
def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (PyTorch's ``torch.rsub``; no Tensor method, as in PyTorch)."""
    return Sub.apply(operand(other), _times_alpha("rsub", other, input, alpha))


def _times_alpha(name: str, input, other, alpha):
    """``alpha * other``, refusing PyTorch's refusals: a float alpha for integer tensors, a bool
    alpha for a result that is not bool."""
    other = operand(other)
    if alpha.__class__ is int and alpha == 1:  # the common case: no check, no multiplication
        return other
    dtype = result_type(raw(operand(input)), raw(other))
    if isinstance(alpha, bool) and dtype.kind != "b":
        raise RuntimeError(f"{name}: a bool alpha ({alpha}) is only supported for bool results, "
                           f"this one is {dtype}; pass alpha=1 or alpha=0")
    if isinstance(alpha, float) and dtype.kind in "biu":
        raise RuntimeError(f"{name}: for integral input tensors ({dtype}), argument alpha must not "
                           f"be a floating point number (got {alpha}); convert the tensors first, "
                           "e.g. x.float()")
    return other * alpha


@op("mul", aliases=("multiply",), inplace=True)
def mul(input, other):
    return Mul.apply(operand(input), operand(other))


@op("div", aliases=("divide", "true_divide"), inplace=True)
def div(input, other, *, rounding_mode=None):
    """``input / other``: true division (floating for integers too) when ``rounding_mode`` is
    None; ``'trunc'`` rounds the quotient toward zero, ``'floor'`` down (integers then stay
    integers, and their gradient is zero).

    >>> import minigrad as mg
    >>> mg.div(mg.tensor([-7, 7]), 2, rounding_mode="trunc").tolist()
    [-3, 3]
    """
    if rounding_mode is None:
        return Div.apply(operand(input), operand(other))
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                           f"found {rounding_mode!r}")
    return RoundedDiv.apply(operand(input), operand(other), rounding_mode=rounding_mode)


@op("floor_divide", inplace=True)
def floor_divide(input, other):
    """``input // other``: the quotient rounded down (integers stay integers).  As in PyTorch it
    has no derivative: ``div(input, other, rounding_mode='floor')`` is the same with a zero one."""
    return FloorDivide.apply(operand(input), operand(other))


@op("remainder", inplace=True)
def remainder(input, other):
    """``input % other``: Python's modulus, with the sign of ``other``.

    >>> import minigrad as mg
    >>> mg.remainder(mg.tensor([-7, 7]), 3).tolist(), mg.fmod(mg.tensor([-7, 7]), 3).tolist()
    ([2, 1], [-1, 1])
    """
    return Remainder.apply(operand(input), operand(other))


@op("fmod", inplace=True)
def fmod(input, other):
    """C's ``fmod``: the remainder of the quotient rounded toward zero, with the sign of ``input``."""
    return Fmod.apply(operand(input), operand(other))


@op("neg", aliases=("negative",), inplace=True)
def neg(input):
    return Neg.apply(input)


@op("pow", inplace=True)
def pow(input, exponent):
    """``input ** exponent``; either side may be a Python number."""
    return Pow.apply(operand(input), operand(exponent))


class WrittenWithoutGradient(Function):
    """The node of an in-place op without a gradient on a tensor in a graph (``y.eq_(0)``): the
    tensor takes the op's values, 1s and 0s in its own dtype, and gets PyTorch's zero gradient."""

    __slots__ = ()
    name = "written_without_gradient"
    caption = "grad_in = 0 (the values written have no gradient)"
    reads = ()

    def forward(self, x, value):
        return value.astype(x.dtype)

    def backward(self, grad, inputs, output):
        return (zero_gradient(grad), None)


def _comparison(name: str, ufunc, alias: str):
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
    return op(name, aliases=(alias,) if alias else (), inplace=True)(compare)


eq = _comparison("eq", xp.equal, "")
ne = _comparison("ne", xp.not_equal, "not_equal")
lt = _comparison("lt", xp.less, "less")
le = _comparison("le", xp.less_equal, "less_equal")
gt = _comparison("gt", xp.greater, "greater")
ge = _comparison("ge", xp.greater_equal, "greater_equal")
