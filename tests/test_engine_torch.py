"""Forward values and gradients equal PyTorch's, op by op, in float64 (skipped without torch)."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def values_and_grads(fn, arrays, framework):
    """Run ``fn`` on leaves made from ``arrays`` in minigrad or torch; return output and grads."""
    if framework == "mg":
        leaves = [mg.Tensor(a.copy(order="K"), requires_grad=True) for a in arrays]  # keeps the layout
    else:
        leaves = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*leaves)
    weights = np.random.default_rng(42).standard_normal(out.shape)
    seed = mg.tensor(weights) if framework == "mg" else torch.tensor(weights)
    (out * seed).sum().backward()
    to_np = (lambda t: t.data) if framework == "mg" else (lambda t: t.detach().numpy())
    grads = [None if t.grad is None else to_np(t.grad) for t in leaves]
    return to_np(out), grads


def assert_same_as_torch(fn_mg, fn_torch, *arrays, rtol=1e-10, atol=1e-12):
    out_mg, grads_mg = values_and_grads(fn_mg, arrays, "mg")
    out_torch, grads_torch = values_and_grads(fn_torch, arrays, "torch")
    assert out_mg.dtype == np.float64
    np.testing.assert_allclose(out_mg, out_torch, rtol=rtol, atol=atol)
    for i, (g_mg, g_torch) in enumerate(zip(grads_mg, grads_torch)):
        assert g_mg is not None, f"input {i} got no gradient"
        np.testing.assert_allclose(g_mg, g_torch, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")


def randn(*shape, seed=0, positive=False):
    data = np.random.default_rng(seed).standard_normal(shape)
    return np.abs(data) + 0.1 if positive else data


# Ops written once, for both libraries: both spell these the same way.
SAME_SPELLING = {
    "add": (lambda a, b: a + b, [(3, 4), (4,)]),
    "radd": (lambda a, b: b + a, [(3, 1), (1, 4)]),
    "sub": (lambda a, b: a - b, [(4,), (3, 4)]),
    "mul": (lambda a, b: a * b, [(2, 1, 4), (3, 1)]),
    "div": (lambda a, b: a / b, [(3, 4), (4,)]),
    "scalar_arithmetic": (lambda a: (2.5 - a) * 3 / 1.5 + 1 - 2 / (a * a + 1), [(3, 4)]),
    "pow_scalar": (lambda a: a ** 3 + a ** 2, [(3, 4)]),
    "pow_tensor": (lambda a, b: (a * a + 0.5) ** b, [(3, 4), (4,)]),
    "rpow": (lambda a: 2.0 ** a, [(3, 4)]),
    "neg": (lambda a: -a, [(3, 4)]),
    "matmul_2d": (lambda a, b: a @ b, [(3, 4), (4, 5)]),
    "matmul_vec_vec": (lambda a, b: a @ b, [(4,), (4,)]),
    "matmul_vec_mat": (lambda a, b: a @ b, [(4,), (4, 5)]),
    "matmul_mat_vec": (lambda a, b: a @ b, [(3, 4), (4,)]),
    "matmul_batched": (lambda a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)]),
    "exp": (lambda a: a.exp(), [(3, 4)]),
    "tanh": (lambda a: a.tanh(), [(3, 4)]),
    "sigmoid": (lambda a: a.sigmoid(), [(3, 4)]),
    "relu": (lambda a: a.relu(), [(3, 4)]),
    "abs": (lambda a: a.abs(), [(3, 4)]),
    "clamp": (lambda a: a.clamp(-0.5, 0.5), [(3, 4)]),
    "clamp_min": (lambda a: a.clamp(min=0.1), [(3, 4)]),
    "maximum": (lambda a, b: a.maximum(b), [(3, 4), (4,)]),
    "minimum": (lambda a, b: a.minimum(b), [(3, 1), (4,)]),
    "sum": (lambda a: a.sum((0, 2), keepdim=True), [(2, 3, 4)]),
    "mean": (lambda a: a.mean(1), [(2, 3, 4)]),
    "mean_all": (lambda a: a.mean(), [(2, 3, 4)]),
    "var": (lambda a: a.var(1), [(2, 3, 4)]),
    "var0": (lambda a: a.var((0, 2), correction=0, keepdim=True), [(2, 3, 4)]),
    "var_all": (lambda a: a.var(), [(2, 3, 4)]),
    "amax": (lambda a: a.amax((0, 1)), [(2, 3, 4)]),
    "amin": (lambda a: a.amin(-1, keepdim=True), [(2, 3, 4)]),
    "max_full": (lambda a: a.max(), [(2, 3, 4)]),
    "min_full": (lambda a: a.min(), [(2, 3, 4)]),
    "max_dim": (lambda a: a.max(1).values, [(2, 3, 4)]),
    "min_dim_keepdim": (lambda a: a.min(2, keepdim=True).values, [(2, 3, 4)]),
    "logsumexp": (lambda a: a.logsumexp((0, 2)), [(2, 3, 4)]),
    "softmax": (lambda a: a.softmax(1), [(2, 3, 4)]),
    "log_softmax": (lambda a: a.log_softmax(-1), [(2, 3, 4)]),
    "reshape": (lambda a: a.reshape(4, 6), [(2, 3, 4)]),
    "view": (lambda a: a.view(-1, 4), [(2, 3, 4)]),
    "transpose": (lambda a: a.transpose(0, 2), [(2, 3, 4)]),
    "permute": (lambda a: a.permute(1, 2, 0), [(2, 3, 4)]),
    "T": (lambda a: a.T, [(3, 4)]),
    "mT": (lambda a: a.mT, [(2, 3, 4)]),
    "unsqueeze_squeeze": (lambda a: a.unsqueeze(1).squeeze(1) * a.unsqueeze(-1).squeeze(), [(3, 4)]),
    "flatten": (lambda a: a.flatten(1), [(2, 3, 4)]),
    "expand": (lambda a: a.expand(2, -1, 4), [(3, 1)]),
    "index_basic": (lambda a: a[1:, None, ..., ::2], [(3, 4)]),
    "index_int": (lambda a: a[-1, 2], [(3, 4)]),
}


@pytest.mark.parametrize("name", list(SAME_SPELLING))
def test_op_matches_torch(name):
    fn, shapes = SAME_SPELLING[name]
    arrays = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    assert_same_as_torch(fn, fn, *arrays)


@pytest.mark.parametrize("name,fn_mg,fn_torch,positive", [
    ("log", lambda a: a.log(), lambda a: a.log(), True),
    ("sqrt", lambda a: a.sqrt(), lambda a: a.sqrt(), True),
    ("leaky_relu", lambda a: F.leaky_relu(a, 0.2), lambda a: TF.leaky_relu(a, 0.2), False),
    ("leaky_relu_default", lambda a: F.leaky_relu(a), lambda a: TF.leaky_relu(a), False),
    ("gelu", lambda a: F.gelu(a), lambda a: TF.gelu(a), False),
    ("gelu_tanh", lambda a: F.gelu(a, approximate="tanh"), lambda a: TF.gelu(a, approximate="tanh"), False),
    ("F.softmax", lambda a: F.softmax(a, 0), lambda a: TF.softmax(a, 0), False),
    ("F.log_softmax", lambda a: F.log_softmax(a, 1), lambda a: TF.log_softmax(a, 1), False),
])
def test_unary_function_matches_torch(name, fn_mg, fn_torch, positive):
    assert_same_as_torch(fn_mg, fn_torch, randn(3, 4, positive=positive))


@pytest.mark.parametrize("weight_order", ["C", "F"])  # a weight in either memory layout
@pytest.mark.parametrize("x_shape", [(4,), (3, 4), (2, 3, 4)])
def test_fused_linear_matches_torch(x_shape, weight_order):
    weight = np.asarray(randn(5, 4, seed=2), order=weight_order)
    arrays = randn(*x_shape, seed=1), weight, randn(5, seed=3)
    assert_same_as_torch(F.linear, TF.linear, *arrays)
    assert_same_as_torch(F.linear, TF.linear, *arrays[:2])


def test_where_matches_torch():
    condition = np.random.default_rng(0).random((3, 4)) > 0.5
    assert_same_as_torch(lambda a, b: mg.where(mg.tensor(condition), a, b),
                         lambda a, b: torch.where(torch.tensor(condition), a, b),
                         randn(3, 4, seed=1), randn(4, seed=2))


def test_cat_and_stack_match_torch():
    arrays = randn(2, 3, seed=1), randn(2, 3, seed=2)
    assert_same_as_torch(lambda a, b: mg.cat([a, b], 1), lambda a, b: torch.cat([a, b], 1), *arrays)
    assert_same_as_torch(lambda a, b: mg.stack([a, b], -1), lambda a, b: torch.stack([a, b], -1), *arrays)


@pytest.mark.parametrize("index_of", [
    lambda lib: lib.tensor([0, 2, 2, 0, 2]),                 # repeated integer indices
    lambda lib: (lib.tensor([1, 1]), lib.tensor([3, 3])),     # one element twice
    lambda lib: lib.tensor([[True, False, True, True]] * 3),  # a boolean mask
])
def test_advanced_indexing_accumulates_repeated_indices_like_torch(index_of):
    assert_same_as_torch(lambda a: a[index_of(mg)], lambda a: a[index_of(torch)], randn(3, 4))


def test_cast_gradient_comes_back_in_the_source_dtype_like_torch():
    x_mg = mg.tensor(randn(3), requires_grad=True)
    x_torch = torch.tensor(randn(3), requires_grad=True)
    (x_mg.float() * 3).sum().backward()
    (x_torch.float() * 3).sum().backward()
    assert x_mg.grad.dtype == np.float64
    np.testing.assert_array_equal(x_mg.grad.data, x_torch.grad.numpy())


# -- ties and kinks ----------------------------------------------------------------------------
TIES = np.array([[-1.0, 0.0, 2.0, 2.0], [0.5, 0.5, 0.5, -3.0], [0.0, -2.0, 1.0, 1.0]])


@pytest.mark.parametrize("name,fn", [
    ("relu_at_0", lambda a: a.relu()),
    ("abs_at_0", lambda a: a.abs()),
    ("clamp_at_bounds", lambda a: a.clamp(0.0, 2.0)),
    ("clamp_min_at_bound", lambda a: a.clamp(min=0.5)),
    ("maximum_ties_split", lambda a: a.maximum(a * 1.0)),
    ("minimum_ties_split", lambda a: a.minimum(a.sum(0) * 0 + 0.5)),
    ("amax_ties_split_evenly", lambda a: a.amax(1)),
    ("amin_ties_split_evenly", lambda a: a.amin(0)),
    ("amax_all_ties", lambda a: a.amax()),
    ("max_full_ties", lambda a: a.max()),
    ("logsumexp_ties", lambda a: a.logsumexp(1)),
])
def test_tie_and_kink_gradients_match_torch(name, fn):
    assert_same_as_torch(fn, fn, TIES)


def test_maximum_of_two_leaves_splits_ties_like_torch():
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 5.0, 3.0])
    assert_same_as_torch(lambda x, y: x.maximum(y), lambda x, y: x.maximum(y), a, b)
    assert_same_as_torch(lambda x, y: x.minimum(y), lambda x, y: x.minimum(y), a, b)


def test_leaky_relu_and_gelu_at_zero_match_torch():
    x = np.array([0.0, -0.0, 1.0])
    assert_same_as_torch(lambda a: F.leaky_relu(a), lambda a: TF.leaky_relu(a), x)
    assert_same_as_torch(lambda a: F.gelu(a), lambda a: TF.gelu(a), x)


def test_pow_gradient_at_zero_base_matches_torch():
    x = np.array([0.0, 1.0, 2.0])
    assert_same_as_torch(lambda a: a ** 0, lambda a: a ** 0, x)
    assert_same_as_torch(lambda a: a ** 2, lambda a: a ** 2, x)
    assert_same_as_torch(lambda a: 0.0 ** a + 0 ** a, lambda a: 0.0 ** a + 0 ** a, x)


# -- in place in the middle of a graph -----------------------------------------------------------
def test_inplace_ops_on_non_leaves_give_torchs_gradient():
    def fn(x):
        c = x * 2
        c += c + 1
        c *= x
        c -= x.exp()
        d = c * 3  # (torch refuses d = c.tanh(); d += 1: tanh saved the value d overwrites)
        d += 1
        return d * c

    assert_same_as_torch(fn, fn, randn(3, 4))


# -- second derivatives --------------------------------------------------------------------------
def test_second_derivative_of_tanh_matches_torch():
    x0 = randn(5)
    x = mg.tensor(x0, requires_grad=True)
    (dx,) = mg.grad(x.tanh().sum(), x, create_graph=True)
    (d2x,) = mg.grad(dx.sum(), x)
    xt = torch.tensor(x0, requires_grad=True)
    (dxt,) = torch.autograd.grad(xt.tanh().sum(), xt, create_graph=True)
    (d2xt,) = torch.autograd.grad(dxt.sum(), xt)
    np.testing.assert_allclose(d2x.data, d2xt.numpy(), rtol=1e-12)
    np.testing.assert_allclose(d2x.data, -2 * np.tanh(x0) * (1 - np.tanh(x0) ** 2), rtol=1e-12)


def test_hessian_vector_product_of_a_small_mlp_matches_torch():
    rng = np.random.default_rng(0)
    x0, w1, b1, w2 = rng.standard_normal((6, 3)), rng.standard_normal((4, 3)), rng.standard_normal(4), \
        rng.standard_normal((2, 4))
    v = [rng.standard_normal(a.shape) for a in (w1, b1, w2)]

    def loss(lib, fun, x, w1, b1, w2):
        hidden = fun.linear(x, w1, b1).tanh()
        scores = hidden @ w2.T
        return (scores.log_softmax(1)[:, 0] * -1).mean() + (scores.sigmoid() ** 2).sum() * 0.1

    params_mg = [mg.tensor(a, requires_grad=True) for a in (w1, b1, w2)]
    grads = mg.grad(loss(mg, F, mg.tensor(x0), *params_mg), params_mg, create_graph=True)
    dot = sum((g * mg.tensor(u)).sum() for g, u in zip(grads, v))
    hvp_mg = mg.grad(dot, params_mg)

    params_t = [torch.tensor(a, requires_grad=True) for a in (w1, b1, w2)]
    grads_t = torch.autograd.grad(loss(torch, TF, torch.tensor(x0), *params_t), params_t, create_graph=True)
    dot_t = sum((g * torch.tensor(u)).sum() for g, u in zip(grads_t, v))
    hvp_t = torch.autograd.grad(dot_t, params_t)

    for h_mg, h_t in zip(hvp_mg, hvp_t):
        np.testing.assert_allclose(h_mg.data, h_t.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name,fn", [
    ("sigmoid", lambda a: a.sigmoid()),
    ("softmax", lambda a: a.softmax(-1)),
    ("log_softmax", lambda a: a.log_softmax(0)),
    ("logsumexp", lambda a: a.logsumexp(1)),
    ("pow", lambda a: a ** 3 + 2 ** a),
    ("div_sqrt", lambda a: 1 / (a * a + 1).sqrt()),
    ("amax_var", lambda a: a.amax(1) * a.var(1)),
    ("index_cat", lambda a: mg_or_torch_cat(a) ** 2),
    ("matmul", lambda a: (a @ a.T).exp()),
])
def test_second_derivatives_match_torch(name, fn):
    x0 = randn(3, 4)
    x = mg.tensor(x0, requires_grad=True)
    (dx,) = mg.grad((fn(x) ** 2).sum(), x, create_graph=True)
    (d2,) = mg.grad((dx * dx.tanh()).sum(), x)
    xt = torch.tensor(x0, requires_grad=True)
    (dxt,) = torch.autograd.grad((fn(xt) ** 2).sum(), xt, create_graph=True)
    (d2t,) = torch.autograd.grad((dxt * dxt.tanh()).sum(), xt)
    np.testing.assert_allclose(d2.data, d2t.numpy(), rtol=1e-9, atol=1e-12)


def mg_or_torch_cat(a):
    lib = mg if isinstance(a, mg.Tensor) else torch
    index = lib.tensor([0, 0, 2])
    return lib.cat([a[index], a[1:]], 0)


def test_tensor_to_a_tensor_power_at_zero_base_and_zero_exponent_matches_torch():
    base = np.array([0.0, 0.0, 0.0, 1.5, 2.0])
    exponent = np.array([0.0, 2.0, 1.0, 0.0, -1.0])
    assert_same_as_torch(lambda a, b: a ** b, lambda a, b: a ** b, base, exponent)
