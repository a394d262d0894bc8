"""Functions on tensors in PyTorch's ``torch.nn.functional`` style: activations and losses.

>>> import minigrad as mg
>>> import minigrad.functional as F
>>> F.relu(mg.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""
from __future__ import annotations

from .ops import elementwise as E
from .ops import linalg as L
from .tensor import Tensor


def relu(x: Tensor) -> Tensor:
    return x.relu()


def sigmoid(x: Tensor) -> Tensor:
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return E.LeakyRelu.apply(x, negative_slope=negative_slope)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    return E.Gelu.apply(x, approximate=approximate)


def softmax(x: Tensor, dim: int) -> Tensor:
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return x.log_softmax(dim)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` as one op (weight shaped (out_features, in_features))."""
    if bias is None:
        return L.Linear.apply(x, weight)
    return L.Linear.apply(x, weight, bias)
