"""The loss modules of ``nn`` against ``torch.nn``'s, constructed with each option; every option
combination of CrossEntropyLoss; bad calls, broadcasting and the deprecated ``size_average`` /
``reduce`` as PyTorch has them.  Values and gradients in float64."""
import itertools
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def rng(seed=0):
    return np.random.default_rng(seed)


def both(array, grad=True):
    """The same array as a minigrad and a PyTorch tensor (float arrays require grad)."""
    grad = grad and array.dtype.kind == "f"
    return mg.tensor(array, requires_grad=grad), torch.tensor(array, requires_grad=grad)


def compare(ours, theirs, arrays, rtol=1e-9, atol=1e-12, constants=()):
    """Run ``ours`` and ``theirs`` on the arrays; the values and every float input's gradient
    (through a random projection of the output) must agree.  The arrays at ``constants`` do not
    require grad (targets PyTorch does not differentiate)."""
    pairs = [both(a, grad=i not in constants) for i, a in enumerate(arrays)]
    mine = ours(*(p[0] for p in pairs))
    reference = theirs(*(p[1] for p in pairs))
    expected = reference.detach().numpy()
    assert mine.shape == expected.shape and mine.dtype == expected.dtype
    np.testing.assert_allclose(mine.data, expected, rtol=rtol, atol=atol, equal_nan=True)
    seed = rng(7).standard_normal(expected.shape)
    leaves = [p for p in pairs if p[1].requires_grad]
    if not leaves or not reference.requires_grad:
        return
    our_grads = mg.grad((mine * mg.tensor(seed)).sum(), [p[0] for p in leaves], allow_unused=True)
    their_grads = torch.autograd.grad((reference * torch.tensor(seed)).sum(), [p[1] for p in leaves],
                                      allow_unused=True)
    for i, (g, t) in enumerate(zip(our_grads, their_grads)):
        want = np.zeros(leaves[i][1].shape) if t is None else t.numpy()
        got = np.zeros(leaves[i][0].shape) if g is None else g.data
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=f"gradient of input {i}")


# ---------------------------------------------------------------------------------------------
# CrossEntropyLoss: every combination of its options
# ---------------------------------------------------------------------------------------------
CE_SHAPES = [(5, 4), (3, 4, 2, 3), (4,)]
CE_IGNORE = ["default", "present -100", "class 1"]


def ce_case(shape, ignore, soft, seed):
    classes = shape[1] if len(shape) > 1 else shape[0]
    target_shape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    z = rng(seed).standard_normal(shape) * 2
    if soft:
        p = np.exp(rng(seed + 1).standard_normal(shape))
        return z, p / p.sum(axis=1 if len(shape) > 1 else 0, keepdims=True), {}
    y = rng(seed + 1).integers(0, classes, target_shape)
    kwargs = {}
    if ignore == "present -100":
        y.flat[0] = -100
    elif ignore == "class 1":
        y.flat[0] = 1
        kwargs["ignore_index"] = 1
    return z, y, kwargs


@pytest.mark.parametrize("shape", CE_SHAPES, ids=str)
@pytest.mark.parametrize("soft", [False, True], ids=["indices", "probabilities"])
def test_cross_entropy_loss_matches_pytorch_for_every_option_combination(shape, soft):
    classes = shape[1] if len(shape) > 1 else shape[0]
    weight = rng(3).uniform(0.3, 2.0, classes)
    combos = itertools.product([None, weight], CE_IGNORE, [0.0, 0.2], ["mean", "sum", "none"])
    for n, (w, ignore, smoothing, reduction) in enumerate(combos):
        if soft and ignore != "default":
            continue  # PyTorch refuses ignore_index with probability targets: see BAD_CALLS
        z, t, kwargs = ce_case(shape, ignore, soft, seed=n)
        options = dict(kwargs, label_smoothing=smoothing, reduction=reduction)
        ours = nn.CrossEntropyLoss(weight=None if w is None else mg.tensor(w), **options)
        theirs = torch.nn.CrossEntropyLoss(weight=None if w is None else torch.tensor(w), **options)
        try:
            compare(ours, theirs, [z, t])
        except AssertionError as error:
            raise AssertionError(f"weight={w is not None}, {ignore}, {options}: {error}") from None


def test_cross_entropy_in_float32_keeps_float32_like_pytorch():
    z, y, _ = ce_case((4, 3, 2), "present -100", False, 0)
    w = rng(1).uniform(0.5, 1.5, 3).astype(np.float32)
    ours = F.cross_entropy(mg.tensor(z.astype(np.float32)), mg.tensor(y), weight=mg.tensor(w),
                           label_smoothing=0.1)
    theirs = TF.cross_entropy(torch.tensor(z, dtype=torch.float32), torch.tensor(y),
                              weight=torch.tensor(w), label_smoothing=0.1)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-5)


# ---------------------------------------------------------------------------------------------
# Every loss module, constructed with each option, against torch.nn's
# ---------------------------------------------------------------------------------------------
def regression_pair(shape=(4, 3)):
    return [rng(0).standard_normal(shape) * 2, rng(1).standard_normal(shape) * 2]


def signs(shape, seed=2, zero=False):
    return rng(seed).choice([-1.0, 1.0, 0.0] if zero else [-1.0, 1.0], size=shape)


W4 = rng(5).uniform(0.5, 2.0, 4)
CASES = {  # name: (options for both constructors, the input arrays)
    "L1Loss": [({}, regression_pair()), ({"reduction": "sum"}, regression_pair())],
    "MSELoss": [({}, regression_pair()), ({"reduction": "none"}, regression_pair())],
    "HuberLoss": [({}, regression_pair()), ({"delta": 0.5, "reduction": "sum"}, regression_pair()),
                  ({"delta": 3.0, "reduction": "none"}, regression_pair())],
    "SmoothL1Loss": [({}, regression_pair()), ({"beta": 0.5, "reduction": "sum"}, regression_pair()),
                     ({"beta": 0.0}, regression_pair())],
    "KLDivLoss": [({"reduction": "batchmean"}, [rng(0).standard_normal((4, 3)), rng(1).random((4, 3))]),
                  ({"reduction": "sum", "log_target": True}, regression_pair()),
                  ({"reduction": "none"}, [rng(0).standard_normal((4, 3)), rng(1).random((4, 3))])],
    "SoftMarginLoss": [({}, [rng(0).standard_normal((4, 3)), signs((4, 3))]),
                       ({"reduction": "none"}, [rng(0).standard_normal(5), signs(5)])],
    "MultiLabelSoftMarginLoss": [
        ({}, [rng(0).standard_normal((3, 4)), rng(1).random((3, 4)).round()]),
        ({"weight": W4, "reduction": "none"}, [rng(0).standard_normal((3, 4)), rng(1).random((3, 4))])],
    "MarginRankingLoss": [({}, regression_pair(5) + [signs(5)]),
                          ({"margin": 0.7, "reduction": "sum"}, regression_pair(5) + [signs(5)])],
    "HingeEmbeddingLoss": [({}, [rng(0).standard_normal((4, 3)), signs((4, 3), zero=True)]),
                           ({"margin": 0.3, "reduction": "none"}, [rng(0).standard_normal(6), signs(6)])],
    "CosineEmbeddingLoss": [({}, regression_pair((5, 3)) + [signs(5, zero=True)]),
                            ({"margin": 0.2, "reduction": "none"}, regression_pair((5, 3)) + [signs(5)]),
                            ({"margin": -0.5}, regression_pair((3,)) + [np.array(-1.0)])],
    "GaussianNLLLoss": [({}, regression_pair() + [rng(2).uniform(0.1, 2, (4, 3))]),
                        ({"full": True, "reduction": "sum"}, regression_pair() + [rng(2).random(4)]),
                        ({"eps": 0.5, "reduction": "none"}, regression_pair() + [rng(2).random((4, 1))])],
    "PoissonNLLLoss": [({}, [rng(0).standard_normal((4, 3)), rng(1).poisson(3, (4, 3)).astype(float)]),
                       ({"log_input": False, "full": True, "reduction": "none"},
                        [rng(0).uniform(0.1, 4, (4, 3)), rng(1).poisson(3, (4, 3)).astype(float)]),
                       ({"eps": 1e-3, "log_input": False, "reduction": "sum"},
                        [rng(0).uniform(0.0, 4, (4, 3)), rng(1).random((4, 3))])],
    "TripletMarginLoss": [({}, [rng(k).standard_normal((5, 3)) for k in range(3)]),
                          ({"margin": 0.5, "p": 1.0, "swap": True, "reduction": "none"},
                           [rng(k).standard_normal((5, 3)) for k in range(3)]),
                          ({"p": 3.0, "eps": 1e-3, "reduction": "sum"},
                           [rng(k).standard_normal(4) for k in range(3)])],
    "BCELoss": [({}, [rng(0).uniform(0.01, 0.99, (4, 3)), rng(1).random((4, 3))]),
                ({"weight": rng(3).random(3), "reduction": "sum"},
                 [rng(0).uniform(0.01, 0.99, (4, 3)), rng(1).random((4, 3))])],
    "BCEWithLogitsLoss": [
        ({}, [rng(0).standard_normal((3, 4)) * 3, rng(1).random((3, 4))]),
        ({"weight": W4, "pos_weight": W4[::-1].copy(), "reduction": "none"},
         [rng(0).standard_normal((3, 4)) * 3, rng(1).random((3, 4))])],
    "NLLLoss": [({"weight": W4, "ignore_index": 2},
                 [rng(0).standard_normal((6, 4)), rng(1).integers(0, 4, 6)]),
                ({"reduction": "none"}, [rng(0).standard_normal((2, 4, 3)), rng(1).integers(0, 4, (2, 3))])],
    "MultiMarginLoss": [({"p": 2, "margin": 0.5, "weight": W4, "reduction": "sum"},
                         [rng(0).standard_normal((6, 4)), rng(1).integers(0, 4, 6)])],
}
MODULE_CASES = [(name, k) for name, cases in CASES.items() for k in range(len(cases))]


def constructed(library, name, options):
    tensor = mg.tensor if library is nn else torch.tensor
    made = {k: tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    return getattr(library, name)(**made)


NO_TARGET_GRADIENT = {"SoftMarginLoss": (1,), "CosineEmbeddingLoss": (2,)}  # PyTorch refuses one


@pytest.mark.parametrize("name, case", MODULE_CASES)
def test_loss_module_matches_torch_nn(name, case):
    options, arrays = CASES[name][case]
    compare(constructed(nn, name, options), constructed(torch.nn, name, options), arrays,
            constants=NO_TARGET_GRADIENT.get(name, ()))


def test_every_loss_module_of_torch_nn_that_minigrad_names_exists_with_pytorchs_defaults():
    import inspect
    for name in CASES:
        ours = inspect.signature(getattr(nn, name).__init__).parameters
        theirs = inspect.signature(getattr(torch.nn, name).__init__).parameters
        assert list(ours) == list(theirs), f"{name}: arguments {list(ours)}, PyTorch's {list(theirs)}"
        for arg, parameter in theirs.items():
            assert ours[arg].default == parameter.default, f"{name}({arg}=) default"
            assert ours[arg].kind == parameter.kind, f"{name}({arg}) keyword-only or not"


def test_every_loss_function_has_pytorchs_arguments_in_pytorchs_order():
    import inspect
    names = ["cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
             "mse_loss", "l1_loss", "multi_margin_loss", "huber_loss", "smooth_l1_loss", "kl_div",
             "soft_margin_loss", "multilabel_soft_margin_loss", "margin_ranking_loss",
             "hinge_embedding_loss", "cosine_embedding_loss", "gaussian_nll_loss", "poisson_nll_loss",
             "triplet_margin_loss"]
    for name in names:
        ours = inspect.signature(getattr(F, name)).parameters
        theirs = inspect.signature(getattr(TF, name)).parameters
        assert list(ours) == list(theirs), f"F.{name}: {list(ours)}, PyTorch's {list(theirs)}"
        for arg, parameter in theirs.items():
            assert ours[arg].default == parameter.default, f"F.{name}({arg}=) default"


def test_class_weights_are_buffers_in_the_state_dict_as_in_pytorch():
    for name, options in [("CrossEntropyLoss", {"weight": W4}), ("NLLLoss", {"weight": W4}),
                          ("BCELoss", {"weight": W4}), ("MultiMarginLoss", {"weight": W4}),
                          ("MultiLabelSoftMarginLoss", {"weight": W4}),
                          ("BCEWithLogitsLoss", {"weight": W4, "pos_weight": W4})]:
        ours = constructed(nn, name, options).state_dict()
        theirs = constructed(torch.nn, name, options).state_dict()
        assert list(ours) == list(theirs), name
        for key in theirs:
            np.testing.assert_array_equal(ours[key].data, theirs[key].numpy())


# ---------------------------------------------------------------------------------------------
# size_average / reduce (deprecated) and reduction
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size_average, reduce", [(None, False), (False, None), (True, True),
                                                  (False, False), (True, None)])
def test_size_average_and_reduce_pick_pytorchs_reduction_and_warn(size_average, reduce):
    with pytest.warns(UserWarning, match="size_average and reduce"):
        ours = nn.MSELoss(size_average=size_average, reduce=reduce).reduction
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.MSELoss(size_average=size_average, reduce=reduce).reduction
        theirs_f = TF.l1_loss(torch.ones(3), torch.zeros(3), size_average=size_average, reduce=reduce)
    assert ours == theirs
    with pytest.warns(UserWarning, match="size_average and reduce"):
        ours_f = F.l1_loss(mg.ones(3), mg.zeros(3), size_average=size_average, reduce=reduce)
    np.testing.assert_allclose(ours_f.data, theirs_f.numpy())


BOGUS = {
    "l1_loss": lambda lib, F: F.l1_loss(lib.ones(3), lib.ones(3), reduction="bogus"),
    "huber_loss": lambda lib, F: F.huber_loss(lib.ones(3), lib.ones(3), reduction="bogus"),
    "smooth_l1_loss": lambda lib, F: F.smooth_l1_loss(lib.ones(3), lib.ones(3), reduction="bogus"),
    "kl_div": lambda lib, F: F.kl_div(lib.ones(3), lib.ones(3), reduction="bogus"),
    "soft_margin_loss": lambda lib, F: F.soft_margin_loss(lib.ones(3), lib.ones(3), reduction="bogus"),
    "multilabel_soft_margin_loss": lambda lib, F: F.multilabel_soft_margin_loss(
        lib.ones(2, 3), lib.ones(2, 3), reduction="bogus"),
    "margin_ranking_loss": lambda lib, F: F.margin_ranking_loss(
        lib.ones(3), lib.ones(3), lib.ones(3), reduction="bogus"),
    "hinge_embedding_loss": lambda lib, F: F.hinge_embedding_loss(
        lib.ones(3), lib.ones(3), reduction="bogus"),
    "cosine_embedding_loss": lambda lib, F: F.cosine_embedding_loss(
        lib.ones(2, 3), lib.ones(2, 3), lib.ones(2), reduction="bogus"),
    "gaussian_nll_loss": lambda lib, F: F.gaussian_nll_loss(
        lib.ones(3), lib.ones(3), lib.ones(3), reduction="bogus"),
    "poisson_nll_loss": lambda lib, F: F.poisson_nll_loss(lib.ones(3), lib.ones(3), reduction="bogus"),
    "triplet_margin_loss": lambda lib, F: F.triplet_margin_loss(
        lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), reduction="bogus"),
    "binary_cross_entropy": lambda lib, F: F.binary_cross_entropy(
        lib.ones(3) * 0.5, lib.ones(3), reduction="bogus"),
}


@pytest.mark.parametrize("name", sorted(BOGUS))
def test_an_unknown_reduction_is_a_value_error_naming_the_loss(name):
    with pytest.raises(ValueError):
        BOGUS[name](torch, TF)
    with pytest.raises(ValueError, match=f"{name}: reduction must be one of .*'bogus'"):
        BOGUS[name](mg, F)


def test_kl_div_mean_warns_like_pytorch_and_batchmean_divides_by_the_batch():
    x, t = rng(0).standard_normal((4, 3)), rng(1).random((4, 3))
    with pytest.warns(UserWarning, match="batchmean"):
        mean = F.kl_div(mg.tensor(x), mg.tensor(t))
    with pytest.warns(UserWarning):
        expected = TF.kl_div(torch.tensor(x), torch.tensor(t))
    np.testing.assert_allclose(mean.item(), expected.item(), rtol=1e-12)
    compare(lambda a, b: F.kl_div(a, b, reduction="batchmean"),
            lambda a, b: TF.kl_div(a, b, reduction="batchmean"), [np.array(-1.0), np.array(0.3)])


# ---------------------------------------------------------------------------------------------
# Shapes that differ: PyTorch broadcasts with a warning (regression losses), silently (the
# others), or raises
# ---------------------------------------------------------------------------------------------
WARNS_AND_BROADCASTS = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"]
BROADCASTS_SILENTLY = ["kl_div", "soft_margin_loss", "poisson_nll_loss", "multilabel_soft_margin_loss"]


@pytest.mark.parametrize("name", WARNS_AND_BROADCASTS + BROADCASTS_SILENTLY)
def test_a_target_that_broadcasts_is_broadcast_with_pytorchs_warning_or_without(name):
    x, y = rng(0).uniform(-2, 2, (3, 4)), rng(1).uniform(0.1, 2, (3, 1))
    kwargs = {"reduction": "sum"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare(lambda a, b: getattr(F, name)(a, b, **kwargs),
                lambda a, b: getattr(TF, name)(a, b, **kwargs), [x, y],
                constants=(1,) if name == "soft_margin_loss" else ())
    ours = [w for w in caught if name in str(w.message)]
    theirs = [w for w in caught if "target size" in str(w.message)]
    assert len(ours) == len(theirs), f"{name}: warned {len(ours)} times, PyTorch {len(theirs)}"


def errors_alike(call):
    """The same exception type from both libraries; minigrad's message names the op."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            call(torch, TF)
        with pytest.raises(theirs.type) as ours:
            call(mg, F)
    return str(ours.value)


BAD_CALLS = {
    "mse_loss shapes": lambda lib, F: F.mse_loss(lib.ones(3, 4), lib.ones(2, 4)),
    "huber_loss shapes": lambda lib, F: F.huber_loss(lib.ones(3, 4), lib.ones(2, 4)),
    "huber_loss delta 0": lambda lib, F: F.huber_loss(lib.ones(3), lib.ones(3), delta=0.0),
    "smooth_l1_loss beta < 0": lambda lib, F: F.smooth_l1_loss(lib.ones(3), lib.ones(3), beta=-1.0),
    "smooth_l1_loss shapes": lambda lib, F: F.smooth_l1_loss(lib.ones(3), lib.ones(2)),
    "kl_div shapes": lambda lib, F: F.kl_div(lib.ones(3, 4), lib.ones(2, 4), reduction="sum"),
    "soft_margin_loss shapes": lambda lib, F: F.soft_margin_loss(lib.ones(3, 4), lib.ones(2, 4)),
    "multilabel_soft_margin_loss 0-d": lambda lib, F: F.multilabel_soft_margin_loss(
        lib.ones(()), lib.ones(())),
    "multilabel_soft_margin_loss weight": lambda lib, F: F.multilabel_soft_margin_loss(
        lib.ones(2, 4), lib.ones(2, 4), weight=lib.ones(3)),
    "margin_ranking_loss dims": lambda lib, F: F.margin_ranking_loss(
        lib.ones(3, 1), lib.ones(3), lib.ones(3)),
    "margin_ranking_loss shapes": lambda lib, F: F.margin_ranking_loss(
        lib.ones(3), lib.ones(2), lib.ones(3)),
    "hinge_embedding_loss shapes": lambda lib, F: F.hinge_embedding_loss(lib.ones(3, 4), lib.ones(3)),
    "cosine_embedding_loss 1-D target, 1-D inputs": lambda lib, F: F.cosine_embedding_loss(
        lib.ones(4), lib.ones(4), lib.ones(1)),
    "cosine_embedding_loss 0-D target, 2-D inputs": lambda lib, F: F.cosine_embedding_loss(
        lib.ones(3, 4), lib.ones(3, 4), lib.ones(())),
    "cosine_embedding_loss 3-D inputs": lambda lib, F: F.cosine_embedding_loss(
        lib.ones(3, 4, 2), lib.ones(3, 4, 2), lib.ones(3)),
    "cosine_embedding_loss batch": lambda lib, F: F.cosine_embedding_loss(
        lib.ones(3, 4), lib.ones(3, 4), lib.ones(2)),
    "gaussian_nll_loss var size": lambda lib, F: F.gaussian_nll_loss(
        lib.ones(3, 4), lib.ones(3, 4), lib.ones(2, 1)),
    "gaussian_nll_loss var (4,)": lambda lib, F: F.gaussian_nll_loss(
        lib.ones(3, 4), lib.ones(3, 4), lib.ones(4)),
    "gaussian_nll_loss negative var": lambda lib, F: F.gaussian_nll_loss(
        lib.ones(3), lib.ones(3), -lib.ones(3)),
    "gaussian_nll_loss negative float var": lambda lib, F: F.gaussian_nll_loss(
        lib.ones(3), lib.ones(3), -1.0),
    "gaussian_nll_loss target shape": lambda lib, F: F.gaussian_nll_loss(
        lib.ones(3, 4), lib.ones(2, 4), lib.ones(3, 4)),
    "poisson_nll_loss shapes": lambda lib, F: F.poisson_nll_loss(lib.ones(3, 4), lib.ones(2, 4)),
    "triplet_margin_loss margin 0": lambda lib, F: F.triplet_margin_loss(
        lib.ones(2, 3), lib.ones(2, 3), lib.ones(2, 3), margin=0.0),
    "triplet_margin_loss dims": lambda lib, F: F.triplet_margin_loss(
        lib.ones(2, 3), lib.ones(3), lib.ones(2, 3)),
    "binary_cross_entropy target 1.5": lambda lib, F: F.binary_cross_entropy(
        lib.ones(2) * 0.5, lib.tensor([1.5, 0.0])),
    "binary_cross_entropy target -1": lambda lib, F: F.binary_cross_entropy(
        lib.ones(2) * 0.5, lib.tensor([-1.0, 0.0])),
    "binary_cross_entropy target NaN": lambda lib, F: F.binary_cross_entropy(
        lib.ones(2) * 0.5, lib.tensor([float("nan"), 0.0])),
    "binary_cross_entropy input NaN": lambda lib, F: F.binary_cross_entropy(
        lib.tensor([float("nan"), 0.5]), lib.ones(2)),
    "binary_cross_entropy input 1.5": lambda lib, F: F.binary_cross_entropy(
        lib.tensor([1.5, 0.5]), lib.ones(2)),
    "binary_cross_entropy target shape": lambda lib, F: F.binary_cross_entropy(
        lib.ones(2) * 0.5, lib.ones(1, 2)),
    "binary_cross_entropy_with_logits target shape": lambda lib, F: F.binary_cross_entropy_with_logits(
        lib.ones(2), lib.ones(1, 2)),
    "MultiMarginLoss p=3": lambda lib, F: lib.nn.MultiMarginLoss(p=3),
    "cross_entropy ignore_index with probabilities": lambda lib, F: F.cross_entropy(
        lib.zeros(2, 3), lib.ones(2, 3) / 3, ignore_index=1),
}


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
def test_a_bad_call_raises_pytorchs_exception_naming_the_loss(case):
    message = errors_alike(BAD_CALLS[case])
    assert case.split()[0] in message, message


def test_binary_cross_entropy_names_the_value_outside_0_1():
    with pytest.raises(RuntimeError, match=r"target must be probabilities in \[0, 1\], got 1.5"):
        F.binary_cross_entropy(mg.tensor([0.5, 0.5]), mg.tensor([1.5, 0.0]))
    with pytest.raises(RuntimeError, match=r"input must be probabilities in \[0, 1\], got nan"):
        F.binary_cross_entropy(mg.tensor([float("nan"), 0.5]), mg.tensor([1.0, 0.0]))


def test_gaussian_nll_loss_clamps_var_in_value_but_passes_its_gradient_like_pytorch():
    compare(lambda a, b, v: F.gaussian_nll_loss(a, b, v, eps=0.3, reduction="none"),
            lambda a, b, v: TF.gaussian_nll_loss(a, b, v, eps=0.3, reduction="none"),
            regression_pair((5,)) + [np.array([0.0, 0.1, 0.3, 0.5, 2.0])])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_an_elementwise_weight_weighs_each_loss_as_in_pytorch(name, reduction):
    # 'mean' divides by the weights' sum for mse and l1 but by the count for huber, as PyTorch
    weight = rng(4).uniform(0.2, 2.0, (4, 3))
    compare(lambda a, b: getattr(F, name)(a, b, reduction=reduction, weight=mg.tensor(weight)),
            lambda a, b: getattr(TF, name)(a, b, reduction=reduction, weight=torch.tensor(weight)),
            regression_pair())
    with pytest.raises(ValueError, match=f"{name}: weight of shape \\(3,\\)"):
        getattr(F, name)(mg.ones(4, 3), mg.ones(4, 3), weight=mg.ones(3))
