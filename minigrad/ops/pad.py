"""``F.pad``: PyTorch's padding, its pad tuple given from the last dimension backwards.

Every mode is one rule: along each padded dimension, output position j copies input element
``source[j]`` (``-1``: none, the constant ``value`` goes there).  'constant' copies j itself
inside the tensor; 'reflect' mirrors j at the edges (the edge itself not repeated);
'replicate' clamps j to the edge; 'circular' wraps j around.  A negative pad crops.

So the forward is a take along each dimension, and the backward adds each output gradient onto
the element it copied (:class:`PadBackward`), whose own backward is the take again (with 0 for
the constant): second order comes for free, for every mode.
"""
from __future__ import annotations

from ..backend import int64, xp
from ..engine import Function, is_tensor
from .array_or_tensor import raw
from .registry import op

MODES = ("constant", "reflect", "replicate", "circular")


def _take(x, maps: tuple, value):
    """Along each dimension with a map, the elements the map names (``value`` at -1)."""
    for k, source in enumerate(maps):
        if source is None:
            continue
        shape = x.shape[:k] + (len(source),) + x.shape[k + 1:]
        if x.shape[k] == 0:  # nothing to copy: every position takes the constant
            x = xp.full(shape, value, dtype=x.dtype)
            continue
        fill = source < 0
        x = xp.take(x, xp.where(fill, 0, source), axis=k)
        if fill.any():
            x[(slice(None),) * k + (fill,)] = value
    return x


def _add_back(grad, maps: tuple, shape: tuple):
    """The adjoint of ``_take``: each gradient added onto the element it was copied from."""
    for k in reversed(range(len(maps))):
        source = maps[k]
        if source is None:
            continue
        valid = source >= 0
        moved = xp.moveaxis(grad, k, 0)
        out = xp.zeros((shape[k],) + moved.shape[1:], dtype=grad.dtype)
        targets = source[valid]
        if targets.size == xp.unique(targets).size:  # each element copied once ('constant'): a write
            out[targets] = moved[valid]
        else:  # (reflect, replicate, circular copy some elements twice: their gradients add up)
            xp.add.at(out, targets, moved[valid])
        grad = xp.moveaxis(out, 0, k)
    return xp.ascontiguousarray(grad)


class Pad(Function):
    __slots__ = ("maps", "value", "mode")
    name = "pad"
    caption = "grad_in = grad_out added back onto the elements each output element copies"
    reads = ()

    def __init__(self, maps: tuple, value, mode: str):
        self.maps, self.value, self.mode = maps, value, mode

    def options(self):
        return {"mode": self.mode}

    def forward(self, x):
        out = _take(x, self.maps, self.value)
        return out.copy() if out is x else out  # (nothing padded: still a tensor of its own)

    def backward(self, grad, inputs, output):
        shape = raw(inputs[0]).shape
        if is_tensor(grad):
            return (PadBackward.apply(grad, maps=self.maps, shape=shape),)
        return (_add_back(grad, self.maps, shape),)


class PadBackward(Function):
    """pad's backward as an op of its own, so that it can be differentiated again."""

    __slots__ = ("maps", "shape")
    name = "pad_backward"
    caption = "grad_in = grad_out read at the padded positions (0 where the constant was)"
    reads = ()

    def __init__(self, maps: tuple, shape: tuple):
        self.maps, self.shape = maps, shape

    def forward(self, grad):
        return _add_back(grad, self.maps, self.shape)

    def backward(self, grad, inputs, output):
        if is_tensor(grad):
            return (Pad.apply(grad, maps=self.maps, value=0, mode="constant"),)
        return (_take(grad, self.maps, 0),)


def _source(mode: str, n: int, before: int, after: int):
    """The map of one dimension of size n padded by (before, after)."""
    if mode == "circular":  # PyTorch crops first, then wraps around what is left
        low, high = max(0, -before), n - max(0, -after)
        kept = high - low
        if max(before, 0) > kept or max(after, 0) > kept:
            raise RuntimeError(f"pad: padding ({before}, {after}) of a dimension of size {n} in "
                               "'circular' mode: padding value causes wrapping around more than once")
        return low + xp.arange(-max(before, 0), kept + max(after, 0), dtype=int64) % max(kept, 1)
    j = xp.arange(-before, n + after, dtype=int64)
    if mode == "constant":
        return xp.where((j >= 0) & (j < n), j, -1)
    if mode == "replicate":
        return xp.clip(j, 0, n - 1)
    if before >= n or after >= n:  # reflect
        raise RuntimeError(f"pad: padding size should be less than the corresponding input dimension "
                           f"in 'reflect' mode, but got padding ({before}, {after}) at a dimension "
                           f"of size {n}")
    period = 2 * (n - 1)
    if period == 0:
        return xp.zeros_like(j)
    j = xp.abs(j) % period
    return xp.where(j < n, j, period - j)


def _check_non_constant(mode: str, input, pairs: int, value) -> None:
    if value is not None and value != 0:
        raise RuntimeError(f"pad: padding mode {mode!r} doesn't take in value argument (only "
                           "'constant' fills with a value)")
    if input.ndim not in (pairs + 1, pairs + 2):
        raise NotImplementedError(
            f"pad: padding size {2 * pairs} is not supported for {input.ndim}D input tensor in "
            f"{mode!r} mode. Supported: 2D or 3D input with padding size 2 (pads the last "
            "dimension), 3D or 4D with size 4 (the last 2), 4D or 5D with size 6 (the last 3)")
    if mode != "circular" and 0 in input.shape[input.ndim - pairs - 1:]:
        raise RuntimeError(f"pad: expected a tensor with possibly 0 batch size and other non-zero "
                           f"dimensions in {mode!r} mode, but got shape {list(input.shape)}")


@op("pad", method=False, torch=False, functional=True)
def pad(input, pad, mode: str = "constant", value=None):
    """``input`` padded: ``pad = (left, right)`` pads the last dimension, ``(left, right, top,
    bottom)`` the last two, and so on (negative values crop).

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.pad(mg.tensor([[1., 2., 3.]]), (1, 2), mode='reflect')
    tensor([[2., 1., 2., 3., 2., 1.]])
    """
    if not is_tensor(input):
        raise TypeError(f"pad(): argument 'input' must be a Tensor, not {type(input).__name__}")
    pad = tuple(pad)
    for position, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, (int, xp.integer)):
            raise TypeError(f"pad(): argument 'pad' must be a tuple of ints, but found element of "
                            f"type {type(p).__name__} at pos {position}")
    if len(pad) % 2:
        raise RuntimeError(f"pad: padding length must be divisible by 2, got {pad}: give a (before, "
                           "after) pair per dimension, the last dimension first")
    pairs = len(pad) // 2
    if pairs > input.ndim:
        raise RuntimeError(f"pad: padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension {input.ndim}")
    if mode not in MODES:
        raise NotImplementedError(f"pad: unrecognised padding mode {mode!r} (one of {', '.join(MODES)})")
    if mode != "constant":
        _check_non_constant(mode, input, pairs, value)
    maps = [None] * input.ndim
    for i in range(pairs):
        k = input.ndim - 1 - i
        before, after = int(pad[2 * i]), int(pad[2 * i + 1])
        if input.shape[k] + before + after < 0:
            raise RuntimeError(f"pad: padding ({before}, {after}) leaves a negative size at dimension "
                               f"{k} (size {input.shape[k]}): the crop is larger than the dimension")
        if before or after:
            maps[k] = _source(mode, input.shape[k], before, after)
    return Pad.apply(input, maps=tuple(maps), value=0 if value is None else value, mode=mode)


def pad_to(x, shape: tuple):
    """``x`` (an array or a Tensor) padded with zeros at the end of each dimension to ``shape``."""
    maps = tuple(None if n == m else xp.where(xp.arange(m) < n, xp.arange(m), -1)
                 for n, m in zip(x.shape, shape))
    if is_tensor(x):
        return Pad.apply(x, maps=maps, value=0, mode="constant")
    return _take(x, maps, 0)
