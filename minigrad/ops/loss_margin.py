"""Margin and embedding losses, each a composite of elementwise ops and reductions: soft margin,
multi-label soft margin, margin ranking, hinge embedding, cosine embedding and triplet margin.

Written as PyTorch defines them (arguments, defaults, shape rules, errors); a hinge is
``clamp(min=0)``, whose gradient at the kink is PyTorch's ``clamp_min``'s (1 at the bound).
"""
from __future__ import annotations

import math

from .elementwise import logaddexp, minimum, where
from .loss import BinaryCrossEntropyWithLogits
from .loss import reduce as reduce_losses
from .loss_common import as_tensor, broadcastable, check_reduction, float_input, legacy_reduction
from .registry import op


def _softplus(a):
    """``log(1 + e^a)``, without overflow."""
    return logaddexp(a, 0.0)


def _start(op_name: str, input, size_average, reduce, reduction: str) -> str:
    float_input(op_name, input)
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction(op_name, reduction)
    return reduction


@op("soft_margin_loss", method=False, torch=False, functional=True)
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """Two-class logistic loss for targets of +1 / -1: ``log(1 + e^(-y x))``.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> round(F.soft_margin_loss(mg.tensor([0.0]), mg.tensor([1.0])).item(), 4)  # log 2
    0.6931
    """
    reduction = _start("soft_margin_loss", input, size_average, reduce, reduction)
    target = as_tensor(target)
    broadcastable("soft_margin_loss", ("input", input), ("target", target))
    return reduce_losses(_softplus(-(target * input)), reduction)


@op("multilabel_soft_margin_loss", method=False, torch=False, functional=True)
def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean"):
    """One binary cross-entropy on logits per class, averaged over the C classes of the last
    dimension: ``mean_c [-(y_c log s(x_c) + (1 - y_c) log s(-x_c))] * weight_c``.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> round(F.multilabel_soft_margin_loss(mg.zeros(1, 3), mg.tensor([[1.0, 0.0, 1.0]])).item(), 4)
    0.6931
    """
    reduction = _start("multilabel_soft_margin_loss", input, size_average, reduce, reduction)
    if input.ndim == 0:
        raise IndexError("multilabel_soft_margin_loss: input must have a class dimension (its "
                         "last), got a 0-d tensor")
    target = as_tensor(target)
    named = [("input", input), ("target", target)]
    if weight is not None:
        weight = as_tensor(weight)
        named.append(("weight", weight))
    broadcastable("multilabel_soft_margin_loss", *named)
    fused = target.shape == input.shape and target.dtype == input.dtype and (
        weight is None or not weight.requires_grad)
    if fused:  # one node: binary cross-entropy on logits (the composite costs 5 times more)
        constant = None if weight is None else weight.data.astype(input.dtype, copy=False)
        losses = BinaryCrossEntropyWithLogits.apply(input, target, weight=constant)
    else:  # -log s(x) = softplus(-x), -log s(-x) = softplus(x)
        losses = target * _softplus(-input) + (1 - target) * _softplus(input)
        if weight is not None:
            losses = losses * weight
    losses = losses.sum(-1) * (1.0 / input.shape[-1])
    return reduce_losses(losses, reduction)


@op("margin_ranking_loss", method=False, torch=False, functional=True)
def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean"):
    """``max(0, -y (x1 - x2) + margin)``: ``y = 1`` asks for ``x1`` ranked above ``x2`` by at
    least ``margin``, ``y = -1`` for the reverse.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.margin_ranking_loss(mg.tensor([1.0]), mg.tensor([2.0]), mg.tensor([1.0])).item()
    1.0
    """
    reduction = _start("margin_ranking_loss", input1, size_average, reduce, reduction)
    input2, target = as_tensor(input2), as_tensor(target)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(f"margin_ranking_loss: input1, input2 and target must have the same "
                           f"number of dimensions, got shapes {input1.shape}, {input2.shape} and "
                           f"{target.shape}")
    broadcastable("margin_ranking_loss", ("input1", input1), ("input2", input2), ("target", target))
    return reduce_losses((-target * (input1 - input2) + margin).clamp(min=0.0), reduction)


@op("hinge_embedding_loss", method=False, torch=False, functional=True)
def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """For distances ``x`` and targets of +1 (similar) / -1 (dissimilar): ``x`` where ``y = 1``,
    ``max(0, margin - x)`` where ``y = -1`` (any other target counts both terms, as in PyTorch).

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.hinge_embedding_loss(mg.tensor([0.25, 0.25]), mg.tensor([1.0, -1.0]), reduction="none").tolist()
    [0.25, 0.75]
    """
    reduction = _start("hinge_embedding_loss", input, size_average, reduce, reduction)
    target = as_tensor(target)
    broadcastable("hinge_embedding_loss", ("input", input), ("target", target))
    below_margin = (margin - input).clamp(min=0.0)
    losses = where(target != 1, below_margin, 0.0) + where(target != -1, input, 0.0)
    return reduce_losses(losses, reduction)


def _cosine_shapes(input1, input2, target) -> None:
    if target.ndim not in (0, 1):
        raise RuntimeError(f"cosine_embedding_loss: target must be 0-D or 1-D (one +1/-1 per "
                           f"pair), got shape {target.shape}")
    wanted = target.ndim + 1
    if input1.ndim != wanted or input2.ndim != wanted:
        raise RuntimeError(f"cosine_embedding_loss: a {target.ndim}-D target expects {wanted}-D "
                           f"inputs, got inputs of shapes {input1.shape} and {input2.shape}")
    batch = broadcastable("cosine_embedding_loss", ("input1", input1), ("input2", input2))
    if target.ndim == 1:
        broadcastable("cosine_embedding_loss", ("the pairs", batch[:1]), ("target", target))


@op("cosine_embedding_loss", method=False, torch=False, functional=True)
def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean"):
    """For pairs of vectors (rows) and targets +1 / -1: ``1 - cos(x1, x2)`` where ``y = 1``,
    ``max(0, cos(x1, x2) - margin)`` where ``y = -1`` (0 for any other target).  The cosine is
    PyTorch's: ``x1 . x2 / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12))``.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> a = mg.tensor([[1.0, 0.0]])
    >>> round(F.cosine_embedding_loss(a, a, mg.tensor([1.0])).item(), 6)
    0.0
    """
    reduction = _start("cosine_embedding_loss", input1, size_average, reduce, reduction)
    input2, target = as_tensor(input2), as_tensor(target)
    _cosine_shapes(input1, input2, target)
    dim = target.ndim
    product = (input1 * input2).sum(dim)
    squares = ((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)
    cosine = product / squares.sqrt()
    losses = where(target == 1, 1 - cosine, 0.0) + where(target == -1, (cosine - margin).clamp(min=0.0), 0.0)
    return reduce_losses(losses, reduction)


def _distance(x1, x2, p: float, eps: float):
    """PyTorch's ``pairwise_distance``: the p-norm of ``x1 - x2 + eps`` over the last dimension."""
    difference = x1 - x2 + eps
    dim = -1 if difference.ndim else None
    if p == math.inf:
        return difference.abs().amax(dim)
    if p == 2:
        return (difference * difference).sum(dim).sqrt()
    if p == 1:
        return difference.abs().sum(dim)
    return (difference.abs() ** p).sum(dim) ** (1.0 / p)


@op("triplet_margin_loss", method=False, torch=False, functional=True)
def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean"):
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the p-norm distance of each row
    (``swap``: ``d(a, n)`` replaced by ``min(d(a, n), d(p, n))``).

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> a = mg.tensor([[0.0, 0.0]])
    >>> round(F.triplet_margin_loss(a, a, mg.tensor([[3.0, 4.0]]), margin=6.0).item(), 4)
    1.0
    """
    reduction = _start("triplet_margin_loss", anchor, size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    if not p > 0:
        raise ValueError(f"triplet_margin_loss: minigrad supports norms of order p > 0 (2, 1, "
                         f"inf, ...), got p={p}")
    positive, negative = as_tensor(positive), as_tensor(negative)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"triplet_margin_loss: anchor, positive and negative must have the same "
                           f"number of dimensions, got shapes {anchor.shape}, {positive.shape} and "
                           f"{negative.shape}")
    broadcastable("triplet_margin_loss", ("anchor", anchor), ("positive", positive),
                  ("negative", negative))
    to_positive = _distance(anchor, positive, p, eps)
    to_negative = _distance(anchor, negative, p, eps)
    if swap:
        to_negative = minimum(to_negative, _distance(positive, negative, p, eps))
    return reduce_losses((margin + to_positive - to_negative).clamp(min=0.0), reduction)
