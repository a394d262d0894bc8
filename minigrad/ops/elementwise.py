"""Elementwise math: unary functions, clamp, maximum/minimum, where, and dtype casts.
Each backward line carries the derivative it implements."""
from __future__ import annotations

import math

from ..backend import bool_, ndarray, xp
from ..engine import Function, is_tensor
from .arithmetic import Binary
from .array_or_tensor import as_float, broadcast_error, exp, operand, raw, sigmoid, unbroadcast
from .promotion import cast_operands, result_type
from .registry import op


def not_a_tensor(name: str, x) -> TypeError:
    """PyTorch's TypeError for a unary op given a list or a number instead of a tensor."""
    return TypeError(f"{name}: argument 'input' (position 1) must be Tensor, not "
                     f"{type(x).__name__}; make one with mg.tensor(...)")


class FloatUnary(Function):
    """An elementwise function of a real number.  Integer and bool inputs are computed in the
    default float (``torch.sin`` of an int tensor is float32); outside the function's domain the
    result is nan (or inf), as PyTorch gives it, without numpy's RuntimeWarning."""

    __slots__ = ()
    compute = staticmethod(xp.positive)  # (each subclass gives its own)

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        with xp.errstate(all="ignore"):
            return self.compute(as_float(x))


def on_either(function_class, array_function):
    """``f(x)``: ``function_class`` recorded on a Tensor, ``array_function`` on an array.  Backward
    rules call this form: they get arrays in a plain backward and Tensors under create_graph."""

    def apply(x):
        return function_class.apply(x) if is_tensor(x) else array_function(x)

    apply.__name__ = apply.__qualname__ = function_class.name
    return apply


class Exp(Function):
    __slots__ = ()
    name = "exp"
    caption = "grad_in = grad_out * exp(x)"
    reads = (-1,)

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        return xp.exp(as_float(x))

    def backward(self, grad, inputs, output):  # d/dx e^x = e^x
        return (grad * output,)


class Log(Function):
    __slots__ = ()
    name = "log"
    caption = "grad_in = grad_out / x"
    reads = (0,)

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        return xp.log(as_float(x))

    def backward(self, grad, inputs, output):  # d/dx log x = 1/x
        return (grad / inputs[0],)


class Sqrt(Function):
    __slots__ = ()
    name = "sqrt"
    caption = "grad_in = grad_out / (2 sqrt(x))"
    reads = (-1,)

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        return xp.sqrt(as_float(x))

    def backward(self, grad, inputs, output):  # d/dx sqrt(x) = 1 / (2 sqrt(x))
        return (grad / (output * 2),)


class Tanh(Function):
    __slots__ = ()
    name = "tanh"
    caption = "grad_in = grad_out * (1 - tanh(x)²)"
    reads = (-1,)

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        return xp.tanh(as_float(x))

    def backward(self, grad, inputs, output):  # d/dx tanh(x) = 1 - tanh(x)^2
        return (grad * (1 - output * output),)


class Abs(Function):
    __slots__ = ()
    name = "abs"
    caption = "grad_in = grad_out * sign(x)"
    reads = (0,)

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        return xp.abs(x)

    def backward(self, grad, inputs, output):  # d/dx |x| = sign(x), 0 at 0 (as PyTorch)
        return (grad * xp.sign(raw(inputs[0])).astype(grad.dtype),)


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
    reads = (0,)

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        return erf(as_float(x))

    def backward(self, grad, inputs, output):  # d/dx erf(x) = 2/sqrt(pi) e^(-x^2)
        x = inputs[0]
        return (grad * exp(-(x * x)) * (2 / math.sqrt(math.pi)),)


class FloatBinary(Binary):
    """A binary op PyTorch defines for floats only (NotImplementedError for integers and bools)."""

    __slots__ = ()

    def forward(self, a, b):
        for x in (a, b):
            if isinstance(x, ndarray) and x.dtype.kind not in "fc":
                raise NotImplementedError(f"{self.name}: not implemented for {x.dtype} tensors; "
                                          "convert them first, e.g. x.float()")
        return super().forward(a, b)


class LogAddExp(FloatBinary):
    __slots__ = ()
    name = "logaddexp"
    caption = "grad_a = grad_out * sigmoid(a - b), grad_b = grad_out * sigmoid(b - a)"
    compute = staticmethod(xp.logaddexp)
    grad_a_reads = grad_b_reads = (0, 1)

    def grad_a(self, grad, a, b, out):  # d/da log(e^a + e^b) = e^a / (e^a + e^b) = sigmoid(a - b)
        return grad * sigmoid(a - b)

    def grad_b(self, grad, a, b, out):
        return grad * sigmoid(b - a)


class Clamp(Function):
    """``x`` limited to ``[min, max]``; either bound may be None, a number or a tensor."""

    __slots__ = ()
    name = "clamp"
    caption = "grad_x = grad_out where min <= x <= max; grad_min where x < min; grad_max where x > max"
    reads = (0, 1, 2)

    def options(self):
        bounds = zip(("min", "max"), self.inputs[1:] if getattr(self, "inputs", None) else ())
        return {k: v if isinstance(v, (int, float)) else "tensor" for k, v in bounds if v is not None}

    def forward(self, x, low, high):
        if low is None and high is None:
            raise ValueError("clamp: at least one of min and max must be given")
        dtype = result_type(x, low, high)
        out = xp.clip(*cast_operands((x, low, high), dtype))
        return out if out.dtype == dtype else out.astype(dtype)

    def backward(self, grad, inputs, output):  # the gradient goes to whichever value was taken
        x, low, high = (raw(v) for v in inputs)
        below = x < low if low is not None else xp.zeros(x.shape, dtype=bool)
        above = x > high if high is not None else xp.zeros(x.shape, dtype=bool)
        _, p_low, p_high = self.parents
        return (unbroadcast(grad * ~(below | above), x.shape) if self.parents[0] is not None else None,
                unbroadcast(grad * below, low.shape) if p_low is not None else None,
                unbroadcast(grad * above, high.shape) if p_high is not None else None)


class Maximum(Binary):
    __slots__ = ()
    name = "maximum"
    caption = "the larger input gets grad_out (a tie splits it)"
    compute = staticmethod(xp.maximum)
    grad_a_reads = grad_b_reads = (0, 1)

    def grad_a(self, grad, a, b, out):
        return grad * _share_of_a(raw(a) > raw(b), a, b, grad)

    def grad_b(self, grad, a, b, out):
        return grad * (1 - _share_of_a(raw(a) > raw(b), a, b, grad))


class Minimum(Binary):
    __slots__ = ()
    name = "minimum"
    caption = "the smaller input gets grad_out (a tie splits it)"
    compute = staticmethod(xp.minimum)
    grad_a_reads = grad_b_reads = (0, 1)

    def grad_a(self, grad, a, b, out):
        return grad * _share_of_a(raw(a) < raw(b), a, b, grad)

    def grad_b(self, grad, a, b, out):
        return grad * (1 - _share_of_a(raw(a) < raw(b), a, b, grad))


def _share_of_a(a_wins, a, b, grad):
    """The winner takes the gradient; on a tie each side gets half (PyTorch's choice)."""
    return (a_wins + (raw(a) == raw(b)) * 0.5).astype(raw(grad).dtype)


class Where(Function):
    __slots__ = ()
    name = "where"
    caption = "grad_out goes to a where the condition holds, to b elsewhere"
    reads = (0,)

    def forward(self, condition, a, b):
        dtype = result_type(a, b)
        try:
            out = xp.where(condition, *cast_operands((a, b), dtype))
        except ValueError:
            raise broadcast_error("where", condition, a, b) from None
        return out if out.dtype == dtype else out.astype(dtype)  # where(mask, 1.0, 0.0): float32

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
    reads = ()

    def __init__(self, dtype):
        self.dtype = xp.dtype(dtype)

    def options(self):
        return {"dtype": str(self.dtype)}

    def forward(self, x):
        return x.astype(self.dtype)

    def backward(self, grad, inputs, output):
        source = raw(inputs[0]).dtype
        return (grad.to(source) if is_tensor(grad) else grad.astype(source),)


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------
@op("exp", inplace=True)
def exp_(input):
    return Exp.apply(input)


@op("log", inplace=True)
def log(input):
    return Log.apply(input)


@op("sqrt", inplace=True)
def sqrt(input):
    return Sqrt.apply(input)


@op("tanh", functional=True, inplace=True)
def tanh(input):
    return Tanh.apply(input)


@op("abs", aliases=("absolute",), inplace=True)
def abs(input):
    return Abs.apply(input)


@op("erf", inplace=True)
def erf_(input):
    return Erf.apply(input)


@op("logaddexp")
def logaddexp(input, other):
    """``log(e^input + e^other)``, computed without overflow."""
    return LogAddExp.apply(operand(input), operand(other))


@op("clamp", aliases=("clip",), inplace=True)
def clamp(input, min=None, max=None):
    """Each element limited to [min, max] (either bound may be None); the gradient is 1 inside,
    bounds included, and 0 outside."""
    return Clamp.apply(input, operand(min) if min is not None else None,
                       operand(max) if max is not None else None)


@op("maximum")
def maximum(input, other):
    """Elementwise maximum; on a tie each side gets half of the gradient (as PyTorch)."""
    return Maximum.apply(operand(input), operand(other))


@op("minimum")
def minimum(input, other):
    return Minimum.apply(operand(input), operand(other))


@op("where")
def where(condition, input, other):
    """``input`` where ``condition`` holds, else ``other``."""
    cond = xp.asarray(raw(condition))
    if cond.dtype != bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {cond.dtype}")
    return Where.apply(cond, operand(input), operand(other))
