"""Valid calls at the edges, each run on minigrad and on PyTorch: reductions of a 0-d tensor over
dim 0 or -1, means and variances over an empty dimension, the softmax family over a zero-size
dimension, std at zero spread (gradient 0, PyTorch's definition), variance with no degree of
freedom left.  Same shapes, dtypes, values, gradients and warnings."""
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as mgF

torch = pytest.importorskip("torch")

SCALAR = np.array(3.0)
EMPTY_ROWS = np.zeros((0, 3))
EMPTY_COLUMNS = np.zeros((2, 0))
CONSTANT = np.full(4, 2.5)
PAIR = np.array([2.0, 3.0])
COLUMNS = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0]])  # the second feature is constant


CALLS = {
    # a 0-d tensor has one dimension to name: 0 or -1
    "sum of a 0-d tensor over dim 0": (SCALAR, lambda lib, F, x: x.sum(0)),
    "sum of a 0-d tensor over dim -1, keepdim": (SCALAR, lambda lib, F, x: x.sum(-1, keepdim=True)),
    "sum of a 0-d tensor over dim (0,)": (SCALAR, lambda lib, F, x: x.sum((0,))),
    "mean of a 0-d tensor over dim 0": (SCALAR, lambda lib, F, x: x.mean(0)),
    "amax of a 0-d tensor over dim 0": (SCALAR, lambda lib, F, x: x.amax(0)),
    "amin of a 0-d tensor over dim -1": (SCALAR, lambda lib, F, x: x.amin(-1)),
    "max of a 0-d tensor over dim 0": (SCALAR, lambda lib, F, x: x.max(0).values),
    "max of a 0-d tensor over dim 0, keepdim": (SCALAR, lambda lib, F, x: x.max(0, keepdim=True).values),
    "the index of a 0-d tensor's max": (SCALAR, lambda lib, F, x: x.max(0).indices),
    "min of a 0-d tensor over dim -1": (SCALAR, lambda lib, F, x: x.min(-1).values),
    "argmax of a 0-d tensor over dim 0": (SCALAR, lambda lib, F, x: x.argmax(0)),
    "argmin of a 0-d tensor over dim -1, keepdim": (SCALAR, lambda lib, F, x: x.argmin(-1, keepdim=True)),
    "logsumexp of a 0-d tensor over dim 0": (SCALAR, lambda lib, F, x: x.logsumexp(0)),
    "softmax of a 0-d tensor": (SCALAR, lambda lib, F, x: F.softmax(x, dim=0)),
    "log_softmax of a 0-d tensor": (SCALAR, lambda lib, F, x: F.log_softmax(x, dim=-1)),
    "var of a 0-d tensor, correction 0": (SCALAR, lambda lib, F, x: x.var(0, correction=0)),
    "std of a 0-d tensor, correction 0": (SCALAR, lambda lib, F, x: x.std(0, correction=0)),
    "transpose of a 0-d tensor": (SCALAR, lambda lib, F, x: x.transpose(0, -1)),
    "squeeze of a 0-d tensor": (SCALAR, lambda lib, F, x: x.squeeze(0)),
    "flatten of a 0-d tensor": (SCALAR, lambda lib, F, x: x.flatten(0, -1)),
    "logsumexp of integers": (np.array([1, 2, 3]), lambda lib, F, x: x.logsumexp(0)),
    # empty dimensions
    "mean over an empty dim": (EMPTY_ROWS, lambda lib, F, x: x.mean(0)),
    "mean of an empty tensor": (EMPTY_ROWS, lambda lib, F, x: x.mean()),
    "mean over a non-empty dim of an empty tensor": (EMPTY_ROWS, lambda lib, F, x: x.mean(1)),
    "sum over an empty dim": (EMPTY_ROWS, lambda lib, F, x: x.sum(0)),
    "var over an empty dim": (EMPTY_ROWS, lambda lib, F, x: x.var(0)),
    "softmax over a zero-size dim": (EMPTY_COLUMNS, lambda lib, F, x: F.softmax(x, dim=1)),
    "log_softmax over a zero-size dim": (EMPTY_COLUMNS, lambda lib, F, x: F.log_softmax(x, dim=1)),
    "logsumexp over a zero-size dim": (EMPTY_COLUMNS, lambda lib, F, x: x.logsumexp(1)),
    "softmax of an empty batch": (EMPTY_ROWS, lambda lib, F, x: F.softmax(x, dim=1)),
    # zero spread: std's gradient is 0 there (PyTorch masks it), not 0 * inf = nan
    "std of a constant": (CONSTANT, lambda lib, F, x: x.std()),
    "std of a constant, correction 0": (CONSTANT, lambda lib, F, x: x.std(correction=0)),
    "a constant feature standardized with (x - mean) / (std + eps)": (
        COLUMNS, lambda lib, F, x: (x - x.mean(0, keepdim=True)) / (x.std(0, keepdim=True) + 1e-5)),
    "a constant feature standardized, std without correction": (
        COLUMNS, lambda lib, F, x: (x - x.mean(0)) / (x.std(0, correction=0) + 1e-5)),
    # no degree of freedom left: inf or nan, and a warning
    "var of one element": (np.array([2.0]), lambda lib, F, x: x.var()),
    "var with correction equal to n": (PAIR, lambda lib, F, x: x.var(correction=2)),
    "var with correction above n": (PAIR, lambda lib, F, x: x.var(correction=3)),
    "var of a constant with correction equal to n": (CONSTANT[:2], lambda lib, F, x: x.var(correction=2)),
    "std of one element": (np.array([2.0]), lambda lib, F, x: x.std()),
    "std with correction equal to n": (PAIR, lambda lib, F, x: x.std(0, correction=2)),
    "var of a 0-d tensor": (SCALAR, lambda lib, F, x: x.var()),
}

# The gradient PyTorch gives where the function itself is inf: its full-reduction var backward
# answers +inf for every element, its per-dim one +-inf by the sign of x - mean, and minigrad's
# composite nan (the deviations' inf - inf); all are "not finite", none is a number to trust.
GRADIENT_NOT_FINITE = {"var with correction equal to n", "var with correction above n"}


def run(lib, F, data, call):
    """The output of ``call`` and the gradient of ``(output * weights).sum()``, with warnings."""
    floating = data.dtype.kind == "f"
    x = lib.tensor(data, requires_grad=floating)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = call(lib, F, x)
        grad = None
        if floating and out.requires_grad:
            weights = lib.tensor(np.random.default_rng(0).standard_normal(tuple(out.shape)))
            (out * weights).sum().backward()
            grad = x.grad
    user_warnings = [w for w in caught if issubclass(w.category, UserWarning)]
    return out, grad, user_warnings


@pytest.mark.parametrize("name", CALLS)
def test_an_edge_call_gives_pytorchs_shape_dtype_values_gradient_and_warnings(name):
    data, call = CALLS[name]
    theirs, their_grad, their_warnings = run(torch, torch.nn.functional, data, call)
    ours, our_grad, our_warnings = run(mg, mgF, data, call)
    expected = theirs.detach().numpy()
    assert ours.shape == expected.shape and ours.dtype == expected.dtype, (ours.shape, ours.dtype)
    tol = 1e-6 if expected.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(ours.data, expected, rtol=tol, atol=tol)
    assert (our_grad is None) == (their_grad is None)
    if their_grad is not None:
        assert our_grad.shape == tuple(their_grad.shape)
        if name in GRADIENT_NOT_FINITE:
            assert not np.isfinite(our_grad.data).any() and not np.isfinite(their_grad.numpy()).any()
        else:
            np.testing.assert_allclose(our_grad.data, their_grad.numpy(), rtol=1e-8, atol=1e-8)
    assert bool(our_warnings) == bool(their_warnings), (our_warnings, their_warnings)


def test_the_variance_warning_names_the_op_and_the_counts():
    with pytest.warns(UserWarning, match=r"var: degrees of freedom is <= 0: correction 2 is not less "
                                         r"than the 2 elements reduced"):
        mg.tensor([2.0, 3.0]).var(correction=2)


def test_std_at_zero_spread_has_a_zero_second_derivative_too():
    x = mg.tensor(CONSTANT, requires_grad=True)
    (grad,) = mg.grad(x.std(), x, create_graph=True)
    (second,) = mg.grad(grad.sum(), x)
    np.testing.assert_array_equal(grad.data, 0.0)
    assert np.isfinite(second.data).all()
