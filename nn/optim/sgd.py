"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from .optimizer import Optimizer


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
