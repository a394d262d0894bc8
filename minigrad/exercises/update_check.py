"""Checking an update rule: the learner's ``step`` against ``nn.optim``, step by step."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import minigrad as mg

from ..backend import xp
from .checker import CheckFailed, Overridden, _call, explain_difference, failure_text, matching_mistakes, same


@dataclass
class UpdateCheck:
    """``function(w, dw, state, **hyper)`` returns the new ``w``; ``state`` is a dict the rule
    keeps its running averages in (empty at the first step).  The trajectory from ``start`` on
    ``loss`` must follow ``optimizer([w], **hyper)`` for ``steps`` steps, for each ``hyper``."""
    function: str
    optimizer: str  # the name of the optimizer in nn.optim
    loss: Callable
    start: Callable  # rng -> the first w (float64 array)
    hyper: list
    steps: int = 25
    goal: Callable | None = None  # (final w) -> a complaint or None
    mistakes: list = field(default_factory=list)

    def gradient(self, w):
        t = mg.tensor(w, requires_grad=True)
        with xp.errstate(all="ignore"):  # a diverging mistake's w overflows the loss: no warnings for it
            self.loss(t).backward()
        return t.grad.numpy()

    def trajectory(self, module, w0, hyper, upto: int | None = None) -> list:
        w, state, path = w0.copy(), {}, []
        for _ in range(upto or self.steps):
            new = _call(module, self.function, w.copy(), self.gradient(w), state, **hyper)
            if new is None:
                raise CheckFailed(f"{self.function} returned None: return the updated w "
                                  "(a new array, or w changed in place and returned).")
            new = xp.array(new, dtype=float)
            path.append(new)
            if new.shape != w.shape:
                break
            w = new
        return path

    def expected(self, w0, hyper) -> list:
        w = mg.nn.Parameter(mg.tensor(w0.copy()))
        optimizer = getattr(mg.optim, self.optimizer)([w], **hyper)
        path = []
        for _ in range(self.steps):
            optimizer.zero_grad()
            self.loss(w).backward()
            optimizer.step()
            path.append(w.numpy().copy())
        return path

    def check_one(self, module, reference, exercise: str, w0, hyper) -> None:
        want, got = self.expected(w0, hyper), self.trajectory(module, w0, hyper)
        for t, (a, b) in enumerate(zip(want, got)):
            problem = explain_difference("w", a, b, "the shape of w")
            if problem is None:
                continue
            settings = ", ".join(f"{k}={v!r}" for k, v in hyper.items())
            context = [f"after step {t + 1} of {self.steps} (every earlier step was right), with {settings}; "
                       f"w started at {xp.array2string(w0, precision=4)}",
                       f"the expected trajectory is nn.optim.{self.optimizer}'s"]
            candidates = [(m, self._mistaken(reference, m, w0, hyper, t + 1)) for m in self.mistakes]
            found = matching_mistakes(candidates, got[: t + 1])
            raise CheckFailed(failure_text(f"{self.function}: {problem}", context, found, exercise))
        if self.goal is not None and (complaint := self.goal(got[-1])):
            raise CheckFailed(complaint)

    def _mistaken(self, reference, mistake, w0, hyper, upto):
        return lambda: self.trajectory(Overridden(reference, mistake.overrides), w0, hyper, upto)

    def run(self, module, reference, exercise: str, examples: int) -> int:
        rng = xp.random.default_rng(0)
        for hyper in self.hyper:
            self.check_one(module, reference, exercise, self.start(rng), hyper)
        return len(self.hyper)


__all__ = ["UpdateCheck", "same"]
