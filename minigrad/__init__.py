"""minigrad: an autograd engine written from scratch on numpy.

>>> import minigrad as mg
>>> w = mg.tensor([2.0], requires_grad=True)
>>> loss = ((w * 3 - 1) ** 2).sum()
>>> loss.backward()
>>> w.grad
tensor([30.])
"""
from . import autograd, functional, return_types  # noqa: F401 (mg.autograd, mg.functional, mg.return_types)
from .backend import bool_ as bool
from .backend import default_float as get_default_dtype
from .backend import float32, float64, int64, set_default_dtype
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
from .device import backends, cuda, device
from .engine import Function
from .grad_mode import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .gradients import grad
from .ops.registry import exported
from .tensor import Tensor

# The ops declared with torch=True in minigrad/ops (PyTorch's torch.<name>): mg.exp, mg.sum,
# mg.cat, mg.where...  Each is declared once, beside its gradient rule.
globals().update(exported("torch"))

__version__ = "0.1.0"

int32 = __import__("numpy").int32

__all__ = [
    "Tensor", "tensor", "zeros", "ones", "full", "randn", "rand", "randint", "arange", "eye",
    "zeros_like", "ones_like", "manual_seed", "float32", "float64", "int64", "int32", "bool",
    *exported("torch"),
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad", "gradcheck",
    "GradcheckError", "detect_anomaly", "device", "cuda", "backends", "get_default_dtype",
    "set_default_dtype", "Function", "autograd", "functional", "return_types", "draw_graph", "nn", "optim",
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
    if name in ("nn", "optim"):
        return _nn_package(name)
    raise AttributeError(f"module 'minigrad' has no attribute {name!r}")


def _nn_package(name: str):
    """``minigrad.nn`` / ``minigrad.optim``: the ``nn`` package beside minigrad, checked to be
    that package and not a learner's own ``nn.py`` that happens to come first on sys.path."""
    import importlib
    import os

    nn = importlib.import_module("nn")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    location = getattr(nn, "__file__", None) or "(no file)"
    if not hasattr(nn, "Module") or not hasattr(nn, "optim"):
        raise ImportError(
            f"minigrad.{name}: 'import nn' found {location}, not minigrad's nn package (expected "
            f"under {here}). A file or folder named nn in your working directory shadows it: "
            "rename it (e.g. my_nn.py)."
        )
    return nn if name == "nn" else nn.optim
