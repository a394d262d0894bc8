"""Adam and AdamW: momentum on the gradient and RMSProp's scaling, with bias correction."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from minigrad.backend import xp

from .optimizer import Optimizer


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), PyTorch's rule.  At step t, for parameter p with gradient g::

        g <- -g                                    (maximize only)
        g <- g + weight_decay * p                  (L2 in the gradient, if weight_decay != 0)
        p <- p * (1 - lr * weight_decay)           (instead, with decoupled_weight_decay: AdamW)
        m <- beta1 * m + (1 - beta1) * g           (first moment: momentum)
        v <- beta2 * v + (1 - beta2) * g^2         (second moment: RMSProp)
        v_max <- max(v_max, v)                     (amsgrad only; then v_max replaces v below)
        p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    checked_options = ("lr", "eps", "betas", "weight_decay")

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "maximize": maximize, "foreach": foreach,
                                  "capturable": capturable, "differentiable": differentiable,
                                  "fused": fused, "decoupled_weight_decay": decoupled_weight_decay})

    def _initial_state(self, p, group: dict) -> dict:
        state = {"step": 0, "exp_avg": xp.zeros_like(p.data), "exp_avg_sq": xp.zeros_like(p.data)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = xp.zeros_like(p.data)
        return state

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            lr, (beta1, beta2), wd = group["lr"], group["betas"], group["weight_decay"]
            state = self._state(p, group)
            state["step"] += 1
            t = state["step"]
            if wd:
                if group["decoupled_weight_decay"]:
                    p.data *= 1 - lr * wd  # AdamW: decay the weight, not the gradient
                else:
                    g = g + wd * p.data
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * (g * g)
            if group["amsgrad"]:
                xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                v = state["max_exp_avg_sq"]
            step_size = lr / (1 - beta1 ** t)
            denom = xp.sqrt(v)
            denom /= math.sqrt(1 - beta2 ** t)
            denom += group["eps"]
            update = m / denom
            update *= step_size
            p.data -= update
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019)::

        p <- p * (1 - lr * weight_decay)           (the decay acts on the weight itself)
        m, v, and the step as in Adam, from the raw gradient g
    """

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)
