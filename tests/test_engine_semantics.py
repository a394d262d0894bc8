"""The autograd contract: accumulation, graph freeing, hooks, grad modes, dtypes, in place, factories."""
import threading

import numpy as np
import pytest

import minigrad as mg


def leaf(values, dtype=mg.float64):
    return mg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# -- accumulation and graph freeing -------------------------------------------------------------
def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad.data, 2 * np.array([1.0, 2.0]) + 3)


def test_a_second_backward_through_a_freed_graph_raises_a_clear_error():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_which_accumulates():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    expected = 2 * (np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])))  # d/dx x e^x = e^x (1 + x), twice
    np.testing.assert_allclose(x.grad.data, expected)


def test_a_shared_subgraph_used_twice_gets_the_sum_of_both_paths():
    x = leaf(3.0)
    h = x * x
    (h * 2 + h.exp()).backward()
    assert x.grad.item() == pytest.approx(2 * 3.0 * (2 + np.exp(9.0)))


# -- hooks and retain_grad -----------------------------------------------------------------------
def test_a_hook_on_a_non_leaf_sees_the_summed_gradient_once():
    x = leaf([1.0, 2.0])
    h = x * 2
    seen = []
    h.register_hook(lambda g: seen.append(g.data.copy()))
    (h * 3 + h * 4).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], [7.0, 7.0])


def test_a_hook_on_a_leaf_sees_the_summed_gradient_once():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.data.copy()))
    (x * 3 + x * 4).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], [7.0, 7.0])


def test_a_hook_may_replace_the_gradient_of_a_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.register_hook(lambda g: g * 10)
    h.sum().backward()
    np.testing.assert_allclose(x.grad.data, [20.0, 20.0])


def test_a_hook_may_replace_the_gradient_of_a_leaf():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: g * 0 + 5)
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.data, [5.0, 5.0])


def test_hooks_run_in_registration_order_each_on_the_previous_result():
    x = leaf([1.0])
    x.register_hook(lambda g: g + 1)
    x.register_hook(lambda g: g * 10)
    x.sum().backward()
    assert x.grad.item() == 20.0


def test_retain_grad_keeps_the_gradient_of_a_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * x
    h.retain_grad()
    (h * 3).sum().backward()
    np.testing.assert_allclose(h.grad.data, [3.0, 3.0])


def test_a_non_leaf_has_no_grad_without_retain_grad():
    x = leaf([1.0, 2.0])
    h = x * x
    (h * 3).sum().backward()
    assert h.grad is None


def test_retain_grad_twice_still_stores_the_gradient_once():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.retain_grad()
    h.retain_grad()
    h.sum().backward()
    np.testing.assert_allclose(h.grad.data, [1.0, 1.0])


def test_retain_grad_sees_the_gradient_after_the_hooks_whatever_the_order():
    # PyTorch runs the retains_grad hook last, so .grad is what flowed on to the inputs.
    x = leaf([1.0, 2.0])
    h = x * 2
    h.retain_grad()
    h.register_hook(lambda g: g * 3)
    h.sum().backward()
    np.testing.assert_allclose(h.grad.data, [3.0, 3.0])
    np.testing.assert_allclose(x.grad.data, [6.0, 6.0])


def test_retain_grad_on_a_leaf_changes_nothing():
    x = leaf([1.0, 2.0])
    x.retain_grad()
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 2.0])


# -- grad modes ----------------------------------------------------------------------------------
def test_no_grad_records_nothing_and_enable_grad_turns_recording_back_on():
    x = leaf([1.0])
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        assert not (x * 2).requires_grad
        with mg.enable_grad():
            assert mg.is_grad_enabled()
            assert (x * 2).requires_grad
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()
    assert (x * 2).requires_grad


def test_no_grad_and_enable_grad_work_as_decorators():
    x = leaf([1.0])

    @mg.no_grad()
    def without():
        return x * 2

    @mg.enable_grad()
    def with_grad():
        return x * 2

    assert not without().requires_grad
    with mg.no_grad():
        assert with_grad().requires_grad
    assert mg.is_grad_enabled()


def test_no_grad_as_a_bare_decorator():
    @mg.no_grad
    def inside():
        return mg.is_grad_enabled()

    assert inside() is False
    assert mg.is_grad_enabled()


def test_set_grad_enabled_as_a_function_a_context_manager_and_a_decorator():
    with mg.set_grad_enabled(False):
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()

    @mg.set_grad_enabled(False)
    def inside():
        return mg.is_grad_enabled()

    assert mg.is_grad_enabled(), "decorating must not switch the mode"
    assert inside() is False
    assert mg.is_grad_enabled()

    try:
        mg.set_grad_enabled(False)
        assert not mg.is_grad_enabled()
    finally:
        mg.set_grad_enabled(True)
    assert mg.is_grad_enabled()


def test_grad_mode_is_per_thread():
    inside_no_grad = threading.Event()
    release = threading.Event()
    seen = {}

    def worker():
        with mg.no_grad():
            inside_no_grad.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    inside_no_grad.wait(5)
    seen["main"] = mg.is_grad_enabled()
    seen["recorded"] = (leaf([1.0]) * 2).requires_grad
    release.set()
    thread.join()
    assert seen == {"main": True, "recorded": True}


def test_backward_under_no_grad_still_computes_gradients():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    with mg.no_grad():
        y.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


# -- leaves, detach, requires_grad_ --------------------------------------------------------------
def test_is_leaf_detach_and_requires_grad_():
    x = mg.tensor([1.0, 2.0])
    assert x.is_leaf and not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2
    assert not y.is_leaf and y.grad_fn is not None
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    np.testing.assert_array_equal(d.data, y.data)
    (d * x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])  # d is a constant: only the direct path


def test_requires_grad_false_turns_a_leaf_into_a_constant():
    x = leaf([1.0]).requires_grad_(False)
    assert not (x * 2).requires_grad


def test_an_integer_tensor_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        mg.tensor([1, 2], requires_grad=True)


# -- mg.grad ------------------------------------------------------------------------------------
def test_mg_grad_takes_a_single_tensor_and_leaves_grad_untouched():
    x = leaf([1.0, 2.0])
    (dx,) = mg.grad((x ** 3).sum(), x)
    np.testing.assert_allclose(dx.data, 3 * np.array([1.0, 2.0]) ** 2)
    assert x.grad is None


def test_mg_grad_with_several_inputs_returns_a_tuple_in_order():
    a, b = leaf(2.0), leaf(5.0)
    result = mg.grad(a * b * b, [b, a])
    assert isinstance(result, tuple)
    assert [g.item() for g in result] == [2 * 2.0 * 5.0, 25.0]


def test_mg_grad_of_an_unused_input_raises_unless_allow_unused():
    x, unused = leaf([1.0]), leaf([1.0])
    with pytest.raises(RuntimeError, match="allow_unused"):
        mg.grad((x * 2).sum(), [x, unused])
    dx, du = mg.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert du is None and dx.item() == 2.0


def test_mg_grad_with_respect_to_a_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 3
    (dh,) = mg.grad((h * h).sum(), h)
    np.testing.assert_allclose(dh.data, 2 * h.data)


def test_mg_grad_returns_independent_writable_tensors():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    da, db = mg.grad((a + b).sum(), [a, b])
    with mg.no_grad():
        da += 1
    np.testing.assert_allclose(da.data, [2.0, 2.0])
    np.testing.assert_allclose(db.data, [1.0, 1.0])


def test_mg_grad_with_create_graph_gives_a_differentiable_gradient():
    x = leaf(2.0)
    (dx,) = mg.grad(x ** 4, x, create_graph=True)
    assert dx.requires_grad
    (d2x,) = mg.grad(dx, x)
    assert (dx.item(), d2x.item()) == (4 * 2.0 ** 3, 12 * 2.0 ** 2)


def test_backward_with_create_graph_leaves_a_differentiable_grad():
    x = leaf(3.0)
    (x ** 3).backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.item() == 27.0
    x.grad = None
    g.backward()
    assert x.grad.item() == 18.0  # d/dx 3x^2 = 6x


def test_mg_grad_with_grad_outputs_weights_a_non_scalar_output():
    x = leaf([1.0, 2.0])
    (dx,) = mg.grad(x * x, x, grad_outputs=mg.tensor(np.array([1.0, 10.0])))
    np.testing.assert_allclose(dx.data, [2.0, 40.0])


# -- anomaly detection -------------------------------------------------------------------------
def test_detect_anomaly_names_the_op_producing_nan_in_forward():
    x = leaf([-1.0, 4.0])
    with mg.detect_anomaly(), pytest.raises(RuntimeError, match="forward of 'sqrt'.*nan"):
        with np.errstate(invalid="ignore"):
            (x * 1).sqrt()


def test_detect_anomaly_names_the_op_producing_inf_in_backward():
    x = leaf([0.0, 4.0])
    with mg.detect_anomaly():
        y = x.sqrt().sum()  # finite forward: sqrt(0) = 0
        with pytest.raises(RuntimeError, match="backward of 'sqrt'.*inf"), np.errstate(divide="ignore"):
            y.backward()


def test_without_detect_anomaly_nan_passes_silently():
    x = leaf([-1.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.sqrt().item())


# -- dtypes ------------------------------------------------------------------------------------
def test_dtype_inference_follows_pytorch():
    assert mg.tensor([1.0, 2.0]).dtype == np.float32
    assert mg.tensor([1, 2]).dtype == np.int64
    assert mg.tensor([True]).dtype == np.bool_
    assert mg.tensor(np.array([1.0, 2.0])).dtype == np.float64
    assert mg.tensor(np.array([1.0], dtype=np.float32)).dtype == np.float32
    assert mg.tensor([1, 2], dtype=mg.float64).dtype == np.float64


def test_python_scalars_never_promote_float32():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = ((x * 2.5 + 1) / 3) ** 2 - 0.5 ** x + 1e-30 - (2 / (x + 1)) + x.exp() * np.float64(2.0)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_results_keep_the_float_dtype_through_every_op_family(dtype):
    x = mg.tensor(np.linspace(0.1, 1.0, 12, dtype=dtype).reshape(3, 4), requires_grad=True)
    y = x.tanh().sigmoid().log().exp().sqrt().relu().abs().clamp(0, 1)
    y = (y @ x.T).softmax(1).log_softmax(0).logsumexp(1) + x.var(1) + x.amax(1) + x.mean(1)
    y = mg.cat([y, x[0]]).reshape(1, -1).squeeze() * mg.maximum(x, 0.5).sum()
    assert y.dtype == dtype
    y.sum().backward()
    assert x.grad.dtype == dtype


def test_integer_operands_with_a_float_scalar_give_float32_like_pytorch():
    ints = mg.tensor([1, 2])
    assert (ints * 2.5).dtype == np.float32
    assert (ints + 0.5).dtype == np.float32
    assert (ints / 2).dtype == np.float32
    assert (ints * 2).dtype == np.int64


def test_cast_changes_the_dtype_and_sends_the_gradient_back_in_the_source_dtype():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.requires_grad and not y.is_leaf
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])
    assert y.float().dtype == np.float32


# -- in place -----------------------------------------------------------------------------------
def test_inplace_add_in_the_middle_of_a_graph():
    x = leaf([1.0, 2.0])
    c = x * 3
    c += c + 1  # c = 2 * (3x) + 1
    c *= x      # c = 6x^2 + x
    c.sum().backward()
    np.testing.assert_allclose(x.grad.data, 12 * np.array([1.0, 2.0]) + 1)


def test_inplace_on_a_leaf_that_requires_grad_raises():
    x = leaf([1.0, 2.0])
    for op in ("__iadd__", "__isub__", "__imul__"):
        with pytest.raises(RuntimeError, match="in-place .*leaf.*requires grad"):
            getattr(x, op)(1.0)
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_inplace_update_of_a_leaf_under_no_grad_works_in_place():
    p = leaf([1.0, 2.0])
    (p * p).sum().backward()
    before = p.data
    with mg.no_grad():
        p -= 0.1 * p.grad
    assert p.data is before and p.is_leaf and p.requires_grad
    np.testing.assert_allclose(p.data, [0.8, 1.6])


# -- comparisons and shape conveniences ---------------------------------------------------------
def test_comparisons_return_bool_tensors_that_do_not_require_grad():
    x = leaf([1.0, 2.0, 3.0])
    results = (x > 2, x >= 2, x < 2, x <= 2, x == 2, x != 2, (x > 1) & (x < 3), (x > 2) | (x < 2), ~(x > 2))
    for result in results:
        assert result.dtype == np.bool_ and not result.requires_grad
    np.testing.assert_array_equal((x > 1.5).data, [False, True, True])


def test_max_along_a_dim_returns_a_named_tuple():
    x = mg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    result = x.max(1)
    values, indices = result
    assert result.values is values and result.indices is indices
    np.testing.assert_array_equal(values.data, [5.0, 7.0])
    np.testing.assert_array_equal(indices.data, [1, 0])
    assert indices.dtype == np.int64
    low = x.min(dim=0, keepdim=True)
    np.testing.assert_array_equal(low.values.data, [[1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(low.indices.data, [[0, 1, 0]])


def test_max_without_dim_is_a_full_reduction():
    assert mg.tensor([[1.0, 5.0], [7.0, 0.0]]).max().item() == 7.0
    assert mg.tensor([[1.0, 5.0], [7.0, 0.0]]).min().item() == 0.0


def test_squeeze_of_a_dim_longer_than_one_does_nothing():
    x = mg.zeros(2, 1, 3)
    assert x.squeeze(0).shape == (2, 1, 3)
    assert x.squeeze(1).shape == (2, 3)
    assert x.squeeze().shape == (2, 3)


def test_expand_with_minus_one_keeps_that_dim():
    assert mg.zeros(3, 1).expand(-1, 4).shape == (3, 4)
    assert mg.zeros(3, 1).expand(2, -1, 5).shape == (2, 3, 5)


def test_shapes_as_arguments_or_as_one_tuple():
    x = mg.arange(6)
    assert x.reshape(2, 3).shape == x.reshape((2, 3)).shape == (2, 3)
    assert x.view(3, 2).shape == x.view((3, 2)).shape == (3, 2)
    assert x.reshape(2, 3).permute(1, 0).shape == x.reshape(2, 3).permute((1, 0)).shape == (3, 2)
    assert mg.zeros(2, 3).shape == mg.zeros((2, 3)).shape == (2, 3)
    assert mg.ones(2, 3).shape == mg.ones([2, 3]).shape == (2, 3)
    assert mg.randn(2, 3).shape == mg.randn((2, 3)).shape == (2, 3)
    assert mg.zeros(1, 3).expand(2, 3).shape == mg.zeros(1, 3).expand((2, 3)).shape


# -- factories --------------------------------------------------------------------------------
def test_factories_make_pytorchs_shapes_dtypes_and_values():
    assert mg.zeros(2, 3).dtype == np.float32 and not mg.zeros(2).data.any()
    assert (mg.ones(2, dtype=mg.float64).data == 1).all() and mg.ones(2, dtype=mg.float64).dtype == np.float64
    full = mg.full((2, 2), 1.5)
    assert full.dtype == np.float32 and (full.data == 1.5).all()
    assert mg.full((2,), 3).dtype == np.int64
    np.testing.assert_array_equal(mg.arange(4).data, [0, 1, 2, 3])
    assert mg.arange(4).dtype == np.int64
    assert mg.arange(0, 1, 0.25).dtype == np.float32 and mg.arange(0, 1, 0.25).shape == (4,)
    np.testing.assert_array_equal(mg.arange(1, 7, 2).data, [1, 3, 5])
    np.testing.assert_array_equal(mg.eye(3).data, np.eye(3))
    assert mg.eye(2, 3).shape == (2, 3)
    base = mg.tensor(np.ones((2, 3)))
    assert mg.zeros_like(base).dtype == np.float64 and mg.zeros_like(base).shape == (2, 3)
    assert (mg.ones_like(base).data == 1).all()
    assert mg.zeros(2, requires_grad=True).requires_grad
    assert mg.randn(3, 4).dtype == np.float32 and mg.rand(5).dtype == np.float32
    r = mg.rand(1000).data
    assert r.min() >= 0 and r.max() < 1


def test_manual_seed_makes_random_factories_reproducible():
    mg.manual_seed(123)
    first = (mg.randn(3, 4).data, mg.rand(5).data)
    mg.manual_seed(123)
    second = (mg.randn(3, 4).data, mg.rand(5).data)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    mg.manual_seed(124)
    assert not np.array_equal(mg.randn(3, 4).data, first[0])


def test_tensor_copies_its_data():
    array = np.array([1.0, 2.0])
    t = mg.tensor(array)
    array[0] = 5.0
    assert t.data[0] == 1.0


def test_item_numpy_numel_and_grad_fn_name():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    assert x.numel() == 4 and x.ndim == 2 and x.shape == (2, 2)
    assert isinstance(x.numpy(), np.ndarray)
    assert x.sum().item() == 10.0
    assert (x * 2).grad_fn.name == "mul"


@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "tanh", "sigmoid"])
def test_float_functions_of_an_integer_tensor_give_float32_like_pytorch(op):
    result = getattr(mg.tensor([1, 2]), op)()
    assert result.dtype == np.float32
    np.testing.assert_allclose(result.data, getattr(mg.tensor([1.0, 2.0]), op)().data)


@pytest.mark.parametrize("op", ["sum", "mean", "amax", "amin", "logsumexp", "var"])
def test_an_empty_dim_tuple_reduces_every_dimension_like_pytorch(op):
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(getattr(x, op)(()).data, getattr(x, op)().data)
    assert getattr(x, op)(()).shape == ()


def test_squeeze_of_an_empty_dim_tuple_squeezes_nothing():
    assert mg.zeros(2, 1, 3).squeeze(()).shape == (2, 1, 3)


def test_retain_grad_follows_a_tensor_through_an_inplace_op():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.retain_grad()
    h *= 3
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.data, 2 * h.data)  # d/dh h^2 of the new h
    np.testing.assert_allclose(x.grad.data, 2 * 36 * np.array([1.0, 2.0]))  # d/dx (6x)^2 = 72x


def test_changing_a_saved_constant_in_place_makes_backward_raise():
    # w * c saves c for backward; changing c in place afterwards makes the gradient it would
    # give wrong, so backward refuses, naming the op and both versions (as PyTorch does).
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([3.0, 4.0])
    y = (w * c).sum()
    c[0] = -1.0
    c += 10.0
    np.testing.assert_array_equal(c.data, [9.0, 14.0])
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: its input 1.*"
                                           r"shape \(2,\).*'mul', is at version 2; expected version 0"):
        y.backward()


def test_item_assignment_under_no_grad_is_truly_in_place():
    t = mg.zeros(3)
    alias = t.data
    with mg.no_grad():
        t[1] = 5.0
    np.testing.assert_array_equal(alias, [0.0, 5.0, 0.0])
