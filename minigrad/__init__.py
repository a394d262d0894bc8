"""minigrad: an autograd engine written from scratch on numpy.

>>> import minigrad as mg
>>> w = mg.tensor([2.0], requires_grad=True)
>>> loss = ((w * 3 - 1) ** 2).sum()
>>> loss.backward()
>>> w.grad
tensor([30.])
"""
from . import functional
from .autograd import (
    Function,
    detect_anomaly,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .backend import bool_ as bool
from .backend import float32, float64, int64
from .combine import cat, maximum, minimum, stack, where
from .creation import (
    arange,
    eye,
    full,
    manual_seed,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    tensor,
    zeros,
    zeros_like,
)
from .gradcheck import GradcheckError, gradcheck
from .tensor import Tensor

__version__ = "0.1.0"

int32 = __import__("numpy").int32

__all__ = [
    "Tensor", "tensor", "zeros", "ones", "full", "randn", "rand", "randint", "arange", "eye",
    "zeros_like", "ones_like", "manual_seed", "float32", "float64", "int64", "int32", "bool",
    "cat", "stack", "where", "maximum", "minimum",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad", "gradcheck",
    "GradcheckError", "detect_anomaly", "Function", "functional", "draw_graph", "nn", "optim",
]


def __getattr__(name):
    # Imported on first use: the drawing needs the graphviz package, and nn (the package beside
    # minigrad) is built on minigrad, not the other way round.
    if name == "draw_graph":
        from .viz import draw_graph
        return draw_graph
    if name == "viz":
        import importlib
        return importlib.import_module(".viz", __name__)
    if name == "nn":
        import nn
        return nn
    if name == "optim":
        import nn.optim
        return nn.optim
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
