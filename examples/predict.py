"""Use a model that train.py trained: its test accuracy, or its predictions for your own data.

    python examples/predict.py runs/digits                      # test accuracy: 0.978
    python examples/predict.py runs/digits --input rows.npy     # one class per row
    python examples/predict.py runs/digits --input rows.csv
    python examples/predict.py runs/digits --input seven.png three.png

It loads the run's best checkpoint (``--checkpoint last`` for the latest one) with the
standardization the model was trained with, so the inputs are given as the dataset gives them:

- without --input, it rebuilds the run's test set (the same split, from the run's --seed) and
  prints ``test accuracy: X``, the number train.py printed;
- ``.npy`` and ``.csv`` files hold one sample per row, as ``nn.datasets`` gives them (the digits:
  64 pixels in [0, 1]; spiral and moons: 2 coordinates); an ``.npy`` file of images (N, 8, 8)
  is flattened;
- images (PNG, JPEG...; digit datasets only) are turned grey, resized to the model's input
  (8x8 for the digits, 28x28 for MNIST) and scaled to [0, 1], dark ink on a light background
  inverted to the datasets' light ink on dark.

Each input row prints one line: the predicted class and its probability (the softmax of the
scores). A file that cannot be read or does not fit the model: one line, exit status 2.
"""
from __future__ import annotations

import sys
from pathlib import Path

import _checkpoint
import numpy as np
from _checkpoint import BEST, LAST, RunError
from _common import OneLineErrorParser
from _data import DataError, load_data, standardize

import minigrad as mg

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")


class InputError(Exception):
    """A file that cannot be used as input: one line, exit status 2."""


def build_parser() -> OneLineErrorParser:
    parser = OneLineErrorParser(prog="predict.py", description="Predict with a train.py run.")
    parser.add_argument("run", type=Path, help="the run folder train.py wrote (e.g. runs/digits)")
    parser.add_argument("--input", type=Path, nargs="+", metavar="FILE",
                        help=".npy or .csv rows, or images for the digit datasets")
    parser.add_argument("--checkpoint", choices=("best", "last"), default="best",
                        help="best (the epoch kept, default) or last")
    return parser


def scores_of(model, X: np.ndarray) -> np.ndarray:
    with mg.no_grad():
        return model(mg.tensor(X.astype(np.float32))).numpy()


def test_accuracy(model, checkpoint: dict) -> float:
    """The run's test set, rebuilt from its options and scaled by its saved statistics."""
    options, preprocessing = checkpoint["options"], checkpoint["preprocessing"]
    try:
        data = load_data(options["dataset"], options["seed"])
    except (DataError, ValueError) as error:
        raise InputError(str(error)) from None
    standardize(data, preprocessing["mean"].numpy(), preprocessing["std"].numpy())
    predicted = scores_of(model, data.X_test).argmax(axis=1)
    return float((predicted == data.y_test).mean())


def read_rows(path: Path, checkpoint: dict) -> np.ndarray:
    """The samples in ``path`` as rows of raw features (before standardization)."""
    if not path.is_file():
        raise InputError(f"no such file {path}")
    suffix = path.suffix.lower()
    image_shape = checkpoint["preprocessing"]["image_shape"]
    if suffix in IMAGE_SUFFIXES:
        if image_shape is None:
            raise InputError(f"{path} is an image, but this run's model ({checkpoint['options']['dataset']}) "
                             "takes no images: give .npy or .csv rows")
        return read_image(path, image_shape)[None, :]
    if suffix == ".npy":
        try:
            rows = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as error:
            raise InputError(f"{path} is not a numeric .npy file: {' '.join(str(error).split())}") from None
    elif suffix == ".csv":
        rows = read_csv(path)
    else:
        raise InputError(f"{path}: give a .npy or .csv file of rows, or an image (PNG...)")
    if rows.dtype.kind not in "biuf":
        raise InputError(f"{path} holds {rows.dtype} values, not numbers")
    if image_shape is not None and rows.shape[-2:] == tuple(image_shape):
        rows = rows.reshape(-1, int(np.prod(image_shape)))  # images, flattened
    return rows.reshape(1, -1) if rows.ndim == 1 else rows


def read_csv(path: Path) -> np.ndarray:
    """Comma-separated numbers, one sample per line; a first line of column names is skipped."""
    for skip in (0, 1):
        try:
            return np.loadtxt(path, delimiter=",", ndmin=2, skiprows=skip)
        except ValueError as error:
            reason = " ".join(str(error).split())
    raise InputError(f"{path} is not a CSV file of numbers: {reason}")


def read_image(path: Path, image_shape) -> np.ndarray:
    """An image as the datasets' pixels: grey, resized, in [0, 1], light ink on dark."""
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as error:
        import _common

        _common.missing_extra(error)
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("RGBA", "LA", "P"):  # transparency: drawn on white paper
                background = Image.new("RGBA", image.size, "white")
                image = Image.alpha_composite(background, image.convert("RGBA"))
            grey = image.convert("L")
    except (UnidentifiedImageError, OSError) as error:
        raise InputError(f"{path} is not an image that can be read: {error}") from None
    height, width = image_shape
    pixels = np.asarray(grey.resize((width, height), Image.Resampling.LANCZOS), np.float32) / 255.0
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if border.mean() > 0.5:  # dark ink on light paper: the datasets have light ink on dark
        pixels = 1.0 - pixels
    return pixels.clip(0.0, 1.0).reshape(-1)


def check_rows(rows: np.ndarray, checkpoint: dict, path: Path) -> np.ndarray:
    """``rows`` if they fit the model: InputError (one line) if not."""
    preprocessing = checkpoint["preprocessing"]
    features = preprocessing["mean"].shape[0]
    if rows.ndim != 2 or rows.shape[1] != features:
        image = preprocessing["image_shape"]
        what = f" (the {image[0]}x{image[1]} pixels of an image)" if image is not None else ""
        raise InputError(f"{path} holds rows of shape {rows.shape[1:]}, but the model takes "
                         f"{features} features per row{what}")
    if not np.isfinite(rows).all():
        raise InputError(f"{path} holds values that are not finite numbers (NaN or inf)")
    return rows


def predict(model, checkpoint: dict, rows: np.ndarray, path: Path) -> list:
    """One line per row: the class and its probability."""
    preprocessing = checkpoint["preprocessing"]
    mean, std = preprocessing["mean"].numpy(), preprocessing["std"].numpy()
    scores = scores_of(model, (rows - mean) / std)
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    names = checkpoint["class_names"]
    lines = []
    for i, (row_scores, row_probabilities) in enumerate(zip(scores, probabilities)):
        label = str(path) if len(rows) == 1 else f"{path}[{i}]"
        best = int(row_scores.argmax())
        lines.append(f"{label}: class {names[best]} (probability {row_probabilities[best]:.3f})")
    return lines


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        model, checkpoint = _checkpoint.load_model(args.run, BEST if args.checkpoint == "best" else LAST)
        if not args.input:
            print(f"test accuracy: {test_accuracy(model, checkpoint):.3f}")
            return 0
        inputs = [(path, check_rows(read_rows(path, checkpoint), checkpoint, path))
                  for path in args.input]  # every file checked before the first line
        for path, rows in inputs:
            for line in predict(model, checkpoint, rows, path):
                print(line)
    except (RunError, InputError) as error:
        print(f"predict.py: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
