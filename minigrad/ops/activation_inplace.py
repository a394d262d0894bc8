"""PyTorch's in-place activations of ``torch.nn.functional``: ``F.relu_(x)`` is
``F.relu(x, inplace=True)``: the result written into ``x`` (version-counted, and recorded when a
gradient must flow, see minigrad/inplace.py), and ``x`` returned."""
from __future__ import annotations

from .activation import leaky_relu, relu
from .activation_piecewise import hardtanh, rrelu, threshold
from .activation_smooth import celu, elu, selu
from .registry import op


@op("relu_", method=False, torch=True, functional=True)
def relu_(input):
    return relu(input, inplace=True)


@op("elu_", method=False, torch=False, functional=True)
def elu_(input, alpha: float = 1.0):
    return elu(input, alpha, inplace=True)


@op("selu_", method=False, torch=True, functional=True)
def selu_(input):
    return selu(input, inplace=True)


@op("celu_", method=False, torch=True, functional=True)
def celu_(input, alpha: float = 1.0):
    return celu(input, alpha, inplace=True)


@op("leaky_relu_", method=False, torch=False, functional=True)
def leaky_relu_(input, negative_slope: float = 0.01):
    return leaky_relu(input, negative_slope, inplace=True)


@op("hardtanh_", method=False, torch=False, functional=True)
def hardtanh_(input, min_val: float = -1.0, max_val: float = 1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


@op("threshold_", method=False, torch=True, functional=True)
def threshold_(input, threshold: float, value: float):
    return _threshold(input, threshold, value, inplace=True)


_threshold = threshold  # (inside threshold_(), the name is its argument)


@op("rrelu_", method=False, torch=True, functional=True)
def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, *,
           generator=None):
    return rrelu(input, lower, upper, training, inplace=True, generator=generator)
