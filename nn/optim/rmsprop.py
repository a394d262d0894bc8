"""RMSprop and Adagrad: a step scaled by the running size of the gradient."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from minigrad.backend import xp

from .optimizer import Optimizer


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), PyTorch's rule.  For parameter p with gradient g::

        g <- -g                                       (maximize only)
        g <- g + weight_decay * p                     (if weight_decay != 0)
        s <- alpha * s + (1 - alpha) * g^2            (running mean of squared gradients)
        a <- alpha * a + (1 - alpha) * g              (centered only)
        d <- sqrt(s - a^2) + eps  if centered  else  sqrt(s) + eps
        b <- momentum * b + g / d ;  p <- p - lr * b  (if momentum > 0)
        p <- p - lr * g / d                           (otherwise)
    """

    checked_options = ("lr", "eps", "momentum", "weight_decay", "alpha")

    def __init__(self, params: Iterable, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                                  "centered": centered, "weight_decay": weight_decay,
                                  "capturable": capturable, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable})

    def _initial_state(self, p, group: dict) -> dict:
        state = {"step": 0, "square_avg": xp.zeros_like(p.data)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = xp.zeros_like(p.data)
        if group["centered"]:
            state["grad_avg"] = xp.zeros_like(p.data)
        return state

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            alpha, wd, momentum = group["alpha"], group["weight_decay"], group["momentum"]
            state = self._state(p, group)
            state["step"] += 1
            if wd:
                g = g + wd * p.data
            square_avg = state["square_avg"]
            square_avg *= alpha
            square_avg += (1 - alpha) * (g * g)
            if group["centered"]:
                grad_avg = state["grad_avg"]
                grad_avg *= alpha
                grad_avg += (1 - alpha) * g
                denom = xp.sqrt(square_avg - grad_avg * grad_avg)
            else:
                denom = xp.sqrt(square_avg)
            denom += group["eps"]
            if momentum > 0:
                buf = state["momentum_buffer"]
                buf *= momentum
                buf += g / denom
                p.data -= group["lr"] * buf
            else:
                p.data -= group["lr"] * (g / denom)
        return loss


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), PyTorch's rule.  At step t, for parameter p with gradient g::

        g <- -g                                        (maximize only)
        g <- g + weight_decay * p                      (if weight_decay != 0)
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s <- s + g^2                                   (s starts at initial_accumulator_value)
        p <- p - lr_t * g / (sqrt(s) + eps)
    """

    checked_options = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(self, params: Iterable, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "eps": eps,
                                  "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "foreach": foreach, "maximize": maximize,
                                  "differentiable": differentiable, "fused": fused})
        for group in self.param_groups:  # PyTorch fills Adagrad's state at construction
            for p in group["params"]:
                self._state(p, group)

    def _initial_state(self, p, group: dict) -> dict:
        return {"step": 0, "sum": xp.full_like(p.data, group["initial_accumulator_value"])}

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            state = self._state(p, group)
            state["step"] += 1
            if group["weight_decay"]:
                g = g + group["weight_decay"] * p.data
            clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
            state["sum"] += g * g
            denom = xp.sqrt(state["sum"])
            denom += group["eps"]
            p.data -= clr * (g / denom)
        return loss


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), PyTorch's rule: RMSprop whose step carries its own units, the
    running size of the past updates.  For parameter p with gradient g::

        g <- -g  (maximize) ;  g <- g + weight_decay * p  (if weight_decay != 0)
        s <- rho * s + (1 - rho) * g^2                   (square_avg)
        delta = sqrt(u + eps) / sqrt(s + eps) * g        (u: acc_delta, the updates' size)
        u <- rho * u + (1 - rho) * delta^2
        p <- p - lr * delta
    """

    checked_options = ("lr", "rho", "eps", "weight_decay")

    def __init__(self, params: Iterable, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                                  "maximize": maximize, "capturable": capturable,
                                  "foreach": foreach, "differentiable": differentiable})

    def _initial_state(self, p, group: dict) -> dict:
        return {"step": 0, "square_avg": xp.zeros_like(p.data), "acc_delta": xp.zeros_like(p.data)}

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            rho, eps = group["rho"], group["eps"]
            state = self._state(p, group)
            state["step"] += 1
            if group["weight_decay"]:
                g = g + group["weight_decay"] * p.data
            square_avg, acc_delta = state["square_avg"], state["acc_delta"]
            square_avg *= rho
            square_avg += (1 - rho) * (g * g)
            delta = xp.sqrt(acc_delta + eps)
            delta /= xp.sqrt(square_avg + eps)
            delta *= g
            acc_delta *= rho
            acc_delta += (1 - rho) * (delta * delta)
            p.data -= group["lr"] * delta
        return loss
