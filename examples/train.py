"""Train an MLP on real data with minigrad, and show what happened.

    python examples/train.py                      # 8x8 digits, MLP 64-256-128-10, ReLU, Adam
    python examples/train.py --dataset spiral --hidden 64,64 --optimizer momentum
    python examples/train.py --dataset mnist:~/data/mnist --epochs 5
    python examples/train.py --quick              # fewer epochs, same code path

Before training it prints the first loss beside the value the notes predict for a model that
knows nothing yet (log C for cross-entropy, C - 1 for the multiclass hinge loss). While
training, a progress bar shows the running loss and accuracy.  The output folder (default
runs/<dataset>) receives:

    metrics.csv             epoch, train_loss, train_acc, test_loss, test_acc
    curves.png              loss and accuracy per epoch, train and test
    decision_boundary.png   (2-D datasets) the regions each class gets
    misclassified.png       (image datasets) the test images the model got wrong
    confusion_matrix.png    (image datasets) true class against predicted class
    graph.svg               the backprop graph of one training step (needs minigrad.viz and dot)
    model.npz, config.json  the trained weights (nn.save) and what it takes to rebuild the model

The last line printed is the test accuracy, e.g. ``test accuracy: 0.978``.
"""
from __future__ import annotations

import csv
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import _common
import numpy as np
from _common import OneLineErrorParser, plt, save_figure

import minigrad as mg
import minigrad.functional as F
import nn

# Per dataset: what the defaults are, and how many epochs --quick keeps.
DEFAULTS = {
    "digits": {"hidden": (256, 128), "epochs": 30, "quick_epochs": 5, "batch_size": 32},
    "mnist": {"hidden": (256, 128), "epochs": 10, "quick_epochs": 2, "batch_size": 64},
    "spiral": {"hidden": (64, 64), "epochs": 200, "quick_epochs": 80, "batch_size": 32},
    "moons": {"hidden": (32, 32), "epochs": 100, "quick_epochs": 30, "batch_size": 32},
}
# Learning rates that work for each optimizer when --lr is not given.
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "rmsprop": 1e-3, "adam": 1e-3, "adamw": 1e-3}
# The 2-D datasets are small: a larger step suits them.
DEFAULT_LR_2D = {"sgd": 0.3, "momentum": 0.1, "rmsprop": 1e-2, "adam": 1e-2, "adamw": 1e-2}
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu")
TEST_FRACTION = 0.25


class UsageError(Exception):
    """A bad option found after argparse: reported on one line, exit status 2."""


@dataclass
class Data:
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    image_shape: tuple | None  # (height, width) for image datasets, else None
    mean: np.ndarray | None = None  # the training set's per-feature mean and spread, once
    std: np.ndarray | None = None  # standardized (see standardize)

    def raw_test_image(self, index: int) -> np.ndarray:
        return (self.X_test[index] * self.std + self.mean).reshape(self.image_shape)


def standardize(data: Data) -> Data:
    """Centre and scale each feature by the training set's statistics (the test set is scaled
    by the same numbers: it must not leak into training).  The + 0.1 keeps constant pixels (the
    digits' always-blank border) from being divided by zero."""
    data.mean = data.X_train.mean(axis=0)
    data.std = data.X_train.std(axis=0) + 0.1
    data.X_train = (data.X_train - data.mean) / data.std
    data.X_test = (data.X_test - data.mean) / data.std
    return data


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------
def parse_dataset(text: str) -> tuple[str, Path | None]:
    if text.startswith("mnist:"):
        folder = text[len("mnist:"):]
        if not folder:
            raise UsageError("--dataset mnist:PATH needs the folder of the IDX files after the colon")
        return "mnist", Path(folder).expanduser()
    if text in ("digits", "spiral", "moons"):
        return text, None
    if text == "mnist":
        raise UsageError("--dataset mnist needs a path: mnist:PATH (the folder of the IDX files)")
    raise UsageError(f"unknown dataset {text!r}: choose digits, spiral, moons or mnist:PATH")


def parse_hidden(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(",") if part.strip() != "")
    except ValueError:
        raise UsageError(f"--hidden {text!r} does not parse: give layer widths separated by "
                         f"commas, e.g. 128,64") from None
    if not sizes or any(size <= 0 for size in sizes):
        raise UsageError(f"--hidden {text!r}: give one or more positive layer widths, e.g. 128,64")
    return sizes


def build_parser() -> OneLineErrorParser:
    parser = OneLineErrorParser(
        prog="train.py", description="Train an MLP with minigrad and write what happened.")
    parser.add_argument("--dataset", default="digits",
                        help="digits (default), spiral, moons, or mnist:PATH (IDX files)")
    parser.add_argument("--hidden", default=None,
                        help="hidden layer widths, e.g. 128,64 (default depends on the dataset)")
    parser.add_argument("--activation", default="relu", choices=ACTIVATIONS)
    parser.add_argument("--loss", default="cross_entropy", choices=("cross_entropy", "hinge"),
                        help="cross_entropy (softmax) or hinge (the multiclass SVM loss)")
    parser.add_argument("--optimizer", default="adam",
                        choices=("sgd", "momentum", "rmsprop", "adam", "adamw"))
    parser.add_argument("--lr", type=float, default=None, help="learning rate (default per optimizer)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--weight-decay", type=float, default=None,
                        help="L2 penalty (decoupled for adamw; default 0, adamw 0.01)")
    parser.add_argument("--seed", type=int, default=0, help="fixes the split, the init, the batches")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default runs/<dataset>)")
    parser.add_argument("--quick", action="store_true", help="fewer epochs, same code path")
    return parser


def resolve_options(args) -> None:
    """Fill the dataset-dependent defaults in ``args`` and check the values."""
    args.dataset_name, args.mnist_path = parse_dataset(args.dataset)
    defaults = DEFAULTS[args.dataset_name]
    args.hidden = parse_hidden(args.hidden) if args.hidden is not None else defaults["hidden"]
    if args.epochs is None:
        args.epochs = defaults["quick_epochs"] if args.quick else defaults["epochs"]
    if args.batch_size is None:
        args.batch_size = defaults["batch_size"]
    if args.lr is None:
        two_d = args.dataset_name in ("spiral", "moons")
        args.lr = (DEFAULT_LR_2D if two_d else DEFAULT_LR)[args.optimizer]
    if args.weight_decay is None:
        args.weight_decay = 0.01 if args.optimizer == "adamw" else 0.0
    if not (args.lr > 0 and math.isfinite(args.lr)):
        raise UsageError(f"--lr must be a positive number, got {args.lr}")
    if args.epochs <= 0:
        raise UsageError(f"--epochs must be positive, got {args.epochs}")
    if args.batch_size <= 0:
        raise UsageError(f"--batch-size must be positive, got {args.batch_size}")
    if args.weight_decay < 0:
        raise UsageError(f"--weight-decay must not be negative, got {args.weight_decay}")
    if args.out is None:
        args.out = Path("runs") / args.dataset_name


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------
def stratified_split(X, y, seed: int):
    """The same test set for the same seed: TEST_FRACTION of each class."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test[members[: int(round(len(members) * TEST_FRACTION))]] = True
    return X[~test], y[~test], X[test], y[test]


def load_data(name: str, mnist_path: Path | None, seed: int) -> Data:
    if name == "mnist":
        return load_mnist_data(mnist_path)
    # nn.datasets gives float32 features (the digits already flattened to 64) and int64 labels.
    if name == "digits":
        X, y = nn.datasets.load_digits()
        image_shape = (8, 8)
    else:
        maker = nn.datasets.spiral if name == "spiral" else nn.datasets.moons
        X, y = maker(seed=seed)
        image_shape = None
    X, y = X.numpy(), y.numpy()
    X_train, y_train, X_test, y_test = stratified_split(X, y, seed)
    return Data(name, X_train, y_train, X_test, y_test, int(y.max()) + 1, image_shape)


def load_mnist_data(folder: Path) -> Data:
    """MNIST's own train/test split, from the four standard IDX files (gzipped or not)."""
    if not folder.is_dir():
        raise UsageError(f"MNIST folder not found: {folder}")
    try:
        (X_train, y_train), (X_test, y_test) = nn.datasets.load_mnist(str(folder), flatten=False)
    except (OSError, ValueError) as error:  # a missing file, a wrong magic number, a truncation
        raise UsageError(" ".join(str(error).split())) from None
    X_train, y_train, X_test, y_test = (part.numpy() for part in (X_train, y_train, X_test, y_test))
    image_shape = X_train.shape[1:]
    X_train = X_train.reshape(len(X_train), -1)
    X_test = X_test.reshape(len(X_test), -1)
    num_classes = int(max(y_train.max(), y_test.max())) + 1
    return Data("mnist", X_train, y_train, X_test, y_test, num_classes, tuple(image_shape))


# ---------------------------------------------------------------------------------------------
# Model, loss, optimizer
# ---------------------------------------------------------------------------------------------
def make_model(in_features: int, hidden, num_classes: int, activation: str) -> nn.Module:
    return nn.MLP(in_features, list(hidden), num_classes, activation=activation)


def loss_function(name: str):
    if name == "hinge":
        return F.multiclass_hinge_loss
    return F.cross_entropy


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


def evaluate(model, loss_fn, X: np.ndarray, y: np.ndarray, batch_size: int = 2048):
    """Mean loss, accuracy and the predicted classes over a whole set, without a graph."""
    model.eval()
    total_loss, predictions = 0.0, []
    with mg.no_grad():
        for start in range(0, len(X), batch_size):
            scores = model(mg.tensor(X[start:start + batch_size]))
            target = mg.tensor(y[start:start + batch_size])
            total_loss += loss_fn(scores, target).item() * len(target)
            predictions.append(scores.data.argmax(axis=1))
    model.train()
    predicted = np.concatenate(predictions)
    return total_loss / len(X), float((predicted == y).mean()), predicted


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------
def train(model, optimizer, loss_fn, data: Data, epochs: int, batch_size: int, quiet=False):
    """Mini-batch training; returns one row of metrics per epoch."""
    from tqdm.auto import tqdm

    loader = nn.data.DataLoader(
        nn.data.TensorDataset(mg.tensor(data.X_train), mg.tensor(data.y_train)),
        batch_size=batch_size, shuffle=True)
    history = []
    bar = tqdm(total=epochs * len(loader), desc="training", unit="batch", disable=quiet,
               file=sys.stderr, mininterval=0.2)
    for epoch in range(1, epochs + 1):
        seen = correct = 0
        loss_sum = 0.0
        for inputs, targets in loader:
            scores = model(inputs)
            loss = loss_fn(scores, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            # The running numbers of this epoch (the weights move while they are gathered).
            count = len(targets)
            seen += count
            loss_sum += loss.item() * count
            correct += int((scores.data.argmax(axis=1) == targets.numpy()).sum())
            bar.update(1)
            bar.set_postfix(epoch=epoch, loss=f"{loss_sum / seen:.4f}", acc=f"{correct / seen:.3f}",
                            refresh=False)
        train_loss, train_acc, _ = evaluate(model, loss_fn, data.X_train, data.y_train)
        test_loss, test_acc, _ = evaluate(model, loss_fn, data.X_test, data.y_test)
        history.append({"epoch": epoch, "train_loss": train_loss, "train_acc": train_acc,
                        "test_loss": test_loss, "test_acc": test_acc})
        bar.set_postfix(epoch=epoch, loss=f"{train_loss:.4f}", acc=f"{train_acc:.3f}",
                        test_acc=f"{test_acc:.3f}")
    bar.close()
    return history


# ---------------------------------------------------------------------------------------------
# What is written to the output folder
# ---------------------------------------------------------------------------------------------
METRIC_COLUMNS = ["epoch", "train_loss", "train_acc", "test_loss", "test_acc"]


def write_metrics(history, path: Path) -> None:
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=METRIC_COLUMNS)
        writer.writeheader()
        for row in history:
            writer.writerow({key: (f"{value:.6f}" if isinstance(value, float) else value)
                             for key, value in row.items()})
    print(f"saved {path}")


def plot_curves(history, title: str, path: Path) -> None:
    epochs = [row["epoch"] for row in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4))
    for split, style in (("train", "-"), ("test", "--")):
        ax_loss.plot(epochs, [row[f"{split}_loss"] for row in history], style, label=split)
        ax_acc.plot(epochs, [row[f"{split}_acc"] for row in history], style, label=split)
    ax_loss.set(xlabel="epoch", ylabel="loss", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy")
    ax_loss.set_yscale("log")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    fig.tight_layout()
    save_figure(fig, path)


def plot_decision_boundary(model, data: Data, title: str, path: Path) -> None:
    X = np.concatenate([data.X_train, data.X_test])
    low, high = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    xs, ys = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    grid = np.c_[xs.ravel(), ys.ravel()].astype(np.float32)
    model.eval()
    with mg.no_grad():
        regions = model(mg.tensor(grid)).data.argmax(axis=1).reshape(xs.shape)
    model.train()
    fig, ax = plt.subplots(figsize=(5, 5))
    cmap = plt.get_cmap("tab10")
    levels = np.arange(data.num_classes + 1) - 0.5
    ax.contourf(xs, ys, regions, levels=levels, colors=[cmap(c) for c in range(data.num_classes)],
                alpha=0.25)
    ax.scatter(*data.X_train.T, c=[cmap(c) for c in data.y_train], s=14, edgecolors="k",
               linewidths=0.3, label="train")
    ax.scatter(*data.X_test.T, c=[cmap(c) for c in data.y_test], s=28, marker="^",
               edgecolors="k", linewidths=0.5, label="test")
    ax.set(title=title, xticks=[], yticks=[])
    ax.legend(loc="upper right", fontsize=8)
    save_figure(fig, path)


def plot_misclassified(data: Data, predicted: np.ndarray, path: Path, limit: int = 24) -> None:
    wrong = np.flatnonzero(predicted != data.y_test)[:limit]
    columns = 8
    rows = max(1, math.ceil(len(wrong) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.4 + 0.4),
                             squeeze=False, layout="constrained")
    for ax in axes.ravel():
        ax.axis("off")
    for ax, index in zip(axes.ravel(), wrong):
        ax.imshow(data.raw_test_image(index), cmap="gray_r")
        ax.set_title(f"{data.y_test[index]} → {predicted[index]}", fontsize=10, color="firebrick")
    if len(wrong) == 0:
        fig.text(0.5, 0.5, "no test image misclassified", ha="center", fontsize=12)
    fig.suptitle(f"misclassified test images (true → predicted), {int((predicted != data.y_test).sum())} "
                 f"of {len(data.y_test)}", fontsize=11)
    save_figure(fig, path)


def plot_confusion_matrix(data: Data, predicted: np.ndarray, path: Path) -> None:
    C = data.num_classes
    counts = np.zeros((C, C), dtype=int)
    np.add.at(counts, (data.y_test, predicted), 1)
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    image = ax.imshow(counts, cmap="Blues")
    for true in range(C):
        for guess in range(C):
            if counts[true, guess]:
                dark = counts[true, guess] > counts.max() / 2
                ax.text(guess, true, str(counts[true, guess]), ha="center", va="center",
                        fontsize=8, color="white" if dark else "black")
    ax.set(xticks=range(C), yticks=range(C), xlabel="predicted class", ylabel="true class",
           title=f"confusion matrix (test set, {len(data.y_test)} images)")
    fig.colorbar(image, ax=ax, shrink=0.8)
    save_figure(fig, path)


def draw_one_step(model, loss_fn, data: Data, path: Path) -> None:
    """The graph of one training step's loss on a batch of 4: every value the forward pass
    saved for backward, and (mg.draw_graph runs backward for the picture) every gradient."""
    inputs, targets = mg.tensor(data.X_train[:4]), mg.tensor(data.y_train[:4])
    scores = model(inputs)
    loss = loss_fn(scores, targets)
    _common.draw_graph_svg(loss, path, module=model, title="one training step (batch of 4)",
                           names={inputs: "x", targets: "y", scores: "scores", loss: "loss"})
    model.zero_grad()


def save_model(model, config: dict, out: Path) -> None:
    nn.save(model.state_dict(), out / "model.npz")
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    print(f"saved {out / 'model.npz'} and {out / 'config.json'}")


def load_model(out: Path) -> nn.Module:
    """Rebuild a model written by this script (``model.npz`` + ``config.json``)."""
    config = json.loads((out / "config.json").read_text())
    model = make_model(config["in_features"], config["hidden"], config["num_classes"],
                       config["activation"])
    model.load_state_dict(nn.load(out / "model.npz"))
    return model


# ---------------------------------------------------------------------------------------------
@dataclass
class Result:
    model: nn.Module
    data: Data
    history: list
    test_accuracy: float


def run(args) -> Result:
    mg.manual_seed(args.seed)  # the initial weights and the DataLoader's shuffling
    data = standardize(load_data(args.dataset_name, args.mnist_path, args.seed))
    in_features = data.X_train.shape[1]
    model = make_model(in_features, args.hidden, data.num_classes, args.activation)
    loss_fn = loss_function(args.loss)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr, args.weight_decay)
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = "-".join(str(n) for n in (in_features, *args.hidden, data.num_classes))
    print(f"{data.name}: {len(data.y_train)} train / {len(data.y_test)} test samples, "
          f"{data.num_classes} classes; MLP {sizes} ({args.activation}), {args.loss}, "
          f"{args.optimizer} lr={args.lr:g}, {args.epochs} epochs of batch {args.batch_size}")

    first_loss, _, _ = evaluate(model, loss_fn, data.X_train, data.y_train)
    expected, formula = expected_first_loss(args.loss, data.num_classes)
    print(f"initial loss: {first_loss:.4f}   expected about {expected:.4f} ({formula})")

    started = time.perf_counter()
    history = train(model, optimizer, loss_fn, data, args.epochs, args.batch_size)
    seconds = time.perf_counter() - started
    print(f"trained in {seconds:.1f} s; final train loss {history[-1]['train_loss']:.4f}, "
          f"train accuracy {history[-1]['train_acc']:.3f}")

    out = args.out
    write_metrics(history, out / "metrics.csv")
    title = f"{data.name}: MLP {sizes}, {args.loss}, {args.optimizer}"
    plot_curves(history, title, out / "curves.png")
    _, test_acc, predicted = evaluate(model, loss_fn, data.X_test, data.y_test)
    if in_features == 2:
        plot_decision_boundary(model, data, f"{title}\ntest accuracy {test_acc:.3f}",
                               out / "decision_boundary.png")
    if data.image_shape is not None:
        plot_misclassified(data, predicted, out / "misclassified.png")
        plot_confusion_matrix(data, predicted, out / "confusion_matrix.png")
    draw_one_step(model, loss_fn, data, out / "graph.svg")
    config = {"dataset": args.dataset, "in_features": in_features, "hidden": list(args.hidden),
              "num_classes": data.num_classes, "activation": args.activation,
              "loss": args.loss, "optimizer": args.optimizer, "lr": args.lr,
              "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
              "test_accuracy": test_acc, "train_seconds": round(seconds, 2),
              "input_mean": data.mean.tolist(), "input_std": data.std.tolist()}
    save_model(model, config, out)
    print(f"test accuracy: {test_acc:.3f}")
    return Result(model, data, history, test_acc)


def train_from_argv(argv=None) -> Result:
    """Everything ``main`` does, returning the trained model and its data (for tests and
    notebooks); a bad option raises UsageError (or SystemExit from argparse)."""
    args = build_parser().parse_args(argv)
    resolve_options(args)
    return run(args)


def main(argv=None) -> int:
    try:
        train_from_argv(argv)
    except UsageError as error:
        print(f"train.py: error: {error}", file=sys.stderr)  # one line, as argparse's own errors
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
