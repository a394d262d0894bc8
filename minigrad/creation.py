"""Making tensors, as PyTorch does: ``tensor as_tensor from_numpy zeros ones empty full arange
linspace logspace eye meshgrid scalar_tensor`` and the ``*_like`` forms.

Sizes are given as PyTorch takes them (``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])``,
``zeros(x.shape)``, ``zeros(size=(2, 3))``); every function takes ``dtype=``, ``device=`` (the CPU
is the only one) and, where PyTorch does, ``requires_grad=``.  PyTorch's ``out=`` is not taken:
minigrad's results are always new tensors (write into one with ``t.copy_(result)``).

The random ones (``rand randn randint randperm normal``...) live in ``ops/sampling.py``, the
generators in ``minigrad/random.py``.
"""
from __future__ import annotations

import math
import warnings

from .backend import default_float, int64, ndarray, xp
from .device import as_device
from .ops import shape as shape_ops
from .ops.array_or_tensor import as_array
from .ops.factory import finish, like, size_tuple, sizes
from .ops.registry import op
from .ops.sampling import rand, randint, randn  # noqa: F401 (creation's names of old)
from .random import generator, manual_seed  # noqa: F401 (creation's names of old)
from .tensor import Tensor


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats give float32, ints int64).

    >>> import minigrad as mg
    >>> mg.tensor([1.0, 2.0]).dtype
    dtype('float32')
    >>> mg.tensor([1, 2]).dtype
    dtype('int64')
    """
    source = data.data if isinstance(data, Tensor) else data
    array = as_array(source, dtype)
    if array is source:  # an array taken as it is: copy it, as torch.tensor does
        array = array.copy()
    return finish(array, "tensor", device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, without a copy where none is needed: a tensor of the asked dtype is
    returned itself, a numpy array of the asked dtype is shared (writes through either side are
    seen by the other); anything else is converted, as ``tensor`` does.

    >>> import numpy as np, minigrad as mg
    >>> a = np.zeros(2)
    >>> mg.as_tensor(a)[0] = 5.0
    >>> a
    array([5., 0.])
    """
    as_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None or xp.dtype(dtype) == data.dtype else data.to(dtype)
    if isinstance(data, ndarray) and (dtype is None or xp.dtype(dtype) == data.dtype):
        return from_numpy(data)
    return Tensor(as_array(data, dtype))


_NUMPY_KINDS = ("float64", "float32", "float16", "complex64", "complex128", "int64", "int32",
                "int16", "int8", "uint64", "uint32", "uint16", "uint8", "bool")


def from_numpy(ndarray_) -> Tensor:
    """A tensor over ``ndarray_``'s memory (no copy): a write through either is seen by the other.

    >>> import numpy as np, minigrad as mg
    >>> a = np.zeros(3)
    >>> t = mg.from_numpy(a)
    >>> a[0] = 1.0
    >>> t
    tensor([1., 0., 0.], dtype=torch.float64)
    """
    if not isinstance(ndarray_, ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray (got {type(ndarray_).__module__}."
                        f"{type(ndarray_).__name__}); for other data use mg.tensor or mg.as_tensor")
    if ndarray_.dtype.name not in _NUMPY_KINDS:
        raise TypeError(f"from_numpy: can't convert np.ndarray of type {ndarray_.dtype}. The only "
                        f"supported types are: {', '.join(_NUMPY_KINDS)}.")
    if not ndarray_.dtype.isnative:
        raise ValueError("from_numpy: given numpy array has byte order different from the native byte "
                         "order (convert it with a.astype(a.dtype.newbyteorder('=')))")
    if any(s < 0 for s in ndarray_.strides):
        raise ValueError("from_numpy: at least one stride in the given numpy array is negative, and "
                         "tensors with negative strides are not supported (copy it first: a.copy())")
    return Tensor(ndarray_)


# ---------------------------------------------------------------------------------------------
# Filled tensors
# ---------------------------------------------------------------------------------------------
def _dtype(dtype):
    return default_float() if dtype is None else xp.dtype(dtype)


@op("zeros", method=False)
def zeros(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return finish(xp.zeros(sizes(shape, "zeros", size), dtype=_dtype(dtype)), "zeros", device,
                  requires_grad)


@op("ones", method=False)
def ones(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return finish(xp.ones(sizes(shape, "ones", size), dtype=_dtype(dtype)), "ones", device,
                  requires_grad)


@op("empty", method=False)
def empty(*shape, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor whose values are whatever its new memory held (fill it before reading)."""
    return finish(xp.empty(sizes(shape, "empty", size), dtype=_dtype(dtype)), "empty", device,
                  requires_grad)


def _fill_dtype(fill_value):
    """PyTorch's dtype for a fill value: bool, int64, the default float, or a 0-d tensor's own."""
    if isinstance(fill_value, Tensor):
        return fill_value.dtype
    return as_array(fill_value).dtype


@op("full", method=False)
def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; its dtype is the value's (True: bool,
    3: int64, 3.0: float32) unless ``dtype`` is given."""
    shape = size_tuple(size, "full")
    dtype = _fill_dtype(fill_value) if dtype is None else dtype
    value = fill_value.data if isinstance(fill_value, Tensor) else fill_value
    return finish(xp.full(shape, value, dtype=dtype), "full", device, requires_grad)


@op("scalar_tensor", method=False)
def scalar_tensor(s, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding the number ``s``, in the default float dtype unless ``dtype`` says."""
    return finish(xp.asarray(s, dtype=_dtype(dtype)), "scalar_tensor", device, requires_grad)


def _like_dtype(input, dtype):
    return input.dtype if dtype is None else xp.dtype(dtype)


@op("zeros_like", method=False)
def zeros_like(input, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    input = like(input, "zeros_like")
    return finish(xp.zeros(input.shape, dtype=_like_dtype(input, dtype)), "zeros_like", device,
                  requires_grad)


@op("ones_like", method=False)
def ones_like(input, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    input = like(input, "ones_like")
    return finish(xp.ones(input.shape, dtype=_like_dtype(input, dtype)), "ones_like", device,
                  requires_grad)


@op("empty_like", method=False)
def empty_like(input, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    input = like(input, "empty_like")
    return finish(xp.empty(input.shape, dtype=_like_dtype(input, dtype)), "empty_like", device,
                  requires_grad)


@op("full_like", method=False)
def full_like(input, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``input``'s shape filled with ``fill_value``, in ``input``'s dtype (cast as PyTorch does:
    2.7 in an int64 tensor is 2) unless ``dtype`` is given."""
    input = like(input, "full_like")
    value = fill_value.data if isinstance(fill_value, Tensor) else fill_value
    data = xp.empty(input.shape, dtype=_like_dtype(input, dtype))
    data[...] = value
    return finish(data, "full_like", device, requires_grad)


# ---------------------------------------------------------------------------------------------
# Ranges and grids
# ---------------------------------------------------------------------------------------------
def _scalar(value, op: str, what: str):
    """A Python number from a number or a 0-d tensor (a bool is an int, as in PyTorch)."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise RuntimeError(f"{op}: {what} must be a number or a 0-d tensor, got a tensor of "
                               f"shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, (xp.integer, xp.floating, xp.bool_)):
        value = value.item()
    if not isinstance(value, (int, float)):
        raise TypeError(f"{op}(): {what} must be a number, got {type(value).__name__}")
    return int(value) if isinstance(value, bool) else value


@op("arange", method=False)
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``start, start + step, ...`` up to ``end`` (excluded): ``ceil((end - start) / step)``
    values.  Integers give int64, any float argument the default float dtype."""
    if end is None:
        start, end = 0, start
    start, end, step = (_scalar(v, "arange", n) for v, n in ((start, "start"), (end, "end"), (step, "step")))
    if dtype is None:
        dtype = default_float() if any(isinstance(v, float) for v in (start, end, step)) else int64
    dtype = xp.dtype(dtype)
    if not all(math.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"arange: unsupported range: {start} -> {end} (the ends must be finite)")
    if dtype.kind in "iub":  # PyTorch counts in the dtype itself: arange(0.5, 3.7, 1.2) is 0, 1, 2
        if step != 0 and int(step) == 0:
            raise ValueError(f"arange: step must be nonzero, and step {step} is 0 in {dtype} (give a "
                             "floating dtype, or a step of at least 1)")
        start, end, step = int(start), int(end), int(step)
    length = math.ceil((end - start) / step) if step != 0 else 0
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if length < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign: from "
                           f"{start} to {end} by {step} never arrives (give a step of the other sign)")
    if dtype.kind in "iub":
        data = (start + step * xp.arange(length, dtype=int64)).astype(dtype)
    else:
        data = (start + step * xp.arange(length, dtype=xp.float64)).astype(dtype)
    return finish(data, "arange", device, requires_grad)


def _steps(steps, op: str) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, xp.integer)):
        raise TypeError(f"{op}(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"{op}: number of steps must be non-negative, got {steps}")
    return int(steps)


def _even_points(start, end, steps):
    """``steps`` evenly spaced points from start to end in float64, each half counted from its
    own end (PyTorch's way: both ends are exact)."""
    if steps == 1:
        return xp.full(1, start, dtype=xp.float64)
    step = (end - start) / (steps - 1)
    i = xp.arange(steps, dtype=xp.float64)
    return xp.where(i < steps // 2, start + step * i, end - step * (steps - 1 - i))


def _ends(start, end, dtype, op: str):
    """linspace's ends as numbers, and its dtype; for an integer dtype PyTorch truncates the
    ends first (linspace(2.5, -2, 4) is 2, 0, 0, -2)."""
    start, end, dtype = _scalar(start, op, "start"), _scalar(end, op, "end"), _dtype(dtype)
    if dtype.kind in "iub":
        start, end = int(start), int(end)
    return start, end, dtype


@op("linspace", method=False)
def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end``, both included.

    >>> import minigrad as mg
    >>> mg.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    steps = _steps(steps, "linspace")
    start, end, dtype = _ends(start, end, dtype, "linspace")
    data = _even_points(start, end, steps).astype(dtype)
    return finish(data, "linspace", device, requires_grad)


@op("logspace", method=False)
def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``: values evenly spaced on a log scale."""
    steps = _steps(steps, "logspace")
    start, end, dtype = _ends(start, end, dtype, "logspace")
    data = (float(base) ** _even_points(start, end, steps)).astype(dtype)
    return finish(data, "logspace", device, requires_grad)


@op("eye", method=False)
def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``)."""
    for name, value in (("n", n), ("m", m)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, xp.integer))):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(value).__name__} "
                            f"({value!r})")
        if value is not None and value < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {value}")
    return finish(xp.eye(n, n if m is None else m, dtype=_dtype(dtype)), "eye", device, requires_grad)


@op("meshgrid", method=False)
def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-d tensors: output ``i`` varies along dimension ``i``
    (``indexing='ij'``, matrix indexing) or, with ``'xy'``, the first two swapped (Cartesian
    indexing, as numpy's default).  Differentiable; PyTorch warns when ``indexing`` is not given
    (the default ``'ij'`` may change), and so does minigrad."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument (minigrad's meshgrid follows it: give indexing='ij' or "
                      "'xy')", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"meshgrid: expected Tensors, got {type(t).__name__} at position {i}")
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: Expected 0D or 1D tensor in the tensor list but got a "
                               f"tensor of shape {tuple(t.shape)} at position {i}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError(f"meshgrid expects all tensors to have the same dtype, got "
                               f"{tensors[0].dtype} and {t.dtype}")
    flat = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(flat) >= 2
    if swap:
        flat[0], flat[1] = flat[1], flat[0]
    shape = tuple(t.shape[0] for t in flat)
    grids = [shape_ops.expand(t.reshape(tuple(-1 if d == i else 1 for d in range(len(flat)))), shape)
             for i, t in enumerate(flat)]
    if swap:  # the grids of (y, x, ...) in matrix indexing are those of (x, y, ...) in Cartesian
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "scalar_tensor",
           "zeros_like", "ones_like", "empty_like", "full_like", "arange", "linspace", "logspace",
           "eye", "meshgrid"]
