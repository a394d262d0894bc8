"""Activations against PyTorch where op_rows' gradchecks cannot look: the gradients at the kinks,
``inplace=`` and ``F.*_`` writing in place, integer inputs, extreme values and bad arguments."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def run(lib, name, points, *args, **kwargs):
    """Values and gradients of ``F.<name>`` at ``points`` (float64)."""
    functional = TF if lib is torch else F
    x = lib.tensor(points, dtype=lib.float64, requires_grad=True)
    y = getattr(functional, name)(x, *args, **kwargs)
    (y * lib.tensor(np.arange(1.0, len(points) + 1))).sum().backward()
    return np.asarray(y.tolist()), np.asarray(x.grad.tolist())


KINKS = {
    "relu": ([0.0], (), {}),
    "leaky_relu": ([0.0], (0.2,), {}),
    "hardtanh": ([-1.0, 1.0], (), {}),
    "hardtanh bounds": ([-2.0, 3.0], (-2.0, 3.0), {}),
    "relu6": ([0.0, 6.0], (), {}),
    "hardsigmoid": ([-3.0, 3.0], (), {}),
    "hardswish": ([-3.0, 3.0], (), {}),
    "elu": ([0.0], (), {"alpha": 2.0}),
    "celu": ([0.0], (), {"alpha": 2.0}),
    "selu": ([0.0], (), {}),
    "threshold": ([1.0], (1.0, 5.0), {}),
    "hardshrink": ([-0.5, 0.5], (), {}),
    "softshrink": ([-0.5, 0.5], (), {}),
    "rrelu": ([0.0, -1.0], (), {}),
    "softplus": ([20.0], (), {}),
    "softsign": ([0.0], (), {}),
}


@pytest.mark.parametrize("case", KINKS)
def test_the_gradient_at_a_kink_is_pytorchs(case):
    points, args, kwargs = KINKS[case]
    name = case.split()[0]
    ours, theirs = run(mg, name, points, *args, **kwargs), run(torch, name, points, *args, **kwargs)
    np.testing.assert_allclose(ours[0], theirs[0], atol=1e-12, err_msg=f"{case}: values")
    np.testing.assert_allclose(ours[1], theirs[1], atol=1e-12, err_msg=f"{case}: gradients")


def test_prelus_gradient_at_zero_is_the_slope_and_the_weights_is_summed():
    grads = []
    for lib, functional in ((torch, TF), (mg, F)):
        x = lib.tensor([[0.0, -1.0, 2.0], [-3.0, 0.0, 1.0]], requires_grad=True)
        w = lib.tensor([0.25, 0.5, 0.75], requires_grad=True)
        functional.prelu(x, w).sum().backward()
        grads.append((np.asarray(x.grad.tolist()), np.asarray(w.grad.tolist())))
    for theirs, ours in zip(*grads):
        np.testing.assert_allclose(ours, theirs)


# ---------------------------------------------------------------------------------------------
# In place
# ---------------------------------------------------------------------------------------------
INPLACE_ARGUMENT = {"relu": (), "elu": (0.5,), "selu": (), "celu": (1.5,), "leaky_relu": (0.1,),
                    "hardtanh": (-0.5, 0.5), "relu6": (), "threshold": (0.2, -1.0), "silu": (),
                    "hardswish": (), "hardsigmoid": (), "mish": (), "rrelu": ()}
UNDERSCORED = {"relu_": (), "elu_": (0.5,), "selu_": (), "celu_": (1.5,), "leaky_relu_": (0.1,),
               "hardtanh_": (-0.5, 0.5), "threshold_": (0.2, -1.0), "rrelu_": ()}
POINTS = [-2.5, -0.7, 0.3, 1.1, 4.0, 7.0]


def _in_place(lib, name, args, underscore):
    """``y = x * 2; F.<name>(y, ..., inplace=True)``: the result, whether it is y, y's version
    change, and x's gradient."""
    functional = TF if lib is torch else F
    x = lib.tensor(POINTS, dtype=lib.float64, requires_grad=True)
    y = x * 2
    version = y._version
    function = getattr(functional, name)
    out = function(y, *args) if underscore else function(y, *args, inplace=True)
    (y * lib.tensor(np.arange(1.0, 7.0))).sum().backward()
    return out is y, y._version - version, np.asarray(y.tolist()), np.asarray(x.grad.tolist())


@pytest.mark.parametrize("name", list(INPLACE_ARGUMENT) + list(UNDERSCORED))
def test_in_place_writes_the_result_into_the_input_and_records_it_as_pytorch(name):
    args = INPLACE_ARGUMENT.get(name, UNDERSCORED.get(name))
    underscore = name.endswith("_")
    ours, theirs = _in_place(mg, name, args, underscore), _in_place(torch, name, args, underscore)
    assert ours[0] and theirs[0], f"{name}: the input itself is returned"
    assert ours[1] >= 1 and theirs[1] >= 1, f"{name}: the version counter moved"
    # (1e-7: PyTorch's hardsigmoid multiplies a float64 gradient by a float32 1/6)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-7, err_msg=f"{name}: values")
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-7, err_msg=f"{name}: gradient")


def test_in_place_on_a_plain_tensor_is_not_recorded():
    x = mg.tensor([-1.0, 2.0])
    assert F.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0] and not x.requires_grad
    assert F.elu_(x) is x and x._version == 2


@pytest.mark.parametrize("name", ["relu_", "elu_", "hardtanh_"])
def test_in_place_on_a_leaf_that_requires_grad_raises_as_pytorch(name):
    with pytest.raises(RuntimeError):
        getattr(TF, name)(torch.ones(2, requires_grad=True))
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(mg.ones(2, requires_grad=True))


def test_an_in_place_activation_through_a_view_reaches_the_base():
    x = mg.tensor([[-1.0, 2.0], [-3.0, 4.0]])
    F.relu_(x[0])
    F.hardtanh(x[1], inplace=True)
    assert x.tolist() == [[0.0, 2.0], [-1.0, 1.0]]


def test_the_out_of_place_form_leaves_its_input_alone():
    x = mg.tensor([-1.0, 2.0])
    for name in INPLACE_ARGUMENT:
        getattr(F, name)(x, *INPLACE_ARGUMENT[name])
    assert x.tolist() == [-1.0, 2.0] and x._version == 0


# ---------------------------------------------------------------------------------------------
# dtypes, extreme values, names
# ---------------------------------------------------------------------------------------------
ALL = ["relu", "relu6", "hardtanh", "elu", "selu", "celu", "silu", "mish", "hardswish", "hardsigmoid",
       "logsigmoid", "softsign", "tanhshrink", "hardshrink", "softshrink", "leaky_relu", "softplus",
       "gelu", "tanhshrink"]


@pytest.mark.parametrize("name", ALL)
def test_an_integer_input_gives_pytorchs_answer(name):
    try:
        theirs = getattr(TF, name)(torch.tensor([1, -7, 8]))
    except NotImplementedError:
        with pytest.raises(NotImplementedError, match=name):
            getattr(F, name)(mg.tensor([1, -7, 8]))
        return
    ours = getattr(F, name)(mg.tensor([1, -7, 8]))
    assert str(ours.dtype) == str(theirs.dtype)[6:]
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ALL + ["softmin", "glu"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_extreme_values_stay_finite_as_pytorchs(name, dtype):
    points = [-1e4, -100.0, -1e-8, 1e-8, 100.0, 1e4]
    kwargs = {"dim": 0} if name in ("softmin", "glu") else {}
    theirs = getattr(TF, name)(torch.tensor(points, dtype=getattr(torch, dtype)), **kwargs)
    ours = getattr(F, name)(mg.tensor(points, dtype=getattr(mg, dtype)), **kwargs)
    assert ours.dtype == theirs.numpy().dtype
    # (atol: values below float32's normal range, 1e-38, differ in their last denormal digits)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6, atol=1e-38, err_msg=name)


def test_elu_keeps_the_digits_of_small_negative_values():
    tiny = [-1e-8, -1e-20]
    np.testing.assert_allclose(F.elu(mg.tensor(tiny)).data, TF.elu(torch.tensor(tiny)).numpy(), rtol=1e-6)
    np.testing.assert_allclose(F.celu(mg.tensor(tiny), 0.5).data, TF.celu(torch.tensor(tiny), 0.5).numpy(),
                               rtol=1e-6)


def test_the_names_are_where_pytorch_has_them():
    x = mg.tensor([-1.0, 0.2, 2.0])
    t = torch.tensor([-1.0, 0.2, 2.0])
    for ours, theirs in [(mg.selu(x), torch.selu(t)), (mg.celu(x), torch.celu(t)),
                         (mg.threshold(x, 0.5, 0.0), torch.threshold(t, 0.5, 0.0)),
                         (x.hardshrink(), t.hardshrink()), (mg.hardshrink(x, 0.3), torch.hardshrink(t, 0.3)),
                         (x.prelu(mg.tensor([0.2])), t.prelu(torch.tensor([0.2]))),
                         (mg.rrelu(x), torch.rrelu(t)), (mg.relu_(x * 1), torch.relu_(t * 1))]:
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


def test_softmin_without_dim_warns_and_picks_pytorchs_dimension():
    for shape in [(3,), (2, 3), (2, 3, 4), (2, 2, 2, 2)]:
        x = np.random.default_rng(0).standard_normal(shape)
        with pytest.warns(UserWarning, match="Implicit dimension"):
            ours = F.softmin(mg.tensor(x))
        with pytest.warns(UserWarning):
            theirs = TF.softmin(torch.tensor(x))
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    assert F.softmin(mg.ones(2, 3), 1, dtype=mg.float64).dtype == np.float64


def test_rrelu_in_training_scales_each_negative_value_by_a_slope_in_its_bounds():
    x = mg.tensor([-1.0] * 1000 + [2.0], requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True, generator=mg.Generator().manual_seed(0))
    slopes = -y.data[:-1]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and np.unique(slopes).size > 100
    assert y.data[-1] == 2.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data[:-1], slopes)  # the gradient is the slope drawn


@pytest.mark.parametrize("call", [
    lambda F, lib: F.hardtanh(lib.ones(2), 2.0, 1.0),
    lambda F, lib: F.celu(lib.ones(2), 0.0),
    lambda F, lib: F.glu(lib.ones(2, 3)),
    lambda F, lib: F.glu(lib.tensor(1.0)),
    lambda F, lib: F.glu(lib.ones(2, 4), 2),
    lambda F, lib: F.prelu(lib.ones(2, 3), lib.tensor([0.1, 0.2])),
    lambda F, lib: F.prelu(lib.tensor([-1.0, 2.0, -3.0]), lib.tensor([0.1, 0.2, 0.3])),
    lambda F, lib: F.prelu(lib.ones(2, 3), lib.ones(1, 3)),
    lambda F, lib: F.prelu(lib.ones(2, 3), 0.5),
    lambda F, lib: F.softshrink(lib.ones(2), -1.0),
    lambda F, lib: F.rrelu(lib.ones(2), 0.5, 0.1),
    lambda F, lib: F.threshold(lib.ones(2), 1.0),
    lambda F, lib: F.elu(lib.tensor([1, 2])),
])
def test_bad_arguments_raise_pytorchs_exception(call):
    with pytest.raises(Exception) as theirs:
        call(TF, torch)
    with pytest.raises(theirs.type):
        call(F, mg)
