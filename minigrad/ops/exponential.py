"""Logarithms, exponentials, powers and the error functions beyond exp/log/sqrt/erf:
``log1p expm1 log2 log10 exp2 rsqrt reciprocal square erfc erfinv``, and the binary
``logaddexp2 hypot copysign xlogy``.

Primitives where composition would lose digits (``log1p(1e-10)`` is not ``log(1 + 1e-10)``,
``log10(1000)`` is not ``log(1000) / log(10)``, ``erfc(10)`` is not ``1 - erf(10)``) or time
(``exp2``, ``rsqrt``, ``reciprocal`` as compositions took 2.5-3x a fused op's time, forward and
backward, on (128, 256) float32); ``square = x * x`` is a composite (one multiplication).
"""
from __future__ import annotations

import math

from ..backend import int64, xp
from ..engine import is_tensor
from .arithmetic import Binary, Mul, zero_gradient
from .array_or_tensor import broadcast_error, exp, operand, raw, sigmoid
from .elementwise import FloatBinary, FloatUnary, where
from .promotion import floating, result_type
from .registry import op

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Log1p(FloatUnary):
    __slots__ = ()
    name = "log1p"
    caption = "grad_in = grad_out / (1 + x)"
    reads = (0,)
    compute = staticmethod(xp.log1p)

    def backward(self, grad, inputs, output):  # d/dx log(1 + x) = 1 / (1 + x)
        return (grad / (inputs[0] + 1),)


class Expm1(FloatUnary):
    __slots__ = ()
    name = "expm1"
    caption = "grad_in = grad_out * (expm1(x) + 1)"
    reads = (-1,)
    compute = staticmethod(xp.expm1)

    def backward(self, grad, inputs, output):  # d/dx (e^x - 1) = e^x = expm1(x) + 1
        return (grad * (output + 1),)


class Log2(FloatUnary):
    __slots__ = ()
    name = "log2"
    caption = "grad_in = grad_out / (x ln 2)"
    reads = (0,)
    compute = staticmethod(xp.log2)

    def backward(self, grad, inputs, output):  # d/dx log2 x = 1 / (x ln 2)
        return (grad / (inputs[0] * _LN2),)


def _log10(x):
    if x.dtype.itemsize < 8:  # numpy's float32 log10 misses log10(1000) = 3 by an ulp; rounded
        return xp.log10(x.astype(xp.float64)).astype(x.dtype)  # from float64 it is PyTorch's
    return xp.log10(x)


class Log10(FloatUnary):
    __slots__ = ()
    name = "log10"
    caption = "grad_in = grad_out / (x ln 10)"
    reads = (0,)
    compute = staticmethod(_log10)

    def backward(self, grad, inputs, output):  # d/dx log10 x = 1 / (x ln 10)
        return (grad / (inputs[0] * _LN10),)


class Exp2(FloatUnary):
    __slots__ = ()
    name = "exp2"
    caption = "grad_in = grad_out * 2^x ln 2"
    reads = (-1,)
    compute = staticmethod(xp.exp2)

    def backward(self, grad, inputs, output):  # d/dx 2^x = 2^x ln 2
        return (grad * output * _LN2,)


def _rsqrt(x):
    return xp.reciprocal(xp.sqrt(x))


class Rsqrt(FloatUnary):
    __slots__ = ()
    name = "rsqrt"
    caption = "grad_in = -grad_out / (2 x^(3/2))"
    reads = (-1,)
    compute = staticmethod(_rsqrt)

    def backward(self, grad, inputs, output):  # d/dx x^(-1/2) = -x^(-3/2) / 2 = -rsqrt(x)^3 / 2
        return (grad * output * output * output * -0.5,)


class Reciprocal(FloatUnary):
    __slots__ = ()
    name = "reciprocal"
    caption = "grad_in = -grad_out / x²"
    reads = (-1,)
    compute = staticmethod(xp.reciprocal)

    def backward(self, grad, inputs, output):  # d/dx 1/x = -1/x^2 = -(1/x)^2
        return (-grad * output * output,)


_erfc_elementwise = xp.frompyfunc(math.erfc, 1, 1)


def _erfc(x):
    return xp.asarray(_erfc_elementwise(x), dtype=x.dtype)


class Erfc(FloatUnary):
    __slots__ = ()
    name = "erfc"
    caption = "grad_in = -grad_out * 2/sqrt(pi) * exp(-x²)"
    reads = (0,)
    compute = staticmethod(_erfc)  # (math.erfc per element: exact to double precision)

    def backward(self, grad, inputs, output):  # d/dx (1 - erf x) = -2/sqrt(pi) e^(-x^2)
        x = inputs[0]
        return (grad * exp(-(x * x)) * -_TWO_OVER_SQRT_PI,)


def _erfinv(x):
    """The inverse of erf on (-1, 1) (±inf at ±1, nan outside): Winitzki's closed-form guess
    (relative error 2e-3), then Newton steps on erfc(|y|) = 1 - |x|, which keep their relative
    precision as |x| nears 1 (1 - |x| is exact there)."""
    x64 = x.astype(xp.float64)
    magnitude = xp.abs(x64)
    inside = magnitude < 1
    t = xp.where(inside, magnitude, 0.0)
    log_term = xp.log1p(-t * t)
    a = 0.147
    first = 2 / (math.pi * a) + log_term / 2
    y = xp.sqrt(xp.sqrt(first * first - log_term / a) - first)
    for _ in range(4):  # quadratic convergence: 2e-3 -> 4e-6 -> 2e-11 -> double precision
        residual = xp.asarray(_erfc_elementwise(y), dtype=xp.float64) - (1 - t)
        y = y + residual / (_TWO_OVER_SQRT_PI * xp.exp(-y * y))
    y = xp.where(inside, y, xp.where(magnitude == 1, xp.inf, xp.nan))
    return (xp.copysign(y, x64)).astype(x.dtype)


class Erfinv(FloatUnary):
    __slots__ = ()
    name = "erfinv"
    caption = "grad_in = grad_out * sqrt(pi)/2 * exp(erfinv(x)²)"
    reads = (-1,)
    compute = staticmethod(_erfinv)

    def backward(self, grad, inputs, output):  # d/dx erfinv x = sqrt(pi)/2 e^(erfinv(x)^2)
        return (grad * exp(output * output) / _TWO_OVER_SQRT_PI,)


class LogAddExp2(FloatBinary):
    __slots__ = ()
    name = "logaddexp2"
    caption = "grad_a = grad_out * sigmoid((a - b) ln 2), grad_b = grad_out * sigmoid((b - a) ln 2)"
    compute = staticmethod(xp.logaddexp2)
    grad_a_reads = grad_b_reads = (0, 1)

    def grad_a(self, grad, a, b, out):  # d/da log2(2^a + 2^b) = 2^a / (2^a + 2^b)
        return grad * sigmoid((a - b) * _LN2)

    def grad_b(self, grad, a, b, out):
        return grad * sigmoid((b - a) * _LN2)


class Hypot(FloatBinary):
    __slots__ = ()
    name = "hypot"
    caption = "grad_a = grad_out * a / hypot(a, b), grad_b = grad_out * b / hypot(a, b)"
    compute = staticmethod(xp.hypot)
    grad_a_reads = (0, -1)
    grad_b_reads = (1, -1)

    def grad_a(self, grad, a, b, out):  # d/da sqrt(a^2 + b^2) = a / sqrt(a^2 + b^2)
        return grad * a / out

    def grad_b(self, grad, a, b, out):
        return grad * b / out


class Copysign(Binary):
    """The magnitude of ``a`` with the sign of ``b`` (-0.0 counts as negative)."""

    __slots__ = ()
    name = "copysign"
    caption = "grad_a = grad_out * sign(a) * sign(b) (0 where a = 0), grad_b = 0"
    compute = staticmethod(xp.copysign)
    true_division = True  # floating for integer operands too
    grad_a_reads = (0, 1)

    def grad_a(self, grad, a, b, out):  # d/da |a| sign(b) = sign(a) sign(b), 0 at a = 0 (PyTorch's)
        dtype = raw(grad).dtype
        return grad * (xp.sign(raw(a)) * xp.copysign(xp.ones((), dtype), raw(b))).astype(dtype)

    def grad_b(self, grad, a, b, out):  # piecewise constant in b
        return zero_gradient(grad)


class Xlogy(Binary):
    """``x * log(y)``, and 0 where ``x == 0`` (even where ``log(y)`` is -inf), nan where y is."""

    __slots__ = ()
    name = "xlogy"
    caption = "grad_x = xlogy(grad_out, y) (0 where x = 0 and y <= 0), grad_y = grad_out * x / y"
    grad_a_reads = grad_b_reads = (0, 1)

    def forward(self, a, b):
        dtype = floating(result_type(a, b))
        a, b = (xp.asarray(v, dtype=dtype) for v in (a, b))
        with xp.errstate(divide="ignore", invalid="ignore"):
            try:
                out = a * xp.log(b)
            except ValueError:
                raise broadcast_error("xlogy", a, b) from None
        return xp.where((a == 0) & ~xp.isnan(b), xp.zeros((), dtype), out)

    def grad_a(self, grad, a, b, out):  # d/dx x log y = log y (PyTorch's 0 where x = 0, y <= 0)
        no_log = (xp.asarray(raw(a)) == 0) & (xp.asarray(raw(b)) <= 0)
        if is_tensor(grad) or is_tensor(b):
            return where(no_log, 0.0, Xlogy.apply(grad, b))
        return xp.where(no_log, 0, self.forward(grad, b)).astype(grad.dtype)

    def grad_b(self, grad, a, b, out):  # d/dy x log y = x / y (nan at x = y = 0, as PyTorch)
        with xp.errstate(divide="ignore", invalid="ignore"):
            return grad * a / b


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------
@op("log1p", inplace=True)
def log1p(input):
    """``log(1 + input)``, exact for tiny ``input``."""
    return Log1p.apply(input)


@op("expm1", inplace=True)
def expm1(input):
    """``exp(input) - 1``, exact for tiny ``input``."""
    return Expm1.apply(input)


@op("log2", inplace=True)
def log2(input):
    return Log2.apply(input)


@op("log10", inplace=True)
def log10(input):
    """The base-10 logarithm (``log10(1000) == 3`` exactly).

    >>> import minigrad as mg
    >>> mg.log10(mg.tensor([1000.0, 0.01])).tolist()
    [3.0, -2.0]
    """
    return Log10.apply(input)


@op("exp2", inplace=True)
def exp2(input):
    """``2 ** input``."""
    return Exp2.apply(input)


@op("rsqrt", inplace=True)
def rsqrt(input):
    """``1 / sqrt(input)``."""
    return Rsqrt.apply(input)


@op("reciprocal", inplace=True)
def reciprocal(input):
    """``1 / input``, floating for integers too."""
    return Reciprocal.apply(input)


@op("square", inplace=True)
def square(input):
    """``input * input``; integers stay integers and bools become int64, as in PyTorch."""
    if input.dtype.kind == "b":
        input = input.to(int64)
    return Mul.apply(input, input)


@op("erfc", inplace=True)
def erfc(input):
    """``1 - erf(input)``, without losing the digits of tiny values (``erfc(10) = 2e-45``)."""
    return Erfc.apply(input)


@op("erfinv", inplace=True)
def erfinv(input):
    """The inverse of erf on (-1, 1).

    >>> import minigrad as mg
    >>> round(mg.erfinv(mg.erf(mg.tensor(0.7, dtype=mg.float64))).item(), 12)
    0.7
    """
    return Erfinv.apply(input)


@op("logaddexp2")
def logaddexp2(input, other):
    """``log2(2^input + 2^other)``, computed without overflow."""
    return LogAddExp2.apply(operand(input), operand(other))


@op("hypot", inplace=True)
def hypot(input, other):
    """``sqrt(input² + other²)``, computed without overflow."""
    return Hypot.apply(operand(input), operand(other))


@op("copysign", inplace=True)
def copysign(input, other):
    """The magnitude of ``input`` with the sign of ``other``, floating for integers too."""
    return Copysign.apply(operand(input), operand(other))


@op("xlogy", inplace=True)
def xlogy(input, other):
    """``input * log(other)``, with 0 where ``input`` is 0 (the convention of entropies:
    ``0 log 0 = 0``); floating for integers too.

    >>> import minigrad as mg
    >>> mg.xlogy(mg.tensor([0.0, 2.0]), mg.tensor([0.0, 1.0])).tolist()
    [0.0, 0.0]
    """
    return Xlogy.apply(operand(input), operand(other))
