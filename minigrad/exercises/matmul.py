"""Exercise 3: the backward of a matrix product."""
from .checker import Case, Mistake
from .exercise import Exercise
from .op_check import OpCheck
from .shapes import matmul_pair

TEMPLATE = '''"""Exercise 3: matmul.

out = a @ b with a of shape (n, k), b of shape (k, m), out of shape (n, m):
out[i, j] = sum_p a[i, p] b[p, j].  Differentiate one element to find
  dL/da[i, p] = sum_j grad[i, j] b[p, j]   ->  da = grad @ b.T   (shape (n, k), like a)
  dL/db[p, j] = sum_i a[i, p] grad[i, j]   ->  db = a.T @ grad   (shape (k, m), like b)
A shape check tells you where each transpose goes.

Check with:  python -m minigrad.exercises check matmul
"""
import numpy as np


def matmul_forward(a, b):
    return a @ b


def matmul_backward(grad, a, b):
    """Return (da, db)."""
    raise NotImplementedError("matmul_backward")
'''

SOLUTIONS = {"matmul_backward": "return grad @ b.T, a.T @ grad"}

HINTS = [
    "Write the shapes: grad is (n, m), a is (n, k), b is (k, m). Which product of grad and b gives (n, k)?",
    "da = grad @ b.T and db = a.T @ grad.",
]

EXERCISE = Exercise(
    name="matmul",
    goal="the backward of a @ b: where the transposes go",
    template=TEMPLATE, solutions=SOLUTIONS, hints=HINTS,
    checks=[OpCheck(
        "matmul_backward", lambda a, b: a @ b, ("a", "b"),
        [Case(((2, 3), (3, 4))), Case(((1, 3), (3, 1))), Case(((3, 3), (3, 3))), Case(((1, 1), (1, 1)))],
        matmul_pair, mistakes=[
            Mistake("transposed", "your gradient is the transpose of the right one: da = grad @ b.T has a's "
                    "shape (n, k); db = a.T @ grad has b's shape (k, m).",
                    {"matmul_backward": lambda g, a, b: (b @ g.T, g.T @ a)}),
            Mistake("swapped-outputs", "you returned (db, da): return the gradient of a first, then of b.",
                    {"matmul_backward": lambda g, a, b: (a.T @ g, g @ b.T)}),
            Mistake("no-transpose", "a transpose is missing: da = grad @ b.T and db = a.T @ grad "
                    "(for square matrices the product without it runs, and is wrong).",
                    {"matmul_backward": lambda g, a, b: (g @ b, a @ g)}),
        ])],
)
