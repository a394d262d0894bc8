"""mg.save / mg.load: checkpoints in the safetensors format, readable by PyTorch and back.

The numbers compared come from PyTorch (a model's outputs, safetensors.torch's own reader and
writer) or are the values that were saved; none is computed by the code under test.
"""
from __future__ import annotations

import math
import os
import pickle
import re
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import nn
from nn.serialization import CheckpointError

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")

README = Path(__file__).resolve().parent.parent / "README.md"


class TorchMLP(torch.nn.Module):
    """PyTorch's twin of nn.MLP(4, [16, 8], 3): the same parameter names (layers.0.weight...)."""

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.ModuleList([torch.nn.Linear(4, 16), torch.nn.Linear(16, 8),
                                           torch.nn.Linear(8, 3)])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


def test_round_trip_minigrad_safetensors_pytorch_safetensors_minigrad(tmp_path):
    mg.manual_seed(0)
    model = nn.MLP(4, [16, 8], 3)
    x = np.random.default_rng(1).standard_normal((7, 4)).astype(np.float32)
    with mg.no_grad():
        expected = model(mg.tensor(x)).numpy()
    mg.save(model.state_dict(), tmp_path / "minigrad.safetensors")

    twin = TorchMLP()
    twin.load_state_dict(safetensors_torch.load_file(tmp_path / "minigrad.safetensors"))
    with torch.no_grad():
        in_torch = twin(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(in_torch, expected, rtol=1e-5, atol=1e-6)  # two float32 matmuls

    safetensors_torch.save_file(twin.state_dict(), tmp_path / "torch.safetensors")
    back = nn.MLP(4, [16, 8], 3)
    back.load_state_dict(mg.load(tmp_path / "torch.safetensors"))
    with mg.no_grad():
        np.testing.assert_array_equal(back(mg.tensor(x)).numpy(), expected)  # the same weights
    loaded = nn.load(tmp_path / "torch.safetensors")
    assert isinstance(loaded, OrderedDict) and set(loaded) == set(model.state_dict())


def test_the_readme_example_carries_a_model_to_pytorch(tmp_path, monkeypatch):
    text = README.read_text()
    match = re.search(r"<!-- carry-to-pytorch -->\s*```python\n(.*?)```", text, re.S)
    assert match, "README.md has no block marked <!-- carry-to-pytorch -->"
    snippet = match.group(1)
    assert len(snippet.strip().splitlines()) == 5
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(snippet, "README.md", "exec"), namespace)
    model, twin = namespace["model"], namespace["twin"]
    x = np.random.default_rng(0).standard_normal((3, 64)).astype(np.float32)
    with mg.no_grad():
        expected = model(mg.tensor(x)).numpy()
    with torch.no_grad():
        np.testing.assert_allclose(twin(torch.from_numpy(x)).numpy(), expected, rtol=1e-5, atol=1e-6)


def every_kind_of_tensor():
    base = np.arange(12, dtype=np.float64).reshape(3, 4)
    return OrderedDict([
        ("f16", mg.tensor(np.array([1.5, -2.25], np.float16))),
        ("f32", mg.tensor(np.array([[1e-30, 3.0]], np.float32))),
        ("f64", mg.tensor(np.array([math.pi]))),
        ("i64", mg.tensor(np.array([-(2**62), 7]))),
        ("i32", mg.tensor(np.array([2**31 - 1], np.int32))),
        ("u8", mg.tensor(np.array([0, 255], np.uint8))),
        ("bool", mg.tensor(np.array([True, False]))),
        ("scalar", mg.tensor(np.array(2.5, np.float32))),
        ("empty", mg.tensor(np.zeros((0, 3), np.float32))),
        ("transposed", mg.Tensor(base.T)),  # a view, not C-contiguous
        ("big_endian", mg.Tensor(np.array([1.0, 2.0], dtype=">f8"))),
    ])


def test_every_dtype_and_shape_reaches_pytorch_and_comes_back(tmp_path):
    state = every_kind_of_tensor()
    path = tmp_path / "kinds.safetensors"
    mg.save(state, path)
    in_torch = safetensors_torch.load_file(path)
    loaded = mg.load(path)
    assert type(loaded) is OrderedDict and list(loaded) == list(state)
    for key, value in state.items():
        original = value.numpy()
        assert in_torch[key].numpy().dtype == original.dtype.newbyteorder("=")
        np.testing.assert_array_equal(in_torch[key].numpy(), original, err_msg=key)
        assert isinstance(loaded[key], mg.Tensor)
        assert loaded[key].shape == original.shape
        assert loaded[key].dtype == original.dtype.newbyteorder("=")  # this machine's byte order
        np.testing.assert_array_equal(loaded[key].numpy(), original, err_msg=key)


def test_a_pytorch_file_of_every_dtype_loads_into_minigrad(tmp_path):
    tensors = {"f16": torch.tensor([1.5], dtype=torch.float16), "f64": torch.tensor([[1.0, 2.0]]).double(),
               "i64": torch.tensor([3, -4]), "bool": torch.tensor([True]), "scalar": torch.tensor(7.0),
               "empty": torch.zeros(2, 0)}
    safetensors_torch.save_file(tensors, tmp_path / "t.safetensors")
    loaded = mg.load(tmp_path / "t.safetensors")
    assert sorted(loaded) == sorted(tensors)
    for key, value in tensors.items():
        np.testing.assert_array_equal(loaded[key].numpy(), value.numpy())
        assert loaded[key].dtype == value.numpy().dtype
        loaded[key].numpy()[...] = 0  # writable: an optimizer updates loaded state in place


def test_a_training_checkpoint_round_trips_with_its_types(tmp_path):
    mg.manual_seed(0)
    model = nn.MLP(3, [5], 2)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    scheduler = nn.optim.lr_scheduler.StepLR(optimizer, step_size=2)
    model(mg.randn(4, 3)).sum().backward()
    optimizer.step()
    scheduler.step()
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "scheduler": scheduler.state_dict(), "epoch": 3, "best": 0.25, "lr": 1.0,
                  "name": "run 1", "done": False, "note": None, "sizes": (64, [256, 128], 10),
                  "odd floats": [float("inf"), float("-inf"), -0.0], "huge": 2**100,
                  "numpy rng": np.random.default_rng(5).bit_generator.state,
                  "legacy rng": np.random.RandomState(3).get_state(),
                  "by tuple": {(1, "a"): 1, 2: "two", 2.5: None, None: True},
                  "np scalar": np.int64(9)}
    mg.save(checkpoint, tmp_path / "checkpoint.pt")
    loaded = mg.load(tmp_path / "checkpoint.pt")
    assert_same(loaded, checkpoint)
    assert isinstance(loaded["optimizer"]["param_groups"][0]["betas"], tuple)
    assert list(loaded["optimizer"]["state"]) == [0, 1, 2, 3]  # int keys stay ints
    rng = np.random.default_rng()
    rng.bit_generator.state = loaded["numpy rng"]
    np.testing.assert_array_equal(rng.random(3), np.random.default_rng(5).random(3))
    legacy = np.random.RandomState()
    legacy.set_state(loaded["legacy rng"])
    np.testing.assert_array_equal(legacy.random_sample(3), np.random.RandomState(3).random_sample(3))

    resumed = nn.optim.Adam(nn.MLP(3, [5], 2).parameters(), lr=0.5)
    resumed.load_state_dict(loaded["optimizer"])
    assert resumed.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]


def assert_same(got, expected, where="top"):
    """Equal values of exactly the same types, all the way down (NaN equal to NaN)."""
    if isinstance(expected, mg.Tensor):
        assert type(got) is type(expected) and got.dtype == expected.dtype, where
        np.testing.assert_array_equal(got.numpy(), expected.numpy(), err_msg=where)
        return
    if isinstance(expected, np.ndarray):
        assert type(got) is np.ndarray and got.dtype == expected.dtype, where
        np.testing.assert_array_equal(got, expected, err_msg=where)
        return
    assert type(got) is type(expected), (where, type(got), type(expected))
    if isinstance(expected, dict):
        assert list(got) == list(expected), where
        for key in expected:
            assert_same(got[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected), where
        for i, (a, b) in enumerate(zip(got, expected)):
            assert_same(a, b, f"{where}.{i}")
    elif isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got), where
    else:
        assert got == expected and str(got) == str(expected), where  # -0.0 stays -0.0


def test_tied_weights_share_memory_again_and_pytorch_sees_both_names(tmp_path):
    weight = mg.randn(3, 3)
    state = OrderedDict([("encoder.weight", weight), ("decoder.weight", weight),
                         ("other", mg.randn(3, 3))])
    mg.save(state, tmp_path / "tied.safetensors")
    loaded = mg.load(tmp_path / "tied.safetensors")
    assert loaded["encoder.weight"] is loaded["decoder.weight"]  # one tensor, as it was saved
    assert not np.shares_memory(loaded["other"].numpy(), loaded["encoder.weight"].numpy())
    in_torch = safetensors_torch.load_file(tmp_path / "tied.safetensors")
    np.testing.assert_array_equal(in_torch["decoder.weight"].numpy(), weight.numpy())
    # two tensor objects over one array: two tensors over one array again
    array = np.ones(4, np.float32)
    mg.save({"a": mg.Tensor(array), "b": mg.Tensor(array)}, tmp_path / "views.pt")
    a, b = mg.load(tmp_path / "views.pt").values()
    assert a is not b and np.shares_memory(a.numpy(), b.numpy())


def test_npz_keeps_its_format_and_loading_reads_the_bytes_not_the_name(tmp_path):
    state = nn.Linear(2, 3).state_dict()
    nn.save(state, tmp_path / "model.npz")
    assert (tmp_path / "model.npz").read_bytes()[:2] == b"PK"
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert archive.files == ["weight", "bias"]
    os.rename(tmp_path / "model.npz", tmp_path / "model.pt")
    mg.save(state, tmp_path / "model_st.npz.bak")
    for name in ("model.pt", "model_st.npz.bak"):
        loaded = mg.load(tmp_path / name)
        np.testing.assert_array_equal(loaded["weight"].numpy(), state["weight"].numpy())
    with pytest.raises(TypeError, match="flat state_dict"):
        mg.save({"model": state}, tmp_path / "nested.npz")


@pytest.mark.parametrize("value, words", [
    ({"f": lambda: 0}, "cannot save the function at 'f'"),
    ({"x": [object()]}, "cannot save the object at 'x.0'"),
    ({"c": mg.Tensor(np.zeros(2, np.complex64))}, "save to a path ending in .npz"),
    ({frozenset(): 1}, "keys must be strings"),
])
def test_what_cannot_be_saved_is_refused_before_a_file_exists(tmp_path, value, words):
    with pytest.raises(TypeError, match=re.escape(words)):
        mg.save(value, tmp_path / "x.pt")
    assert os.listdir(tmp_path) == []


def test_a_damaged_safetensors_checkpoint_raises_checkpoint_error_naming_it(tmp_path):
    checkpoint = {"model": nn.MLP(3, [4], 2).state_dict(), "epoch": 2}
    mg.save(checkpoint, tmp_path / "good.pt")
    good = (tmp_path / "good.pt").read_bytes()
    header = int.from_bytes(good[:8], "little")
    damaged = {
        "truncated": good[:-5],
        "header cut": good[: 8 + header // 2],
        "bytes appended": good + b"\0" * 4,
        "structure edited": good.replace(b'"epoch"', b'"epoxh"').replace(b"$odict", b"$oddct"),
        "a pickle": pickle.dumps(checkpoint["epoch"]),
        "empty": b"",
    }
    path = tmp_path / "bad.pt"
    for kind, data in damaged.items():
        path.write_bytes(data)
        with pytest.raises(CheckpointError) as caught:
            mg.load(path)
        assert repr(str(path)) in str(caught.value), kind


def test_random_corruptions_load_the_saved_values_or_raise_checkpoint_error(tmp_path):
    checkpoint = {"model": nn.MLP(3, [4], 2).state_dict(), "epoch": 2, "lr": (0.1, 0.01)}
    mg.save(checkpoint, tmp_path / "good.pt")
    good = (tmp_path / "good.pt").read_bytes()
    path = tmp_path / "bad.pt"
    raised = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        data = bytearray(good)
        position = int(rng.integers(len(data)))
        if seed % 2:
            data[position] ^= 1 << int(rng.integers(8))
        else:
            del data[position:]
        path.write_bytes(bytes(data))
        try:
            loaded = mg.load(path)
        except CheckpointError:
            raised += 1
            continue
        assert_same(loaded, checkpoint)  # a byte load does not use ("format": "pt")
    assert raised > 190


def test_load_accepts_torch_load_arguments_for_the_cpu(tmp_path):
    mg.save({"x": mg.ones(2)}, tmp_path / "x.pt")
    for kwargs in ({"map_location": "cpu"}, {"weights_only": True}, {"map_location": mg.device("cpu")}):
        np.testing.assert_array_equal(mg.load(tmp_path / "x.pt", **kwargs)["x"].numpy(), [1, 1])
    with pytest.raises(ValueError, match="CPU only"):
        mg.load(tmp_path / "x.pt", map_location="cuda:0")
