"""Every op of the registry, checked the same way: a float64 gradcheck over hypothesis-drawn
inputs, a second-order gradcheck, and PyTorch's values, gradients and result dtypes.

The ops come from ``minigrad.ops.registry.OPS`` and the sample inputs from ``op_rows.ROWS``: an
op without a row fails :func:`test_every_op_has_a_row`, so no op arrives untested.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from op_rows import NO_TORCH, ROWS, SKIP, Const, DType

import minigrad as mg
from minigrad import engine
from minigrad.engine import PRIMITIVES
from minigrad.ops.registry import OPS

CHECK = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# One sample per row, the same every run, not shrunk (shrinking ~380 rows took minutes).
FIRST_DRAW = settings(database=None, derandomize=True, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))


def minigrad_function(name):
    if ROWS[name].call is not None:
        return lambda *args, **kwargs: ROWS[name].call(mg, *args, **kwargs)
    if name in OPS:
        return OPS[name].function
    return lambda x, *args, **kwargs: getattr(x, name)(*args, **kwargs)


def convert(value, make_leaf, make_constant, make_dtype):
    """A sample's argument as one library's objects (see op_rows' docstring)."""
    if isinstance(value, np.generic):  # numpy's arithmetic on 0-d arrays gives scalars
        value = np.asarray(value)
    if isinstance(value, np.ndarray):
        return make_leaf(value) if value.dtype.kind == "f" else make_constant(value)
    if isinstance(value, Const):
        return make_constant(value.array)
    if isinstance(value, DType):
        return make_dtype(value.name)
    if isinstance(value, list):
        return [convert(v, make_leaf, make_constant, make_dtype) for v in value]
    return value


def minigrad_call(name, sample, dtype=np.float64):
    """``(call, leaves)``: a function that runs the op on the sample, and its float leaves."""
    leaves = []

    def leaf(array):
        leaves.append(mg.tensor(array.astype(dtype), requires_grad=True))
        return leaves[-1]

    def constant(array):
        return mg.tensor(array.astype(dtype) if array.dtype.kind == "f" else array)

    args = [convert(a, leaf, constant, lambda n: getattr(mg, n)) for a in sample.args]
    kwargs = {k: convert(v, leaf, constant, lambda n: getattr(mg, n)) for k, v in sample.kwargs.items()}
    function = minigrad_function(name)

    def call(*_):  # gradcheck perturbs the leaves in place and calls again
        if ROWS[name].seeded:
            mg.manual_seed(0)
        return function(*args, **kwargs)

    return call, leaves


def outputs(result):
    return [result] if isinstance(result, (mg.Tensor,)) or hasattr(result, "grad_fn") else list(result)


def projections(outs, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(o.shape) for o in outs]


def differentiable_outputs(result):
    return [o for o in outputs(result) if o.requires_grad]


# ---------------------------------------------------------------------------------------------
# The table is complete
# ---------------------------------------------------------------------------------------------
def test_every_op_has_a_row():
    missing = sorted(set(OPS) - set(ROWS))
    assert not missing, f"ops without a row of sample inputs in tests/op_rows.py: {missing}"
    unknown = sorted(n for n in ROWS if n not in OPS and not hasattr(mg.Tensor, n))
    assert not unknown, f"rows in tests/op_rows.py that name no op: {unknown}"


def test_every_exported_name_is_pytorchs():
    torch = pytest.importorskip("torch")
    wrong = []
    for info in OPS.values():
        for name in info.names():
            if info.torch and not hasattr(torch, name):
                wrong.append(f"mg.{name}")
            if info.functional and not hasattr(torch.nn.functional, name) and name != "multiclass_hinge_loss":
                wrong.append(f"F.{name}")
            if info.method and not hasattr(torch.Tensor, name):
                wrong.append(f"Tensor.{name}")
            if info.linalg and not hasattr(torch.linalg, name):
                wrong.append(f"mg.linalg.{name}")
    assert not wrong, f"declared under names PyTorch does not have: {wrong}"


def _nodes_reached(name):
    """The Function classes a row's simplest sample runs, forward and backward, to second order."""
    sample = find(ROWS[name].inputs, lambda s: True, settings=FIRST_DRAW)
    call, leaves = minigrad_call(name, sample)
    reached = set()
    with engine.observe_backward(lambda node, grad, grads: reached.add(type(node))):
        result = call()
        outs = differentiable_outputs(result)
        roots = [o.grad_fn for o in outputs(result) if o.grad_fn is not None]
        reached.update(type(n) for n in engine.topological_order(roots))
        if outs and ROWS[name].differentiable:
            weights = [mg.tensor(v, requires_grad=True) for v in projections(outs)]
            scalar = sum((o * w).sum() for o, w in zip(outs, weights))
            second_order = ROWS[name].second_order  # (a row without it may refuse create_graph)
            grads = mg.grad(scalar, leaves, create_graph=second_order, allow_unused=True)
            second = [g.sum() for g in grads if g is not None and g.requires_grad]
            if second:
                mg.grad(sum(second), leaves + weights, allow_unused=True)
    return reached


def test_every_primitive_is_reached_by_a_row():
    reached = set()
    for name in ROWS:
        reached |= _nodes_reached(name)
    missing = sorted(cls.name for cls in PRIMITIVES.values() if cls not in reached)
    assert not missing, f"Function classes no row of tests/op_rows.py runs: {missing}"


def test_every_primitive_has_a_caption():
    missing = sorted(name for name, cls in PRIMITIVES.items() if not cls.caption)
    assert not missing, f"ops whose step-through has no caption: {missing}"


# ---------------------------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------------------------
GRADCHECKED = [n for n, r in ROWS.items() if r.differentiable and not r.gradcheck]
SECOND_ORDER = [n for n in GRADCHECKED if ROWS[n].second_order]


@pytest.mark.parametrize("name", GRADCHECKED)
@CHECK
@given(data=st.data())
def test_gradient_matches_finite_differences(name, data):
    call, leaves = minigrad_call(name, data.draw(ROWS[name].inputs))
    if leaves and differentiable_outputs(call()):
        assert mg.gradcheck(call, leaves)


@pytest.mark.parametrize("name", SECOND_ORDER)
@CHECK
@given(data=st.data())
def test_gradient_of_the_gradient_matches_finite_differences(name, data):
    call, leaves = minigrad_call(name, data.draw(ROWS[name].inputs))
    outs = differentiable_outputs(call()) if leaves else []
    if not outs:
        return
    # The upstream gradient requires grad too: backward must be differentiable in it as well.
    weights = [mg.tensor(v, requires_grad=True) for v in projections(outs)]

    def first_order(*_):
        scalar = sum((o * w).sum() for o, w in zip(differentiable_outputs(call()), weights))
        grads = mg.grad(scalar, leaves, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    assert mg.gradcheck(first_order, leaves + weights)


def test_rows_without_checks_say_why():
    for name, row in ROWS.items():
        if row.differentiable and not row.second_order:
            assert row.why_no_second_order, f"{name}: second_order=False needs why_no_second_order"


# ---------------------------------------------------------------------------------------------
# PyTorch's values, gradients and dtypes
# ---------------------------------------------------------------------------------------------
def torch_function(torch, name):
    row = ROWS[name]
    if row.torch is not None:
        return lambda *args, **kwargs: row.torch(torch, *args, **kwargs)
    if row.call is not None:
        return lambda *args, **kwargs: row.call(torch, *args, **kwargs)
    info = OPS.get(name)
    if info is None:  # a Tensor method outside the registry (.to, indexing)
        return lambda x, *args, **kwargs: getattr(x, name)(*args, **kwargs)
    if info.torch:
        return getattr(torch, info.name)
    if info.linalg:  # (keyed 'linalg.<name>' when the op is only there)
        return getattr(torch.linalg, info.name)
    if info.functional:
        return getattr(torch.nn.functional, name)
    return lambda x, *args, **kwargs: getattr(x, name)(*args, **kwargs)


def torch_call(torch, name, sample, dtype):
    leaves = []
    torch_dtype = getattr(torch, np.dtype(dtype).name)

    def leaf(array):
        leaves.append(torch.tensor(array, dtype=torch_dtype, requires_grad=True))
        return leaves[-1]

    def constant(array):
        return torch.tensor(array, dtype=torch_dtype if array.dtype.kind == "f" else None)

    args = [convert(a, leaf, constant, lambda n: getattr(torch, n)) for a in sample.args]
    kwargs = {k: convert(v, leaf, constant, lambda n: getattr(torch, n)) for k, v in sample.kwargs.items()}
    return torch_function(torch, name)(*args, **kwargs), leaves


def torch_outputs(torch, result):
    return [result] if isinstance(result, torch.Tensor) else list(result)


TORCH_ROWS = [n for n, r in ROWS.items() if r.torch is not NO_TORCH]


@pytest.mark.parametrize("name", TORCH_ROWS)
@CHECK
@given(data=st.data())
def test_values_gradients_and_dtypes_match_pytorch(name, data):
    torch = pytest.importorskip("torch")
    sample = data.draw(ROWS[name].inputs)
    for dtype, tol in ((np.float64, 1e-7), (np.float32, 2e-4)):
        theirs, their_leaves = torch_call(torch, name, sample, dtype)
        if theirs is SKIP:
            return
        call, leaves = minigrad_call(name, sample, dtype)
        ours = call()
        mine, reference = outputs(ours), torch_outputs(torch, theirs)
        assert len(mine) == len(reference), f"{name}: {len(mine)} outputs, PyTorch gives {len(reference)}"
        for i, (o, t) in enumerate(zip(mine, reference)):
            expected = t.detach().numpy()
            where = f"{name} output {i}"
            assert o.dtype == expected.dtype, f"{where}: dtype {o.dtype}, PyTorch's {expected.dtype}"
            assert o.shape == expected.shape, f"{where}: shape {o.shape}, PyTorch's {expected.shape}"
            np.testing.assert_allclose(o.data, expected, rtol=tol, atol=tol, err_msg=where)
        _compare_gradients(torch, name, mine, reference, leaves, their_leaves, tol)


def _compare_gradients(torch, name, mine, reference, leaves, their_leaves, tol):
    pairs = [(o, t) for o, t in zip(mine, reference) if t.requires_grad]
    assert [o.requires_grad for o, _ in pairs] == [True] * len(pairs), f"{name}: output needs grad"
    if not pairs or not leaves:
        return
    weights = projections([o for o, _ in pairs])
    ours = sum((o * mg.tensor(w.astype(o.dtype))).sum() for (o, _), w in zip(pairs, weights))
    theirs = sum((t * torch.tensor(w, dtype=t.dtype)).sum() for (_, t), w in zip(pairs, weights))
    our_grads = mg.grad(ours, leaves, allow_unused=True)
    their_grads = torch.autograd.grad(theirs, their_leaves, allow_unused=True)
    for i, (g, t) in enumerate(zip(our_grads, their_grads)):
        expected = np.zeros(leaves[i].shape) if t is None else t.numpy()
        got = np.zeros(leaves[i].shape) if g is None else g.data
        np.testing.assert_allclose(got, expected, rtol=tol, atol=tol,
                                   err_msg=f"{name}: gradient of input {i}")


# ---------------------------------------------------------------------------------------------
# In-place methods: x.<name>_(...) is the op's result written into x
# ---------------------------------------------------------------------------------------------
INPLACE = sorted(n for n, info in OPS.items() if info.inplace)


def test_every_inplace_method_is_pytorchs_and_has_a_row():
    torch = pytest.importorskip("torch")
    for name in INPLACE:
        assert name in ROWS, f"{name}_: no row of sample inputs"
        for alias in OPS[name].names():
            assert hasattr(mg.Tensor, alias + "_"), f"Tensor.{alias}_ is missing"
            assert hasattr(torch.Tensor, alias + "_"), f"PyTorch has no Tensor.{alias}_"


def _converted(sample, make_leaf):
    constant = mg.tensor
    args = [convert(a, make_leaf, constant, lambda n: getattr(mg, n)) for a in sample.args]
    kwargs = {k: convert(v, make_leaf, constant, lambda n: getattr(mg, n)) for k, v in sample.kwargs.items()}
    return args, kwargs


@pytest.mark.parametrize("name", INPLACE)
@CHECK
@given(data=st.data())
def test_inplace_method_writes_the_ops_result(name, data):
    sample = data.draw(ROWS[name].inputs)
    if not isinstance(sample.args[0], np.ndarray):  # a Python number first: no tensor to write
        return
    function = OPS[name].function
    args, kwargs = _converted(sample, lambda a: mg.tensor(a))  # constants: the untracked path
    expected = function(*args, **kwargs)
    target = args[0].clone() if hasattr(args[0], "clone") else mg.tensor(args[0].data.copy())
    version = target._version if hasattr(target, "_version") else None
    if expected.shape != target.shape or not np.can_cast(expected.dtype, target.dtype, "same_kind"):
        with pytest.raises(RuntimeError, match=f"{name}_"):
            getattr(target, name + "_")(*args[1:], **kwargs)
        return
    result = getattr(target, name + "_")(*args[1:], **kwargs)
    assert result is target
    np.testing.assert_allclose(target.data, expected.data.astype(target.dtype), rtol=1e-12, atol=0)
    if version is not None:
        assert target._version == version + 1

    # Recorded: y = x * 1; y.<name>_(...) has the gradient of the out-of-place op.
    if not ROWS[name].differentiable:
        return
    leaves = []

    def leaf(array):
        leaves.append(mg.tensor(array, requires_grad=True))
        return leaves[-1]

    args, kwargs = _converted(sample, leaf)
    if not leaves or leaves[0] is not args[0]:
        return
    y = args[0] * 1
    getattr(y, name + "_")(*args[1:], **kwargs)
    out = function(*args, **kwargs)
    weight = mg.tensor(np.random.default_rng(2).standard_normal(out.shape))
    ours = mg.grad((y * weight).sum(), leaves, allow_unused=True)
    reference = mg.grad((out * weight).sum(), leaves, allow_unused=True)
    for g, r in zip(ours, reference):
        np.testing.assert_allclose(g.data if g is not None else 0, r.data if r is not None else 0,
                                   rtol=1e-10, atol=1e-12, err_msg=f"{name}_: gradient")
