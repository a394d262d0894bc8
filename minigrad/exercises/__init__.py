"""Learn backprop by writing it: graded exercises, checked offline against minigrad itself.

``python -m minigrad.exercises start`` writes the templates into ./backprop-exercises; each file
has its forward given and a backward (or an update rule) to write; ``check NAME`` says whether it
is right and, when not, which element of which gradient is wrong and which classic mistake the
answer is.  See ``python -m minigrad.exercises --help``.
"""
from __future__ import annotations

import importlib

ORDER = [
    "gradient_descent", "add_mul", "matmul", "sum_mean", "relu_sigmoid", "tanh", "softmax",
    "softmax_cross_entropy", "svm_hinge", "linear", "l2_regularization", "sgd_momentum", "adam",
    "spiral",
]


def get(name: str):
    """The Exercise named ``name`` (KeyError for an unknown name)."""
    if name not in ORDER:
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}").EXERCISE


def all_exercises() -> list:
    return [get(name) for name in ORDER]
