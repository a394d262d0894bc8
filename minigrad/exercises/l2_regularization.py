"""Exercise 11: L2 regularization, as a penalty and as weight decay."""
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck
from .update_check import UpdateCheck

TEMPLATE = '''"""Exercise 11: L2 regularization.

The notes add lambda R(W) to the data loss, with R(W) = sum_k sum_l W_kl^2:
  d(lambda R)/dW = 2 lambda W.
PyTorch folds the same idea into the optimizer as weight decay: SGD with weight_decay=wd adds wd * w
to the gradient (the gradient of (wd/2) ||w||^2) before the step:
  w := w - lr * (dw + wd * w).

Check with:  python -m minigrad.exercises check l2_regularization
"""
import numpy as np


def l2_penalty_forward(W, lam):
    return lam * (W**2).sum()


def l2_penalty_backward(grad, W, lam):
    """Return dW of lambda R(W)."""
    raise NotImplementedError("l2_penalty_backward")


def step(w, dw, state, lr, weight_decay):
    """One SGD step with weight decay (dw: the gradient of the data loss only)."""
    raise NotImplementedError("step")
'''

SOLUTIONS = {"l2_penalty_backward": "return grad * 2 * lam * W",
             "step": "return w - lr * (dw + weight_decay * w)"}
HINTS = [
    "d(W_kl^2)/dW_kl = 2 W_kl: the penalty's gradient is 2 * lam * W, times grad.",
    "Weight decay adds weight_decay * w to the gradient, then takes the plain step: w - lr * (dw + wd * w).",
]


def _bowl(w):
    return ((w - 1.5) ** 2).sum() + 0.1 * (w**4).sum()


EXERCISE = Exercise(
    name="l2_regularization",
    goal="the gradient of lambda * sum(W^2), and SGD with weight decay",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[
        OpCheck("l2_penalty_backward", lambda W, lam: lam * (W**2).sum(), ("W",),
                [Case(((3, 2),), {"lam": 0.1}), Case(((1,),), {"lam": 0.5}),
                 Case(((2, 2, 2),), {"lam": 1e-3})],
                None, mistakes=[
            Mistake("no-2", "the 2 of d(W^2)/dW is missing: d(lambda sum W^2)/dW = 2 lambda W (lambda W is "
                    "the gradient of (lambda/2) sum W^2, PyTorch's weight-decay convention).",
                    {"l2_penalty_backward": lambda g, W, lam: g * lam * W}),
            Mistake("no-lambda", "lambda is missing: the penalty is lambda R(W), so its gradient is "
                "2 lambda W.",
                    {"l2_penalty_backward": lambda g, W, lam: g * 2 * W}),
        ]),
        UpdateCheck("step", "SGD", loss=_bowl, start=lambda rng: rng.standard_normal((2, 3)),
                    hyper=[{"lr": 0.05, "weight_decay": 0.1}, {"lr": 0.1, "weight_decay": 0.5}], mistakes=[
            Mistake("decay-sign", "the decay pushes w away from 0: add + weight_decay * w to the gradient "
                    "(the penalty's gradient), then subtract lr times the sum.",
                    {"step": lambda w, dw, state, lr, weight_decay: w - lr * (dw - weight_decay * w)}),
            Mistake("decay-without-lr", "the decay was not scaled by lr: w - lr * (dw + weight_decay * w).",
                    {"step": lambda w, dw, state, lr, weight_decay: w - lr * dw - weight_decay * w}),
        ]),
    ],
)
