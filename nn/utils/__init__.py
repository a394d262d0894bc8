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

from minigrad import Tensor, cat, engine
from minigrad.backend import default_float, xp


def _as_list(parameters) -> list:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _vector_norm(array, norm_type: float):
    """``torch.linalg.vector_norm`` of an array, in its dtype (a 0-d array)."""
    magnitude = xp.abs(array)
    if norm_type == math.inf:
        return magnitude.max() if magnitude.size else xp.zeros((), magnitude.dtype)
    if norm_type == -math.inf:
        return magnitude.min()
    if norm_type == 0:
        return xp.asarray(xp.count_nonzero(magnitude), dtype=magnitude.dtype)
    return (magnitude ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors: Iterable[Tensor] | Tensor, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The norm of the tensors taken together (the norm of their norms), a 0-d tensor.

    ``foreach`` picks PyTorch's implementation, not its numbers: it has no effect here."""
    arrays = [t.data for t in _as_list(tensors)]
    if not arrays:
        return Tensor(xp.array(0.0, dtype=default_float()))
    norm_type = float(norm_type)
    norms = xp.stack([_vector_norm(a, norm_type) for a in arrays])
    total = xp.asarray(_vector_norm(norms, norm_type))
    if error_if_nonfinite and not xp.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           "is non-finite, so it cannot be clipped. To disable this error and "
                           "scale the gradients by the non-finite norm anyway, set "
                           "`error_if_nonfinite=False`")
    return Tensor(total)


def clip_grads_with_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                          total_norm: Tensor, foreach: bool | None = None) -> None:
    """Scale the gradients in place by ``min(1, max_norm / (total_norm + 1e-6))``."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    norm = total_norm.data if isinstance(total_norm, Tensor) else xp.asarray(total_norm)
    coefficient = xp.minimum(max_norm / (norm + 1e-6), 1.0)  # NaN stays NaN, as in PyTorch
    with xp.errstate(invalid="ignore"):  # inf * 0 is NaN, as in PyTorch, without numpy's warning
        for g in grads:
            g.data *= coefficient.astype(g.dtype)
            engine.increment_version(g)


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients in place so that their total norm (as if concatenated) is at most
    ``max_norm``; returns the total norm before clipping (a 0-d tensor), as PyTorch.

    >>> import minigrad as mg, nn
    >>> w = mg.zeros(2, requires_grad=True)
    >>> w.grad = mg.tensor([3.0, 4.0])
    >>> nn.utils.clip_grad_norm_([w], max_norm=1.0).item(), [round(g, 4) for g in w.grad.tolist()]
    (5.0, [0.6, 0.8])
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient into ``[-clip_value, clip_value]``, in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        if p.grad is not None:
            xp.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)
            engine.increment_version(p.grad)


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


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Slices of ``vec`` become the parameters' values, in order (each parameter's ``.data``
    is then a view of ``vec``'s memory, as in PyTorch)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected minigrad.Tensor, but got: {type(vec).__name__}")
    flat = vec.data.reshape(-1)
    start = 0
    for p in parameters:
        n = p.numel()
        piece = flat[start:start + n]
        if piece.size != n:
            raise RuntimeError(f"shape '{list(p.shape)}' is invalid for input of size {piece.size}: "
                               f"vec has {flat.size} values, fewer than the parameters hold")
        p.data = piece.reshape(p.shape)
        start += n


from . import rnn  # noqa: E402,F401  (nn.utils.rnn.pad_sequence, as torch.nn.utils.rnn)
