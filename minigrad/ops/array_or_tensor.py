"""Helpers that take an array or a Tensor.

Backward rules must work on numpy arrays (a plain backward) and on Tensors
(``create_graph=True``).  Operators (``+ - * / @``) and ``.sum(axis=, keepdims=)``,
``.reshape`` and ``.mT`` already mean the same on both; the few functions below fill the gap.
The ops' functions also take Python numbers, lists and numpy values: ``operand`` and
``as_array`` turn those into what the ops compute on, with PyTorch's dtypes.
"""
from __future__ import annotations

import numbers

from ..backend import default_float, int64, ndarray, xp
from ..engine import is_tensor


def as_array(data, dtype=None) -> ndarray:
    """PyTorch's inference: Python floats -> float32, ints -> int64, bools -> bool; a numpy
    array keeps its dtype unless one is asked for."""
    if is_tensor(data):
        data = data.data
    if isinstance(data, ndarray):
        return data if dtype is None or data.dtype == dtype else data.astype(dtype)
    try:
        array = xp.asarray(data, dtype=dtype)
    except ValueError:  # (numpy's text speaks of an "inhomogeneous shape")
        raise ValueError(f"tensor: the nested lists {_shorten(data)} are ragged: the rows of each "
                         "level must have the same length") from None
    if dtype is not None:
        return array
    if array.dtype.kind == "f" and not isinstance(data, xp.generic):
        array = array.astype(default_float())
    elif array.dtype.kind in "iu" and not isinstance(data, xp.generic):
        array = array.astype(int64)
    elif array.dtype.kind not in "fiubc":
        raise TypeError(f"tensor: cannot make a tensor from the {type(data).__name__} {_shorten(data)}: "
                        "give a number or (nested) lists of numbers")
    return array


def _shorten(data) -> str:
    text = repr(data)
    return text if len(text) <= 60 else text[:57] + "..."


def operand(other):
    """An op's input: Tensors and Python scalars pass as they are; numpy scalars become Python
    scalars (numpy 2 would otherwise promote float32 to their float64); lists become arrays."""
    if is_tensor(other) or isinstance(other, ndarray) or type(other) in (int, float, bool):
        return other  # (not isinstance int/float: numpy's float64 scalar is a float subclass)
    if isinstance(other, xp.generic):
        return other.item()
    if isinstance(other, numbers.Number):
        return other
    if isinstance(other, (list, tuple)):
        return as_array(other)
    raise TypeError(f"unsupported operand of type {type(other).__name__} for a Tensor op")


def as_float(x):
    """Integers and booleans become float32 before exp, log...: PyTorch's result, not numpy's float64."""
    return x if x.dtype.kind == "f" else x.astype(default_float())


def stable_sigmoid(x):
    """1 / (1 + e^-x) of an array, written as e^(-log(1 + e^-x)): no overflow for x = -1e4."""
    return xp.exp(-xp.logaddexp(0, -as_float(x)))


def raw(a):
    """The array behind a Tensor (or the array itself): for masks and other constants."""
    return a.data if is_tensor(a) else a


def exp(a):
    return a.exp() if is_tensor(a) else xp.exp(a)


def log(a):
    return a.log() if is_tensor(a) else xp.log(a)


def sigmoid(a):
    return a.sigmoid() if is_tensor(a) else stable_sigmoid(a)


def tanh(a):
    return a.tanh() if is_tensor(a) else xp.tanh(a)


def broadcast_to(a, shape):
    """``a`` repeated to ``shape`` (the backward of a reduction)."""
    if is_tensor(a):
        return a.broadcast_to(shape)
    # A filled new array rather than numpy's broadcast_to view: several times cheaper to make for
    # small arrays (docs/benchmarks.md, Performance notes), and the gradient is writable and owned.
    out = xp.empty(shape, dtype=a.dtype)
    out[...] = a
    return out


def permute(a, axes):
    return a.permute(axes) if is_tensor(a) else a.transpose(axes)


def unbroadcast(grad, shape):
    """Sum ``grad`` back to ``shape``: the backward of broadcasting, used by every binary op."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead:  # dimensions broadcasting added in front
        grad = grad.sum(axis=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:  # size-1 dimensions broadcasting stretched
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def broadcast_error(op_name: str, *operands) -> RuntimeError:
    """PyTorch's error for operands whose shapes do not broadcast, naming the op and the shapes
    (numpy's own text speaks of "operands" and prints shapes without commas)."""
    shapes = [tuple(xp.shape(x)) for x in operands]
    listed = " and ".join(str(s) for s in shapes)
    return RuntimeError(f"{op_name}: shapes {listed} do not broadcast: each dimension, counted from "
                        "the last, must be equal or 1 (add a dimension of size 1 with unsqueeze, "
                        "or reshape)")


def reduced_shape(shape, dims) -> tuple:
    """``shape`` with the reduced ``dims`` kept as size 1 (the keepdim shape)."""
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def shape_args(shape, op: str, what: str = "sizes") -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))``, each size an int (a numpy integer or a 0-d
    integer tensor too); 2.5 or True is refused, as PyTorch does, rather than truncated."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    sizes = []
    for position, n in enumerate(shape):
        if is_tensor(n) and n.ndim == 0 and n.dtype.kind in "iu":
            n = n.item()
        if isinstance(n, (bool, xp.bool_)) or not isinstance(n, (int, xp.integer)):
            raise TypeError(f"{op}: {what} must be ints, got {n!r} ({type(n).__name__}) at position "
                            f"{position} of {tuple(shape)}")
        sizes.append(int(n))
    return tuple(sizes)
