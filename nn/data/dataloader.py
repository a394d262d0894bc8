"""``DataLoader``, as ``torch.utils.data.DataLoader``: batches of a dataset, in this process or
in worker processes (``num_workers > 0``), in the same order either way.

>>> import minigrad as mg, nn
>>> data = nn.data.TensorDataset(mg.arange(10.0).reshape(5, 2), mg.arange(5))
>>> loader = nn.data.DataLoader(data, batch_size=2)
>>> len(loader), [tuple(x.shape) for x, y in loader]
(3, [(2, 2), (2, 2), (1, 2)])
"""
from __future__ import annotations

import multiprocessing

import numpy as np

from minigrad.random import Generator, numpy_generator

from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .loader_workers import MultiProcessIter
from .sampler import BatchSampler, RandomSampler, SequentialSampler, _InfiniteConstantSampler
from .worker import IterableFetcher, MapFetcher

_FIXED_AFTER_INIT = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                     "persistent_workers")


class DataLoader:
    """Mini-batches of ``dataset``, as PyTorch's DataLoader (same arguments and defaults).

    The order comes from ``sampler`` (``shuffle=True``: a ``RandomSampler`` drawing from
    ``generator``, an ``mg.Generator``, or minigrad's default generator) grouped by a
    ``BatchSampler`` of ``batch_size`` (``batch_size=None``: single samples, not batched), and
    ``collate_fn`` (``default_collate``) makes each batch.  ``num_workers > 0`` loads the batches
    in that many worker processes, ``prefetch_factor`` batches ahead each; the order is still
    decided here, so the batches are the same as with ``num_workers=0``.  ``pin_memory`` has no
    effect on the CPU, as in PyTorch.  ``seed=`` (minigrad's shorthand) is
    ``generator=mg.Generator().manual_seed(seed)``.
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler=None, batch_sampler=None, num_workers: int = 0, collate_fn=None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True, seed: int | None = None) -> None:
        _check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        if generator is None and seed is not None:
            generator = Generator().manual_seed(seed)
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(f"DataLoader: generator must be a minigrad Generator (mg.Generator()), "
                            f"got {type(generator).__module__}.{type(generator).__name__}")
        self.dataset, self.num_workers, self.timeout = dataset, num_workers, timeout
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None else prefetch_factor
        self.pin_memory, self.pin_memory_device, self.in_order = pin_memory, pin_memory_device, in_order
        self.worker_init_fn, self.generator = worker_init_fn, generator
        self._dataset_kind_iterable = isinstance(dataset, IterableDataset)
        sampler, batch_sampler, batch_size, drop_last = _samplers(
            dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, generator)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn, self.persistent_workers = collate_fn, persistent_workers
        self.multiprocessing_context = multiprocessing_context
        self._iterator, self._epochs_started = None, 0
        self.__initialized = True

    def __setattr__(self, name, value):
        if self.__dict__.get("_DataLoader__initialized") and name in _FIXED_AFTER_INIT:
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is "
                             "initialized")
        super().__setattr__(name, value)

    @property
    def multiprocessing_context(self):
        return self.__multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context) -> None:
        self.__multiprocessing_context = _checked_context(context, self.num_workers)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if self._dataset_kind_iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)

    def __iter__(self):
        if self.num_workers == 0:
            return SingleProcessIter(self)
        if not self.persistent_workers:
            return MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = MultiProcessIter(self)
        else:
            self._iterator.reset(self)
        return self._iterator

    def _fetcher(self):
        kind = IterableFetcher if self._dataset_kind_iterable else MapFetcher
        return kind(self.dataset, self._auto_collation, self.collate_fn, self.drop_last)

    def _base_seed(self) -> int:
        """The workers' seeds are ``base_seed + worker id``.  PyTorch draws ``base_seed`` from the
        generator; here it is derived from the generator's state (and a count of epochs) without
        drawing, so that the shuffling, and whatever else draws from that generator, is the same
        with and without workers, and as before workers existed."""
        self._epochs_started += 1
        words = numpy_generator(self.generator, "DataLoader").bit_generator.state["state"]
        entropy = [int(words["state"]), int(words["inc"]), self._epochs_started]
        return int(np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0] >> np.uint64(1))


def _check_workers(num_workers, timeout, prefetch_factor, persistent_workers) -> None:
    if not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                         f"multiprocessing. (got num_workers={num_workers!r})")
    if timeout < 0:
        raise ValueError(f"timeout option should be non-negative (got timeout={timeout!r})")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing.let "
                         "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                         "to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError(f"prefetch_factor option should be non-negative (got {prefetch_factor!r})")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _samplers(dataset, batch_size, shuffle, sampler, batch_sampler, drop_last, generator):
    """PyTorch's rules for how ``shuffle``, ``sampler``, ``batch_sampler``, ``batch_size`` and
    ``drop_last`` go together; returns the sampler, batch sampler, batch size and drop_last."""
    if isinstance(dataset, IterableDataset):
        if shuffle not in (None, False):
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                             f"but got shuffle={shuffle}")
        for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if value is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} "
                                 f"option, but got {name}={value}")
    elif shuffle not in (None, False) and sampler is not None:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                             "sampler, and drop_last")
        batch_size, drop_last = None, False
    elif batch_size is None and drop_last:
        raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                         "with drop_last")
    if sampler is None:
        if isinstance(dataset, IterableDataset):
            sampler = _InfiniteConstantSampler()
        elif shuffle:
            sampler = RandomSampler(dataset, generator=generator)
        else:
            sampler = SequentialSampler(dataset)
    if batch_size is not None and batch_sampler is None:
        batch_sampler = BatchSampler(sampler, batch_size, drop_last)
    return sampler, batch_sampler, batch_size, drop_last


def _checked_context(context, num_workers: int):
    if context is None:
        return None
    if num_workers == 0:
        raise ValueError("multiprocessing_context can only be used with multi-process loading "
                         f"(num_workers > 0), but got num_workers={num_workers}")
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(f"multiprocessing_context option should specify a valid start method "
                             f"in {methods!r}, but got multiprocessing_context={context!r}")
        return multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError("multiprocessing_context option should be a valid context object or a "
                        f"string specifying the start method, but got multiprocessing_context={context!r}")
    return context


class SingleProcessIter:
    """Batches fetched here, one at a time."""

    def __init__(self, loader: DataLoader) -> None:
        self._sampler_iter = iter(loader._index_sampler)
        self._fetcher = loader._fetcher()

    def __iter__(self):
        return self

    def __next__(self):
        index = next(self._sampler_iter)  # StopIteration ends the epoch
        return self._fetcher.fetch(index)
