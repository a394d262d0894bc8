"""``minigrad.autograd``: PyTorch's ``torch.autograd`` (``grad``, ``backward``, grad modes,
``gradcheck``).  The engine itself, its graph and its chain rule, is ``minigrad.engine``."""
from ..engine import (  # noqa: F401  (PyTorch's names under torch.autograd)
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from ..gradcheck import gradcheck  # noqa: F401
from ..gradients import grad  # noqa: F401
