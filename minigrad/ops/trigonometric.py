"""Trigonometric and hyperbolic functions, their inverses, and ``atan2``.

Each is a primitive (numpy computes it in one pass; no composition would be as exact), its
derivative on the line of its ``backward``.  Integer and bool inputs give the default float, as
in PyTorch; outside the domain (``asin(2)``, ``acosh(0)``) the result is nan.
"""
from __future__ import annotations

from ..backend import xp
from ..engine import is_tensor
from .arithmetic import Binary
from .array_or_tensor import operand
from .elementwise import FloatUnary, on_either
from .registry import op


def _sqrt(x):
    return x.sqrt() if is_tensor(x) else xp.sqrt(x)


class Sin(FloatUnary):
    __slots__ = ()
    name = "sin"
    caption = "grad_in = grad_out * cos(x)"
    reads = (0,)
    compute = staticmethod(xp.sin)

    def backward(self, grad, inputs, output):  # d/dx sin x = cos x
        return (grad * _cos(inputs[0]),)


class Cos(FloatUnary):
    __slots__ = ()
    name = "cos"
    caption = "grad_in = -grad_out * sin(x)"
    reads = (0,)
    compute = staticmethod(xp.cos)

    def backward(self, grad, inputs, output):  # d/dx cos x = -sin x
        return (-grad * _sin(inputs[0]),)


class Tan(FloatUnary):
    __slots__ = ()
    name = "tan"
    caption = "grad_in = grad_out * (1 + tan(x)²)"
    reads = (-1,)
    compute = staticmethod(xp.tan)

    def backward(self, grad, inputs, output):  # d/dx tan x = 1 + tan^2 x
        return (grad * (1 + output * output),)


class Asin(FloatUnary):
    __slots__ = ()
    name = "asin"
    caption = "grad_in = grad_out / sqrt(1 - x²)"
    reads = (0,)
    compute = staticmethod(xp.arcsin)

    def backward(self, grad, inputs, output):  # d/dx asin x = 1 / sqrt(1 - x^2)
        x = inputs[0]
        return (grad / _sqrt(1 - x * x),)


class Acos(FloatUnary):
    __slots__ = ()
    name = "acos"
    caption = "grad_in = -grad_out / sqrt(1 - x²)"
    reads = (0,)
    compute = staticmethod(xp.arccos)

    def backward(self, grad, inputs, output):  # d/dx acos x = -1 / sqrt(1 - x^2)
        x = inputs[0]
        return (-grad / _sqrt(1 - x * x),)


class Atan(FloatUnary):
    __slots__ = ()
    name = "atan"
    caption = "grad_in = grad_out / (1 + x²)"
    reads = (0,)
    compute = staticmethod(xp.arctan)

    def backward(self, grad, inputs, output):  # d/dx atan x = 1 / (1 + x^2)
        x = inputs[0]
        return (grad / (x * x + 1),)


class Sinh(FloatUnary):
    __slots__ = ()
    name = "sinh"
    caption = "grad_in = grad_out * cosh(x)"
    reads = (0,)
    compute = staticmethod(xp.sinh)

    def backward(self, grad, inputs, output):  # d/dx sinh x = cosh x
        return (grad * _cosh(inputs[0]),)


class Cosh(FloatUnary):
    __slots__ = ()
    name = "cosh"
    caption = "grad_in = grad_out * sinh(x)"
    reads = (0,)
    compute = staticmethod(xp.cosh)

    def backward(self, grad, inputs, output):  # d/dx cosh x = sinh x
        return (grad * _sinh(inputs[0]),)


class Asinh(FloatUnary):
    __slots__ = ()
    name = "asinh"
    caption = "grad_in = grad_out / sqrt(x² + 1)"
    reads = (0,)
    compute = staticmethod(xp.arcsinh)

    def backward(self, grad, inputs, output):  # d/dx asinh x = 1 / sqrt(x^2 + 1)
        x = inputs[0]
        return (grad / _sqrt(x * x + 1),)


class Acosh(FloatUnary):
    __slots__ = ()
    name = "acosh"
    caption = "grad_in = grad_out / sqrt(x² - 1)"
    reads = (0,)
    compute = staticmethod(xp.arccosh)

    def backward(self, grad, inputs, output):  # d/dx acosh x = 1 / sqrt(x^2 - 1)
        x = inputs[0]
        return (grad / _sqrt(x * x - 1),)


class Atanh(FloatUnary):
    __slots__ = ()
    name = "atanh"
    caption = "grad_in = grad_out / (1 - x²)"
    reads = (0,)
    compute = staticmethod(xp.arctanh)

    def backward(self, grad, inputs, output):  # d/dx atanh x = 1 / (1 - x^2)
        x = inputs[0]
        return (grad / (1 - x * x),)


class Atan2(Binary):
    """The angle of the point (other, input): ``atan(input / other)`` in the right quadrant."""

    __slots__ = ()
    name = "atan2"
    caption = "grad_a = grad_out * b / (a² + b²), grad_b = -grad_out * a / (a² + b²)"
    compute = staticmethod(xp.arctan2)
    true_division = True  # floating for integer operands too
    grad_a_reads = grad_b_reads = (0, 1)

    def grad_a(self, grad, a, b, out):  # d/da atan2(a, b) = b / (a^2 + b^2)
        return grad * b / (a * a + b * b)

    def grad_b(self, grad, a, b, out):  # d/db atan2(a, b) = -a / (a^2 + b^2)
        return -grad * a / (a * a + b * b)


# The array-or-Tensor forms the backward rules above call.
_sin, _cos, _sinh, _cosh = (on_either(c, c.compute) for c in (Sin, Cos, Sinh, Cosh))


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------
@op("sin", inplace=True)
def sin(input):
    return Sin.apply(input)


@op("cos", inplace=True)
def cos(input):
    return Cos.apply(input)


@op("tan", inplace=True)
def tan(input):
    return Tan.apply(input)


@op("asin", aliases=("arcsin",), inplace=True)
def asin(input):
    """The inverse of sin on [-1, 1] (nan outside)."""
    return Asin.apply(input)


@op("acos", aliases=("arccos",), inplace=True)
def acos(input):
    """The inverse of cos on [-1, 1] (nan outside)."""
    return Acos.apply(input)


@op("atan", aliases=("arctan",), inplace=True)
def atan(input):
    return Atan.apply(input)


@op("sinh", inplace=True)
def sinh(input):
    return Sinh.apply(input)


@op("cosh", inplace=True)
def cosh(input):
    return Cosh.apply(input)


@op("asinh", aliases=("arcsinh",), inplace=True)
def asinh(input):
    return Asinh.apply(input)


@op("acosh", aliases=("arccosh",), inplace=True)
def acosh(input):
    """The inverse of cosh on [1, inf) (nan below 1)."""
    return Acosh.apply(input)


@op("atanh", aliases=("arctanh",), inplace=True)
def atanh(input):
    """The inverse of tanh on (-1, 1) (±inf at ±1, nan outside)."""
    return Atanh.apply(input)


@op("atan2", aliases=("arctan2",), inplace=True)
def atan2(input, other):
    """The angle of the point ``(other, input)``, in (-pi, pi].

    >>> import minigrad as mg
    >>> round(mg.atan2(mg.tensor(1.0), mg.tensor(-1.0)).item(), 4)  # 3 pi / 4
    2.3562
    """
    return Atan2.apply(operand(input), operand(other))
