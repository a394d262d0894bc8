"""``minigrad.autograd``: PyTorch's ``torch.autograd`` (``Function``, ``grad``, ``backward``, grad
modes, ``gradcheck``, ``functional``).  The engine itself, its graph and its chain rule, is
``minigrad.engine``."""
from ..engine import (  # noqa: F401  (PyTorch's names under torch.autograd)
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from ..gradcheck import gradgradcheck  # noqa: F401
from ..gradcheck import torch_gradcheck as gradcheck  # noqa: F401  (PyTorch's signature)
from ..gradients import backward, grad  # noqa: F401
from . import functional  # noqa: F401,E402  (mg.autograd.functional, as torch.autograd.functional)
from .function import Function, FunctionCtx  # noqa: F401
from .grad_mode import inference_mode, is_inference_mode_enabled  # noqa: F401
