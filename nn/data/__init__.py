"""Datasets, samplers and mini-batches, as ``torch.utils.data`` (also ``minigrad.utils.data``:
the same module, so ``torch.utils.data.DataLoader`` works after ``import minigrad as torch``).

>>> import minigrad as mg, nn
>>> data = nn.data.TensorDataset(mg.arange(10.0).reshape(5, 2), mg.arange(5))
>>> loader = nn.data.DataLoader(data, batch_size=2)
>>> len(loader), [tuple(x.shape) for x, y in loader]
(3, [(2, 2), (2, 2), (1, 2)])

``DistributedSampler`` is left out: minigrad runs in one process on one machine.
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .worker import WorkerInfo, get_worker_info

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "ChainDataset", "Subset",
    "random_split", "get_worker_info", "WorkerInfo", "default_collate", "default_convert",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
    "WeightedRandomSampler", "BatchSampler", "DataLoader",
]
