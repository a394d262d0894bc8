"""Piecewise-linear activations: hardtanh, relu6, hardsigmoid, hardswish, threshold,
hardshrink, softshrink, prelu, rrelu.

Most are composites, a ``where`` over masks computed on the values: ``where(inside, x,
constant)`` sends the gradient to ``x`` exactly where the mask holds, so the mask's strictness
*is* the gradient at the kinks, chosen to be PyTorch's (hardshrink's is 0 at ``±lambd``,
prelu's is the weight at 0...).  hardtanh (and relu6, which is hardtanh(0, 6)), hardswish and
hardsigmoid are primitives: as composites they took 2.6x, 2.7x and 1.4-2.4x the time of a fused
op on (128, 256) float32 inputs, forward and backward (softshrink 0.5x: it stays a composite).
"""
from __future__ import annotations

from ..backend import xp
from ..engine import Function, is_tensor
from .activation import check_floating, in_place, leaky_relu
from .array_or_tensor import raw
from .elementwise import where
from .registry import op


class Hardtanh(Function):
    """``x`` limited to ``[min_val, max_val]``: a primitive, as one ``where`` costs 2.6x more
    (the mask, the clip and the selection are three passes; see the module's docstring)."""

    __slots__ = ("min_val", "max_val")
    name = "hardtanh"
    caption = "grad_in = grad_out * (min_val < x < max_val)"
    reads = (0,)

    def __init__(self, min_val: float, max_val: float):
        self.min_val, self.max_val = min_val, max_val

    def options(self):
        return {"min_val": self.min_val, "max_val": self.max_val}

    def forward(self, x):
        return xp.clip(x, self.min_val, self.max_val).astype(x.dtype, copy=False)

    def backward(self, grad, inputs, output):  # 1 strictly inside, 0 at the bounds (PyTorch's)
        x = raw(inputs[0])
        return (grad * ((x > self.min_val) & (x < self.max_val)),)


class Hardswish(Function):
    __slots__ = ()
    name = "hardswish"
    caption = "grad_in = grad_out * (0 if x <= -3, x/3 + 1/2 if x < 3, else 1)"
    reads = (0,)

    def forward(self, x):
        return x * (xp.clip(x + 3, 0, 6) / 6)

    def backward(self, grad, inputs, output):
        # d/dx x (x + 3) / 6 = x/3 + 1/2 strictly inside (-3, 3); 0 at -3 and 1 at 3, as PyTorch
        x = inputs[0]
        values = raw(x)
        inside, above = (values > -3) & (values < 3), values >= 3
        return (grad * ((x / 3 + 0.5) * inside + above),)


@op("hardtanh", method=False, torch=False, functional=True)
def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """``x`` limited to ``[min_val, max_val]``; the gradient is 1 strictly inside, 0 at the
    bounds and outside (PyTorch's)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got min_val={min_val} "
                         f"> max_val={max_val}")
    if inplace:
        return in_place(hardtanh, "hardtanh", input, min_val, max_val)
    return Hardtanh.apply(input, min_val=min_val, max_val=max_val)


@op("relu6", method=False, torch=False, functional=True)
def relu6(input, inplace: bool = False):
    """``min(max(x, 0), 6)``: ``hardtanh(x, 0, 6)``, as PyTorch defines it (gradient 0 at 0 and 6)."""
    return hardtanh(input, 0.0, 6.0, inplace=inplace)


class Hardsigmoid(Function):
    __slots__ = ()
    name = "hardsigmoid"
    caption = "grad_in = grad_out / 6 where -3 < x < 3, else 0"
    reads = (0,)

    def forward(self, x):
        return xp.clip(x / 6 + 0.5, 0, 1).astype(x.dtype, copy=False)

    def backward(self, grad, inputs, output):  # 1/6 strictly inside (-3, 3), 0 at -3 and 3
        x = raw(inputs[0])
        return (grad * (((x > -3) & (x < 3)) / 6).astype(x.dtype),)


@op("hardsigmoid", method=False, torch=False, functional=True)
def hardsigmoid(input, inplace: bool = False):
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, the line ``x/6 + 1/2`` between (gradient
    1/6 strictly inside, 0 at -3 and 3)."""
    check_floating(input, "hardsigmoid")
    if inplace:
        return in_place(hardsigmoid, "hardsigmoid", input)
    return Hardsigmoid.apply(input)


@op("hardswish", method=False, torch=False, functional=True)
def hardswish(input, inplace: bool = False):
    """``x * hardsigmoid(x)``: 0 below -3, ``x`` above 3, ``x (x + 3) / 6`` between.  Its
    gradient is 0 at -3 and 1 at 3, as PyTorch's."""
    check_floating(input, "hardswish")
    if inplace:
        return in_place(hardswish, "hardswish", input)
    return Hardswish.apply(input)


@op("threshold", method=False, torch=True, functional=True)
def threshold(input, threshold: float, value: float, inplace: bool = False):
    """``x`` where ``x > threshold``, else ``value`` (the gradient at the threshold is 0)."""
    if inplace:
        return in_place(_threshold, "threshold", input, threshold, value)
    return where(raw(input) > threshold, input, xp.asarray(value, dtype=raw(input).dtype))


_threshold = threshold  # (inside threshold(), the name is its argument)


@op("hardshrink", method=True, torch=True, functional=True)
def hardshrink(input, lambd: float = 0.5):
    """``x`` where ``|x| > lambd``, else 0 (the gradient at ``±lambd`` is 0)."""
    check_floating(input, "hardshrink")
    return where(xp.abs(raw(input)) > lambd, input, 0.0)


@op("softshrink", method=False, torch=False, functional=True)
def softshrink(input, lambd: float = 0.5):
    """``x`` moved ``lambd`` towards 0, and 0 within ``[-lambd, lambd]`` (gradient 0 there,
    bounds included)."""
    check_floating(input, "softshrink")
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be in range [0, inf) , but found {lambd}")
    values = raw(input)
    return where(xp.abs(values) > lambd, input - xp.sign(values) * lambd, 0.0)


@op("prelu", method=True, torch=True, functional=True)
def prelu(input, weight):
    """``x`` where ``x > 0``, else ``weight * x``: a leaky ReLU whose slope is learned, one per
    channel (dimension 1) or one for all (the gradient at 0 is the slope, as PyTorch's)."""
    check_floating(input, "prelu")
    if not is_tensor(weight):
        raise TypeError(f"prelu(): argument 'weight' (position 2) must be Tensor, not "
                        f"{type(weight).__name__}")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = "
                           f"{weight.ndim}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    count = weight.numel()
    if input.ndim == 0 and count != 1:
        raise RuntimeError("prelu: Not allow zero-dim input tensor with more than one weight")
    if count != 1 and count != channels:
        raise RuntimeError(f"prelu: Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {count} and channel size = {channels}.")
    # one slope for all, or one per channel, broadcast along the dimensions after the channels
    slope = weight.reshape(()) if count == 1 else weight.reshape((count,) + (1,) * (input.ndim - 2))
    return where(raw(input) > 0, input, slope * input)


@op("rrelu", method=False, torch=True, functional=True)
def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False, *, generator=None):
    """Randomized leaky ReLU: negative values are scaled by a slope drawn uniformly from
    ``[lower, upper]`` for each element in training, by ``(lower + upper) / 2`` otherwise."""
    check_floating(input, "rrelu")
    if lower > upper:
        raise RuntimeError(f"rrelu: Lower bound should be less than or equal to the upper bound, got "
                           f"lower={lower} > upper={upper}")
    if inplace:
        return in_place(rrelu, "rrelu", input, lower, upper, training, generator=generator)
    if not training:
        return leaky_relu(input, (lower + upper) / 2)
    from ..random import numpy_generator
    slopes = numpy_generator(generator, "rrelu").uniform(lower, upper, input.shape)
    return where(raw(input) > 0, input, input * slopes.astype(input.dtype))
