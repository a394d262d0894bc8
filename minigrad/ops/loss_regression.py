"""Regression and likelihood losses, each a composite of elementwise ops (so each needs no
gradient rule of its own, and ``create_graph=True`` differentiates it again): Huber, smooth L1,
Kullback-Leibler divergence, Gaussian and Poisson negative log-likelihoods.

They are written as PyTorch defines them (``torch.nn.functional``), with the same arguments,
defaults, special cases and errors; the formula of each is in its docstring.
"""
from __future__ import annotations

import math
import numbers
import warnings

from ..backend import xp
from ..engine import is_tensor, new_constant
from .arithmetic import Binary
from .elementwise import where
from .loss import reduce as reduce_losses
from .loss_common import (
    REDUCTIONS,
    as_tensor,
    broadcast_target,
    check_reduction,
    float_input,
    legacy_reduction,
)
from .registry import op


def _weighted(op_name: str, losses, weight, input, reduction: str, mean_by_weight: bool):
    """PyTorch's elementwise ``weight`` of mse/l1/huber: the input's shape exactly; 'mean'
    divides by the weights' sum (mse, l1) or by the count of elements (huber)."""
    if weight is None:
        return reduce_losses(losses, reduction)
    weight = as_tensor(weight)
    if weight.shape != input.shape:
        raise ValueError(f"{op_name}: weight of shape {weight.shape} must have the input's shape "
                         f"{input.shape} (one weight per element)")
    losses = losses * weight
    if reduction == "mean" and mean_by_weight:
        return losses.sum() / weight.sum()
    return reduce_losses(losses, reduction)


class Huber(Binary):
    """The elementwise Huber loss of ``d = input - target``: ``0.5 d^2`` where ``|d| < delta``,
    else ``delta (|d| - delta / 2)`` (both pieces and their slopes meet at ``|d| = delta``).
    One node rather than the composite's six: the composite (abs, compare, two branches, where)
    costs 2.5 times a fused forward and backward on (128, 256) inputs."""

    __slots__ = ("delta",)
    name = "huber_loss"
    caption = "grad_input = grad_out * clamp(input - target, -delta, delta), grad_target = -that"
    grad_a_reads = grad_b_reads = (0, 1)

    def __init__(self, delta: float):
        self.delta = delta

    def compute(self, a, b):
        difference = a - b
        size = xp.abs(difference)
        return xp.where(size < self.delta, 0.5 * difference * difference,
                        self.delta * (size - 0.5 * self.delta))

    def _slope(self, a, b):  # d huber / d d = d clipped to [-delta, delta]
        difference = a - b
        if is_tensor(difference):
            return difference.clamp(-self.delta, self.delta)
        return xp.clip(difference, -self.delta, self.delta)

    def grad_a(self, grad, a, b, out):
        return grad * self._slope(a, b)

    def grad_b(self, grad, a, b, out):
        return -(grad * self._slope(a, b))


@op("huber_loss", method=False, torch=False, functional=True)
def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """Huber loss: squared error for ``|x - y| < delta``, absolute error (times delta) beyond.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.huber_loss(mg.tensor([0.5, 3.0]), mg.tensor([0.0, 0.0]), reduction="none").tolist()
    [0.125, 2.5]
    """
    float_input("huber_loss", input)
    target = broadcast_target("huber_loss", input, target)
    check_reduction("huber_loss", reduction)
    if not delta > 0:
        raise RuntimeError(f"huber_loss: delta must be positive, got delta={delta}")
    return _weighted("huber_loss", Huber.apply(input, target, delta=delta), weight, input, reduction, False)


@op("smooth_l1_loss", method=False, torch=False, functional=True)
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0):
    """Smooth L1: ``0.5 d^2 / beta`` for ``|d| < beta``, else ``|d| - beta / 2`` (the Huber loss
    divided by beta); ``beta=0`` is the L1 loss.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.smooth_l1_loss(mg.tensor([0.5, 3.0]), mg.tensor([0.0, 0.0]), reduction="none").tolist()
    [0.125, 2.5]
    """
    float_input("smooth_l1_loss", input)
    target = broadcast_target("smooth_l1_loss", input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction("smooth_l1_loss", reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss: beta must not be negative, got beta={beta}")
    if beta == 0:
        return reduce_losses((input - target).abs(), reduction)
    return reduce_losses(Huber.apply(input, target, delta=beta) * (1.0 / beta), reduction)


def _x_log_x(t):
    """``t log t`` with ``0 log 0 = 0`` (a negative t gives NaN, as in PyTorch)."""
    zero = t == 0
    safe = where(zero, 1.0, t)
    with xp.errstate(invalid="ignore"):
        return where(zero, 0.0, t * safe.log())


@op("kl_div", method=False, torch=False, functional=True)
def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False):
    """Kullback-Leibler divergence with ``input`` the log-probabilities of the model:
    ``t (log t - x)`` elementwise (``e^t (t - x)`` with ``log_target=True``).  ``'batchmean'``
    divides the sum by the batch size (the divergence of the math); ``'mean'`` divides by the
    number of elements and warns, as PyTorch does.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> p = mg.tensor([[0.5, 0.5]])
    >>> F.kl_div(p.log(), p, reduction="batchmean").item()
    0.0
    """
    float_input("kl_div", input)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    else:
        check_reduction("kl_div", reduction, REDUCTIONS + ("batchmean",))
        if reduction == "mean":
            warnings.warn("kl_div: reduction='mean' divides the total loss by both the batch size "
                          "and the support size; 'batchmean' divides only by the batch size, as "
                          "the KL divergence is defined", UserWarning, stacklevel=2)
    target = broadcast_target("kl_div", input, target, warn=False)
    if target.dtype.kind != "f":
        raise RuntimeError(f"kl_div: target must be floating-point, got dtype {target.dtype}")
    if log_target:
        losses = target.exp() * (target - input)
    else:
        losses = _x_log_x(target) - target * input
    if reduction == "batchmean":
        total = losses.sum()
        return total / input.shape[0] if input.ndim else total
    return reduce_losses(losses, reduction)


def _variance(input, var):
    """``var`` as a Tensor shaped to broadcast against ``input``, as PyTorch accepts it: the
    input's shape, the input's shape without its last dimension (one variance per sample), or
    the input's shape with exactly one dimension of size 1."""
    if isinstance(var, numbers.Real) and not is_tensor(var):
        if var < 0:
            raise ValueError(f"gaussian_nll_loss: var must not be negative, got var={var}")
        return new_constant(xp.full(input.shape, var, dtype=input.dtype))
    var = as_tensor(var)
    if var.size and bool((var.data < 0).any()):
        raise ValueError(f"gaussian_nll_loss: var has negative entries (smallest {var.data.min()}); "
                         "variances must be >= 0")
    if var.shape == input.shape:
        return var
    if var.shape == input.shape[:-1]:
        return var.unsqueeze(-1)
    mismatched = [v for i, v in zip(input.shape, var.shape) if i != v]
    if var.ndim == input.ndim and sum(mismatched) == 1:
        return var
    raise ValueError(f"gaussian_nll_loss: var of shape {var.shape} is of incorrect size for input "
                     f"of shape {input.shape}: give it the input's shape, the input's shape "
                     "without the last dimension, or one dimension of size 1")


@op("gaussian_nll_loss", method=False, torch=False, functional=True)
def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean"):
    """Negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and variance
    ``var``: ``0.5 (log max(var, eps) + (x - y)^2 / max(var, eps))`` (plus ``0.5 log 2 pi`` with
    ``full``).  As in PyTorch the clamp at ``eps`` changes the value but not the gradient's path.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.gaussian_nll_loss(mg.tensor([0.0]), mg.tensor([2.0]), mg.tensor([1.0])).item()
    2.0
    """
    float_input("gaussian_nll_loss", input)
    var = _variance(input, var)
    check_reduction("gaussian_nll_loss", reduction)
    target = broadcast_target("gaussian_nll_loss", input, target, warn=False)
    # max(var, eps) in value; its gradient flows to var unchanged (PyTorch clamps under no_grad)
    lift = xp.maximum(var.data, eps) - var.data
    clamped = var + new_constant(lift.astype(var.dtype, copy=False)) if lift.any() else var
    difference = input - target
    losses = 0.5 * (clamped.log() + difference * difference / clamped)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return reduce_losses(losses, reduction)


@op("poisson_nll_loss", method=False, torch=False, functional=True)
def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean"):
    """Negative log-likelihood of counts ``target`` under a Poisson of rate ``e^x``
    (``log_input=True``: ``e^x - t x``) or of rate ``x`` (``x - t log(x + eps)``); ``full`` adds
    Stirling's approximation ``t log t - t + 0.5 log(2 pi t)`` where ``t > 1``.

    >>> import minigrad as mg
    >>> import minigrad.functional as F
    >>> F.poisson_nll_loss(mg.tensor([0.0]), mg.tensor([1.0])).item()
    1.0
    """
    float_input("poisson_nll_loss", input)
    reduction = legacy_reduction(size_average, reduce, reduction)
    check_reduction("poisson_nll_loss", reduction)
    target = broadcast_target("poisson_nll_loss", input, target, warn=False)
    if log_input:
        losses = input.exp() - target * input
    else:
        losses = input - target * (input + eps).log()
    if full:
        counted = target > 1
        safe = where(counted, target, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (safe * (2 * math.pi)).log()
        losses = losses + where(counted, stirling, 0.0)
    return reduce_losses(losses, reduction)
