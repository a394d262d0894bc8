"""Small datasets to learn on: two generated in 2-D (spiral, moons), the 8x8 digits, MNIST.

Each returns tensors ``X`` (float32) and ``y`` (int64 class labels).
"""
from __future__ import annotations

import contextlib
import gzip
import math
import os
import struct
import zlib

import numpy as np

from minigrad import Tensor


def spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2, seed: int = 0):
    """The spiral of CS231n: ``n_classes`` arms of ``n_per_class`` points in 2-D, not
    linearly separable (a linear classifier gets about 1 / n_classes of it right).

    >>> import nn
    >>> X, y = nn.datasets.spiral()
    >>> X.shape, y.shape, X.dtype, y.dtype
    (torch.Size([300, 2]), torch.Size([300]), dtype('float32'), dtype('int64'))
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
                          "install it with `pip install -e \".[examples]\"` from the repository's "
                          "root (or `pip install scikit-learn`)", name="sklearn") from None
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


class DatasetFileError(ValueError):
    """A dataset file that its loader cannot trust: the message names the file and what is wrong.

    A ``ValueError`` (bad contents, not a missing file, which stays ``FileNotFoundError``), as
    the MNIST loader raised before this class existed.
    """


# The type codes of the IDX format (the third byte of every IDX file); MNIST's are all 0x08.
_IDX_TYPES = {0x08: "unsigned byte", 0x09: "signed byte", 0x0B: "short", 0x0C: "int",
              0x0D: "float", 0x0E: "double"}
# Deflate cannot expand data more than 1032 times: a gzip file of N bytes holds at most 1032 N.
_MAX_DEFLATE_RATIO = 1032
_CHUNK = 1 << 20  # data is read 1 MiB at a time, so memory follows what the file really holds


def read_idx(path: str, ndim: int | None = None) -> np.ndarray:
    """One IDX file (gzipped or not) as a uint8 array of the shape its header gives.

    The header (magic, type code, number of dimensions, sizes) is checked against the file's
    length before any data is read, and gzip is decompressed as a stream, so a small file that
    claims or decompresses to gigabytes is refused without allocating them. ``ndim``, when
    given, is the number of dimensions the file must have (3 for images, 1 for labels).
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        file_size = os.fstat(file.fileno()).st_size
        gzipped = file.read(2) == b"\x1f\x8b"  # gzip's magic; an IDX file starts with 00 00
        file.seek(0)
        opened = gzip.GzipFile(fileobj=file, mode="rb") if gzipped else contextlib.nullcontext(file)
        try:
            with opened as stream:
                shape = _read_idx_header(stream, path, ndim)
                _check_idx_size(shape, path, file_size, gzipped)
                data = _read_idx_data(stream, shape, path)
        except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
            raise DatasetFileError(f"load_mnist: cannot read {path!r}: {error}") from None
    return np.frombuffer(data, dtype=np.uint8).reshape(shape)


def _read_idx_header(stream, path: str, ndim: int | None) -> tuple:
    """The sizes an IDX header announces: 00 00, the type code, the rank, one uint32 per dim."""
    magic = stream.read(4)
    if len(magic) < 4 or magic[0] != 0 or magic[1] != 0:
        raise DatasetFileError(f"load_mnist: {path!r} is not an IDX file (its first bytes are "
                               f"{magic!r}, expected 00 00, the type code 08 and the rank)")
    type_code, rank = magic[2], magic[3]
    if type_code != 0x08:
        kind = _IDX_TYPES.get(type_code, "no IDX type")
        raise DatasetFileError(f"load_mnist: {path!r} is not an IDX file of unsigned bytes: its "
                               f"type code is 0x{type_code:02X} ({kind}); MNIST's is 0x08")
    if ndim is not None and rank != ndim:
        raise DatasetFileError(f"load_mnist: {path!r} has {rank} dimensions, expected {ndim} "
                               "(images: count, rows, columns; labels: count)")
    sizes = stream.read(4 * rank)
    if len(sizes) < 4 * rank:
        raise DatasetFileError(f"load_mnist: {path!r} is truncated inside its header")
    return struct.unpack(f">{rank}I", sizes)  # big-endian unsigned 32-bit sizes


def _check_idx_size(shape: tuple, path: str, file_size: int, gzipped: bool) -> None:
    """Refuse sizes the file cannot hold, before a byte of data is read or allocated."""
    header = 4 + 4 * len(shape)
    expected = math.prod(shape)  # Python integers: no overflow however large the sizes
    if not gzipped and file_size - header != expected:
        raise DatasetFileError(f"load_mnist: {path!r} has {file_size - header} bytes of data but "
                               f"its header announces shape {shape} ({expected} bytes); the file "
                               "is truncated or corrupt")
    if gzipped and header + expected > _MAX_DEFLATE_RATIO * file_size:
        raise DatasetFileError(f"load_mnist: {path!r} announces shape {shape} ({expected} bytes), "
                               f"more than its {file_size} gzipped bytes can hold (at most "
                               f"{_MAX_DEFLATE_RATIO} times as many); the file is truncated or corrupt")


def _read_idx_data(stream, shape: tuple, path: str) -> bytearray:
    """Exactly the bytes the header announced, then a check that nothing follows them.

    Read in chunks, so memory grows with what the stream really yields; the read past the end
    also makes gzip check its CRC-32 and length, and stops a payload far longer than the
    header says after one more byte, never decompressing the rest.
    """
    expected = math.prod(shape)
    data = bytearray()
    while len(data) < expected:
        chunk = stream.read(min(_CHUNK, expected - len(data)))
        if not chunk:
            raise DatasetFileError(f"load_mnist: {path!r} has {len(data)} bytes of data but its "
                                   f"header announces shape {shape} ({expected} bytes); the file "
                                   "is truncated or corrupt")
        data += chunk
    if stream.read(1):
        raise DatasetFileError(f"load_mnist: {path!r} holds more data than its header announces "
                               f"(shape {shape}, {expected} bytes); the file is truncated or corrupt")
    return data


def _check_labels(labels: np.ndarray, path: str, num_classes: int) -> None:
    """Every label must name a class: a label 12 in a 10-class file would index out of range."""
    outside = np.flatnonzero(labels >= num_classes)  # uint8: never below 0
    if outside.size:
        index = int(outside[0])
        raise DatasetFileError(f"load_mnist: {path!r} has the label {labels[index]} at index "
                               f"{index} ({outside.size} labels in all outside 0..{num_classes - 1}, "
                               f"num_classes={num_classes})")


def load_mnist(path: str, flatten: bool = True, num_classes: int = 10):
    """MNIST from the four standard IDX files in folder ``path`` (gzipped or not).

    Returns ``((X_train, y_train), (X_test, y_test))``: images as float32 in [0, 1], flattened
    to 784 features (``flatten=False`` keeps 28x28), labels as int64 in ``0..num_classes-1``.
    A file that is malformed, truncated, inconsistent with its partner or has a label outside
    that range raises :class:`DatasetFileError` naming it.
    """
    result = []
    for split in ("train", "test"):
        images_name, labels_name = _MNIST_FILES[split]
        images_path, labels_path = _find(path, images_name), _find(path, labels_name)
        images = read_idx(images_path, ndim=3)
        labels = read_idx(labels_path, ndim=1)
        if images.shape[0] != labels.shape[0]:
            raise DatasetFileError(f"load_mnist: the {split} files do not match: {images_path!r} "
                                   f"holds {images.shape[0]} images, {labels_path!r} "
                                   f"{labels.shape[0]} labels")
        _check_labels(labels, labels_path, num_classes)
        X = images.astype(np.float32) / 255.0
        if flatten:
            X = X.reshape(X.shape[0], -1)
        result.append((Tensor(X), Tensor(labels.astype(np.int64))))
    return tuple(result)
