"""Small conveniences PyTorch code reaches for, each written with other ops (so each gradient is
theirs): ``new_zeros`` and friends, ``clamp_min``/``clamp_max``, ``addcmul``/``addcdiv``,
``fmax``/``fmin``, ``float_power``, ``logit``, ``sinc``, ``deg2rad``/``rad2deg``, ``diff``,
``tensor_split`` and ``hsplit``/``vsplit``/``dsplit``, ``rot90``, ``diagflat``, ``dist``,
``sum_to_size``, ``cov``/``corrcoef``, and the integer helpers ``gcd``/``lcm``/``bincount``.
"""
from __future__ import annotations

import math

from ..backend import int64, xp
from ..engine import is_tensor, new_constant
from .array_or_tensor import as_float, operand, raw, shape_args
from .elementwise import clamp, where
from .registry import op


def _tensor(op_name: str, value):
    if not is_tensor(value):
        raise TypeError(f"{op_name}(): argument 'input' must be Tensor, not {type(value).__name__}")
    return value


# -- new tensors like this one -------------------------------------------------------------------
def _new(op_name: str, self, array, dtype, requires_grad: bool):
    from ..creation import tensor  # (creation is built on the Tensor class, above the ops)
    _tensor(op_name, self)
    return tensor(array, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad)


@op("new_zeros", torch=False)
def new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False):
    """Zeros of ``size``, with this tensor's dtype unless ``dtype`` is given."""
    from ..device import as_device
    as_device(device, "new_zeros")
    return _new("new_zeros", self, xp.zeros(shape_args(size, "new_zeros")), dtype, requires_grad)


@op("new_ones", torch=False)
def new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False):
    from ..device import as_device
    as_device(device, "new_ones")
    return _new("new_ones", self, xp.ones(shape_args(size, "new_ones")), dtype, requires_grad)


@op("new_empty", torch=False)
def new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False):
    """Uninitialised in PyTorch; zeros here (numpy's empty would show stale memory)."""
    from ..device import as_device
    as_device(device, "new_empty")
    return _new("new_empty", self, xp.zeros(shape_args(size, "new_empty")), dtype, requires_grad)


@op("new_full", torch=False)
def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False):
    from ..device import as_device
    as_device(device, "new_full")
    return _new("new_full", self, xp.full(shape_args((size,), "new_full"), fill_value), dtype,
                requires_grad)


@op("new_tensor", torch=False)
def new_tensor(self, data, *, dtype=None, device=None, requires_grad: bool = False):
    """A copy of ``data`` with this tensor's dtype (unless ``dtype`` is given)."""
    from ..device import as_device
    as_device(device, "new_tensor")
    return _new("new_tensor", self, raw(data) if is_tensor(data) else xp.asarray(data), dtype,
                requires_grad)


# -- elementwise -------------------------------------------------------------------------------
@op("clamp_min", inplace=True)
def clamp_min(input, min):
    return clamp(input, min=min)


@op("clamp_max", inplace=True)
def clamp_max(input, max):
    return clamp(input, max=max)


@op("addcmul", inplace=True)
def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2``."""
    return input + value * (operand(tensor1) * operand(tensor2))


@op("addcdiv", inplace=True)
def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2`` (integer tensors are refused, as PyTorch does)."""
    t1, t2 = operand(tensor1), operand(tensor2)
    if t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
        raise RuntimeError("addcdiv: integer division with addcdiv is no longer supported, and in "
                           "a future release addcdiv will perform a true division of tensor1 and "
                           "tensor2; use addcmul(input, tensor1, 1 / tensor2) or a float tensor")
    return input + value * (t1 / t2)


def _fmax_fmin(op_name: str, input, other, a_wins):
    a, b = operand(input), operand(other)
    if a.dtype.kind == "b" or b.dtype.kind == "b":
        raise RuntimeError(f"{op_name}: not implemented for 'Bool'")
    # NaN is ignored: the other value is taken; on a tie the first input takes the gradient
    # (PyTorch's rule, unlike maximum's even split).
    return where(a_wins(raw(a), raw(b)) | xp.isnan(raw(b)), a, b)


@op("fmax")
def fmax(input, other):
    """The larger of the two, ignoring NaN (NaN only where both are)."""
    return _fmax_fmin("fmax", input, other, lambda a, b: a >= b)


@op("fmin")
def fmin(input, other):
    """The smaller of the two, ignoring NaN (NaN only where both are)."""
    return _fmax_fmin("fmin", input, other, lambda a, b: a <= b)


@op("float_power")
def float_power(input, exponent):
    """``input ** exponent`` computed in float64, whatever the inputs' dtypes (PyTorch's)."""
    base = operand(input).to(xp.float64)
    return base ** (operand(exponent).to(xp.float64) if is_tensor(exponent) else float(exponent))


@op("logit", inplace=True)
def logit(input, eps=None):
    """``log(p / (1 - p))``; with ``eps``, p is first clamped to [eps, 1 - eps] (and the gradient
    is 0 outside)."""
    p = as_float_tensor(input)
    if eps is not None:
        p = clamp(p, eps, 1 - eps)
    return (p / (1 - p)).log()


@op("sinc", inplace=True)
def sinc(input):
    """``sin(pi x) / (pi x)``, 1 at 0 (its gradient there is 0)."""
    x = as_float_tensor(input)
    at_zero = raw(x) == 0
    scaled = where(at_zero, 1.0, x * math.pi)  # never 0/0, not even in the branch not taken
    return where(at_zero, 1.0, scaled.sin() / scaled)


@op("deg2rad", inplace=True)
def deg2rad(input):
    return as_float_tensor(input) * (math.pi / 180)


@op("rad2deg", inplace=True)
def rad2deg(input):
    return as_float_tensor(input) * (180 / math.pi)


def as_float_tensor(input):
    x = _tensor("op", input)
    return x if x.dtype.kind == "f" else new_constant(as_float(raw(x)))


# -- shapes ------------------------------------------------------------------------------------
@op("diff")
def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``prepend``/``append`` joined first)."""
    from .shape import cat
    x = _tensor("diff", input)
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    parts = [operand(p) for p in (prepend,) if p is not None] + [x] + \
        [operand(a) for a in (append,) if a is not None]
    x = cat(parts, dim=dim) if len(parts) > 1 else x
    for _ in range(n):
        size = x.shape[dim]
        x = x.narrow(dim, min(1, size), max(size - 1, 0)) - x.narrow(dim, 0, max(size - 1, 0))
    return x


@op("tensor_split")
def tensor_split(input, indices_or_sections, dim: int = 0):
    """Split into ``sections`` parts as equal as can be (the first ones one longer), or at the
    given indices; views of the tensor."""
    x = _tensor("tensor_split", input)
    size = x.shape[dim]
    count = isinstance(indices_or_sections, int) or (is_tensor(indices_or_sections)
                                                    and indices_or_sections.ndim == 0)
    if count:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        lengths = [size // sections + (1 if i < size % sections else 0) for i in range(sections)]
        bounds = [sum(lengths[:i]) for i in range(sections + 1)]
    else:
        cuts = [int(i) for i in raw(indices_or_sections).tolist()] if is_tensor(indices_or_sections) \
            else [int(i) for i in indices_or_sections]
        bounds = [0, *(min(max(c if c >= 0 else c + size, 0), size) for c in cuts), size]
    return tuple(x.narrow(dim, start, max(end - start, 0)) for start, end in zip(bounds, bounds[1:]))


def _split_by(op_name: str, input, sections, dim: int, needs: int):
    x = _tensor(op_name, input)
    if x.ndim < needs:
        raise RuntimeError(f"torch.{op_name} requires a tensor with at least {needs} dimension, but "
                           f"got a tensor with {x.ndim} dimensions!")
    if isinstance(sections, int) and x.shape[dim] % sections:
        raise RuntimeError(f"torch.{op_name} attempted to split along dimension {dim}, but the size of "
                           f"the dimension {x.shape[dim]} is not divisible by the split_size {sections}!")
    return tensor_split(x, sections, dim)


@op("hsplit")
def hsplit(input, sections):
    return _split_by("hsplit", input, sections, 1 if _tensor("hsplit", input).ndim > 1 else 0, 1)


@op("vsplit")
def vsplit(input, sections):
    return _split_by("vsplit", input, sections, 0, 2)


@op("dsplit")
def dsplit(input, sections):
    return _split_by("dsplit", input, sections, 2, 3)


@op("rot90")
def rot90(input, k: int = 1, dims=(0, 1)):
    """Rotated by 90 degrees ``k`` times, from the first of ``dims`` towards the second."""
    x = _tensor("rot90", input)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if x.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {x.ndim}")
    a, b = (d % x.ndim for d in dims)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and "
                           f"dim1 = {dims[1]}")
    k %= 4
    if k == 1:
        return x.flip(b).transpose(a, b)
    if k == 2:
        return x.flip(a).flip(b)
    if k == 3:
        return x.flip(a).transpose(a, b)
    return x.clone()


@op("diagflat")
def diagflat(input, offset: int = 0):
    """The flattened input on the ``offset``-th diagonal of a square matrix."""
    from .linalg_diagonal import diag
    return diag(_tensor("diagflat", input).reshape(-1), offset)


@op("dist")
def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (broadcast)."""
    from .linalg_norm import vector_norm
    return vector_norm(input - operand(other), p)


@op("sum_to_size", torch=False)
def sum_to_size(input, *size):
    """Summed down to ``size``, which the tensor's shape must broadcast from (the reverse of
    expand)."""
    x = _tensor("sum_to_size", input)
    target = shape_args(size, "sum_to_size")
    lead = x.ndim - len(target)
    if lead < 0 or any(t not in (1, s) for t, s in zip(target, x.shape[lead:])):
        raise RuntimeError(f"size {{{', '.join(map(str, target))}}} is not expandable to size "
                           f"{{{', '.join(map(str, x.shape))}}}.")
    dims = tuple(range(lead)) + tuple(lead + i for i, t in enumerate(target)
                                      if t == 1 and x.shape[lead + i] != 1)
    out = x.sum(dim=dims, keepdim=True) if dims else x
    return out.reshape(target)


# -- statistics --------------------------------------------------------------------------------
@op("cov")
def cov(input, *, correction: int = 1, fweights=None, aweights=None):
    """The covariance of the rows (variables) over the columns (observations), with PyTorch's
    frequency and observation weights."""
    x = _tensor("cov", input)
    if x.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input "
                           f"with {x.ndim} dimensions")
    x = x.reshape(1, -1) if x.ndim < 2 else x
    x = x if x.dtype.kind == "f" else x.to(as_float(raw(x)[:0]).dtype)
    weight = None
    for name, w in (("fweights", fweights), ("aweights", aweights)):
        if w is not None:
            w = operand(w)
            if w.ndim > 1 or w.numel() != x.shape[1]:
                raise RuntimeError(f"cov(): expected {name} to have one dimension and the same "
                                   f"number of elements as the observations ({x.shape[1]})")
            weight = w if weight is None else weight * w
    total = weight.sum() if weight is not None else x.shape[1]
    mean = (x * weight).sum(1, keepdim=True) / total if weight is not None else x.mean(1, keepdim=True)
    if weight is None:
        norm = total - correction
    elif aweights is None:
        norm = total - correction
    else:
        norm = total - correction * (weight * operand(aweights)).sum() / total
    centered = x - mean
    product = (centered * weight) @ centered.mT if weight is not None else centered @ centered.mT
    out = product / clamp(norm, min=0) if is_tensor(norm) else product / max(norm, 0)
    return out.reshape(()) if x.shape[0] == 1 else out  # one variable: a 0-d tensor, as PyTorch


@op("corrcoef")
def corrcoef(input):
    """Pearson's correlation coefficients of the rows, clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal().sqrt()
    return clamp(c / d[:, None] / d[None, :], -1, 1)


# -- integers (no gradient) ----------------------------------------------------------------------
def _integers(op_name: str, *values):
    arrays = [raw(operand(v)) for v in values]
    for a in arrays:
        if a.dtype.kind not in "iu":
            raise RuntimeError(f"\"{op_name}_cpu\" not implemented for '{a.dtype}' (integer tensors only)")
    return arrays


@op("gcd", inplace=True)
def gcd(input, other):
    a, b = _integers("gcd", input, other)
    return new_constant(xp.gcd(a, b))


@op("lcm", inplace=True)
def lcm(input, other):
    a, b = _integers("lcm", input, other)
    return new_constant(xp.lcm(a, b))


@op("bincount")
def bincount(input, weights=None, minlength: int = 0):
    """How often each value 0, 1, ... occurs in a 1-d tensor of non-negative ints (or the sum of
    ``weights`` there)."""
    (x,) = _integers("bincount", input)
    if x.ndim != 1:
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs, got {x.ndim}-d")
    if x.size and x.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return new_constant(xp.bincount(x, minlength=minlength).astype(int64))
    w = raw(operand(weights))
    if x.size == 0:  # (PyTorch: an empty input counts in int64 even with weights)
        return new_constant(xp.zeros(minlength, dtype=int64))
    counts = xp.bincount(x, weights=w, minlength=minlength)
    return new_constant(counts.astype(w.dtype if w.dtype.kind == "f" else xp.float64))


@op("signbit")
def signbit(input):
    """True where the sign bit is set (-0.0 included)."""
    return new_constant(xp.signbit(raw(_tensor("signbit", input))))


@op("positive")
def positive(input):
    x = _tensor("positive", input)
    if x.dtype.kind == "b":
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return x


@op("equal")
def equal(input, other) -> bool:
    """True when both have the same shape and the same values."""
    a, b = raw(_tensor("equal", input)), raw(operand(other))
    return a.shape == b.shape and bool((a == b).all())
