"""The main job's run folder and its checkpoints (train.py writes them, predict.py reads them).

A run folder holds ``best.safetensors`` (the model of the epoch with the best validation
accuracy) and ``last.safetensors`` (the latest state: after every epoch, and after the step at
which Ctrl-C stopped the run). Each is one ``mg.save`` of a dict with everything needed to use
or continue it: the weights, the optimizer's and the scheduler's state, the epoch (and the
batches done in an unfinished one), the random generator's states, the inputs' standardization,
the class names, the model's configuration and the run's options. No pickle: ``mg.load`` reads
it back, and PyTorch's ``safetensors.torch.load_file`` reads its tensors.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import _common  # noqa: F401 (first: it puts this checkout's minigrad on the path)

import minigrad as mg
import nn
from minigrad.creation import generator
from nn.serialization import CheckpointError

BEST, LAST = "best.safetensors", "last.safetensors"
FORMAT = "minigrad examples/train.py run, version 1"
# What a run writes (an --overwrite removes the old ones first, so nothing stale remains).
OUTPUTS = (BEST, LAST, "config.json", "metrics.csv", "curves.png", "decision_boundary.png",
           "misclassified.png", "confusion_matrix.png", "graph.svg")


class RunError(Exception):
    """A run folder that cannot be used (missing, not writable, not a run): one line, exit 2."""


# -- the folder ------------------------------------------------------------------------------
def choose_folder(out: Path, overwrite: bool) -> tuple[Path, str | None]:
    """The folder a new run writes to, and a note when it is not ``out``: an existing run is
    never overwritten unless asked (``--overwrite``); the next free ``out-2``, ``out-3``...
    is taken instead."""
    if overwrite or not _holds_something(out):
        return out, None
    n = 2
    while _holds_something(out.with_name(f"{out.name}-{n}")):
        n += 1
    chosen = out.with_name(f"{out.name}-{n}")
    return chosen, (f"{out} holds an earlier run: writing to {chosen} instead "
                    f"(--out {out} --overwrite replaces it)")


def _holds_something(folder: Path) -> bool:
    return folder.exists() and (not folder.is_dir() or any(folder.iterdir()))


def prepare_folder(folder: Path, remove_old: bool) -> None:
    """Make ``folder`` and prove it writable now, before any training (one line if not)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
        if remove_old:
            for name in OUTPUTS:
                if (folder / name).is_file():
                    (folder / name).unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise RunError(f"cannot write to the output folder {folder}: {reason}") from None


# -- the random generator ------------------------------------------------------------------------
def rng_state() -> dict:
    """The state of minigrad's random generator (weights' init, shuffling, dropout)."""
    return generator().bit_generator.state


def set_rng_state(state: dict) -> None:
    generator().bit_generator.state = state


# -- the model -----------------------------------------------------------------------------------
def build_model(config: dict) -> nn.Module:
    return nn.MLP(config["in_features"], list(config["hidden"]), config["num_classes"],
                  activation=config["activation"])


# -- saving and loading --------------------------------------------------------------------------
def save(path: Path, **content) -> None:
    mg.save({"format": FORMAT, **content}, path)


def load(run: Path, which: str = BEST) -> dict:
    """The checkpoint ``which`` of the run folder ``run``; RunError (one line) when there is
    none or it is not a checkpoint of train.py."""
    path = Path(run) / which
    if not Path(run).is_dir():
        raise RunError(f"no run folder {run}")
    if not path.is_file():
        raise RunError(f"{run} holds no {which}: it is not a folder written by train.py "
                       "(or its first epoch never finished)")
    try:
        checkpoint = mg.load(path)
    except (CheckpointError, OSError) as error:
        raise RunError(" ".join(str(error).split())) from None
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        raise RunError(f"{path} is a checkpoint, but not one of a train.py run ({FORMAT})")
    return checkpoint


def load_model(run: Path, which: str = BEST):
    """(model, checkpoint) of a run folder, the model in eval mode with the saved weights."""
    checkpoint = load(run, which)
    model = build_model(checkpoint["model_config"])
    model.load_state_dict(checkpoint["model"])
    model.eval()
    return model, checkpoint


def write_config(folder: Path, config: dict) -> None:
    """config.json: the run's options and results, for people (checkpoints hold their own)."""
    text = json.dumps(config, indent=2) + "\n"
    temporary = folder / ".config.json.tmp"
    temporary.write_text(text)
    os.replace(temporary, folder / "config.json")
