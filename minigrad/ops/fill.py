"""In-place fills: ``fill_ zero_ copy_`` and the random ones ``uniform_ normal_ bernoulli_
random_ exponential_`` (what ``nn.init`` and hand-written initialisations call).

Each writes into the tensor's memory, so that a view's fill reaches its base (``x[0].fill_(1)``
on a matrix, ``x.view(-1).zero_()``), and bumps the version counter shared with the views.  As
in PyTorch the values are cast to the tensor's dtype (``fill_(2.7)`` on an int64 tensor writes
2), and the write is recorded when the tensor requires grad (a non-leaf; a leaf that requires
grad is refused, as everywhere): the old values then get a zero gradient, and ``copy_``'s
source (or ``fill_``'s 0-d tensor) gets the gradient of what it became.
"""
from __future__ import annotations

from .. import inplace
from ..backend import xp
from ..engine import increment_version, is_tensor
from ..grad_mode import grad_state
from ..random import numpy_generator
from .array_or_tensor import raw
from .elementwise import where
from .registry import op


def _replaced(x, value):
    """``value`` everywhere in place of ``x``: the recorded form of a fill (the gradient goes to
    ``value``, none to ``x``)."""
    return where(xp.ones(x.shape, dtype=bool), value, x)


def _write(tensor, value, op_name: str):
    """Write ``value`` (a number, an array or a tensor, broadcast to the tensor's shape) into
    ``tensor`` in place, cast to its dtype; recorded when a gradient must flow."""
    floating = tensor.dtype.kind in "fc"
    if floating and grad_state.enabled and (tensor.requires_grad or getattr(value, "requires_grad", False)):
        if is_tensor(value) and value.dtype != tensor.dtype:
            value = value.to(tensor.dtype)
        return inplace.method(_replaced, op_name[:-1])(tensor, value)
    try:
        tensor.data[...] = raw(value)
    except ValueError:
        raise RuntimeError(f"{op_name}: this tensor (shape {tuple(tensor.shape)}) cannot be written "
                           "in place: its memory is read-only or shared by several of its elements "
                           "(an expand); write into a clone() instead") from None
    increment_version(tensor)
    return tensor


def _float_only(tensor, op_name: str) -> None:
    if tensor.dtype.kind not in "fc":
        raise NotImplementedError(f"{op_name}: not implemented for dtype {tensor.dtype}: it draws "
                                  "floating point numbers (convert first, e.g. .float())")


@op("fill_", method=True, torch=True)
def fill_(input, value):
    """Every element set to ``value`` (a number or a 0-d tensor), in place."""
    if is_tensor(value) and value.ndim != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions (shape {tuple(value.shape)}); use copy_ to "
                           "write a tensor of values")
    if isinstance(value, complex) and input.dtype.kind != "c":
        raise RuntimeError(f"fill_: value {value} cannot be converted to type {input.dtype} without "
                           "overflow")
    return _write(input, value, "fill_")


@op("zero_", method=True, torch=True)
def zero_(input):
    """Every element set to 0, in place."""
    return _write(input, 0, "zero_")


@op("copy_", method=True, torch=False)
def copy_(input, src, non_blocking: bool = False):
    """``src``'s values written into this tensor, in place: broadcast to its shape and cast to
    its dtype.  Recorded: the gradient of this tensor flows back to ``src``."""
    if not is_tensor(src):
        raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not "
                        f"{type(src).__name__} (wrap it: mg.tensor(...))")
    try:
        shape = xp.broadcast_shapes(src.shape, input.shape)
    except ValueError:
        raise RuntimeError(f"copy_: the shape of src {tuple(src.shape)} does not broadcast to this "
                           f"tensor's {tuple(input.shape)}: each dimension, counted from the last, "
                           "must be equal or 1") from None
    if shape != input.shape:
        raise RuntimeError(f"copy_: output with shape {list(input.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}: src may not have more elements than this tensor")
    return _write(input, src, "copy_")


# ---------------------------------------------------------------------------------------------
# Random fills (from ``generator=`` or the default generator)
# ---------------------------------------------------------------------------------------------
def _range(args, kwargs, low_default, high_default, op_name: str):
    """``(from, to)`` of ``uniform_``/``random_``: positional, or by PyTorch's keyword names
    (``from`` is a Python keyword, so they arrive in ``kwargs``)."""
    unknown = set(kwargs) - {"from", "to"}
    if unknown or len(args) > 2:
        raise TypeError(f"{op_name}() takes (from, to) and generator=, got {len(args)} positional "
                        f"arguments and {sorted(kwargs)}")
    values = list(args) + [None] * (2 - len(args))
    low = kwargs.get("from", values[0])
    high = kwargs.get("to", values[1])
    return (low_default if low is None else low), (high_default if high is None else high)


@op("uniform_", method=True, torch=False)
def uniform_(input, *args, generator=None, **kwargs):
    """``uniform_(from=0, to=1)``: values drawn uniformly from [from, to), in place."""
    low, high = _range(args, kwargs, 0.0, 1.0, "uniform_")
    _float_only(input, "uniform_")
    if low > high:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={low} > "
                           f"to={high}")
    rng = numpy_generator(generator, "uniform_")
    return _write(input, rng.uniform(low, high, input.shape).astype(input.dtype), "uniform_")


@op("normal_", method=True, torch=False)
def normal_(input, mean: float = 0.0, std: float = 1.0, *, generator=None):
    """Values drawn from the normal distribution N(mean, std^2), in place."""
    _float_only(input, "normal_")
    if std < 0:
        raise RuntimeError(f"normal_ expects std >= 0.0, but found std {std}")
    rng = numpy_generator(generator, "normal_")
    return _write(input, rng.normal(mean, std, input.shape).astype(input.dtype), "normal_")


@op("bernoulli_", method=True, torch=False)
def bernoulli_(input, p=0.5, *, generator=None):
    """1 with probability ``p`` (a number, or a tensor broadcast to this one), else 0, in place."""
    probability = raw(p)
    if xp.any((probability < 0) | (probability > 1)) or xp.any(xp.isnan(probability)):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    rng = numpy_generator(generator, "bernoulli_")
    draw = rng.random(input.shape) < probability
    if draw.shape != input.shape:
        raise RuntimeError(f"bernoulli_: p of shape {xp.shape(probability)} does not broadcast to "
                           f"this tensor's shape {tuple(input.shape)}")
    return _write(input, draw.astype(input.dtype), "bernoulli_")


def _random_limit(dtype) -> int:
    """``random_()``'s exclusive upper end: every integer the dtype holds exactly, from 0."""
    if dtype.kind == "b":
        return 2
    if dtype.kind in "iu":
        return int(xp.iinfo(dtype).max) + 1
    return 2 ** (xp.finfo(dtype).nmant + 1) + 1


@op("random_", method=True, torch=False)
def random_(input, *args, generator=None, **kwargs):
    """Integers drawn uniformly, in place: ``random_()`` from 0 to the largest integer the dtype
    holds exactly, ``random_(to)`` from [0, to), ``random_(from, to)`` from [from, to)."""
    if len(args) == 1 and "to" not in kwargs:
        args = (0, args[0])
    low, high = _range(args, kwargs, 0, _random_limit(input.dtype), "random_")
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    rng = numpy_generator(generator, "random_")
    draw = rng.integers(low, high, size=input.shape, dtype=xp.uint64 if high > 2 ** 63 else xp.int64)
    return _write(input, draw.astype(input.dtype), "random_")


@op("exponential_", method=True, torch=False)
def exponential_(input, lambd: float = 1.0, *, generator=None):
    """Values drawn from the exponential distribution of rate ``lambd`` (density
    ``lambd e^(-lambd x)``), in place."""
    if input.dtype.kind != "f":
        raise RuntimeError(f"exponential_: Exponential distribution is a continuous probability "
                           f"distribution. dtype must be a floating point but you specified "
                           f"{input.dtype}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    rng = numpy_generator(generator, "exponential_")
    return _write(input, rng.exponential(1.0 / lambd, input.shape).astype(input.dtype), "exponential_")
