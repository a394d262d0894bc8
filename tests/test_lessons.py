"""The lessons in examples/: each runs with --quick and shows what the notes say.

The lessons are run in-process through their ``main(argv)`` (they return the numbers they
print); expected values are computed here independently, by closed forms or by hand.
"""
from __future__ import annotations

import importlib
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from example_scripts import CAN_DRAW, EXAMPLES, assert_png, run_script  # noqa: E402


def run_lesson(name: str, tmp_path: Path) -> dict:
    module = importlib.import_module(name)
    return module.main(["--quick", "--out", str(tmp_path)])


def test_lesson1_one_step_gives_0_1_and_1000_more_reach_5(tmp_path):
    result = run_lesson("lesson1_gradient_descent", tmp_path)
    assert result["w_after_1"] == pytest.approx(0.1, abs=1e-12)  # 0 - 0.01 * (2*0 - 10)
    assert result["w_after_1001"] == pytest.approx(5.0, abs=1e-4)
    assert result["w_after_1001"] == pytest.approx(5 * (1 - 0.98 ** 1001), abs=1e-9)
    assert result["w_sgd"] == pytest.approx(result["w_after_1001"], abs=1e-12)
    assert_png(result["picture"])


def test_lesson2_softmax_matches_the_closed_form_and_stays_finite(tmp_path):
    result = run_lesson("lesson2_softmax", tmp_path)
    z = np.array([[1, 2, 0], [-1, 0, 1], [-10, 0, 10]], dtype=np.float64)
    expected = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(result["softmax"], expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(result["hardmax"], np.eye(3, dtype=int)[[1, 2, 2]])
    assert np.isnan(result["naive_1000"]).all()  # exp(1000) overflows
    shifted = np.exp([0.0, -1.0, -2.0])
    np.testing.assert_allclose(result["stable_1000"][0], shifted / shifted.sum(), rtol=1e-5)
    assert result["c2_gap"] < 1e-12  # softmax with C = 2 is the sigmoid of the difference
    assert result["engine_gap"] < 1e-6  # F.softmax agrees with the stable formula
    assert_png(result["picture"])


def test_lesson3_cross_entropy_numbers_and_gradient(tmp_path):
    result = run_lesson("lesson3_cross_entropy", tmp_path)
    assert result["one_hot_loss"] == pytest.approx(-math.log(0.2), rel=1e-6)
    assert result["nll_loss"] == pytest.approx(-math.log(0.2), rel=1e-6)
    assert result["fused"] == pytest.approx(result["composed"], abs=1e-12)
    assert result["gap_formula"] < 1e-12 and result["gap_unfused"] < 1e-12  # dz = (ŷ - y) / N
    z, y = np.array([2.0, -1.0, 0.5, -3.0]), np.array([1.0, 0.0, 0.0, 1.0])
    p = 1 / (1 + np.exp(-z))
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    for key in ("bce", "bce_by_hand", "bce_with_logits"):
        assert result[key] == pytest.approx(bce, rel=1e-9)
    assert result["bce_gap"] < 1e-12
    assert_png(result["picture"])


def test_lesson4_hinge_table_and_first_loss_checks(tmp_path):
    result = run_lesson("lesson4_softmax_vs_svm", tmp_path)
    np.testing.assert_allclose(result["hinge"], [2.9, 0.0, 12.9], atol=1e-5)
    np.testing.assert_allclose(result["hinge_by_hand"], [2.9, 0.0, 12.9], atol=1e-9)
    assert round(result["hinge_mean"], 2) == 5.27
    assert result["hinge_mean"] == pytest.approx((2.9 + 0.0 + 12.9) / 3, abs=1e-5)
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])  # cat, car, frog
    right_scores = scores[[0, 1, 2], [0, 1, 2]]
    cross_entropy = np.log(np.exp(scores).sum(axis=1)) - right_scores  # -log softmax(s)_right
    np.testing.assert_allclose(result["softmax"], cross_entropy, rtol=1e-5)
    np.testing.assert_allclose(result["squared"], [2.9 ** 2, 0.0, 6.3 ** 2 + 6.6 ** 2], rtol=1e-5)
    assert result["first_ce"] == pytest.approx(math.log(3), abs=0.01)  # log C
    assert result["first_hinge"] == pytest.approx(3 - 1, abs=0.02)  # C - 1
    for accuracy in result["accuracy"].values():  # a linear classifier cannot follow the arms
        assert 0.4 < accuracy < 0.7
    assert_png(result["picture"])


def test_lesson5_regularization_shrinks_weights_and_helps_the_test_set(tmp_path):
    result = run_lesson("lesson5_regularization", tmp_path)["results"]
    assert result["none"]["train_acc"] == 1.0  # the unregularized MLP overfits the 40 points
    for name in ("L2", "L1", "elastic net"):
        assert result[name]["l2_norm"] < result["none"]["l2_norm"]
    assert result["L1"]["near_zero"] > 0.5 > result["none"]["near_zero"]  # L1 is sparse
    assert result["elastic net"]["test_acc"] > result["none"]["test_acc"]
    assert result["L2"]["test_acc"] > result["none"]["test_acc"]


def test_lesson6_adaptive_optimizers_leave_the_saddle_and_the_plateau_first(tmp_path):
    result = run_lesson("lesson6_optimizers", tmp_path)
    escape = result["escape_step"]
    slowest = result["steps"] + 1
    sgd_saddle = escape[("saddle point", "SGD")] or slowest
    for name in ("momentum", "RMSProp", "Adam"):
        assert escape[("saddle point", name)] is not None
        assert escape[("saddle point", name)] < sgd_saddle
        assert escape[("plateau", name)] is not None
    assert escape[("plateau", "SGD")] is None  # still on the plateau
    assert result["final"][("saddle point", "Adam")] == pytest.approx(-1.0, abs=0.05)
    assert_png(result["picture"])


def test_lesson7_a_stack_without_activations_is_one_low_rank_matrix(tmp_path):
    result = run_lesson("lesson7_mlp_linear", tmp_path)
    assert result["written_out_gap"] < 1e-6
    assert result["collapse_gap"] < 1e-5
    assert result["rank"] == 3
    assert result["linear_mse"] == pytest.approx(result["best_line_mse"], rel=0.02)
    assert result["relu_mse"] < 0.1 * result["linear_mse"]
    assert_png(result["picture"])


def test_lesson8_chain_rule_by_hand_equals_backward(tmp_path):
    result = run_lesson("lesson8_backprop_by_hand", tmp_path)
    assert set(result["gaps"]) == {"W1", "b1", "W2", "b2"}
    assert max(result["gaps"].values()) < 1e-12
    assert result["all_match"] is True  # mg.testing.compare_grads agrees
    saved = {batch: activations for batch, (activations, _) in result["memory"].items()}
    parameters = {p for _, p in result["memory"].values()}
    assert saved[4] < saved[64] < saved[1024] and len(parameters) == 1
    assert parameters == {(100 * 3 + 100 + 3 * 100 + 3) * 8}  # W1, b1, W2, b2 in float64
    if CAN_DRAW:
        root = ET.parse(result["drawing"]).getroot()
        assert root.tag.endswith("svg")
        assert_png(result["drawing"].with_suffix(".png"))
    else:
        assert result["drawing"] is None


def test_lesson9_one_newton_step_reaches_5_and_the_gradient_has_its_own_graph(tmp_path):
    result = run_lesson("lesson9_newton", tmp_path)
    assert result["path"] == [0.0, 5.0, 5.0]  # w - J'/J'' = 0 - (2*0 - 10) / 2, then J'(5) = 0
    assert result["derivatives"] == [(-10.0, 2.0), (0.0, 2.0)]
    forward, gradient = result["drawings"]
    if CAN_DRAW:
        forward_text = forward.read_text()
        gradient_text = gradient.read_text()
        assert ">sub<" in forward_text and ">sub<" not in gradient_text  # J = w^2 - 10w + 25
        assert ">dJ/dw<" in gradient_text and ">mul<" in gradient_text  # 2 * w^1 + (-10)
        for drawing in (forward, gradient, result["picture"]):
            assert_png(drawing.with_suffix(".png"))
    else:
        assert result["drawings"] == (None, None) and result["picture"] is None


@pytest.mark.parametrize("script", ["lesson1_gradient_descent.py", "lesson2_softmax.py",
                                    "lesson9_newton.py"])
def test_lessons_run_as_scripts(tmp_path, script):
    completed = run_script(script, "--quick", "--out", str(tmp_path), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert list(tmp_path.glob("*.png"))


def test_generated_notebook_is_up_to_date():
    nbformat = pytest.importorskip("nbformat")
    make_notebook = importlib.import_module("make_notebook")
    committed = nbformat.read(EXAMPLES / "tutorial.ipynb", as_version=4)
    generated = make_notebook.build()
    assert [c.source for c in committed.cells] == [c.source for c in generated.cells]


def test_tutorial_notebook_executes_headless():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(EXAMPLES / "tutorial.ipynb", as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(EXAMPLES)}})
    client.execute()
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.outputs if output.output_type == "error"]
    assert not errors
