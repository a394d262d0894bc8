"""Exercise 12: SGD with momentum, PyTorch's form."""
from .checker import Mistake
from .exercise import Exercise
from .l2_regularization import _bowl
from .update_check import UpdateCheck

TEMPLATE = '''"""Exercise 12: SGD with momentum (PyTorch's SGD, dampening=0).

A velocity v (zero before the first step) accumulates the gradients:
  v := momentum * v + dw        (first this step's gradient joins the velocity)
  w := w - lr * v               (then w moves along the velocity)
On a plateau or through a saddle point, v keeps w moving where dw alone is near 0.
Keep v in `state` (a dict, empty at the first step), e.g. state["v"].

Check with:  python -m minigrad.exercises check sgd_momentum
"""
import numpy as np


def step(w, dw, state, lr, momentum):
    """One step; returns the new w."""
    raise NotImplementedError("step")
'''

SOLUTIONS = {"step": """v = momentum * state.get("v", 0) + dw
state["v"] = v
return w - lr * v"""}
HINTS = [
    "At the first step state is empty: take v = 0 then, so that v becomes dw.",
    "Order matters: v = momentum * v + dw first, then w - lr * v with that new v.",
]


def _late(w, dw, state, lr, momentum):
    new = w - lr * state.get("v", 0 * w)
    state["v"] = momentum * state.get("v", 0) + dw
    return new


def _ema(w, dw, state, lr, momentum):
    state["v"] = momentum * state.get("v", 0) + (1 - momentum) * dw
    return w - lr * state["v"]


def _ascent(w, dw, state, lr, momentum):
    state["v"] = momentum * state.get("v", 0) + dw
    return w + lr * state["v"]


EXERCISE = Exercise(
    name="sgd_momentum",
    goal="SGD with momentum: v = momentum * v + dw, then w - lr * v (a trajectory against nn.optim.SGD)",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[UpdateCheck("step", "SGD", loss=_bowl, start=lambda rng: rng.standard_normal((2, 3)),
                        hyper=[{"lr": 0.05, "momentum": 0.9}, {"lr": 0.1, "momentum": 0.5}], mistakes=[
        Mistake("momentum-before-gradient", "you moved w with the old velocity before adding this step's "
                "gradient to it: first v = momentum * v + dw, then w - lr * v.", {"step": _late}),
        Mistake("dampened", "that is v = momentum * v + (1 - momentum) * dw (dampening=momentum); "
            "PyTorch's SGD "
                "adds the whole gradient: v = momentum * v + dw.", {"step": _ema}),
        Mistake("ascent", "w moved uphill: subtract lr * v.", {"step": _ascent}),
    ])],
)
