"""train.py's options: the defaults per dataset, the checks, and what --resume keeps fixed.

Every option defaults to None in the parser, so that a --resume can tell the options given on
its command line from those it takes from the run it continues.
"""
from __future__ import annotations

import math
from pathlib import Path

import _checkpoint
from _checkpoint import LAST, RunError
from _common import OneLineErrorParser
from _data import parse_dataset

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
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam", "adamw")
SCHEDULES = ("none", "cosine", "step")
# The options a run is made of: saved in its checkpoints, and fixed for a --resume of it.
RUN_OPTIONS = ("dataset", "hidden", "activation", "loss", "optimizer", "lr", "lr_schedule",
               "batch_size", "weight_decay", "seed")


class UsageError(Exception):
    """A bad option or path found after argparse: one line, exit status 2, before training."""


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
    # No defaults here (None means "not given"): resolve_options fills them, per dataset, and
    # tells a --resume's own options from the ones given on its command line.
    parser = OneLineErrorParser(
        prog="train.py", description="Train an MLP with minigrad and write what happened.")
    parser.add_argument("--dataset", help="digits (default), spiral, moons, or mnist:PATH (IDX files)")
    parser.add_argument("--hidden", help="hidden layer widths, e.g. 128,64 (default per dataset)")
    parser.add_argument("--activation", choices=ACTIVATIONS, help="default relu")
    parser.add_argument("--loss", choices=("cross_entropy", "hinge"),
                        help="cross_entropy (softmax, the default) or hinge (the multiclass SVM loss)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="default adam")
    parser.add_argument("--lr", type=float, help="learning rate (default per optimizer)")
    parser.add_argument("--lr-schedule", choices=SCHEDULES,
                        help="none (default), cosine (to 0 over --epochs), step (x0.1 every third of them)")
    parser.add_argument("--epochs", type=int, help="epochs in all (with --resume: up to this many)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--weight-decay", type=float,
                        help="L2 penalty (decoupled for adamw; default 0, adamw 0.01)")
    parser.add_argument("--seed", type=int, help="fixes the split, the init, the batches (default 0)")
    parser.add_argument("--out", type=Path, help="output folder (default runs/<dataset>)")
    parser.add_argument("--overwrite", action="store_true",
                        help="with --out: write into that folder even if it holds a run")
    parser.add_argument("--resume", type=Path, metavar="RUN",
                        help="continue the run in folder RUN from its last checkpoint")
    parser.add_argument("--quick", action="store_true", help="fewer epochs, same code path")
    return parser


def resolve_options(args) -> dict:
    """The run's options, every default filled and every value checked (UsageError if not);
    ``args.folder`` and ``args.checkpoint`` (the one resumed from, or None) are set too."""
    args.checkpoint = None
    if args.resume is not None:
        options = options_of_resumed_run(args)
    else:
        if args.overwrite and args.out is None:
            raise UsageError("--overwrite needs --out FOLDER: the folder to write over")
        options = default_options(args)
    check_options(options)
    return options


def default_options(args) -> dict:
    dataset = args.dataset or "digits"
    try:
        name, mnist_path = parse_dataset(dataset)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if mnist_path is not None:  # absolute, so that predict.py finds it from any folder
        dataset = f"mnist:{mnist_path.resolve()}"
    defaults = DEFAULTS[name]
    optimizer = args.optimizer or "adam"
    two_d = name in ("spiral", "moons")
    options = {
        "dataset": dataset,
        "hidden": list(parse_hidden(args.hidden) if args.hidden is not None else defaults["hidden"]),
        "activation": args.activation or "relu",
        "loss": args.loss or "cross_entropy",
        "optimizer": optimizer,
        "lr": args.lr if args.lr is not None else (DEFAULT_LR_2D if two_d else DEFAULT_LR)[optimizer],
        "lr_schedule": args.lr_schedule or "none",
        "batch_size": args.batch_size if args.batch_size is not None else defaults["batch_size"],
        "weight_decay": (args.weight_decay if args.weight_decay is not None
                         else 0.01 if optimizer == "adamw" else 0.0),
        "seed": args.seed if args.seed is not None else 0,
        "epochs": (args.epochs if args.epochs is not None
                   else defaults["quick_epochs"] if args.quick else defaults["epochs"]),
    }
    out = args.out if args.out is not None else Path("runs") / name
    args.folder, note = _checkpoint.choose_folder(out, args.overwrite)
    if note:
        print(note)
    return options


def options_of_resumed_run(args) -> dict:
    """RUN's own options, with --epochs as given; any other option given must agree with them."""
    if args.out is not None or args.overwrite:
        raise UsageError("--resume RUN writes into RUN itself: leave out --out and --overwrite")
    try:
        args.checkpoint = _checkpoint.load(args.resume, LAST)
    except RunError as error:
        raise UsageError(str(error)) from None
    saved = dict(args.checkpoint["options"])
    given = default_options_given(args)
    for key, value in given.items():
        if value != saved[key]:
            flag = "--" + key.replace("_", "-")
            raise UsageError(f"{flag} {value} differs from the run's own ({saved[key]}): --resume "
                             f"continues {args.resume} with its options; only --epochs may change")
    if args.epochs is not None:
        if args.epochs < args.checkpoint["epoch"]:
            raise UsageError(f"--epochs {args.epochs}: {args.resume} has already trained "
                             f"{args.checkpoint['epoch']} epochs")
        if saved["lr_schedule"] != "none" and args.epochs != saved["epochs"]:
            raise UsageError(f"--epochs {args.epochs}: the run's --lr-schedule {saved['lr_schedule']} "
                             f"spans its {saved['epochs']} epochs; resume with --epochs "
                             f"{saved['epochs']}")
        saved["epochs"] = args.epochs
    args.folder = args.resume
    return saved


def default_options_given(args) -> dict:
    """The run options given on the command line, in the form they are saved in."""
    given = {key: getattr(args, key) for key in RUN_OPTIONS if getattr(args, key) is not None}
    if "hidden" in given:
        given["hidden"] = list(parse_hidden(given["hidden"]))
    if "dataset" in given:
        try:
            _, mnist_path = parse_dataset(given["dataset"])
        except ValueError as error:
            raise UsageError(str(error)) from None
        if mnist_path is not None:
            given["dataset"] = f"mnist:{mnist_path.resolve()}"
    return given


def check_options(options: dict) -> None:
    if not (options["lr"] > 0 and math.isfinite(options["lr"])):
        raise UsageError(f"--lr must be a positive number, got {options['lr']}")
    if options["epochs"] <= 0:
        raise UsageError(f"--epochs must be positive, got {options['epochs']}")
    if options["batch_size"] <= 0:
        raise UsageError(f"--batch-size must be positive, got {options['batch_size']}")
    if not (options["weight_decay"] >= 0 and math.isfinite(options["weight_decay"])):
        raise UsageError(f"--weight-decay must be a number >= 0, got {options['weight_decay']}")
    if not 0 <= options["seed"] < 2**63:
        raise UsageError(f"--seed must be an integer from 0 to 2**63 - 1, got {options['seed']}")
