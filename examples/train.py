"""Train an MLP on real data with minigrad, and show what happened.

    python examples/train.py                      # 8x8 digits, MLP 64-256-128-10, ReLU, Adam
    python examples/train.py --dataset spiral --hidden 64,64 --optimizer momentum
    python examples/train.py --dataset mnist:~/data/mnist --epochs 5
    python examples/train.py --quick              # fewer epochs, same code path
    python examples/train.py --resume runs/digits --epochs 40   # continue a run
    python examples/predict.py runs/digits        # use it (see predict.py)

The data is split into train / validation / test by --seed. Each epoch ends with one line of
the training and validation loss and accuracy; the epoch with the best validation accuracy is
the model kept, and the test set is evaluated once, at the end, on that model (choosing it by
its test accuracy would make that accuracy a biased number). Ctrl-C finishes the current step,
saves the run and says how to resume it.

The output folder (default runs/<dataset>; a folder that holds an earlier run is never
overwritten: the next free runs/<dataset>-2, -3... is taken unless --out names it with
--overwrite) receives:

    best.safetensors        the model of the best epoch, with everything predict.py needs
    last.safetensors        the latest state, with everything --resume needs (mg.save)
    config.json             the options, the split sizes, the best epoch, the accuracies
    metrics.csv             epoch, train_loss, train_acc, val_loss, val_acc, lr
    curves.png              loss and accuracy per epoch, train and validation
    decision_boundary.png   (2-D datasets) the regions each class gets
    misclassified.png       (image datasets) the test images the model got wrong
    confusion_matrix.png    (image datasets) true class against predicted class (test set)
    graph.svg               the backprop graph of one training step of the kept model

The last line printed is the test accuracy, e.g. ``test accuracy: 0.978``.
"""
from __future__ import annotations

import csv
import math
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import _checkpoint
import _common
import _plots
import numpy as np
from _checkpoint import BEST, LAST, RunError
from _data import Data, DataError, load_data, standardize
from _options import UsageError, build_parser, resolve_options

import minigrad as mg
import minigrad.functional as F
import nn

METRIC_COLUMNS = ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr"]
# The drawing of a step fits 1,600 CSS pixels (16.67 inches of 96 px) on its long side.
GRAPH_INCHES = 16.67


class Interrupted(Exception):
    """Ctrl-C stopped the training after a step; the message says how to resume (exit 130)."""


# ---------------------------------------------------------------------------------------------
# Model, loss, optimizer, schedule
# ---------------------------------------------------------------------------------------------
def loss_function(name: str):
    return F.multiclass_hinge_loss if name == "hinge" else F.cross_entropy


def expected_first_loss(loss_name: str, num_classes: int) -> tuple[float, str]:
    """What the first loss should be while the scores are still near zero (the notes' check)."""
    if loss_name == "hinge":
        return num_classes - 1.0, f"C - 1 = {num_classes - 1}"
    return math.log(num_classes), f"log C = log {num_classes} = {math.log(num_classes):.3f}"


def make_optimizer(name: str, parameters, lr: float, weight_decay: float):
    optim = nn.optim
    if name == "sgd":
        return optim.SGD(parameters, lr=lr, weight_decay=weight_decay)
    if name == "momentum":
        return optim.SGD(parameters, lr=lr, momentum=0.9, weight_decay=weight_decay)
    if name == "rmsprop":
        return optim.RMSprop(parameters, lr=lr, weight_decay=weight_decay)
    if name == "adam":
        return optim.Adam(parameters, lr=lr, weight_decay=weight_decay)
    return optim.AdamW(parameters, lr=lr, weight_decay=weight_decay)


def make_scheduler(name: str, optimizer, epochs: int):
    """Stepped once per epoch; None for a constant learning rate."""
    if name == "cosine":
        return nn.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    if name == "step":
        return nn.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 3), gamma=0.1)
    return None


def evaluate(model, loss_fn, X: np.ndarray, y: np.ndarray, batch_size: int = 2048):
    """Mean loss, accuracy and the predicted classes over a whole set, without a graph."""
    was_training = model.training
    model.eval()
    total_loss, predictions = 0.0, []
    with mg.no_grad():
        for start in range(0, len(X), batch_size):
            scores = model(mg.tensor(X[start:start + batch_size]))
            target = mg.tensor(y[start:start + batch_size])
            total_loss += loss_fn(scores, target).item() * len(target)
            predictions.append(scores.data.argmax(axis=1))
    model.train(was_training)
    predicted = np.concatenate(predictions)
    return total_loss / len(X), float((predicted == y).mean()), predicted


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
@dataclass
class Progress:
    """Where a run is: what --resume restores, with the model and the optimizer."""
    epoch: int = 0  # epochs completed
    batches_done: int = 0  # batches of the next epoch already trained on (Ctrl-C mid-epoch)
    rng_epoch_start: dict | None = None  # the generator before that epoch drew its batch order
    running: list = field(default_factory=lambda: [0, 0, 0.0])  # seen, correct, loss sum
    history: list = field(default_factory=list)  # one row of metrics per completed epoch
    best: dict | None = None  # epoch, val_acc, val_loss of the best epoch so far

    @classmethod
    def of(cls, checkpoint: dict) -> Progress:
        return cls(checkpoint["epoch"], checkpoint["batches_done"], checkpoint["rng"]["epoch_start"],
                   list(checkpoint["running"]), list(checkpoint["history"]), checkpoint["best"])


class StopRequest:
    """Set by Ctrl-C (SIGINT) while training; read after every step."""

    def __init__(self) -> None:
        self.requested = False

    def install(self):
        """Catch SIGINT from now on (main thread only); returns what undoes it."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = signal.getsignal(signal.SIGINT)

        def request(signum, frame):
            self.requested = True
            signal.signal(signal.SIGINT, previous)  # a second Ctrl-C stops at once

        signal.signal(signal.SIGINT, request)
        return lambda: signal.signal(signal.SIGINT, previous)


@dataclass
class Run:
    """Everything one training run works with."""
    options: dict
    folder: Path
    data: Data
    model: nn.Module
    optimizer: object
    scheduler: object
    loss_fn: object
    progress: Progress
    model_config: dict

    def checkpoint(self) -> dict:
        """What best.safetensors and last.safetensors hold (see _checkpoint's docstring)."""
        progress, data = self.progress, self.data
        return {
            "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
            "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
            "epoch": progress.epoch, "batches_done": progress.batches_done,
            "rng": {"now": _checkpoint.rng_state(), "epoch_start": progress.rng_epoch_start},
            "running": list(progress.running), "history": progress.history, "best": progress.best,
            "preprocessing": {"mean": mg.tensor(data.mean), "std": mg.tensor(data.std),
                              "image_shape": data.image_shape, "raw_range": (0.0, 1.0)},
            "class_names": data.class_names, "model_config": self.model_config,
            "options": self.options, "split": data.sizes(),
        }


def epoch_batches(loader, progress: Progress):
    """The batches of the next epoch not trained on yet: all of them, or (resuming a run that
    Ctrl-C stopped mid-epoch) the rest of the same order, drawn again from the same state."""
    if progress.batches_done == 0:
        progress.rng_epoch_start = _checkpoint.rng_state()
        progress.running = [0, 0, 0.0]
        return iter(loader)
    now = _checkpoint.rng_state()
    _checkpoint.set_rng_state(progress.rng_epoch_start)
    batches = iter(loader)
    for _ in range(progress.batches_done):
        next(batches, None)
    _checkpoint.set_rng_state(now)
    return batches


def train(run: Run, stop: StopRequest, quiet: bool = False) -> None:
    """Mini-batch training from where ``run.progress`` is to ``--epochs``; Interrupted when
    ``stop`` is requested (after saving the last checkpoint)."""
    try:
        from tqdm.auto import tqdm
    except ImportError as error:
        _common.missing_extra(error)
    data, progress, epochs = run.data, run.progress, run.options["epochs"]
    loader = nn.data.DataLoader(
        nn.data.TensorDataset(mg.tensor(data.X_train), mg.tensor(data.y_train)),
        batch_size=run.options["batch_size"], shuffle=True)
    bar = tqdm(total=epochs * len(loader), initial=progress.epoch * len(loader) + progress.batches_done,
               desc="training", unit="batch", disable=quiet, file=sys.stderr, mininterval=0.2)
    try:
        for epoch in range(progress.epoch + 1, epochs + 1):
            for inputs, targets in epoch_batches(loader, progress):
                train_step(run, inputs, targets)
                seen, correct, loss_sum = progress.running
                bar.update(1)
                bar.set_postfix(epoch=epoch, loss=f"{loss_sum / seen:.4f}",
                                acc=f"{correct / seen:.3f}", refresh=False)
                if stop.requested:
                    _checkpoint.save(run.folder / LAST, **run.checkpoint())
                    raise Interrupted(
                        f"interrupted: saved {run.folder / LAST} at epoch {epoch}, batch "
                        f"{progress.batches_done} of {len(loader)}; resume with: python "
                        f"examples/train.py --resume {run.folder}")
            tqdm.write(end_epoch(run, epoch, epochs))
    finally:
        bar.close()


def train_step(run: Run, inputs, targets) -> None:
    scores = run.model(inputs)
    loss = run.loss_fn(scores, targets)
    run.optimizer.zero_grad()
    loss.backward()
    run.optimizer.step()
    # The running numbers of this epoch (the weights move while they are gathered).
    count = len(targets)
    running = run.progress.running
    running[0] += count
    running[1] += int((scores.data.argmax(axis=1) == targets.numpy()).sum())
    running[2] += loss.item() * count
    run.progress.batches_done += 1


def end_epoch(run: Run, epoch: int, epochs: int) -> str:
    """Measure the epoch, keep it if it is the best so far, save; the line to print."""
    data, progress = run.data, run.progress
    train_loss, train_acc, _ = evaluate(run.model, run.loss_fn, data.X_train, data.y_train)
    val_loss, val_acc, _ = evaluate(run.model, run.loss_fn, data.X_val, data.y_val)
    row = {"epoch": epoch, "train_loss": train_loss, "train_acc": train_acc, "val_loss": val_loss,
           "val_acc": val_acc, "lr": run.optimizer.param_groups[0]["lr"]}
    progress.history.append(row)
    progress.epoch, progress.batches_done, progress.rng_epoch_start = epoch, 0, None
    if run.scheduler is not None:
        run.scheduler.step()
    best = progress.best
    improved = best is None or (val_acc, -val_loss) > (best["val_acc"], -best["val_loss"])
    if improved:
        progress.best = {"epoch": epoch, "val_acc": val_acc, "val_loss": val_loss}
        _checkpoint.save(run.folder / BEST, **run.checkpoint())
    _checkpoint.save(run.folder / LAST, **run.checkpoint())
    write_metrics(progress.history, run.folder / "metrics.csv")
    width = len(str(epochs))
    return (f"epoch {epoch:>{width}}/{epochs}  train loss {train_loss:.4f} acc {train_acc:.3f}  "
            f"val loss {val_loss:.4f} acc {val_acc:.3f}" + ("  (best so far)" if improved else ""))


# ---------------------------------------------------------------------------------------------
# What is written to the output folder
# ---------------------------------------------------------------------------------------------
def write_metrics(history, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=METRIC_COLUMNS)
        writer.writeheader()
        for row in history:
            writer.writerow({key: (f"{value:.6g}" if key == "lr" else f"{value:.6f}")
                             if isinstance(value, float) else value for key, value in row.items()})
    os.replace(temporary, path)


def draw_one_step(model, loss_fn, data: Data, path: Path) -> None:
    """The graph of one fresh training step's loss on a batch of 4: every value the forward
    pass saved for backward, and every gradient of this step (the model's .grad is cleared
    first: no gradient left over from training is drawn). Drawn top to bottom and shrunk to
    fit 1,600 px, so that the default MLP is readable on a screen."""
    model.zero_grad()
    inputs, targets = mg.tensor(data.X_train[:4]), mg.tensor(data.y_train[:4])
    scores = model(inputs)
    loss = loss_fn(scores, targets)
    _common.draw_graph_svg(loss, path, module=model, title="one training step (batch of 4)",
                           names={inputs: "x", targets: "y", scores: "scores", loss: "loss"},
                           rankdir="TB", fit_inches=GRAPH_INCHES)
    model.zero_grad()


# ---------------------------------------------------------------------------------------------
@dataclass
class Result:
    model: nn.Module  # the kept model: the best epoch's
    data: Data
    history: list
    test_accuracy: float
    folder: Path
    best_epoch: int


def start(options: dict, folder: Path, checkpoint: dict | None) -> Run:
    """A new run, or (``checkpoint`` given) the run it was saved from, as it was then."""
    mg.manual_seed(options["seed"])  # the initial weights and the DataLoader's shuffling
    try:
        data = load_data(options["dataset"], options["seed"])
    except (DataError, ValueError) as error:
        raise UsageError(str(error)) from None
    except ImportError as error:  # scikit-learn, for the digits
        _common.missing_extra(error)
    if checkpoint is None:
        standardize(data)
    else:  # the statistics the run was trained with
        standardize(data, checkpoint["preprocessing"]["mean"].numpy(),
                    checkpoint["preprocessing"]["std"].numpy())
    model_config = {"in_features": int(data.X_train.shape[1]), "hidden": list(options["hidden"]),
                    "num_classes": data.num_classes, "activation": options["activation"]}
    model = _checkpoint.build_model(model_config)
    optimizer = make_optimizer(options["optimizer"], model.parameters(), options["lr"],
                               options["weight_decay"])
    scheduler = make_scheduler(options["lr_schedule"], optimizer, options["epochs"])
    run = Run(options, Path(folder), data, model, optimizer, scheduler,
              loss_function(options["loss"]), Progress(), model_config)
    if checkpoint is not None:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(checkpoint["scheduler"])
        run.progress = Progress.of(checkpoint)
        _checkpoint.set_rng_state(checkpoint["rng"]["now"])
    return run


def describe(run: Run, resumed: bool) -> None:
    options, data = run.options, run.data
    sizes = "-".join(str(n) for n in (data.X_train.shape[1], *options["hidden"], data.num_classes))
    split = data.sizes()
    print(f"{data.name}: {split['train']} train / {split['validation']} validation / "
          f"{split['test']} test samples (split by --seed {options['seed']}), {data.num_classes} "
          f"classes; MLP {sizes} ({options['activation']}), {options['loss']}, "
          f"{options['optimizer']} lr={options['lr']:g}, {options['epochs']} epochs of batch "
          f"{options['batch_size']}; writing to {run.folder}")
    if resumed:
        progress = run.progress
        where = f" and {progress.batches_done} batches" if progress.batches_done else ""
        print(f"resuming {run.folder} after {progress.epoch} epochs{where}")
        return
    first_loss, _, _ = evaluate(run.model, run.loss_fn, data.X_train, data.y_train)
    expected, formula = expected_first_loss(options["loss"], data.num_classes)
    print(f"initial loss: {first_loss:.4f}   expected about {expected:.4f} ({formula})")


def finish(run: Run, seconds: float) -> Result:
    """The test set, once, on the best epoch's model; the pictures; config.json."""
    options, data, folder = run.options, run.data, run.folder
    best = run.progress.best
    model, _ = _checkpoint.load_model(folder, BEST)
    test_loss, test_acc, predicted = evaluate(model, run.loss_fn, data.X_test, data.y_test)
    print(f"best epoch {best['epoch']} of {options['epochs']} (validation accuracy "
          f"{best['val_acc']:.3f}); its test loss {test_loss:.4f}")
    sizes = "-".join(str(n) for n in (data.X_train.shape[1], *options["hidden"], data.num_classes))
    title = f"{data.name}: MLP {sizes}, {options['loss']}, {options['optimizer']}"
    _plots.plot_curves(run.progress.history, title, folder / "curves.png", best["epoch"])
    if data.X_train.shape[1] == 2:
        _plots.plot_decision_boundary(model, data, f"{title}\ntest accuracy {test_acc:.3f}",
                                      folder / "decision_boundary.png")
    if data.image_shape is not None:
        _plots.plot_misclassified(data, predicted, folder / "misclassified.png")
        _plots.plot_confusion_matrix(data, predicted, folder / "confusion_matrix.png")
    draw_one_step(model, run.loss_fn, data, folder / "graph.svg")
    _checkpoint.write_config(folder, {
        **options, "model": run.model_config, "class_names": data.class_names,
        "split": data.sizes(), "best_epoch": best["epoch"], "best_val_acc": best["val_acc"],
        "test_loss": test_loss, "test_accuracy": test_acc, "train_seconds": round(seconds, 2)})
    print(f"saved {folder / BEST}, {folder / LAST} and {folder / 'config.json'}")
    return Result(model, data, run.progress.history, test_acc, folder, best["epoch"])


def run_training(options: dict, folder: Path, checkpoint: dict | None = None,
                 stop: StopRequest | None = None, overwrite: bool = False) -> Result:
    try:
        _checkpoint.prepare_folder(Path(folder), remove_old=overwrite and checkpoint is None)
    except RunError as error:
        raise UsageError(str(error)) from None
    run = start(options, folder, checkpoint)
    describe(run, resumed=checkpoint is not None)
    stop = stop or StopRequest()
    started = time.perf_counter()
    if run.progress.epoch < options["epochs"]:
        restore = stop.install()
        try:
            train(run, stop)
        finally:
            restore()
    else:
        print(f"{folder} has trained all {options['epochs']} epochs already")
    seconds = time.perf_counter() - started
    last = run.progress.history[-1]
    print(f"trained in {seconds:.1f} s; last epoch's train loss {last['train_loss']:.4f}, "
          f"train accuracy {last['train_acc']:.3f}, validation accuracy {last['val_acc']:.3f}")
    try:
        result = finish(run, seconds)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted while writing the outputs; the training is complete and saved: "
                          f"python examples/train.py --resume {folder} writes them again") from None
    print(f"test accuracy: {result.test_accuracy:.3f}")
    return result


def train_from_argv(argv=None, stop: StopRequest | None = None) -> Result:
    """Everything ``main`` does, returning the kept model and its data (for tests and
    notebooks); a bad option raises UsageError (or SystemExit from argparse), Ctrl-C (or
    ``stop``) raises Interrupted once the last checkpoint is saved."""
    args = build_parser().parse_args(argv)
    options = resolve_options(args)
    return run_training(options, args.folder, args.checkpoint, stop, args.overwrite)


def main(argv=None) -> int:
    try:
        train_from_argv(argv)
    except UsageError as error:
        print(f"train.py: error: {error}", file=sys.stderr)  # one line, as argparse's own errors
        return 2
    except Interrupted as interrupted:
        print(interrupted)
        return 130  # 128 + SIGINT, as a shell reports a process that Ctrl-C stopped
    except KeyboardInterrupt:  # before training started (or a second Ctrl-C: last is saved)
        print("interrupted")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
