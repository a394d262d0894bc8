"""minigrad: an autograd engine written from scratch on numpy.

>>> import minigrad as mg
>>> w = mg.tensor([2.0], requires_grad=True)
>>> loss = ((w * 3 - 1) ** 2).sum()
>>> loss.backward()
>>> w.grad
tensor([30.])
"""
import builtins

from . import autograd, functional, linalg, return_types, testing, utils  # noqa: F401 (mg.autograd, ...)
from .autograd.grad_mode import inference_mode, is_inference_mode_enabled
from .backend import default_float as get_default_dtype
from .backend import set_default_dtype
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    meshgrid,
    ones,
    ones_like,
    scalar_tensor,
    tensor,
    zeros,
    zeros_like,
)
from .device import DeviceError, backends, cuda, device
from .dtypes import (
    can_cast,
    finfo,
    float16,
    float32,
    float64,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    uint8,
)
from .grad_mode import detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .gradients import grad
from .ops.registry import exported
from .ops.sampling import (
    bernoulli,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from .printing import set_printoptions
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
from .size import Size
from .teaching import TeachingWarning, is_teaching, teaching
from .tensor import Tensor

# The ops declared with torch=True in minigrad/ops (PyTorch's torch.<name>): mg.exp, mg.sum,
# mg.cat, mg.where...  Each is declared once, beside its gradient rule.
globals().update(exported("torch"))

__version__ = "0.1.0"


def is_tensor(obj) -> bool:
    """``mg.is_tensor(obj)``: whether ``obj`` is a minigrad Tensor (a Parameter is one)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """``mg.is_floating_point(t)``: whether ``t``'s dtype is a floating one."""
    if not isinstance(input, Tensor):
        raise TypeError(f"is_floating_point(): argument 'input' must be a Tensor, got "
                        f"{type(input).__name__}")
    return input.is_floating_point()


def result_type(tensor, other):
    """``mg.result_type(a, b)``: the dtype an op on ``a`` and ``b`` (tensors or Python numbers)
    gives, by PyTorch's promotion (a 0-d tensor or a number only raises the category)."""
    from .ops.promotion import result_type as promoted

    def operand(x):
        if isinstance(x, Tensor):
            return x.data
        if type(x) in (builtins.bool, builtins.int, builtins.float, builtins.complex):
            return x
        raise TypeError(f"result_type(): expected a Tensor or a Python number, got {type(x).__name__}")

    return promoted(operand(tensor), operand(other)).type


# PyTorch's names of the dtypes; bool, float and int shadow the builtins, so they come last and
# nothing below uses the builtins.
float = float32
double = float64
half = float16
long = int64
short = int16
int = int32
bool = __import__("numpy").bool_

__all__ = [
    "Tensor", "tensor", "zeros", "ones", "full", "randn", "rand", "randint", "arange", "eye",
    "zeros_like", "ones_like", "manual_seed", "float32", "float64", "int64", "int32", "bool",
    # creation and random numbers (minigrad/creation.py, ops/sampling.py, random.py)
    "as_tensor", "from_numpy", "empty", "empty_like", "full_like", "linspace", "logspace", "meshgrid",
    "scalar_tensor", "rand_like", "randn_like", "randint_like", "randperm", "normal", "bernoulli",
    "multinomial", "Generator", "default_generator", "seed", "initial_seed", "get_rng_state",
    "set_rng_state",
    "float16", "int16", "int8", "uint8", "float", "double", "half", "long", "int", "short", "Size",
    "finfo", "iinfo", "promote_types", "result_type", "can_cast", "is_tensor", "is_floating_point",
    "set_printoptions", "DeviceError",
    *exported("torch"),
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
    "is_inference_mode_enabled", "grad", "gradcheck",
    "GradcheckError", "detect_anomaly", "device", "cuda", "backends", "get_default_dtype",
    "set_default_dtype", "autograd", "functional", "linalg", "return_types", "draw_graph", "nn",
    "optim", "save", "load", "testing", "teaching", "is_teaching", "TeachingWarning",
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
    if name in ("save", "load"):  # torch.save / torch.load: nn/serialization.py, no pickle
        return getattr(_nn_package("nn").serialization, name)
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


class _NnUnderMinigrad:
    """``import minigrad.nn as nn``, ``import minigrad.nn.functional as F``, ``from
    minigrad.optim.lr_scheduler import StepLR``: the dotted spellings of torch.nn and friends
    find the nn package beside minigrad (a finder on sys.meta_path, asked only for these names)."""

    def find_spec(self, fullname, path=None, target=None):
        import importlib.util

        first = fullname.split(".")[1] if fullname.startswith("minigrad.") else None
        if first in ("nn", "optim"):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        import importlib

        name = spec.name.split(".", 1)[1]  # nn.functional, optim.lr_scheduler
        _nn_package("nn")  # (checks that it is minigrad's own nn, not a learner's nn.py)
        return importlib.import_module("nn." + name if name.startswith("optim") else name)

    def exec_module(self, module) -> None:  # the module is nn's own, already run
        pass


__import__("sys").meta_path.insert(0, _NnUnderMinigrad())  # before the path finder: one module, not two
