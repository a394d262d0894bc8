"""The main job's data: the datasets, the train / validation / test split, the standardization.

The split is fixed by the seed alone: the same seed gives the same three sets in train.py,
in predict.py and in a resumed run. Each class is split in the same proportions (stratified),
so a small validation set still holds every class.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import _common  # noqa: F401 (first: it puts this checkout's minigrad on the path)
import numpy as np

import nn

TEST_FRACTION = 0.25  # of each class, for the datasets without a test set of their own
VALIDATION_FRACTION = 0.15  # of each class (MNIST: of its training set)
# The + 0.1 keeps constant features (the digits' always-blank border) from a division by zero.
STD_FLOOR = 0.1


class DataError(Exception):
    """A dataset that cannot be loaded (a missing folder, a damaged file): one line, exit 2."""


@dataclass
class Data:
    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    num_classes: int
    image_shape: tuple | None  # (height, width) for image datasets, else None
    mean: np.ndarray | None = None  # the training set's per-feature mean and spread, once
    std: np.ndarray | None = None  # standardized (see standardize)

    @property
    def class_names(self) -> list:
        return [str(label) for label in range(self.num_classes)]

    def sizes(self) -> dict:
        return {"train": len(self.y_train), "validation": len(self.y_val), "test": len(self.y_test)}

    def raw_test_image(self, index: int) -> np.ndarray:
        return (self.X_test[index] * self.std + self.mean).reshape(self.image_shape)


def parse_dataset(text: str) -> tuple[str, Path | None]:
    """``digits``, ``spiral``, ``moons`` or ``mnist:PATH`` -> (name, MNIST folder or None);
    raises ValueError with the one line to print."""
    if text.startswith("mnist:"):
        folder = text[len("mnist:"):]
        if not folder:
            raise ValueError("--dataset mnist:PATH needs the folder of the IDX files after the colon")
        return "mnist", Path(folder).expanduser()
    if text in ("digits", "spiral", "moons"):
        return text, None
    if text == "mnist":
        raise ValueError("--dataset mnist needs a path: mnist:PATH (the folder of the IDX files)")
    raise ValueError(f"unknown dataset {text!r}: choose digits, spiral, moons or mnist:PATH")


def stratified_parts(y: np.ndarray, fractions, seed: int) -> list:
    """Indices of ``len(fractions)`` disjoint parts of each class, of those fractions of it,
    and of the rest (the last list), drawn by ``seed``; each part sorted."""
    rng = np.random.default_rng(seed)
    parts = [[] for _ in range(len(fractions) + 1)]
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        start = 0
        for part, fraction in zip(parts, fractions):
            count = int(round(len(members) * fraction))
            part.append(members[start:start + count])
            start += count
        parts[-1].append(members[start:])
    return [np.sort(np.concatenate(part)) for part in parts]


def load_data(dataset: str, seed: int) -> Data:
    """The dataset named by ``--dataset``, split into train / validation / test by ``seed``."""
    name, mnist_path = parse_dataset(dataset)
    if name == "mnist":
        return load_mnist_data(mnist_path, seed)
    # nn.datasets gives float32 features (the digits already flattened to 64) and int64 labels.
    if name == "digits":
        X, y = nn.datasets.load_digits()
        image_shape = (8, 8)
    else:
        maker = nn.datasets.spiral if name == "spiral" else nn.datasets.moons
        X, y = maker(seed=seed)
        image_shape = None
    X, y = X.numpy(), y.numpy()
    test, val, train = stratified_parts(y, (TEST_FRACTION, VALIDATION_FRACTION), seed)
    return Data(name, X[train], y[train], X[val], y[val], X[test], y[test], int(y.max()) + 1,
                image_shape)


def load_mnist_data(folder: Path, seed: int) -> Data:
    """MNIST's own test set, and its training set split into train and validation."""
    if not folder.is_dir():
        raise DataError(f"MNIST folder not found: {folder}")
    try:
        (X_train, y_train), (X_test, y_test) = nn.datasets.load_mnist(str(folder), flatten=False)
    except (OSError, ValueError) as error:  # a missing file, a wrong magic number, a bad label
        raise DataError(" ".join(str(error).split())) from None
    X_train, y_train, X_test, y_test = (part.numpy() for part in (X_train, y_train, X_test, y_test))
    image_shape = tuple(X_train.shape[1:])
    X_train = X_train.reshape(len(X_train), -1)
    X_test = X_test.reshape(len(X_test), -1)
    val, train = stratified_parts(y_train, (VALIDATION_FRACTION,), seed)
    num_classes = int(max(y_train.max(), y_test.max())) + 1
    return Data("mnist", X_train[train], y_train[train], X_train[val], y_train[val], X_test, y_test,
                num_classes, image_shape)


def standardize(data: Data, mean: np.ndarray | None = None, std: np.ndarray | None = None) -> Data:
    """Centre and scale each feature by the training set's statistics (or by ``mean`` and
    ``std`` when given: a saved run's). Validation and test are scaled by the same numbers:
    they must not leak into training."""
    data.mean = data.X_train.mean(axis=0) if mean is None else np.asarray(mean)
    data.std = data.X_train.std(axis=0) + STD_FLOOR if std is None else np.asarray(std)
    for part in ("X_train", "X_val", "X_test"):
        setattr(data, part, ((getattr(data, part) - data.mean) / data.std).astype(np.float32))
    return data
