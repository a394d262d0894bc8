"""Layers: Linear, containers, activations, dropout, normalization, and the MLP."""
from __future__ import annotations

import math
from collections.abc import Sequence

import minigrad.functional as F
from minigrad import Tensor
from minigrad.backend import default_float, xp

from . import init
from .containers import ModuleList, Sequential  # noqa: F401 (their home before containers.py)
from .layers_norm import BatchNorm1d, LayerNorm  # noqa: F401 (their home before layers_norm.py)
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


class Bilinear(Module):
    """``y_k = x1^T A_k x2 + b_k`` with weight A of shape (out, in1, in2) (``F.bilinear``),
    initialized as PyTorch's: weight and bias uniform in ``(-1/sqrt(in1), 1/sqrt(in1))``.

    >>> import minigrad as mg, nn
    >>> nn.Bilinear(3, 2, 4)(mg.ones(5, 3), mg.ones(5, 2)).shape
    torch.Size([5, 4])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        dtype = dtype or default_float()
        self.weight = Parameter(xp.empty((out_features, in1_features, in2_features), dtype=dtype))
        if bias:
            self.bias = Parameter(xp.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.in1_features) if self.in1_features > 0 else 0
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


# ---------------------------------------------------------------------------------------------
# Activations and shape helpers
# ---------------------------------------------------------------------------------------------
class Identity(Module):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, x):
        return x


class ReLU(Module):
    """``max(0, x)`` (``inplace=True`` writes it into the input, as PyTorch's)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x):
        return F.relu(x, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """``1 / (1 + e^-x)``."""

    def forward(self, x):
        return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x):
        return F.tanh(x)


class LeakyReLU(Module):
    """``x`` for x > 0, ``negative_slope * x`` otherwise."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


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
