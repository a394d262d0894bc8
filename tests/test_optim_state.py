"""Optimizers against PyTorch beyond the per-step trajectories: LBFGS with its closure, the
state_dict's layout, resuming from a checkpoint, closures, parameter groups, the flags."""
import numpy as np
import pytest

import minigrad as mg
import nn

torch = pytest.importorskip("torch")

START = np.array([-1.5, 2.0, -0.5, 1.0, 0.3])


def rosenbrock(x):
    # sum of 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2: a curved valley, its minimum at all ones
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def lbfgs_run(library, optim_cls, steps, start=START, **options):
    x = library.tensor(start.copy(), requires_grad=True)
    optimizer = optim_cls([x], **options)

    def closure():
        optimizer.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    path, losses = [], []
    for _ in range(steps):
        losses.append(float(optimizer.step(closure).detach()))
        path.append(x.detach().numpy().copy())
    return np.array(path), losses, optimizer


@pytest.mark.parametrize("options", [
    {"line_search_fn": "strong_wolfe"}, {"line_search_fn": "strong_wolfe", "history_size": 3},
    {"line_search_fn": "strong_wolfe", "max_iter": 4, "lr": 0.5},
    {"lr": 0.02, "max_iter": 5}, {"lr": 0.01, "history_size": 2, "max_eval": 7},
], ids=["wolfe", "wolfe-history3", "wolfe-lr0.5-iter4", "fixed-step", "fixed-step-history2"])
def test_lbfgs_on_rosenbrock_matches_torch(options):
    ours, our_losses, optimizer = lbfgs_run(mg, nn.optim.LBFGS, 8, **options)
    theirs, their_losses, their_optimizer = lbfgs_run(torch, torch.optim.LBFGS, 8, **options)
    # float64 all the way: the two differ only by rounding (dot products summed in another
    # order), which the line search's comparisons can amplify a little
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-7, atol=1e-12)
    state, their_state = optimizer.state_dict()["state"][0], their_optimizer.state_dict()["state"][0]
    assert (state["func_evals"], state["n_iter"]) == (their_state["func_evals"], their_state["n_iter"])
    assert len(state["old_dirs"]) == len(their_state["old_dirs"])


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_to_float64_precision_matches_torch(line_search_fn):
    # the 2-d valley from its classic start, with tolerances for float64 (1e-12, 1e-15)
    options = {"line_search_fn": line_search_fn, "tolerance_grad": 1e-12, "tolerance_change": 1e-15,
               "lr": 1 if line_search_fn else 0.05, "max_iter": 10}
    start = np.array([-1.2, 1.0])
    ours, our_losses, _ = lbfgs_run(mg, nn.optim.LBFGS, 6, start=start, **options)
    theirs, their_losses, _ = lbfgs_run(torch, torch.optim.LBFGS, 6, start=start, **options)
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-7, atol=1e-14)


def test_lbfgs_with_strong_wolfe_reaches_the_minimum():
    # from the classic start (-1.2, 1) of the 2-d valley (in 5 dimensions, START leads to
    # the local minimum near (-0.96, 0.94, ...), for PyTorch as here)
    # with tolerances for float64 (the defaults stop near 1e-5 of it)
    path, losses, _ = lbfgs_run(mg, nn.optim.LBFGS, 10, start=np.array([-1.2, 1.0]),
                                line_search_fn="strong_wolfe", tolerance_grad=1e-12,
                                tolerance_change=1e-15)
    np.testing.assert_allclose(path[-1], np.ones(2), atol=1e-8)
    assert losses[-1] < 1e-16


def test_lbfgs_needs_a_closure_and_one_group_as_in_torch():
    for library, optim in ((mg, nn.optim), (torch, torch.optim)):
        p = library.zeros(2, requires_grad=True)
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'closure'"):
            optim.LBFGS([p]).step()
        q = library.zeros(1, requires_grad=True)
        with pytest.raises(ValueError, match=r"^LBFGS doesn't support per-parameter options"):
            optim.LBFGS([{"params": [p]}, {"params": [q]}])


def test_an_unknown_line_search_is_refused_at_construction():
    # PyTorch raises this RuntimeError at the first step; here the error is both types
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        nn.optim.LBFGS([mg.zeros(2, requires_grad=True)], line_search_fn="armijo")
    with pytest.raises(ValueError, match="only 'strong_wolfe' is supported"):
        nn.optim.LBFGS([mg.zeros(2, requires_grad=True)], line_search_fn="armijo")


# one option set per optimizer that fills every state entry it has
RESUMABLE = {
    "SGD": {"lr": 0.01, "momentum": 0.9, "nesterov": True}, "Adam": {"lr": 0.01, "amsgrad": True},
    "AdamW": {"lr": 0.01}, "RMSprop": {"lr": 0.001, "momentum": 0.5, "centered": True},
    "Adagrad": {"lr": 0.05, "lr_decay": 0.01}, "Adadelta": {}, "Adamax": {"lr": 0.01},
    "NAdam": {"lr": 0.01}, "RAdam": {"lr": 0.01}, "ASGD": {"lr": 0.01, "t0": 10},
    "Rprop": {"lr": 0.001},
}
RNG = np.random.default_rng(0)
X, T = RNG.standard_normal((8, 3)), RNG.standard_normal((8, 2))
W0, B0 = RNG.standard_normal((3, 2)), RNG.standard_normal(2)


def regression_loss(library, w, b):
    h = (library.tensor(X) @ w + b).tanh()
    return ((h - library.tensor(T)) ** 2).sum() + (w ** 4).sum() * 0.01


def train(optimizer, w, b, steps, library=mg):
    for _ in range(steps):
        optimizer.zero_grad()
        regression_loss(library, w, b).backward()
        optimizer.step()


def parameters(library=mg, w=W0, b=B0):
    return library.tensor(w.copy(), requires_grad=True), library.tensor(b.copy(), requires_grad=True)


@pytest.mark.parametrize("name", list(RESUMABLE))
def test_resuming_from_a_saved_state_continues_bit_identically(name, tmp_path):
    optim_cls, options = getattr(nn.optim, name), RESUMABLE[name]
    w, b = parameters()
    straight = optim_cls([{"params": [w]}, {"params": [b], "lr": 0.003}], **options)
    train(straight, w, b, 50)
    u, v = parameters()
    first = optim_cls([{"params": [u]}, {"params": [v], "lr": 0.003}], **options)
    train(first, u, v, 20)
    mg.save({"optimizer": first.state_dict(), "w": u, "b": v}, tmp_path / "checkpoint.pt")
    checkpoint = mg.load(tmp_path / "checkpoint.pt")
    u2, v2 = parameters(w=checkpoint["w"].numpy(), b=checkpoint["b"].numpy())
    resumed = optim_cls([{"params": [u2]}, {"params": [v2], "lr": 0.5}], **options)
    resumed.load_state_dict(checkpoint["optimizer"])
    train(resumed, u2, v2, 30)
    np.testing.assert_array_equal(u2.data, w.data)
    np.testing.assert_array_equal(v2.data, b.data)
    assert resumed.param_groups[1]["lr"] == 0.003


def test_lbfgs_resumes_bit_identically(tmp_path):
    straight, _, _ = lbfgs_run(mg, nn.optim.LBFGS, 6, lr=0.5, max_iter=3, line_search_fn="strong_wolfe")
    first_path, _, first = lbfgs_run(mg, nn.optim.LBFGS, 2, lr=0.5, max_iter=3,
                                     line_search_fn="strong_wolfe")
    mg.save(first.state_dict(), tmp_path / "lbfgs.pt")
    x = mg.tensor(first_path[-1].copy(), requires_grad=True)
    resumed = nn.optim.LBFGS([x], lr=0.5, max_iter=3, line_search_fn="strong_wolfe")
    resumed.load_state_dict(mg.load(tmp_path / "lbfgs.pt"))

    def closure():
        resumed.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    for _ in range(4):
        resumed.step(closure)
    np.testing.assert_array_equal(x.data, straight[-1])


@pytest.mark.parametrize("name", list(RESUMABLE))
def test_state_dict_is_laid_out_as_torch_lays_it_out(name):
    options = RESUMABLE[name]
    w, b = parameters()
    tw, tb = parameters(torch)
    ours = getattr(nn.optim, name)([{"params": [w]}, {"params": [b], "lr": 0.003}], **options)
    theirs = getattr(torch.optim, name)([{"params": [tw]}, {"params": [tb], "lr": 0.003}], **options)
    train(ours, w, b, 3)
    train(theirs, tw, tb, 3, library=torch)
    mine, their = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(their) == ["state", "param_groups"]
    assert mine["param_groups"] == their["param_groups"]
    assert list(mine["state"]) == list(their["state"]) == [0, 1]
    for index in (0, 1):
        assert list(mine["state"][index]) == list(their["state"][index])
        for key, value in their["state"][index].items():
            got = mine["state"][index][key]
            assert isinstance(got, mg.Tensor), key
            assert got.shape == tuple(value.shape) and str(got.dtype) == str(value.dtype).split(".")[1], key
            np.testing.assert_allclose(got.numpy(), value.numpy(), rtol=1e-9, err_msg=key)


def test_state_dict_is_a_copy_and_loading_casts_to_the_parameters_dtype():
    w = mg.zeros(3, dtype=mg.float32, requires_grad=True)
    optimizer = nn.optim.Adam([w], lr=0.1)
    w.grad = mg.ones(3)
    optimizer.step()
    saved = optimizer.state_dict()
    optimizer.step()
    assert saved["state"][0]["step"].item() == 1.0  # the later step did not change it
    saved["state"][0]["exp_avg"] = mg.tensor(np.ones(3))  # float64
    optimizer.load_state_dict(saved)
    assert optimizer.state[w]["exp_avg"].dtype == np.float32
    assert optimizer.state[w]["step"] == 1


def test_loading_a_state_of_another_shape_raises_torchs_errors():
    a, b = mg.zeros(2, requires_grad=True), mg.zeros(2, requires_grad=True)
    for library, optim in ((mg, nn.optim), (torch, torch.optim)):
        p, q = library.zeros(2, requires_grad=True), library.zeros(2, requires_grad=True)
        saved = optim.SGD([p, q], lr=0.1).state_dict()
        with pytest.raises(ValueError, match="^loaded state dict contains a parameter group that "
                                             "doesn't match the size of optimizer's group$"):
            optim.SGD([p], lr=0.1).load_state_dict(saved)
        with pytest.raises(ValueError, match="^loaded state dict has a different number of "
                                             "parameter groups$"):
            optim.SGD([{"params": [p]}, {"params": [q]}], lr=0.1).load_state_dict(saved)
    assert a.grad is None and b.grad is None


@pytest.mark.parametrize("name", list(RESUMABLE) + ["LBFGS"])
def test_step_returns_the_closures_loss_computed_with_grad_enabled(name):
    w, b = parameters()
    optimizer = getattr(nn.optim, name)([w, b], **RESUMABLE.get(name, {}))
    calls = []

    def closure():
        optimizer.zero_grad()
        loss = regression_loss(mg, w, b)
        loss.backward()
        calls.append(loss)
        return loss

    start = w.data.copy()
    with mg.no_grad():
        loss = optimizer.step(closure)
    assert loss is calls[0]
    assert not np.array_equal(w.data, start)
    if name != "LBFGS":
        assert optimizer.step() is None


def test_parameter_groups_errors_match_torch():
    for library, optim in ((mg, nn.optim), (torch, torch.optim)):
        p, q = library.zeros(2, requires_grad=True), library.zeros(2, requires_grad=True)
        optimizer = optim.SGD([p], lr=0.1)
        with pytest.raises(ValueError, match="^some parameters appear in more than one parameter group$"):
            optimizer.add_param_group({"params": [q, p]})
        with pytest.raises(TypeError, match="^param_group must be a dict, but got <class 'list'>$"):
            optimizer.add_param_group([q])
        with pytest.raises(TypeError, match="ordered collections"):
            optimizer.add_param_group({"params": {q}})
        with pytest.raises(TypeError, match="^optimizer can only optimize Tensors, but one of the "
                                            "params is int$"):
            optimizer.add_param_group({"params": [3]})
        with pytest.raises(ValueError, match="^can't optimize a non-leaf Tensor$"):
            optimizer.add_param_group({"params": [q * 2]})
        assert len(optimizer.param_groups) == 1
        optimizer.add_param_group({"params": q, "momentum": 0.9})
        assert optimizer.param_groups[1]["momentum"] == 0.9 and optimizer.param_groups[1]["lr"] == 0.1


def test_named_parameters_give_param_names_as_in_torch():
    model, their_model = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    ours = nn.optim.Adam(model.named_parameters(), lr=0.01)
    theirs = torch.optim.Adam(their_model.named_parameters(), lr=0.01)
    assert ours.param_groups[0]["param_names"] == theirs.param_groups[0]["param_names"]
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]
    with pytest.raises(ValueError, match="all optimizer param groups should be with/without names"):
        ours.add_param_group({"params": [mg.zeros(1, requires_grad=True)]})


FLAG_CASES = [  # (optimizer, flags): what PyTorch raises, and when (construction or step)
    ("SGD", {"fused": True, "foreach": True}), ("Adam", {"fused": True, "differentiable": True}),
    ("Adagrad", {"fused": True, "foreach": True}), ("AdamW", {"fused": True, "foreach": True}),
]


@pytest.mark.parametrize("name, flags", FLAG_CASES)
def test_conflicting_flags_raise_torchs_error(name, flags):
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **flags)
    with pytest.raises(RuntimeError) as ours:
        getattr(nn.optim, name)([mg.zeros(2, requires_grad=True)], **flags)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", ["SGD", "Adam", "Adadelta", "NAdam", "RAdam", "ASGD", "Rprop"])
@pytest.mark.parametrize("flag", ["differentiable", "capturable"])
def test_differentiable_and_capturable_fail_where_torch_fails_on_the_cpu(name, flag):
    import inspect
    if flag not in inspect.signature(getattr(torch.optim, name)).parameters:
        with pytest.raises(TypeError, match="unexpected keyword argument"):
            getattr(nn.optim, name)([mg.zeros(2, requires_grad=True)], **{flag: True})
        return
    p = torch.zeros(2, requires_grad=True)
    optimizer = getattr(torch.optim, name)([p], **{flag: True})
    p.grad = torch.ones(2)
    with pytest.raises((RuntimeError, AssertionError)) as theirs:
        optimizer.step()
    with pytest.raises(type(theirs.value), match=flag) as ours:  # at construction here
        getattr(nn.optim, name)([mg.zeros(2, requires_grad=True)], **{flag: True})
    assert isinstance(ours.value, ValueError)


@pytest.mark.parametrize("name", ["RMSprop", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "Rprop",
                                  "LBFGS"])
def test_fused_is_refused_where_torch_has_no_fused_version(name):
    with pytest.raises(TypeError, match="unexpected keyword argument 'fused'"):
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], fused=True)
    with pytest.raises(TypeError, match="unexpected keyword argument 'fused'"):
        getattr(nn.optim, name)([mg.zeros(2, requires_grad=True)], fused=True)
