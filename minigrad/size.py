"""``mg.Size``: a tensor's shape, a tuple that prints as PyTorch's ``torch.Size([2, 3])``.

>>> import minigrad as mg
>>> mg.zeros(2, 3).shape
torch.Size([2, 3])
>>> mg.zeros(2, 3).shape == (2, 3), mg.zeros(2, 3).shape[1:], mg.Size([2, 3]).numel()
(True, torch.Size([3]), 6)
>>> f"shape {mg.zeros(2, 3).shape}"
'shape (2, 3)'

"""
from __future__ import annotations

from .printing import TORCH_PREFIX


class Size(tuple):
    """A tuple of sizes (every tuple operation works); slicing it or adding a tuple gives a
    Size, and ``numel()`` is the product of the sizes."""

    __slots__ = ()

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for n in sizes:
            if isinstance(n, bool) or not hasattr(n, "__index__"):
                raise TypeError(f"Size: the sizes must be ints, got {n!r} ({type(n).__name__})")
        return tuple.__new__(cls, (n.__index__() for n in sizes))

    def __repr__(self) -> str:
        return f"{TORCH_PREFIX}Size([{', '.join(str(n) for n in self)}])"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        # In an f-string a shape reads as a tuple, "(2, 3)": the engine's error messages name
        # shapes so (print(x.shape) and repr(x.shape) are PyTorch's "torch.Size([2, 3])").
        return tuple.__repr__(self) if not spec else format(tuple.__repr__(self), spec)

    def __getitem__(self, index):
        item = tuple.__getitem__(self, index)
        return tuple.__new__(Size, item) if isinstance(index, slice) else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return tuple.__new__(Size, tuple.__add__(other, self))

    def __mul__(self, times):
        return tuple.__new__(Size, tuple.__mul__(self, times))

    __rmul__ = __mul__

    def numel(self) -> int:
        count = 1
        for n in self:
            count *= n
        return count


def as_size(shape: tuple) -> Size:
    """A shape tuple (numpy's ints) as a Size, with no checks: the fast path of ``x.shape``."""
    return _tuple_new(Size, shape)


_tuple_new = tuple.__new__
