"""Activation functions: the primitives relu and sigmoid, and composites of other ops.

More live beside this file: ``activation_piecewise.py`` (hardtanh, relu6, hardsigmoid,
hardswish, threshold, the shrinks, prelu, rrelu), ``activation_smooth.py`` (the ELU family,
silu, mish, logsigmoid, softsign, tanhshrink, softmin, glu) and ``activation_inplace.py``
(``F.relu_``, ``F.elu_``...).  ``inplace=True`` (PyTorch's argument of ``F.relu``, ``F.elu``...)
writes the result into the input, version-counted and recorded, as ``x.relu_()`` does.
"""
from __future__ import annotations

import math

from .. import inplace as _inplace
from ..backend import xp
from ..engine import Function
from .array_or_tensor import raw, stable_sigmoid
from .elementwise import erf_, logaddexp, tanh, where
from .registry import op


class Sigmoid(Function):
    __slots__ = ()
    name = "sigmoid"
    caption = "grad_in = grad_out * s * (1 - s), s = sigmoid(x)"
    reads = (-1,)

    def forward(self, x):
        return stable_sigmoid(x)

    def backward(self, grad, inputs, output):  # d/dx s(x) = s(x) (1 - s(x))
        return (grad * output * (1 - output),)


class Relu(Function):
    # NOTE: not maximum(x, 0): that would split the gradient at 0, PyTorch gives 0 there.
    __slots__ = ()
    name = "relu"
    caption = "grad_in = grad_out * (x > 0)"
    reads = (-1,)

    def forward(self, x):
        return xp.maximum(x, 0)

    def backward(self, grad, inputs, output):  # d/dx relu(x) = 1 if x > 0 else 0
        return (grad * (raw(output) > 0),)


@op("sigmoid", functional=True, inplace=True)
def sigmoid(input):
    return Sigmoid.apply(input)


@op("relu", functional=True, inplace=True)
def relu(input, inplace: bool = False):
    """``max(x, 0)``; its gradient at 0 is 0, as PyTorch's."""
    if inplace:
        return in_place(relu, "relu", input)
    return Relu.apply(input)


def in_place(function, name: str, input, *args, **kwargs):
    """``function(input, ...)`` written into ``input`` (what ``inplace=True`` asks): in place,
    version-counted, recorded when a gradient must flow (minigrad/inplace.py)."""
    return _inplace.method(function, name)(input, *args, **kwargs)


def check_floating(input, op_name: str) -> None:
    """PyTorch's refusal of integer tensors for the activations that compute in floats."""
    if getattr(input, "dtype", None) is not None and input.dtype.kind not in "fc":
        raise NotImplementedError(f"{op_name}: not implemented for dtype {input.dtype}: the "
                                  "activation computes in floating point (use .float() first)")


# ---------------------------------------------------------------------------------------------
# Composites: no gradient rule of their own, autograd differentiates what they are made of
# ---------------------------------------------------------------------------------------------
@op("leaky_relu", method=False, torch=False, functional=True)
def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """``x`` where ``x > 0``, else ``negative_slope * x`` (the gradient at 0 is the slope, as
    PyTorch's)."""
    check_floating(input, "leaky_relu")
    if inplace:
        return in_place(leaky_relu, "leaky_relu", input, negative_slope)
    return where(input > 0, input, input * negative_slope)


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_SQRT_HALF = math.sqrt(0.5)


@op("gelu", method=False, torch=False, functional=True)
def gelu(input, approximate: str = "none"):
    """``x * Phi(x)`` with Phi the standard normal CDF, or PyTorch's tanh approximation
    ``x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`` with ``approximate='tanh'``."""
    check_floating(input, "gelu")
    if approximate == "tanh":
        return input * 0.5 * (tanh((input + input ** 3 * 0.044715) * _SQRT_2_OVER_PI) + 1)
    if approximate != "none":
        raise RuntimeError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return input * 0.5 * (erf_(input * _SQRT_HALF) + 1)


@op("softplus", method=False, torch=False, functional=True)
def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """``log(1 + e^(beta x)) / beta``, and ``x`` itself where ``beta x > threshold`` (PyTorch's
    switch to the linear function, where the two agree to float precision).  Written with
    logaddexp(beta x, 0), whose gradient is sigmoid(beta x): no overflow for large x."""
    check_floating(input, "softplus")
    scaled = input * beta
    return where(scaled > threshold, input, logaddexp(scaled, 0.0) / beta)
