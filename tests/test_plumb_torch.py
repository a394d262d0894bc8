"""The plumbing ops beyond what tests/test_ops.py's rows check: which results are views (one
memory, one version counter), PyTorch's errors for bad calls, unique's and nonzero's options,
and the gradients PyTorch documents (scatter: none to what was overwritten)."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F

torch = pytest.importorskip("torch")


def both(array):
    return mg.tensor(array), torch.tensor(array)


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------
VIEWS = {
    "narrow": lambda x: x.narrow(1, 1, 2),
    "select": lambda x: x.select(1, 2),
    "movedim": lambda x: x.movedim(0, 1),
    "swapaxes": lambda x: x.swapaxes(0, 1),
    "swapdims": lambda x: x.swapdims(0, 1),
    "t": lambda x: x.t(),
    "unflatten": lambda x: x.unflatten(1, (2, 2)),
    "view_as": lambda x: x.view_as(x.reshape(4, 3)),
    "expand_as": lambda x: x.expand_as(x.reshape(1, 3, 4).expand(2, 3, 4)),
    "split": lambda x: x.split(2, dim=1)[1],
    "chunk": lambda x: x.chunk(2, dim=1)[0],
    "unbind": lambda x: x.unbind(1)[3],
    "adjoint": lambda x: x.adjoint(),
    "mH": lambda x: x.mH,
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_view_shares_memory_and_version_with_its_base(name):
    x = mg.arange(12.0).reshape(3, 4)
    reference = torch.arange(12.0).reshape(3, 4)
    view, their_view = VIEWS[name](x), VIEWS[name](reference)
    assert view.shape == tuple(their_view.shape)
    before = x._version
    x.add_(1.0) if hasattr(x, "add_") else x.__iadd__(1.0)
    reference += 1.0
    np.testing.assert_array_equal(view.data, their_view.numpy())  # the write shows through
    assert view._version == x._version == before + 1


@pytest.mark.parametrize("call", [lambda x: x.flip(0), lambda x: x.roll(1, 0), lambda x: x.clone(),
                                  lambda x: x.repeat(1, 1), lambda x: x.tile((1,)),
                                  lambda x: mg.repeat_interleave(x, 1, dim=0),
                                  lambda x: F.pad(x, (0, 0)), lambda x: x.index_select(0, mg.tensor([0]))])
def test_copies_are_copies(call):
    x = mg.arange(12.0).reshape(3, 4)
    out = call(x)
    x.data += 100
    assert out.data.max() < 100


def test_clone_is_differentiable_and_detach_free():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.requires_grad and y.grad_fn is not None
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])


def test_a_recorded_in_place_op_on_a_split_piece_is_refused_like_other_views():
    x = mg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True) * 1
    first, _ = x.split(2)
    with pytest.raises(RuntimeError, match="shares its memory"):
        first.mul_(2.0)


# ---------------------------------------------------------------------------------------------
# Gradients PyTorch documents
# ---------------------------------------------------------------------------------------------
def test_scatter_gives_no_gradient_to_what_it_overwrote_and_src_its_positions():
    x = np.arange(12.0).reshape(3, 4)
    index = np.array([[0, 1], [2, 0]])
    src = np.ones((2, 2))
    grads = []
    for lib in (mg, torch):
        a = lib.tensor(x, requires_grad=True)
        s = lib.tensor(src, requires_grad=True)
        w = lib.tensor(np.arange(12.0).reshape(3, 4))
        (a.scatter(1, lib.tensor(index), s) * w).sum().backward()
        grads.append((np.asarray(a.grad.data if lib is mg else a.grad), np.asarray(s.grad.data if lib is mg
                                                                                     else s.grad)))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs)
    assert grads[0][0][0, 0] == 0 and grads[0][0][0, 2] == 2  # overwritten: 0; kept: the weight


def test_scatter_with_reduce_warns_and_has_no_gradient_as_in_pytorch():
    x = mg.zeros(2, 3, requires_grad=True) * 1
    with pytest.warns(UserWarning, match="deprecated"):
        y = x.scatter(1, mg.tensor([[0, 0]]), mg.ones(1, 2), reduce="add")
    np.testing.assert_array_equal(y.data, [[2, 0, 0], [0, 0, 0]])
    with pytest.raises(RuntimeError, match="not implemented"):
        y.sum().backward()


def test_unique_values_require_grad_but_have_no_derivative_as_in_pytorch():
    x = mg.tensor([2.0, 1.0, 2.0], requires_grad=True)
    values, inverse, counts = mg.unique(x, return_inverse=True, return_counts=True)
    assert values.requires_grad and not inverse.requires_grad and not counts.requires_grad
    with pytest.raises(NotImplementedError, match="unique"):
        values.sum().backward()


def test_integer_outputs_never_require_grad():
    x = mg.tensor([[0.0, 1.5], [2.0, 0.0]], requires_grad=True)
    outs = [mg.nonzero(x), mg.argwhere(x), *mg.nonzero(x, as_tuple=True)]
    assert not any(o.requires_grad for o in outs)
    assert all(o.dtype == np.int64 for o in outs)


def test_tensor_where_is_self_where_the_condition_holds():
    x, t = both(np.array([1.0, -2.0, 3.0]))
    np.testing.assert_array_equal(x.where(x > 0, 0.0).data, t.where(t > 0, 0.0).numpy())


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [{}, {"return_inverse": True}, {"return_counts": True},
                                    {"return_inverse": True, "return_counts": True, "dim": 0},
                                    {"return_inverse": True, "dim": 1}, {"sorted": False}])
def test_unique_options_as_pytorch(kwargs):
    data = np.array([[1, 2, 1], [1, 2, 1], [0, 5, 0]])
    ours, theirs = mg.unique(mg.tensor(data), **kwargs), torch.unique(torch.tensor(data), **kwargs)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.data, t.numpy())
        assert o.shape == tuple(t.shape)


def test_unique_keeps_nans_apart_and_counts_a_0d_tensor():
    values = mg.unique(mg.tensor([2.0, float("nan"), float("nan"), 1.0]))
    assert values.shape == tuple(torch.unique(torch.tensor([2.0, float("nan"), float("nan"), 1.0])).shape)
    values, inverse = mg.unique(mg.tensor(3), return_inverse=True)
    assert values.shape == (1,) and inverse.shape == ()


def test_unique_consecutive_along_a_dim_as_pytorch():
    data = np.array([[1, 2], [1, 2], [0, 5], [1, 2]])
    ours = mg.unique_consecutive(mg.tensor(data), return_inverse=True, return_counts=True, dim=0)
    theirs = torch.unique_consecutive(torch.tensor(data), return_inverse=True, return_counts=True, dim=0)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.data, t.numpy())


@pytest.mark.parametrize("array", [np.array(3.0), np.array(0.0), np.zeros((2, 0)),
                                   np.array([[0.0, 1.0], [2.0, 0.0]])])
def test_nonzero_as_tuple_as_pytorch(array):
    ours = mg.nonzero(mg.tensor(array), as_tuple=True)
    theirs = torch.nonzero(torch.tensor(array), as_tuple=True)
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o.data, t.numpy())
    assert mg.nonzero(mg.tensor(array)).shape == tuple(torch.nonzero(torch.tensor(array)).shape)


def test_pad_modes_match_pytorch_on_a_batch_of_images():
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    for mode in ("constant", "reflect", "replicate", "circular"):
        ours = F.pad(mg.tensor(x), (1, 2, 2, 1), mode=mode)
        theirs = torch.nn.functional.pad(torch.tensor(x), (1, 2, 2, 1), mode=mode)
        np.testing.assert_allclose(ours.data, theirs.numpy(), err_msg=mode)


def test_pad_is_only_in_functional_as_in_pytorch():
    assert not hasattr(torch, "pad") and not hasattr(mg, "pad")
    assert not hasattr(torch.Tensor, "pad") and not hasattr(mg.Tensor, "pad")


def test_fill_casts_to_the_tensors_dtype():
    x, t = both(np.arange(6).reshape(2, 3))
    ours, theirs = x.masked_fill(x > 3, 2.5), t.masked_fill(t > 3, 2.5)
    assert ours.dtype == np.int64 and theirs.dtype == torch.int64
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    np.testing.assert_array_equal(x.index_fill(1, mg.tensor([-1]), 7).data,
                                  t.index_fill(1, torch.tensor([-1]), 7).numpy())


# ---------------------------------------------------------------------------------------------
# Bad calls: PyTorch's exception type, a message naming the op
# ---------------------------------------------------------------------------------------------
X = np.arange(12.0).reshape(3, 4)
BAD_CALLS = {
    "gather index out of range": lambda lib, x: lib.gather(x, 1, lib.tensor([[5]])),
    "gather negative index": lambda lib, x: lib.gather(x, 1, lib.tensor([[-1]])),
    "gather float index": lambda lib, x: lib.gather(x, 1, lib.tensor([[0.0]])),
    "gather index of other rank": lambda lib, x: lib.gather(x, 1, lib.tensor([0])),
    "gather index too large": lambda lib, x: lib.gather(x, 1, lib.zeros(4, 1, dtype=lib.int64)),
    "gather dim out of range": lambda lib, x: lib.gather(x, 2, lib.tensor([[0]])),
    "scatter src dtype": lambda lib, x: lib.scatter(x, 1, lib.tensor([[0]]),
                                                    lib.ones(1, 1, dtype=lib.float32)),
    "scatter src too small": lambda lib, x: lib.scatter(x, 1, lib.tensor([[0, 1]]), lib.ones(1, 1)),
    "scatter bad reduce": lambda lib, x: lib.scatter(x, 1, lib.tensor([[0]]), 1.0, reduce="mean"),
    "scatter_add number": lambda lib, x: lib.scatter_add(x, 1, lib.tensor([[0]]), 1.0),
    "index_select matrix index": lambda lib, x: lib.index_select(x, 1, lib.tensor([[0]])),
    "index_select float index": lambda lib, x: lib.index_select(x, 1, lib.tensor([0.0])),
    "index_select out of range": lambda lib, x: lib.index_select(x, 1, lib.tensor([4])),
    "index_add wrong source": lambda lib, x: lib.index_add(x, 1, lib.tensor([0, 0]), lib.ones(3, 3)),
    "index_add source dtype": lambda lib, x: lib.index_add(x, 1, lib.tensor([0]),
                                                           lib.ones(3, 1, dtype=lib.float32)),
    "index_fill vector value": lambda lib, x: lib.index_fill(x, 1, lib.tensor([0]), lib.tensor([1.0])),
    "index_fill out of range": lambda lib, x: lib.index_fill(x, 1, lib.tensor([7]), 0.0),
    "masked_fill int mask": lambda lib, x: lib.masked_fill(x, lib.tensor([1, 0, 0, 1]), 0.0),
    "masked_fill vector value": lambda lib, x: lib.masked_fill(x, x > 1, lib.tensor([1.0])),
    "masked_fill mask shape": lambda lib, x: lib.masked_fill(x, lib.ones(3, dtype=lib.bool), 0.0),
    "masked_fill_ broadcast grows": lambda lib, x: x[0].clone().masked_fill_(lib.ones(3, 4, dtype=lib.bool),
                                                                             0.0),
    "masked_select int mask": lambda lib, x: lib.masked_select(x, lib.tensor([1, 0, 0, 1])),
    "take out of range": lambda lib, x: lib.take(x, lib.tensor([12])),
    "take int32 index": lambda lib, x: lib.take(x, lib.tensor([1], dtype=lib.int32)),
    "take_along_dim rank": lambda lib, x: lib.take_along_dim(x, lib.tensor([[[0]]]), 1),
    "take_along_dim shapes": lambda lib, x: lib.take_along_dim(x, lib.tensor([[0], [1]]), 1),
    "flip repeated dim": lambda lib, x: lib.flip(x, [0, 0]),
    "flip dim out of range": lambda lib, x: lib.flip(x, (2,)),
    "fliplr of a vector": lambda lib, x: lib.fliplr(x[0]),
    "flipud of a 0-d": lambda lib, x: lib.flipud(x[0, 0]),
    "roll misaligned": lambda lib, x: lib.roll(x, (1, 2), 0),
    "roll dim out of range": lambda lib, x: lib.roll(x, 1, 5),
    "split sizes": lambda lib, x: lib.split(x, [1, 2], 1),
    "split zero": lambda lib, x: lib.split(x, 0, 1),
    "split negative": lambda lib, x: lib.split(x, -1, 1),
    "split of a 0-d": lambda lib, x: lib.split(x[0, 0], 1),
    "chunk of 0": lambda lib, x: lib.chunk(x, 0),
    "chunk float": lambda lib, x: lib.chunk(x, 2.0),
    "unbind of a 0-d": lambda lib, x: lib.unbind(x[0, 0]),
    "repeat too few": lambda lib, x: x.repeat(2),
    "repeat negative": lambda lib, x: x.repeat(-1, 1),
    "repeat_interleave negative": lambda lib, x: lib.repeat_interleave(x, -1, dim=0),
    "repeat_interleave wrong count": lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, 0]), dim=0),
    "repeat_interleave negative counts": lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, -1, 0]),
                                                                              dim=0),
    "repeat_interleave float counts": lambda lib, x: lib.repeat_interleave(x, lib.tensor([1.0, 0, 2]), dim=0),
    "repeat_interleave output_size": lambda lib, x: lib.repeat_interleave(x, 2, dim=0, output_size=5),
    "unflatten sizes": lambda lib, x: lib.unflatten(x, 1, (3, -1)),
    "unflatten empty": lambda lib, x: lib.unflatten(x, 1, ()),
    "narrow past the end": lambda lib, x: lib.narrow(x, 1, 3, 2),
    "narrow start out of range": lambda lib, x: lib.narrow(x, 1, 5, 0),
    "narrow negative length": lambda lib, x: lib.narrow(x, 1, 0, -1),
    "narrow of a 0-d": lambda lib, x: lib.narrow(x[0, 0], 0, 0, 1),
    "movedim counts": lambda lib, x: lib.movedim(x, (0, 1), (1,)),
    "movedim repeated": lambda lib, x: lib.movedim(x, (0, 0), (1, 0)),
    "view_as wrong size": lambda lib, x: x.view_as(lib.ones(4, 4)),
    "expand_as wrong size": lambda lib, x: x.expand_as(lib.ones(3, 5)),
    "type_as number": lambda lib, x: x.type_as(3),
    "t of 3-d": lambda lib, x: x.reshape(1, 3, 4).t(),
    "mH of a vector": lambda lib, x: x[0].mH,
    "H of 3-d": lambda lib, x: x.reshape(1, 3, 4).H,
    "select out of range": lambda lib, x: lib.select(x, 1, 4),
    "select of a 0-d": lambda lib, x: lib.select(x[0, 0], 0, 0),
    "squeeze repeated dims": lambda lib, x: lib.squeeze(x.reshape(1, 12, 1), (0, 0)),
    "hstack of nothing": lambda lib, x: lib.hstack([]),
    "unique dim out of range": lambda lib, x: lib.unique(x, dim=2),
}


def _pad_calls():
    P = (torch.nn.functional, F)
    return {
        "pad odd length": lambda lib, x: P[lib is mg].pad(x, (1, 2, 3)),
        "pad too long": lambda lib, x: P[lib is mg].pad(x, (1, 2, 3, 4, 5, 6)),
        "pad crop too large": lambda lib, x: P[lib is mg].pad(x, (-3, -2)),
        "pad reflect too large": lambda lib, x: P[lib is mg].pad(x, (4, 3), mode="reflect"),
        "pad reflect 2-d by 4": lambda lib, x: P[lib is mg].pad(x, (1, 1, 1, 1), mode="reflect"),
        "pad circular twice around": lambda lib, x: P[lib is mg].pad(x, (5, 4), mode="circular"),
        "pad reflect with a value": lambda lib, x: P[lib is mg].pad(x, (1, 2), mode="reflect", value=3),
        "pad unknown mode": lambda lib, x: P[lib is mg].pad(x, (1, 2), mode="symmetric"),
        "pad float pads": lambda lib, x: P[lib is mg].pad(x, (1.5, 2)),
        "pad replicate empty": lambda lib, x: P[lib is mg].pad(x[:0], (1, 1), mode="replicate"),
    }


BAD_CALLS.update(_pad_calls())


@pytest.mark.parametrize("name", sorted(BAD_CALLS))
def test_bad_calls_raise_pytorchs_exception_type(name):
    ours, theirs = both(X)
    with pytest.raises(Exception) as expected:
        BAD_CALLS[name](torch, theirs)
    with pytest.raises(expected.type) as raised:
        BAD_CALLS[name](mg, ours)
    op_name = {"view_as": "view", "expand_as": "expand"}.get(name.split()[0], name.split()[0].rstrip("_"))
    assert op_name.lower() in str(raised.value).lower(), str(raised.value)
