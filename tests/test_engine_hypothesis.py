"""Property tests: hypothesis draws broadcastable shapes and values; minigrad's values equal numpy's
and its gradients equal the closed forms (computed here with numpy, unbroadcast by hand)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg

SETTINGS = settings(max_examples=40, deadline=None)
ELEMENTS = st.floats(-10, 10, allow_nan=False, allow_subnormal=False)


def sum_to(grad, shape):
    """Sum a broadcast gradient back to ``shape``, written independently of minigrad."""
    while grad.ndim > len(shape):
        grad = grad.sum(0)
    for i, n in enumerate(shape):
        if n == 1 and grad.shape[i] != 1:
            grad = grad.sum(i, keepdims=True)
    return grad


@st.composite
def two_broadcastable_arrays(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
    a, b = (draw(hnp.arrays(np.float64, s, elements=ELEMENTS)) for s in shapes.input_shapes)
    return a, b


# d(op)/da and d(op)/db as closed forms in numpy
BINARY = {
    "add": (np.add, lambda a, b: np.ones_like(a + b), lambda a, b: np.ones_like(a + b)),
    "sub": (np.subtract, lambda a, b: np.ones_like(a + b), lambda a, b: -np.ones_like(a + b)),
    "mul": (np.multiply, lambda a, b: b + 0 * a, lambda a, b: a + 0 * b),
    "div": (np.divide, lambda a, b: 1 / b + 0 * a, lambda a, b: -a / b ** 2),
}


@SETTINGS
@given(arrays=two_broadcastable_arrays(), name=st.sampled_from(sorted(BINARY)))
def test_binary_ops_broadcast_like_numpy_and_unbroadcast_their_gradients(arrays, name):
    a0, b0 = arrays
    if name == "div":
        b0 = np.where(np.abs(b0) < 0.5, 0.5, b0)
    forward, d_da, d_db = BINARY[name]
    a, b = mg.tensor(a0, requires_grad=True), mg.tensor(b0, requires_grad=True)
    out = {"add": lambda: a + b, "sub": lambda: a - b, "mul": lambda: a * b, "div": lambda: a / b}[name]()
    np.testing.assert_allclose(out.data, forward(a0, b0), rtol=1e-12)
    weights = np.random.default_rng(0).standard_normal(out.shape)
    (out * mg.tensor(weights)).sum().backward()
    assert a.grad.shape == a0.shape and b.grad.shape == b0.shape
    np.testing.assert_allclose(a.grad.data, sum_to(weights * d_da(a0, b0), a0.shape), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(b.grad.data, sum_to(weights * d_db(a0, b0), b0.shape), rtol=1e-9, atol=1e-12)


@SETTINGS
@given(arrays=two_broadcastable_arrays())
def test_maximum_and_minimum_broadcast_and_split_ties(arrays):
    a0, b0 = arrays
    b0 = np.where(np.random.default_rng(1).random(b0.shape) < 0.3, 0.0, b0)  # some ties with a0 = 0
    a0 = np.where(np.random.default_rng(2).random(a0.shape) < 0.3, 0.0, a0)
    a, b = mg.tensor(a0, requires_grad=True), mg.tensor(b0, requires_grad=True)
    out = mg.maximum(a, b) - mg.minimum(a, b)
    np.testing.assert_array_equal(out.data, np.maximum(a0, b0) - np.minimum(a0, b0))
    out.sum().backward()
    A, B = np.broadcast_arrays(a0, b0)
    # d/da [max - min] = 1 where a > b, -1 where a < b, 1/2 - 1/2 = 0 on a tie
    np.testing.assert_allclose(a.grad.data, sum_to(np.sign(A - B), a0.shape), atol=1e-12)
    np.testing.assert_allclose(b.grad.data, sum_to(np.sign(B - A), b0.shape), atol=1e-12)


@st.composite
def array_and_dims(draw):
    x = draw(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), elements=ELEMENTS))
    dims = draw(st.one_of(
        st.none(),
        st.integers(-x.ndim, x.ndim - 1),
        st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim, unique=True).map(tuple),
    ))
    return x, dims, draw(st.booleans())


def as_axis(dims, ndim):
    if dims is None:
        return tuple(range(ndim))
    return tuple(d % ndim for d in ((dims,) if isinstance(dims, int) else dims))


@SETTINGS
@given(case=array_and_dims(), name=st.sampled_from(["sum", "mean", "var", "logsumexp", "amax"]))
def test_reductions_match_numpy_values_and_closed_form_gradients(case, name):
    x0, dims, keepdim = case
    axis = as_axis(dims, x0.ndim)
    count = int(np.prod([x0.shape[d] for d in axis]))
    x = mg.tensor(x0, requires_grad=True)
    if name == "var":
        out = x.var(dims, correction=0, keepdim=keepdim)
    else:
        out = getattr(x, name)(dims, keepdim=keepdim)

    kept = lambda v: v if keepdim else np.expand_dims(v, axis)  # noqa: E731
    if name == "sum":
        expected, grad = x0.sum(axis, keepdims=keepdim), np.ones_like(x0)
    elif name == "mean":
        expected, grad = x0.mean(axis, keepdims=keepdim), np.full_like(x0, 1 / count)
    elif name == "var":
        expected = x0.var(axis, keepdims=keepdim)
        grad = 2 * (x0 - x0.mean(axis, keepdims=True)) / count
    elif name == "logsumexp":
        top = x0.max(axis, keepdims=True)
        lse = np.log(np.exp(x0 - top).sum(axis, keepdims=True)) + top
        expected = lse if keepdim else np.squeeze(lse, axis)
        grad = np.exp(x0 - lse)  # softmax
    else:
        expected = x0.max(axis, keepdims=keepdim)
        winners = x0 == x0.max(axis, keepdims=True)
        grad = winners / winners.sum(axis, keepdims=True)  # ties share evenly
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)

    weights = np.random.default_rng(0).standard_normal(out.shape)
    (out * mg.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.data, kept(weights) * grad, rtol=1e-8, atol=1e-10)


@settings(max_examples=15, deadline=None)
@given(arrays=two_broadcastable_arrays())
def test_a_composite_of_broadcast_ops_passes_gradcheck(arrays):
    a0, b0 = arrays
    a, b = mg.tensor(a0 / 10, requires_grad=True), mg.tensor(b0 / 10, requires_grad=True)
    assert mg.gradcheck(lambda a, b: (a * b + a).tanh() - (b - a).sigmoid() * b, [a, b])


@SETTINGS
@given(x0=hnp.arrays(np.float32, hnp.array_shapes(max_dims=3, max_side=4),
                     elements=st.floats(-10, 10, width=32, allow_subnormal=False)),
       scalar=st.one_of(st.integers(-3, 3), st.floats(-3, 3, allow_nan=False)))
def test_float32_stays_float32_with_any_python_scalar(x0, scalar):
    x = mg.tensor(x0, requires_grad=True)
    y = (x * scalar + scalar - x / 3) ** 2
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("seed", range(3))
def test_matmul_of_random_batched_shapes_matches_numpy(seed):
    rng = np.random.default_rng(seed)
    for _ in range(10):
        batch = tuple(rng.integers(1, 3, size=rng.integers(0, 3)))
        n, k, m = rng.integers(1, 4, size=3)
        a0 = rng.standard_normal(batch + (n, k))
        b0 = rng.standard_normal((k, m) if rng.random() < 0.5 else batch[1:] + (k, m))
        a, b = mg.tensor(a0, requires_grad=True), mg.tensor(b0, requires_grad=True)
        out = a @ b
        np.testing.assert_allclose(out.data, a0 @ b0, rtol=1e-12)
        out.sum().backward()
        ones = np.ones(out.shape)
        np.testing.assert_allclose(a.grad.data, sum_to(ones @ np.swapaxes(b0, -1, -2), a0.shape), rtol=1e-10)
        np.testing.assert_allclose(b.grad.data, sum_to(np.swapaxes(a0, -1, -2) @ ones, b0.shape), rtol=1e-10)
