"""Datasets, as ``torch.utils.data``'s: ``Dataset IterableDataset TensorDataset ConcatDataset
ChainDataset Subset`` and ``random_split``.

>>> import minigrad as mg, nn
>>> train, test = nn.data.random_split(range(10), [0.8, 0.2], generator=mg.Generator().manual_seed(0))
>>> len(train), len(test)
(8, 2)
"""
from __future__ import annotations

import bisect
import itertools
import math
import warnings

import minigrad as mg
from minigrad import Tensor
from minigrad.random import default_generator


class Dataset:
    """A map-style dataset: ``dataset[i]`` is one sample; most also define ``__len__``.
    ``a + b`` is ``ConcatDataset([a, b])``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"Subclasses of Dataset should implement __getitem__ "
                                  f"({type(self).__name__} does not).")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: ``iter(dataset)`` gives them.  With ``num_workers > 0`` each worker
    iterates its own copy of the whole dataset unless ``__iter__`` splits the work by
    ``get_worker_info()`` (as in PyTorch).  ``a + b`` is ``ChainDataset([a, b])``."""

    def __iter__(self):
        raise NotImplementedError(f"Subclasses of IterableDataset should implement __iter__ "
                                  f"({type(self).__name__} does not).")

    def __add__(self, other: Dataset) -> ChainDataset:
        return ChainDataset([self, other])


class _SizeMismatch(ValueError, AssertionError):
    """PyTorch asserts (AssertionError); minigrad said ValueError before: both catch it."""


class TensorDataset(Dataset):
    """Samples are the rows of the given tensors (all with the same first dimension):
    ``dataset[i]`` is ``tuple(t[i] for t in tensors)``."""

    def __init__(self, *tensors) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else mg.as_tensor(t) for t in tensors)
        n = self.tensors[0].shape[0] if self.tensors[0].ndim else None
        for i, t in enumerate(self.tensors):
            if t.ndim == 0 or t.shape[0] != n:
                raise _SizeMismatch(f"Size mismatch between tensors: TensorDataset needs every "
                                    f"tensor to have the same first dimension; tensor 0 has shape "
                                    f"{tuple(self.tensors[0].shape)}, tensor {i} has shape "
                                    f"{tuple(t.shape)}")

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class ConcatDataset(Dataset):
    """The datasets one after the other (``cumulative_sizes`` holds where each ends)."""

    def __init__(self, datasets) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        if which == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {idx} is out of range for a dataset of "
                             f"length {len(self)}")
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset):
    """Iterable datasets one after the other."""

    def __init__(self, datasets) -> None:
        self.datasets = datasets

    def __iter__(self):
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices) -> None:
        self.dataset, self.indices = dataset, indices

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __getitems__(self, indices: list) -> list:
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset, lengths, generator=default_generator) -> list[Subset]:
    """Split ``dataset`` into random non-overlapping ``Subset``s of the given ``lengths``, or of
    the given fractions (summing to 1: ``floor(n * fraction)`` each, the remainder handed out one
    by one from the first split on, as PyTorch)."""
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, fraction in enumerate(lengths):
            if fraction < 0 or fraction > 1:
                raise ValueError(f"Fraction at index {i} is not between 0 and 1")
            sizes.append(int(math.floor(n * fraction)))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
        for i, length in enumerate(lengths):
            if length == 0:
                warnings.warn(f"Length of split at index {i} is 0. This might result in an empty "
                              "dataset.", stacklevel=2)
    if sum(lengths) != n:
        raise ValueError(f"Sum of input lengths does not equal the length of the input dataset! "
                         f"(random_split: lengths {list(lengths)} sum to {sum(lengths)}, the "
                         f"dataset has {n} samples)")
    indices = mg.randperm(sum(lengths), generator=generator).tolist()
    return [Subset(dataset, indices[end - length:end])
            for end, length in zip(itertools.accumulate(lengths), lengths)]
