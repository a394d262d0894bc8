"""Layers against PyTorch (weights copied): MLP, BatchNorm1d, LayerNorm, activations, Dropout."""
import re

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import nn

torch = pytest.importorskip("torch")


def copy_weights(ours, theirs):
    """Copy torch's parameters and buffers into ours, name by name."""
    state = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    ours.load_state_dict(state)


def torch_mlp(sizes, activation):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b, dtype=torch.float64))
        if i < len(sizes) - 2:
            layers.append(activation())
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("name, torch_activation", [
    ("relu", torch.nn.ReLU), ("tanh", torch.nn.Tanh), ("sigmoid", torch.nn.Sigmoid),
    ("leaky_relu", torch.nn.LeakyReLU), ("gelu", torch.nn.GELU)])
def test_mlp_outputs_and_parameter_gradients_match_torch(name, torch_activation):
    torch.manual_seed(0)
    theirs = torch_mlp([5, 7, 6, 3], torch_activation)
    ours = nn.MLP(5, [7, 6], 3, activation=name)
    for p in ours.parameters():
        p.data = p.data.astype(np.float64)
    linear = [m for m in theirs if isinstance(m, torch.nn.Linear)]
    for mine, their in zip(ours.layers, linear, strict=True):
        mine.weight.data = their.weight.detach().numpy().copy()
        mine.bias.data = their.bias.detach().numpy().copy()
    x = np.random.default_rng(0).standard_normal((8, 5))
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    out = ours(mg.tensor(x))
    their_out = theirs(torch.tensor(x))
    np.testing.assert_allclose(out.data, their_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    F.cross_entropy(out, mg.tensor(y)).backward()
    torch.nn.functional.cross_entropy(their_out, torch.tensor(y)).backward()
    for mine, their in zip(ours.layers, linear):
        np.testing.assert_allclose(mine.weight.grad.data, their.weight.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(mine.bias.grad.data, their.bias.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_mlp_with_dropout_in_train_mode_matches_torch_given_the_same_masks():
    # nn.MLP(dropout=p) is Linear -> act -> Dropout for each hidden layer, then Linear; its
    # masks are drawn in that order from minigrad's generator, so drawing them first from the
    # same seed gives the ones it will use, and torch applies them where they belong.
    torch.manual_seed(0)
    theirs = torch_mlp([5, 7, 6, 3], torch.nn.Tanh)
    ours = nn.MLP(5, [7, 6], 3, activation="tanh", dropout=0.4)
    linear = [m for m in theirs if isinstance(m, torch.nn.Linear)]
    for mine, their in zip(ours.layers, linear, strict=True):
        mine.weight.data = their.weight.detach().numpy().copy()
        mine.bias.data = their.bias.detach().numpy().copy()
    x = np.random.default_rng(0).standard_normal((8, 5))
    mg.manual_seed(7)
    masks = [F.dropout(mg.ones(8, size, dtype=mg.float64), p=0.4).data for size in (7, 6)]
    assert all((m == 0).any() and (m == 1 / 0.6).any() for m in masks)
    mg.manual_seed(7)
    assert ours.training
    out = ours(mg.tensor(x))
    h = torch.tensor(x)
    for i, layer in enumerate(linear):
        h = layer(h)
        if i < len(masks):
            h = torch.tanh(h) * torch.tensor(masks[i])
    np.testing.assert_allclose(out.data, h.detach().numpy(), rtol=1e-10, atol=1e-12)
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    F.cross_entropy(out, mg.tensor(y)).backward()
    torch.nn.functional.cross_entropy(h, torch.tensor(y)).backward()
    for mine, their in zip(ours.layers, linear):
        np.testing.assert_allclose(mine.weight.grad.data, their.weight.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_sequential_state_dict_loads_into_torch_and_back():
    mg.manual_seed(0)
    ours = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(mg.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    # and back: torch's weights (other ones, freshly drawn) loaded into ours
    torch.manual_seed(1)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(ours(mg.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_linear_init_bounds_match_torch_distribution():
    torch.manual_seed(0)
    mg.manual_seed(0)
    theirs = torch.nn.Linear(256, 128)
    ours = nn.Linear(256, 128)
    bound = 1 / 16  # 1 / sqrt(in_features)
    for mine, their in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
        their = their.detach().numpy()
        assert mine.shape == their.shape and mine.dtype == their.dtype
        assert np.abs(mine.data).max() <= bound and np.abs(their).max() <= bound
        assert mine.data.std() == pytest.approx(their.std(), rel=0.1)
    assert np.abs(ours.weight.data).max() == pytest.approx(np.abs(theirs.weight.detach().numpy()).max(),
                                                           rel=1e-3)


@pytest.mark.parametrize("shape", [(6, 4), (5, 4, 3)])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm1d_train_eval_and_running_stats_match_torch(shape, affine, momentum):
    ours = nn.BatchNorm1d(4, affine=affine, momentum=momentum, dtype=np.float64)
    theirs = torch.nn.BatchNorm1d(4, affine=affine, momentum=momentum, dtype=torch.float64)
    rng = np.random.default_rng(0)
    if affine:
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(rng.uniform(0.5, 2, 4)))
            theirs.bias.copy_(torch.tensor(rng.standard_normal(4)))
        copy_weights(ours, theirs)
    for step in range(3):
        x = rng.standard_normal(shape) * 2 + step
        mine = mg.tensor(x, requires_grad=True)
        their = torch.tensor(x, requires_grad=True)
        out, their_out = ours(mine), theirs(their)
        np.testing.assert_allclose(out.data, their_out.detach().numpy(), rtol=1e-9, atol=1e-12)
        seed = rng.standard_normal(shape)
        (out * mg.tensor(seed)).sum().backward()
        (their_out * torch.tensor(seed)).sum().backward()
        np.testing.assert_allclose(mine.grad.data, their.grad.numpy(), rtol=1e-8, atol=1e-10)
        if affine:
            np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-8)
            np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-8)
            ours.zero_grad()
            theirs.zero_grad()
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].data, value.numpy(), rtol=1e-12, err_msg=key)
    ours.eval()
    theirs.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(ours(mg.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10)


@pytest.mark.parametrize("normalized_shape", [5, (3, 5)])
def test_layernorm_matches_torch(normalized_shape):
    theirs = torch.nn.LayerNorm(normalized_shape, dtype=torch.float64)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(rng.uniform(0.5, 2, theirs.weight.shape)))
        theirs.bias.copy_(torch.tensor(rng.standard_normal(theirs.bias.shape)))
    ours = nn.LayerNorm(normalized_shape, dtype=np.float64)
    copy_weights(ours, theirs)
    x = rng.standard_normal((2, 3, 5)) * 3
    mine, their = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, their_out = ours(mine), theirs(their)
    np.testing.assert_allclose(out.data, their_out.detach().numpy(), rtol=1e-9, atol=1e-12)
    (out * out).sum().backward()
    (their_out * their_out).sum().backward()
    np.testing.assert_allclose(mine.grad.data, their.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-8)
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy(), rtol=1e-8)


@pytest.mark.parametrize("ours, theirs", [
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)), (nn.GELU(), torch.nn.GELU()),
    (nn.GELU("tanh"), torch.nn.GELU("tanh")), (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)), (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()), (nn.ReLU(), torch.nn.ReLU())])
def test_activation_modules_match_torch(ours, theirs):
    x = np.random.default_rng(0).standard_normal((4, 3)) * 2
    np.testing.assert_allclose(ours(mg.tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-9)
    assert repr(ours) == repr(theirs)


def test_dropout_module_semantics_match_torch():
    mg.manual_seed(0)
    torch.manual_seed(0)
    x = np.ones((100, 100), dtype=np.float32)
    ours, theirs = nn.Dropout(0.25), torch.nn.Dropout(0.25)
    mine = ours(mg.tensor(x)).data
    their = theirs(torch.tensor(x)).numpy()
    assert set(np.unique(mine)) == set(np.unique(their)) == {0.0, np.float32(1 / 0.75)}
    assert abs((mine == 0).mean() - (their == 0).mean()) < 0.02
    ours.eval()
    theirs.eval()
    np.testing.assert_array_equal(ours(mg.tensor(x)).data, theirs(torch.tensor(x)).numpy())
    assert repr(ours) == repr(theirs)


def three_layer_sequential(lib):
    return lib.Sequential(lib.Linear(2, 3), lib.ReLU(), lib.Linear(3, 1))


def three_layer_module_list(lib):
    return lib.ModuleList([lib.Linear(2, 3), lib.ReLU(), lib.Linear(3, 1)])


@pytest.mark.parametrize("build", [three_layer_sequential, three_layer_module_list])
def test_container_slices_are_named_as_in_torch(build):
    # torch's Sequential slice keeps the names ('2.weight'); its ModuleList slice renumbers
    ours, theirs = build(nn), build(torch.nn)
    for index in (slice(1, None), slice(None, None, 2), slice(-1, None)):
        assert type(ours[index]) is type(ours)
        assert ([n for n, _ in ours[index].named_parameters()]
                == [n for n, _ in theirs[index].named_parameters()])


@pytest.mark.parametrize("build", [three_layer_sequential, three_layer_module_list])
def test_container_indexing_matches_torch(build):
    ours, theirs = build(nn), build(torch.nn)
    for index in (0, -1, np.int64(1)):
        assert type(ours[index]).__name__ == type(theirs[index]).__name__
    for index in (3, -4):
        with pytest.raises(IndexError) as their_error:
            theirs[index]
        with pytest.raises(IndexError, match=f"^{re.escape(str(their_error.value))}$"):
            ours[index]


def test_module_list_repr_folds_repeated_modules_as_torch():
    def build(lib):
        return lib.ModuleList([lib.Linear(4, 4), lib.Linear(4, 4), lib.Linear(4, 4), lib.ReLU(),
                               lib.Sequential(lib.Tanh(), lib.Tanh()),
                               lib.Sequential(lib.Tanh(), lib.Tanh()), lib.Linear(4, 2)])

    assert repr(build(nn)) == repr(build(torch.nn))
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())


def test_module_reprs_match_torch():
    assert repr(nn.Linear(3, 2)) == repr(torch.nn.Linear(3, 2))
    assert repr(nn.BatchNorm1d(4)) == repr(torch.nn.BatchNorm1d(4))
    assert repr(nn.LayerNorm(4)) == repr(torch.nn.LayerNorm(4))
    assert repr(nn.Flatten()) == repr(torch.nn.Flatten())
    ours = nn.Sequential(nn.Linear(3, 2), nn.Sequential(nn.ReLU(), nn.Linear(2, 2, bias=False)))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 2),
                                 torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 2, bias=False)))
    assert repr(ours) == repr(theirs)
