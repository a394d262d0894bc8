"""Rows of the layer functions of nn's basic layers (alpha_dropout, embedding): sample inputs for
the checks of tests/test_ops.py (see op_rows' docstring)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from op_rows import SKIP, Const, Row, Sample, unary, values


@st.composite
def embedding_inputs(draw):
    """Indices (any shape up to 2-D) into a (rows, dim) weight, with or without a padding_idx
    that no index names. Not here: the padding row looked up (its gradient is zero by design,
    not the derivative), scale_grad_by_freq, whose gradient is by design not the derivative (finite
    differences disagree), and max_norm, which rescales the weight in place: both are compared
    with PyTorch in tests/test_nn_basic_layers_torch.py."""
    rows, dim = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    shape = draw(st.sampled_from([(), (3,), (2, 3), (4, 1)]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    indices = rng.integers(0, rows, size=shape)
    kwargs = {}
    unused = sorted(set(range(rows)) - set(indices.reshape(-1).tolist()))
    if unused and draw(st.booleans()):  # a padding row that is looked up: see below
        kwargs["padding_idx"] = draw(st.sampled_from(unused)) - draw(st.sampled_from([0, rows]))
    return Sample((Const(indices), values(draw, (rows, dim))), kwargs)


def _torch_alpha_dropout(torch, x, p=0.5, training=False):
    if training and 0 < p < 1:
        return SKIP  # a random mask PyTorch cannot reproduce (tests/test_nn_basic_layers_torch.py)
    return torch.nn.functional.alpha_dropout(x, p, training)


ROWS = {
    "alpha_dropout": Row(unary(kwargs=st.sampled_from([{"p": 0.5, "training": True},
                                                       {"p": 0.2, "training": True},
                                                       {"p": 0.0, "training": True},
                                                       {"p": 1.0, "training": True},
                                                       {"p": 0.5}])),
                         seeded=True, torch=_torch_alpha_dropout),
    "embedding": Row(embedding_inputs()),
}
