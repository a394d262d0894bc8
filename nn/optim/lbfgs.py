"""L-BFGS: a quasi-Newton method that builds the inverse Hessian from recent steps."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from minigrad.backend import xp
from minigrad.engine import increment_version

from .line_search import strong_wolfe
from .optimizer import Optimizer


class LBFGS(Optimizer):
    r"""L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989), PyTorch's algorithm (after minFunc).  One
    ``step(closure)`` runs up to ``max_iter`` iterations; ``closure()`` must zero the gradients,
    recompute the loss, call ``backward()`` and return the loss.  With the flat gradient g::

        s_k = x_{k+1} - x_k,  y_k = g_{k+1} - g_k      (the last history_size pairs, y.s > 1e-10)
        d = -H g  by the two-loop recursion, H_0 = (y.s / y.y) I   (d = -g at the first iteration)
        x <- x + t d, with t = lr (min(1, 1 / |g|_1) lr at the first), or the step found by the
                       strong Wolfe line search (line_search_fn='strong_wolfe')
    and stops at |g|_inf <= tolerance_grad, a step or loss change below tolerance_change, or
    max_eval evaluations.  All parameters form one vector: one parameter group only.

    >>> import minigrad as mg, nn
    >>> w = mg.tensor([-1.0, 1.5], dtype=mg.float64, requires_grad=True)
    >>> opt = nn.optim.LBFGS([w], line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2   # Rosenbrock
    ...     loss.backward()
    ...     return loss
    >>> for _ in range(5):
    ...     _ = opt.step(closure)
    >>> [round(v, 4) for v in w.tolist()]
    [1.0, 1.0]
    """

    checked_options = ("lr", "max_iter", "max_eval", "history_size", "line_search_fn")
    scalar_state = ()  # PyTorch keeps LBFGS's counters as Python numbers

    def __init__(self, params: Iterable, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                                  "tolerance_grad": tolerance_grad,
                                  "tolerance_change": tolerance_change,
                                  "history_size": history_size, "line_search_fn": line_search_fn})
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    @property
    def _params(self) -> list:
        return self.param_groups[0]["params"]

    def _flat_grad(self):
        return xp.concatenate([xp.zeros(p.data.size, p.data.dtype) if p.grad is None
                               else p.grad.data.reshape(-1) for p in self._params])

    def _add_to_params(self, step_size: float, direction) -> None:
        offset = 0
        for p in self._params:
            increment_version(p)
            p.data += step_size * direction[offset:offset + p.data.size].reshape(p.data.shape)
            offset += p.data.size

    def _evaluate_along(self, closure: Callable, start: list, direction) -> Callable:
        """The line search's ``evaluate(t)``: the loss and flat gradient at start + t d (the
        parameters go back to start afterwards)."""
        def evaluate(t):
            self._add_to_params(t, direction)
            loss = float(self._evaluate(closure))
            flat_grad = self._flat_grad()
            for p, saved in zip(self._params, start):
                increment_version(p)
                p.data[...] = saved
            return loss, flat_grad
        return evaluate

    def step(self, closure: Callable):
        """Up to ``max_iter`` iterations; returns the loss of the first ``closure()`` call."""
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups): "
                             f"it has {len(self.param_groups)}")
        group = self.param_groups[0]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = self._evaluate(closure)
        loss = float(orig_loss)
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if xp.abs(flat_grad).max() <= group["tolerance_grad"]:
            return orig_loss
        _Run(self, closure, group, state, loss, flat_grad).iterate()
        return orig_loss


class _Run:
    """The iterations of one LBFGS step, on the state that carries over between steps."""

    def __init__(self, optimizer: LBFGS, closure: Callable, group: dict, state: dict, loss: float,
                 flat_grad) -> None:
        self.optimizer, self.closure, self.group, self.state = optimizer, closure, group, state
        self.loss, self.flat_grad = loss, flat_grad
        self.evals = 1
        self.optimal = False

    def direction(self):
        """d = -H g by the two-loop recursion, after adding the last (s, y) pair to the history."""
        state, history_size = self.state, self.group["history_size"]
        y = self.flat_grad - state["prev_flat_grad"]
        s = state["d"] * state["t"]
        ys = float(y @ s)
        if ys > 1e-10:  # keep only pairs of positive curvature: H stays positive definite
            if len(state["old_dirs"]) == history_size:
                for name in ("old_dirs", "old_stps", "ro"):
                    state[name].pop(0)
            state["old_dirs"].append(y)
            state["old_stps"].append(s)
            state["ro"].append(1.0 / ys)
            state["H_diag"] = ys / float(y @ y)
        old_dirs, old_stps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = -self.flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = float(old_stps[i] @ q) * ro[i]
            q -= al[i] * old_dirs[i]
        r = q * state["H_diag"]
        for i in range(len(old_dirs)):
            be_i = float(old_dirs[i] @ r) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        return r

    def iterate(self) -> None:
        group, state = self.group, self.state
        lr, tolerance_change = group["lr"], group["tolerance_change"]
        n_iter = 0
        while n_iter < group["max_iter"]:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -self.flat_grad
                state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            else:
                d = self.direction()
            state["d"] = d
            state["prev_flat_grad"] = self.flat_grad.copy()
            state["prev_loss"] = prev_loss = self.loss
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / float(xp.abs(self.flat_grad).sum())) * lr
            else:
                t = lr
            state["t"] = t  # kept even when no step follows, as PyTorch does
            gtd = float(self.flat_grad @ d)
            if gtd > -tolerance_change:  # not a descent direction any more
                break
            state["t"] = t = self.move(t, d, gtd, last=n_iter == group["max_iter"])
            if (n_iter == group["max_iter"] or self.evals >= group["max_eval"] or self.optimal
                    or xp.abs(d * t).max() <= tolerance_change
                    or abs(self.loss - prev_loss) < tolerance_change):
                break

    def move(self, t: float, d, gtd: float, last: bool) -> float:
        """Step along d (by t, or as far as the line search finds); returns the step taken, and
        notes whether the gradient is now small enough."""
        optimizer, group = self.optimizer, self.group
        evaluations = 0
        if group["line_search_fn"] is not None:
            start = [p.data.copy() for p in optimizer._params]
            evaluate = optimizer._evaluate_along(self.closure, start, d)
            self.loss, self.flat_grad, t, evaluations = strong_wolfe(
                evaluate, t, d, self.loss, self.flat_grad, gtd,
                max_ls=group["max_eval"] - self.evals)
            optimizer._add_to_params(t, d)
            self.optimal = bool(xp.abs(self.flat_grad).max() <= group["tolerance_grad"])
        else:
            optimizer._add_to_params(t, d)
            if not last:  # the last iteration does not re-evaluate, as in PyTorch
                self.loss = float(optimizer._evaluate(self.closure))
                self.flat_grad = optimizer._flat_grad()
                self.optimal = bool(xp.abs(self.flat_grad).max() <= group["tolerance_grad"])
                evaluations = 1
        self.evals += evaluations
        self.state["func_evals"] += evaluations
        return t
