"""Exercise 6: the backward of tanh."""
from ..backend import xp as np
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck
from .shapes import any_shape

TEMPLATE = '''"""Exercise 6: tanh.

tanh(x) = (e^x - e^-x) / (e^x + e^-x);  d tanh/dx = 1 - tanh(x)^2, written with the output.

Check with:  python -m minigrad.exercises check tanh
"""
import numpy as np


def tanh_forward(x):
    return np.tanh(x)


def tanh_backward(grad, x):
    """Return dx."""
    raise NotImplementedError("tanh_backward")
'''

SOLUTIONS = {"tanh_backward": "t = np.tanh(x)\nreturn grad * (1 - t**2)"}
HINTS = ["Compute t = np.tanh(x); the derivative is 1 - t**2 (the output squared, not the input)."]

EXERCISE = Exercise(
    name="tanh",
    goal="the backward of tanh, written with its output",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[OpCheck("tanh_backward", lambda x: x.tanh(), ("x",),
                    [Case(((4,),)), Case(((1, 3),)), Case(((2, 2, 2),))], any_shape, mistakes=[
        Mistake("x-not-tanh", "you squared the input x: the derivative is 1 - tanh(x)**2, with the output.",
                {"tanh_backward": lambda g, x: g * (1 - x**2)}),
        Mistake("square-of-difference", "that is (1 - tanh(x))**2; the derivative is 1 - tanh(x)**2 "
                "(square tanh first, then subtract from "
                    "1).", {"tanh_backward": lambda g, x: g * (1 - np.tanh(x))**2}),
    ])],
)
