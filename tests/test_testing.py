"""mg.testing: assert_close raises what torch.testing.assert_close raises (type and text);
compare / compare_grads print one line per gradient and say when shapes or names differ."""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nn

torch = pytest.importorskip("torch")

INF, NAN = float("inf"), float("nan")
# (actual, expected, options), written with a module `m` (torch or minigrad) and numpy
CASES = {
    "close": lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, 2.000001]), {}),
    "one mismatch": lambda m: (m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 2.5, 3.0]), {}),
    "2-d, different worst indices": lambda m: (m.tensor([[1.0, 2.0], [3.0, 4.0]]),
                                               m.tensor([[1.0, 3.0], [2.0, 4.0]]), {}),
    "within atol": lambda m: (m.tensor([1.0, 0.0]), m.tensor([1.0, 1e-6]), {}),
    "shape": lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0, 3.0]), {}),
    "dtype": lambda m: (m.tensor([1.0]), m.tensor([1.0], dtype=m.float64), {}),
    "dtype unchecked": lambda m: (m.tensor([1.0, 2.0]), m.tensor([1, 2]), {"check_dtype": False}),
    "int vs float unchecked": lambda m: (m.tensor([1, 2]), m.tensor([1.0, 2.5]),
                                         {"check_dtype": False}),
    "integers are exact": lambda m: (m.tensor([1, 2]), m.tensor([1, 3]), {}),
    "bools": lambda m: (m.tensor([True]), m.tensor([False]), {}),
    "0-d": lambda m: (m.tensor(1.0), m.tensor(2.0), {}),
    "nan": lambda m: (m.tensor([NAN]), m.tensor([NAN]), {}),
    "nan equal": lambda m: (m.tensor([NAN]), m.tensor([NAN]), {"equal_nan": True}),
    "inf vs finite": lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, INF]), {}),
    "inf vs inf": lambda m: (m.tensor([1.0, INF]), m.tensor([1.0, INF]), {}),
    "own tolerances": lambda m: (m.tensor([1.0]), m.tensor([1.1]), {"rtol": 0, "atol": 0.01}),
    "message": lambda m: (m.tensor([1.0]), m.tensor([2.0]), {"msg": "custom"}),
    "message callable": lambda m: (m.tensor([1.0]), m.tensor([2.0]), {"msg": lambda s: "X" + s}),
    "rtol alone": lambda m: (m.tensor([1.0]), m.tensor([1.0]), {"rtol": 1}),
    "atol alone": lambda m: (m.tensor([1.0]), m.tensor([1.0]), {"atol": 1}),
    "floats": lambda m: (1.0, 1.5, {}),
    "ints": lambda m: (1, 2, {}),
    "int vs float": lambda m: (1, 1.0, {}),
    "numpy": lambda m: (np.array([1.0, 2.0]), np.array([1.0, 2.5]), {}),
    "list": lambda m: ([1.0, 2.0], [1.0, 2.5], {}),
    "list length": lambda m: ([1.0, 2.0], [1.0], {}),
    "list of tensors": lambda m: ([m.tensor([1.0]), m.tensor([2.0, 3.0])],
                                  [m.tensor([1.0]), m.tensor([2.0, 4.0])], {}),
    "dict": lambda m: ({"a": m.tensor([1.0])}, {"a": m.tensor([2.0])}, {}),
    "dict keys": lambda m: ({"a": 1.0}, {"b": 1.0}, {}),
}


def outcome(module, case) -> str:
    actual, expected, options = case(module)
    try:
        module.testing.assert_close(actual, expected, **options)
    except Exception as error:  # noqa: BLE001 - the type and the text are what is compared
        return f"{type(error).__name__}: {error}"
    return "passes"


@pytest.mark.parametrize("name", list(CASES))
def test_assert_close_says_what_torch_says(name):
    assert outcome(mg, CASES[name]) == outcome(torch, CASES[name])


def test_assert_close_refuses_to_mix_a_tensor_with_an_array():
    with pytest.raises(TypeError, match="No comparison pair was able to handle inputs of type"):
        mg.testing.assert_close(mg.tensor([1.0]), np.array([1.0]))


def test_compare_prints_exact_approximate_and_maxdiff(capsys):
    w = mg.tensor([1.0, -2.0], dtype=mg.float64, requires_grad=True)
    (w * w).sum().backward()
    assert mg.testing.compare("w", 2 * w.detach().numpy(), w) is True
    assert mg.testing.compare("w+", 2 * w.detach().numpy() + 1e-9, w) is True
    assert mg.testing.compare("wrong", w.detach().numpy(), w) is False
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "w               | exact: True  | approximate: True  | maxdiff: 0.0"
    assert lines[1].startswith("w+              | exact: False | approximate: True  | maxdiff: 1")
    assert lines[2] == "wrong           | exact: False | approximate: False | maxdiff: 2.0"


def test_compare_names_both_shapes_when_they_differ(capsys):
    b = mg.tensor([0.0, 0.0], requires_grad=True)
    (mg.ones(3, 2) * b).sum().backward()
    assert mg.testing.compare("b", np.ones((3, 2)), b) is False  # not summed over the batch
    assert capsys.readouterr().out.strip().endswith("shapes differ: by hand (3, 2), autograd (2,)")


def test_compare_without_a_gradient_says_so(capsys):
    w = mg.tensor([1.0], requires_grad=True)
    assert mg.testing.compare("w", np.ones(1), w) is False
    assert "w.grad is None" in capsys.readouterr().out


def test_compare_grads_matches_a_module_by_name_and_reports_missing_and_extra(capsys):
    layer = nn.Linear(3, 2)
    x = mg.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    layer(x).sum().backward()
    by_hand = {"weight": np.tile(x.numpy().sum(0), (2, 1)), "bias": np.full(2, 2.0)}
    assert mg.testing.compare_grads(layer, by_hand) is True
    assert mg.testing.compare_grads(layer, {"weight": by_hand["weight"], "b": by_hand["bias"]}) is False
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("|")[0].strip() for line in lines] == ["weight", "bias", "weight", "bias", "b"]
    assert "missing" in lines[3] and "extra" in lines[4] and "weight, bias" in lines[4]


def test_compare_grads_takes_a_dict_of_tensors():
    a = mg.tensor([2.0], requires_grad=True)
    (a * 3).sum().backward()
    assert mg.testing.compare_grads({"a": a}, {"a": [3.0]}) is True
    with pytest.raises(TypeError, match="compare_grads"):
        mg.testing.compare_grads([a], {"a": [3.0]})
