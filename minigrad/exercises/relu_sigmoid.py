"""Exercise 5: the backward of ReLU and sigmoid."""
from ..backend import xp as np
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck
from .shapes import any_shape

TEMPLATE = '''"""Exercise 5: ReLU and sigmoid, the activations of the notes' MLPs.

relu(x) = max(0, x):          d relu/dx = 1 where x > 0, else 0.
sigmoid(x) = 1 / (1 + e^-x):  d sigmoid/dx = sigmoid(x) (1 - sigmoid(x)), written with the output.
Each backward multiplies the upstream `grad` by that local derivative, elementwise.

Check with:  python -m minigrad.exercises check relu_sigmoid
"""
import numpy as np


def relu_forward(x):
    return np.maximum(x, 0)


def sigmoid_forward(x):
    return 1 / (1 + np.exp(-x))


def relu_backward(grad, x):
    """Return dx."""
    raise NotImplementedError("relu_backward")


def sigmoid_backward(grad, x):
    """Return dx."""
    raise NotImplementedError("sigmoid_backward")
'''

SOLUTIONS = {
    "relu_backward": "return grad * (x > 0)",
    "sigmoid_backward": "s = sigmoid_forward(x)\nreturn grad * s * (1 - s)",
}

HINTS = [
    "ReLU passes the gradient where it passed the input (x > 0) and blocks it elsewhere.",
    "For sigmoid, compute s = sigmoid_forward(x) first; its derivative is s * (1 - s), not x * (1 - x).",
]


def _s(x):
    return 1 / (1 + np.exp(-x))


CASES = [Case(((5,),)), Case(((1, 3),)), Case(((2, 3, 2),)), Case(((),))]

EXERCISE = Exercise(
    name="relu_sigmoid",
    goal="the backward of relu and sigmoid (the local derivative times the upstream gradient)",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[
        OpCheck("relu_backward", lambda x: x.relu(), ("x",), CASES, any_shape, mistakes=[
            Mistake("relu-of-x", "you multiplied by relu(x) itself; relu's derivative is 1 where x > 0 and 0 "
                    "elsewhere: grad * (x > 0).", {"relu_backward": lambda g, x: g * np.maximum(x, 0)}),
            Mistake("mask-flipped", "the mask is reversed: the gradient flows where x > 0, the "
                "inputs relu let "
                    "through.", {"relu_backward": lambda g, x: g * (x < 0)}),
        ]),
        OpCheck("sigmoid_backward", lambda x: x.sigmoid(), ("x",), CASES, any_shape, mistakes=[
            Mistake("x-not-s", "you used the input x in s(1 - s): the derivative is written with the "
                "*output*, "
                    "s = sigmoid(x): grad * s * (1 - "
                        "s).", {"sigmoid_backward": lambda g, x: g * x * (1 - x)}),
            Mistake("no-1-s", "the (1 - s) factor is missing: d sigmoid/dx = s * (1 - s).",
                    {"sigmoid_backward": lambda g, x: g * _s(x)}),
        ]),
    ],
)
