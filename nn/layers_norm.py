"""Normalization layers: ``BatchNorm1d LayerNorm GroupNorm RMSNorm``, over the functional forms
of minigrad/ops/norm.py, with PyTorch's arguments, buffers and reprs.

(``BatchNorm2d``/``3d`` are left out: they normalize the channels of images, and minigrad has no
convolutions to make them.)
"""
from __future__ import annotations

from collections.abc import Sequence

import minigrad.functional as F
from minigrad import Tensor
from minigrad.backend import default_float, int64, xp

from .module import Module, Parameter


def _register_affine(module: Module, shape, affine: bool, bias: bool, dtype) -> None:
    """A normalization's scale ``weight`` (ones) and shift ``bias`` (zeros), or None for each
    one that is not wanted."""
    module.register_parameter("weight", Parameter(xp.ones(shape, dtype=dtype)) if affine else None)
    module.register_parameter("bias", Parameter(xp.zeros(shape, dtype=dtype))
                              if affine and bias else None)


def _normalized_shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(normalized_shape)


class BatchNorm1d(Module):
    """Normalize each feature over the batch: ``(x - mean) / sqrt(var + eps) * weight + bias``.

    Input (N, C) or (N, C, L).  In training the batch statistics are used (biased variance) and
    the running ones updated: ``running = (1 - momentum) running + momentum * batch`` with the
    unbiased variance, as PyTorch; ``momentum=None`` makes it the cumulative average over the
    ``num_batches_tracked`` batches seen.  In eval the running statistics are used (the batch's
    when ``track_running_stats=False``).

    >>> import minigrad as mg, nn
    >>> bn = nn.BatchNorm1d(2)
    >>> bn(mg.tensor([[1.0, 2.0], [3.0, 6.0]])).round(decimals=3).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> [round(v, 3) for v in bn.running_mean.tolist()], int(bn.num_batches_tracked)
    ([0.2, 0.4], 1)
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None,
                 *, bias: bool = True) -> None:
        super().__init__()
        dtype = dtype or default_float()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.use_bias = affine and bias
        _register_affine(self, num_features, affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(xp.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(xp.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(xp.array(0, dtype=int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.data[...] = 1
        if self.bias is not None:
            self.bias.data[...] = 0

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (2, 3):
            raise ValueError(f"BatchNorm1d: expected 2D or 3D input (got {x.ndim}D input)")
        if x.shape[1] != self.num_features:
            raise RuntimeError(f"BatchNorm1d: running_mean should contain {x.shape[1]} elements "
                               f"not {self.num_features} (the input of shape {list(x.shape)} has "
                               f"{x.shape[1]} features, the layer was built for {self.num_features})")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:  # a cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.data)
        use_batch = self.training or not self.track_running_stats
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            use_batch, momentum, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.use_bias}, "
                f"track_running_stats={self.track_running_stats}")


class LayerNorm(Module):
    """Normalize over the last dimensions (``normalized_shape``) of each sample, biased variance,
    then scale and shift elementwise (``F.layer_norm``)."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        dtype = dtype or default_float()
        self.normalized_shape = _normalized_shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        self.use_bias = elementwise_affine and bias
        _register_affine(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.use_bias}")


class GroupNorm(Module):
    """Normalize each sample's groups of channels of (N, C, *) (``F.group_norm``), then scale
    and shift per channel."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, eps, affine
        self.use_bias = affine and bias
        _register_affine(self, num_channels, affine, bias, dtype or default_float())

    def forward(self, x: Tensor) -> Tensor:
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.use_bias}")


class RMSNorm(Module):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last dimensions (``F.rms_norm``);
    ``eps=None`` is the machine epsilon of the input's dtype."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float | None = None,
                 elementwise_affine: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.normalized_shape = _normalized_shape(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        _register_affine(self, self.normalized_shape, elementwise_affine, False,
                         dtype or default_float())

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
