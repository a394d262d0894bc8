"""A tensor's dtype and device changed: ``.to()`` with PyTorch's three forms, ``.type()``,
``.float()``/``.long()``..., ``.cpu()`` and ``.cuda()``.  The Tensor class takes these as its
methods.

A cast to a floating dtype is recorded (the gradient flows back, cast to the input's dtype);
a cast to an integer or bool dtype is not (such a tensor cannot require grad).  ``.to()`` that
changes nothing returns the tensor itself, as PyTorch's does.

>>> import minigrad as mg
>>> x = mg.tensor([1.5, 2.5], requires_grad=True)
>>> x.to(mg.float64)
tensor([1.5000, 2.5000], dtype=torch.float64, grad_fn=<ToCopyBackward0>)
>>> x.to("cpu") is x, x.long()
(True, tensor([1, 2]))
"""
from __future__ import annotations

from .backend import xp
from .device import CPU, as_device
from .dtypes import parse_type, type_string
from .engine import is_tensor, new_constant
from .ops import elementwise

_FORMS = ("to() takes one of: to(dtype, non_blocking=False, copy=False), "
          "to(device=None, dtype=None, non_blocking=False, copy=False), "
          "to(other: Tensor, non_blocking=False, copy=False)")


def _is_dtype(x) -> bool:
    return isinstance(x, xp.dtype) or (isinstance(x, type) and issubclass(x, xp.generic))


def _to_arguments(args: tuple, kwargs: dict):
    """(device, dtype, copy) from PyTorch's three forms of ``to``."""
    rest, named = list(args), ("device", "dtype", "non_blocking", "copy")
    values: dict = {}
    if rest and (is_tensor(rest[0]) or _is_dtype(rest[0])):
        first = rest.pop(0)
        values = {"dtype": first.dtype} if is_tensor(first) else {"dtype": first}
        if is_tensor(first):
            values["device"] = CPU
        named = ("non_blocking", "copy")
    if len(rest) > len(named):
        raise TypeError(f"to() got {len(args)} positional arguments. {_FORMS}")
    values.update(zip(named, rest))
    for key, value in kwargs.items():
        if key not in ("device", "dtype", "non_blocking", "copy") or key in values:
            what = "an unexpected" if key not in values else "a second value for the"
            raise TypeError(f"to() got {what} argument {key!r}. {_FORMS}")
        values[key] = value
    dtype = values.get("dtype")
    if dtype is not None and not _is_dtype(dtype):
        raise TypeError(f"to(): dtype must be a dtype such as mg.float32, got {dtype!r}. {_FORMS}")
    for flag in ("non_blocking", "copy"):
        if not isinstance(values.get(flag, False), bool):
            raise TypeError(f"to(): {flag} must be a bool, got {values[flag]!r}. {_FORMS}")
    device = values.get("device")
    if device is not None:
        as_device(device, "to")
    # non_blocking has no effect: a CPU copy is done when to() returns (as in PyTorch)
    return dtype, values.get("copy", False)


def cast(tensor, dtype, copy: bool = False):
    """``tensor`` as ``dtype``: itself when nothing changes (unless ``copy``); recorded when the
    result is floating, so that the gradient flows back."""
    target = xp.dtype(dtype)
    if target == tensor.dtype and not copy:
        return tensor
    if tensor.requires_grad and target.kind in "fc":
        return elementwise.Cast.apply(tensor, dtype=target)
    return new_constant(tensor.data.astype(target))


def to(self, *args, **kwargs):
    """``x.to(dtype)``, ``x.to(device, dtype)``, ``x.to(other)`` (other's dtype and device),
    with ``non_blocking`` (no effect on the CPU, as in PyTorch) and ``copy`` (a new tensor
    even when nothing changes)."""
    dtype, copy = _to_arguments(args, kwargs)
    return cast(self, self.dtype if dtype is None else dtype, copy)


def type_(self, dtype=None, non_blocking: bool = False):
    """``x.type()``: PyTorch's type string (``'torch.FloatTensor'``); ``x.type(dtype)`` or
    ``x.type('torch.DoubleTensor')``: the tensor cast to it."""
    if dtype is None:
        return type_string(self.dtype)
    return cast(self, parse_type(dtype, "type"))


def cpu(self):
    """The tensor on the CPU: itself (minigrad's tensors are all there)."""
    return self


def cuda(self, device=None, non_blocking: bool = False):
    """Always an error naming the fix: minigrad computes on the CPU only."""
    as_device("cuda" if device is None else device, "cuda")
    raise RuntimeError(f"cuda: invalid device {device!r}, must be a CUDA device")


def pin_memory(self):
    raise RuntimeError("pin_memory: cannot access accelerator device when none is available "
                       "(pinned memory speeds copies to a GPU, and minigrad runs on the CPU only)")


def is_pinned(self) -> bool:
    return False


def get_device(self) -> int:
    """-1: the CPU, as PyTorch numbers it."""
    return -1


def __format__(self, spec: str) -> str:
    """``f"{loss:.4f}"``: a 0-d tensor formats as its number (as in PyTorch)."""
    if self.ndim == 0:
        return self.data.item().__format__(spec)
    return object.__format__(self, spec)


def element_size(self) -> int:
    """Bytes per element."""
    return self.data.itemsize


def dtype_method(dtype, name: str):
    """``x.float()``, ``x.long()``...: ``x.to(dtype)``."""
    def convert(self):
        return cast(self, dtype)

    convert.__name__ = convert.__qualname__ = name
    convert.__doc__ = f"The tensor as {xp.dtype(dtype).name} (itself if it already is)."
    return convert
