"""Checking a backward: the learner's vector-Jacobian product against minigrad's own op."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import minigrad as mg

from ..backend import xp
from .checker import (
    CheckFailed,
    Crashed,
    Mistake,
    Overridden,
    _call,
    describe,
    explain_difference,
    failure_text,
    matching_mistakes,
    run_cases,
)

SIGN = Mistake("sign", "every element has the opposite sign of the right answer: check the sign of each term "
               "(d(-u)/dx = -du/dx), and that you did not swap the two sides of a difference.", {})
UPSTREAM = Mistake("upstream", "your answer is the one for an upstream gradient of all ones: "
    "multiply by `grad`, "
                   "the gradient arriving from above (chain rule: dL/dx = dL/dout * dout/dx).", {})


def float_inputs(case, rng):
    """Standard normal float64 inputs of the case's shapes."""
    return [rng.standard_normal(shape) for shape in case.shapes], dict(case.params)


@dataclass
class OpCheck:
    """``function(grad, *inputs, **params)`` in the learner's file returns the gradients of the
    inputs named in ``grads_of`` (one array, or a tuple in that order); ``op(*tensors, **params)``
    is minigrad's own op, whose autograd gives the expected answer."""
    function: str
    op: Callable
    inputs: tuple
    cases: list
    draw: Callable | None = None
    grads_of: tuple | None = None  # names of the inputs that get a gradient (default: all)
    make: Callable = float_inputs
    forward: str | None = None  # a forward the learner writes too, checked against op's values
    call: Callable | None = None  # (module, grad, arrays, params) -> answer, when not function(...)
    mistakes: list = field(default_factory=list)
    unit_upstream: bool = False  # grad = ones: the answer is the derivative itself (no VJP)
    labels: tuple | None = None  # how the answers are named in messages (default: d<input>)

    @property
    def wanted(self) -> tuple:
        return self.grads_of or self.inputs

    def answer(self, module, grad, arrays, params):
        copies = [a.copy() for a in arrays]
        if self.call is not None:
            result = self.call(module, grad.copy(), copies, params)
        else:
            result = _call(module, self.function, grad.copy(), *copies, **params)
        if len(self.wanted) == 1 and not isinstance(result, (tuple, list)):
            result = (result,)
        return result

    def expected(self, arrays, params, rng):
        """minigrad's output and the gradients its autograd gives for a random upstream gradient."""
        tensors = [mg.tensor(a, requires_grad=name in self.wanted and a.dtype.kind == "f")
                   for a, name in zip(arrays, self.inputs)]
        out = self.op(*tensors, **params)
        grad = xp.ones(out.shape) if self.unit_upstream else rng.standard_normal(out.shape)
        out.backward(mg.tensor(grad))
        grads = [t.grad.numpy() if t.grad is not None else xp.zeros(t.shape)
                 for t, name in zip(tensors, self.inputs) if name in self.wanted]
        return out.numpy(), grad, grads

    def at_a_kink(self, arrays, params, grad, grads) -> bool:
        """Float64 central differences of minigrad's op disagree with its autograd: these inputs
        sit on a kink (relu at 0, a hinge at its corner), where no gradient is right."""
        def projected(values):
            with mg.no_grad():
                return float((self.op(*[mg.tensor(v) for v in values], **params).numpy() * grad).sum())
        eps = 1e-6
        k = 0
        for i, name in enumerate(self.inputs):
            if name not in self.wanted:
                continue
            for index in xp.ndindex(arrays[i].shape):
                plus = [a.copy() for a in arrays]
                minus = [a.copy() for a in arrays]
                plus[i][index] += eps
                minus[i][index] -= eps
                numeric = (projected(plus) - projected(minus)) / (2 * eps)
                if abs(numeric - grads[k][index]) > 1e-4 * (1 + abs(numeric)):
                    return True
            k += 1
        return False

    def context(self, arrays, params, grad) -> list[str]:
        parts = [f"{name} of {describe(a)}" for name, a in zip(self.inputs, arrays)]
        extra = ", ".join(f"{k}={v!r}" for k, v in params.items())
        line = "inputs: " + ", ".join(parts) + (f"; {extra}" if extra else "")
        if self.unit_upstream:
            return [line]
        return [line, f"upstream gradient `grad` of {describe(grad)} (random normal; float64)"]

    def check_case(self, module, reference, exercise: str, case, rng) -> None:
        arrays, params = self.make(case, rng)
        out, grad, grads = self.expected(arrays, params, rng)
        if self.at_a_kink(arrays, params, grad, grads):
            return
        if self.forward is not None:
            self._check_forward(module, reference, exercise, arrays, params, out)
        try:
            answer = self.answer(module, grad, arrays, params)
        except CheckFailed as error:
            if error.crash is None:
                raise
            candidates = [(m, self._mistaken(reference, m, grad, arrays, params)) for m in self.mistakes]
            found = matching_mistakes(candidates, Crashed(error.crash))
            context = self.context(arrays, params, grad)
            raise CheckFailed(failure_text(str(error), context, found, exercise)) from None
        if not isinstance(answer, (tuple, list)) or len(answer) != len(self.wanted):
            names = ", ".join("d" + n for n in self.wanted)
            raise CheckFailed(f"{self.function} returned {_count(answer)}; it should return "
                              f"({names}), one gradient per input, in that order.")
        labels = self.labels or tuple("d" + n for n in self.wanted)
        for name, label, want, got in zip(self.wanted, labels, grads, answer):
            problem = explain_difference(label, want, got, f"the shape of {name}")
            if problem is None:
                continue
            candidates = [(m, self._mistaken(reference, m, grad, arrays, params)) for m in self.mistakes]
            found = matching_mistakes(candidates, answer)
            if not found and not self.unit_upstream:
                generic = [(SIGN, lambda: tuple(-g for g in grads)),
                           (UPSTREAM, lambda: self.answer(reference, xp.ones_like(grad), arrays, params))]
                found = matching_mistakes(generic, answer)
            raise CheckFailed(failure_text(f"{self.function}: {problem}",
                                           self.context(arrays, params, grad), found, exercise))

    def _mistaken(self, reference, mistake, grad, arrays, params):
        return lambda: self.answer(Overridden(reference, mistake.overrides), grad, arrays, params)

    def _check_forward(self, module, reference, exercise, arrays, params, out) -> None:
        got = _call(module, self.forward, *[a.copy() for a in arrays], **params)
        problem = explain_difference("the output", out, got, "the output's shape")
        if problem is None:
            return
        candidates = [(m, (lambda m=m: getattr(Overridden(reference, m.overrides), self.forward)(
            *[a.copy() for a in arrays], **params))) for m in self.mistakes if self.forward in m.overrides]
        found = matching_mistakes(candidates, got)
        raise CheckFailed(failure_text(f"{self.forward}: {problem}", self.context(arrays, params, out),
                                       found, exercise))

    def run(self, module, reference, exercise: str, examples: int) -> int:
        return run_cases(lambda case, rng: self.check_case(module, reference, exercise, case, rng),
                         self.cases, self.draw, examples)


def _count(answer) -> str:
    if isinstance(answer, (tuple, list)):
        return f"{len(answer)} values"
    return "one value" if answer is not None else "None"
