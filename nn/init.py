"""Weight initializations, named and defined as PyTorch's ``torch.nn.init``: each fills the
tensor in place (outside the graph, its version counter bumped) and returns it, drawing from
``generator=`` when given (an ``mg.Generator``), else from minigrad's default generator
(``mg.manual_seed``).  The numbers are minigrad's own, not PyTorch's; the distributions are
PyTorch's.

>>> import minigrad as mg, nn
>>> w = mg.zeros(3, 4)
>>> bound = nn.init.xavier_uniform_(w).abs().max().item()
>>> bound <= (6 / (3 + 4)) ** 0.5
True
"""
from __future__ import annotations

import math
import warnings

from minigrad import Tensor, creation, engine
from minigrad.backend import xp

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "zeros_",
           "ones_", "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
           "kaiming_normal_", "orthogonal_", "sparse_"]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps the variance of activations steady through a nonlinearity:
    1 for linear and sigmoid, 5/3 for tanh, sqrt(2) for relu, sqrt(2 / (1 + slope^2)) for
    leaky_relu (slope 0.01 unless ``param``), 3/4 for selu.

    >>> import nn
    >>> round(nn.init.calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    """
    if nonlinearity in _LINEAR:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif (isinstance(param, int) and not isinstance(param, bool)) or isinstance(param, float):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4  # the value PyTorch chose for self-normalizing networks
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _rng(generator, op: str):
    """numpy's generator behind ``generator`` (an ``mg.Generator``; None: the default one)."""
    if generator is None:
        return creation.generator()
    rng = getattr(generator, "_rng", None)
    if not isinstance(rng, xp.random.Generator):
        raise TypeError(f"{op}(): argument 'generator' must be a minigrad Generator "
                        f"(mg.Generator()), not {type(generator).__name__}")
    return rng


def _floating(tensor: Tensor, op: str) -> None:
    if tensor.dtype.kind not in "fc":
        raise NotImplementedError(f"{op}: not implemented for a tensor of dtype {tensor.dtype}: "
                                  "random values need a floating tensor (e.g. mg.zeros(3, 4))")


def _fill(tensor: Tensor, values) -> Tensor:
    """Write ``values`` into ``tensor`` in place, in its own dtype, outside the graph (as
    PyTorch's init runs under no_grad), and bump its version."""
    tensor.data[...] = values
    engine.increment_version(tensor)
    return tensor


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple:
    """``(fan_in, fan_out)``: inputs and outputs of each unit, a weight being (out, in, *kernel)."""
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (this one has shape {tuple(tensor.shape)})")
    receptive = 1
    for n in tensor.shape[2:]:
        receptive *= n
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with samples of U(a, b)."""
    _floating(tensor, "uniform_")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}")
    return _fill(tensor, _rng(generator, "uniform_").uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with samples of N(mean, std^2)."""
    _floating(tensor, "normal_")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(tensor, _rng(generator, "normal_").normal(mean, std, tensor.shape))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill with samples of N(mean, std^2) conditioned on [a, b]."""
    _floating(tensor, "trunc_normal_")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The "
                      "distribution of values may be incorrect.", stacklevel=2)
    low, high = (a - mean) / std, (b - mean) / std
    values = _standard_truncated(_rng(generator, "trunc_normal_"), tensor.numel(), low, high)
    return _fill(tensor, (mean + std * values).reshape(tensor.shape))


def _standard_truncated(rng, n: int, low: float, high: float):
    """``n`` samples of N(0, 1) conditioned on [low, high], by rejection from a proposal that
    keeps the acceptance rate high wherever the interval lies: the normal itself when the
    interval holds 0 and is wide; a uniform on the interval when it is narrow; an exponential
    from the near end for a tail (Robert, 1995)."""
    if high < 0:  # a left tail: the mirror image of a right one
        return -_standard_truncated(rng, n, -high, -low)
    rate = (low + math.sqrt(low * low + 4)) / 2 if low > 0 else 0.0
    if low <= 0 and high - low >= 2:
        def propose(k):
            z = rng.normal(0.0, 1.0, k)
            return z, xp.ones(k, dtype=bool)
    elif low <= 0 or high - low < 1 / rate:
        peak = 0.0 if low <= 0 else low  # the density's highest point on the interval

        def propose(k):
            z = rng.uniform(low, high, k)
            return z, rng.random(k) <= xp.exp((peak * peak - z * z) / 2)
    else:
        def propose(k):
            z = low + rng.exponential(1 / rate, k)
            return z, rng.random(k) <= xp.exp(-((z - rate) ** 2) / 2)
    values = xp.empty(n)
    todo = xp.arange(n)
    while todo.size:
        z, accepted = propose(todo.size)
        keep = accepted & (z >= low) & (z <= high)
        values[todo[keep]] = z[keep]
        todo = todo[~keep]
    return values


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    return _fill(tensor, 1)


def eye_(tensor: Tensor) -> Tensor:
    """The identity matrix (a 2-D tensor), keeping linear layers' inputs as they are."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, xp.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """The Dirac delta for a (3, 4 or 5-D) convolution weight: each output channel copies one
    input channel (per group of ``groups``)."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = tensor.shape[0] // groups
    values = xp.zeros(tensor.shape)
    centre = tuple(n // 2 for n in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per_group, tensor.shape[1])):
            values[(g * per_group + d, d, *centre)] = 1
    return _fill(tensor, values)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))`` (Glorot & Bengio, 2010)."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """N(0, std^2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def _empty(tensor: Tensor) -> bool:
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """U(-b, b) with ``b = gain * sqrt(3 / fan)`` (He et al., 2015); ``a`` is the slope of the
    leaky ReLU in the gain.  ``a = sqrt(5)`` gives ``b = 1 / sqrt(fan_in)``, nn.Linear's init."""
    if _empty(tensor):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """N(0, std^2) with ``std = gain / sqrt(fan)``."""
    if _empty(tensor):
        return tensor
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """A (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013): the Q of the QR
    decomposition of a Gaussian matrix, its columns' signs fixed by R's diagonal; a tensor of
    more than 2 dimensions is seen as (shape[0], the rest flattened)."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _rng(generator, "orthogonal_").normal(0.0, 1.0, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q = q * xp.sign(xp.diag(r))  # makes the decomposition unique: Q uniformly distributed
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """N(0, std^2) with a fraction ``sparsity`` of each column set to zero (Martens, 2010):
    ``ceil(sparsity * rows)`` zeros per column, at random rows."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    _floating(tensor, "sparse_")
    rows, cols = tensor.shape
    zeros = int(math.ceil(sparsity * rows))
    rng = _rng(generator, "sparse_")
    values = rng.normal(0.0, std, (rows, cols))
    for column in range(cols):
        values[rng.permutation(rows)[:zeros], column] = 0
    return _fill(tensor, values)
