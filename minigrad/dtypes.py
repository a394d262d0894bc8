"""PyTorch's dtype vocabulary over numpy's dtypes.

A minigrad dtype *is* a numpy scalar type (``mg.float32 is numpy.float32``) and ``x.dtype`` is a
numpy dtype, so ``x.dtype == mg.float32`` holds and every array function takes either.  On top
of them, PyTorch's names (``mg.float``, ``mg.long``, ``mg.half``...), its type strings
(``x.type() == 'torch.FloatTensor'``), ``finfo``/``iinfo`` and its promotion rules, which differ
from numpy's across categories (PyTorch: int64 with float16 is float16; numpy: float64).

>>> import minigrad as mg
>>> mg.promote_types(mg.int64, mg.float16)
<class 'numpy.float16'>
>>> mg.finfo(mg.float32).eps
1.1920928955078125e-07
>>> mg.tensor([1, 2]).double().type()
'torch.DoubleTensor'

numpy has no bfloat16 and minigrad computes on no complex numbers, so ``bfloat16``, ``cfloat``
and ``cdouble`` are not offered.
"""
from __future__ import annotations

from .backend import xp

float32 = xp.float32
float64 = xp.float64
float16 = xp.float16
int64 = xp.int64
int32 = xp.int32
int16 = xp.int16
int8 = xp.int8
uint8 = xp.uint8
bool_ = xp.bool_

# PyTorch's other names for the same dtypes (mg.float is float32, mg.long is int64...)
ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
           "short": int16}

# The legacy type strings PyTorch's x.type() gives, by numpy dtype name
_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
               "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
               "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}
_BY_TYPE_NAME = {"torch." + v: xp.dtype(k) for k, v in _TYPE_NAMES.items()}

# bool < integers < floating < complex: the categories PyTorch's promotion orders
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def type_string(dtype) -> str:
    """``x.type()``: PyTorch's name of a CPU tensor's type, ``'torch.FloatTensor'`` for float32."""
    return "torch." + _TYPE_NAMES[xp.dtype(dtype).name]


def parse_type(spec, op: str = "type"):
    """The dtype named by ``spec``: a dtype, or one of PyTorch's type strings
    (``'torch.DoubleTensor'``)."""
    if isinstance(spec, str):
        if spec not in _BY_TYPE_NAME:
            raise ValueError(f"{op}: invalid type: {spec!r} (PyTorch's type strings are "
                             f"{', '.join(sorted(_BY_TYPE_NAME))})")
        return _BY_TYPE_NAME[spec]
    return as_dtype(spec, op)


def as_dtype(spec, op: str):
    """``spec`` as a numpy dtype, or TypeError naming the op when it names none."""
    if isinstance(spec, bool) or not isinstance(spec, (type, xp.dtype)):
        raise TypeError(f"{op}: expected a dtype (such as mg.float32), got {spec!r} "
                        f"({type(spec).__name__})")
    try:
        dtype = xp.dtype(spec)
    except TypeError:
        raise TypeError(f"{op}: {spec!r} is not a dtype; use one of mg.float32, mg.float64, "
                        "mg.int64, mg.bool...") from None
    if dtype.kind not in _CATEGORY:
        raise TypeError(f"{op}: {dtype} is not a dtype minigrad computes with")
    return dtype


def is_floating(dtype) -> bool:
    return xp.dtype(dtype).kind == "f"


def promote_types(type1, type2):
    """``mg.promote_types``: the smallest dtype both cast to, by PyTorch's rule: within a
    category the wider one (uint8 with int8 is int16), across categories the higher one's
    (int64 with float16 is float16; float64 with complex64 is complex128)."""
    a, b = as_dtype(type1, "promote_types"), as_dtype(type2, "promote_types")
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca == cb or max(ca, cb) == 3:
        result = xp.promote_types(a, b)
    else:
        result = a if ca > cb else b
    return result.type


def can_cast(from_, to) -> bool:
    """``mg.can_cast``: PyTorch allows every cast that does not lower the category (float to int,
    int to bool, complex to float are refused; float64 to float32 is allowed)."""
    source, target = as_dtype(from_, "can_cast"), as_dtype(to, "can_cast")
    return _CATEGORY[source.kind] <= _CATEGORY[target.kind]


def _fmt(value) -> str:
    return f"{value:.6g}"


class finfo:
    """``mg.finfo(dtype)``: the limits of a floating dtype as Python floats (the default dtype's
    when none is given)."""

    def __init__(self, type=None):
        from .backend import default_float
        dtype = default_float() if type is None else as_dtype(type, "finfo")
        if dtype.kind != "f":
            raise TypeError(f"finfo: requires a floating point input type, got {dtype}; use "
                            "mg.iinfo for integer types")
        info = xp.finfo(dtype)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(f"1e-{int(info.precision)}")  # (10^-precision, as a Python float)
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={_fmt(self.resolution)}, min={_fmt(self.min)}, "
                f"max={_fmt(self.max)}, eps={_fmt(self.eps)}, "
                f"smallest_normal={_fmt(self.smallest_normal)}, tiny={_fmt(self.tiny)}, "
                f"dtype={self.dtype})")


class iinfo:
    """``mg.iinfo(dtype)``: the limits of an integer dtype as Python ints."""

    def __init__(self, type):
        dtype = as_dtype(type, "iinfo")
        if dtype.kind == "b":
            raise TypeError("iinfo: bool is not supported by iinfo (its values are False and True)")
        if dtype.kind not in "iu":
            raise TypeError(f"iinfo: requires an integer input type, got {dtype}; use mg.finfo "
                            "for floating point types")
        info = xp.iinfo(dtype)
        self.bits, self.max, self.min = int(info.bits), int(info.max), int(info.min)
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return f"iinfo(min={_fmt(float(self.min))}, max={_fmt(float(self.max))}, dtype={self.dtype})"
