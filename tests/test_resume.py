"""examples/train.py --resume and Ctrl-C: a run stopped anywhere and resumed ends exactly as the
same run without a stop (same batches, same numbers, same weights).

The reference is always an uninterrupted run with the same options, never a number computed by
the code under test. Runs are small (the 8x8 digits, a 32-unit hidden layer, few epochs).
"""
from __future__ import annotations

import contextlib
import importlib
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("tqdm")
pytest.importorskip("sklearn")

from example_scripts import EXAMPLES  # noqa: E402

import minigrad as mg  # noqa: E402

train = importlib.import_module("train")
OPTIONS = ["--hidden", "32", "--epochs", "4"]


class StopAfter(train.StopRequest):
    """A Ctrl-C that arrives during step number ``steps + 1`` (counted over the whole run)."""

    def __init__(self, steps: int) -> None:
        super().__init__()
        self.left = steps

    @property
    def requested(self) -> bool:
        self.left -= 1
        return self.left < 0

    @requested.setter
    def requested(self, value) -> None:  # StopRequest.__init__ sets it
        pass


def quietly(argv, stop=None):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        result = train.train_from_argv(argv, stop=stop)
    return result, printed.getvalue().splitlines()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole") / "run"
    result, lines = quietly([*OPTIONS, "--out", str(out)])
    return result, lines, out


def assert_same_run(resumed, resumed_out: Path, uninterrupted) -> None:
    result, lines, out = uninterrupted
    assert (resumed_out / "metrics.csv").read_text() == (out / "metrics.csv").read_text()
    assert resumed.test_accuracy == result.test_accuracy and resumed.best_epoch == result.best_epoch
    for (name, got), (_, expected) in zip(resumed.model.state_dict().items(),
                                          result.model.state_dict().items()):
        np.testing.assert_array_equal(got.numpy(), expected.numpy(), err_msg=name)
    last = mg.load(resumed_out / "last.safetensors")
    whole = mg.load(out / "last.safetensors")
    for key in ("optimizer", "rng", "history", "best", "epoch"):
        assert repr(last[key]) == repr(whole[key]), key


# The digits' 1078 training samples make 34 batches of 32 per epoch.
@pytest.mark.parametrize("steps", [1, 34, 50, 101])  # first step, an epoch's last, mid-epoch 2, 3
def test_a_run_stopped_after_any_step_and_resumed_ends_as_the_uninterrupted_run(tmp_path, uninterrupted,
                                                                                steps):
    out = tmp_path / "run"
    with pytest.raises(train.Interrupted, match=f"--resume {out}"):
        quietly([*OPTIONS, "--out", str(out)], stop=StopAfter(steps))
    saved = mg.load(out / "last.safetensors")
    assert saved["epoch"] * 34 + saved["batches_done"] == steps + 1  # the step in progress finished
    resumed, lines = quietly(["--resume", str(out)])
    assert any(line.startswith(f"resuming {out} after {saved['epoch']} epochs") for line in lines)
    assert lines[-1] == f"test accuracy: {resumed.test_accuracy:.3f}"
    assert_same_run(resumed, out, uninterrupted)


def test_resume_continues_a_finished_run_to_more_epochs_as_a_longer_run(tmp_path):
    short, long = tmp_path / "short", tmp_path / "long"
    quietly(["--hidden", "32", "--epochs", "2", "--out", str(short)])
    longer, _ = quietly(["--hidden", "32", "--epochs", "3", "--out", str(long)])
    resumed, lines = quietly(["--resume", str(short), "--epochs", "3"])
    assert (short / "metrics.csv").read_text() == (long / "metrics.csv").read_text()
    assert resumed.test_accuracy == longer.test_accuracy


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("finished") / "run"
    quietly(["--hidden", "32", "--epochs", "2", "--out", str(out)])
    return out


@pytest.mark.parametrize("args, words", [
    (["--lr", "0.5"], "--lr 0.5 differs from the run's own"),
    (["--hidden", "16"], "--hidden [16] differs"),
    (["--epochs", "1"], "has already trained 2 epochs"),
    (["--out", "elsewhere"], "leave out --out"),
])
def test_resume_refuses_options_that_would_change_the_run(finished_run, args, words):
    out = finished_run
    with pytest.raises(train.UsageError, match=words.replace("[", r"\[").replace("]", r"\]")):
        train.train_from_argv(["--resume", str(out), *args])


def test_resume_of_a_folder_without_a_run_is_one_line_exit_2(tmp_path):
    for folder in (tmp_path / "missing", tmp_path):
        completed = subprocess.run([sys.executable, str(EXAMPLES / "train.py"), "--resume", str(folder)],
                                   capture_output=True, text=True, timeout=60, cwd=tmp_path)
        assert completed.returncode == 2 and "Traceback" not in completed.stderr
        assert len(completed.stderr.strip().splitlines()) == 1, completed.stderr


def test_ctrl_c_finishes_the_step_saves_says_how_to_resume_and_exits_130(tmp_path):
    out = tmp_path / "run"
    options = ["--hidden", "32", "--epochs", "40"]
    process = subprocess.Popen([sys.executable, str(EXAMPLES / "train.py"), *options, "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines = []
    for line in process.stdout:  # wait until training has started
        lines.append(line.rstrip("\n"))
        if line.startswith("epoch "):
            break
    process.send_signal(signal.SIGINT)
    rest, stderr = process.communicate(timeout=60)
    lines += rest.splitlines()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert lines[-1].startswith(f"interrupted: saved {out / 'last.safetensors'}")
    assert lines[-1].endswith(f"resume with: python examples/train.py --resume {out}")
    assert not [name for name in os.listdir(out) if name.endswith(".tmp")]
    saved = mg.load(out / "last.safetensors")
    assert 1 <= saved["epoch"] < 40

    resumed, _ = quietly(["--resume", str(out)])
    whole_out = tmp_path / "whole"
    whole, _ = quietly([*options, "--out", str(whole_out)])
    assert (out / "metrics.csv").read_text() == (whole_out / "metrics.csv").read_text()
    assert resumed.test_accuracy == whole.test_accuracy
