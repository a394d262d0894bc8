"""Exercise 13: Adam."""
from ..backend import xp as np
from .checker import Mistake
from .exercise import Exercise
from .l2_regularization import _bowl
from .update_check import UpdateCheck

TEMPLATE = '''"""Exercise 13: Adam (momentum and RMSProp together, with bias correction).

With beta1, beta2 = betas, and t the step number (1 at the first step):
  m := beta1 m + (1 - beta1) dw          (the mean of the gradients)
  v := beta2 v + (1 - beta2) dw^2        (the mean of their squares)
  m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)    (m and v start at 0: this undoes the bias)
  w := w - lr * m_hat / (sqrt(v_hat) + eps)
Keep t, m and v in `state` (a dict, empty at the first step).

Check with:  python -m minigrad.exercises check adam
"""
import numpy as np


def step(w, dw, state, lr, betas, eps):
    """One Adam step; returns the new w."""
    raise NotImplementedError("step")
'''

SOLUTIONS = {"step": """beta1, beta2 = betas
t = state["t"] = state.get("t", 0) + 1
m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * dw
v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * dw**2
m_hat = m / (1 - beta1**t)
v_hat = v / (1 - beta2**t)
return w - lr * m_hat / (np.sqrt(v_hat) + eps)"""}
HINTS = [
    "Count the steps in state: t = state.get('t', 0) + 1, so the first step has t = 1.",
    "Bias correction: divide m by (1 - beta1**t) and v by (1 - beta2**t) before the update.",
    "eps goes outside the square root: sqrt(v_hat) + eps.",
]


def _adam(correct=True, eps_inside=False, square=True):
    def step(w, dw, state, lr, betas, eps):
        beta1, beta2 = betas
        t = state["t"] = state.get("t", 0) + 1
        m = state["m"] = beta1 * state.get("m", 0) + (1 - beta1) * dw
        v = state["v"] = beta2 * state.get("v", 0) + (1 - beta2) * (dw**2 if square else dw)
        if correct:
            m, v = m / (1 - beta1**t), v / (1 - beta2**t)
        with np.errstate(invalid="ignore"):
            return w - lr * m / (np.sqrt(v + eps) if eps_inside else np.sqrt(v) + eps)
    return step


EXERCISE = Exercise(
    name="adam",
    goal="Adam with bias correction (a trajectory against nn.optim.Adam)",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[UpdateCheck("step", "Adam", loss=_bowl, start=lambda rng: rng.standard_normal((2, 3)),
                        hyper=[{"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8},
                               {"lr": 0.05, "betas": (0.8, 0.9), "eps": 0.1}], mistakes=[
        Mistake("no-bias-correction", "Adam without bias correction: m and v start at 0, so early on "
            "they are "
                "too small; divide m by (1 - beta1**t) and v by (1 - beta2**t), t counting from 1.",
                {"step": _adam(correct=False)}),
        Mistake("eps-inside-sqrt", "eps belongs outside the square root: m_hat / (sqrt(v_hat) + eps).",
                {"step": _adam(eps_inside=True)}),
        Mistake("v-not-squared", "v averages the *squared* gradients: (1 - beta2) * dw**2.",
                {"step": _adam(square=False)}),
    ])],
)
