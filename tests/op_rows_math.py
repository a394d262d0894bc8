"""Rows of the elementwise math ops (trigonometric, exponential, rounding, division, predicates);
see ``op_rows.py`` for what a row is.

Integer and bool samples (``integers()``) check PyTorch's result dtypes where the result is
exact (``floor`` of an int tensor stays int64, ``7 // 2`` is 3); where an integer input gives a
float32 result (``sin`` of an int tensor), test_math_torch.py checks it, at float32's tolerance.
Ops with kinks or jumps draw their float inputs away from them, so that finite differences see
the gradient PyTorch defines.
"""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st
from op_rows import SHAPES, Const, Row, Sample, binary, integers_of, unary, values

# ---------------------------------------------------------------------------------------------
# Drawing inputs
# ---------------------------------------------------------------------------------------------
WHOLE = tuple(float(k) for k in range(-4, 5))  # the jumps of floor, ceil, trunc, frac
HALVES = tuple(k + 0.5 for k in range(-5, 5))  # the jumps of round


@st.composite
def integers(draw, dtypes=("int64", "int32", "bool")):
    """A constant integer or bool tensor (PyTorch's result dtype for it is what is checked)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return Sample((Const(integers_of(rng, draw(SHAPES), draw(st.sampled_from(dtypes)))),))


def floats_or_integers(float_samples, dtypes=("int64", "int32", "bool")):
    return st.one_of(float_samples, integers(dtypes))


def _pair_shapes(draw):
    return draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4)).input_shapes


@st.composite
def divisions(draw, number_on_left=True):
    """A dividend and a divisor at least 0.5 from zero (a divisor near 0 makes the jumps of
    ``a % b`` too dense for finite differences), or integer tensors with nonzero divisors; a
    Python number may take the divisor's side, and the dividend's beside integer tensors
    (PyTorch has no derivative for ``7 % x``: minigrad gives one, test_math_torch.py checks it)."""
    shape_a, shape_b = _pair_shapes(draw)
    if not draw(st.booleans()):  # (floats first: the simplest sample then has a gradient)
        a = 3 * values(draw, shape_a)
        b = values(draw, shape_b, salt=1)
        b = np.sign(b + (b == 0)) * (0.5 + np.abs(b))
    else:
        rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        dtype = draw(st.sampled_from(["int64", "int32"]))
        a = Const(integers_of(rng, shape_a, dtype))
        b = integers_of(rng, shape_b, dtype)
        b = Const(np.where(b == 0, 3, b).astype(dtype))
    integer = isinstance(b, Const)
    side = draw(st.sampled_from(["none", "right"] + (["left"] if number_on_left and integer else [])))
    if side == "right":
        b = draw(st.sampled_from([2, -3, 2.5, -0.75]))
    elif side == "left":
        a = draw(st.sampled_from([7, -5, 5.5, -2.25]))
    return Sample((a, b))


@st.composite
def rounded_divisions(draw):
    sample = draw(divisions())
    return Sample(sample.args, {"rounding_mode": draw(st.sampled_from(["trunc", "floor"]))})


@st.composite
def lerp_inputs(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=4)).input_shapes
    start, end = values(draw, shapes[0]), values(draw, shapes[1], salt=1)
    if draw(st.booleans()):
        weight = draw(st.sampled_from([0.0, 0.25, 0.5, 0.8, 1.0, 1.5, -0.5]))
    else:  # a weight tensor, away from 0.5, where PyTorch's formula switches ends
        weight = values(draw, shapes[2], away=(0.5,), salt=2)
    return Sample((start, end, weight))


@st.composite
def with_specials(draw, kwargs=None):
    """Floats with some nan, +inf and -inf among them."""
    x = values(draw, draw(SHAPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    specials = rng.choice(np.array([np.nan, np.inf, -np.inf, 0.0, 0.0, 0.0]), size=x.shape)
    return Sample((np.where(specials == 0, x, specials),), draw(kwargs) if kwargs is not None else {})


# With infinities replaced by small numbers, gradcheck's sums stay finite.
NAN_TO_NUM_KWARGS = st.sampled_from([{"posinf": 3.0, "neginf": -4.0},
                                     {"nan": 1.5, "posinf": 2.0, "neginf": -2.0}])


@st.composite
def close_pairs(draw):
    """Pairs of floats some of which are close (by 1e-9 or by 1e-6 relative), some not, nan and
    inf among them, and PyTorch's tolerances or others."""
    x = values(draw, draw(SHAPES))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = rng.integers(0, 4, size=x.shape)
    y = np.select([kind == 0, kind == 1, kind == 2], [x + 1e-9, x * (1 + 3e-6), x + 0.5], x)
    if draw(st.booleans()) and x.size:
        x.flat[0], y.flat[0] = (np.nan, np.nan) if draw(st.booleans()) else (np.inf, np.inf)
    kwargs = draw(st.sampled_from([{}, {"rtol": 1e-5}, {"rtol": 0.0, "atol": 1e-3},
                                   {"equal_nan": True}, {"rtol": 1e-7, "atol": 0.0}]))
    return Sample((x, y), kwargs)


@st.composite
def written_in_place(draw, integers=False):
    """A tensor and what it is compared with in place: a tensor of a trailing part of its
    shape (an in-place result keeps the tensor's shape), or a number."""
    shape = draw(SHAPES)
    x = values(draw, shape, integers=integers)
    if draw(st.booleans()):
        return Sample((x, float(draw(st.sampled_from([-1.0, 0.0, 0.5])))))
    return Sample((x, values(draw, shape[draw(st.integers(0, len(shape))):], integers=integers, salt=1)))


@st.composite
def xlogy_inputs(draw):
    """x (some of it 0) and y > 0, or a Python number on one side."""
    sample = draw(binary(b={"low": 0.0}))
    x, y = sample.args
    if isinstance(x, np.ndarray) and x.size > 1:
        x = np.where(np.arange(x.size).reshape(x.shape) % 3 == 0, 0.0, x)
    return Sample((x, y))


def torch_lerp(torch, start, end, weight):
    return torch.lerp(start, end, weight)


# ---------------------------------------------------------------------------------------------
# The rows
# ---------------------------------------------------------------------------------------------
OPEN_UNIT = {"low": -1.0, "high": 1.0}  # (-0.9, 0.9): inside the domain of asin, atanh, erfinv
NO_SCALARS = binary(scalars=False)
AWAY_FROM_ZERO = {"away": (0.0,)}

ROWS: dict[str, Row] = {
    # trigonometric and hyperbolic
    "sin": Row(unary()),
    "cos": Row(unary()),
    "tan": Row(unary(low=-1.2, high=1.2)),
    "asin": Row(unary(**OPEN_UNIT)),
    "acos": Row(unary(**OPEN_UNIT)),
    "atan": Row(unary()),
    "sinh": Row(unary()),
    "cosh": Row(unary()),
    "asinh": Row(unary()),
    "acosh": Row(unary(low=1.0)),
    "atanh": Row(unary(**OPEN_UNIT)),
    "atan2": Row(binary(scalars=False, a=AWAY_FROM_ZERO, b=AWAY_FROM_ZERO)),
    # exponential, logarithmic, powers
    "log1p": Row(unary(low=-1.0)),
    "expm1": Row(unary()),
    "log2": Row(unary(low=0.0)),
    "log10": Row(unary(low=0.0)),
    "exp2": Row(unary()),
    "rsqrt": Row(unary(low=0.0)),
    "reciprocal": Row(unary(away=(0.0,))),
    "square": Row(floats_or_integers(unary())),
    "erfc": Row(unary()),
    "erfinv": Row(unary(**OPEN_UNIT)),
    "logaddexp2": Row(NO_SCALARS),
    "hypot": Row(binary(scalars=False, a=AWAY_FROM_ZERO)),
    "copysign": Row(st.one_of(binary(scalars=False, a=AWAY_FROM_ZERO, b=AWAY_FROM_ZERO),
                              binary(a=AWAY_FROM_ZERO, b=AWAY_FROM_ZERO).filter(
                                  lambda s: not isinstance(s.args[0], float)))),
    "lerp": Row(lerp_inputs(), torch=torch_lerp),
    "xlogy": Row(xlogy_inputs()),
    # rounding
    "floor": Row(floats_or_integers(unary(away=WHOLE), ("int64", "int32"))),
    "ceil": Row(floats_or_integers(unary(away=WHOLE), ("int64", "int32"))),
    "trunc": Row(floats_or_integers(unary(away=WHOLE), ("int64", "int32"))),
    "round": Row(st.one_of(unary(away=HALVES), integers(("int64", "int32")),
                           unary(kwargs=st.sampled_from([{"decimals": 1}, {"decimals": 2}, {"decimals": -1}]))
                           .map(lambda s: Sample((s.args[0] * 40,), s.kwargs)))),
    "frac": Row(unary(away=WHOLE)),
    "sign": Row(floats_or_integers(unary(away=(0.0,)))),
    # division and remainders
    "remainder": Row(divisions(), torch=lambda torch, a, b: a % b),
    "fmod": Row(divisions(number_on_left=False)),
    "floor_divide": Row(divisions(), differentiable=False,  # PyTorch has no derivative for it
                        torch=lambda torch, a, b: (a // b).detach()),
    "divide": Row(rounded_divisions(), call=lambda lib, a, b, rounding_mode: lib.divide(
        a, b, rounding_mode=rounding_mode), torch=lambda torch, a, b, rounding_mode: torch.div(
        a, b, rounding_mode=rounding_mode)),
    "__mod__": Row(divisions(), call=lambda lib, a, b: a % b),
    "__floordiv__": Row(divisions(), differentiable=False, call=lambda lib, a, b: (a // b).detach()),
    "rsub": Row(st.one_of(binary(), NO_SCALARS.map(lambda s: Sample(s.args, {"alpha": 2.5}))),
                torch=lambda torch, a, b, alpha=1: torch.rsub(
                    a if isinstance(a, torch.Tensor) else torch.as_tensor(a), b, alpha=alpha)),
    # comparisons in place: the tensor takes 1s and 0s in its dtype, and a zero gradient
    "gt_": Row(written_in_place(), call=lambda lib, x, y: (x * 1).gt_(y)),
    "eq_": Row(written_in_place(integers=True), call=lambda lib, x, y: (x * 1).eq_(y),
               differentiable=False),  # (ties, for equal values: finite differences see the jumps)
    # tests on values
    "isnan": Row(floats_or_integers(with_specials()), differentiable=False),
    "isinf": Row(floats_or_integers(with_specials()), differentiable=False),
    "isfinite": Row(floats_or_integers(with_specials()), differentiable=False),
    "isposinf": Row(floats_or_integers(with_specials()), differentiable=False),
    "isneginf": Row(floats_or_integers(with_specials()), differentiable=False),
    "nan_to_num": Row(st.one_of(with_specials(kwargs=NAN_TO_NUM_KWARGS), unary(), integers())),
    "isclose": Row(close_pairs(), differentiable=False),
    "allclose": Row(close_pairs(), differentiable=False,
                    call=lambda lib, a, b, **kwargs: lib.tensor(lib.allclose(a, b, **kwargs))),
}
