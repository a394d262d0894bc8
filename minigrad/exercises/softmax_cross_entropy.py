"""Exercise 8: the fused softmax-cross-entropy, dz = y_hat - y over the batch."""
from ..backend import xp as np
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck

TEMPLATE = '''"""Exercise 8: softmax with cross-entropy, fused.

For N samples with scores z (N, C) and labels y (N,) (class indices; one-hot Y (N, C)):
  y_hat = softmax(z) row by row,   L = (1/N) sum_n -log y_hat[n, y[n]].
Through softmax and the log together the gradient is remarkably simple (the notes' dz = y_hat - y):
  dL/dz = (y_hat - Y) / N       (the 1/N because L is the mean over the batch)
and, for an upstream gradient `grad` (a scalar: dOut/dL), times grad.

Check with:  python -m minigrad.exercises check softmax_cross_entropy
"""
import numpy as np


def softmax_cross_entropy_forward(z, y):
    shifted = z - z.max(axis=1, keepdims=True)
    log_y_hat = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_y_hat[np.arange(len(y)), y].mean()


def softmax_cross_entropy_backward(grad, z, y):
    """Return dz, of z's shape (N, C)."""
    raise NotImplementedError("softmax_cross_entropy_backward")
'''

SOLUTIONS = {"softmax_cross_entropy_backward": """y_hat = np.exp(z - z.max(axis=1, keepdims=True))
y_hat /= y_hat.sum(axis=1, keepdims=True)
one_hot = np.eye(z.shape[1])[y]
return grad * (y_hat - one_hot) / len(y)"""}

HINTS = [
    "Compute y_hat = softmax(z) (stable), and the one-hot Y = np.eye(C)[y].",
    "dz = grad * (y_hat - Y) / N, with N = len(y).",
]


def _residual(z, y):
    y_hat = np.exp(z - z.max(axis=1, keepdims=True))
    y_hat /= y_hat.sum(axis=1, keepdims=True)
    return y_hat - np.eye(z.shape[1])[y]


def scores_and_labels(case, rng):
    (n, c), = case.shapes
    return [rng.standard_normal((n, c)), rng.integers(0, c, n)], {}


def _draw(d):
    return Case(((d.int(1, 5), d.int(2, 5)),))


def _cross_entropy(z, y):
    import minigrad.functional as F
    return F.cross_entropy(z, y)


EXERCISE = Exercise(
    name="softmax_cross_entropy",
    goal="the fused softmax-cross-entropy backward: dz = (y_hat - y) / N",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[OpCheck("softmax_cross_entropy_backward", _cross_entropy, ("z", "y"),
                    [Case(((4, 3),)), Case(((1, 3),)), Case(((5, 2),))], _draw, grads_of=("z",),
                    make=scores_and_labels, mistakes=[
        Mistake("no-1/N", "not divided by the batch: the loss is the mean over N samples, so "
                "dz = (y_hat - y) / N.",
                {"softmax_cross_entropy_backward": lambda g, z, y: g * _residual(z, y)}),
        Mistake("y-minus-y_hat", "dz = y_hat - y, not y - y_hat: the gradient raises the scores of the wrong "
                "classes (y_hat > y there).",
                {"softmax_cross_entropy_backward": lambda g, z, y: -g * _residual(z, y) / len(y)}),
    ])],
)
