"""Rows of the losses of issue 13 (regression, likelihood, margin and embedding losses): sample
inputs for the checks of tests/test_ops.py (see op_rows' docstring).

Float arrays are leaves, so the gradient is checked with respect to the target too wherever
PyTorch differentiates it; +-1 labels and class weights are constants (``Const``).  Inputs stay
away from the kinks (``|x - y| = delta``, the hinge's zero, Stirling's switch at t = 1), where
finite differences and gradients disagree.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st
from op_rows import SHAPES, SHAPES_1D_UP, Const, Row, Sample, values

REDUCTION = st.sampled_from(["mean", "sum", "none"])


def _rng(draw):
    return np.random.default_rng(draw(st.integers(0, 2**32 - 1)))


def _signs(draw, shape, zero=False):
    """+-1 labels (and 0 with ``zero``, which some losses treat specially) as float constants."""
    choices = [-1.0, 1.0, 0.0] if zero else [-1.0, 1.0]
    return Const(_rng(draw).choice(choices, size=shape))


@st.composite
def huber_inputs(draw, smooth=False):
    shape = draw(SHAPES)
    size = draw(st.sampled_from([1.0, 0.5, 2.0] + ([0.0] if smooth else [])))
    x = values(draw, shape)
    y = x - values(draw, shape, away=(size, -size, 0.0), salt=1)  # |x - y| off the kinks
    kwargs = {"reduction": draw(REDUCTION), ("beta" if smooth else "delta"): size}
    if not smooth and draw(st.booleans()):
        kwargs["weight"] = Const(values(draw, shape, low=0.0, salt=2))
    return Sample((x, y), kwargs)


@st.composite
def kl_inputs(draw):
    shape = draw(SHAPES)
    log_target = draw(st.booleans())
    target = values(draw, shape, salt=1) if log_target else values(draw, shape, low=0.0, salt=1)
    kwargs = {"reduction": draw(st.sampled_from(["batchmean", "sum", "none"])),
              "log_target": log_target}
    return Sample((values(draw, shape), target), kwargs)


@st.composite
def soft_margin_inputs(draw):
    shape = draw(SHAPES)
    return Sample((values(draw, shape), _signs(draw, shape)), {"reduction": draw(REDUCTION)})


@st.composite
def multilabel_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    target = Const(_rng(draw).random(shape).round())
    kwargs = {"reduction": draw(REDUCTION)}
    if draw(st.booleans()):
        kwargs["weight"] = Const(values(draw, shape[-1:], low=0.0, salt=1))
    return Sample((values(draw, shape), target), kwargs)


@st.composite
def ranking_inputs(draw):
    shape = draw(SHAPES)
    margin = draw(st.sampled_from([0.0, 0.5]))
    target = _signs(draw, shape)
    x1 = values(draw, shape)
    # -y (x1 - x2) + margin = the drawn gap, away from the hinge's zero
    gap = values(draw, shape, away=(0.0,), salt=1)
    x2 = x1 + (gap - margin) / target.array
    return Sample((x1, x2, target), {"margin": margin, "reduction": draw(REDUCTION)})


@st.composite
def hinge_embedding_inputs(draw):
    shape = draw(SHAPES)
    margin = draw(st.sampled_from([1.0, 0.5]))
    x = values(draw, shape, away=(margin,))
    return Sample((x, _signs(draw, shape, zero=True)), {"margin": margin, "reduction": draw(REDUCTION)})


@st.composite
def cosine_inputs(draw):
    batched = draw(st.booleans())
    features = draw(st.integers(2, 4))
    shape = (draw(st.integers(1, 4)), features) if batched else (features,)
    target = _signs(draw, shape[:1] if batched else (), zero=True)
    kwargs = {"margin": draw(st.sampled_from([0.0, -0.5])), "reduction": draw(REDUCTION)}
    return Sample((values(draw, shape), values(draw, shape, salt=1), target), kwargs)


@st.composite
def gaussian_inputs(draw):
    shape = draw(SHAPES_1D_UP)
    kind = draw(st.sampled_from(["same", "short", "one", "float"]))
    if kind == "float":
        var = draw(st.sampled_from([0.5, 2.0]))
    else:
        var_shape = {"same": shape, "short": shape[:-1],
                     "one": shape[:-1] + (1,)}[kind]
        var = values(draw, var_shape, low=0.0, salt=2)
    kwargs = {"full": draw(st.booleans()), "reduction": draw(REDUCTION)}
    return Sample((values(draw, shape), values(draw, shape, salt=1), var), kwargs)


@st.composite
def poisson_inputs(draw):
    shape = draw(SHAPES)
    log_input = draw(st.booleans())
    x = values(draw, shape) if log_input else values(draw, shape, low=0.0)
    counts = values(draw, shape, low=0.0, away=(1.0,), salt=1) * 2  # off Stirling's switch at 1
    kwargs = {"log_input": log_input, "full": draw(st.booleans()), "reduction": draw(REDUCTION)}
    return Sample((x, counts), kwargs)


@st.composite
def triplet_inputs(draw):
    shape = draw(st.sampled_from([(3, 4), (4,), (2, 3, 2), (1, 3)]))
    kwargs = {"margin": draw(st.sampled_from([1.0, 0.5])), "p": draw(st.sampled_from([2, 1, 3, math.inf])),
              "swap": draw(st.booleans()), "reduction": draw(REDUCTION)}
    arrays = [values(draw, shape, salt=k) for k in range(3)]
    return Sample(tuple(arrays), kwargs)


ROWS = {
    "huber_loss": Row(huber_inputs()),
    "smooth_l1_loss": Row(huber_inputs(smooth=True)),
    "kl_div": Row(kl_inputs()),
    "soft_margin_loss": Row(soft_margin_inputs()),
    "multilabel_soft_margin_loss": Row(multilabel_inputs()),
    "margin_ranking_loss": Row(ranking_inputs()),
    "hinge_embedding_loss": Row(hinge_embedding_inputs()),
    "cosine_embedding_loss": Row(cosine_inputs()),
    "gaussian_nll_loss": Row(gaussian_inputs()),
    "poisson_nll_loss": Row(poisson_inputs()),
    "triplet_margin_loss": Row(triplet_inputs()),
}
