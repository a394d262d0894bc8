"""Dropout, as ``torch.nn.functional``'s: ``dropout`` and ``alpha_dropout``.

Both are composites (a random mask, then a product and a sum), so their gradients are those
ops': the mask's scale for what was kept, zero for what was dropped.  ``inplace=True`` writes
the result into the input (``x.mul_``), version-counted and recorded as PyTorch records it: a
leaf that requires grad is refused.
"""
from __future__ import annotations

from ..backend import xp
from .registry import op

# SELU's alpha times its scale: the value a SELU network's activations take for a very
# negative input, which alpha dropout gives the dropped units (Klambauer et al., 2017)
_ALPHA_PRIME = 1.7580993408473766


def _checked_p(p) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return p


def _keep_mask(shape, p: float):
    """True with probability ``1 - p``, from minigrad's seeded generator."""
    from ..creation import generator  # (creation imports the tensor, which imports the ops)

    return generator().random(shape, dtype=xp.float32) >= p


@op("dropout", method=False, torch=False, functional=True)
def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Inverted dropout: each element is zeroed with probability ``p`` and the survivors are
    scaled by ``1 / (1 - p)``, so that nothing changes at evaluation (``training=False``)."""
    _checked_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        scale = xp.zeros((), dtype=input.dtype)
    else:
        scale = _keep_mask(input.shape, p).astype(input.dtype) * input.dtype.type(1.0 / (1.0 - p))
    return input.mul_(scale) if inplace else input * scale


@op("alpha_dropout", method=False, torch=False, functional=True)
def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Dropout for SELU networks: a dropped unit takes SELU's negative saturation value
    ``-alpha'``, then ``a * x + b`` restores zero mean and unit variance (for inputs of zero
    mean and unit variance), with ``a = ((1 - p)(1 + p alpha'^2))^(-1/2)`` and
    ``b = a alpha' p``.  The identity unless ``training`` (False by default, as PyTorch)."""
    _checked_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    keep = _keep_mask(input.shape, p).astype(input.dtype)
    a = 1.0 / ((_ALPHA_PRIME ** 2 * p + 1) * (1 - p)) ** 0.5
    # kept: a x + a alpha' p;  dropped: -a alpha' + a alpha' p
    shift = ((keep - 1) * (_ALPHA_PRIME * a) + _ALPHA_PRIME * a * p).astype(input.dtype)
    scale = (keep * a).astype(input.dtype)
    if inplace:
        return input.mul_(scale).add_(shift)
    return input * scale + shift
