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
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")
pytest.importorskip("sklearn")

from example_scripts import CAN_DRAW, EXAMPLES, assert_png, run_script  # noqa: E402

import minigrad as mg  # noqa: E402

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


# -- the split, the epochs, the kept model --------------------------------------------------------
def test_the_split_sizes_are_printed_and_cover_the_dataset_once(runs):
    result, lines, _ = runs["digits"]
    sizes = result.data.sizes()
    assert sum(sizes.values()) == 1797  # scikit-learn's digits
    assert sizes["test"] == 450 and sizes["validation"] == 269  # 25% and 15% of each class
    assert lines[0].startswith(f"digits: {sizes['train']} train / {sizes['validation']} validation / "
                               f"{sizes['test']} test samples (split by --seed 0)")
    train_rows = {row.tobytes() for row in result.data.X_train}
    assert not train_rows & {row.tobytes() for row in result.data.X_test}
    assert not train_rows & {row.tobytes() for row in result.data.X_val}


def test_the_split_is_fixed_by_the_seed(tmp_path):
    _data = importlib.import_module("_data")
    first, again, other = (_data.load_data("digits", seed) for seed in (0, 0, 1))
    np.testing.assert_array_equal(first.y_val, again.y_val)
    np.testing.assert_array_equal(first.X_test, again.X_test)
    assert not np.array_equal(first.X_test, other.X_test)


def test_one_line_per_epoch_with_train_and_validation_numbers(runs):
    for result, lines, _ in runs.values():
        epoch_lines = [line for line in lines if line.startswith("epoch ")]
        assert len(epoch_lines) == len(result.history)
        for line, row in zip(epoch_lines, result.history):
            assert f"train loss {row['train_loss']:.4f} acc {row['train_acc']:.3f}" in line
            assert f"val loss {row['val_loss']:.4f} acc {row['val_acc']:.3f}" in line


def test_the_kept_model_is_the_best_epoch_on_validation_and_test_is_measured_on_it(runs):
    for result, _, out in runs.values():
        val_accs = [row["val_acc"] for row in result.history]
        assert result.history[result.best_epoch - 1]["val_acc"] == max(val_accs)
        config = json.loads((out / "config.json").read_text())
        assert config["best_epoch"] == result.best_epoch
        assert config["test_accuracy"] == result.test_accuracy
        _, accuracy, _ = train.evaluate(result.model, train.loss_function("cross_entropy"),
                                        result.data.X_test, result.data.y_test)
        assert accuracy == result.test_accuracy
        best = mg.load(out / "best.safetensors")
        assert best["epoch"] == result.best_epoch


# -- outputs -------------------------------------------------------------------------------------
def test_metrics_csv_has_one_row_per_epoch_with_validation_columns(runs):
    for result, _, out in runs.values():
        with open(out / "metrics.csv", newline="") as file:
            reader = csv.DictReader(file)
            rows = list(reader)
        assert reader.fieldnames == ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr"]
        assert [int(row["epoch"]) for row in rows] == list(range(1, len(result.history) + 1))
        for row, kept in zip(rows, result.history):
            assert float(row["train_loss"]) >= 0 and float(row["val_loss"]) >= 0
            assert float(row["val_acc"]) == pytest.approx(kept["val_acc"], abs=1e-6)
            assert 0 <= float(row["train_acc"]) <= 1 and 0 <= float(row["val_acc"]) <= 1


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


def test_the_backprop_graph_is_an_svg_of_a_fresh_step_that_fits_a_screen(runs):
    for _, lines, out in runs.values():
        if CAN_DRAW:
            root = ET.parse(out / "graph.svg").getroot()
            assert root.tag.endswith("svg")
            classes = {element.get("class") for element in root.iter()}
            assert {"node", "edge"} <= classes  # a drawn graph, not an empty picture
            texts = {element.text for element in root.iter() if element.tag.endswith("text")}
            assert {"x", "y", "scores", "loss"} <= texts  # the names draw_one_step gives
            assert not any("accumulated" in (text or "") for text in texts)  # no leftover .grad
            width, height = (float(root.get(side).removesuffix("pt")) for side in ("width", "height"))
            assert max(width, height) * 4 / 3 <= 1601  # CSS pixels: 96 per inch, 72 pt per inch
        else:
            assert not (out / "graph.svg").exists()
            assert any(line.startswith("note:") and "graph" in line for line in lines)


def test_the_checkpoints_hold_what_it_takes_to_use_or_continue_the_run(runs):
    result, _, out = runs["digits"]
    for name in ("best.safetensors", "last.safetensors"):
        checkpoint = mg.load(out / name)
        assert {"model", "optimizer", "scheduler", "epoch", "rng", "preprocessing", "class_names",
                "model_config", "options", "history"} <= set(checkpoint)
        assert checkpoint["class_names"] == [str(k) for k in range(10)]
        assert checkpoint["model_config"] == {"in_features": 64, "hidden": [256, 128],
                                              "num_classes": 10, "activation": "relu"}
        np.testing.assert_array_equal(checkpoint["preprocessing"]["mean"].numpy(), result.data.mean)
        np.testing.assert_array_equal(checkpoint["preprocessing"]["std"].numpy(), result.data.std)
        assert checkpoint["preprocessing"]["image_shape"] == (8, 8)
        assert checkpoint["optimizer"]["state"]  # Adam's moments, to resume with
    assert not [name for name in os.listdir(out) if name.startswith(".")]  # no temporary left


@pytest.mark.parametrize("name", ["digits", "spiral"])
def test_the_best_checkpoint_reloads_into_an_equal_model(runs, name):
    result, _, out = runs[name]
    original = result.model.state_dict()
    reloaded, _ = importlib.import_module("_checkpoint").load_model(out)
    assert reloaded.state_dict().keys() == original.keys()
    for key, value in reloaded.state_dict().items():
        np.testing.assert_array_equal(np.asarray(value.data), np.asarray(original[key].data))
    X = mg.tensor(result.data.X_test)
    with mg.no_grad():
        np.testing.assert_array_equal(reloaded(X).data.argmax(1), result.model(X).data.argmax(1))


def test_a_second_run_never_overwrites_the_first_unless_asked(tmp_path):
    out = tmp_path / "spiral"
    base = ["--dataset", "spiral", "--epochs", "1"]
    run_in_process([*base, "--out", str(out)])
    first = (out / "best.safetensors").read_bytes()
    second, lines = run_in_process([*base, "--seed", "1", "--out", str(out)])
    assert second.folder == tmp_path / "spiral-2" and (out / "best.safetensors").read_bytes() == first
    assert lines[0] == (f"{out} holds an earlier run: writing to {tmp_path / 'spiral-2'} instead "
                        f"(--out {out} --overwrite replaces it)")
    third, _ = run_in_process([*base, "--seed", "2", "--out", str(out)])
    assert third.folder == tmp_path / "spiral-3"
    replaced, _ = run_in_process([*base, "--seed", "1", "--out", str(out), "--overwrite"])
    assert replaced.folder == out
    assert mg.load(out / "best.safetensors")["options"]["seed"] == 1


# -- bad options ---------------------------------------------------------------------------------
def bad_idx_labels(folder: Path) -> Path:
    fake_mnist(folder)
    labels = np.zeros(100, dtype=np.uint8)
    labels[7] = 12  # a label 12 in a 10-class file
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", labels)
    return folder


@pytest.mark.parametrize("args, words", [
    (["--dataset", "cifar"], "unknown dataset"),
    (["--dataset", "mnist:/no/such/folder"], "not found"),
    (["--hidden", "128,abc"], "does not parse"),
    (["--lr", "-0.1"], "--lr"),
    (["--optimizer", "lbfgs"], "invalid choice"),
    (["--seed", "-1"], "--seed must be an integer from 0"),
    (["--epochs", "0"], "--epochs must be positive"),
    (["--weight-decay", "nan"], "--weight-decay"),
    (["--overwrite"], "--overwrite needs --out"),
    (["--dataset", "mnist:{tmp}/idx"], "has the label 12 at index 7"),
    (["--out", "{tmp}/a_file/run"], "cannot write to the output folder"),
])
def test_bad_option_gives_a_one_line_error_before_training(tmp_path, args, words):
    bad_idx_labels(tmp_path / "idx")
    (tmp_path / "a_file").write_text("not a folder")
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in args]
    if "--out" not in args and "--overwrite" not in args:
        args += ["--out", str(tmp_path / "out")]
    completed = run_script("train.py", *args, cwd=tmp_path)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert words in lines[0]
    assert "epoch" not in completed.stdout and "initial loss" not in completed.stdout


def test_an_unwritable_existing_output_folder_is_refused_before_training(tmp_path, monkeypatch):
    _checkpoint = importlib.import_module("_checkpoint")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_checkpoint.tempfile, "NamedTemporaryFile", refuse)  # root can write anywhere
    with pytest.raises(train.UsageError, match="cannot write to the output folder .*Permission denied"):
        run_in_process(["--dataset", "spiral", "--out", str(tmp_path)])


def test_a_missing_extra_names_the_pip_install_to_run(tmp_path):
    blocker = tmp_path / "sitecustomize.py"  # matplotlib cannot be imported, as without the extra
    blocker.write_text("import sys\nclass Block:\n    def find_spec(self, name, path=None, target=None):\n"
                       "        if name == 'matplotlib':\n"
                       "            raise ModuleNotFoundError(\"No module named 'matplotlib'\", name=name)\n"
                       "sys.meta_path.insert(0, Block())\n")
    completed = subprocess.run([sys.executable, str(EXAMPLES / "train.py"), "--quick"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=60,
                               env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    assert completed.stderr.strip() == ('train.py: error: the matplotlib package is not installed; run '
                                        'pip install -e ".[examples]" from the repository\'s root '
                                        '(or pip install matplotlib)')
