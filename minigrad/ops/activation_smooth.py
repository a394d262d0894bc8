"""Smooth activations: the ELU family (elu, selu, celu: one primitive), softsign and
tanhshrink (primitives, see below), and the composites silu, mish, logsigmoid, softmin, glu.

Measured on (128, 256) float32, forward and backward, composite against a fused primitive:
silu 0.8x, mish 0.7x, logsigmoid 1.3x, glu 0.6x (they stay composites), softsign 3.2x and
tanhshrink 2.6x (they became primitives).

ELU is a primitive because its negative side is ``alpha (e^x - 1)``: written as ``exp(x) - 1``
it loses every digit for small ``x`` (float32's ``exp(1e-8) - 1`` is 0, not 1e-8), and
PyTorch computes it with ``expm1``, which minigrad's ops do not offer.
"""
from __future__ import annotations

import warnings

from ..backend import xp
from ..engine import Function, is_tensor
from .activation import check_floating, in_place
from .array_or_tensor import as_float, raw
from .array_or_tensor import tanh as tanh_of
from .elementwise import logaddexp, tanh, where
from .reduction import normalize_dims, softmax
from .registry import op

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class Elu(Function):
    """``scale * x`` for ``x > 0``, else ``scale * alpha * (e^(input_scale x) - 1)``: elu is
    (alpha, 1, 1), selu (1.6733, 1.0507, 1), celu (alpha, 1, 1/alpha)."""

    __slots__ = ("alpha", "scale", "input_scale")
    name = "elu"
    caption = "grad_in = grad_out * (scale if x > 0 else (y + scale alpha) input_scale)"
    reads = (0, -1)

    def __init__(self, alpha: float, scale: float = 1.0, input_scale: float = 1.0):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale

    def options(self):
        return {"alpha": self.alpha, "scale": self.scale, "input_scale": self.input_scale}

    def forward(self, x):
        x = as_float(x)
        negative = (self.scale * self.alpha) * xp.expm1(xp.minimum(x, 0) * self.input_scale)
        return xp.where(x > 0, x * self.scale, negative).astype(x.dtype)

    def backward(self, grad, inputs, output):
        # d/dx scale alpha (e^(s x) - 1) = s scale alpha e^(s x) = s (y + scale alpha), for x <= 0
        positive = raw(inputs[0]) > 0
        negative_slope = (output + self.scale * self.alpha) * self.input_scale
        if is_tensor(negative_slope):
            return (grad * where(positive, self.scale, negative_slope),)
        return (grad * xp.where(positive, self.scale, negative_slope).astype(negative_slope.dtype),)


def _elu(input, alpha, scale, input_scale, name):
    check_floating(input, name)
    return Elu.apply(input, alpha=alpha, scale=scale, input_scale=input_scale)


@op("elu", method=False, torch=False, functional=True)
def elu(input, alpha: float = 1.0, inplace: bool = False):
    """``x`` for ``x > 0``, else ``alpha (e^x - 1)`` (the gradient at 0 is the negative side's,
    ``alpha``, as PyTorch's)."""
    if inplace:
        return in_place(elu, "elu", input, alpha)
    return _elu(input, alpha, 1.0, 1.0, "elu")


@op("selu", method=False, torch=True, functional=True)
def selu(input, inplace: bool = False):
    """``scale * elu(x, alpha)`` with the self-normalising constants alpha = 1.6733, scale = 1.0507."""
    if inplace:
        return in_place(selu, "selu", input)
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, "selu")


@op("celu", method=False, torch=True, functional=True)
def celu(input, alpha: float = 1.0, inplace: bool = False):
    """``max(0, x) + min(0, alpha (e^(x/alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    if inplace:
        return in_place(celu, "celu", input, alpha)
    return _elu(input, alpha, 1.0, 1.0 / alpha, "celu")


@op("silu", method=False, torch=False, functional=True)
def silu(input, inplace: bool = False):
    """``x * sigmoid(x)`` (also called swish)."""
    check_floating(input, "silu")
    if inplace:
        return in_place(silu, "silu", input)
    return input * input.sigmoid()


@op("mish", method=False, torch=False, functional=True)
def mish(input, inplace: bool = False):
    """``x * tanh(softplus(x))``, softplus written as logaddexp(x, 0) (no overflow)."""
    check_floating(input, "mish")
    if inplace:
        return in_place(mish, "mish", input)
    return input * tanh(logaddexp(input, 0.0))


@op("logsigmoid", method=False, torch=False, functional=True)
def logsigmoid(input):
    """``log(sigmoid(x)) = -log(1 + e^-x)``, computed as ``-logaddexp(0, -x)``: finite where
    ``log(sigmoid(x))`` would give ``log(0)``."""
    check_floating(input, "logsigmoid")
    return -logaddexp(-input, 0.0)


class Softsign(Function):
    __slots__ = ()
    name = "softsign"
    caption = "grad_in = grad_out / (1 + |x|)²"
    reads = (0,)

    def forward(self, x):
        x = as_float(x)
        return x / (1 + xp.abs(x))

    def backward(self, grad, inputs, output):  # d/dx x / (1 + |x|) = 1 / (1 + |x|)^2
        x = inputs[0]
        denominator = (x.abs() if is_tensor(x) else xp.abs(x)) + 1
        return (grad / (denominator * denominator),)


class Tanhshrink(Function):
    __slots__ = ()
    name = "tanhshrink"
    caption = "grad_in = grad_out * tanh(x)²"
    reads = (0,)

    def forward(self, x):
        x = as_float(x)
        return x - xp.tanh(x)

    def backward(self, grad, inputs, output):  # d/dx (x - tanh x) = 1 - (1 - tanh² x) = tanh² x
        t = tanh_of(inputs[0])
        return (grad * (t * t),)


@op("softsign", method=False, torch=False, functional=True)
def softsign(input):
    """``x / (1 + |x|)`` (a primitive: composed of abs, add and div it took 3.2x the time)."""
    return Softsign.apply(input)


@op("tanhshrink", method=False, torch=False, functional=True)
def tanhshrink(input):
    """``x - tanh(x)`` (a primitive: composed it took 2.6x the time)."""
    return Tanhshrink.apply(input)


def implicit_softmax_dim(ndim: int, op_name: str) -> int:
    """PyTorch's dimension when none is given (with its deprecation warning): 0 for 0-, 1- and
    3-d inputs, else 1."""
    warnings.warn(f"Implicit dimension choice for {op_name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


@op("softmin", method=False, torch=False, functional=True)
def softmin(input, dim: int | None = None, _stacklevel: int = 3, dtype=None):
    """``softmax(-x, dim)``: the smallest values get the largest weights."""
    if dim is None:
        dim = implicit_softmax_dim(input.ndim, "softmin")
    if dtype is not None:
        input = input.to(dtype)
    return softmax(-input, dim)


@op("glu", method=False, torch=False, functional=True)
def glu(input, dim: int = -1):
    """The gated linear unit: ``a * sigmoid(b)``, with ``a`` and ``b`` the two halves of
    ``input`` along ``dim``."""
    check_floating(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    (d,) = normalize_dims(dim, input.ndim, "glu")
    size = input.shape[d]
    if size % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size {size}")
    before = (slice(None),) * d
    first, second = input[before + (slice(0, size // 2),)], input[before + (slice(size // 2, size),)]
    return first * second.sigmoid()
