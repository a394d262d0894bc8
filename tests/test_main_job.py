"""The main job, examples/train.py: it learns, writes every output, and rejects bad options.

The training runs call ``train_from_argv`` in-process with --quick (one import of numpy,
matplotlib and scikit-learn for all of them); the bad options run the script as a user does, in
a subprocess, to see its exit status and its stderr.
"""
from __future__ import annotations

import contextlib
import csv
import gzip
import importlib
import io
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")
pytest.importorskip("sklearn")

from example_scripts import CAN_DRAW, assert_png, run_script  # noqa: E402

import minigrad as mg  # noqa: E402
import nn  # noqa: E402

train = importlib.import_module("train")  # examples/train.py: example_scripts put it on the path


def run_in_process(argv):
    """train_from_argv with its stdout captured: (result, printed lines)."""
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        result = train.train_from_argv(argv)
    return result, stdout.getvalue().splitlines()


def write_idx(path: Path, array: np.ndarray) -> None:
    """A gzipped IDX file: magic 2051 for images (3 dims), 2049 for labels (1 dim)."""
    magic = 2051 if array.ndim == 3 else 2049
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as file:
        file.write(header + array.astype(np.uint8).tobytes())


def fake_mnist(folder: Path, n_train: int = 300, n_test: int = 100) -> Path:
    """28x28 images in which class k lights a bar in row band k, with noise: learnable fast."""
    rng = np.random.default_rng(0)
    folder.mkdir()
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, size=n)
        images = rng.integers(0, 60, size=(n, 28, 28))
        for image, label in zip(images, labels):
            image[2 + 2 * label: 4 + 2 * label, 4:24] = 255
        write_idx(folder / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One quick run per dataset, shared by the tests that inspect its outputs."""
    base = tmp_path_factory.mktemp("runs")
    mnist = fake_mnist(base / "mnist_idx")
    results = {}
    for name, dataset in (("digits", "digits"), ("spiral", "spiral"), ("moons", "moons"),
                          ("mnist", f"mnist:{mnist}")):
        out = base / name
        result, lines = run_in_process(["--dataset", dataset, "--quick", "--out", str(out)])
        results[name] = (result, lines, out)
    return results


# -- learning ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, least", [("spiral", 0.95), ("digits", 0.90), ("moons", 0.90),
                                         ("mnist", 0.90)])
def test_quick_run_learns_the_dataset(runs, name, least):
    result, _, _ = runs[name]
    assert result.test_accuracy >= least


def test_last_line_reports_the_measured_test_accuracy(runs):
    for result, lines, _ in runs.values():
        assert re.fullmatch(r"test accuracy: \d\.\d{3}", lines[-1])
        assert lines[-1] == f"test accuracy: {result.test_accuracy:.3f}"


def test_initial_loss_is_printed_next_to_log_C(runs):
    for result, lines, _ in runs.values():
        line = next(line for line in lines if line.startswith("initial loss:"))
        measured, expected = (float(x) for x in re.findall(r"\d+\.\d+", line)[:2])
        assert expected == pytest.approx(math.log(result.data.num_classes), abs=1e-4)
        assert abs(measured - expected) < 0.25 * expected  # scores near zero at initialization


def test_hinge_loss_first_value_is_near_C_minus_1(tmp_path):
    _, lines = run_in_process(["--dataset", "spiral", "--loss", "hinge", "--epochs", "1",
                               "--out", str(tmp_path)])
    line = next(line for line in lines if line.startswith("initial loss:"))
    measured, expected = (float(x) for x in re.findall(r"\d+\.\d+", line)[:2])
    assert expected == 2.0  # three classes
    assert abs(measured - expected) < 0.5


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adamw"])
def test_every_optimizer_trains_the_moons(tmp_path, optimizer):
    result, _ = run_in_process(["--dataset", "moons", "--optimizer", optimizer, "--epochs", "15",
                                "--activation", "tanh", "--out", str(tmp_path)])
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    assert result.test_accuracy >= 0.8


# -- outputs -------------------------------------------------------------------------------------
def test_metrics_csv_has_one_row_per_epoch(runs):
    for result, _, out in runs.values():
        with open(out / "metrics.csv", newline="") as file:
            reader = csv.DictReader(file)
            rows = list(reader)
        assert reader.fieldnames == ["epoch", "train_loss", "train_acc", "test_loss", "test_acc"]
        assert [int(row["epoch"]) for row in rows] == list(range(1, len(result.history) + 1))
        for row in rows:
            assert float(row["train_loss"]) >= 0 and float(row["test_loss"]) >= 0
            assert 0 <= float(row["train_acc"]) <= 1 and 0 <= float(row["test_acc"]) <= 1
        assert float(rows[-1]["test_acc"]) == pytest.approx(result.test_accuracy, abs=1e-6)


@pytest.mark.parametrize("name, pictures", [
    ("digits", ["curves.png", "misclassified.png", "confusion_matrix.png"]),
    ("mnist", ["curves.png", "misclassified.png", "confusion_matrix.png"]),
    ("spiral", ["curves.png", "decision_boundary.png"]),
    ("moons", ["curves.png", "decision_boundary.png"]),
])
def test_pictures_are_written_as_png(runs, name, pictures):
    _, _, out = runs[name]
    for picture in pictures:
        assert_png(out / picture)


def test_the_backprop_graph_is_an_svg_or_a_note_says_why(runs):
    for _, lines, out in runs.values():
        if CAN_DRAW:
            root = ET.parse(out / "graph.svg").getroot()
            assert root.tag.endswith("svg")
            classes = {element.get("class") for element in root.iter()}
            assert {"node", "edge"} <= classes  # a drawn graph, not an empty picture
            texts = {element.text for element in root.iter() if element.tag.endswith("text")}
            assert {"x", "y", "scores", "loss"} <= texts  # the names draw_one_step gives
        else:
            assert not (out / "graph.svg").exists()
            assert any(line.startswith("note:") and "graph" in line for line in lines)


@pytest.mark.parametrize("name", ["digits", "spiral"])
def test_saved_weights_reload_into_an_equal_model(runs, name):
    result, _, out = runs[name]
    original = result.model.state_dict()
    assert set(nn.load(out / "model.npz")) == set(original)
    reloaded = train.load_model(out)  # rebuilt from config.json, filled from model.npz
    assert reloaded.state_dict().keys() == original.keys()
    for key, value in reloaded.state_dict().items():
        np.testing.assert_array_equal(np.asarray(value.data), np.asarray(original[key].data))
    X = mg.tensor(result.data.X_test)
    with mg.no_grad():
        np.testing.assert_array_equal(reloaded(X).data.argmax(1), result.model(X).data.argmax(1))


# -- bad options ---------------------------------------------------------------------------------
@pytest.mark.parametrize("args, words", [
    (["--dataset", "cifar"], "unknown dataset"),
    (["--dataset", "mnist:/no/such/folder"], "not found"),
    (["--hidden", "128,abc"], "does not parse"),
    (["--lr", "-0.1"], "--lr"),
    (["--optimizer", "lbfgs"], "invalid choice"),
])
def test_bad_option_gives_a_one_line_error(tmp_path, args, words):
    completed = run_script("train.py", *args, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert words in lines[0]
