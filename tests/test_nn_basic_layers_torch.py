"""Identity, Flatten, Unflatten, Dropout, AlphaDropout, Embedding and their functional forms
against PyTorch: outputs and gradients with the weights copied across, reprs, errors; the random
masks, which PyTorch cannot reproduce, by recovering the mask from the output."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import nn
from minigrad import engine

torch = pytest.importorskip("torch")
TF = torch.nn.functional
ALPHA_PRIME = 1.7580993408473766  # SELU's scale * alpha


def test_reprs_are_pytorchs():
    pairs = [(nn.Identity(3, a=1), torch.nn.Identity(3, a=1)), (nn.Flatten(0, 2), torch.nn.Flatten(0, 2)),
             (nn.Unflatten(1, (2, 3)), torch.nn.Unflatten(1, (2, 3))),
             (nn.Dropout(0.2, inplace=True), torch.nn.Dropout(0.2, inplace=True)),
             (nn.AlphaDropout(0.3), torch.nn.AlphaDropout(0.3)),
             (nn.Embedding(10, 3, padding_idx=-2, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True),
              torch.nn.Embedding(10, 3, padding_idx=-2, max_norm=1.0, norm_type=1.0,
                                 scale_grad_by_freq=True))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("make", [lambda lib: lib.Identity(), lambda lib: lib.Flatten(),
                                  lambda lib: lib.Flatten(0, -2), lambda lib: lib.Unflatten(1, (3, -1)),
                                  lambda lib: lib.Unflatten(-1, [2, 2])])
def test_shape_layers_give_pytorchs_outputs_and_gradients(make):
    x = np.random.default_rng(0).normal(size=(2, 6, 4))
    ours_in, theirs_in = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = make(nn)(ours_in), make(torch.nn)(theirs_in)
    assert ours.shape == tuple(theirs.shape)
    weights = np.arange(np.prod(ours.shape), dtype=np.float64).reshape(ours.shape)
    (ours * mg.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(ours_in.grad.data, theirs_in.grad.numpy())


def test_unflatten_argument_errors_are_pytorchs_types():
    for bad in [lambda lib: lib.Unflatten(1, 6), lambda lib: lib.Unflatten(1, (2, 3.0))]:
        with pytest.raises(TypeError):
            bad(torch.nn)
        with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
            bad(nn)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_a_probability_outside_0_1_is_pytorchs_value_error(p):
    for make in (lambda lib: lib.Dropout(p), lambda lib: lib.AlphaDropout(p)):
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got"):
            make(torch.nn)
        with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got"):
            make(nn)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(mg.ones(3), p)


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_keeps_and_scales_as_pytorch_and_its_gradient_is_the_mask(p):
    mg.manual_seed(0)
    x = mg.tensor(np.random.default_rng(1).uniform(1, 2, size=(200, 50)), requires_grad=True)
    out = nn.Dropout(p)(x)
    kept = out.data != 0
    np.testing.assert_allclose(out.data[kept], x.data[kept] / (1 - p))
    assert abs(kept.mean() - (1 - p)) < 0.02
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, kept / (1 - p))
    torch_out = torch.nn.Dropout(p)(torch.tensor(x.data))
    torch_kept = (torch_out != 0).numpy()
    assert abs(kept.mean() - torch_kept.mean()) < 0.03


def test_dropout_in_eval_mode_and_at_p_0_or_1_equals_pytorchs():
    x = np.random.default_rng(2).normal(size=(4, 5)).astype(np.float32)
    for p, training in [(0.5, False), (0.0, True), (1.0, True)]:
        for ours_f, theirs_f in [(F.dropout, TF.dropout), (F.alpha_dropout, TF.alpha_dropout)]:
            np.testing.assert_array_equal(ours_f(mg.tensor(x), p, training).data,
                                          theirs_f(torch.tensor(x), p, training).numpy())
    layer = nn.Dropout(0.9).eval()
    t = mg.tensor(x)
    assert layer(t) is t


def test_inplace_dropout_writes_the_input_bumps_its_version_and_refuses_a_leaf_that_requires_grad():
    mg.manual_seed(3)
    x = mg.tensor(np.ones((50, 40), np.float32))
    before = engine.counter_of(x)[0]
    out = nn.Dropout(0.5, inplace=True)(x)
    assert out is x and engine.counter_of(x)[0] == before + 1
    assert set(np.unique(x.data)) <= {0.0, 2.0} and (x.data == 0).any()
    leaf = mg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        F.dropout(leaf, 0.5, inplace=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
        TF.dropout(torch.ones(3, requires_grad=True), 0.5, inplace=True)


def test_inplace_dropout_on_a_non_leaf_is_recorded_with_the_masks_gradient():
    mg.manual_seed(4)
    x = mg.ones(30, 20, requires_grad=True)
    hidden = x * 3
    F.dropout(hidden, 0.25, inplace=True)
    hidden.sum().backward()
    kept = hidden.data != 0
    np.testing.assert_allclose(x.grad.data, kept * 3 / 0.75, rtol=1e-6)


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_alpha_dropout_is_pytorchs_affine_map_of_the_mask_and_keeps_mean_and_variance(p):
    mg.manual_seed(5)
    x = mg.tensor(np.random.default_rng(6).normal(size=(400, 250)), requires_grad=True)
    out = nn.AlphaDropout(p)(x)
    a = ((1 - p) * (1 + p * ALPHA_PRIME ** 2)) ** -0.5
    b = a * ALPHA_PRIME * p
    dropped = np.isclose(out.data, -a * ALPHA_PRIME + b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.data[~dropped], a * x.data[~dropped] + b, rtol=1e-12)
    assert abs(dropped.mean() - p) < 0.01
    theirs = torch.nn.AlphaDropout(p)(torch.tensor(x.data)).numpy()
    assert out.data.mean() == pytest.approx(theirs.mean(), abs=0.01)
    assert out.data.std() == pytest.approx(theirs.std(), abs=0.01)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.data, np.where(dropped, 0.0, a))
    x.grad = None
    assert nn.AlphaDropout(p).eval()(x) is x and F.alpha_dropout(x, p) is x  # training=False by default


def pair_embedding(**kwargs):
    ours = nn.Embedding(7, 3, **kwargs)
    theirs = torch.nn.Embedding(7, 3, **kwargs).double()
    ours.double()
    theirs.weight.data = torch.tensor(ours.weight.data.copy())
    return ours, theirs


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True}, {"max_norm": 1.0},
                                    {"max_norm": 0.5, "norm_type": 1.0}])
def test_embedding_outputs_and_gradients_equal_pytorchs(kwargs):
    mg.manual_seed(7)
    ours, theirs = pair_embedding(**kwargs)
    indices = np.array([[0, 2, 2, 6], [1, 0, 2, 5]])
    out = ours(mg.tensor(indices))
    their_out = theirs(torch.tensor(indices))
    np.testing.assert_allclose(out.data, their_out.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12)  # max_norm
    weights = np.random.default_rng(8).normal(size=out.shape)
    (out * mg.tensor(weights)).sum().backward()
    (their_out * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12)


def test_embedding_init_is_standard_normal_with_a_zero_padding_row():
    mg.manual_seed(9)
    layer = nn.Embedding(400, 50, padding_idx=3)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    np.testing.assert_array_equal(layer.weight.data[3], 0)
    rest = np.delete(layer.weight.data, 3, axis=0)
    assert abs(rest.mean()) < 0.02 and abs(rest.std() - 1) < 0.02


def test_from_pretrained_freezes_by_default_and_keeps_the_padding_rows_values():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    ours = nn.Embedding.from_pretrained(mg.tensor(table), padding_idx=1)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), padding_idx=1)
    assert repr(ours) == repr(theirs) and ours.weight.requires_grad == theirs.weight.requires_grad is False
    np.testing.assert_array_equal(ours(mg.tensor([1, 3])).data, theirs(torch.tensor([1, 3])).numpy())
    trainable = nn.Embedding.from_pretrained(mg.tensor(table), freeze=False)
    assert trainable.weight.requires_grad
    with pytest.raises(AssertionError, match="Embeddings parameter is expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(mg.zeros(3))


@pytest.mark.parametrize("call,kind", [
    (lambda lib, t, f: f.embedding(t.tensor([1.0]), t.ones(3, 2)), RuntimeError),
    (lambda lib, t, f: f.embedding(t.tensor([5]), t.ones(3, 2)), IndexError),
    (lambda lib, t, f: f.embedding(t.tensor([-1]), t.ones(3, 2)), IndexError),
    (lambda lib, t, f: f.embedding(t.tensor([1]), t.ones(3, 2), padding_idx=3), AssertionError),
    (lambda lib, t, f: lib.Embedding(10, 3, padding_idx=-12), AssertionError),
])
def test_embedding_bad_calls_raise_pytorchs_exception_types(call, kind):
    with pytest.raises(kind):
        call(torch.nn, torch, TF)
    with pytest.raises(kind):
        call(nn, mg, F)


def test_the_looked_up_values_do_not_require_grad_when_the_weight_does_not():
    out = F.embedding(mg.tensor([0, 1]), mg.ones(2, 2))
    assert not out.requires_grad


def test_nn_functional_is_minigrad_functional_by_every_name():
    import importlib

    import minigrad.functional
    import nn.functional as by_path
    from nn import functional as by_from

    assert by_path is by_from is minigrad.functional is nn.functional is mg.nn.functional
    assert importlib.import_module("nn.functional") is minigrad.functional
    assert by_path.embedding is F.embedding and by_path.one_hot is F.one_hot
