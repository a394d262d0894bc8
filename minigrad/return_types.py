"""The named tuples ops return, PyTorch's ``torch.return_types``: ``max(dim)`` gives a
``minigrad.return_types.max`` with fields ``values`` and ``indices``, ``aminmax`` one with
``min`` and ``max``.  Each is a real tuple (unpack it, index it, compare it with a tuple) whose
fields are also attributes, and it prints as PyTorch's does, under its own module's name.

>>> import minigrad as mg
>>> values, indices = mg.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
>>> indices
tensor([1, 0])
>>> mg.tensor([3.0, 1.0]).sort()
minigrad.return_types.sort(
values=tensor([1., 3.]),
indices=tensor([1, 0]))
"""
from __future__ import annotations

import operator


class ReturnType(tuple):
    """A tuple with named fields; built, like PyTorch's, from one sequence: ``sort((v, i))``."""

    __slots__ = ()
    _fields: tuple = ()

    def __new__(cls, sequence=()):
        items = tuple(sequence)
        if len(items) != len(cls._fields):
            raise TypeError(f"{cls.__module__}.{cls.__name__} takes a {len(cls._fields)}-sequence "
                            f"({', '.join(cls._fields)}), got {len(items)} items")
        return super().__new__(cls, items)

    def __repr__(self) -> str:
        fields = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"{type(self).__module__}.{type(self).__name__}(\n{fields})"

    def __reduce__(self):
        return type(self), (tuple(self),)


def return_type(name: str, fields: tuple) -> type:
    """A new named-tuple type ``minigrad.return_types.<name>`` with ``fields``."""
    namespace = {"__slots__": (), "_fields": tuple(fields), "__module__": __name__,
                 "__qualname__": name, "__doc__": f"{name}: a tuple ({', '.join(fields)})"}
    namespace.update({field: property(operator.itemgetter(i), doc=f"item {i}")
                      for i, field in enumerate(fields)})
    return type(name, (ReturnType,), namespace)


_VALUES_INDICES = ("values", "indices")

max = return_type("max", _VALUES_INDICES)  # noqa: A001 (PyTorch's names, inside this namespace)
min = return_type("min", _VALUES_INDICES)  # noqa: A001
sort = return_type("sort", _VALUES_INDICES)
topk = return_type("topk", _VALUES_INDICES)
kthvalue = return_type("kthvalue", _VALUES_INDICES)
median = return_type("median", _VALUES_INDICES)
nanmedian = return_type("nanmedian", _VALUES_INDICES)
mode = return_type("mode", _VALUES_INDICES)
cummax = return_type("cummax", _VALUES_INDICES)
cummin = return_type("cummin", _VALUES_INDICES)
aminmax = return_type("aminmax", ("min", "max"))

__all__ = ["ReturnType", "return_type", "max", "min", "sort", "topk", "kthvalue", "median",
           "nanmedian", "mode", "cummax", "cummin", "aminmax"]
