"""examples/predict.py: it reads a run folder back and agrees with the training that wrote it.

One quick run of the digits is trained in-process; predict.py runs as a user runs it, in a
subprocess. The expected predictions are those of the trained model itself on the same rows
(train.py's Result), never numbers predict.py computed.
"""
from __future__ import annotations

import contextlib
import importlib
import io

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")
pytest.importorskip("sklearn")
Image = pytest.importorskip("PIL.Image")

from example_scripts import run_script  # noqa: E402

import minigrad as mg  # noqa: E402
import nn  # noqa: E402

train = importlib.import_module("train")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("predict") / "digits"
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        result = train.train_from_argv(["--quick", "--out", str(out)])
    return result, printed.getvalue().splitlines(), out


def predicted_by_training(result, raw_rows: np.ndarray) -> np.ndarray:
    """What the model train.py kept predicts for raw (unstandardized) rows."""
    with mg.no_grad():
        scores = result.model(mg.tensor((raw_rows - result.data.mean) / result.data.std))
    return scores.numpy().argmax(axis=1)


def raw_digits():
    X, y = nn.datasets.load_digits()
    return X.numpy(), y.numpy()


def test_without_input_it_prints_the_test_accuracy_training_printed(run, tmp_path):
    result, lines, out = run
    completed = run_script("predict.py", str(out), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [lines[-1]]  # "test accuracy: 0.9xx", the same line


def test_npy_and_csv_rows_get_the_class_the_trained_model_gives(run, tmp_path):
    result, _, out = run
    X, _ = raw_digits()
    rows = X[100:110]
    np.save(tmp_path / "rows.npy", rows)
    np.savetxt(tmp_path / "rows.csv", rows, delimiter=",", fmt="%.8g")
    np.save(tmp_path / "images.npy", rows.reshape(-1, 8, 8))
    expected = predicted_by_training(result, rows)
    for name in ("rows.npy", "rows.csv", "images.npy"):
        completed = run_script("predict.py", str(out), "--input", str(tmp_path / name), cwd=tmp_path)
        assert completed.returncode == 0, completed.stderr
        lines = completed.stdout.splitlines()
        assert len(lines) == len(rows)
        classes = [int(line.split("class ")[1].split()[0]) for line in lines]
        assert classes == expected.tolist(), name
        probabilities = [float(line.split("probability ")[1].rstrip(")")) for line in lines]
        assert all(0.1 <= p <= 1.0 for p in probabilities)  # the top class of 10


def test_a_png_of_a_digit_is_resized_inverted_and_classified(run, tmp_path):
    result, _, out = run
    X, y = raw_digits()
    index = int(np.flatnonzero(predicted_by_training(result, X[:200]) == y[:200])[0])
    ink = X[index].reshape(8, 8)
    paper = (255 * (1 - ink)).astype(np.uint8)  # dark ink on white, 4x larger, as one draws it
    Image.fromarray(paper).resize((32, 32), Image.NEAREST).save(tmp_path / "digit.png")
    completed = run_script("predict.py", str(out), "--input", str(tmp_path / "digit.png"), cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(f"{tmp_path / 'digit.png'}: class {y[index]} ")


@pytest.mark.parametrize("name, content, words", [
    ("wrong.npy", np.zeros((3, 10)), "the model takes 64 features per row"),
    ("text.npy", b"not numpy", "not a numeric .npy file"),
    ("letters.csv", b"a,b\nc,d\n", "not a CSV file of numbers"),
    ("notes.txt", b"1,2", "give a .npy or .csv file"),
    ("broken.png", b"\x89PNG\r\n\x1a\nxx", "not an image that can be read"),
    ("nan.npy", np.full((1, 64), np.nan), "not finite"),
])
def test_a_bad_input_file_is_one_line_and_exit_2(run, tmp_path, name, content, words):
    _, _, out = run
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        np.save(path, content)
    completed = run_script("predict.py", str(out), "--input", str(path), cwd=tmp_path)
    assert completed.returncode == 2
    assert completed.stdout == "" and "Traceback" not in completed.stderr
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], completed.stderr


def test_a_folder_that_is_not_a_run_is_one_line_and_exit_2(tmp_path):
    for folder in (tmp_path / "missing", tmp_path):
        completed = run_script("predict.py", str(folder), cwd=tmp_path)
        assert completed.returncode == 2 and "Traceback" not in completed.stderr
        assert len(completed.stderr.strip().splitlines()) == 1, completed.stderr
