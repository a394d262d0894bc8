"""Elementwise ops.  Each backward line carries the derivative it implements.

Binary ops broadcast as numpy does; their backward sums the gradient back to each input's shape
(``unbroadcast``).  A Python scalar operand stays a Python scalar, so numpy keeps the tensor's
dtype (a float32 graph stays float32).
"""
from __future__ import annotations

import math

from ..autograd import Function
from ..backend import default_float, float64, xp
from .either import exp, is_tensor, log, raw, tanh, unbroadcast

_FLOAT64 = xp.dtype(float64)  # dtypes are singletons: ``is`` is the cheap test on the hot path


def _float(x):
    """Integers and booleans become float32 before exp, log...: PyTorch's result, not numpy's float64."""
    return x if x.dtype.kind == "f" else x.astype(default_float)


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


class Exp(Function):
    __slots__ = ()
    name = "exp"
    caption = "grad_in = grad_out * exp(x)"

    def forward(self, x):
        return xp.exp(_float(x))

    def backward(self, grad, inputs, output):  # d/dx e^x = e^x
        return (grad * output,)


class Log(Function):
    __slots__ = ()
    name = "log"
    caption = "grad_in = grad_out / x"

    def forward(self, x):
        return xp.log(_float(x))

    def backward(self, grad, inputs, output):  # d/dx log x = 1/x
        return (grad / inputs[0],)


class Sqrt(Function):
    __slots__ = ()
    name = "sqrt"
    caption = "grad_in = grad_out / (2 sqrt(x))"

    def forward(self, x):
        return xp.sqrt(_float(x))

    def backward(self, grad, inputs, output):  # d/dx sqrt(x) = 1 / (2 sqrt(x))
        return (grad / (output * 2),)


class Tanh(Function):
    __slots__ = ()
    name = "tanh"
    caption = "grad_in = grad_out * (1 - tanh(x)²)"

    def forward(self, x):
        return xp.tanh(_float(x))

    def backward(self, grad, inputs, output):  # d/dx tanh(x) = 1 - tanh(x)^2
        return (grad * (1 - output * output),)


class Sigmoid(Function):
    __slots__ = ()
    name = "sigmoid"
    caption = "grad_in = grad_out * s * (1 - s), s = sigmoid(x)"

    def forward(self, x):
        # 1 / (1 + e^-x) written as e^(-log(1 + e^-x)): no overflow for x = -1e4
        return xp.exp(-xp.logaddexp(0, -_float(x)))

    def backward(self, grad, inputs, output):  # d/dx s(x) = s(x) (1 - s(x))
        return (grad * output * (1 - output),)


class Relu(Function):
    # NOTE: not maximum(x, 0): that would split the gradient at 0, PyTorch gives 0 there.
    __slots__ = ()
    name = "relu"
    caption = "grad_in = grad_out * (x > 0)"

    def forward(self, x):
        return xp.maximum(x, 0)

    def backward(self, grad, inputs, output):  # d/dx relu(x) = 1 if x > 0 else 0
        return (grad * (raw(output) > 0),)


class LeakyRelu(Function):
    __slots__ = ("negative_slope",)
    name = "leaky_relu"
    caption = "grad_in = grad_out * (1 if x > 0 else slope)"

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def options(self):
        return {"negative_slope": self.negative_slope}

    def forward(self, x):
        return xp.where(x > 0, x, x * self.negative_slope)

    def backward(self, grad, inputs, output):  # 1 for x > 0, negative_slope otherwise
        positive = raw(inputs[0]) > 0
        slope = xp.where(positive, 1, self.negative_slope).astype(grad.dtype)
        return (grad * slope,)


class Gelu(Function):
    """x * Phi(x) (``approximate='none'``) or its tanh approximation, as in PyTorch."""

    __slots__ = ("approximate",)
    name = "gelu"
    caption = "grad_in = grad_out * (Phi(x) + x phi(x))"

    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def options(self):
        return {"approximate": self.approximate} if self.approximate != "none" else {}

    def forward(self, x):
        if self.approximate == "tanh":
            return 0.5 * x * (1 + xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
        return 0.5 * x * (1 + erf(x * _SQRT_HALF))

    def backward(self, grad, inputs, output):
        x = inputs[0]
        if self.approximate == "tanh":
            # d/dx [x (1 + tanh u) / 2] with u = c (x + 0.044715 x^3)
            t = tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return (grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du),)
        # d/dx [x Phi(x)] = Phi(x) + x phi(x)
        cdf = 0.5 * (1 + erf(x * _SQRT_HALF))
        pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
        return (grad * (cdf + x * pdf),)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_erf_elementwise = xp.frompyfunc(math.erf, 1, 1)


def erf(x):
    """erf of an array (numpy has none; math.erf per element, exact to double precision) or of
    a Tensor (as a recorded op)."""
    if is_tensor(x):
        return Erf.apply(x)
    return xp.asarray(_erf_elementwise(x), dtype=x.dtype)


class Erf(Function):
    __slots__ = ()
    name = "erf"
    caption = "grad_in = grad_out * 2/sqrt(pi) * exp(-x²)"

    def forward(self, x):
        return erf(x)

    def backward(self, grad, inputs, output):  # d/dx erf(x) = 2/sqrt(pi) e^(-x^2)
        x = inputs[0]
        return (grad * exp(-(x * x)) * (2 / math.sqrt(math.pi)),)


class Abs(Function):
    __slots__ = ()
    name = "abs"
    caption = "grad_in = grad_out * sign(x)"

    def forward(self, x):
        return xp.abs(x)

    def backward(self, grad, inputs, output):  # d/dx |x| = sign(x), 0 at 0 (as PyTorch)
        return (grad * xp.sign(raw(inputs[0])).astype(grad.dtype),)


class Clamp(Function):
    __slots__ = ("min", "max")
    name = "clamp"
    caption = "grad_in = grad_out where min <= x <= max, else 0"

    def __init__(self, min=None, max=None):
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        self.min, self.max = min, max

    def options(self):
        return {k: v for k, v in (("min", self.min), ("max", self.max)) if v is not None}

    def forward(self, x):
        return xp.clip(x, self.min, self.max)

    def backward(self, grad, inputs, output):  # 1 inside [min, max] (bounds included), else 0
        x = raw(inputs[0])
        inside = xp.ones(x.shape, dtype=bool)
        if self.min is not None:
            inside &= x >= self.min
        if self.max is not None:
            inside &= x <= self.max
        return (grad * inside,)


class Maximum(Function):
    __slots__ = ()
    name = "maximum"
    caption = "the larger input gets grad_out (a tie splits it)"

    def forward(self, a, b):
        return xp.maximum(a, b)

    def backward(self, grad, inputs, output):
        return _select_backward(self, grad, inputs, raw(inputs[0]) > raw(inputs[1]))


class Minimum(Function):
    __slots__ = ()
    name = "minimum"
    caption = "the smaller input gets grad_out (a tie splits it)"

    def forward(self, a, b):
        return xp.minimum(a, b)

    def backward(self, grad, inputs, output):
        return _select_backward(self, grad, inputs, raw(inputs[0]) < raw(inputs[1]))


def _select_backward(function, grad, inputs, a_wins):
    # The winner takes the gradient; on a tie each side gets half (PyTorch's choice).
    a, b = inputs
    tie = raw(a) == raw(b)
    share_a = (a_wins + tie * 0.5).astype(grad.dtype)
    pa, pb = function.parents
    return (unbroadcast(grad * share_a, a.shape) if pa is not None else None,
            unbroadcast(grad * (1 - share_a), b.shape) if pb is not None else None)


class Where(Function):
    __slots__ = ()
    name = "where"
    caption = "grad_out goes to a where the condition holds, to b elsewhere"

    def forward(self, condition, a, b):
        return xp.where(condition, a, b)

    def backward(self, grad, inputs, output):  # the gradient goes where its value was taken from
        condition, a, b = inputs
        condition = raw(condition)
        _, pa, pb = self.parents
        return (None,
                unbroadcast(grad * condition, xp.shape(raw(a))) if pa is not None else None,
                unbroadcast(grad * ~condition, xp.shape(raw(b))) if pb is not None else None)


class Cast(Function):
    """Change the dtype (``.float()``, ``.double()``, ``.to(dtype)``); the gradient is cast back."""

    __slots__ = ("dtype",)
    name = "cast"
    caption = "grad_in = grad_out cast back to the input's dtype"

    def __init__(self, dtype):
        self.dtype = xp.dtype(dtype)

    def options(self):
        return {"dtype": str(self.dtype)}

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, grad, inputs, output):
        source = raw(inputs[0]).dtype
        return (grad.to(source) if is_tensor(grad) else grad.astype(source),)
