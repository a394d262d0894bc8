"""Layers: Linear, containers, activations, dropout, normalization, and the MLP."""
from __future__ import annotations

import math
from collections.abc import Sequence

import minigrad.functional as F
from minigrad import Tensor, no_grad
from minigrad.backend import default_float, int64, xp

from . import init
from .containers import ModuleList, Sequential  # noqa: F401 (their home before containers.py)
from .module import Module, Parameter


class Linear(Module):
    """``y = x W^T + b`` with W of shape (out_features, in_features), one fused op.

    Initialized as PyTorch does: W and b uniform in ``(-1/sqrt(in), 1/sqrt(in))`` (that is
    ``kaiming_uniform_(a=sqrt(5))``), drawn from minigrad's seeded generator.

    >>> import minigrad as mg, nn
    >>> layer = nn.Linear(3, 2)
    >>> layer(mg.ones(4, 3)).shape
    torch.Size([4, 2])
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=None) -> None:
        super().__init__()
        for n in (in_features, out_features):
            if isinstance(n, bool) or not isinstance(n, int):
                raise TypeError(f"Linear: in_features and out_features must be ints, got "
                                f"({in_features!r}, {out_features!r})")
        if in_features < 0 or out_features < 0:
            raise RuntimeError(f"Linear: in_features and out_features must be non-negative, got "
                               f"({in_features}, {out_features})")
        self.in_features = in_features
        self.out_features = out_features
        dtype = dtype or default_float()
        self.weight = Parameter(xp.empty((out_features, in_features), dtype=dtype))  # PyTorch's (out, in)
        if bias:
            self.bias = Parameter(xp.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


# ---------------------------------------------------------------------------------------------
# Activations and shape helpers
# ---------------------------------------------------------------------------------------------
class Identity(Module):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, x):
        return x


class ReLU(Module):
    """``max(0, x)``."""

    def forward(self, x):
        return F.relu(x)


class Sigmoid(Module):
    """``1 / (1 + e^-x)``."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class LeakyReLU(Module):
    """``x`` for x > 0, ``negative_slope * x`` otherwise."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class GELU(Module):
    """``x * Phi(x)`` (``approximate='tanh'`` for the tanh approximation)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class _SoftmaxOverDim(Module):
    """Softmax and LogSoftmax: a normalization over ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def _dim_of(self, x: Tensor) -> int:
        if self.dim is not None:
            return self.dim
        # PyTorch's rule when built without dim (it warns; we follow it silently).
        return 0 if x.ndim in (0, 1, 3) else 1

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_SoftmaxOverDim):
    def forward(self, x):
        return F.softmax(x, self._dim_of(x))


class LogSoftmax(_SoftmaxOverDim):
    def forward(self, x):
        return F.log_softmax(x, self._dim_of(x))


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Inverted dropout in training (zero with probability p, scale survivors by 1/(1-p));
    the identity in eval mode.  ``inplace=True`` overwrites the input (``F.dropout``'s)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


# ---------------------------------------------------------------------------------------------
# Normalization
# ---------------------------------------------------------------------------------------------
def _register_affine(module: Module, shape, affine: bool, bias: bool, dtype) -> None:
    """A normalization's scale ``weight`` (ones) and shift ``bias`` (zeros), or None for each
    one that is not wanted."""
    module.register_parameter("weight", Parameter(xp.ones(shape, dtype=dtype)) if affine else None)
    module.register_parameter("bias", Parameter(xp.zeros(shape, dtype=dtype))
                              if affine and bias else None)


class BatchNorm1d(Module):
    """Normalize each feature over the batch: ``(x - mean) / sqrt(var + eps) * weight + bias``.

    Input (N, C) or (N, C, L).  In training the batch statistics are used (biased variance) and
    the running ones updated: ``running = (1 - momentum) running + momentum * batch`` with the
    unbiased variance, as PyTorch; in eval the running statistics are used.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, dtype=None, *,
                 bias: bool = True) -> None:
        super().__init__()
        dtype = dtype or default_float()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.use_bias = bias
        _register_affine(self, num_features, affine, bias, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(xp.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(xp.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(xp.array(0, dtype=int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d: expected input of shape (N, {self.num_features}) or "
                             f"(N, {self.num_features}, L), got {x.shape}")
        dims = (0,) if x.ndim == 2 else (0, 2)
        shape = (1, -1) if x.ndim == 2 else (1, -1, 1)
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            count = x.shape[0] * (1 if x.ndim == 2 else x.shape[2])
            if count <= 1 and self.training:
                raise ValueError(f"BatchNorm1d: expected more than 1 value per channel when "
                                 f"training, got input of shape {x.shape}")
            mean = x.mean(dims, keepdim=True)
            centered = x - mean
            var = (centered * centered).mean(dims, keepdim=True)
            if self.training and self.track_running_stats:
                self._update_running(mean.data.reshape(-1), var.data.reshape(-1), count)
            out = centered / (var + self.eps).sqrt()
        else:
            mean = self.running_mean.data.reshape(shape)
            std = xp.sqrt(self.running_var.data + self.eps).reshape(shape)
            out = (x - mean) / std
        if self.weight is not None:
            out = out * self.weight.reshape(shape)
        if self.bias is not None:
            out = out + self.bias.reshape(shape)
        return out

    def _update_running(self, mean, var, count: int) -> None:
        with no_grad():
            self.num_batches_tracked.data += 1
            momentum = self.momentum
            if momentum is None:  # a cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.data)
            unbiased = var * (count / (count - 1))
            rm, rv = self.running_mean.data, self.running_var.data
            rm *= 1 - momentum
            rm += momentum * mean
            rv *= 1 - momentum
            rv += momentum * unbiased

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.use_bias}, "
                f"track_running_stats={self.track_running_stats}")


class LayerNorm(Module):
    """Normalize over the last dimensions (``normalized_shape``) of each sample, biased variance,
    then scale and shift elementwise."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, dtype=None) -> None:
        super().__init__()
        dtype = dtype or default_float()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps, self.elementwise_affine, self.use_bias = eps, elementwise_affine, bias
        _register_affine(self, self.normalized_shape, elementwise_affine, bias, dtype)

    def forward(self, x: Tensor) -> Tensor:
        k = len(self.normalized_shape)
        if tuple(x.shape[-k:]) != self.normalized_shape:
            raise ValueError(f"LayerNorm: expected input whose last dimensions are "
                             f"{self.normalized_shape}, got shape {x.shape}")
        dims = tuple(range(x.ndim - k, x.ndim))
        centered = x - x.mean(dims, keepdim=True)
        var = (centered * centered).mean(dims, keepdim=True)
        out = centered / (var + self.eps).sqrt()
        if self.weight is not None:
            out = out * self.weight
        if self.bias is not None:
            out = out + self.bias
        return out

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.use_bias}")


# ---------------------------------------------------------------------------------------------
# The multilayer perceptron
# ---------------------------------------------------------------------------------------------
_ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU, "gelu": GELU}


class MLP(Module):
    """Linear layers with an activation (and optional dropout) after each hidden layer, none
    after the last: ``Linear -> act -> [Dropout] -> ... -> Linear``; ``dtype`` is the
    parameters' (float32 unless given).

    Parameters are named ``layers.0.weight``, ``layers.0.bias``, ``layers.1.weight``...

    >>> import minigrad as mg, nn
    >>> model = nn.MLP(784, [256, 256], 10)
    >>> [tuple(p.shape) for p in model.parameters()][:2]
    [(256, 784), (256,)]
    >>> model(mg.zeros(5, 784)).shape
    torch.Size([5, 10])
    """

    def __init__(self, in_features: int, hidden_sizes: Sequence[int] | int, out_features: int,
                 activation: str = "relu", dropout: float = 0.0, dtype=None) -> None:
        super().__init__()
        if isinstance(hidden_sizes, int):
            hidden_sizes = [hidden_sizes]
        if activation not in _ACTIVATIONS:
            raise ValueError(f"MLP: activation must be one of {sorted(_ACTIVATIONS)}, got "
                             f"{activation!r}")
        sizes = [in_features, *hidden_sizes, out_features]
        self.layers = ModuleList(Linear(a, b, dtype=dtype) for a, b in zip(sizes[:-1], sizes[1:]))
        self.activation = _ACTIVATIONS[activation]()
        self.dropout = Dropout(dropout) if dropout > 0 else None

    def forward(self, x: Tensor) -> Tensor:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < last:
                x = self.activation(x)
                if self.dropout is not None:
                    x = self.dropout(x)
        return x
