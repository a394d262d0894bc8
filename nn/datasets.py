"""Small datasets to learn on: two generated in 2-D (spiral, moons), the 8x8 digits, MNIST.

Each returns tensors ``X`` (float32) and ``y`` (int64 class labels).
"""
from __future__ import annotations

import gzip
import os

import numpy as np

from minigrad import Tensor


def spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0):
    """The spiral of CS231n: ``n_classes`` arms of ``n_per_class`` points in 2-D, not
    linearly separable (a linear classifier gets about 1 / n_classes of it right).

    >>> import nn
    >>> X, y = nn.datasets.spiral()
    >>> X.shape, y.shape, X.dtype, y.dtype
    ((300, 2), (300,), dtype('float32'), dtype('int64'))
    """
    rng = np.random.default_rng(seed)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for k in range(n_classes):
        rows = slice(n_per_class * k, n_per_class * (k + 1))
        radius = np.linspace(0.0, 1.0, n_per_class)
        angle = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + rng.standard_normal(n_per_class) * noise
        X[rows, 0] = radius * np.sin(angle)
        X[rows, 1] = radius * np.cos(angle)
        y[rows] = k
    return Tensor(X.astype(np.float32)), Tensor(y)


def moons(n_samples: int = 200, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles (labels 0 and 1) with Gaussian noise, shuffled."""
    rng = np.random.default_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    outer = np.linspace(0, np.pi, n_outer)
    inner = np.linspace(0, np.pi, n_inner)
    X = np.concatenate([
        np.stack([np.cos(outer), np.sin(outer)], axis=1),
        np.stack([1 - np.cos(inner), 0.5 - np.sin(inner)], axis=1),
    ])
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    if noise:
        X = X + rng.standard_normal(X.shape) * noise
    order = rng.permutation(n_samples)
    return Tensor(X[order].astype(np.float32)), Tensor(y[order])


def load_digits():
    """The 8x8 handwritten digits bundled with scikit-learn (1797 images, 10 classes):
    ``X`` (1797, 64) scaled to [0, 1], ``y`` (1797,)."""
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError:
        raise ImportError("nn.datasets.load_digits needs scikit-learn, which bundles the digits; "
                          "install it with `pip install minigrad[examples]` (or "
                          "`pip install scikit-learn`)") from None
    digits = sklearn_digits()
    X = (digits.data / 16.0).astype(np.float32)
    return Tensor(X), Tensor(digits.target.astype(np.int64))


_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _find(folder: str, name: str) -> str:
    for candidate in (name, name + ".gz", name.replace("-idx", ".idx"),
                      name.replace("-idx", ".idx") + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"load_mnist: {name} (or {name}.gz) not found in {folder!r}; download "
                            "the four MNIST files (train-images-idx3-ubyte, "
                            "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) "
                            "into that folder")


def read_idx(path: str) -> np.ndarray:
    """One IDX file (gzipped or not) as a uint8 array of the shape its header gives."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as error:
        raise ValueError(f"load_mnist: cannot read {path!r}: {error}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"load_mnist: {path!r} is not an IDX file of unsigned bytes (its first "
                         f"bytes are {raw[:4]!r}, expected 00 00 08 followed by the rank)")
    rank = raw[3]
    header = 4 + 4 * rank
    if len(raw) < header:
        raise ValueError(f"load_mnist: {path!r} is truncated inside its header")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    expected = int(np.prod(shape))
    if len(raw) - header != expected:
        raise ValueError(f"load_mnist: {path!r} has {len(raw) - header} bytes of data but its "
                         f"header announces shape {shape} ({expected} bytes); the file is "
                         "truncated or corrupt")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_mnist(path: str, flatten: bool = True):
    """MNIST from the four standard IDX files in folder ``path`` (gzipped or not).

    Returns ``((X_train, y_train), (X_test, y_test))``: images as float32 in [0, 1], flattened
    to 784 features (``flatten=False`` keeps 28x28), labels as int64.
    """
    result = []
    for split in ("train", "test"):
        images_name, labels_name = _MNIST_FILES[split]
        images = read_idx(_find(path, images_name))
        labels = read_idx(_find(path, labels_name))
        if images.ndim != 3 or labels.ndim != 1 or images.shape[0] != labels.shape[0]:
            raise ValueError(f"load_mnist: the {split} files do not match: images of shape "
                             f"{images.shape}, labels of shape {labels.shape}")
        X = images.astype(np.float32) / 255.0
        if flatten:
            X = X.reshape(X.shape[0], -1)
        result.append((Tensor(X), Tensor(labels.astype(np.int64))))
    return tuple(result)
