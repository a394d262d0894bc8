"""Rounding and the sign: ``floor ceil round trunc frac sign``.

Rounded values are piecewise constant, so their gradient is zero (PyTorch's choice, also at the
jumps); ``frac = x - trunc(x)`` has gradient 1.  Each is a primitive.  Integer tensors pass
through unchanged, as in PyTorch, and bool tensors are refused (``NotImplementedError``) where
PyTorch refuses them.
"""
from __future__ import annotations

from ..backend import ndarray, xp
from ..engine import Function
from .arithmetic import zero_gradient
from .elementwise import not_a_tensor
from .registry import op


class Rounding(Function):
    """The base of floor, ceil, round and trunc: integers pass unchanged, the gradient is 0."""

    __slots__ = ()
    reads = ()
    compute = staticmethod(xp.floor)  # (each subclass gives its own)

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        if x.dtype.kind == "b":
            raise NotImplementedError(f"{self.name}: not implemented for bool tensors (there is "
                                      "nothing to round); convert first, e.g. x.float()")
        if x.dtype.kind in "iu":
            return x.copy()
        return self.compute(x)

    def backward(self, grad, inputs, output):  # piecewise constant: zero (as PyTorch, jumps too)
        return (zero_gradient(grad),)


class Floor(Rounding):
    __slots__ = ()
    name = "floor"
    caption = "grad_in = 0 (floor is piecewise constant)"
    compute = staticmethod(xp.floor)


class Ceil(Rounding):
    __slots__ = ()
    name = "ceil"
    caption = "grad_in = 0 (ceil is piecewise constant)"
    compute = staticmethod(xp.ceil)


class Trunc(Rounding):
    __slots__ = ()
    name = "trunc"
    caption = "grad_in = 0 (trunc is piecewise constant)"
    compute = staticmethod(xp.trunc)


class Round(Rounding):
    """To the nearest, ties to even (``round(2.5) == 2``, as PyTorch and numpy), at ``decimals``
    decimal places (negative: to tens, hundreds...)."""

    __slots__ = ("decimals",)
    name = "round"
    caption = "grad_in = 0 (round is piecewise constant)"

    def __init__(self, decimals: int = 0):
        self.decimals = decimals

    def options(self):
        return {"decimals": self.decimals} if self.decimals else {}

    def forward(self, x):
        if self.decimals and x.dtype.kind in "biu":
            raise NotImplementedError(f"round: decimals={self.decimals} is not implemented for "
                                      f"{x.dtype} tensors (only floats have decimals)")
        return super().forward(x)

    def compute(self, x):
        return xp.round(x, self.decimals)


class Frac(Function):
    """The fractional part, ``x - trunc(x)`` (one op: the composition took 2x its time)."""

    __slots__ = ()
    name = "frac"
    caption = "grad_in = grad_out (x - trunc(x) moves with x between the jumps)"
    reads = ()

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        if x.dtype.kind != "f":
            raise NotImplementedError(f"frac: not implemented for {x.dtype} tensors (a whole "
                                      "number has no fractional part); convert first, e.g. x.float()")
        return x - xp.trunc(x)

    def backward(self, grad, inputs, output):  # d/dx (x - trunc x) = 1
        return (grad,)


class Sign(Function):
    """-1, 0 or 1 (0 for nan, as PyTorch); a bool tensor is its own sign."""

    __slots__ = ()
    name = "sign"
    caption = "grad_in = 0 (sign is piecewise constant)"
    reads = ()

    def forward(self, x):
        if x.__class__ is not ndarray:
            raise not_a_tensor(self.name, x)
        if x.dtype.kind == "b":
            return x.copy()
        out = xp.sign(x)
        return xp.where(xp.isnan(x), 0, out).astype(x.dtype) if x.dtype.kind == "f" else out

    def backward(self, grad, inputs, output):  # piecewise constant: zero
        return (zero_gradient(grad),)


# ---------------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------------
@op("floor", inplace=True)
def floor(input):
    """The largest whole number <= each element."""
    return Floor.apply(input)


@op("ceil", inplace=True)
def ceil(input):
    """The smallest whole number >= each element."""
    return Ceil.apply(input)


@op("trunc", aliases=("fix",), inplace=True)
def trunc(input):
    """Each element rounded toward zero."""
    return Trunc.apply(input)


@op("round", inplace=True)
def round(input, *, decimals: int = 0):
    """Each element rounded to ``decimals`` places, ties to even.

    >>> import minigrad as mg
    >>> mg.round(mg.tensor([0.5, 1.5, 2.5, -0.5])).tolist()
    [0.0, 2.0, 2.0, -0.0]
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise TypeError(f"round(): argument 'decimals' must be int, not {type(decimals).__name__}")
    return Round.apply(input, decimals=decimals)


@op("sign", aliases=("sgn",), inplace=True)
def sign(input):
    """-1, 0 or 1 for each element (``sgn`` is the same for real tensors)."""
    return Sign.apply(input)


@op("frac", inplace=True)
def frac(input):
    """The fractional part ``input - trunc(input)``, with the sign of ``input``; gradient 1."""
    return Frac.apply(input)
