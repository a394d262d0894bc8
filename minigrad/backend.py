"""The one place where minigrad picks its array library.

Every module of the engine reaches numpy through ``xp`` here, so that a numpy-compatible array
library (CuPy, for a GPU) can later back the same code by changing this file alone.
"""
import numpy

xp = numpy

# PyTorch's default dtype: float32.  float64 is kept when the data already is float64.
default_float = xp.float32
float32 = xp.float32
float64 = xp.float64
int64 = xp.int64
bool_ = xp.bool_
ndarray = xp.ndarray
