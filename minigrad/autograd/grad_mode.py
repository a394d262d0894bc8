"""``inference_mode``: PyTorch's faster no_grad.  Here it is no_grad with a flag: what runs
under PyTorch's inference mode runs here with the same results, but tensors made inside are
not marked (PyTorch's "inference tensors", which refuse later use in autograd)."""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from ..grad_mode import grad_state


class _InferenceState(threading.local):
    enabled = False


_state = _InferenceState()


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (PyTorch's ``torch.is_inference_mode_enabled``)."""
    return _state.enabled


class inference_mode:
    """``with mg.inference_mode():`` records no graph, as no_grad; ``inference_mode(False)``
    turns recording back on (as PyTorch, even inside no_grad).  Also a decorator, with or without
    parentheses.

    >>> import minigrad as mg
    >>> x = mg.ones(2, requires_grad=True)
    >>> with mg.inference_mode():
    ...     y = x * 2
    >>> y.requires_grad, mg.is_inference_mode_enabled()
    (False, False)
    """

    def __new__(cls, mode=True):
        if callable(mode):  # ``@mg.inference_mode`` without parentheses
            return cls(True)(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True):
        self.mode = bool(mode)

    def __enter__(self):
        self._previous = (grad_state.enabled, _state.enabled)
        grad_state.enabled, _state.enabled = not self.mode, self.mode
        return self

    def __exit__(self, *exc_info):
        grad_state.enabled, _state.enabled = self._previous
        return False

    def __call__(self, function: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return function(*args, **kwargs)

        return wrapper

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)
