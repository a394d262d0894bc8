"""nn.utils against PyTorch's numbers: clip_grad_norm_ (every norm order, clipping or not,
non-finite norms), get_total_norm, clip_grads_with_norm_, clip_grad_value_,
parameters_to_vector and vector_to_parameters."""
import math

import numpy as np
import pytest

import minigrad as mg
import nn
from minigrad import engine

torch = pytest.importorskip("torch")


def pair(seed=0, shapes=((3, 4), (4,), (2, 2, 2)), scale=1.0):
    """The same parameters with the same gradients, in minigrad and in PyTorch."""
    rng = np.random.default_rng(seed)
    ours, theirs = [], []
    for shape in shapes:
        value = rng.normal(size=shape).astype(np.float32)
        grad = (scale * rng.normal(size=shape)).astype(np.float32)
        p = nn.Parameter(value.copy())
        p.grad = mg.tensor(grad.copy())
        t = torch.nn.Parameter(torch.tensor(value))
        t.grad = torch.tensor(grad)
        ours.append(p)
        theirs.append(t)
    return ours, theirs


def assert_same_grads(ours, theirs, rtol=1e-6):
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, 0.5])
@pytest.mark.parametrize("max_norm", [0.1, 1e3])
def test_clip_grad_norm_returns_pytorchs_total_and_scales_as_pytorch(norm_type, max_norm):
    ours, theirs = pair()
    total = nn.utils.clip_grad_norm_(iter(ours), max_norm, norm_type)
    their_total = torch.nn.utils.clip_grad_norm_(iter(theirs), max_norm, norm_type)
    assert isinstance(total, mg.Tensor) and total.shape == () and total.dtype == np.float32
    np.testing.assert_allclose(total.item(), their_total.item(), rtol=1e-6)
    assert_same_grads(ours, theirs)


def test_clip_grad_norm_takes_one_tensor_skips_missing_grads_and_accepts_foreach():
    ours, theirs = pair()
    ours[1].grad, theirs[1].grad = None, None
    for foreach in (None, False, True):
        o, t = pair()
        o[1].grad, t[1].grad = None, None
        total = nn.utils.clip_grad_norm_(o, 0.5, foreach=foreach)
        their_total = torch.nn.utils.clip_grad_norm_(t, 0.5, foreach=foreach)
        np.testing.assert_allclose(total.item(), their_total.item(), rtol=1e-6)
    single = nn.utils.clip_grad_norm_(ours[0], 0.5)
    their_single = torch.nn.utils.clip_grad_norm_(theirs[0], 0.5)
    np.testing.assert_allclose(single.item(), their_single.item(), rtol=1e-6)
    assert nn.utils.clip_grad_norm_([], 1.0).item() == torch.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_a_non_finite_norm_raises_pytorchs_error_or_scales_as_pytorch(bad):
    ours, theirs = pair()
    ours[0].grad.data[0, 0] = bad
    theirs[0].grad[0, 0] = bad
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    total = nn.utils.clip_grad_norm_(ours, 1.0)
    their_total = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_equal(total.item(), their_total.item())
    for p, t in zip(ours, theirs):
        np.testing.assert_equal(p.grad.data, t.grad.numpy())


def test_get_total_norm_and_clip_grads_with_norm_compose_into_clip_grad_norm_():
    ours, theirs = pair(3)
    total = nn.utils.get_total_norm([p.grad for p in ours], 3.0)
    their_total = torch.nn.utils.get_total_norm([t.grad for t in theirs], 3.0)
    np.testing.assert_allclose(total.item(), their_total.item(), rtol=1e-6)
    nn.utils.clip_grads_with_norm_(ours, 0.2, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 0.2, their_total)
    assert_same_grads(ours, theirs)


def test_clipping_writes_the_gradients_in_place_and_bumps_their_version():
    ours, _ = pair()
    array, before = ours[0].grad.data, engine.counter_of(ours[0].grad)[0]
    nn.utils.clip_grad_norm_(ours, 0.01)
    assert ours[0].grad.data is array and engine.counter_of(ours[0].grad)[0] == before + 1


@pytest.mark.parametrize("clip_value", [0.3, 2, 10.0])
def test_clip_grad_value_clamps_as_pytorch(clip_value):
    ours, theirs = pair(1, scale=2.0)
    assert nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    assert_same_grads(ours, theirs, rtol=0)


def test_parameters_to_vector_and_back_as_pytorch():
    ours, theirs = pair(2)
    vector = nn.utils.parameters_to_vector(ours)
    np.testing.assert_array_equal(vector.data, torch.nn.utils.parameters_to_vector(theirs).detach().numpy())
    new = np.arange(vector.shape[0], dtype=np.float32)
    nn.utils.vector_to_parameters(mg.tensor(new), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs)
    for p, t in zip(ours, theirs):
        np.testing.assert_array_equal(p.data, t.detach().numpy())
        assert p.shape == tuple(t.shape)


def test_vector_to_parameters_refuses_a_non_tensor_and_a_short_vector():
    with pytest.raises(TypeError, match="expected torch.Tensor"):
        torch.nn.utils.vector_to_parameters([1.0], [])
    with pytest.raises(TypeError, match="expected minigrad.Tensor"):
        nn.utils.vector_to_parameters([1.0], [])
    with pytest.raises(RuntimeError, match=r"shape '\[2\]' is invalid for input of size 1"):
        torch.nn.utils.vector_to_parameters(torch.zeros(1), [torch.nn.Parameter(torch.zeros(2))])
    with pytest.raises(RuntimeError, match=r"shape '\[2\]' is invalid for input of size 1"):
        nn.utils.vector_to_parameters(mg.zeros(1), [nn.Parameter(mg.zeros(2))])


def test_clipping_inside_a_training_step_gives_pytorchs_weights():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(8, 3)).astype(np.float32), rng.normal(size=(8, 1)).astype(np.float32)
    ours = nn.Linear(3, 1)
    theirs = torch.nn.Linear(3, 1)
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})
    for _ in range(3):
        ((ours(mg.tensor(x)) - mg.tensor(y)) ** 2).mean().backward()
        ((theirs(torch.tensor(x)) - torch.tensor(y)) ** 2).mean().backward()
        nn.utils.clip_grad_norm_(ours.parameters(), 0.05)
        torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.05)
        for p, t in zip(ours.parameters(), theirs.parameters()):
            p.data -= 0.5 * p.grad.data
            t.data -= 0.5 * t.grad
            p.grad, t.grad = None, None
    for p, t in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-5, atol=1e-6)
