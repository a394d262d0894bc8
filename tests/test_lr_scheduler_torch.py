"""Every learning-rate scheduler against PyTorch's: the lr (and momentum) of each parameter group
over 60 steps in float64, resuming from a state_dict saved half-way, step(epoch), warnings and
the errors of bad arguments."""
import math
import warnings

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

STEPS = 60


def optimizer_of(lib, kind):
    """Two parameter groups with their own lrs, on ``lib`` (minigrad or torch)."""
    first = lib.zeros(2, dtype=lib.float64, requires_grad=True)
    second = lib.zeros(3, dtype=lib.float64, requires_grad=True)
    groups = [{"params": [first]}, {"params": [second], "lr": 0.05}]
    if kind == "sgd":
        return lib.optim.SGD(groups, lr=0.1)
    if kind == "momentum":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return lib.optim.Adam(groups, lr=0.1)


def scale_wave(x):  # a custom CyclicLR scale_fn
    return 0.5 * (1 + math.sin(x / 7))


# name -> (optimizer kind, factory(lr_scheduler module, optimizer) -> scheduler)
CASES = {
    "LambdaLR": ("sgd", lambda L, o: L.LambdaLR(o, lambda e: 0.95 ** e)),
    "LambdaLR-per-group": ("sgd", lambda L, o: L.LambdaLR(o, [lambda e: 1 / (1 + e),
                                                               lambda e: 0.9 ** (e // 3)])),
    "MultiplicativeLR": ("sgd", lambda L, o: L.MultiplicativeLR(o, lambda e: 0.95)),
    "MultiplicativeLR-per-group": ("sgd", lambda L, o: L.MultiplicativeLR(
        o, [lambda e: 0.9, lambda e: 1.0 if e % 2 else 0.8])),
    "StepLR": ("sgd", lambda L, o: L.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": ("sgd", lambda L, o: L.MultiStepLR(o, milestones=[5, 20, 20, 41], gamma=0.3)),
    "ConstantLR": ("sgd", lambda L, o: L.ConstantLR(o)),
    "ConstantLR-options": ("sgd", lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=10)),
    "LinearLR": ("sgd", lambda L, o: L.LinearLR(o)),
    "LinearLR-options": ("sgd", lambda L, o: L.LinearLR(o, start_factor=0.25, end_factor=0.75,
                                                         total_iters=30)),
    "LinearLR-to-zero": ("sgd", lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.0,
                                                         total_iters=STEPS)),
    "ExponentialLR": ("sgd", lambda L, o: L.ExponentialLR(o, gamma=0.93)),
    "PolynomialLR": ("sgd", lambda L, o: L.PolynomialLR(o)),
    "PolynomialLR-options": ("sgd", lambda L, o: L.PolynomialLR(o, total_iters=40, power=2.0)),
    # 60 steps run through several periods: the recursive form's troughs and restarts
    "CosineAnnealingLR": ("sgd", lambda L, o: L.CosineAnnealingLR(o, T_max=10)),
    "CosineAnnealingLR-eta_min": ("sgd", lambda L, o: L.CosineAnnealingLR(o, T_max=7,
                                                                           eta_min=0.001)),
    "CosineAnnealingWarmRestarts": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5)),
    "CosineAnnealingWarmRestarts-T_mult": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01)),
    "CyclicLR": ("momentum", lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5)),
    "CyclicLR-triangular2": ("momentum", lambda L, o: L.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=4, step_size_down=3,
        mode="triangular2", base_momentum=[0.7, 0.75], max_momentum=0.95)),
    "CyclicLR-exp_range-adam": ("adam", lambda L, o: L.CyclicLR(
        o, base_lr=0.001, max_lr=0.01, step_size_up=6, mode="exp_range", gamma=0.97)),
    "CyclicLR-scale_fn": ("momentum", lambda L, o: L.CyclicLR(
        o, base_lr=0.01, max_lr=0.1, step_size_up=5, scale_fn=scale_wave,
        scale_mode="iterations")),
    "CyclicLR-no-momentum": ("sgd", lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                             step_size_up=5, cycle_momentum=False)),
    "OneCycleLR": ("momentum", lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=STEPS)),
    "OneCycleLR-three-phase-adam": ("adam", lambda L, o: L.OneCycleLR(
        o, max_lr=[0.5, 0.2], epochs=6, steps_per_epoch=10, anneal_strategy="linear",
        three_phase=True)),
    "OneCycleLR-options": ("momentum", lambda L, o: L.OneCycleLR(
        o, max_lr=0.3, total_steps=STEPS + 5, pct_start=0.25, div_factor=10.0,
        final_div_factor=100.0, base_momentum=[0.8, 0.7], max_momentum=[0.9, 0.99])),
    "OneCycleLR-no-momentum": ("sgd", lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=STEPS,
                                                                 cycle_momentum=False)),
    "SequentialLR": ("sgd", lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=5), L.ExponentialLR(o, gamma=0.9)],
        milestones=[5])),
    "SequentialLR-three": ("sgd", lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, factor=0.5, total_iters=4), L.CosineAnnealingLR(o, T_max=20),
            L.StepLR(o, step_size=4)], milestones=[10, 30])),
    "ChainedScheduler": ("sgd", lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.5, total_iters=4), L.ExponentialLR(o, gamma=0.95)])),
    "ChainedScheduler-optimizer": ("sgd", lambda L, o: L.ChainedScheduler(
        [L.LinearLR(o, start_factor=0.2, total_iters=8), L.MultiStepLR(o, [10, 25], gamma=0.5)],
        optimizer=o)),
    # the cosine works on the lr the decay leaves: PyTorch's recursive form, not the closed one
    "ChainedScheduler-cosine": ("sgd", lambda L, o: L.ChainedScheduler(
        [L.CosineAnnealingLR(o, T_max=10, eta_min=0.001), L.ExponentialLR(o, gamma=0.97)])),
}


def momentum_of(group):
    return group["betas"][0] if "betas" in group else group.get("momentum", 0.0)


def run(lib, name, steps=STEPS, resume_at=None, tmp_path=None):
    """The lrs, momentums, get_last_lr() and parameters after each step.  With ``resume_at``,
    the optimizer and the scheduler are saved (through mg.save, for minigrad) at that step and
    loaded into new ones, which carry on."""
    kind, factory = CASES[name]
    optimizer = optimizer_of(lib, kind)
    scheduler = factory(lib.optim.lr_scheduler, optimizer)
    seen = []
    for step in range(steps):
        if step == resume_at:
            optimizer, scheduler = resumed(lib, name, optimizer, scheduler, tmp_path)
        for group in optimizer.param_groups:
            for p in group["params"]:
                p.grad = lib.ones(p.shape, dtype=lib.float64)
        optimizer.step()
        scheduler.step()
        seen.append({"lr": [g["lr"] for g in optimizer.param_groups],
                     "momentum": [momentum_of(g) for g in optimizer.param_groups],
                     "last": list(scheduler.get_last_lr()),
                     "params": np.concatenate([np.asarray(p.detach().numpy(), dtype=np.float64)
                                               for g in optimizer.param_groups
                                               for p in g["params"]])})
    return seen


def resumed(lib, name, optimizer, scheduler, tmp_path):
    saved = {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}
    if lib is mg:  # the checkpoint goes through a file, as a training script's does
        mg.save(saved, tmp_path / "checkpoint.pt")
        saved = mg.load(tmp_path / "checkpoint.pt")
    kind, factory = CASES[name]
    fresh = optimizer_of(lib, kind)
    for old, new in zip(optimizer.param_groups, fresh.param_groups):
        for p, q in zip(old["params"], new["params"]):
            q.detach().numpy()[...] = p.detach().numpy()
    schedule = factory(lib.optim.lr_scheduler, fresh)
    fresh.load_state_dict(saved["optimizer"])
    schedule.load_state_dict(saved["scheduler"])
    return fresh, schedule


def assert_same_sequence(ours, theirs):
    for step, (mine, their) in enumerate(zip(ours, theirs)):
        for key in ("lr", "momentum", "last", "params"):
            np.testing.assert_allclose(np.asarray(mine[key], dtype=np.float64),
                                       np.asarray(their[key], dtype=np.float64), rtol=1e-12,
                                       atol=1e-300, err_msg=f"{key} after step {step + 1}")
    assert len(ours) == len(theirs)


@pytest.mark.parametrize("name", CASES)
def test_the_schedule_matches_torch(name):
    assert_same_sequence(run(mg, name), run(torch, name))


@pytest.mark.parametrize("name", CASES)
def test_resuming_from_a_state_dict_gives_the_same_sequence(name, tmp_path):
    uninterrupted = run(torch, name)
    assert_same_sequence(run(torch, name, resume_at=STEPS // 2), uninterrupted)  # the oracle
    assert_same_sequence(run(mg, name, resume_at=STEPS // 2, tmp_path=tmp_path), uninterrupted)


@pytest.mark.parametrize("name", ["LambdaLR", "StepLR", "MultiStepLR", "CyclicLR", "OneCycleLR",
                                  "SequentialLR", "ChainedScheduler"])
def test_the_state_dict_has_torchs_keys(name):
    kind, factory = CASES[name]
    ours = factory(mg.optim.lr_scheduler, optimizer_of(mg, kind)).state_dict()
    theirs = factory(torch.optim.lr_scheduler, optimizer_of(torch, kind)).state_dict()
    assert sorted(ours) == sorted(theirs)
    if name == "MultiStepLR":
        assert ours["milestones"] == theirs["milestones"]


def test_one_cycle_refuses_to_step_past_its_total_steps():
    for lib in (mg, torch):
        optimizer = optimizer_of(lib, "momentum")
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.5, total_steps=3)
        for _ in range(3):
            optimizer.step()
            scheduler.step()
        with pytest.raises(ValueError, match="^Tried to step 4 times. The specified number of "
                                             "total steps is 3$"):
            scheduler.step()


@pytest.mark.parametrize("options", [{"T_0": 4}, {"T_0": 3, "T_mult": 2, "eta_min": 0.02}])
def test_warm_restarts_take_fractional_epochs(options):
    lrs = {}
    for lib in (mg, torch):
        optimizer = optimizer_of(lib, "sgd")
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, **options)
        seen = []
        for epoch in range(20):
            for batch in range(3):
                optimizer.step()
                scheduler.step(epoch + batch / 3)
                seen.append(scheduler.get_last_lr() + [scheduler.last_epoch, scheduler.T_i])
        lrs[lib] = seen
    np.testing.assert_allclose(lrs[mg], lrs[torch], rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name, options", [
    ("StepLR", {"step_size": 3, "gamma": 0.5}), ("MultiStepLR", {"milestones": [2, 6, 6]}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 4}), ("LinearLR", {"total_iters": 6}),
    ("ExponentialLR", {"gamma": 0.8}), ("PolynomialLR", {"total_iters": 8, "power": 1.5}),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda e: 1 / (e + 1)}),
])
def test_step_with_an_epoch_uses_torchs_closed_form_and_warns(name, options):
    epochs = [0, 3, 4, 4, 9, 2, 12]
    lrs = {}
    for lib in (mg, torch):
        optimizer = optimizer_of(lib, "sgd")
        scheduler = getattr(lib.optim.lr_scheduler, name)(optimizer, **options)
        seen = []
        for epoch in epochs:
            optimizer.step()
            with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step"):
                scheduler.step(epoch)
            seen.append(scheduler.get_last_lr())
        lrs[lib] = seen
    np.testing.assert_allclose(lrs[mg], lrs[torch], rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("last_epoch", [0, 4])
@pytest.mark.parametrize("name, options", [("StepLR", {"step_size": 3}),
                                           ("ExponentialLR", {"gamma": 0.8}),
                                           ("CosineAnnealingLR", {"T_max": 6}),
                                           ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1,
                                                             "step_size_up": 3})])
def test_a_scheduler_built_with_last_epoch_continues_as_torchs(name, options, last_epoch):
    lrs = {}
    for lib in (mg, torch):
        optimizer = optimizer_of(lib, "momentum")
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"] * 2
        scheduler = getattr(lib.optim.lr_scheduler, name)(optimizer, last_epoch=last_epoch,
                                                          **options)
        seen = [scheduler.get_last_lr()]
        for _ in range(12):
            optimizer.step()
            scheduler.step()
            seen.append(scheduler.get_last_lr())
        lrs[lib] = seen
    np.testing.assert_allclose(lrs[mg], lrs[torch], rtol=1e-12, atol=1e-300)


def test_resuming_with_last_epoch_needs_initial_lr():
    optimizer = optimizer_of(mg, "sgd")
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\]"):
        mg.optim.lr_scheduler.StepLR(optimizer, step_size=2, last_epoch=3)


# -- ReduceLROnPlateau ---------------------------------------------------------------------------
METRICS = [1 / (1 + k / 5) for k in range(15)] + [0.25 + 0.001 * ((k * 7) % 5) for k in range(45)]
PLATEAU_OPTIONS = [
    {},
    {"patience": 2},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.05, "cooldown": 3, "factor": 0.5,
     "min_lr": [0.01, 0.002], "patience": 1},
    {"patience": 0, "factor": 0.7, "min_lr": 0.03, "eps": 0.004},
    {"threshold": 0.0, "threshold_mode": "abs", "cooldown": 2, "patience": 3},
]


def plateau_run(lib, options, resume_at=None, tmp_path=None):
    optimizer = optimizer_of(lib, "sgd")
    scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **options)
    metrics = METRICS if options.get("mode") != "max" else [-m for m in METRICS]
    seen = []
    for step, metric in enumerate(metrics):
        if step == resume_at:
            saved = scheduler.state_dict()
            if lib is mg:
                mg.save(saved, tmp_path / "plateau.pt")
                saved = mg.load(tmp_path / "plateau.pt")
            scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **options)
            scheduler.load_state_dict(saved)
        optimizer.step()
        scheduler.step(lib.tensor(metric) if step % 2 else metric)  # a 0-d tensor or a number
        seen.append(scheduler.get_last_lr() + [scheduler.best, scheduler.num_bad_epochs,
                                               scheduler.cooldown_counter, scheduler.last_epoch])
    return seen


@pytest.mark.parametrize("options", PLATEAU_OPTIONS, ids=str)
def test_reduce_lr_on_plateau_follows_torch_on_a_fixed_metric_sequence(options, tmp_path):
    theirs = plateau_run(torch, options)
    assert len({tuple(row[:2]) for row in theirs}) > 1 or not options  # it does reduce
    np.testing.assert_allclose(plateau_run(mg, options), theirs, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(plateau_run(mg, options, resume_at=25, tmp_path=tmp_path), theirs,
                               rtol=1e-12, atol=1e-300)


def test_reduce_lr_on_plateau_with_an_epoch_warns_as_torch():
    for lib in (mg, torch):
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(optimizer_of(lib, "sgd"))
        with pytest.warns(UserWarning, match="The epoch parameter"):
            scheduler.step(1.0, epoch=5)
        assert scheduler.last_epoch == 5


# -- warnings ------------------------------------------------------------------------------------
def warnings_of(call, *args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call(*args)
    return [str(w.message) for w in caught]


def steps(optimizer, scheduler, optimizer_first):
    if optimizer_first:
        optimizer.step()
    scheduler.step()
    optimizer.step()
    scheduler.step()


@pytest.mark.parametrize("order", ["scheduler first", "optimizer first"])
@pytest.mark.parametrize("name", CASES)
def test_stepping_the_scheduler_before_the_optimizer_warns_as_torch(name, order):
    said = {}
    for lib in (mg, torch):
        kind, factory = CASES[name]
        optimizer = optimizer_of(lib, kind)
        scheduler = factory(lib.optim.lr_scheduler, optimizer)

        said[lib] = warnings_of(steps, optimizer, scheduler, order == "optimizer first")
    assert said[mg] == said[torch]


def test_an_optimizer_step_replaced_after_the_scheduler_warns_as_torch():
    said = {}
    for lib in (mg, torch):
        optimizer = optimizer_of(lib, "sgd")
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=2)
        optimizer.step = lambda closure=None: None
        said[lib] = warnings_of(steps, optimizer, scheduler, True)
    assert said[mg] == said[torch]
    assert said[mg] and said[mg][0].startswith("Seems like `optimizer.step()` has been overridden")


@pytest.mark.parametrize("name", ["LambdaLR", "StepLR", "CosineAnnealingLR", "CyclicLR",
                                  "OneCycleLR", "CosineAnnealingWarmRestarts"])
def test_calling_get_lr_outside_step_warns_as_torch(name):
    said = {}
    for lib in (mg, torch):
        kind, factory = CASES[name]
        scheduler = factory(lib.optim.lr_scheduler, optimizer_of(lib, kind))
        said[lib] = warnings_of(scheduler.get_lr)
    assert said[mg] == said[torch] == ["To get the last learning rate computed by the scheduler, "
                                       "please use `get_last_lr()`."]


# -- subclasses ----------------------------------------------------------------------------------
def warm_up_then_halve(base):
    """A user's scheduler: get_lr() alone, on PyTorch's base class or minigrad's."""
    class WarmUpThenHalve(base):
        def __init__(self, optimizer, warm_up, last_epoch=-1):
            self.warm_up = warm_up
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            if self.last_epoch < self.warm_up:
                return [b * (self.last_epoch + 1) / self.warm_up for b in self.base_lrs]
            return [g["lr"] * (0.5 if self.last_epoch % 5 == 0 else 1.0)
                    for g in self.optimizer.param_groups]
    return WarmUpThenHalve


@pytest.mark.parametrize("base", ["LRScheduler", "_LRScheduler"])
def test_a_subclass_that_overrides_get_lr_works_as_in_torch(base):
    lrs = {}
    for lib in (mg, torch):
        optimizer = optimizer_of(lib, "sgd")
        scheduler = warm_up_then_halve(getattr(lib.optim.lr_scheduler, base))(optimizer, 4)
        seen = [scheduler.get_last_lr()]
        for step in range(30):
            if step == 12:  # resume from its state_dict
                again = warm_up_then_halve(getattr(lib.optim.lr_scheduler, base))(optimizer, 4)
                again.load_state_dict(scheduler.state_dict())
                scheduler = again
            optimizer.step()
            scheduler.step()
            seen.append(scheduler.get_last_lr())
        lrs[lib] = seen
    np.testing.assert_allclose(lrs[mg], lrs[torch], rtol=1e-12, atol=1e-300)
    ours = mg.optim.lr_scheduler
    assert issubclass(ours._LRScheduler, ours.LRScheduler)
    assert ours._LRScheduler.__name__ == "_LRScheduler"


def test_the_base_class_without_get_lr_raises_not_implemented():
    for lib in (mg, torch):
        with pytest.raises(NotImplementedError):
            lib.optim.lr_scheduler.LRScheduler(optimizer_of(lib, "sgd"))


# -- bad arguments -------------------------------------------------------------------------------
def other_optimizer(lib, kind):
    return lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)


def adagrad(lib):
    return lib.optim.Adagrad([lib.zeros(1, requires_grad=True)])


# (optimizer kind or builder, factory, whether the message names an optimizer's repr)
BAD = {
    "LambdaLR-count": ("sgd", lambda L, o: L.LambdaLR(o, [lambda e: 1.0])),
    "LambdaLR-not-callable": ("sgd", lambda L, o: L.LambdaLR(o, 0.5)),
    "MultiplicativeLR-not-callable": ("sgd", lambda L, o: L.MultiplicativeLR(o, 0.5)),
    "MultiplicativeLR-count": ("sgd", lambda L, o: L.MultiplicativeLR(o, [lambda e: 1.0] * 3)),
    "StepLR-not-optimizer": ("sgd", lambda L, o: L.StepLR([1, 2], step_size=2)),
    "ConstantLR-factor-high": ("sgd", lambda L, o: L.ConstantLR(o, factor=1.5)),
    "ConstantLR-factor-low": ("sgd", lambda L, o: L.ConstantLR(o, factor=-0.1)),
    "LinearLR-start-zero": ("sgd", lambda L, o: L.LinearLR(o, start_factor=0.0)),
    "LinearLR-start-high": ("sgd", lambda L, o: L.LinearLR(o, start_factor=1.5)),
    "LinearLR-end-high": ("sgd", lambda L, o: L.LinearLR(o, end_factor=1.5)),
    "LinearLR-end-low": ("sgd", lambda L, o: L.LinearLR(o, end_factor=-1.0)),
    "WarmRestarts-T_0-zero": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0)),
    "WarmRestarts-T_0-float": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2.5)),
    "WarmRestarts-T_mult-zero": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(o, 2, T_mult=0)),
    "WarmRestarts-T_mult-float": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(o, 2, 1.5)),
    "WarmRestarts-eta_min-str": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(
        o, 2, eta_min="0")),
    "WarmRestarts-negative-epoch": ("sgd", lambda L, o: L.CosineAnnealingWarmRestarts(o, 2).step(-1)),
    "CyclicLR-base_lr-count": ("momentum", lambda L, o: L.CyclicLR(o, [0.1], 1.0)),
    "CyclicLR-max_lr-count": ("momentum", lambda L, o: L.CyclicLR(o, 0.1, [1.0, 2.0, 3.0])),
    "CyclicLR-mode": ("momentum", lambda L, o: L.CyclicLR(o, 0.1, 1.0, mode="square")),
    "CyclicLR-no-momentum": (adagrad, lambda L, o: L.CyclicLR(o, 0.1, 1.0)),
    "CyclicLR-momentum-count": ("momentum", lambda L, o: L.CyclicLR(o, 0.1, 1.0,
                                                                     base_momentum=[0.8])),
    "OneCycleLR-no-length": ("momentum", lambda L, o: L.OneCycleLR(o, 1.0)),
    "OneCycleLR-epochs-only": ("momentum", lambda L, o: L.OneCycleLR(o, 1.0, epochs=3)),
    "OneCycleLR-total-zero": ("momentum", lambda L, o: L.OneCycleLR(o, 1.0, total_steps=0)),
    "OneCycleLR-total-float": ("momentum", lambda L, o: L.OneCycleLR(o, 1.0, total_steps=2.5)),
    "OneCycleLR-epochs-zero": ("momentum", lambda L, o: L.OneCycleLR(o, 1.0, epochs=0,
                                                                      steps_per_epoch=3)),
    "OneCycleLR-steps-float": ("momentum", lambda L, o: L.OneCycleLR(o, 1.0, epochs=2,
                                                                      steps_per_epoch=1.5)),
    "OneCycleLR-pct-high": ("momentum", lambda L, o: L.OneCycleLR(o, 1.0, 10, pct_start=1.5)),
    "OneCycleLR-pct-int": ("momentum", lambda L, o: L.OneCycleLR(o, 1.0, 10, pct_start=1)),
    "OneCycleLR-anneal": ("momentum", lambda L, o: L.OneCycleLR(o, 1.0, 10,
                                                                 anneal_strategy="cosine")),
    "OneCycleLR-no-momentum": (adagrad, lambda L, o: L.OneCycleLR(o, 1.0, 10)),
    "OneCycleLR-max_lr-count": ("momentum", lambda L, o: L.OneCycleLR(o, [1.0], 10)),
    "Plateau-factor": ("sgd", lambda L, o: L.ReduceLROnPlateau(o, factor=1.0)),
    "Plateau-mode": ("sgd", lambda L, o: L.ReduceLROnPlateau(o, mode="lower")),
    "Plateau-threshold_mode": ("sgd", lambda L, o: L.ReduceLROnPlateau(o, threshold_mode="pct")),
    "Plateau-min_lr-count": ("sgd", lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1])),
    "Plateau-not-optimizer": ("sgd", lambda L, o: L.ReduceLROnPlateau("sgd")),
    "SequentialLR-empty": ("sgd", lambda L, o: L.SequentialLR(o, [], [])),
    "SequentialLR-milestones": ("sgd", lambda L, o: L.SequentialLR(
        o, [L.StepLR(o, 2), L.ExponentialLR(o, 0.9)], milestones=[2, 4])),
    "SequentialLR-plateau": ("sgd", lambda L, o: L.SequentialLR(
        o, [L.StepLR(o, 2), L.ReduceLROnPlateau(o)], milestones=[2])),
    "SequentialLR-not-scheduler": ("sgd", lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), 3], [2])),
    "ChainedScheduler-empty": ("sgd", lambda L, o: L.ChainedScheduler([])),
    "ChainedScheduler-plateau": ("sgd", lambda L, o: L.ChainedScheduler([L.ReduceLROnPlateau(o)])),
}
# the message names the other optimizer (its repr is minigrad's or PyTorch's): the type and the
# start of the message are compared
OTHER_OPTIMIZER = {
    "SequentialLR-other-optimizer": lambda L, o, other: L.SequentialLR(
        o, [L.StepLR(o, 2), L.StepLR(other, 2)], milestones=[2]),
    "ChainedScheduler-other-optimizer": lambda L, o, other: L.ChainedScheduler(
        [L.StepLR(o, 2), L.StepLR(other, 2)]),
}


def error_of(call, *args):
    try:
        call(*args)
    except Exception as error:  # whatever it is, the test compares it
        return error
    return None


@pytest.mark.parametrize("name", BAD)
def test_a_bad_argument_raises_torchs_error(name):
    kind, factory = BAD[name]
    errors = {}
    for lib in (mg, torch):
        optimizer = kind(lib) if callable(kind) else optimizer_of(lib, kind)
        errors[lib] = error_of(factory, lib.optim.lr_scheduler, optimizer)
    ours, theirs = errors[mg], errors[torch]
    assert theirs is not None and ours is not None, (ours, theirs)
    assert type(ours) is type(theirs), (ours, theirs)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", OTHER_OPTIMIZER)
def test_schedulers_of_another_optimizer_raise_torchs_error(name):
    errors = {}
    for lib in (mg, torch):
        optimizer, other = optimizer_of(lib, "sgd"), other_optimizer(lib, "sgd")
        errors[lib] = error_of(OTHER_OPTIMIZER[name], lib.optim.lr_scheduler, optimizer, other)
    ours, theirs = errors[mg], errors[torch]
    assert type(ours) is type(theirs) is ValueError
    assert str(ours).split(" has ")[0] == str(theirs).split(" has ")[0]


def test_a_multistep_state_dict_saves_with_mg_save(tmp_path):
    optimizer = optimizer_of(mg, "sgd")
    scheduler = mg.optim.lr_scheduler.MultiStepLR(optimizer, [3, 3, 7])
    mg.save(scheduler.state_dict(), tmp_path / "s.pt")
    again = mg.optim.lr_scheduler.MultiStepLR(optimizer, [1])
    again.load_state_dict(mg.load(tmp_path / "s.pt"))
    assert again.milestones == scheduler.milestones and type(again.milestones) is type(
        scheduler.milestones)


class Decay:
    """A callable object: its attributes are state, saved by a LambdaLR's state_dict."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate ** epoch


@pytest.mark.parametrize("name", ["LambdaLR", "MultiplicativeLR"])
def test_a_callable_objects_attributes_are_saved_as_torch_saves_them(name):
    states = {}
    for lib in (mg, torch):
        optimizer = optimizer_of(lib, "sgd")
        scheduler = getattr(lib.optim.lr_scheduler, name)(optimizer, [Decay(0.5), lambda e: 0.9])
        states[lib] = scheduler.state_dict()["lr_lambdas"]
        again = getattr(lib.optim.lr_scheduler, name)(optimizer, [Decay(0.1), lambda e: 0.9])
        again.load_state_dict(scheduler.state_dict())
        assert again.lr_lambdas[0].rate == 0.5
    assert states[mg] == states[torch] == [{"rate": 0.5}, None]


def test_every_scheduler_torch_names_exists():
    for name in torch.optim.lr_scheduler.__all__:
        assert isinstance(getattr(mg.optim.lr_scheduler, name), type), name
