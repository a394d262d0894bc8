"""Optimizers without PyTorch: regularization equivalences, state_dict, errors, the notes' J(w)."""
import numpy as np
import pytest
from optim_rows import BAD_IDS, BAD_OPTIONS, GOOD_OPTIONS, NAN, build

import minigrad as mg
import nn


def quadratic_problem(seed=0):
    rng = np.random.default_rng(seed)
    x, t = mg.tensor(rng.standard_normal((10, 3))), mg.tensor(rng.standard_normal((10, 1)))
    w = mg.tensor(rng.standard_normal((3, 1)), requires_grad=True)
    return x, t, w


def test_sgd_weight_decay_equals_an_l2_term_of_half_weight_decay():
    x, t, w = quadratic_problem()
    _, _, v = quadratic_problem()
    decayed = nn.optim.SGD([w], lr=0.05, momentum=0.9, weight_decay=0.3)
    penalized = nn.optim.SGD([v], lr=0.05, momentum=0.9)
    for _ in range(30):
        decayed.zero_grad()
        penalized.zero_grad()
        ((x @ w - t) ** 2).mean().backward()
        (((x @ v - t) ** 2).mean() + nn.utils.l2_penalty([v], 0.3)).backward()
        decayed.step()
        penalized.step()
    np.testing.assert_allclose(w.data, v.data, rtol=1e-12)


def test_l2_penalty_written_by_hand_in_one_line_matches_the_helper():
    _, _, w = quadratic_problem()
    by_hand = 0.1 / 2 * sum((p ** 2).sum() for p in [w])
    assert by_hand.item() == pytest.approx(nn.utils.l2_penalty([w], 0.1).item())
    assert nn.utils.l1_penalty([w], 0.1).item() == pytest.approx(0.1 * np.abs(w.data).sum())
    expected = 0.2 * np.abs(w.data).sum() + 0.3 * (w.data ** 2).sum()
    assert nn.utils.elastic_net_penalty([w], l1=0.2, l2=0.3).item() == pytest.approx(expected)


def test_gradient_descent_minimizes_the_notes_quadratic():
    # J(w) = w^2 - 10 w + 25 = (w - 5)^2 has its minimum at w = 5
    w = mg.tensor([0.0], requires_grad=True)
    opt = nn.optim.SGD([w], lr=0.1)
    for _ in range(200):
        opt.zero_grad()
        (w ** 2 - 10 * w + 25).sum().backward()
        opt.step()
    assert w.item() == pytest.approx(5.0, abs=1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                                  "NAdam", "RAdam", "ASGD", "Rprop"])
def test_every_optimizer_descends_and_updates_in_place(name):
    x, t, w = quadratic_problem()
    options = {"SGD": {"lr": 0.05, "momentum": 0.9}, "Adadelta": {"lr": 1.0},
               "Rprop": {"lr": 0.01}}.get(name, {"lr": 0.05})
    opt = getattr(nn.optim, name)([w], **options)
    array = w.data
    first = None
    for _ in range(100):
        opt.zero_grad()
        loss = ((x @ w - t) ** 2).mean()
        first = loss.item() if first is None else first
        loss.backward()
        opt.step()
    assert w.data is array
    assert loss.item() < 0.7 * first


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_optimizer_state_dict_resumes_the_same_trajectory(name):
    options = {"lr": 0.05, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.05}
    x, t, w = quadratic_problem()
    _, _, v = quadratic_problem()

    def run(opt, p, steps):
        for _ in range(steps):
            opt.zero_grad()
            ((x @ p - t) ** 2).mean().backward()
            opt.step()

    straight = getattr(nn.optim, name)([w], **options)
    run(straight, w, 10)
    first = getattr(nn.optim, name)([v], **options)
    run(first, v, 5)
    resumed = getattr(nn.optim, name)([v], **options)
    resumed.load_state_dict(first.state_dict())
    run(resumed, v, 5)
    np.testing.assert_allclose(v.data, w.data, rtol=1e-12)


def test_state_dict_numbers_the_parameters_like_pytorch():
    a, b = mg.zeros(2, requires_grad=True), mg.zeros(3, requires_grad=True)
    opt = nn.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    a.grad, b.grad = mg.ones(2), mg.ones(3)
    opt.step()
    state = opt.state_dict()
    assert [g["params"] for g in state["param_groups"]] == [[0], [1]]
    assert [g["lr"] for g in state["param_groups"]] == [0.1, 0.5]
    assert sorted(state["state"]) == [0, 1]


def test_optimizer_zero_grad_sets_none_and_skips_parameters_without_grad():
    a, b = mg.ones(2, requires_grad=True), mg.ones(2, requires_grad=True)
    opt = nn.optim.Adam([a, b])
    a.grad = mg.ones(2)
    opt.step()
    assert (a.data < 1.0).all()  # a stepped, so b's standing still is the skip
    np.testing.assert_array_equal(b.data, [1.0, 1.0])
    opt.zero_grad()
    assert a.grad is None


def test_bad_parameter_lists_raise_clearly():
    # (the bad hyperparameters are in optim_rows.BAD_OPTIONS)
    p = mg.zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match="single Tensor"):
        nn.optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        nn.optim.SGD([], lr=0.1)


@pytest.mark.parametrize("row", BAD_OPTIONS, ids=BAD_IDS)
def test_an_invalid_hyperparameter_raises_pytorchs_error_at_construction(row):
    with pytest.raises(row.errors[0]) as caught:
        build(nn, row.owner, row.options, mg.zeros(2, requires_grad=True))
    assert all(isinstance(caught.value, error) for error in row.errors), type(caught.value).__mro__
    assert str(caught.value) == row.message


@pytest.mark.parametrize("owner, options", GOOD_OPTIONS, ids=[f"{o}-{v}" for o, v in GOOD_OPTIONS])
def test_hyperparameters_at_the_edges_of_their_range_are_accepted(owner, options):
    built = build(nn, owner, options, mg.zeros(2, requires_grad=True))
    # an optimizer keeps its options in its parameter group, a scheduler as attributes
    kept = built.param_groups[0] if hasattr(nn.optim, owner) else vars(built)
    assert {name: kept[name] for name in options} == options


def test_a_parameter_groups_own_invalid_value_is_refused_too():
    # PyTorch checks only the defaults; a group's own NaN lr would silently make its weights NaN
    a, b = mg.zeros(2, requires_grad=True), mg.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"^Invalid learning rate: nan$"):
        nn.optim.SGD([{"params": [a]}, {"params": [b], "lr": NAN}], lr=0.1)
    opt = nn.optim.Adam([a])
    with pytest.raises(ValueError, match=r"^Invalid beta parameter at index 1: 1.0$"):
        opt.add_param_group({"params": [b], "betas": (0.9, 1.0)})
    assert len(opt.param_groups) == 1


def test_loading_a_state_with_an_invalid_value_raises_and_changes_nothing():
    a, b = mg.zeros(2, requires_grad=True), mg.zeros(2, requires_grad=True)
    opt = nn.optim.RMSprop([{"params": [a]}, {"params": [b]}], lr=0.01)
    saved = opt.state_dict()
    saved["param_groups"][0]["lr"] = 0.5
    saved["param_groups"][1]["alpha"] = NAN
    with pytest.raises(ValueError, match=r"^Invalid alpha value: nan$"):
        opt.load_state_dict(saved)
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.01]
    assert [g["alpha"] for g in opt.param_groups] == [0.99, 0.99]
    scheduler = nn.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with pytest.raises(ValueError, match=r"^Invalid gamma value: -1.0$"):
        scheduler.load_state_dict({**scheduler.state_dict(), "gamma": -1.0})
    assert scheduler.gamma == 0.5


def test_clip_grad_norm_scales_to_the_max_norm_and_returns_the_total():
    a, b = mg.zeros(2, requires_grad=True), mg.zeros(1, requires_grad=True)
    a.grad, b.grad = mg.tensor([3.0, 0.0]), mg.tensor([4.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    norm = np.sqrt((a.grad.data ** 2).sum() + (b.grad.data ** 2).sum())
    assert norm == pytest.approx(1.0, rel=1e-5)


def test_schedulers_follow_their_closed_forms():
    opt = nn.optim.SGD([mg.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = nn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(5):
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [1, 1, 0.1, 0.1, 0.01, 0.01])
    opt = nn.optim.SGD([mg.zeros(1, requires_grad=True)], lr=1.0)
    cosine = nn.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    for _ in range(4):
        cosine.step()
    assert cosine.get_last_lr()[0] == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("order", ["C", "F"])
def test_plain_sgd_step_on_a_big_parameter_is_exact_in_either_layout(order):
    # p - lr * g, in place, in either memory layout (a user may hand in a transposed array).
    rng = np.random.default_rng(0)
    start = np.asarray(rng.standard_normal((300, 700)), dtype=np.float32, order=order)
    grad = np.asarray(rng.standard_normal((300, 700)), dtype=np.float32, order=order)
    p = nn.Parameter(start.copy(order=order))
    p.grad = mg.Tensor(grad)  # wraps the array as it is, layout included
    nn.optim.SGD([p], lr=0.1).step()
    np.testing.assert_array_equal(p.data, start - np.float32(0.1) * grad)
    assert p.data.flags.f_contiguous == (order == "F")


def test_adagrad_state_exists_before_the_first_step_as_in_pytorch():
    p = nn.Parameter(np.zeros(3))
    state = nn.optim.Adagrad([p], initial_accumulator_value=0.5).state_dict()["state"]
    assert state[0]["step"] == 0
    np.testing.assert_array_equal(state[0]["sum"], [0.5, 0.5, 0.5])


def test_the_optimizers_docstring_examples_run():
    import doctest

    from nn.optim import lbfgs, sgd, validation
    for module in (sgd, lbfgs, validation):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.attempted > 0 and result.failed == 0, module.__name__
