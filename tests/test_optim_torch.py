"""Optimizers and schedulers against PyTorch: 50-step trajectories in float64, each option."""
import numpy as np
import pytest
from optim_rows import ACCEPTS, BAD_IDS, BAD_OPTIONS, GOOD_OPTIONS, SAME, build

import minigrad as mg
import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 3))
T = RNG.standard_normal((8, 2))
W0 = RNG.standard_normal((3, 2))
B0 = RNG.standard_normal(2)


def loss_of(x, w, b, t, tanh):
    # a small non-convex regression, so that every part of each rule is exercised
    h = tanh(x @ w + b)
    return ((h - t) ** 2).sum() + (w ** 4).sum() * 0.01


def trajectories(ours_cls, theirs_cls, steps=50, groups=None, rtol=1e-9, atol=1e-11, **options):
    """Both optimizers from the same start for ``steps`` steps, compared after each one.
    ``groups``: the options of two parameter groups (the weight's, the bias's), or None for
    one group.  A maximizing run climbs the negated loss, so that it takes the same path down."""
    w, b = mg.tensor(W0.copy(), requires_grad=True), mg.tensor(B0.copy(), requires_grad=True)
    tw, tb = torch.tensor(W0.copy(), requires_grad=True), torch.tensor(B0.copy(), requires_grad=True)
    if groups:
        ours = ours_cls([{"params": [w], **groups[0]}, {"params": [b], **groups[1]}], **options)
        theirs = theirs_cls([{"params": [tw], **groups[0]}, {"params": [tb], **groups[1]}], **options)
    else:
        ours, theirs = ours_cls([w, b], **options), theirs_cls([tw, tb], **options)
    sign = -1.0 if options.get("maximize") else 1.0
    for _ in range(steps):
        ours.zero_grad()
        theirs.zero_grad()
        (sign * loss_of(mg.tensor(X), w, b, mg.tensor(T), lambda a: a.tanh())).backward()
        (sign * loss_of(torch.tensor(X), tw, tb, torch.tensor(T), torch.tanh)).backward()
        ours.step()
        theirs.step()
        np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=rtol, atol=atol)
        np.testing.assert_allclose(b.data, tb.detach().numpy(), rtol=rtol, atol=atol)
    return ours, theirs


# (options, groups): the defaults' options, and None or the two groups' own options
SGD_OPTIONS = [
    {"lr": 0.01}, {"lr": 0.01, "momentum": 0.9}, {"lr": 0.01, "momentum": 0.9, "dampening": 0.5},
    {"lr": 0.01, "momentum": 0.9, "nesterov": True}, {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "momentum": 0.8, "weight_decay": 0.05, "nesterov": True},
    {"lr": 0.01, "momentum": 0.5, "dampening": 0.1, "weight_decay": 0.05},
    {"lr": 0.01, "maximize": True}, {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1, "maximize": True},
    {"lr": 0.01, "momentum": 0.9, "foreach": True}, {"lr": 0.01, "momentum": 0.9, "fused": True},
    {"lr": 0.01, "foreach": False, "fused": False},
]
ADAM_COMMON = [
    {}, {"lr": 0.01}, {"lr": 0.01, "amsgrad": True}, {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05, "amsgrad": True},
    {"lr": 0.01, "maximize": True}, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1, "maximize": True},
    {"lr": 0.01, "foreach": True}, {"lr": 0.01, "fused": True}, {"lr": 0.01, "amsgrad": True, "fused": True},
]
ADAM_OPTIONS = ADAM_COMMON + [{"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}]
RMSPROP_OPTIONS = [
    {}, {"lr": 0.001, "centered": True}, {"lr": 0.001, "momentum": 0.9},
    {"lr": 0.001, "weight_decay": 0.1}, {"lr": 0.002, "alpha": 0.9, "eps": 1e-6, "centered": True,
                                          "momentum": 0.5, "weight_decay": 0.01},
    {"lr": 0.001, "maximize": True}, {"lr": 0.001, "centered": True, "momentum": 0.5, "maximize": True},
    {"lr": 0.001, "foreach": True},
]
ADAGRAD_OPTIONS = [
    {}, {"lr": 0.1, "lr_decay": 0.01}, {"lr": 0.05, "weight_decay": 0.1},
    {"lr": 0.05, "initial_accumulator_value": 0.5, "eps": 1e-6}, {"lr": 0.05, "maximize": True},
    {"lr": 0.05, "fused": True}, {"lr": 0.05, "foreach": True},
]
ADADELTA_OPTIONS = [
    {}, {"lr": 0.5, "rho": 0.95, "eps": 1e-5}, {"weight_decay": 0.1}, {"maximize": True},
    {"lr": 0.5, "weight_decay": 0.05, "maximize": True, "foreach": True},
]
ADAMAX_OPTIONS = [
    {}, {"lr": 0.01}, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}, {"lr": 0.01, "weight_decay": 0.1},
    {"lr": 0.01, "maximize": True}, {"lr": 0.01, "foreach": True},
]
NADAM_OPTIONS = [
    {}, {"lr": 0.01}, {"lr": 0.01, "momentum_decay": 0.02, "betas": (0.8, 0.99)},
    {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    {"lr": 0.01, "maximize": True}, {"lr": 0.01, "foreach": True},
]
RADAM_OPTIONS = [  # beta2 = 0.9 turns the rectified step on at step 6, 0.999 at step 6 too
    {}, {"lr": 0.01}, {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-6},
    {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    {"lr": 0.01, "maximize": True}, {"lr": 0.01, "foreach": True},
]
ASGD_OPTIONS = [  # t0 = 10: the averaging starts within the run
    {}, {"lr": 0.01, "t0": 10}, {"lr": 0.02, "lambd": 0.01, "alpha": 0.5, "t0": 5, "weight_decay": 0.1},
    {"lr": 0.01, "t0": 10, "maximize": True}, {"lr": 0.01, "foreach": True},
]
RPROP_OPTIONS = [
    {}, {"lr": 0.001}, {"lr": 0.001, "etas": (0.3, 1.5), "step_sizes": (1e-4, 0.05)},
    {"lr": 0.001, "maximize": True}, {"lr": 0.001, "foreach": True},
]
GROUPS = {  # two groups with options of their own
    "SGD": ({"lr": 0.01}, ({"momentum": 0.9, "nesterov": True}, {"lr": 0.003, "weight_decay": 0.1})),
    "Adam": ({"lr": 0.01}, ({"amsgrad": True}, {"lr": 0.003, "betas": (0.8, 0.9), "weight_decay": 0.1})),
    "AdamW": ({"lr": 0.01}, ({"weight_decay": 0.5}, {"lr": 0.003, "amsgrad": True})),
    "RMSprop": ({"lr": 0.001}, ({"centered": True}, {"lr": 0.003, "momentum": 0.5})),
    "Adagrad": ({"lr": 0.05}, ({"lr_decay": 0.01}, {"lr": 0.003, "weight_decay": 0.1})),
    "Adadelta": ({}, ({"rho": 0.5}, {"lr": 0.3, "weight_decay": 0.1})),
    "Adamax": ({"lr": 0.01}, ({"betas": (0.5, 0.9)}, {"lr": 0.003, "weight_decay": 0.1})),
    "NAdam": ({"lr": 0.01}, ({"momentum_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True})),
    "RAdam": ({"lr": 0.01}, ({"betas": (0.8, 0.9)}, {"weight_decay": 0.1, "decoupled_weight_decay": True})),
    "ASGD": ({"lr": 0.01}, ({"t0": 5}, {"lr": 0.003, "lambd": 0.1})),
    "Rprop": ({"lr": 0.001}, ({"etas": (0.4, 1.1)}, {"lr": 0.01, "step_sizes": (1e-3, 0.02)})),
}
EVERY_OPTION_SET = [("SGD", SGD_OPTIONS), ("Adam", ADAM_OPTIONS), ("AdamW", ADAM_COMMON),
                    ("RMSprop", RMSPROP_OPTIONS), ("Adagrad", ADAGRAD_OPTIONS),
                    ("Adadelta", ADADELTA_OPTIONS), ("Adamax", ADAMAX_OPTIONS),
                    ("NAdam", NADAM_OPTIONS), ("RAdam", RADAM_OPTIONS), ("ASGD", ASGD_OPTIONS),
                    ("Rprop", RPROP_OPTIONS)]
TRAJECTORY_CASES = ([(name, options, None) for name, every in EVERY_OPTION_SET for options in every]
                    + [(name, options, groups) for name, (options, groups) in GROUPS.items()])
OPTIMIZERS = [name for name, _ in EVERY_OPTION_SET]


@pytest.mark.parametrize("name, options, groups", TRAJECTORY_CASES,
                         ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(TRAJECTORY_CASES)])
def test_trajectory_matches_torch(name, options, groups):
    # PyTorch's foreach ASGD computes its lr schedule eta in float32 tensor arithmetic (its
    # for-loop, the default on the CPU, in Python floats, as minigrad for every foreach): the
    # paths part by 1e-8 (test_asgd_foreach_is_the_for_loop_rounded_otherwise shows it is PyTorch's own)
    tolerance = {"rtol": 1e-6, "atol": 1e-7} if name == "ASGD" and options.get("foreach") else {}
    trajectories(getattr(nn.optim, name), getattr(torch.optim, name), groups=groups, **tolerance,
                 **options)


def test_asgd_foreach_is_the_for_loop_rounded_otherwise():
    # minigrad's ASGD gives the numbers of PyTorch's for-loop whatever foreach says; PyTorch's
    # foreach path is the same rule with eta rounded to float32 along the way
    ours, _ = trajectories(nn.optim.ASGD, torch.optim.ASGD, lr=0.01, foreach=True, rtol=1e-6, atol=1e-7)
    loop, _ = trajectories(nn.optim.ASGD, torch.optim.ASGD, lr=0.01, foreach=False)
    for p, q in zip(ours.param_groups[0]["params"], loop.param_groups[0]["params"]):
        np.testing.assert_array_equal(p.data, q.data)


def test_asgd_average_matches_torch():
    ours, theirs = trajectories(nn.optim.ASGD, torch.optim.ASGD, lr=0.01, t0=10)
    for p, tp in zip(ours.param_groups[0]["params"], theirs.param_groups[0]["params"]):
        np.testing.assert_allclose(ours.state[p]["ax"], theirs.state[tp]["ax"].numpy(), rtol=1e-9)
        assert not np.allclose(ours.state[p]["ax"], p.data)  # it averages: not the last weights


@pytest.mark.parametrize("name", OPTIMIZERS + ["LBFGS"])
def test_defaults_match_torch(name):
    p, tp = mg.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    extra = {"lr": 0.1} if name == "SGD" else {}
    ours = getattr(nn.optim, name)([p], **extra).param_groups[0]
    theirs = getattr(torch.optim, name)([tp], **extra).param_groups[0]
    assert {k: v for k, v in ours.items() if k != "params"} == {
        k: v for k, v in theirs.items() if k != "params"}


def scheduler_lrs(ours_cls, theirs_cls, epochs, **options):
    # A gradient of 1 makes each step move the parameter by the lr the optimizer used: the
    # parameters then show that the optimizer takes the scheduled lr, not only get_last_lr().
    p, tp = mg.zeros(1, dtype=mg.float64, requires_grad=True), torch.zeros(1, dtype=torch.float64,
                                                                           requires_grad=True)
    ours_opt, theirs_opt = nn.optim.SGD([p], lr=0.5), torch.optim.SGD([tp], lr=0.5)
    ours, theirs = ours_cls(ours_opt, **options), theirs_cls(theirs_opt, **options)
    mine, their = [ours.get_last_lr()[0]], [theirs.get_last_lr()[0]]
    for _ in range(epochs):
        p.grad, tp.grad = mg.ones(1, dtype=mg.float64), torch.ones(1, dtype=torch.float64)
        ours_opt.step()
        theirs_opt.step()
        ours.step()
        theirs.step()
        mine.append(ours.get_last_lr()[0])
        their.append(theirs.get_last_lr()[0])
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(mine, their, rtol=1e-12, atol=1e-15)


def test_step_lr_sequence_matches_torch():
    scheduler_lrs(nn.optim.lr_scheduler.StepLR, torch.optim.lr_scheduler.StepLR, 12,
                  step_size=3, gamma=0.5)


def test_exponential_lr_sequence_matches_torch():
    scheduler_lrs(nn.optim.lr_scheduler.ExponentialLR, torch.optim.lr_scheduler.ExponentialLR, 12,
                  gamma=0.9)


@pytest.mark.parametrize("eta_min", [0.0, 0.01])
def test_cosine_annealing_lr_sequence_matches_torch(eta_min):
    scheduler_lrs(nn.optim.lr_scheduler.CosineAnnealingLR, torch.optim.lr_scheduler.CosineAnnealingLR,
                  25, T_max=10, eta_min=eta_min)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    grads = [RNG.standard_normal((3, 2)), RNG.standard_normal(4)]
    ours = [mg.zeros(g.shape, dtype=mg.float64, requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, tp, g in zip(ours, theirs, grads):
        p.grad = mg.tensor(g.copy())
        tp.grad = torch.tensor(g.copy())
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total.item() == pytest.approx(their_total.item(), rel=1e-12)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, tp.grad.numpy(), rtol=1e-12)


def test_parameters_to_vector_matches_torch_and_carries_the_gradient():
    ours = [mg.tensor(W0.copy(), requires_grad=True), mg.tensor(B0.copy(), requires_grad=True)]
    theirs = [torch.tensor(W0.copy(), requires_grad=True), torch.tensor(B0.copy(), requires_grad=True)]
    vector = nn.utils.parameters_to_vector(iter(ours))
    their_vector = torch.nn.utils.parameters_to_vector(iter(theirs))
    np.testing.assert_array_equal(vector.data, their_vector.detach().numpy())
    assert vector.requires_grad == their_vector.requires_grad
    weights = np.arange(vector.shape[0], dtype=np.float64)
    (vector * mg.tensor(weights)).sum().backward()
    (their_vector * torch.tensor(weights)).sum().backward()
    for p, tp in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.data, tp.grad.numpy())


def error_of(library, owner, options, parameter):
    """The error that building ``owner`` raises, or its first step (a scheduler's zero period
    fails only there in PyTorch); None when both go through."""
    def closure():  # LBFGS needs one; the others take it too
        parameter.grad = None
        loss = (parameter * parameter).sum() + parameter.sum()
        loss.backward()
        return loss

    try:
        built = build(library, owner, options, parameter)
        optimizer = getattr(built, "optimizer", built)
        optimizer.step(closure)
        if built is not optimizer:
            built.step()
    except Exception as error:  # whatever it is, the test compares it
        return error
    return None


@pytest.mark.parametrize("row", BAD_OPTIONS, ids=BAD_IDS)
def test_an_invalid_hyperparameter_raises_what_torch_raises(row):
    ours = error_of(nn, row.owner, row.options, mg.zeros(2, requires_grad=True))
    theirs = error_of(torch, row.owner, row.options, torch.zeros(2, requires_grad=True))
    assert ours is not None
    if row.torch == ACCEPTS:
        assert theirs is None, f"torch now raises {theirs!r}: match its type and message"
        return
    assert isinstance(ours, type(theirs)), f"{ours!r} is not a {type(theirs).__name__}"
    if row.torch == SAME:
        assert str(ours) == str(theirs)


@pytest.mark.parametrize("owner, options", GOOD_OPTIONS, ids=[f"{o}-{v}" for o, v in GOOD_OPTIONS])
def test_hyperparameters_at_the_edges_of_their_range_are_accepted_by_torch_too(owner, options):
    assert error_of(torch, owner, options, torch.zeros(2, requires_grad=True)) is None
