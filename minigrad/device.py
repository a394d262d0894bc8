"""Devices, as PyTorch names them: minigrad computes on the CPU only.

``mg.device("cpu")``, ``device=`` on the creation functions, ``Tensor.device``, ``.to(device)``
and ``.cpu()`` all work as in PyTorch, so that the usual selection idiom runs unchanged::

    device = "cuda" if mg.cuda.is_available() else "cpu"   # "cpu": is_available() is False

Naming another device is allowed (``mg.device("cuda")``); putting a tensor there is an error
that says what is supported (of PyTorch's type for a CPU-only build: AssertionError for
cuda/xpu, which is also a RuntimeError here).
"""
from __future__ import annotations

import types

_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
          "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class DeviceError(AssertionError, RuntimeError):
    """A device minigrad cannot compute on (PyTorch's CPU build raises AssertionError)."""


class device:
    """``mg.device("cpu")``, ``mg.device("cuda:0")``, ``mg.device("cuda", 0)``: a device's name."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device(): expected a string or a device, got {type.__class__.__name__}")
        name, _, number = type.partition(":")
        if name not in _TYPES:
            raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device "
                               f"string: {type}")
        if number:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(number)
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type, self.index = name, index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:  # as PyTorch: a device equals a device, not a string
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def as_device(spec, op: str) -> device:
    """The device ``spec`` names (a string, a device, or None for the CPU), checked to be one
    minigrad computes on: the CPU."""
    if spec is None:
        return CPU
    if isinstance(spec, int) and not isinstance(spec, bool):
        spec = device("cuda", spec)  # PyTorch reads an int as a CUDA ordinal
    where = spec if isinstance(spec, device) else device(spec)
    if where.type == "cpu" and where.index in (None, 0):
        return CPU
    if where.type == "cpu":
        raise RuntimeError(f"{op}: device {where} does not exist: there is one CPU device, 'cpu'")
    raise DeviceError(
        f"{op}: minigrad runs on the CPU only, and {str(where)!r} was asked for. Use device='cpu' "
        "(the idiom device = 'cuda' if mg.cuda.is_available() else 'cpu' picks it)"
    )


def _false() -> bool:
    return False


def _zero() -> int:
    return 0


# mg.cuda and mg.backends.mps: what the device-selection idiom asks
cuda = types.SimpleNamespace(is_available=_false, device_count=_zero, is_initialized=_false,
                             __doc__="CUDA, as seen by minigrad: not available (CPU only).")
backends = types.SimpleNamespace(
    mps=types.SimpleNamespace(is_available=_false, is_built=_false),
    cuda=types.SimpleNamespace(is_built=_false),
    __doc__="Backends, as seen by minigrad: none besides the CPU.",
)
