"""Losses without PyTorch: gradients by finite differences, closed forms, sanity checks, errors."""
import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F


def x64(*shape, seed=0, scale=1.0):
    data = np.random.default_rng(seed).standard_normal(shape) * scale
    return mg.tensor(data, requires_grad=True)


Y = mg.tensor([0, 2, 1, 2])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradient_passes_gradcheck(reduction):
    assert mg.gradcheck(lambda z: F.cross_entropy(z, Y, reduction=reduction), [x64(4, 3)])


def test_cross_entropy_with_every_option_passes_gradcheck():
    y = mg.tensor([0, -100, 1, 2])
    weight = mg.tensor([1.0, 2.0, 0.5], dtype=mg.float64)
    assert mg.gradcheck(lambda z: F.cross_entropy(z, y, weight=weight, label_smoothing=0.2),
                        [x64(4, 3)])


def test_cross_entropy_probability_targets_pass_gradcheck_in_both_arguments():
    target = mg.tensor(np.random.default_rng(1).dirichlet(np.ones(3), size=4), requires_grad=True)
    assert mg.gradcheck(lambda z, t: F.cross_entropy(z, t, label_smoothing=0.1), [x64(4, 3), target])


def test_cross_entropy_spatial_input_passes_gradcheck():
    y = mg.tensor(np.random.default_rng(0).integers(0, 3, (2, 4)))
    assert mg.gradcheck(lambda z: F.cross_entropy(z, y, reduction="none"), [x64(2, 3, 4)])


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    z = x64(4, 3)
    F.cross_entropy(z, Y).backward()
    exp = np.exp(z.data - z.data.max(axis=1, keepdims=True))  # numpy's softmax, not minigrad's
    expected = (exp / exp.sum(axis=1, keepdims=True) - np.eye(3)[Y.data]) / 4
    np.testing.assert_allclose(z.grad.data, expected, rtol=1e-12)


def test_cross_entropy_is_differentiable_twice():
    z = x64(4, 3)
    assert mg.gradcheck(lambda z: mg.grad(F.cross_entropy(z, Y), z, create_graph=True)[0], [z])


def test_cross_entropy_of_float32_stays_float32():
    z = mg.randn(8, 5, requires_grad=True)
    loss = F.cross_entropy(z, mg.tensor([0, 1, 2, 3, 4, 0, 1, 2]))
    loss.backward()
    assert loss.dtype == np.float32 and z.grad.dtype == np.float32


def test_cross_entropy_with_extreme_logits_is_finite():
    z = mg.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, -1e4]], requires_grad=True)
    loss = F.cross_entropy(z, mg.tensor([1, 1]))
    loss.backward()
    assert math.isfinite(loss.item()) and np.isfinite(z.grad.data).all()
    np.testing.assert_allclose(loss.item(), 2e4 / 2, rtol=1e-6)


def test_uniform_logits_give_log_c_the_notes_sanity_check():
    loss = F.cross_entropy(mg.zeros(5, 10), mg.tensor([0, 1, 2, 3, 9]))
    assert loss.item() == pytest.approx(math.log(10), rel=1e-6)


def test_equal_scores_give_a_hinge_loss_of_c_minus_one():
    loss = F.multiclass_hinge_loss(mg.zeros(4, 10), mg.tensor([0, 3, 5, 9]))
    assert loss.item() == pytest.approx(9.0)


def test_hinge_loss_matches_the_cs231n_worked_example():
    # CS231n's three images: scores per class (cat, car, frog), the right class on the diagonal.
    scores = mg.tensor([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    per_sample = F.multiclass_hinge_loss(scores, mg.tensor([0, 1, 2]), reduction="none")
    np.testing.assert_allclose(per_sample.data, [2.9, 0.0, 12.9], rtol=1e-5)
    assert F.multiclass_hinge_loss(scores, mg.tensor([0, 1, 2])).item() == pytest.approx(5.27, rel=1e-3)
    total = F.multiclass_hinge_loss(scores, mg.tensor([0, 1, 2]), reduction="sum")
    assert total.item() == pytest.approx(15.8, rel=1e-4)


def test_squared_hinge_loss_squares_each_margin():
    scores = mg.tensor([[3.2, 5.1, -1.7]])
    loss = F.multiclass_hinge_loss(scores, mg.tensor([0]), squared=True)
    assert loss.item() == pytest.approx(2.9 ** 2, rel=1e-5)


@pytest.mark.parametrize("squared", [False, True])
def test_hinge_losses_pass_gradcheck(squared):
    assert mg.gradcheck(lambda s: F.multiclass_hinge_loss(s, Y, squared=squared, margin=0.5),
                        [x64(4, 3)])
    assert mg.gradcheck(lambda s: F.multi_margin_loss(s, Y, p=2 if squared else 1), [x64(4, 3)])


def test_nll_and_bce_losses_pass_gradcheck():
    weight = mg.tensor([1.0, 2.0, 0.5], dtype=mg.float64)
    assert mg.gradcheck(lambda x: F.nll_loss(x, mg.tensor([0, -100, 2, 1]), weight=weight), [x64(4, 3)])
    rng = np.random.default_rng(0)
    p = mg.tensor(rng.uniform(0.1, 0.9, (4, 3)), requires_grad=True)
    t = mg.tensor(rng.uniform(0, 1, (4, 3)), requires_grad=True)
    assert mg.gradcheck(F.binary_cross_entropy, [p, t])
    pos_weight = mg.tensor([1.0, 3.0, 0.5], dtype=mg.float64)
    assert mg.gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pos_weight),
                        [x64(4, 3), t])


def test_regression_losses_pass_gradcheck():
    target = x64(4, 3, seed=5)
    assert mg.gradcheck(F.mse_loss, [x64(4, 3), target])
    assert mg.gradcheck(lambda a, b: F.l1_loss(a, b, reduction="sum"), [x64(4, 3), target])


def test_bce_with_logits_at_extreme_logits_is_finite():
    x = mg.tensor([1e4, -1e4, 1e4, -1e4], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, mg.tensor([0.0, 1.0, 1.0, 0.0]))
    loss.backward()
    assert loss.item() == pytest.approx(1e4 / 2)
    np.testing.assert_allclose(x.grad.data, [0.25, -0.25, 0.0, 0.0])


def test_one_hot_encodes_indices_and_infers_the_number_of_classes():
    np.testing.assert_array_equal(F.one_hot(mg.tensor([2, 0])).data, [[0, 0, 1], [1, 0, 0]])
    assert F.one_hot(mg.tensor([1]), num_classes=4).dtype == np.int64


# -- errors ------------------------------------------------------------------------------------
def test_a_target_class_out_of_range_names_the_class_and_the_count():
    with pytest.raises(IndexError, match=r"cross_entropy: target class 3 is out of range for 3 classes"):
        F.cross_entropy(mg.zeros(2, 3), mg.tensor([0, 3]))
    with pytest.raises(IndexError, match=r"multiclass_hinge_loss: target class -1"):
        F.multiclass_hinge_loss(mg.zeros(2, 3), mg.tensor([0, -1]))


def test_a_target_of_the_wrong_shape_names_both_shapes():
    expected = r"cross_entropy: class-index target must have shape \(4,\).*\(4, 3\).*\(2,\)"
    with pytest.raises(ValueError, match=expected):
        F.cross_entropy(mg.zeros(4, 3), mg.tensor([0, 1]))


def test_a_float_target_must_have_the_input_shape():
    with pytest.raises(RuntimeError, match=r"probability targets.*\(4, 3\).*\(4, 2\)"):
        F.cross_entropy(mg.zeros(4, 3), mg.zeros(4, 2))


def test_a_target_of_the_wrong_dtype_is_refused():
    with pytest.raises(RuntimeError, match=r"cross_entropy: target must be class indices.*bool"):
        F.cross_entropy(mg.zeros(2, 3), mg.tensor([True, False]))
    with pytest.raises(RuntimeError, match=r"nll_loss: target must hold integer class indices"):
        F.nll_loss(mg.zeros(2, 3), mg.zeros(2, 3))


@pytest.mark.parametrize("loss, target", [
    (F.cross_entropy, mg.tensor([0, 1])), (F.nll_loss, mg.tensor([0, 1])),
    (F.multi_margin_loss, mg.tensor([0, 1])), (F.multiclass_hinge_loss, mg.tensor([0, 1])),
    (F.binary_cross_entropy, mg.zeros(2, 3)), (F.binary_cross_entropy_with_logits, mg.zeros(2, 3)),
    (F.mse_loss, mg.zeros(2, 3)), (F.l1_loss, mg.zeros(2, 3))])
def test_every_loss_refuses_an_unknown_reduction_naming_itself(loss, target):
    with pytest.raises(ValueError, match=f"{loss.__name__}: reduction must be one of"):
        loss(mg.zeros(2, 3), target, reduction="avg")


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(mg.zeros(2, 3), mg.tensor([0, 1]), reduction="avg")
    with pytest.raises(RuntimeError, match=r"weight must have shape \(3,\)"):
        F.cross_entropy(mg.zeros(2, 3), mg.tensor([0, 1]), weight=mg.ones(2))
    with pytest.raises(RuntimeError, match="probabilities in"):
        F.binary_cross_entropy(mg.tensor([1.5]), mg.tensor([1.0]))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: target of shape \(3, 1\)"):
        F.binary_cross_entropy_with_logits(mg.zeros(3), mg.zeros(3, 1))
    with pytest.raises(ValueError, match="dropout probability"):
        F.dropout(mg.zeros(3), p=1.5)


def test_cross_entropy_spatial_and_probability_targets_are_differentiable_twice():
    y = mg.tensor(np.random.default_rng(0).integers(0, 3, (2, 4)))
    assert mg.gradcheck(lambda z: mg.grad(F.cross_entropy(z, y, label_smoothing=0.1), z,
                                          create_graph=True)[0], [x64(2, 3, 4)])
    target = mg.tensor(np.random.default_rng(1).dirichlet(np.ones(3), size=4))
    assert mg.gradcheck(lambda z: mg.grad(F.cross_entropy(z, target), z, create_graph=True)[0],
                        [x64(4, 3)])


def test_cross_entropy_with_every_target_ignored_is_nan_like_pytorch():
    loss = F.cross_entropy(mg.zeros(2, 3), mg.tensor([-100, -100]))
    assert math.isnan(loss.item())


LOSSES_OF_FLOAT32 = {
    "cross_entropy": lambda z, y: F.cross_entropy(z, y),
    "cross_entropy_options": lambda z, y: F.cross_entropy(z, y, weight=mg.ones(5), label_smoothing=0.1),
    "cross_entropy_probabilities": lambda z, y: F.cross_entropy(z, F.one_hot(y, 5).float()),
    "nll_loss": lambda z, y: F.nll_loss(z, y),
    "multi_margin_loss": lambda z, y: F.multi_margin_loss(z, y, p=2, weight=mg.ones(5)),
    "multiclass_hinge_loss": lambda z, y: F.multiclass_hinge_loss(z, y, squared=True),
    "binary_cross_entropy": lambda z, y: F.binary_cross_entropy(z.sigmoid(), mg.rand(4, 5)),
    "binary_cross_entropy_with_logits": lambda z, y: F.binary_cross_entropy_with_logits(
        z, mg.rand(4, 5), weight=mg.ones(5), pos_weight=mg.ones(5)),
    "mse_loss": lambda z, y: F.mse_loss(z, mg.rand(4, 5)),
    "l1_loss": lambda z, y: F.l1_loss(z, mg.rand(4, 5)),
}


@pytest.mark.parametrize("name", sorted(LOSSES_OF_FLOAT32))
def test_every_loss_of_float32_stays_float32(name):
    z = mg.randn(4, 5, requires_grad=True)
    loss = LOSSES_OF_FLOAT32[name](z, mg.tensor([0, 4, 2, 1]))
    loss.backward()
    assert loss.dtype == np.float32 and z.grad.dtype == np.float32


def test_nn_and_optim_are_reachable_from_minigrad():
    import nn
    assert mg.nn is nn and mg.optim is nn.optim
