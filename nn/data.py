"""Datasets and mini-batches: ``TensorDataset`` and ``DataLoader``, as in ``torch.utils.data``.

>>> import minigrad as mg, nn
>>> data = nn.data.TensorDataset(mg.arange(10.0).reshape(5, 2), mg.arange(5))
>>> loader = nn.data.DataLoader(data, batch_size=2)
>>> len(loader), [tuple(x.shape) for x, y in loader]
(3, [(2, 2), (2, 2), (1, 2)])
"""
from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from minigrad import Tensor
from minigrad.random import numpy_generator


class Dataset:
    """Anything with ``__getitem__`` (one sample, a tuple) and ``__len__``."""

    def __getitem__(self, index):  # pragma: no cover
        raise NotImplementedError

    def __len__(self) -> int:  # pragma: no cover
        raise NotImplementedError


class TensorDataset(Dataset):
    """Samples are the rows of the given tensors (all with the same first dimension)."""

    def __init__(self, *tensors) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        n = self.tensors[0].shape[0] if self.tensors[0].ndim else None
        for i, t in enumerate(self.tensors):
            if t.ndim == 0 or t.shape[0] != n:
                raise ValueError(f"TensorDataset: every tensor must have the same first dimension; "
                                 f"tensor 0 has shape {self.tensors[0].shape}, tensor {i} has "
                                 f"shape {t.shape}")

    def __getitem__(self, index):
        return tuple(Tensor(t.data[index]) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class DataLoader:
    """Mini-batches of a dataset, as tuples of tensors.

    ``shuffle=True`` draws a new order each epoch from ``generator`` (an ``mg.Generator``, as
    PyTorch's ``torch.Generator``, or a numpy Generator), or from ``seed``, or else from
    minigrad's default generator (``mg.manual_seed``).  A ``TensorDataset``
    is batched by indexing its arrays directly (no per-sample Python work).
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 generator=None, seed: int | None = None) -> None:
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r}")
        self.dataset, self.batch_size = dataset, batch_size
        self.shuffle, self.drop_last = shuffle, drop_last
        if generator is None and seed is not None:
            generator = np.random.default_rng(seed)
        self.generator = generator

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self, n: int):
        if not self.shuffle:
            return None
        if isinstance(self.generator, np.random.Generator):
            return self.generator.permutation(n)
        return numpy_generator(self.generator, "DataLoader").permutation(n)  # mg.Generator or default

    def __iter__(self) -> Iterator[tuple]:
        n = len(self.dataset)
        order = self._order(n)
        stop = (n // self.batch_size) * self.batch_size if self.drop_last else n
        fast = isinstance(self.dataset, TensorDataset)
        for start in range(0, stop, self.batch_size):
            end = min(start + self.batch_size, n)
            index = slice(start, end) if order is None else order[start:end]
            if fast:
                yield tuple(Tensor(t.data[index]) for t in self.dataset.tensors)
            else:
                indices = range(start, end) if order is None else order[start:end]
                yield _collate([self.dataset[int(i)] for i in indices])


def _collate(samples: list) -> tuple:
    first = samples[0]
    if not isinstance(first, (tuple, list)):
        return (Tensor(np.stack([_array(s) for s in samples])),)
    return tuple(Tensor(np.stack([_array(s[k]) for s in samples])) for k in range(len(first)))


def _array(value):
    return value.data if isinstance(value, Tensor) else np.asarray(value)
