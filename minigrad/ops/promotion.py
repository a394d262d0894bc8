"""PyTorch's type promotion: the dtype of an op's result, decided in one place for every op.

The categories are ordered bool < integer < floating < complex.  Operands come in three kinds:
tensors with dimensions, 0-d tensors, and Python numbers.  The result is the promotion of the
dimensioned tensors; a 0-d tensor changes it only if its category is higher, and a Python
number only if its category is higher than every tensor's (then a float is the default float32).
So ``float32 * 2.5`` and ``float32 * (0-d float64)`` stay float32, ``int64 * 2.5`` is float32,
and ``int64 / int64`` is float32 (true division is floating).

>>> import numpy as np
>>> result_type(np.ones(2, np.float32), np.float64(1.0).reshape(()) * np.ones(()), 2.5)
dtype('float32')
>>> result_type(np.ones(2, np.int64), 2.5)
dtype('float32')
"""
from __future__ import annotations

from functools import reduce

from ..backend import bool_, default_float, int64, ndarray, xp

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
_PYTHON = {bool: xp.dtype(bool_), int: xp.dtype(int64), complex: xp.dtype(xp.complex64)}


def category(dtype) -> int:
    return _CATEGORY[xp.dtype(dtype).kind]


def result_type(*operands):
    """The dtype PyTorch gives an op on ``operands`` (arrays and Python numbers; None skipped)."""
    groups: tuple = ([], [], [])  # dimensioned arrays, 0-d arrays, Python numbers
    for x in operands:
        if isinstance(x, ndarray):
            groups[0 if x.ndim else 1].append(x.dtype)
        elif type(x) is float:
            groups[2].append(default_float())
        elif type(x) in _PYTHON:
            groups[2].append(_PYTHON[type(x)])
    result = None
    for group in groups:
        if not group:
            continue
        top = max(_CATEGORY[d.kind] for d in group)
        if result is None or top > _CATEGORY[result.kind]:
            result = reduce(xp.promote_types, [d for d in group if _CATEGORY[d.kind] == top])
    return result


def floating(dtype):
    """``dtype`` if it is floating, else the default float (true division, exp of an int)."""
    return dtype if _CATEGORY[dtype.kind] >= 2 else default_float()


def cast_operands(operands, dtype) -> list:
    """Arrays cast to ``dtype``; Python numbers stay as they are (they never promote)."""
    return [x.astype(dtype) if isinstance(x, ndarray) and x.dtype != dtype else x for x in operands]
