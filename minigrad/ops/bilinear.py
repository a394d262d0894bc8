"""``F.bilinear`` / ``torch.bilinear``: ``y_k = x1^T A_k x2 + b_k``, the layer of ``nn.Bilinear``.

A composite: one einsum (``...i,kij,...j->...k``), whose gradient is two einsums more.
"""
from __future__ import annotations

from ..engine import is_tensor
from .linalg_einsum import einsum
from .registry import op


def _check(input1, input2, weight, bias) -> None:
    for what, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not is_tensor(t):
            raise TypeError(f"bilinear(): argument '{what}' must be Tensor, not {type(t).__name__}")
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional (out_features, in1_features, "
                           f"in2_features), got shape {list(weight.shape)}")
    if input1.ndim != input2.ndim or input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    if input1.ndim == 0:
        raise RuntimeError("bilinear(): the inputs must have at least one dimension (the features)")
    for what, size, expected in (("input1", input1.shape[-1], weight.shape[1]),
                                 ("input2", input2.shape[-1], weight.shape[2])):
        if size != expected:
            raise RuntimeError(f"bilinear(): {what} size does not match weight size: got {size} "
                               f"but expected {expected}")
    if bias is not None and (not is_tensor(bias) or tuple(bias.shape) != (weight.shape[0],)):
        got = list(bias.shape) if is_tensor(bias) else type(bias).__name__
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {got} but "
                           f"expected [{weight.shape[0]}]")


@op("bilinear", method=False, torch=True, functional=True)
def bilinear(input1, input2, weight, bias=None):
    """``x1^T A_k x2 + b_k`` for each output feature k; ``weight`` is (out, in1, in2), the inputs
    (*, in1) and (*, in2) with the same leading dims.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.bilinear(mg.tensor([[1.0, 2.0]]), mg.tensor([[3.0]]), mg.ones(1, 2, 1))
    tensor([[9.]])
    """
    _check(input1, input2, weight, bias)
    out = einsum("...i,kij,...j->...k", input1, weight, input2)
    return out if bias is None else out + bias
