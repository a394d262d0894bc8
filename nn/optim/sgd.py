"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from minigrad.backend import xp

from .optimizer import Optimizer, scalar_state_value
from .validation import ASGD_RULES


class SGD(Optimizer):
    r"""Stochastic gradient descent, PyTorch's rule.  For each parameter p with gradient g::

        g <- g + weight_decay * p                          (if weight_decay != 0)
        b <- g                                             (first step, if momentum != 0)
        b <- momentum * b + (1 - dampening) * g            (later steps)
        g <- g + momentum * b   if nesterov   else   g <- b
        p <- p - lr * g

    ``weight_decay = wd`` takes the same steps as adding ``wd / 2 * ||p||^2`` to the loss
    (``nn.utils.l2_penalty``).  Plain SGD is one array operation per parameter.

    >>> import minigrad as mg, nn
    >>> w = mg.tensor([5.0], requires_grad=True)
    >>> opt = nn.optim.SGD([w], lr=0.1)
    >>> for _ in range(100):  # minimize J(w) = w^2 - 10 w + 25, the notes' example
    ...     opt.zero_grad()
    ...     (w * w - 10 * w + 25).sum().backward()
    ...     opt.step()
    >>> round(w.item(), 3)
    5.0
    """

    checked_options = ("lr", "momentum", "weight_decay", "nesterov", "dampening")

    scalar_state = ()  # SGD keeps no step count

    def __init__(self, params: Iterable, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov,
                                  "maximize": maximize, "foreach": foreach,
                                  "differentiable": differentiable, "fused": fused})

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss
        (the closure, when given, recomputes the loss and its gradients first)."""
        loss = None if closure is None else self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            lr, momentum, wd = group["lr"], group["momentum"], group["weight_decay"]
            if wd:
                g = g + wd * p.data
            if momentum:
                state = self._state(p, group)
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = g.copy()
                else:
                    buf *= momentum
                    buf += (1 - group["dampening"]) * g
                g = g + momentum * buf if group["nesterov"] else buf
            p.data -= lr * g
        return loss


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky, 1992; the schedule of Bottou, 2012), PyTorch's rule.
    SGD with a decaying step, and a running average ``ax`` of the weights, which is the answer
    (copy it into the model to evaluate).  At step t, for parameter p with gradient g::

        g <- -g  (maximize) ;  g <- g + weight_decay * p  (if weight_decay != 0)
        p <- p * (1 - lambd * eta) - eta * g
        ax <- ax + mu * (p - ax)          (ax <- p while mu = 1, i.e. until t0 steps)
        eta <- lr / (1 + lambd * lr * t)^alpha ;  mu <- 1 / max(1, t - t0)
    """

    checked_options = ("lr", "weight_decay", "lambd", "alpha")
    option_rules = ASGD_RULES
    scalar_state = ("step", "eta", "mu")

    def __init__(self, params: Iterable, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        super().__init__(params, {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                                  "weight_decay": weight_decay, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable,
                                  "capturable": capturable})

    def _initial_state(self, p, group: dict) -> dict:
        return {"step": 0, "eta": scalar_state_value(group["lr"]), "mu": 1.0, "ax": xp.zeros_like(p.data)}

    def step(self, closure: Callable | None = None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group, p, g in self._params_with_grad():
            lr, lambd = group["lr"], group["lambd"]
            state = self._state(p, group)
            state["step"] += 1
            if group["weight_decay"]:
                g = g + group["weight_decay"] * p.data
            eta = state["eta"]
            p.data *= 1 - lambd * eta
            p.data -= eta * g
            if state["mu"] != 1:
                state["ax"] += (p.data - state["ax"]) * state["mu"]
            else:
                state["ax"][...] = p.data
            # PyTorch keeps eta and mu as 0-d tensors of its scalar dtype (float32)
            state["eta"] = scalar_state_value(lr / ((1 + lambd * lr * state["step"]) ** group["alpha"]))
            state["mu"] = scalar_state_value(1 / max(1, state["step"] - group["t0"]))
        return loss
