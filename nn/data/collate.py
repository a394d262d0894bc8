"""``default_collate`` and ``default_convert``: samples into a batch, as ``torch.utils.data``'s.

``default_collate`` turns a list of samples into one batch of the same structure: tensors and
numpy arrays are stacked along a new first dimension, Python floats become a float64 tensor,
ints an int64 tensor, bools a bool tensor, strings stay a list, and dicts, tuples, named tuples
and lists are collated field by field (a tuple becomes a list, as in PyTorch).

>>> import minigrad as mg, nn
>>> batch = nn.data.default_collate([{"x": mg.ones(2), "y": 1}, {"x": mg.zeros(2), "y": 0}])
>>> tuple(batch["x"].shape), batch["y"].tolist()
((2, 2), [1, 0])
"""
from __future__ import annotations

import collections.abc
import copy
import re

import numpy as np

import minigrad as mg
from minigrad import Tensor

_CANNOT_BATCH = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                 "lists; found {}")
_STRING_OR_OBJECT = re.compile(r"[SaUO]")  # numpy dtype codes that cannot become a tensor


def default_collate(batch):
    """A list of samples as one batch (see the module's docstring)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_tensors(batch)
    if _is_numpy(elem):
        if isinstance(elem, np.ndarray):
            if _STRING_OR_OBJECT.search(elem.dtype.str) is not None:
                raise TypeError(_CANNOT_BATCH.format(elem.dtype))
            return _stack_tensors([mg.as_tensor(b) for b in batch])
        if elem.shape == ():  # a numpy scalar keeps its dtype
            return mg.as_tensor(np.array(batch))
    if isinstance(elem, float):
        return mg.tensor(batch, dtype=mg.float64)
    if isinstance(elem, int):  # bools too: a bool tensor, as torch.tensor([True, False])
        return mg.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size "
                               f"(default_collate: got lengths {[len(s) for s in batch]}); pad "
                               "them or give the DataLoader a collate_fn")
        collated = [default_collate(samples) for samples in zip(*batch)]
        return collated if isinstance(elem, tuple) else _rebuild_sequence(elem, collated)
    raise TypeError(_CANNOT_BATCH.format(type(elem)))


def default_convert(data):
    """One sample (no batching) with its numpy arrays and numbers made tensors, as PyTorch's
    ``default_convert`` (what a DataLoader with ``batch_size=None`` applies)."""
    if isinstance(data, Tensor):
        return data
    if _is_numpy(data):
        if isinstance(data, np.ndarray) and _STRING_OR_OBJECT.search(data.dtype.str) is not None:
            return data
        return mg.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _is_numpy(value) -> bool:
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ not in ("str_", "bytes_", "string_")


def _stack_tensors(batch: list) -> Tensor:
    shape = batch[0].shape
    for i, t in enumerate(batch):
        if t.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} "
                               f"at entry 0 and {list(t.shape)} at entry {i} (default_collate: "
                               "pad the samples, e.g. with nn.utils.rnn.pad_sequence in a "
                               "collate_fn, or make them one size)")
    return mg.stack(list(batch), 0)


def _rebuild_mapping(elem, values: dict):
    """``values`` in a mapping of ``elem``'s type when that type can be rebuilt, else a dict."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        return type(elem)(values)
    except TypeError:
        return values


def _rebuild_sequence(elem, values: list):
    try:
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(elem)(values)
    except TypeError:
        return values
