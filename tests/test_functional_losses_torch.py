"""Every loss of minigrad.functional against PyTorch: values and gradients, each reduction."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

REDUCTIONS = ["mean", "sum", "none"]


def run_both(mg_fn, torch_fn, *arrays, grad_of=(0,), create_graph=False, rtol=1e-9):
    """Value and gradients (w.r.t. the arrays at ``grad_of``) from both libraries, float64.
    ``create_graph=True`` makes minigrad's gradient with Tensor operations (the backward rules'
    differentiable branch) instead of on arrays."""
    mg_inputs = [mg.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    torch_inputs = [torch.tensor(a, requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    mg_out = mg_fn(*mg_inputs)
    torch_out = torch_fn(*torch_inputs)
    seed = np.random.default_rng(1).standard_normal(torch_out.shape)
    (mg_out * mg.tensor(seed)).sum().backward(create_graph=create_graph)
    (torch_out * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(mg_out.data, torch_out.detach().numpy(), rtol=rtol, atol=1e-10)
    for i in grad_of:
        np.testing.assert_allclose(mg_inputs[i].grad.data, torch_inputs[i].grad.numpy(),
                                   rtol=rtol, atol=1e-10)


def logits(*shape, scale=1.0, seed=0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


def labels(n, classes, seed=0):
    return np.random.default_rng(seed).integers(0, classes, n).astype(np.int64)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_class_indices_matches_torch(reduction):
    run_both(lambda z, y: F.cross_entropy(z, y, reduction=reduction),
             lambda z, y: TF.cross_entropy(z, y, reduction=reduction),
             logits(6, 4), labels(6, 4))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_with_weight_ignore_index_and_smoothing_matches_torch(reduction, smoothing):
    y = labels(8, 5)
    y[[1, 4]] = -100
    weight = np.array([0.5, 1.0, 2.0, 0.1, 3.0])
    run_both(lambda z, t: F.cross_entropy(z, t, weight=mg.tensor(weight), reduction=reduction,
                                          label_smoothing=smoothing),
             lambda z, t: TF.cross_entropy(z, t, weight=torch.tensor(weight), reduction=reduction,
                                           label_smoothing=smoothing),
             logits(8, 5), y)


def test_cross_entropy_with_custom_ignore_index_matches_torch():
    y = labels(6, 3)
    y[2] = 1
    run_both(lambda z, t: F.cross_entropy(z, t, ignore_index=1),
             lambda z, t: TF.cross_entropy(z, t, ignore_index=1), logits(6, 3), y)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_with_probability_targets_matches_torch(reduction, smoothing, weighted):
    target = np.random.default_rng(3).dirichlet(np.ones(4), size=5)
    weight = np.array([1.0, 0.5, 2.0, 1.5]) if weighted else None

    def ours(z, t):
        return F.cross_entropy(z, t, weight=None if weight is None else mg.tensor(weight),
                               reduction=reduction, label_smoothing=smoothing)

    def theirs(z, t):
        return TF.cross_entropy(z, t, weight=None if weight is None else torch.tensor(weight),
                                reduction=reduction, label_smoothing=smoothing)

    run_both(ours, theirs, logits(5, 4), target, grad_of=(0, 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_on_spatial_input_matches_torch(reduction):
    y = np.random.default_rng(0).integers(0, 3, (2, 4, 5)).astype(np.int64)
    y[0, 1, 2] = -100
    run_both(lambda z, t: F.cross_entropy(z, t, reduction=reduction, label_smoothing=0.1),
             lambda z, t: TF.cross_entropy(z, t, reduction=reduction, label_smoothing=0.1),
             logits(2, 3, 4, 5), y)


def test_cross_entropy_on_spatial_probability_targets_matches_torch():
    target = np.random.default_rng(0).dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1)
    run_both(F.cross_entropy, TF.cross_entropy, logits(2, 3, 4), np.ascontiguousarray(target))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_on_a_single_unbatched_sample_matches_torch(reduction):
    run_both(lambda z, t: F.cross_entropy(z, t, reduction=reduction),
             lambda z, t: TF.cross_entropy(z, t, reduction=reduction),
             logits(4), np.array(2, dtype=np.int64))


def test_cross_entropy_at_extreme_logits_is_finite_and_matches_torch():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [1e4, 1e4, -1e4]])
    y = np.array([1, 2, 0])
    run_both(F.cross_entropy, TF.cross_entropy, z, y)
    loss = F.cross_entropy(mg.tensor(z.astype(np.float32), requires_grad=True), mg.tensor(y))
    assert np.isfinite(loss.item())


def test_cross_entropy_in_float32_matches_torch_in_float32():
    z = logits(16, 10, scale=3).astype(np.float32)
    y = labels(16, 10)
    ours = mg.tensor(z, requires_grad=True)
    theirs = torch.tensor(z, requires_grad=True)
    a = F.cross_entropy(ours, mg.tensor(y))
    b = TF.cross_entropy(theirs, torch.tensor(y))
    a.backward()
    b.backward()
    assert a.dtype == np.float32 and ours.grad.dtype == np.float32
    np.testing.assert_allclose(a.item(), b.item(), rtol=1e-6)
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_second_derivative_matches_torch(reduction):
    z = logits(3, 4)
    y = labels(3, 4)
    ours = mg.tensor(z, requires_grad=True)
    theirs = torch.tensor(z, requires_grad=True)
    (g,) = mg.grad(F.cross_entropy(ours, mg.tensor(y), reduction=reduction, label_smoothing=0.1).sum(),
                   ours, create_graph=True)
    (tg,) = torch.autograd.grad(TF.cross_entropy(theirs, torch.tensor(y), reduction=reduction,
                                                 label_smoothing=0.1).sum(), theirs, create_graph=True)
    (g * g).sum().backward()
    (tg * tg).sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_with_weight_and_ignore_index_matches_torch(reduction):
    y = labels(7, 4)
    y[3] = -100
    weight = np.array([1.0, 2.0, 0.5, 1.5])
    log_probs = np.log(np.random.default_rng(0).dirichlet(np.ones(4), size=7))
    run_both(lambda x, t: F.nll_loss(x, t, weight=mg.tensor(weight), reduction=reduction),
             lambda x, t: TF.nll_loss(x, t, weight=torch.tensor(weight), reduction=reduction),
             log_probs, y)


def test_cross_entropy_equals_log_softmax_then_nll_loss():
    z, y = mg.tensor(logits(5, 3)), mg.tensor(labels(5, 3))
    np.testing.assert_allclose(F.cross_entropy(z, y).item(),
                               F.nll_loss(F.log_softmax(z, 1), y).item(), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_multi_margin_loss_matches_torch(reduction, p, weighted):
    weight = np.array([1.0, 0.5, 2.0, 3.0]) if weighted else None
    z = logits(6, 4, scale=0.7)

    def ours(x, t):
        return F.multi_margin_loss(x, t, p=p, margin=0.8, reduction=reduction,
                                   weight=None if weight is None else mg.tensor(weight))

    def theirs(x, t):
        return TF.multi_margin_loss(x, t, p=p, margin=0.8, reduction=reduction,
                                    weight=None if weight is None else torch.tensor(weight))

    run_both(ours, theirs, z, labels(6, 4))


def test_multiclass_hinge_loss_is_multi_margin_loss_times_the_number_of_classes():
    z, y = logits(6, 5), labels(6, 5)
    theirs = TF.multi_margin_loss(torch.tensor(z), torch.tensor(y), reduction="none").numpy() * 5
    np.testing.assert_allclose(F.multiclass_hinge_loss(mg.tensor(z), mg.tensor(y), reduction="none").data,
                               theirs, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_matches_torch(reduction, weighted):
    rng = np.random.default_rng(0)
    p = rng.uniform(0.02, 0.98, (4, 3))
    t = rng.uniform(0, 1, (4, 3))
    weight = rng.uniform(0.5, 2, (4, 3)) if weighted else None

    def ours(x, y):
        return F.binary_cross_entropy(x, y, None if weight is None else mg.tensor(weight),
                                      reduction=reduction)

    def theirs(x, y):
        return TF.binary_cross_entropy(x, y, None if weight is None else torch.tensor(weight),
                                       reduction=reduction)

    run_both(ours, theirs, p, t, grad_of=(0, 1))


# Probabilities at and near the edges, where PyTorch's clamps act: each log is clamped at -100
# (p = 0, p = 1, p = 1e-50, 1e-300), the gradient's denominator p (1 - p) at 1e-12 (every p
# within 1e-12 of 0 or 1); targets at both ends and in between.
EDGE_P, EDGE_T = np.meshgrid([0.0, 1e-300, 1e-50, 1e-15, 0.5, 1 - 2 ** -52, 1.0], [0.0, 0.3, 1.0],
                             indexing="ij")
UNCLAMPED_LOGS = slice(3, 6)  # the rows of EDGE_P where log p and log(1 - p) are above -100


def bce_pair(reduction, weighted, rows=slice(None)):
    """minigrad's and PyTorch's binary_cross_entropy over EDGE_P[rows], weighted or not."""
    weight = np.random.default_rng(2).uniform(0.5, 2.0, EDGE_P.shape)[rows] if weighted else None

    def ours(p, t):
        return F.binary_cross_entropy(p, t, None if weight is None else mg.tensor(weight),
                                      reduction=reduction)

    def theirs(p, t):
        return TF.binary_cross_entropy(p, t, None if weight is None else torch.tensor(weight),
                                       reduction=reduction)
    return ours, theirs


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_at_and_near_0_and_1_matches_torch(reduction, weighted, create_graph):
    # The value, and the gradient in p, (p - t) / max(p (1 - p), 1e-12): -1e12, not -inf, at
    # p = 0, t = 1.  PyTorch's 1e-12 is rounded to float32 even in float64 (9.99999996e-13), so
    # where that clamp acts the two differ by 4e-9 relative; without it they would differ by far.
    run_both(*bce_pair(reduction, weighted), EDGE_P, EDGE_T, grad_of=(0,), create_graph=create_graph,
             rtol=1e-8)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_target_gradient_is_the_derivative_of_the_clamped_loss(
        reduction, weighted, create_graph):
    # The loss is linear in t, t L(1) + (1 - t) L(0), so its derivative in t is L(1) - L(0) with
    # the clamped logs of the value, which PyTorch pins.  PyTorch's own backward departs from it
    # where a clamp acts (+-inf at p = 0 and 1, 115 at p = 1e-50); where none acts, both agree.
    ours = bce_pair(reduction, weighted)[0]
    per_element = bce_pair("none", weighted)[1]
    p = torch.tensor(EDGE_P)
    expected = (per_element(p, torch.ones_like(p)) - per_element(p, torch.zeros_like(p))).numpy()
    if reduction == "mean":
        expected = expected / EDGE_P.size
    t = mg.tensor(EDGE_T, requires_grad=True)
    ours(mg.tensor(EDGE_P), t).sum().backward(create_graph=create_graph)
    np.testing.assert_allclose(t.grad.data, expected, rtol=1e-12, atol=1e-12)
    run_both(*bce_pair(reduction, weighted, UNCLAMPED_LOGS), EDGE_P[UNCLAMPED_LOGS],
             EDGE_T[UNCLAMPED_LOGS], grad_of=(1,), create_graph=create_graph)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_pos_weight", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_with_logits_matches_torch(reduction, with_pos_weight, weighted):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3)) * 3
    x[0] = [1e4, -1e4, 0.0]
    t = rng.uniform(0, 1, (5, 3))
    pos_weight = np.array([0.5, 2.0, 3.0]) if with_pos_weight else None
    weight = rng.uniform(0.5, 2, (5, 3)) if weighted else None

    def ours(a, b):
        return F.binary_cross_entropy_with_logits(
            a, b, None if weight is None else mg.tensor(weight), reduction=reduction,
            pos_weight=None if pos_weight is None else mg.tensor(pos_weight))

    def theirs(a, b):
        return TF.binary_cross_entropy_with_logits(
            a, b, None if weight is None else torch.tensor(weight), reduction=reduction,
            pos_weight=None if pos_weight is None else torch.tensor(pos_weight))

    run_both(ours, theirs, x, t, grad_of=(0, 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_regression_losses_match_torch(reduction, name):
    run_both(lambda a, b: getattr(F, name)(a, b, reduction=reduction),
             lambda a, b: getattr(TF, name)(a, b, reduction=reduction),
             logits(4, 3), logits(4, 3, seed=1), grad_of=(0, 1))


def test_loss_modules_match_torch_modules():
    z, y = logits(6, 4), labels(6, 4)
    weight = np.array([1.0, 2.0, 0.5, 1.0])
    import nn
    pairs = [
        (nn.CrossEntropyLoss(weight=mg.tensor(weight), label_smoothing=0.1),
         torch.nn.CrossEntropyLoss(weight=torch.tensor(weight), label_smoothing=0.1), z, y),
        (nn.NLLLoss(reduction="sum"), torch.nn.NLLLoss(reduction="sum"), z, y),
        (nn.MultiMarginLoss(p=2), torch.nn.MultiMarginLoss(p=2), z, y),
        (nn.MSELoss(), torch.nn.MSELoss(), z, logits(6, 4, seed=2)),
        (nn.L1Loss(), torch.nn.L1Loss(), z, logits(6, 4, seed=2)),
        (nn.BCELoss(), torch.nn.BCELoss(), 1 / (1 + np.exp(-z)), np.ones_like(z) * 0.3),
        (nn.BCEWithLogitsLoss(pos_weight=mg.tensor(weight)),
         torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(weight)), z, np.ones_like(z) * 0.3),
    ]
    for ours, theirs, a, b in pairs:
        value = ours(mg.tensor(a), mg.tensor(b)).item()
        np.testing.assert_allclose(value, theirs(torch.tensor(a), torch.tensor(b)).item(),
                                   rtol=1e-10, err_msg=type(ours).__name__)


def test_dropout_keeps_the_expected_value_like_torch():
    mg.manual_seed(0)
    x = mg.ones(200, 200)
    out = F.dropout(x, p=0.3)
    kept = out.data[out.data != 0]
    np.testing.assert_allclose(kept, 1 / 0.7, rtol=1e-6)
    assert abs((out.data == 0).mean() - 0.3) < 0.01
    assert abs(out.data.mean() - 1.0) < 0.02
    assert F.dropout(x, p=0.3, training=False) is x
