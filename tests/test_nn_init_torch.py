"""nn.init against PyTorch's: gains, fans and their errors exactly; the distributions by their
bounds (exact for the uniform ones), moments (fixed seeds, generous tolerances), orthogonality
and sparsity; every function in place, returning its tensor, version-counted, with generator=."""
import math

import numpy as np
import pytest

import minigrad as mg
import nn
from minigrad import engine

torch = pytest.importorskip("torch")


def seeded_generator(seed):
    """An mg.Generator when minigrad has one, else an object with its interface (numpy's
    generator behind ``_rng``), which nn.init accepts."""
    if hasattr(mg, "Generator"):
        return mg.Generator().manual_seed(seed)

    class Stand:
        def __init__(self):
            self._rng = np.random.default_rng(seed)
    return Stand()


@pytest.mark.parametrize("name,param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                        ("tanh", None), ("relu", None), ("leaky_relu", None),
                                        ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu", None)])
def test_calculate_gain_is_pytorchs(name, param):
    assert nn.init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


@pytest.mark.parametrize("call", [lambda init: init.calculate_gain("foo"),
                                  lambda init: init.calculate_gain("leaky_relu", "a")])
def test_calculate_gain_errors_are_pytorchs(call):
    with pytest.raises(ValueError) as mine:
        call(nn.init)
    with pytest.raises(ValueError) as their:
        call(torch.nn.init)
    assert str(mine.value) == str(their.value)


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (2, 3, 2, 2)])
def test_fans_are_pytorchs(shape):
    ours = nn.init._calculate_fan_in_and_fan_out(mg.zeros(*shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))


BAD = [
    ("xavier_uniform_", (3,), {}), ("xavier_normal_", (0,), {}), ("kaiming_uniform_", (4,), {}),
    ("kaiming_normal_", (3, 3), {"mode": "x"}), ("orthogonal_", (3,), {}),
    ("sparse_", (3, 3, 3), {"sparsity": 0.1}),
    ("eye_", (3,), {}), ("dirac_", (3, 3), {}), ("dirac_", (3, 3, 3), {"groups": 2}),
    ("uniform_", (3,), {"a": 2, "b": 1}), ("normal_", (3,), {"std": -1}),
]


@pytest.mark.parametrize("name,shape,kwargs", BAD)
def test_bad_calls_raise_pytorchs_exception(name, shape, kwargs):
    with pytest.raises(Exception) as their:
        getattr(torch.nn.init, name)(torch.zeros(*shape), **kwargs)
    with pytest.raises(type(their.value)) as mine:
        getattr(nn.init, name)(mg.zeros(*shape), **kwargs)
    assert str(mine.value).startswith(str(their.value).split(" (")[0])


@pytest.mark.parametrize("name", ["uniform_", "normal_"])
def test_random_fills_refuse_an_integer_tensor_as_pytorch(name):
    with pytest.raises(NotImplementedError):
        getattr(torch.nn.init, name)(torch.zeros(3, dtype=torch.int64))
    with pytest.raises(NotImplementedError, match="floating"):
        getattr(nn.init, name)(mg.zeros(3, dtype=mg.int64))


def test_a_generator_object_of_another_kind_is_a_type_error():
    with pytest.raises(TypeError, match="generator"):
        nn.init.uniform_(mg.zeros(3), generator=3)


ALL = [("uniform_", (40, 50), {"a": -2.0, "b": 3.0}), ("normal_", (40, 50), {"mean": 1.0, "std": 2.0}),
       ("trunc_normal_", (40, 50), {"std": 2.0, "a": -1.0, "b": 3.0}),
       ("xavier_uniform_", (40, 50), {"gain": 2.0}), ("xavier_normal_", (40, 50), {}),
       ("kaiming_uniform_", (40, 50, 3), {"a": 0.1}), ("kaiming_normal_", (40, 50), {"mode": "fan_out"}),
       ("orthogonal_", (40, 50), {"gain": 1.5}), ("sparse_", (40, 50), {"sparsity": 0.3})]


@pytest.mark.parametrize("name,shape,kwargs", ALL)
def test_each_fills_in_place_returns_it_bumps_its_version_and_obeys_the_generator(name, shape, kwargs):
    weight = nn.Parameter(mg.zeros(*shape))
    array = weight.data
    before = engine.counter_of(weight)[0]
    out = getattr(nn.init, name)(weight, **kwargs, generator=seeded_generator(3))
    assert out is weight and weight.data is array and weight.grad_fn is None and weight.requires_grad
    assert engine.counter_of(weight)[0] > before
    again = getattr(nn.init, name)(mg.zeros(*shape), **kwargs, generator=seeded_generator(3))
    np.testing.assert_array_equal(again.data, weight.data)
    other = getattr(nn.init, name)(mg.zeros(*shape), **kwargs, generator=seeded_generator(4))
    assert not np.array_equal(other.data, weight.data)


def _torch_moments(name, shape, kwargs):
    t = getattr(torch.nn.init, name)(torch.empty(*shape, dtype=torch.float64), **kwargs,
                                     generator=torch.Generator().manual_seed(0))
    return t.numpy()


@pytest.mark.parametrize("name,shape,kwargs", [c for c in ALL if c[0] != "orthogonal_"])
def test_moments_and_bounds_agree_with_pytorchs_distribution(name, shape, kwargs):
    ours = getattr(nn.init, name)(mg.zeros(*shape, dtype=mg.float64), **kwargs,
                                  generator=seeded_generator(0)).data
    theirs = _torch_moments(name, shape, kwargs)
    assert ours.mean() == pytest.approx(theirs.mean(), abs=0.06 * max(theirs.std(), 1e-3) * 3)
    # two independent samples of >= 1,400 values: each std is off by ~2% (1 sigma), their
    # difference by ~2.7%, so 8% is a 3-sigma bound
    assert ours.std() == pytest.approx(theirs.std(), rel=0.08)
    if "uniform" in name or name == "trunc_normal_":
        spread = theirs.std() * 0.05
        assert theirs.min() - spread <= ours.min() and ours.max() <= theirs.max() + spread


def _uniform_bound(name, shape, kwargs):
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    if name == "xavier_uniform_":
        return kwargs.get("gain", 1.0) * math.sqrt(6.0 / (fan_in + fan_out))
    return math.sqrt(3.0) * torch.nn.init.calculate_gain("leaky_relu", kwargs.get("a", 0)) / math.sqrt(fan_in)


@pytest.mark.parametrize("name,shape,kwargs", [c for c in ALL if c[0] in ("xavier_uniform_",
                                                                          "kaiming_uniform_")])
def test_uniform_inits_stay_within_the_exact_bound_and_reach_near_it(name, shape, kwargs):
    bound = _uniform_bound(name, shape, kwargs)
    values = getattr(nn.init, name)(mg.zeros(*shape, dtype=mg.float64), **kwargs).data
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound


def test_trunc_normal_stays_within_a_b_and_warns_as_pytorch_for_a_far_mean():
    values = nn.init.trunc_normal_(mg.zeros(2000, dtype=mg.float64), mean=0.5, std=1.0, a=-0.5, b=1.0).data
    assert values.min() >= -0.5 and values.max() <= 1.0
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        nn.init.trunc_normal_(mg.zeros(10), mean=10.0, a=-2, b=2.0)


@pytest.mark.parametrize("shape,gain", [((5, 8), 1.0), ((8, 5), 2.0), ((4, 2, 3), 0.5)])
def test_orthogonal_gives_orthonormal_rows_or_columns_times_gain(shape, gain):
    q = nn.init.orthogonal_(mg.zeros(*shape, dtype=mg.float64), gain=gain).data.reshape(shape[0], -1)
    small = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
    np.testing.assert_allclose(small, gain ** 2 * np.eye(small.shape[0]), atol=1e-12)


def test_sparse_zeroes_ceil_of_sparsity_times_rows_in_every_column():
    values = nn.init.sparse_(mg.zeros(10, 7), sparsity=0.25, std=0.5).data
    assert ((values == 0).sum(axis=0) == math.ceil(0.25 * 10)).all()
    theirs = torch.nn.init.sparse_(torch.zeros(10, 7), sparsity=0.25, std=0.5)
    assert ((theirs == 0).sum(dim=0) == 3).all()


@pytest.mark.parametrize("name,shape,kwargs", [("eye_", (3, 5), {}), ("dirac_", (4, 2, 3), {}),
                                               ("dirac_", (4, 2, 3, 3), {"groups": 2}),
                                               ("constant_", (2, 3), {"val": 0.25}), ("ones_", (2, 2), {}),
                                               ("zeros_", (3,), {})])
def test_deterministic_fills_equal_pytorchs(name, shape, kwargs):
    ours = getattr(nn.init, name)(mg.full(shape, 7.0), **kwargs)
    theirs = getattr(torch.nn.init, name)(torch.full(shape, 7.0), **kwargs)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_kaiming_on_a_zero_element_tensor_warns_and_does_nothing():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        out = nn.init.kaiming_uniform_(mg.zeros(0, 3))
    assert out.shape == (0, 3)


def test_linear_default_init_has_pytorchs_bounds():
    layer = nn.Linear(300, 20)
    bound = 1 / math.sqrt(300)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound


@pytest.mark.parametrize("mean,std,a,b", [(10.0, 1.0, -2.0, 2.0), (0.0, 1.0, 3.0, 4.0),
                                          (0.0, 1.0, -4.0, -3.0), (0.0, 1.0, -1e-3, 1e-3),
                                          (0.0, 1.0, 0.5, 0.6)])
def test_trunc_normal_matches_pytorchs_moments_for_tails_and_narrow_intervals(mean, std, a, b):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = nn.init.trunc_normal_(mg.zeros(50000, dtype=mg.float64), mean, std, a, b).data
        theirs = torch.nn.init.trunc_normal_(torch.zeros(50000, dtype=torch.float64), mean, std, a, b).numpy()
    assert a <= ours.min() and ours.max() <= b
    assert ours.mean() == pytest.approx(theirs.mean(), abs=4 * theirs.std() / math.sqrt(50000) * 2)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
