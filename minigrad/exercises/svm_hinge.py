"""Exercise 9: the multiclass SVM (hinge) loss of CS231n."""
from ..backend import xp as np
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck
from .softmax_cross_entropy import _draw, scores_and_labels

TEMPLATE = '''"""Exercise 9: the multiclass SVM loss (hinge loss).

For sample i with scores s (a row of C) and correct class y_i:
  L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + 1),      L = (1/N) sum_i L_i.
Each positive margin m_ij = s_j - s_{y_i} + 1 > 0 (j != y_i) contributes +1 to dL_i/ds_j and
-1 to dL_i/ds_{y_i}; zero margins contribute nothing.  Then 1/N for the mean, times `grad`.

Check with:  python -m minigrad.exercises check svm_hinge
"""
import numpy as np


def svm_forward(s, y):
    n = len(y)
    margins = np.maximum(0, s - s[np.arange(n), y][:, None] + 1)
    margins[np.arange(n), y] = 0
    return margins.sum(axis=1).mean()


def svm_backward(grad, s, y):
    """Return ds, of s's shape (N, C)."""
    raise NotImplementedError("svm_backward")
'''

SOLUTIONS = {"svm_backward": """n = len(y)
margins = s - s[np.arange(n), y][:, None] + 1
positive = (margins > 0).astype(float)
positive[np.arange(n), y] = 0
positive[np.arange(n), y] = -positive.sum(axis=1)
return grad * positive / n"""}

HINTS = [
    "Mark the positive margins of the wrong classes with 1 (zero at the correct class).",
    "The correct class's score appears in every margin of its row with a minus sign: its gradient is minus "
    "the number of positive margins in the row.",
    "Then divide by N and multiply by grad.",
]


def _positive(s, y, correct=True):
    n = len(y)
    p = (s - s[np.arange(n), y][:, None] + 1 > 0).astype(float)
    p[np.arange(n), y] = 0
    if correct:
        p[np.arange(n), y] = -p.sum(axis=1)
    return p


def _hinge(s, y):
    import minigrad.functional as F
    return F.multiclass_hinge_loss(s, y)


EXERCISE = Exercise(
    name="svm_hinge",
    goal="the backward of the multiclass SVM loss: +1 per positive margin, minus their count at the answer",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[OpCheck("svm_backward", _hinge, ("s", "y"), [Case(((4, 3),)), Case(((1, 4),)), Case(((3, 2),))],
                    _draw, grads_of=("s",), make=scores_and_labels, mistakes=[
        Mistake("no-correct-class", "the correct class's score is missing its gradient: s_{y_i} is "
            "subtracted "
                "in every margin of its row, so ds_{y_i} = -(number of positive margins).",
                {"svm_backward": lambda g, s, y: g * _positive(s, y, correct=False) / len(y)}),
        Mistake("no-1/N", "not divided by the batch: L is the mean of the L_i over N samples, so "
            "divide by N.",
                {"svm_backward": lambda g, s, y: g * _positive(s, y)}),
    ])],
)
