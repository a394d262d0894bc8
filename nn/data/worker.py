"""What runs inside a DataLoader worker process, and what both sides of the pipe share.

A worker reads ``(task, indices)`` from its own index queue, fetches and collates that batch,
and puts ``(task, batch)`` on the loader's result queue; ``None`` tells it to exit.  Tensors
cross the pipe as numpy arrays (``to_wire`` / ``from_wire``); an exception travels as an
``ExceptionWrapper`` holding the worker's traceback text, re-raised in the main process.
"""
from __future__ import annotations

import os
import queue
import random
import sys
import traceback

import numpy as np

import minigrad as mg
from minigrad import Tensor

STATUS_CHECK_INTERVAL = 5.0  # seconds between checks that the other side is still alive

_worker_info = None  # this process's WorkerInfo, in a worker


class WorkerInfo:
    """``id``, ``num_workers``, ``seed`` and ``dataset`` (this worker's copy) of a worker."""

    __initialized = False

    def __init__(self, **kwargs) -> None:
        for key, value in kwargs.items():
            setattr(self, key, value)
        self.__keys = tuple(kwargs)
        self.__initialized = True

    def __setattr__(self, key, value):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {type(self).__name__} objects")
        return super().__setattr__(key, value)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{type(self).__name__}({fields})"


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker: its ``WorkerInfo`` (``id``, ``num_workers``, ``seed``,
    ``dataset``), e.g. for an IterableDataset to read only its share; None in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, with the worker's traceback as text."""

    def __init__(self, where: str) -> None:
        exc_type, exc_value = sys.exc_info()[:2]
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc_value, exc_value.__traceback__))
        self.where = where

    def reraise(self):
        """Raise the worker's exception type again, its message holding the worker's traceback
        (a RuntimeError when the type cannot be built from one message, as PyTorch)."""
        raise self._rebuilt()  # no local holds it: no cycle keeps the loader's frames alive

    def _rebuilt(self) -> Exception:
        message = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:  # KeyError shows its message quoted: keep it readable
            message = _KeyErrorMessage(message)
        try:
            return self.exc_type(message)
        except Exception:
            return RuntimeError(message)


class _KeyErrorMessage(str):
    def __repr__(self):
        return self


class IterableStop:
    """A worker's answer when its iterable dataset is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class Resume:
    """Sent to persistent workers at a new epoch; echoed back once the worker has restarted."""


class MapFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.dataset, self.auto_collation = dataset, auto_collation
        self.collate_fn, self.drop_last = collate_fn, drop_last

    def fetch(self, index):
        from .collate import default_collate
        from .dataset import Subset, TensorDataset
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.collate_fn is default_collate:
            fast = _rows_of_tensor_dataset(self.dataset, index, Subset, TensorDataset)
            if fast is not None:
                return fast
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.collate_fn(self.dataset.__getitems__(index))
        return self.collate_fn([self.dataset[i] for i in index])


def _rows_of_tensor_dataset(dataset, index: list, subset_type, tensor_type):
    """The batch of a TensorDataset (or a Subset of one) indexed at once, as default_collate
    would stack it; None for other datasets and tensors that require grad."""
    while type(dataset) is subset_type:
        index = [dataset.indices[i] for i in index]
        dataset = dataset.dataset
    if type(dataset) is not tensor_type or any(t.requires_grad for t in dataset.tensors):
        return None
    n = len(dataset)
    rows = np.asarray(index, dtype=np.int64)
    bad = (rows < -n) | (rows >= n)
    if bad.any():
        raise IndexError(f"index {int(rows[bad][0])} is out of bounds for dimension 0 with size {n}")
    return [mg.as_tensor(t.data[rows]) for t in dataset.tensors]


class IterableFetcher:
    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool) -> None:
        self.iterator = iter(dataset)
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        samples = []
        for _ in index:
            try:
                samples.append(next(self.iterator))
            except StopIteration:
                self.ended = True
                break
        if not samples or (self.drop_last and len(samples) < len(index)):
            raise StopIteration
        return self.collate_fn(samples)


class _WireTensor:
    __slots__ = ("array",)

    def __init__(self, array) -> None:
        self.array = array


def to_wire(data):
    """``data`` with each Tensor (in dicts, lists, tuples) replaced by its numpy array."""
    if isinstance(data, Tensor):
        return _WireTensor(np.ascontiguousarray(data.data))
    return _map_structure(data, to_wire)


def from_wire(data):
    if isinstance(data, _WireTensor):
        return mg.as_tensor(data.array)
    return _map_structure(data, from_wire)


def _map_structure(data, fn):
    kind = type(data)
    if kind is dict:
        return {key: fn(value) for key, value in data.items()}
    if kind is list:
        return [fn(value) for value in data]
    if kind is tuple:
        return tuple(fn(value) for value in data)
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return kind(*(fn(value) for value in data))
    return data


def worker_loop(config: dict, index_queue, data_queue, done_event, worker_id: int) -> None:
    """A worker's life: seed, run ``worker_init_fn``, then answer tasks until told to exit."""
    global _worker_info
    parent, failure = os.getppid(), None
    try:
        seed = config["base_seed"] + worker_id
        random.seed(seed)
        mg.manual_seed(seed)
        np.random.seed(np.random.SeedSequence([worker_id, config["base_seed"]]).generate_state(4))
        _worker_info = WorkerInfo(id=worker_id, num_workers=config["num_workers"], seed=seed,
                                  dataset=config["dataset"])
        if config["worker_init_fn"] is not None:
            config["worker_init_fn"](worker_id)
        fetcher = _new_fetcher(config)
    except Exception:
        failure = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
    try:
        _answer_tasks(config, None if failure else fetcher, failure, index_queue, data_queue,
                      done_event, worker_id, parent)
    except KeyboardInterrupt:
        pass  # the main process handles it
    if done_event.is_set():  # what is left in the pipe is not wanted: do not wait to flush it
        data_queue.cancel_join_thread()
        data_queue.close()


def _new_fetcher(config: dict):
    kind = IterableFetcher if config["iterable"] else MapFetcher
    return kind(config["dataset"], config["auto_collation"], config["collate_fn"], config["drop_last"])


def _answer_tasks(config, fetcher, failure, index_queue, data_queue, done_event, worker_id, parent):
    exhausted = False
    while True:
        try:
            task = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
        except queue.Empty:
            if os.getppid() != parent:  # the main process is gone
                return
            continue
        if task is None:
            return
        if isinstance(task, Resume):
            exhausted = False
            if fetcher is not None and config["iterable"]:
                try:
                    fetcher = _new_fetcher(config)
                except Exception:
                    fetcher, failure = None, ExceptionWrapper(f"in DataLoader worker process {worker_id}")
            data_queue.put((task, None))
            continue
        if done_event.is_set() or exhausted:
            continue
        number, index = task
        if fetcher is None:  # worker_init_fn or iter(dataset) failed: every answer says so
            data = failure
        else:
            try:
                data = to_wire(fetcher.fetch(index))
            except StopIteration:
                if not config["iterable"]:
                    raise
                data, exhausted = IterableStop(worker_id), True
            except Exception:
                data = ExceptionWrapper(f"in DataLoader worker process {worker_id}")
        data_queue.put((number, data))
        del data
