"""Exercise 1: gradient descent on the notes' J(w) = w^2 - 10w + 25."""
from ..backend import xp as np
from .checker import Case, Mistake, _call
from .exercise import Exercise
from .op_check import OpCheck
from .update_check import UpdateCheck

TEMPLATE = '''"""Exercise 1: gradient descent on J(w) = w^2 - 10w + 25 = (w - 5)^2.

The cost of the lecture notes has its minimum at w = 5.  Pretend you do not know it:
  1. derive dJ/dw by hand (the derivative of each term: w^2, -10w, 25);
  2. write one step of gradient descent, w := w - alpha * dJ/dw, with alpha the learning rate
     (`lr` below).  From w = 0, repeated steps walk w to 5.

Check with:  python -m minigrad.exercises check gradient_descent
"""
import numpy as np


def J(w):
    """The cost (given)."""
    return w**2 - 10 * w + 25


def dJ_dw(w):
    """dJ/dw at w (w may be an array: the derivative at each element)."""
    raise NotImplementedError("dJ_dw")


def step(w, dw, state, lr):
    """One step of gradient descent: the new w, from w and dw = dJ/dw at w.

    `state` is a dict for the rules that remember something between steps (momentum and Adam
    will); plain gradient descent needs nothing from it.
    """
    raise NotImplementedError("step")


if __name__ == "__main__":
    w = np.array(0.0)
    for i in range(30):
        w = step(w, dJ_dw(w), {}, lr=0.1)
    print("w after 30 steps:", w, " J(w):", J(w))
'''

SOLUTIONS = {
    "dJ_dw": "return 2 * w - 10",
    "step": "return w - lr * dw",
}

HINTS = [
    "The derivative of a sum is the sum of the derivatives: d(w^2)/dw = 2w, d(-10w)/dw = -10, d(25)/dw = 0.",
    "Gradient descent moves against the gradient: subtract lr times dw from w.",
    "dJ_dw(w) = 2 * w - 10, and step returns w - lr * dw.",
]


def _cost(w):
    return w**2 - 10 * w + 25


EXERCISE = Exercise(
    name="gradient_descent",
    goal="derive dJ/dw of J(w) = w^2 - 10w + 25 and take gradient-descent steps to w = 5",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[
        OpCheck("dJ_dw", _cost, ("w",), unit_upstream=True, labels=("dJ/dw",),
                cases=[Case(((),)), Case(((3,),)), Case(((2, 2),))], draw=None,
                call=lambda m, grad, arrays, params: _call(m, "dJ_dw", arrays[0]),
                mistakes=[
                    Mistake("linear-term-sign", "the derivative of -10w is -10, not +10: dJ/dw = 2w - 10.",
                            {"dJ_dw": lambda w: 2 * w + 10}),
                    Mistake("dropped-linear-term", "you dropped the -10w term: its derivative, -10, "
                            "belongs in dJ/dw = 2w - 10 (only the constant 25 differentiates to 0).",
                            {"dJ_dw": lambda w: 2 * w}),
                ]),
        UpdateCheck("step", "SGD", loss=lambda w: _cost(w).sum(),
                    start=lambda rng: np.concatenate([[0.0], rng.uniform(-10, 10, 3)]),
                    hyper=[{"lr": 0.1}, {"lr": 0.45}], steps=30,
                    mistakes=[
                        Mistake("ascent", "w moved uphill: gradient *descent* subtracts the gradient, "
                                "w - lr * dw.", {"step": lambda w, dw, state, lr: w + lr * dw}),
                        Mistake("no-lr", "the step is the whole gradient: scale it by the learning rate, "
                                "w - lr * dw.", {"step": lambda w, dw, state, lr: w - dw}),
                    ]),
    ],
)

