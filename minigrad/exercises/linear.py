"""Exercise 10: a Linear layer's backward (input, weight and bias)."""
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck
from .shapes import linear_shapes

TEMPLATE = '''"""Exercise 10: a Linear layer, PyTorch's layout.

out = x @ W.T + b with x (N, in_features), W (out_features, in_features), b (out_features,).
  dx = grad @ W          (N, in_features)
  dW = grad.T @ x        (out_features, in_features): summed over the batch by the product
  db = grad.sum(axis=0)  (out_features,): b was broadcast over the N rows

Check with:  python -m minigrad.exercises check linear
"""
import numpy as np


def linear_forward(x, W, b):
    return x @ W.T + b


def linear_backward(grad, x, W, b):
    """Return (dx, dW, db)."""
    raise NotImplementedError("linear_backward")
'''

SOLUTIONS = {"linear_backward": "return grad @ W, grad.T @ x, grad.sum(axis=0)"}
HINTS = [
    "Match shapes: grad is (N, out). dx must be (N, in), dW (out, in), db (out,).",
    "dx = grad @ W, dW = grad.T @ x, db = grad.sum(axis=0).",
]


def _linear(x, W, b):
    import minigrad.functional as F
    return F.linear(x, W, b)


EXERCISE = Exercise(
    name="linear",
    goal="a Linear layer's backward: dx, dW and db (summed over the batch)",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[OpCheck("linear_backward", _linear, ("x", "W", "b"),
                    [Case(((4, 3), (2, 3), (2,))), Case(((1, 3), (2, 3), (2,))),
                     Case(((3, 1), (1, 1), (1,)))],
                    linear_shapes, mistakes=[
        Mistake("db-not-summed", "b is broadcast over the batch: sum its gradient over the rows, "
                "db = grad.sum(axis=0), of shape (out_features,).",
                {"linear_backward": lambda g, x, W, b: (g @ W, g.T @ x, g)}),
        Mistake("dW-transposed", "dW is transposed: W is (out_features, in_features) as in PyTorch, "
                "so dW = grad.T @ "
                    "x.", {"linear_backward": lambda g, x, W, b: (g @ W, x.T @ g, g.sum(axis=0))}),
    ])],
)
