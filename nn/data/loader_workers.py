"""The main process's side of a DataLoader with ``num_workers > 0``.

The sampler runs here: task ``k`` (the ``k``-th batch's indices) goes to the next active worker
in turn, ``prefetch_factor`` tasks per worker ahead, and the answers are handed out in task
order (``in_order=True``), so the batches are those of ``num_workers=0``.  Workers exit when the
epoch ends, when the iterator is dropped (``break``), or with the loader (persistent workers).
"""
from __future__ import annotations

import itertools
import multiprocessing
import queue

from .worker import STATUS_CHECK_INTERVAL, ExceptionWrapper, IterableStop, Resume, from_wire, worker_loop

_JOIN_TIMEOUT = 1.0  # then a worker still busy with an unwanted batch is terminated


class MultiProcessIter:
    """Batches loaded by worker processes (see the module's docstring)."""

    def __init__(self, loader) -> None:
        context = loader.multiprocessing_context or multiprocessing.get_context()
        self._num_workers, self._timeout = loader.num_workers, loader.timeout
        self._prefetch, self._in_order = loader.prefetch_factor, loader.in_order
        self._persistent = loader.persistent_workers
        config = {"dataset": loader.dataset, "iterable": loader._dataset_kind_iterable,
                  "auto_collation": loader._auto_collation, "collate_fn": loader.collate_fn,
                  "drop_last": loader.drop_last, "base_seed": loader._base_seed(),
                  "num_workers": loader.num_workers, "worker_init_fn": loader.worker_init_fn}
        self._shut = False
        self._data_queue, self._done_event = context.Queue(), context.Event()
        self._index_queues, self._workers = [], []
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()  # tasks left unsent at shutdown are not wanted
            worker = context.Process(target=worker_loop, daemon=True, args=(
                config, index_queue, self._data_queue, self._done_event, worker_id))
            worker.start()
            self._index_queues.append(index_queue)
            self._workers.append(worker)
        self.reset(loader, first=True)

    def reset(self, loader, first: bool = False) -> None:
        """Start an epoch: a new pass of the sampler; persistent workers restart theirs."""
        self._sampler_iter = iter(loader._index_sampler)
        self._send_idx = self._rcvd_idx = self._outstanding = 0
        self._tasks = {}  # task number -> [worker id] or [worker id, answer]
        self._active = [True] * self._num_workers
        self._cycle = itertools.cycle(range(self._num_workers))
        if not first:
            for index_queue in self._index_queues:
                index_queue.put(Resume())
            waiting = self._num_workers
            while waiting:  # what the last epoch left in the pipe comes first: drop it
                number, _ = self._get()
                waiting -= isinstance(number, Resume)
        for _ in range(self._prefetch * self._num_workers):
            self._put_task()

    def __iter__(self):
        return self

    def _put_task(self) -> None:
        if self._outstanding >= self._prefetch * self._num_workers:
            return
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker = next(self._cycle)
            if self._active[worker]:
                break
        else:
            return
        if isinstance(index, list):
            index = [int(i) if hasattr(i, "__index__") else i for i in index]
        self._index_queues[worker].put((self._send_idx, index))
        self._tasks[self._send_idx] = [worker]
        self._outstanding += 1
        self._send_idx += 1

    def __next__(self):
        while True:
            if not self._skip_to_next_task():
                if not self._persistent:
                    self._shutdown()
                raise StopIteration
            task = self._tasks[self._rcvd_idx]
            if len(task) == 2:  # its answer came earlier, out of order
                del self._tasks[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._handed_out(task[1])
            number, data = self._get()
            self._outstanding -= 1
            if isinstance(data, IterableStop):
                self._active[data.worker_id] = False
                self._put_task()
                continue
            if number == self._rcvd_idx:
                del self._tasks[number]
                self._rcvd_idx += 1
                return self._handed_out(data)
            if self._in_order:
                self._tasks[number].append(data)
            else:
                del self._tasks[number]
                return self._handed_out(data)

    def _skip_to_next_task(self) -> bool:
        """Move past tasks answered already (out of order) or lost with an exhausted worker;
        False when no task is left."""
        while self._rcvd_idx < self._send_idx:
            task = self._tasks.get(self._rcvd_idx)
            if task is not None and (len(task) == 2 or self._active[task[0]]):
                return True
            self._tasks.pop(self._rcvd_idx, None)
            self._rcvd_idx += 1
        return False

    def _handed_out(self, data):
        self._put_task()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return from_wire(data)

    def _get(self):
        """The next answer from the workers; RuntimeError after ``timeout`` seconds, or when a
        worker died."""
        wait = self._timeout if self._timeout > 0 else STATUS_CHECK_INTERVAL
        while True:
            try:
                return self._data_queue.get(timeout=wait)
            except queue.Empty:
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) "
                                       "exited unexpectedly") from None
                if self._timeout > 0:
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None

    def _shutdown(self) -> None:
        if self._shut:
            return
        self._shut = True
        self._done_event.set()
        for index_queue in self._index_queues:
            index_queue.put(None)
        for worker in self._workers:
            worker.join(timeout=_JOIN_TIMEOUT)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        for index_queue in self._index_queues:
            index_queue.close()
        self._data_queue.cancel_join_thread()
        self._data_queue.close()

    def __del__(self):
        if getattr(self, "_workers", None) is not None and not getattr(self, "_shut", True):
            self._shutdown()
