"""``& | ^ ~``: bitwise on integer tensors, logical on bool tensors (as in PyTorch), and the
``logical_*`` ops, which read any tensor as true where it is nonzero.

``5 & 3`` is 1 on integer tensors, not True: numpy's bitwise ufuncs already give both meanings
(on bools they are logical), so these ops only refuse what PyTorch refuses, floats, and keep
PyTorch's errors and result dtypes (ops/promotion.py: int32 & a 0-d int64 tensor is int32).
None has a gradient: the results are constants, like comparisons.
"""
from __future__ import annotations

from ..backend import xp
from ..engine import new_constant
from .array_or_tensor import broadcast_error, operand, raw
from .promotion import result_type
from .registry import op


def _dtype_name(x) -> str:
    return f"{x.dtype} tensors" if hasattr(x, "dtype") else f"a Python {type(x).__name__} ({x!r})"


def _check_integral(name: str, symbol: str, *operands) -> None:
    """Bitwise ops exist for bools and integers only (PyTorch raises NotImplementedError)."""
    for x in operands:
        kind = x.dtype.kind if hasattr(x, "dtype") else ("b" if isinstance(x, bool) else
                                                         "i" if isinstance(x, int) else "f")
        if kind not in "biu":
            raise NotImplementedError(
                f"{name} ({symbol}): not implemented for {_dtype_name(x)} (it is bitwise on "
                f"integer tensors, logical on bool tensors); for conditions on floats compare "
                f"first, (x > 0) {symbol} (y > 0), or use mg.logical_{name.split('_')[1]}")


def _broadcast(name: str, a, b) -> None:
    try:
        xp.broadcast_shapes(xp.shape(a), xp.shape(b))
    except ValueError:
        raise broadcast_error(name, a, b) from None


def _binary(name: str, symbol: str, ufunc, logical: bool):
    def compute(input, other):
        a, b = raw(operand(input)), raw(operand(other))
        _broadcast(name, a, b)
        if logical:
            return new_constant(xp.asarray(ufunc(a, b)))
        _check_integral(name, symbol, a, b)
        return new_constant(xp.asarray(ufunc(a, b), dtype=result_type(a, b)))

    compute.__name__ = compute.__qualname__ = name
    kind = "logical (true where nonzero)" if logical else "bitwise on integers, logical on bools"
    compute.__doc__ = f"``input {symbol} other``, {kind}; a constant (no gradient)."
    return op(name)(compute)


bitwise_and = _binary("bitwise_and", "&", xp.bitwise_and, logical=False)
bitwise_or = _binary("bitwise_or", "|", xp.bitwise_or, logical=False)
bitwise_xor = _binary("bitwise_xor", "^", xp.bitwise_xor, logical=False)
logical_and = _binary("logical_and", "and", xp.logical_and, logical=True)
logical_or = _binary("logical_or", "or", xp.logical_or, logical=True)
logical_xor = _binary("logical_xor", "xor", xp.logical_xor, logical=True)


@op("bitwise_not")
def bitwise_not(input):
    """``~input``: every bit flipped on integers (``~5 == -6``), not on bools."""
    a = raw(input)
    _check_integral("bitwise_not", "~", a)
    return new_constant(xp.asarray(xp.invert(a)))


@op("logical_not")
def logical_not(input):
    """True where ``input`` is zero (or False)."""
    return new_constant(xp.asarray(xp.logical_not(raw(input))))
