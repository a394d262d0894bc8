"""Making tensors: ``tensor``, ``zeros``, ``randn`` ... and the seeded random generator."""
from __future__ import annotations

from .backend import default_float, int64, xp
from .ops.array_or_tensor import as_array, shape_args
from .tensor import Tensor

_generator = xp.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed minigrad's random numbers (``randn``, ``rand``, layer init, dropout, shuffling)."""
    global _generator
    _generator = xp.random.default_rng(seed)


def generator():
    """The random generator every minigrad function draws from."""
    return _generator


def tensor(data, dtype=None, requires_grad: bool = False) -> Tensor:
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
    return Tensor(array, requires_grad=requires_grad)


def _float_dtype(dtype):
    return default_float() if dtype is None else dtype


def _sizes(shape, op: str) -> tuple:
    """The sizes of a new tensor: ints (``zeros(2, 3)`` or ``zeros((2, 3))``), none negative."""
    sizes = shape_args(shape, op)
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"{op}: sizes must be non-negative, got {sizes}")
    return sizes


def zeros(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.zeros(_sizes(shape, "zeros"), dtype=_float_dtype(dtype)), requires_grad=requires_grad)


def ones(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.ones(_sizes(shape, "ones"), dtype=_float_dtype(dtype)), requires_grad=requires_grad)


def full(shape, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = as_array(fill_value).dtype
    return Tensor(xp.full(_sizes((shape,), "full"), fill_value, dtype=dtype), requires_grad=requires_grad)


def _like(t, op: str):
    if not isinstance(t, Tensor):
        raise TypeError(f"{op}: input must be a Tensor (whose shape and dtype it copies), got "
                        f"{type(t).__name__}")
    return t.data


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.zeros_like(_like(t, "zeros_like"), dtype=dtype), requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(xp.ones_like(_like(t, "ones_like"), dtype=dtype), requires_grad=requires_grad)


def randn(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from minigrad's seeded generator."""
    data = _generator.standard_normal(_sizes(shape, "randn")).astype(_float_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from minigrad's seeded generator."""
    data = _generator.random(_sizes(shape, "rand")).astype(_float_dtype(dtype))
    return Tensor(data, requires_grad=requires_grad)


def randint(low: int, high: int, size, dtype=None) -> Tensor:
    """Integers drawn uniformly from ``low`` to ``high - 1``."""
    if low >= high:
        raise RuntimeError(f"randint: low must be less than high, got low={low} >= high={high}")
    return Tensor(_generator.integers(low, high, size=_sizes((size,), "randint")).astype(dtype or int64))


def arange(start, end=None, step=1, dtype=None, requires_grad: bool = False) -> Tensor:
    """Like PyTorch: integers give int64, any float argument gives float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: the bounds and the step's sign disagree: from {start} to {end} "
                           f"by {step} never arrives (give a step of the other sign)")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = default_float() if is_float else int64
    return Tensor(xp.arange(start, end, step, dtype=dtype), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype=None, requires_grad: bool = False) -> Tensor:
    sizes = _sizes((n,) if m is None else (n, m), "eye")
    return Tensor(xp.eye(*sizes, dtype=_float_dtype(dtype)), requires_grad=requires_grad)
