"""Grad mode (whether ops are recorded, per thread as in PyTorch) and anomaly mode."""
from __future__ import annotations

import threading
from collections.abc import Callable

from .backend import ndarray, xp


class _GradMode(threading.local):
    enabled = True


grad_state = _GradMode()  # .enabled: read by every op, so a plain attribute


class _Anomaly:
    enabled = False


anomaly_state = _Anomaly()


def swap_grad_mode(enabled: bool) -> bool:
    """Switch recording on or off for this thread; returns the mode it replaced."""
    previous, grad_state.enabled = grad_state.enabled, enabled
    return previous


def is_grad_enabled() -> bool:
    """True when new ops are recorded into the graph (the default)."""
    return grad_state.enabled


class _GradModeContext:
    """Base of ``no_grad``/``enable_grad``: a context manager and a function decorator."""

    mode = True

    def __new__(cls, function=None):
        # ``@mg.no_grad`` without parentheses decorates too, as in PyTorch.
        context = super().__new__(cls)
        return context(function) if callable(function) else context

    def __init__(self, function=None):
        pass

    def __enter__(self):
        self._previous = grad_state.enabled
        grad_state.enabled = self.mode
        return self

    def __exit__(self, *exc_info):
        grad_state.enabled = self._previous
        return False

    def __call__(self, function: Callable) -> Callable:
        mode = self.mode

        def wrapper(*args, **kwargs):
            previous = grad_state.enabled
            grad_state.enabled = mode
            try:
                return function(*args, **kwargs)
            finally:
                grad_state.enabled = previous

        wrapper.__name__ = getattr(function, "__name__", "wrapper")
        wrapper.__doc__ = getattr(function, "__doc__", None)
        return wrapper


class no_grad(_GradModeContext):
    """Ops run inside do not record a graph.

    >>> import minigrad as mg
    >>> x = mg.ones(2, requires_grad=True)
    >>> with mg.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Turns recording back on inside a ``no_grad`` block."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` switches recording off at once; as a context manager it
    restores the previous mode on exit (as in PyTorch)."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._previous = grad_state.enabled
        grad_state.enabled = self.mode

    def __enter__(self):
        return self

    def __call__(self, function: Callable) -> Callable:
        grad_state.enabled = self._previous  # as a decorator it switches only inside the call
        return super().__call__(function)


class detect_anomaly:
    """Inside this block every op checks its output, and every backward step its gradients,
    for NaN or inf, and raises ``RuntimeError`` naming the op that first produced one.

    >>> import minigrad as mg
    >>> x = mg.tensor([0.0], requires_grad=True)
    >>> with mg.detect_anomaly():
    ...     try:
    ...         x.log()
    ...     except RuntimeError as e:
    ...         print(str(e).split(':')[0])
    anomaly in forward of 'log'
    """

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._previous = anomaly_state.enabled
        anomaly_state.enabled = self.check_nan
        return self

    def __exit__(self, *exc_info):
        anomaly_state.enabled = self._previous
        return False


def check_finite(array, where: str, name: str, detail: str = "") -> None:
    if isinstance(array, ndarray) and array.dtype.kind in "fc" and not xp.isfinite(array).all():
        bad = "nan" if xp.isnan(array).any() else "inf"
        raise RuntimeError(
            f"anomaly in {where} of '{name}': it produced {bad} values{detail} "
            f"(shape {tuple(array.shape)}). The inputs of this op are where to look."
        )
