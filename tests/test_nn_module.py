"""nn.Module, Parameter, containers, state_dict, save/load, repr, init: without PyTorch."""
import doctest
import importlib
import math
import pkgutil

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import nn
from nn.module import module_stack


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        self.norm = nn.BatchNorm1d(2)
        self.scale = nn.Parameter([1.0])

    def forward(self, x):
        return self.norm(self.layers(x)) * self.scale


def test_parameters_are_registered_by_assignment_with_dotted_names():
    names = [name for name, _ in Net().named_parameters()]
    assert names == ["scale", "layers.0.weight", "layers.0.bias", "layers.2.weight",
                     "layers.2.bias", "norm.weight", "norm.bias"]


def test_named_members_take_a_prefix_and_can_stay_at_the_top_level():
    net = Net()
    assert [n for n, _ in net.named_parameters(prefix="net")][:2] == ["net.scale", "net.layers.0.weight"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_buffers(prefix="m")] == [
        "m.norm.running_mean", "m.norm.running_var", "m.norm.num_batches_tracked"]
    assert list(net.buffers(recurse=False)) == []


def test_sequential_names_start_at_the_index():
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(model) == 3 and isinstance(model[1], nn.Tanh) and isinstance(model[-1], nn.Linear)
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear"]
    assert len(model[:2]) == 2


def test_a_shared_parameter_is_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, layer)
    assert len(list(model.parameters())) == 2


def test_children_and_modules_walk_the_tree():
    net = Net()
    assert [type(m).__name__ for m in net.children()] == ["Sequential", "BatchNorm1d"]
    assert [name for name, _ in net.named_modules()] == ["", "layers", "layers.0", "layers.1",
                                                           "layers.2", "norm"]
    assert len(list(net.modules())) == 6


def test_parameter_wraps_arrays_and_tensors_and_requires_grad():
    p = nn.Parameter(np.zeros((2, 3), dtype=np.float32))
    assert isinstance(p, mg.Tensor) and p.requires_grad and p.is_leaf and p.shape == (2, 3)
    t = mg.ones(2)
    assert nn.Parameter(t).data is t.data
    assert "Parameter containing" in repr(p)


def test_assigning_a_plain_tensor_to_a_parameter_name_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'minigrad.Tensor' as parameter 'weight'"):
        layer.weight = mg.zeros(2, 2)


def test_assignment_before_init_explains_the_fix():
    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_train_and_eval_set_the_flag_everywhere():
    net = Net()
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_sets_gradients_to_none():
    net = Net()
    net(mg.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_call_pushes_the_module_on_the_stack_and_pops_it_even_on_error():
    seen = []

    class Spy(nn.Module):
        def forward(self, x):
            seen.append(list(module_stack))
            if x is None:
                raise RuntimeError("boom")
            return x

    outer = nn.Sequential(Spy())
    outer(mg.zeros(1))
    assert seen[0] == [outer, outer[0]]
    assert module_stack == []
    with pytest.raises(RuntimeError, match="boom"):
        outer(None)
    assert module_stack == []


def test_state_dict_holds_parameters_and_buffers():
    keys = list(Net().state_dict())
    assert keys == ["scale", "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
                    "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var",
                    "norm.num_batches_tracked"]


def test_load_state_dict_copies_values_in_place():
    a, b = Net(), Net()
    weight = b.layers[0].weight
    b.load_state_dict(a.state_dict())
    assert b.layers[0].weight is weight
    for (_, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(x.data, y.data)


def test_load_state_dict_names_missing_and_unexpected_keys():
    state = Net().state_dict()
    del state["norm.bias"]
    state["extra.weight"] = mg.zeros(1)
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "norm.bias". \n\t'
                                             r'Unexpected key\(s\) in state_dict: "extra.weight"'):
        Net().load_state_dict(state)
    missing, unexpected = Net().load_state_dict(state, strict=False)
    assert missing == ["norm.bias"] and unexpected == ["extra.weight"]


def test_load_state_dict_names_the_key_and_both_shapes_on_a_mismatch():
    state = nn.Linear(3, 5).state_dict()
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: copying a param with shape \(5, 3\) "
                                           r"from checkpoint, the shape in current model is \(4, 3\)"):
        nn.Linear(3, 4).load_state_dict(state)


def test_register_buffer_is_saved_but_not_trained():
    module = nn.Module()
    module.register_buffer("count", mg.zeros(1))
    module.register_buffer("scratch", mg.zeros(1), persistent=False)
    assert list(module.state_dict()) == ["count"]
    assert list(module.parameters()) == []


def test_repr_prints_the_tree_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Dropout(0.1))
    assert repr(model) == ("Sequential(\n"
                           "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
                           "  (1): ReLU()\n"
                           "  (2): Dropout(p=0.1, inplace=False)\n"
                           ")")


def test_mlp_has_activation_and_dropout_after_hidden_layers_only(monkeypatch):
    mg.manual_seed(0)
    model = nn.MLP(4, [8, 6], 3, activation="tanh", dropout=0.5)
    assert [n for n, _ in model.named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
        "layers.2.weight", "layers.2.bias"]
    x = mg.randn(5, 4)

    def run(seed):
        mg.manual_seed(seed)
        return model(x).data

    # the order in which the forward pass calls the modules, in train mode
    assert model.training
    calls = []

    def recording(module):
        forward = module.forward

        def forward_and_record(h):
            calls.append(type(module).__name__)
            return forward(h)
        return forward_and_record

    for module in [*model.layers, model.activation, model.dropout]:
        monkeypatch.setattr(module, "forward", recording(module))
    out = run(1)
    assert calls == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    # the same by hand: dropout's masks are drawn in the same order from the same seed, so any
    # other place for it (before the activation, after the last layer) gives other numbers
    mg.manual_seed(1)
    h = x
    for i, layer in enumerate(model.layers):
        h = layer(h)
        if i < 2:
            h = F.dropout(h.tanh(), p=0.5, training=True)
    np.testing.assert_array_equal(out, h.data)
    assert (out != 0).all()  # no dropout on the output
    assert not np.array_equal(run(1), run(2))  # the masks follow the seed
    np.testing.assert_array_equal(run(1), out)
    # in eval mode dropout is gone: no seed matters, the output is the plain composition
    model.eval()
    h = x
    for i, layer in enumerate(model.layers):
        h = layer(h)
        if i < 2:
            h = h.tanh()
    np.testing.assert_array_equal(run(1), run(2))
    np.testing.assert_allclose(run(1), h.data, rtol=1e-6)
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.MLP(2, [3], 1, activation="swish")


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "gelu"])
def test_mlp_accepts_each_activation(activation):
    assert nn.MLP(3, [4], 2, activation=activation)(mg.zeros(2, 3)).shape == (2, 2)


def test_linear_init_is_uniform_within_one_over_sqrt_fan_in():
    mg.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound
    # U(-b, b) has variance b^2 / 3
    assert layer.weight.data.var() == pytest.approx(bound ** 2 / 3, rel=0.02)


def test_linear_init_is_reproducible_from_the_seed():
    mg.manual_seed(7)
    a = nn.Linear(3, 3).weight.data.copy()
    mg.manual_seed(7)
    np.testing.assert_array_equal(nn.Linear(3, 3).weight.data, a)


def test_init_functions_follow_their_formulas():
    mg.manual_seed(0)
    w = mg.zeros(200, 300)
    assert nn.init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert np.abs(nn.init.xavier_uniform_(w).data).max() <= math.sqrt(6 / 500)
    assert nn.init.xavier_normal_(w).data.std() == pytest.approx(math.sqrt(2 / 500), rel=0.02)
    assert np.abs(nn.init.kaiming_uniform_(w, nonlinearity="relu").data).max() <= math.sqrt(6 / 300)
    assert nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu").data.std() == \
        pytest.approx(math.sqrt(2 / 200), rel=0.02)
    assert (nn.init.constant_(w, 0.5).data == 0.5).all()
    assert (nn.init.zeros_(w).data == 0).all() and (nn.init.ones_(w).data == 1).all()
    assert nn.init.normal_(w, 2.0, 0.5).data.mean() == pytest.approx(2.0, abs=0.01)
    assert nn.init.uniform_(w, -2, -1).data.max() <= -1
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(mg.zeros(3))


def test_save_and_load_round_trip_through_npz(tmp_path):
    mg.manual_seed(0)
    model = Net()
    model(mg.randn(6, 3))  # moves the running statistics
    path = tmp_path / "model.npz"  # .npz: numpy's format (any other name: safetensors)
    nn.save(model.state_dict(), path)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == sorted(model.state_dict())
    other = Net()
    other.load_state_dict(nn.load(path))
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(other.state_dict()[key].data, value.data)
        assert other.state_dict()[key].dtype == value.dtype


def test_load_of_a_truncated_or_foreign_file_raises_clearly(tmp_path):
    path = tmp_path / "model.npz"
    nn.save(nn.Linear(2, 2).state_dict(), path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a state_dict saved by nn.save"):
        nn.load(path)
    foreign = tmp_path / "notes.txt"
    foreign.write_text("hello")
    with pytest.raises(ValueError, match="not a state_dict saved by nn.save"):
        nn.load(foreign)
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.load(tmp_path / "missing.npz")


def test_save_never_pickles(tmp_path):
    with pytest.raises(TypeError, match="not numeric"):
        nn.save({"x": np.array([object()])}, tmp_path / "x.npz")


def test_flatten_identity_softmax_modules():
    x = mg.randn(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Identity()(x) is x
    np.testing.assert_allclose(nn.Softmax(dim=-1)(x).data.sum(-1), 1, rtol=1e-6)
    np.testing.assert_allclose(np.exp(nn.LogSoftmax(dim=1)(x).data).sum(1), 1, rtol=1e-6)


def test_nodes_recorded_in_a_forward_remember_their_modules():
    from minigrad.engine import node_context
    model = nn.MLP(3, [4], 2)
    out = model(mg.randn(2, 3))
    assert node_context(out.grad_fn) == (model, model.layers[1])


class Failing(nn.Module):
    def forward(self, x):
        raise RuntimeError("boom")


def test_no_module_stays_on_the_stack_after_a_forward_raised():
    from minigrad.engine import node_context
    model = nn.Sequential(nn.Linear(2, 2), Failing())
    with pytest.raises(RuntimeError, match="boom"):
        model(mg.ones(1, 2))
    assert module_stack == []
    other = nn.Linear(2, 2)
    out = other(mg.ones(1, 2))  # a stale stack would name the failed modules too
    assert node_context(out.grad_fn) == (other,)


def test_a_module_that_keeps_its_output_is_freed_with_it():
    import gc
    import weakref

    class Keeper(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 2)

        def forward(self, x):
            self.last = self.linear(x)  # module -> tensor -> node -> (recorded modules)
            return self.last

    model = Keeper()
    model(mg.ones(1, 2))
    alive = weakref.ref(model)
    del model
    gc.collect()
    assert alive() is None


def test_an_outer_forward_that_catches_an_inner_error_keeps_its_context():
    from minigrad.engine import node_context

    class Forgiving(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Failing()

        def forward(self, x):
            try:
                self.inner(x)
            except RuntimeError:
                pass
            return x * 2

    model = Forgiving()
    out = model(mg.ones(2, requires_grad=True))
    assert node_context(out.grad_fn) == (model,)


def test_deepcopy_gives_an_independent_model():
    import copy
    model = nn.MLP(3, [4], 2)
    clone = copy.deepcopy(model)
    assert isinstance(clone.layers[0].weight, nn.Parameter)
    assert clone.layers[0].weight is not model.layers[0].weight
    assert clone.layers[0].weight is clone.layers[0]._parameters["weight"]
    clone(mg.zeros(2, 3)).sum().backward()
    assert model.layers[0].weight.grad is None


def test_nn_functional_is_minigrad_functional():
    import minigrad.functional
    assert nn.functional is minigrad.functional


@pytest.mark.parametrize("name", sorted({"nn"} | {m.name for m in pkgutil.walk_packages(nn.__path__, "nn.")}))
def test_nn_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples in {name} failed"


def test_a_node_context_set_before_a_module_runs_is_restored_after_it():
    import weakref

    from minigrad import engine
    from minigrad.engine import node_context

    class Outer:
        pass

    outer = Outer()
    previous = engine.set_node_context(lambda: (weakref.ref(outer),))
    try:
        nn.Linear(2, 2)(mg.ones(1, 2))
        after = mg.ones(2, requires_grad=True) * 2
        assert node_context(after.grad_fn) == (outer,)
    finally:
        engine.set_node_context(previous)


def test_a_local_nn_py_shadowing_the_package_is_named_in_the_error(tmp_path):
    import subprocess
    import sys
    (tmp_path / "nn.py").write_text("x = 1\n")  # a learner's own nn.py in the working folder
    code = "import minigrad\ntry:\n    minigrad.nn\nexcept ImportError as e:\n    print(e)\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={**__import__("os").environ, "PYTHONPATH": ""})
    assert str(tmp_path / "nn.py") in out.stdout and "shadows it" in out.stdout, out.stdout + out.stderr
