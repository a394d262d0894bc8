"""nn.Module's API against PyTorch's: reprs, names and order of parameters, buffers and
state_dict keys, hooks (order, results, removal), load_state_dict's results and errors,
containers, to/double/half, registration errors."""
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
import nn
from nn.hooks import RemovableHandle

torch = pytest.importorskip("torch")


def build(lib):
    """The same model in either library: containers nested, a shared layer, a buffer."""
    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.body = lib.Sequential(lib.Linear(3, 4), lib.ReLU(), lib.Dropout(0.1))
            self.heads = lib.ModuleDict({"cls": lib.Linear(4, 2), "aux": lib.Linear(4, 1)})
            self.blocks = lib.ModuleList([lib.Tanh(), lib.Tanh(), lib.Identity()])
            self.norm = lib.BatchNorm1d(4)
            self.shared = self.heads["cls"]
            self.scales = lib.ParameterList([lib.Parameter(zeros(lib, 2)), lib.Parameter(zeros(lib, 3))])
            self.register_buffer("steps", zeros(lib, 1))
            self.register_buffer("scratch", zeros(lib, 2), persistent=False)

        def forward(self, x):
            return self.heads["cls"](self.norm(self.body(x)))

    return Net()


def zeros(lib, *shape):
    return (torch if lib is torch.nn else mg).zeros(*shape)


def copy_weights(ours, theirs):
    theirs.load_state_dict({k: torch.tensor(v.data) for k, v in ours.state_dict().items()})


def test_the_repr_is_pytorchs_tree():
    ours, theirs = build(nn), build(torch.nn)
    assert repr(ours) == repr(theirs).replace("torch.", "")


def test_names_and_order_of_parameters_buffers_modules_and_state_dict_keys():
    ours, theirs = build(nn), build(torch.nn)
    for method, kwargs in [("named_parameters", {}), ("named_parameters", {"remove_duplicate": False}),
                           ("named_parameters", {"prefix": "m", "recurse": False}),
                           ("named_buffers", {}), ("named_modules", {}),
                           ("named_modules", {"remove_duplicate": False}), ("named_children", {})]:
        assert [n for n, _ in getattr(ours, method)(**kwargs)] == \
               [n for n, _ in getattr(theirs, method)(**kwargs)], method
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert list(ours.state_dict(prefix="p.")) == list(theirs.state_dict(prefix="p."))
    assert len(list(ours.modules())) == len(list(theirs.modules()))


def test_state_dict_holds_detached_tensors_sharing_memory_unless_keep_vars():
    ours = nn.Linear(2, 2)
    state = ours.state_dict()
    assert isinstance(state, OrderedDict)
    assert not state["weight"].requires_grad and np.shares_memory(state["weight"].data, ours.weight.data)
    assert ours.state_dict(keep_vars=True)["weight"] is ours.weight
    destination = OrderedDict()
    assert ours.state_dict(destination=destination) is destination and list(destination) == ["weight", "bias"]


def test_load_state_dict_returns_what_pytorch_returns_and_prints_it_alike():
    ours, theirs = build(nn), build(torch.nn)
    state = {k: v for k, v in build(nn).state_dict().items() if not k.startswith("heads.aux")}
    state["body.0.extra"] = mg.zeros(1)
    state["nowhere.weight"] = mg.zeros(1)
    state["alone"] = mg.zeros(1)
    result = ours.load_state_dict(state, strict=False)
    expected = theirs.load_state_dict({k: torch.tensor(v.data) for k, v in state.items()}, strict=False)
    assert result.missing_keys == expected.missing_keys
    assert result.unexpected_keys == expected.unexpected_keys
    assert repr(result) == repr(expected) and str(result) == str(expected)
    matched = nn.Linear(2, 2).load_state_dict(nn.Linear(2, 2).state_dict())
    assert repr(matched) == repr(torch.nn.Linear(2, 2).load_state_dict(torch.nn.Linear(2, 2).state_dict()))
    assert matched == ([], [])


def _message(load):
    with pytest.raises(RuntimeError) as info:
        load()
    return str(info.value)


def test_strict_errors_are_pytorchs_text_listing_every_problem():
    ours, theirs = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    state = {"weight": np.zeros((3, 3), np.float32), "foo": np.zeros(1, np.float32)}
    mine = _message(lambda: ours.load_state_dict(state))
    their = _message(lambda: theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()}))
    assert mine == their.replace("torch.Size([3, 3])", "(3, 3)").replace("torch.Size([2, 3])", "(2, 3)")
    both = {"weight": np.zeros((3, 3), np.float32), "bias": np.zeros(3, np.float32)}
    mine = _message(lambda: ours.load_state_dict(both, strict=False))
    assert mine.count("size mismatch") == 2
    assert mine.startswith("Error(s) in loading state_dict for Linear:\n\t")


def test_a_failed_load_changes_nothing_and_a_good_one_copies_in_place():
    model = nn.Linear(2, 2)
    before = model.weight.data.copy()
    with pytest.raises(RuntimeError):
        model.load_state_dict({"weight": np.ones((2, 2), np.float32), "bias": np.ones(5, np.float32)})
    np.testing.assert_array_equal(model.weight.data, before)
    weight = model.weight
    model.load_state_dict({"weight": np.ones((2, 2), np.float32), "bias": np.ones(2, np.float32)})
    assert model.weight is weight and weight.data.sum() == 4


def test_load_state_dict_with_assign_puts_the_tensors_in_and_keeps_requires_grad():
    model = nn.Linear(2, 2)
    model.bias.requires_grad_(False)
    state = {"weight": mg.ones(2, 2), "bias": mg.ones(2)}
    model.load_state_dict(state, assign=True)
    assert isinstance(model.weight, nn.Parameter) and model.weight.requires_grad
    assert not model.bias.requires_grad and list(model.parameters())[0] is model.weight
    np.testing.assert_array_equal(model.weight.data, np.ones((2, 2)))


def test_a_non_persistent_buffer_is_a_buffer_but_not_saved():
    ours, theirs = build(nn), build(torch.nn)
    assert "scratch" in [n for n, _ in ours.named_buffers()]
    assert "scratch" not in ours.state_dict() and "scratch" not in theirs.state_dict()


def test_forward_hooks_run_in_order_with_prepend_and_replace_inputs_and_outputs():
    def run(lib, tensor):
        layer = lib.Linear(2, 2)
        calls = []
        layer.register_forward_pre_hook(lambda m, args: calls.append("pre1"))
        layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        layer.register_forward_pre_hook(lambda m, args: calls.append("pre0"), prepend=True)
        layer.register_forward_pre_hook(lambda m, args, kwargs: calls.append(("kw", sorted(kwargs))),
                                        with_kwargs=True)
        layer.register_forward_hook(lambda m, args, out: calls.append(("post", tuple(out.shape))))
        layer.register_forward_hook(lambda m, args, out: out + 1)
        handle = layer.register_forward_hook(lambda m, args, kwargs, out: calls.append("kwpost"),
                                             with_kwargs=True)
        with torch.no_grad():
            layer.weight.copy_(torch.eye(2)) if lib is torch.nn else None
        if lib is nn:
            layer.weight.data[...] = np.eye(2)
        layer.bias.data[...] = 0
        out = layer(tensor([[1.0, 2.0]]))
        handle.remove()
        handle.remove()  # twice is harmless
        layer(tensor([[1.0, 2.0]]))
        return calls, np.asarray(out.detach().numpy() if lib is torch.nn else out.data)

    ours, theirs = run(nn, mg.tensor), run(torch.nn, torch.tensor)
    assert ours[0] == theirs[0]
    np.testing.assert_array_equal(ours[1], theirs[1])


def test_a_handle_is_a_context_manager_and_the_fast_path_returns_after_removal():
    layer = nn.Linear(2, 2)
    seen = []
    with layer.register_forward_hook(lambda m, a, o: seen.append(1)) as handle:
        assert isinstance(handle, RemovableHandle)
        layer(mg.ones(1, 2))
        assert layer._hooked
    layer(mg.ones(1, 2))
    assert seen == [1] and not layer._hooked


@pytest.mark.parametrize("which", ["minigrad", "torch"])
def test_an_always_call_hook_runs_when_forward_raises(which):
    lib, make = (nn, mg.ones) if which == "minigrad" else (torch.nn, torch.ones)
    layer = lib.Linear(2, 2)
    seen = []
    layer.register_forward_hook(lambda m, a, o: seen.append("plain"))
    layer.register_forward_hook(lambda m, a, o: seen.append(("always", o)), always_call=True)
    with pytest.raises(RuntimeError):
        layer(make(1, 3))  # wrong width
    assert seen == [("always", None)]


def test_a_pre_hook_with_kwargs_must_return_a_pair():
    layer = nn.Linear(2, 2)
    layer.register_forward_pre_hook(lambda m, a, k: 3, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"forward pre-hook must return None or a tuple of "
                                           r"\(new_args, new_kwargs\)"):
        layer(mg.ones(1, 2))


def test_to_double_half_float_cast_floating_tensors_only_and_keep_the_parameters():
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    weight = ours.weight
    for cast, dtype in [(lambda m: m.double(), "float64"), (lambda m: m.half(), "float16"),
                        (lambda m: m.float(), "float32")]:
        assert cast(ours) is ours and cast(theirs) is theirs
        assert ours.weight is weight and str(ours.weight.dtype) == dtype
        assert str(ours.running_mean.dtype) == str(theirs.running_mean.dtype).replace("torch.", "")
        assert str(ours.num_batches_tracked.dtype) == "int64" == str(theirs.num_batches_tracked.dtype)[6:]
    assert ours.to(mg.float64) is ours and ours.weight.dtype == np.float64
    assert ours.to("cpu") is ours and ours.to(mg.zeros(1, dtype=mg.float32)).weight.dtype == np.float32
    assert ours.to(device="cpu", dtype=mg.float64).weight.dtype == np.float64
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes"):
        ours.to(mg.int64)
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes"):
        theirs.to(torch.int64)
    with pytest.raises(RuntimeError, match="CPU only"):
        ours.to("cuda")


def test_a_double_model_computes_in_float64_like_pytorchs():
    ours, theirs = nn.MLP(3, [4], 2, dtype=mg.float64), torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    theirs.load_state_dict({k.replace("layers.", "").replace("1.", "2."): torch.tensor(v.data)
                            for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(5, 3))
    out = ours(mg.tensor(x))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_train_eval_apply_requires_grad_zero_grad_as_pytorch():
    ours = build(nn)
    assert ours.eval() is ours and not any(m.training for m in ours.modules())
    assert ours.train() is ours and all(m.training for m in ours.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        ours.train(1)
    visited = []
    assert ours.apply(lambda m: visited.append(type(m).__name__)) is ours
    theirs_visited = []
    build(torch.nn).apply(lambda m: theirs_visited.append(type(m).__name__))
    assert visited == theirs_visited
    assert ours.requires_grad_(False) is ours and not any(p.requires_grad for p in ours.parameters())
    layer = nn.Linear(2, 1)
    layer(mg.ones(1, 2)).sum().backward()
    layer.zero_grad(set_to_none=False)
    assert layer.weight.grad is not None and layer.weight.grad.data.sum() == 0
    layer.zero_grad()
    assert layer.weight.grad is None


def test_get_submodule_parameter_buffer_and_their_errors_as_pytorch():
    ours, theirs = build(nn), build(torch.nn)
    assert ours.get_submodule("body.0") is ours.body[0] and ours.get_submodule("") is ours
    assert ours.get_parameter("heads.cls.bias") is ours.heads["cls"].bias
    assert ours.get_buffer("norm.running_mean") is ours.norm.running_mean
    for call in [lambda m: m.get_submodule("body.9"), lambda m: m.get_submodule("body.0.weight"),
                 lambda m: m.get_parameter("body.0.nothing"), lambda m: m.get_parameter("body.0.in_features"),
                 lambda m: m.get_buffer("body.0.weight")]:
        with pytest.raises(AttributeError) as mine:
            call(ours)
        with pytest.raises(AttributeError) as their:
            call(theirs)
        assert str(mine.value) == str(their.value)


def test_registration_errors_are_pytorchs():
    cases = [
        lambda m, lib, t: m.register_buffer(1, None), lambda m, lib, t: m.register_buffer("a.b", None),
        lambda m, lib, t: m.register_buffer("", None), lambda m, lib, t: m.register_buffer("weight", None),
        lambda m, lib, t: m.register_buffer("x", 3), lambda m, lib, t: m.add_module("weight", None),
        lambda m, lib, t: m.add_module("a.b", None), lambda m, lib, t: m.add_module("x", 3),
        lambda m, lib, t: m.register_parameter("x", t.zeros(2)),
        lambda m, lib, t: setattr(m, "weight", t.zeros(2)),
        lambda m, lib, t: setattr(m, "bias", lib.ReLU()) or setattr(m, "bias", t.zeros(1)),
    ]
    for case in cases:
        with pytest.raises(Exception) as mine:
            case(nn.Linear(3, 2), nn, mg)
        with pytest.raises(Exception) as their:
            case(torch.nn.Linear(3, 2), torch.nn, torch)
        assert type(mine.value) is type(their.value)
        mine = str(mine.value).replace("minigrad.Tensor", "torch.FloatTensor").replace(
            "nn.", "torch.nn.").replace("(Tensor", "(torch Tensor")
        assert mine == str(their.value).replace("torch.nn.modules.activation.", "torch.nn.layers.")


def test_attributes_move_between_tables_as_in_pytorch():
    for lib, t in ((nn, mg), (torch.nn, torch)):
        m = lib.Linear(2, 2)
        m.bias = None
        assert "bias" in m._parameters and m.bias is None
        del m.weight
        assert "weight" not in m._parameters and not hasattr(m, "weight")
        m.weight = lib.ReLU()
        assert "weight" in m._modules
        m.register_buffer("b", t.zeros(1))
        m.b = t.ones(1)
        assert "b" in m._buffers and float(m.b.sum()) == 1
        with pytest.raises(AttributeError, match="'Linear' object has no attribute 'missing'"):
            _ = m.missing


def test_containers_behave_as_pytorchs():
    for lib in (nn, torch.nn):
        seq = lib.Sequential(lib.ReLU(), lib.Tanh(), lib.Sigmoid())
        del seq[0]
        seq.insert(1, lib.Identity())
        seq.append(lib.ReLU())
        assert [type(m).__name__ for m in seq] == ["Tanh", "Identity", "Sigmoid", "ReLU"]
        assert list(seq._modules) == ["0", "1", "2", "3"]
        assert type(seq.pop(1)).__name__ == "Identity" and len(seq) == 3
        assert len(seq + lib.Sequential(lib.ReLU())) == 4 and len(seq * 2) == 6
        with pytest.raises(IndexError, match="index 5 is out of range"):
            seq[5]
        ml = lib.ModuleList([lib.ReLU()])
        ml += [lib.Tanh()]
        ml.extend([lib.Sigmoid()])
        ml[0] = lib.Identity()
        assert [type(m).__name__ for m in ml] == ["Identity", "Tanh", "Sigmoid"]
        assert [type(m).__name__ for m in ml[1:]] == ["Tanh", "Sigmoid"]
        md = lib.ModuleDict([("a", lib.ReLU())])
        md["b"] = lib.Tanh()
        md.update({"c": lib.Sigmoid()})
        assert list(md.keys()) == ["a", "b", "c"] and "b" in md and type(md.pop("a")).__name__ == "ReLU"
        assert len(md) == 2 and list(md) == ["b", "c"]


def test_parameter_containers_wrap_tensors_register_them_and_print_as_pytorch():
    ours = nn.ParameterList([nn.Parameter(mg.zeros(2, 3)), mg.zeros(3)])
    theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(2, 3)), torch.zeros(3)])
    assert repr(ours) == repr(theirs).replace("torch.", "")
    assert all(isinstance(p, nn.Parameter) for p in ours) and len(list(ours.parameters())) == 2
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.append(mg.ones(1))
    assert ours[-1].requires_grad and len(ours) == 3
    pd = nn.ParameterDict({"a": mg.zeros(2), "b": nn.Parameter(mg.zeros(1, 2))})
    tpd = torch.nn.ParameterDict({"a": torch.zeros(2), "b": torch.nn.Parameter(torch.zeros(1, 2))})
    assert repr(pd) == repr(tpd).replace("torch.FloatTensor", "float32")
    assert list(pd.keys()) == ["a", "b"] and isinstance(pd["a"], nn.Parameter)
    assert [n for n, _ in pd.named_parameters()] == ["a", "b"]
    assert pd.pop("a").shape == (2,) and list(pd) == ["b"] and pd.get("zz") is None


def test_state_dict_round_trips_into_pytorch_and_gives_the_same_outputs():
    ours, theirs = build(nn).eval(), build(torch.nn).eval()
    copy_weights(ours, theirs)
    x = np.random.default_rng(1).normal(size=(4, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(mg.tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_the_hook_free_call_path_is_one_flag():
    layer = nn.Linear(2, 2)
    assert layer._hooked is False and "_hooked" not in layer.__dict__
