"""The arguments reductions, scans and sorts share, read as PyTorch reads them: ``dim`` (or
numpy's ``axis``), ``keepdim`` (or numpy's ``keepdims``, and a bool only: ``x.sum(0, 0)`` is
PyTorch's TypeError, not keepdim=False), and ``dtype``."""
from __future__ import annotations

from ..backend import xp


def normalize_dims(dim, ndim: int, op: str) -> tuple:
    """``dim`` as a sorted tuple of non-negative axes; a clear error for an axis out of range."""
    if dim is None:
        return tuple(range(ndim))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if not dims and op != "squeeze":  # PyTorch: an empty dim reduces over every dimension
        return tuple(range(ndim))
    result = []
    for d in dims:
        if isinstance(d, (bool, xp.bool_)) or not isinstance(d, (int, xp.integer)):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {dim!r}")
        # a 0-d tensor has one dimension to name, as 0 or -1 (PyTorch's rule)
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimensions "
                             f"(valid: {-max(ndim, 1)} to {max(ndim, 1) - 1})")
        result.append(int(d) % ndim if ndim else 0)
    if len(set(result)) != len(result):
        raise RuntimeError(f"{op}: dim {dim!r} names the same dimension twice")
    return tuple(sorted(result))


def one_dim(dim, ndim: int, op: str) -> int:
    """A single ``dim`` (an int, not a tuple nor None) as a non-negative axis (0 for a 0-d tensor)."""
    if isinstance(dim, (bool, xp.bool_)) or not isinstance(dim, (int, xp.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r} ({type(dim).__name__}); this op "
                        "works along one dimension at a time")
    (d,) = normalize_dims(dim, ndim, op)
    return d


def dim_alias(dim, axis, op: str, default=None):
    """``dim``, or numpy's ``axis`` in its place (PyTorch accepts both names, not both at once)."""
    if axis is None:
        return dim
    if dim is not default:
        raise TypeError(f"{op}: got both dim={dim!r} and axis={axis!r}; axis is numpy's name for "
                        "dim, give one of them")
    return axis


def keepdim_alias(keepdim, keepdims, op: str) -> bool:
    """``keepdim`` (or numpy's ``keepdims``), which must be a bool (PyTorch's TypeError)."""
    if keepdims is not None:
        keepdim = keepdims
    if not isinstance(keepdim, (bool, xp.bool_)):
        raise TypeError(f"{op}: argument 'keepdim' must be bool, not {type(keepdim).__name__} "
                        f"(got {keepdim!r}); pass keepdim=True or keepdim=False")
    return bool(keepdim)


def result_dtype(dtype):
    """A ``dtype=`` argument as a numpy dtype (None stays None)."""
    return None if dtype is None else xp.dtype(dtype)


def reduction_dims(dim, ndim: int, op_name: str) -> tuple:
    """The axes a reduction runs over.  A 0-d tensor accepts dim 0 or -1 (PyTorch's rule) but
    numpy has no axis there: reducing a 0-d array over no axis is the value itself."""
    dims = normalize_dims(dim, ndim, op_name)
    return dims if ndim else ()
