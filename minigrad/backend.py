"""The one place where minigrad picks its array library.

Every module of the engine reaches numpy through ``xp`` here, so that a numpy-compatible array
library (CuPy, for a GPU) can later back the same code by changing this file alone.
"""
import numpy

xp = numpy

float32 = xp.float32
float64 = xp.float64
int64 = xp.int64
bool_ = xp.bool_
ndarray = xp.ndarray

# PyTorch's default dtype: float32 (float64 data stays float64).  Changed only through
# set_default_dtype, and read through default_float(), never copied into another module.
_default_float = xp.dtype(float32)


def default_float():
    """The dtype Python floats and new float tensors get (``mg.get_default_dtype()``)."""
    return _default_float


def set_default_dtype(dtype) -> None:
    """``mg.set_default_dtype``: float32 or float64 (PyTorch also allows float16 and bfloat16;
    minigrad allows float16)."""
    global _default_float
    dtype = xp.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the default "
                        f"type, got {dtype}")
    _default_float = dtype
