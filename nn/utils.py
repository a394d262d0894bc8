"""Gradient clipping and the regularization terms of the notes (L2, L1, elastic net).

Regularization is one line on the loss::

    loss = F.cross_entropy(model(x), y) + nn.utils.l2_penalty(model.parameters(), 1e-4)
    loss = loss + sum(p.abs().sum() for p in model.parameters()) * 1e-5    # L1, by hand

``SGD(weight_decay=wd)`` takes the same step as adding ``l2_penalty(params, wd)``, which is
``wd / 2 * ||w||^2`` (its gradient is ``wd * w``).
"""
from __future__ import annotations

import math
from collections.abc import Iterable

from minigrad import Tensor, cat
from minigrad.backend import default_float, xp


def _as_list(parameters) -> list:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> Tensor:
    """Scale the gradients in place so that their total norm (as if concatenated) is at most
    ``max_norm``; returns the total norm before clipping (a 0-d tensor), as PyTorch."""
    grads = [p.grad.data for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return Tensor(xp.array(0.0, dtype=default_float()))
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        total = max(float(xp.abs(g).max()) if g.size else 0.0 for g in grads)
    else:
        total = sum(float((xp.abs(g) ** norm_type).sum()) for g in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the "
                           "gradients is non-finite, so it cannot be clipped")
    coefficient = max_norm / (total + 1e-6)
    if coefficient < 1:
        for g in grads:
            g *= coefficient
    return Tensor(xp.array(total, dtype=grads[0].dtype))


def l2_penalty(parameters: Iterable[Tensor], weight_decay: float) -> Tensor:
    """``weight_decay / 2 * sum ||w||^2``: the L2 term whose gradient is ``weight_decay * w``."""
    return sum((p * p).sum() for p in _as_list(parameters)) * (weight_decay / 2)


def l1_penalty(parameters: Iterable[Tensor], strength: float) -> Tensor:
    """``strength * sum |w|``: the L1 term (its gradient, ``strength * sign(w)``, makes weights
    sparse)."""
    return sum(p.abs().sum() for p in _as_list(parameters)) * strength


def elastic_net_penalty(parameters: Iterable[Tensor], l1: float, l2: float) -> Tensor:
    """``l1 * sum |w| + l2 * sum w^2`` (the notes' elastic net)."""
    params = _as_list(parameters)
    return sum(p.abs().sum() * l1 + (p * p).sum() * l2 for p in params)


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and joined into one vector, as PyTorch: a graph op, so a loss
    written on the vector sends its gradient back to each parameter."""
    return cat([p.reshape(-1) for p in parameters])
