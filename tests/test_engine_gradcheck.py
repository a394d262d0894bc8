"""Every differentiable op's backward agrees with central finite differences (float64)."""
import itertools

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F


def leaf(*shape, low=None, seed=0):
    """A float64 leaf with random values (shifted to stay above ``low`` when given)."""
    rng = np.random.default_rng(seed)
    data = rng.standard_normal(shape)
    if low is not None:
        data = low + np.abs(data) + 0.1
    return mg.tensor(data, requires_grad=True)


def check(fn, *inputs):
    assert mg.gradcheck(fn, list(inputs))


# -- arithmetic, with broadcasting in both directions ------------------------------------------
BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((3, 1), (1, 4)),
                   ((2, 1, 4), (3, 1)), ((), (2, 3)), ((2, 3), ())]


@pytest.mark.parametrize("shape_a,shape_b", BROADCAST_PAIRS)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary_arithmetic_gradient_matches_finite_differences(op, shape_a, shape_b):
    a = leaf(*shape_a, seed=1)
    b = leaf(*shape_b, low=0.5, seed=2)  # away from 0 for the division
    fn = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
          "mul": lambda a, b: a * b, "div": lambda a, b: a / b}[op]
    check(fn, a, b)


@pytest.mark.parametrize("fn", [lambda x: x + 2.5, lambda x: 2.5 + x, lambda x: x - 2.5,
                                lambda x: 2.5 - x, lambda x: x * 3, lambda x: 3 * x,
                                lambda x: x / 3, lambda x: 3 / x, lambda x: -x])
def test_arithmetic_with_python_scalars_matches_finite_differences(fn):
    check(fn, leaf(2, 3, low=0.5))


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5, 1])
def test_tensor_to_a_scalar_power(exponent):
    check(lambda x: x ** exponent, leaf(2, 3, low=0.2))


@pytest.mark.parametrize("base", [2, 0.5, 3.7])
def test_scalar_to_a_tensor_power(base):
    check(lambda x: base ** x, leaf(2, 3))


@pytest.mark.parametrize("shape_a,shape_b", [((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3))])
def test_tensor_to_a_tensor_power(shape_a, shape_b):
    check(lambda a, b: a ** b, leaf(*shape_a, low=0.2, seed=3), leaf(*shape_b, seed=4))


def test_pow_method_is_the_power_operator():
    check(lambda x: x.pow(3), leaf(4))


# -- matmul ------------------------------------------------------------------------------------
MATMUL_SHAPES = [((4,), (4,)), ((4,), (4, 3)), ((3, 4), (4,)), ((2, 4), (4, 3)),
                 ((5, 2, 4), (4, 3)), ((2, 4), (5, 4, 3)), ((5, 1, 2, 4), (3, 4, 2)),
                 ((4,), (5, 4, 3)), ((5, 2, 4), (4,))]


@pytest.mark.parametrize("shape_a,shape_b", MATMUL_SHAPES)
def test_matmul_gradient_for_1d_2d_and_batched_broadcast_operands(shape_a, shape_b):
    check(lambda a, b: a @ b, leaf(*shape_a, seed=5), leaf(*shape_b, seed=6))


@pytest.mark.parametrize("x_shape", [(4,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_fused_linear(x_shape, with_bias):
    x, w, b = leaf(*x_shape, seed=1), leaf(5, 4, seed=2), leaf(5, seed=3)
    if with_bias:
        check(lambda x, w, b: F.linear(x, w, b), x, w, b)
    else:
        check(lambda x, w: F.linear(x, w), x, w)


# -- unary math and activations ----------------------------------------------------------------
UNARY = {
    "neg": (lambda x: -x, None),
    "exp": (lambda x: x.exp(), None),
    "log": (lambda x: x.log(), 0.0),
    "sqrt": (lambda x: x.sqrt(), 0.0),
    "tanh": (lambda x: x.tanh(), None),
    "sigmoid": (lambda x: x.sigmoid(), None),
    "relu": (lambda x: x.relu(), None),
    "abs": (lambda x: x.abs(), None),
    "clamp": (lambda x: x.clamp(-0.5, 0.7), None),
    "clamp_min": (lambda x: x.clamp(min=-0.3), None),
    "clamp_max": (lambda x: x.clamp(max=0.3), None),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), None),
    "gelu": (lambda x: F.gelu(x), None),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), None),
    "F.relu": (lambda x: F.relu(x), None),
    "F.sigmoid": (lambda x: F.sigmoid(x), None),
    "F.tanh": (lambda x: F.tanh(x), None),
}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_op_gradient_matches_finite_differences(name):
    fn, low = UNARY[name]
    x = leaf(3, 4, low=low, seed=7)
    if low is None:  # keep kinks (relu, abs, clamp) out of the finite-difference stencil
        x.data[np.abs(x.data) < 1e-3] = 0.5
        for bound in (-0.5, 0.7, -0.3, 0.3):
            x.data[np.abs(x.data - bound) < 1e-3] += 0.01
    check(fn, x)


@pytest.mark.parametrize("fn", [mg.maximum, mg.minimum, lambda a, b: a.max(b), lambda a, b: a.min(b)])
@pytest.mark.parametrize("shape_a,shape_b", [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4))])
def test_maximum_and_minimum(fn, shape_a, shape_b):
    check(fn, leaf(*shape_a, seed=8), leaf(*shape_b, seed=9))


@pytest.mark.parametrize("shape_cond,shape_a,shape_b", [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)),
                                                        ((4,), (3, 4), ())])
def test_where(shape_cond, shape_a, shape_b):
    condition = mg.tensor(np.random.default_rng(0).random(shape_cond) > 0.5)
    check(lambda a, b: mg.where(condition, a, b), leaf(*shape_a, seed=1), leaf(*shape_b, seed=2))


def test_where_with_a_python_scalar_branch():
    x = leaf(3, 4)
    check(lambda x: mg.where(x > 0, x, 0.0), x)


# -- reductions over every dim / keepdim combination ---------------------------------------------
def all_dims(ndim=3):
    dims = [None]
    for r in range(1, ndim + 1):
        for combo in itertools.combinations(range(ndim), r):
            dims.append(combo[0] if r == 1 else combo)
    return dims + [-1, (-1, 0)]


REDUCTIONS = {
    "sum": lambda x, d, k: x.sum(d, keepdim=k),
    "mean": lambda x, d, k: x.mean(d, keepdim=k),
    "var0": lambda x, d, k: x.var(d, correction=0, keepdim=k),
    "var1": lambda x, d, k: x.var(d, correction=1, keepdim=k),
    "amax": lambda x, d, k: x.amax(d, keepdim=k),
    "amin": lambda x, d, k: x.amin(d, keepdim=k),
    "logsumexp": lambda x, d, k: x.logsumexp(d, keepdim=k),
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", all_dims(), ids=str)
@pytest.mark.parametrize("name", list(REDUCTIONS))
def test_reduction_gradient_over_every_dim_and_keepdim(name, dim, keepdim):
    x = leaf(2, 3, 4, seed=11)  # distinct values: no ties for amax/amin
    check(lambda x: REDUCTIONS[name](x, dim, keepdim), x)


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("which", ["max", "min"])
def test_max_and_min_along_a_dim_values(which, dim, keepdim):
    check(lambda x: getattr(x, which)(dim, keepdim=keepdim).values, leaf(3, 4, seed=12))


@pytest.mark.parametrize("which", ["max", "min"])
def test_full_max_and_min(which):
    check(lambda x: getattr(x, which)(), leaf(3, 4, seed=13))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("fn", [lambda x, d: x.softmax(d), lambda x, d: x.log_softmax(d),
                                lambda x, d: F.softmax(x, d), lambda x, d: F.log_softmax(x, d)])
def test_softmax_and_log_softmax(fn, dim):
    check(lambda x: fn(x, dim), leaf(3, 4, seed=14))


# -- shape ops ---------------------------------------------------------------------------------
SHAPE_OPS = {
    "reshape": lambda x: x.reshape(4, 6),
    "reshape_tuple": lambda x: x.reshape((6, -1)),
    "view": lambda x: x.view(24),
    "transpose": lambda x: x.transpose(0, 2),
    "permute": lambda x: x.permute(2, 0, 1),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "unsqueeze": lambda x: x.unsqueeze(1),
    "unsqueeze_neg": lambda x: x.unsqueeze(-1),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(),
    "squeeze_dim": lambda x: x.unsqueeze(2).squeeze(2),
    "flatten": lambda x: x.flatten(),
    "flatten_range": lambda x: x.flatten(1),
    "expand": lambda x: x[:, :1].expand(2, 5, 4),
    "expand_minus_one": lambda x: x.unsqueeze(0).expand(3, -1, -1, -1),
    "double": lambda x: x.double() * 2,
    "float_then_double": lambda x: x.float().double(),
}


@pytest.mark.parametrize("name", list(SHAPE_OPS))
def test_shape_op(name):
    x = leaf(2, 3, 4, seed=15)
    if name == "float_then_double":  # float32 rounding: a coarser check of the same rule
        assert mg.gradcheck(SHAPE_OPS[name], [x], eps=1e-3, atol=1e-4, rtol=1e-3)
    else:
        check(SHAPE_OPS[name], x)


INDICES = {
    "int": 1,
    "negative_int": -1,
    "slice": slice(1, None),
    "step_slice": (slice(None), slice(None, None, 2)),
    "none": (None, 0),
    "ellipsis": (Ellipsis, 1),
    "mixed": (0, slice(None), None, 2),
    "int_array_repeated": np.array([0, 1, 0, 0]),
    "list_repeated": [1, 1, 0],
    "int_arrays_pair_repeated": (np.array([0, 1, 1]), np.array([2, 2, 2])),
    "bool_mask": np.array([True, False]),
    "bool_mask_full": np.random.default_rng(3).random((2, 3, 4)) > 0.4,
    "minigrad_int_tensor": mg.tensor([1, 0, 1]),
    "minigrad_bool_tensor": mg.tensor([[True, False, True], [False, False, True]]),
    "int_tensor_in_tuple": (slice(None), mg.tensor([2, 2, 0])),
}


@pytest.mark.parametrize("name", list(INDICES))
def test_indexing_scatters_the_gradient_back(name):
    check(lambda x: x[INDICES[name]], leaf(2, 3, 4, seed=16))


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat(dim):
    a, b = leaf(2, 3, seed=1), leaf(2, 3, seed=2)
    shape_c = [2, 3]
    shape_c[dim] = 1
    c = leaf(*shape_c, seed=3)
    check(lambda a, b, c: mg.cat([a, b, c], dim), a, b, c)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_stack(dim):
    check(lambda a, b: mg.stack([a, b], dim), leaf(2, 3, seed=1), leaf(2, 3, seed=2))


def test_cat_and_stack_with_a_constant_among_the_inputs():
    constant = mg.tensor(np.ones((2, 3)))
    check(lambda a: mg.cat([constant, a]), leaf(2, 3))
    check(lambda a: mg.stack([a, constant], 1), leaf(2, 3))


def test_a_composite_function_of_many_ops():
    def fn(x, w):
        h = (x @ w).tanh()
        return (h.softmax(-1) * h.exp()).sum(1).log() + h.var(1)

    check(fn, leaf(4, 3, seed=1), leaf(3, 5, seed=2))


# -- second order: every backward rule is itself differentiable (create_graph=True) -------------
SECOND_ORDER = {
    "mul_div": lambda x, y: x * y / (y * y + 1),
    "pow": lambda x, y: (x * x + 1) ** y + x ** 3 + 2 ** x,
    "sub_neg": lambda x, y: -(x - y) * (y - x),
    "matmul": lambda x, y: x @ y.T,
    "matmul_vec": lambda x, y: x @ y[0],
    "linear": lambda x, y: F.linear(x, y, y[:, 0]),
    "exp_log_sqrt": lambda x, y: (x.exp() + (y * y + 1).log()).sqrt(),
    "tanh_sigmoid": lambda x, y: x.tanh() * y.sigmoid(),
    "relu_abs_clamp": lambda x, y: x.relu() * y.abs() * (x * y).clamp(-0.5, 0.5),
    "leaky_relu_gelu": lambda x, y: F.leaky_relu(x, 0.1) * F.gelu(y) + F.gelu(x * y, approximate="tanh"),
    "maximum_where": lambda x, y: mg.maximum(x, y) * mg.minimum(x, y) + mg.where(x > y, x * y, y),
    "reductions": lambda x, y: x.sum(0) * y.mean(1, keepdim=True) + x.var(1, keepdim=True) * y.amax(0),
    "logsumexp_amin": lambda x, y: (x * y).logsumexp(1) * x.amin(1),
    "softmax": lambda x, y: (x * y).softmax(1) * x.log_softmax(0),
    "max_dim": lambda x, y: (x * y).max(1).values.unsqueeze(1) * x.min(0, keepdim=True).values,
    "shape": lambda x, y: (x.reshape(4, 3).T.unsqueeze(0) * y.permute(1, 0).flatten().view(3, 4)).squeeze(0),
    "expand": lambda x, y: x[:, :1].expand(-1, 4) * y,
    "index": lambda x, y: x[[0, 0, 2]] * y[:, [1, 1, 3]].T.sum(1, keepdim=True) + x[x > 0].sum(),
    "cat_stack": lambda x, y: mg.cat([x * y, x], 1).sum(1) * mg.stack([y, x * x], 2).sum((1, 2)),
    "cast": lambda x, y: (x * y).float().double() * x,
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_gradient_of_the_gradient_matches_finite_differences(name):
    fn = SECOND_ORDER[name]
    x, y = leaf(3, 4, seed=21), leaf(3, 4, seed=22)
    v = mg.tensor(np.random.default_rng(5).standard_normal((3, 4)))

    def gradient(x, y):  # a vector-Jacobian product, recorded so that it can be differentiated
        gx, gy = mg.grad((fn(x, y) ** 2).sum(), [x, y], create_graph=True)
        return (gx * v + gy).sum() + (gx * gy).sum()

    if name == "cast":  # a float32 round trip: a coarser check of the same rule
        assert mg.gradcheck(gradient, [x, y], eps=1e-3, atol=1e-3, rtol=1e-2)
    else:
        check(gradient, x, y)
