"""Random tensors: ``rand randn randint randperm normal bernoulli multinomial`` and the
``*_like`` forms, each drawing from ``generator=`` (an ``mg.Generator``) or the default one.

A draw has no gradient: ``normal(mean, std)`` and ``bernoulli(p)`` give a tensor that requires
grad when their input does, and backward sends zeros to it, as PyTorch does (neither is
reparametrised: write ``mean + std * mg.randn(...)`` for a gradient through the draw).
"""
from __future__ import annotations

from ..backend import int64, xp
from ..device import as_device
from ..engine import Function, is_tensor, new_constant
from ..random import numpy_generator
from .array_or_tensor import raw
from .factory import finish, float_dtype, like, size_tuple, sizes
from .registry import op


def _floats(rng, draw: str, shape, dtype):
    """``rng.<draw>(shape)`` in ``dtype``: drawn in float64 and rounded, as minigrad always has
    (so that a seed gives the numbers it gave before)."""
    return getattr(rng, draw)(shape).astype(dtype)


@op("rand", method=False)
def rand(*shape, size=None, generator=None, dtype=None, device=None,
         requires_grad: bool = False):
    """Uniform samples in [0, 1).

    >>> import minigrad as mg
    >>> mg.rand(2, 3, generator=mg.Generator().manual_seed(0)).shape
    torch.Size([2, 3])
    """
    shape = sizes(shape, "rand", size)
    data = _floats(numpy_generator(generator, "rand"), "random", shape, float_dtype(dtype, "rand"))
    return finish(data, "rand", device, requires_grad)


@op("randn", method=False)
def randn(*shape, size=None, generator=None, dtype=None, device=None,
          requires_grad: bool = False):
    """Standard normal samples (mean 0, variance 1)."""
    shape = sizes(shape, "randn", size)
    data = _floats(numpy_generator(generator, "randn"), "standard_normal", shape,
                   float_dtype(dtype, "randn"))
    return finish(data, "randn", device, requires_grad)


def _integer_bounds(low, high, dtype, op: str) -> None:
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, (int, xp.integer)):
            raise TypeError(f"{op}(): {name} must be an int, got {value!r} ({type(value).__name__})")
    if low >= high:
        raise RuntimeError(f"{op}: random_ expects 'from' to be less than 'to', but got from={low} "
                           f">= to={high}")
    if dtype.kind == "b" and (low < 0 or high > 2):
        raise RuntimeError(f"{op}: the range [{low}, {high}) is out of bounds for bool: [0, 2) fits")
    if dtype.kind in "iu":
        info = xp.iinfo(dtype)
        if low < info.min:
            raise RuntimeError(f"{op}: from={low} is out of bounds for {dtype} (at least {info.min})")
        if high - 1 > info.max:
            raise RuntimeError(f"{op}: to - 1 = {high - 1} is out of bounds for {dtype} (at most "
                               f"{info.max})")


def _integers(rng, low, high, shape, dtype, op: str):
    dtype = xp.dtype(int64 if dtype is None else dtype)
    _integer_bounds(low, high, dtype, op)
    return rng.integers(low, high, size=shape).astype(dtype)


@op("randint", method=False)
def randint(*args, size=None, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """Integers drawn uniformly from ``low`` to ``high - 1``: ``randint(high, size)`` or
    ``randint(low, high, size)`` (int64 unless ``dtype`` says otherwise)."""
    if size is None:
        if len(args) not in (2, 3):
            raise TypeError(f"randint() takes (high, size) or (low, high, size), got {len(args)} "
                            "positional arguments")
        *bounds, size = args
    else:
        bounds = list(args)
    if len(bounds) not in (1, 2):
        raise TypeError("randint() takes (high, size) or (low, high, size)")
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
    shape = size_tuple(size, "randint")
    data = _integers(numpy_generator(generator, "randint"), low, high, shape, dtype, "randint")
    return finish(data, "randint", device, requires_grad)


@op("randperm", method=False)
def randperm(n, *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` says otherwise)."""
    if isinstance(n, bool) or not isinstance(n, (int, xp.integer)):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    (n,) = sizes((n,), "randperm")
    order = numpy_generator(generator, "randperm").permutation(n)
    return finish(order.astype(int64 if dtype is None else dtype), "randperm", device, requires_grad)


# ---------------------------------------------------------------------------------------------
# Draws from tensors: normal(mean, std) and bernoulli(p), whose gradient is zero
# ---------------------------------------------------------------------------------------------
class _Draw(Function):
    """A random draw whose parameters are its inputs: backward gives them zeros (no
    reparametrisation, as PyTorch's)."""

    __slots__ = ("noise", "dtype")
    saved = ("noise",)
    reads = ()

    def __init__(self, noise, dtype):
        self.noise, self.dtype = noise, dtype

    def backward(self, grad, inputs, output):  # d(draw)/d(parameters) = 0
        zeros = [None if parent is None else xp.zeros(xp.shape(raw(x)), dtype=raw(grad).dtype)
                 for parent, x in zip(self.parents, inputs)]
        return tuple(new_constant(z) if is_tensor(grad) and z is not None else z for z in zeros)


class NormalDraw(_Draw):
    __slots__ = ()
    name = "normal"
    caption = "grad_mean = grad_std = 0 (a random draw, not reparametrised)"

    def forward(self, mean, std):
        return (mean + std * self.noise).astype(self.dtype)


class BernoulliDraw(_Draw):
    __slots__ = ("p",)
    name = "bernoulli"
    caption = "grad_p = 0 (a random draw)"

    def __init__(self, noise, dtype, p=None):
        super().__init__(noise, dtype)
        self.p = p  # one probability for every element, or None: the input's

    def forward(self, input):
        return (self.noise < (input if self.p is None else self.p)).astype(self.dtype)


def _broadcast_shape(a, b, op: str) -> tuple:
    shape_a, shape_b = xp.shape(raw(a)), xp.shape(raw(b))
    try:
        return xp.broadcast_shapes(shape_a, shape_b)
    except ValueError:
        raise RuntimeError(f"{op}: the shapes of mean {shape_a} and std {shape_b} do not broadcast: "
                           "each dimension, counted from the last, must be equal or 1") from None


def _number(value, op: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, xp.integer, xp.floating)):
        raise TypeError(f"{op}(): {what} must be a Tensor or a number, got {type(value).__name__}")
    return float(value)


@op("normal", method=False)
def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False):
    """Normal samples: ``normal(mean, std)`` with either a tensor (elementwise parameters,
    broadcast together) or ``normal(mean, std, size)`` with two numbers."""
    rng = numpy_generator(generator, "normal")
    if not is_tensor(mean) and not is_tensor(std):
        if size is None:
            raise TypeError("normal(): with a number for both mean and std, give size too, e.g. "
                            "normal(0.0, 1.0, (2, 3)); or pass a Tensor of means or stds")
        mean, std = _number(mean, "normal", "mean"), _number(std, "normal", "std")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        out = mean + std * _floats(rng, "standard_normal", size_tuple(size, "normal"), xp.float64)
        return finish(out.astype(float_dtype(dtype, "normal")), "normal", device, requires_grad)
    if size is not None or dtype is not None or requires_grad:
        raise TypeError("normal(): size, dtype and requires_grad go with a number for both mean and "
                        "std; with a tensor, the result takes its shape and dtype")
    as_device(device, "normal")
    for name, value in (("mean", mean), ("std", std)):
        if is_tensor(value) and value.dtype.kind != "f":
            raise NotImplementedError(f"normal: not implemented for {name} of dtype {value.dtype} "
                                      "(give a floating point tensor, e.g. .float())")
        if not is_tensor(value):
            _number(value, "normal", name)
    if xp.any(raw(std) < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0 (a negative std was given)")
    result_dtype = mean.dtype if is_tensor(mean) else std.dtype
    noise = rng.standard_normal(_broadcast_shape(mean, std, "normal"))
    return NormalDraw.apply(mean, std, noise=noise, dtype=result_dtype)


@op("bernoulli")
def bernoulli(input, p=None, *, generator=None):
    """1 with probability ``input`` (elementwise, or ``p`` for every element), else 0, in the
    input's dtype."""
    if not is_tensor(input):
        raise TypeError(f"bernoulli(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.dtype.kind != "f":
        raise NotImplementedError(f"bernoulli: not implemented for dtype {input.dtype}: the "
                                  "probabilities must be floats (use .float())")
    probability = raw(input) if p is None else _number(p, "bernoulli", "p")
    if xp.any((probability < 0) | (probability > 1)) or xp.any(xp.isnan(probability)):
        raise RuntimeError("bernoulli: every probability must be in [0, 1] "
                           f"(got values from {xp.min(probability)} to {xp.max(probability)})")
    noise = numpy_generator(generator, "bernoulli").random(input.shape)
    return BernoulliDraw.apply(input, noise=noise, dtype=input.dtype, p=None if p is None else probability)


@op("multinomial")
def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None):
    """``num_samples`` category indices per row of ``input`` (weights, 1-d or 2-d), drawn with
    or without replacement (int64, no gradient)."""
    weights = _checked_weights(input, num_samples, replacement)
    rng = numpy_generator(generator, "multinomial")
    rows = weights.reshape(-1, weights.shape[-1]).astype(xp.float64)
    if replacement:
        cdf = xp.cumsum(rows, axis=-1)
        cdf /= cdf[:, -1:]
        u = rng.random((rows.shape[0], num_samples))
        picks = xp.stack([xp.searchsorted(c, v, side="right") for c, v in zip(cdf, u)]) \
            if rows.shape[0] else xp.zeros((0, num_samples), dtype=int64)
        picks = xp.minimum(picks, rows.shape[1] - 1)
    else:  # keys w / E with E ~ Exp(1): the largest keys are a draw without replacement
        keys = rows / rng.exponential(size=rows.shape)
        picks = xp.argsort(-keys, axis=-1, kind="stable")[:, :num_samples]
    return new_constant(picks.reshape(weights.shape[:-1] + (num_samples,)).astype(int64))


def _checked_weights(input, num_samples, replacement):
    if not is_tensor(input):
        raise TypeError(f"multinomial(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype}")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {input.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, xp.integer)):
        raise TypeError(f"multinomial(): num_samples must be an int, got {type(num_samples).__name__}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {num_samples})")
    weights = raw(input)
    if not replacement and num_samples > weights.shape[-1]:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                           f"replacement ({num_samples} > {weights.shape[-1]})")
    if not xp.all(xp.isfinite(weights)) or xp.any(weights < 0):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    if weights.size and xp.any(weights.sum(axis=-1) <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    return weights


# ---------------------------------------------------------------------------------------------
# The *_like forms: the input's shape, and its dtype unless another is given
# ---------------------------------------------------------------------------------------------
@op("rand_like", method=False)
def rand_like(input, *, dtype=None, device=None, requires_grad: bool = False, generator=None):
    input = like(input, "rand_like")
    as_device(device, "rand_like")
    dtype = float_dtype(input.dtype if dtype is None else dtype, "rand_like")
    return rand(input.shape, generator=generator, dtype=dtype, device=device,
                requires_grad=requires_grad)


@op("randn_like", method=False)
def randn_like(input, *, dtype=None, device=None, requires_grad: bool = False, generator=None):
    input = like(input, "randn_like")
    as_device(device, "randn_like")
    dtype = float_dtype(input.dtype if dtype is None else dtype, "randn_like")
    return randn(input.shape, generator=generator, dtype=dtype, device=device,
                 requires_grad=requires_grad)


@op("randint_like", method=False)
def randint_like(input, *bounds, dtype=None, device=None, requires_grad: bool = False,
                 generator=None):
    """``randint_like(x, high)`` or ``randint_like(x, low, high)``: in ``x``'s shape and dtype."""
    input = like(input, "randint_like")
    if len(bounds) not in (1, 2):
        raise TypeError("randint_like() takes (input, high) or (input, low, high)")
    low, high = (0, bounds[0]) if len(bounds) == 1 else bounds
    dtype = input.dtype if dtype is None else xp.dtype(dtype)
    data = _integers(numpy_generator(generator, "randint_like"), low, high, input.shape, dtype,
                     "randint_like")
    return finish(data, "randint_like", device, requires_grad)
