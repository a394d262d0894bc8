"""Rows of the activations beyond relu/sigmoid/gelu/softplus/leaky_relu (those are in op_rows):
values drawn away from each op's kinks, where finite differences cannot see the gradient (the
kink values themselves are checked against PyTorch in tests/test_activation_torch.py)."""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
from hypothesis import strategies as st
from op_rows import SHAPES, Row, Sample, one_dim, unary, values


def functional(lib):
    """``torch.nn.functional`` or ``minigrad.functional``."""
    return lib.nn.functional if lib.__name__ == "torch" else lib.functional


def in_place(name):
    """``F.<name>(x * 1, ...)``: an in-place activation on a non-leaf (a leaf that requires grad
    may not be written in place), whose gradient flows back to ``x``."""
    return lambda lib, x, *args, **kwargs: getattr(functional(lib), name)(x * 1, *args, **kwargs)


def inplace_argument(name):
    """``F.<name>(x * 1, ..., inplace=True)``."""
    return lambda lib, x, *args, **kwargs: getattr(functional(lib), name)(x * 1, *args, inplace=True,
                                                                        **kwargs)


@st.composite
def bounded(draw):
    """hardtanh's input and bounds, away from the bounds."""
    low, high = draw(st.sampled_from([(-1.0, 1.0), (-0.5, 2.0), (0.0, 6.0)]))
    kwargs = {} if (low, high) == (-1.0, 1.0) else {"min_val": low, "max_val": high}
    return Sample((values(draw, draw(SHAPES), away=(low, high)) ,), kwargs)


@st.composite
def thresholded(draw):
    threshold, value = draw(st.sampled_from([(0.5, -2.0), (-1.0, 0.0), (0.0, 3.0)]))
    return Sample((values(draw, draw(SHAPES), away=(threshold,)), threshold, value))


@st.composite
def shrunk(draw):
    lambd = draw(st.sampled_from([0.5, 0.25, 1.0]))
    kwargs = {} if lambd == 0.5 else {"lambd": lambd}
    return Sample((values(draw, draw(SHAPES), away=(-lambd, lambd)),), kwargs)


@st.composite
def elu_inputs(draw, alphas=(1.0, 0.5, 2.0)):
    alpha = draw(st.sampled_from(alphas))
    kwargs = {} if alpha == 1.0 else {"alpha": alpha}
    return Sample((values(draw, draw(SHAPES), away=(0.0,)) * 2,), kwargs)


@st.composite
def glu_inputs(draw):
    shape = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    shape[dim] = 2 * draw(st.integers(1, 2))
    return Sample((values(draw, tuple(shape)),), {"dim": dim})


@st.composite
def prelu_inputs(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, max_side=3))
    channels = shape[1] if len(shape) >= 2 else 1
    count = draw(st.sampled_from([1, channels]))
    weight = values(draw, (count,), low=0.0, high=1.0, salt=1)
    return Sample((values(draw, shape, away=(0.0,)), weight))


KINK = {"away": (0.0,)}
HARD = {"away": (-1.0, 1.0)}  # then scaled by 3: away from -3 and 3
ROWS = {
    "silu": Row(unary()),
    "mish": Row(unary()),
    "elu": Row(elu_inputs()),
    "selu": Row(unary(**KINK)),
    "celu": Row(elu_inputs()),
    "hardtanh": Row(bounded()),
    "relu6": Row(unary(away=(0.0, 2.0)).map(lambda s: Sample((s.args[0] * 3,)))),  # 0 and 6
    "hardsigmoid": Row(unary(**HARD).map(lambda s: Sample((s.args[0] * 3,)))),
    "hardswish": Row(unary(**HARD).map(lambda s: Sample((s.args[0] * 3,)))),
    "logsigmoid": Row(unary()),
    "softsign": Row(unary(**KINK)),
    "tanhshrink": Row(unary()),
    "threshold": Row(thresholded()),
    "hardshrink": Row(shrunk()),
    "softshrink": Row(shrunk()),
    "softmin": Row(one_dim()),
    "glu": Row(glu_inputs()),
    "prelu": Row(prelu_inputs()),
    "rrelu": Row(unary(kwargs=st.sampled_from([{}, {"lower": 0.1, "upper": 0.5}]), **KINK)),
    # in place, on a non-leaf: F.relu_(y) and F.relu(y, inplace=True)
    "relu_": Row(unary(**KINK), call=in_place("relu_")),
    "elu_": Row(elu_inputs(), call=in_place("elu_")),
    "selu_": Row(unary(**KINK), call=in_place("selu_")),
    "celu_": Row(elu_inputs(), call=in_place("celu_")),
    "leaky_relu_": Row(unary(kwargs=st.sampled_from([{}, {"negative_slope": 0.2}]), **KINK),
                       call=in_place("leaky_relu_")),
    "hardtanh_": Row(bounded(), call=in_place("hardtanh_")),
    "threshold_": Row(thresholded(), call=in_place("threshold_")),
    "rrelu_": Row(unary(**KINK), call=in_place("rrelu_")),
}
