"""Adamax, NAdam and RAdam: Adam with an infinity norm, with Nesterov momentum, rectified."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from minigrad.backend import xp

from .optimizer import Optimizer, scalar_state_value


def _decay(group: dict, p, g):
    """Weight decay of NAdam and RAdam: in the gradient, or on the weight when decoupled."""
    wd = group["weight_decay"]
    if wd:
        if group["decoupled_weight_decay"]:
            p.data *= 1 - group["lr"] * wd
        else:
            g = g + wd * p.data
    return g


def _moments(state: dict, g, beta1: float, beta2: float) -> None:
    state["exp_avg"] += (1 - beta1) * (g - state["exp_avg"])  # lerp toward g, as PyTorch
    v = state["exp_avg_sq"]
    v *= beta2
    v += (1 - beta2) * (g * g)


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7), PyTorch's rule.  At step t::

        g <- -g  (maximize) ;  g <- g + weight_decay * p  (if weight_decay != 0)
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)                  (an infinity norm instead of v)
        p <- p - lr / (1 - beta1^t) * m / u
    """

    checked_options = ("lr", "eps", "betas", "weight_decay")

    def __init__(self, params: Iterable, lr: float = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable,
                                  "capturable": capturable})

    def _initial_state(self, p, group: dict) -> dict:
        return {"step": 0, "exp_avg": xp.zeros_like(p.data), "exp_inf": xp.zeros_like(p.data)}

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            beta1, beta2 = group["betas"]
            state = self._state(p, group)
            state["step"] += 1
            if group["weight_decay"]:
                g = g + group["weight_decay"] * p.data
            state["exp_avg"] += (1 - beta1) * (g - state["exp_avg"])
            exp_inf = state["exp_inf"]
            exp_inf *= beta2
            xp.maximum(exp_inf, xp.abs(g) + group["eps"], out=exp_inf)
            step_size = group["lr"] / (1 - beta1 ** state["step"])
            p.data -= step_size * (state["exp_avg"] / exp_inf)
        return loss


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), PyTorch's rule: Adam whose momentum looks one step ahead.  At t::

        mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))      (the momentum schedule)
        prod_t = mu_1 * ... * mu_t                                (state: mu_product)
        m, v as in Adam (weight decay in g, or on p when decoupled_weight_decay)
        d = sqrt(v / (1 - beta2^t)) + eps
        p <- p - lr * (1 - mu_t) / (1 - prod_t) * g / d
               - lr * mu_{t+1} / (1 - prod_t * mu_{t+1}) * m / d
    """

    checked_options = ("lr", "eps", "betas", "weight_decay", "momentum_decay")
    scalar_state = ("step", "mu_product")

    def __init__(self, params: Iterable, lr: float = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "momentum_decay": momentum_decay,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  "maximize": maximize, "foreach": foreach,
                                  "capturable": capturable, "differentiable": differentiable})

    def _initial_state(self, p, group: dict) -> dict:
        return {"step": 0, "mu_product": 1.0, "exp_avg": xp.zeros_like(p.data),
                "exp_avg_sq": xp.zeros_like(p.data)}

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            lr, (beta1, beta2) = group["lr"], group["betas"]
            state = self._state(p, group)
            state["step"] += 1
            t = state["step"]
            g = _decay(group, p, g)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * group["momentum_decay"]))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * group["momentum_decay"]))
            # PyTorch multiplies its float32 mu_product by mu rounded to float32
            mu_product = scalar_state_value(state["mu_product"] * scalar_state_value(mu))
            state["mu_product"] = mu_product
            _moments(state, g, beta1, beta2)
            denom = xp.sqrt(state["exp_avg_sq"] / (1 - beta2 ** t))
            denom += group["eps"]
            p.data -= (lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
            p.data -= (lr * mu_next / (1.0 - mu_product * mu_next)) * (state["exp_avg"] / denom)
        return loss


class RAdam(Optimizer):
    r"""RAdam (Liu et al., 2020), PyTorch's rule: Adam whose adaptive step is switched on only
    once the variance of v can be trusted.  At step t::

        m, v as in Adam (weight decay in g, or on p when decoupled_weight_decay)
        rho_inf = 2 / (1 - beta2) - 1 ;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        m_hat = m / (1 - beta1^t)
        if rho_t > 5:  r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                       p <- p - lr * m_hat * r * sqrt(1 - beta2^t) / (sqrt(v) + eps)
        else:          p <- p - lr * m_hat                         (plain momentum SGD)
    """

    checked_options = ("lr", "eps", "betas", "weight_decay")

    def __init__(self, params: Iterable, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False,
                 *, foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize,
                                  "foreach": foreach, "capturable": capturable,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  "differentiable": differentiable})

    def _initial_state(self, p, group: dict) -> dict:
        return {"step": 0, "exp_avg": xp.zeros_like(p.data), "exp_avg_sq": xp.zeros_like(p.data)}

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            lr, (beta1, beta2) = group["lr"], group["betas"]
            state = self._state(p, group)
            state["step"] += 1
            t = state["step"]
            g = _decay(group, p, g)
            _moments(state, g, beta1, beta2)
            bias_correction2 = 1 - beta2 ** t
            corrected = state["exp_avg"] / (1 - beta1 ** t)
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * t * (beta2 ** t) / bias_correction2
            if rho_t > 5.0:
                rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                                 / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                adaptive = bias_correction2 ** 0.5 / (xp.sqrt(state["exp_avg_sq"]) + group["eps"])
                p.data -= corrected * lr * adaptive * rect
            else:
                p.data -= corrected * lr
        return loss
