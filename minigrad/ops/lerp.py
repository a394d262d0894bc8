"""``lerp(input, end, weight)``: linear interpolation, ``input + weight * (end - input)``.

A primitive: as a composition (sub, mul, add, and a ``where`` for a weight tensor) it took 4x
(a number weight) to 10x (a weight tensor) the time of this one op on (128, 256) float32.
"""
from __future__ import annotations

from ..backend import xp
from ..engine import Function, is_tensor
from .array_or_tensor import broadcast_error, operand, raw, unbroadcast
from .registry import op


class Lerp(Function):
    """From the nearer end, as PyTorch computes it, so that ``lerp(a, b, 1) == b`` exactly."""

    __slots__ = ()
    name = "lerp"
    caption = "grad_input = grad_out (1 - w), grad_end = grad_out w, grad_weight = grad_out (end - input)"
    reads = (0, 1, 2)

    def forward(self, start, end, weight):
        if not isinstance(weight, (int, float)):
            weight = weight.astype(start.dtype)  # (a 0-d weight of another float dtype)
        try:
            difference = end - start
        except ValueError:
            raise broadcast_error("lerp", start, end, weight) from None
        near_start = xp.abs(weight) < 0.5
        if isinstance(weight, (int, float)):
            return start + weight * difference if near_start else end - difference * (1 - weight)
        return xp.where(near_start, start + weight * difference, end - difference * (1 - weight))

    def backward(self, grad, inputs, output):
        start, end, weight = inputs
        p_start, p_end, p_weight = self.parents
        return (unbroadcast(grad * (1 - weight), start.shape) if p_start is not None else None,
                unbroadcast(grad * weight, end.shape) if p_end is not None else None,
                unbroadcast(grad * (end - start), weight.shape) if p_weight is not None else None)


@op("lerp", inplace=True)
def lerp(input, end, weight):
    """``input + weight * (end - input)``: the point ``weight`` of the way from ``input`` to
    ``end`` (``weight`` a number or a tensor; all three broadcast).

    >>> import minigrad as mg
    >>> mg.lerp(mg.tensor([0.0, 10.0]), mg.tensor([10.0, 20.0]), 0.25).tolist()
    [2.5, 12.5]
    """
    end, weight = operand(end), operand(weight)
    _check(input, end, weight)
    return Lerp.apply(input, end, float(weight) if isinstance(weight, int) else weight)


def _check(input, end, weight) -> None:
    """PyTorch's refusals: a float tensor to start from, an ``end`` tensor of its dtype, a
    weight of its dtype unless it is a number or a 0-d tensor, shapes that broadcast."""
    if not is_tensor(input):
        raise TypeError(f"lerp(): input must be a tensor, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"lerp: not implemented for {input.dtype} tensors; convert "
                                  "them first, e.g. x.float()")
    if not is_tensor(end):
        raise TypeError(f"lerp(): end must be a tensor, got {type(end).__name__}")
    for what, value in (("end", end), ("weight", weight)):
        if is_tensor(value) and value.dtype != input.dtype and (what == "end" or value.ndim):
            raise RuntimeError(f"lerp: expected dtype {input.dtype} for `{what}` but got dtype "
                               f"{value.dtype} (convert it with .to({input.dtype}))")
    try:
        xp.broadcast_shapes(*(xp.shape(raw(v)) for v in (input, end, weight)))
    except ValueError:
        raise broadcast_error("lerp", *(raw(v) for v in (input, end, weight))) from None
