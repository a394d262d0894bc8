"""Rprop: a step of its own size per weight, grown or shrunk by the sign of the gradient."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from minigrad.backend import xp

from .optimizer import Optimizer


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun, 1993), PyTorch's rule (iRprop-: no step back after a sign
    change).  Each weight has a step size s (starting at lr); with g the gradient::

        g <- -g                                          (maximize only)
        s <- s * etaplus   where g * g_prev > 0          (same sign: speed up)
        s <- s * etaminus  where g * g_prev < 0, and g <- 0 there (overshot: slow down, wait)
        s <- clamp(s, step_size_min, step_size_max)
        p <- p - sign(g) * s ;  g_prev <- g
    Only the gradient's sign is used, so it suits full-batch training, not minibatches.
    """

    checked_options = ("lr", "etas", "step_sizes")

    def __init__(self, params: Iterable, lr: float = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        super().__init__(params, {"lr": lr, "etas": tuple(etas), "step_sizes": tuple(step_sizes),
                                  "foreach": foreach, "maximize": maximize,
                                  "differentiable": differentiable, "capturable": capturable})

    def _initial_state(self, p, group: dict) -> dict:
        return {"step": 0, "prev": xp.zeros_like(p.data),
                "step_size": xp.full_like(p.data, group["lr"])}

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            etaminus, etaplus = group["etas"]
            low, high = group["step_sizes"]
            state = self._state(p, group)
            state["step"] += 1
            product = g * state["prev"]
            factor = xp.where(product > 0, etaplus, xp.where(product < 0, etaminus, 1.0))
            step_size = state["step_size"]
            step_size *= factor.astype(step_size.dtype, copy=False)
            xp.clip(step_size, low, high, out=step_size)
            g = xp.where(product < 0, 0, g).astype(g.dtype, copy=False)
            p.data -= xp.sign(g) * step_size
            state["prev"][...] = g
        return loss
