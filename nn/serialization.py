"""``nn.save`` / ``nn.load``: a state_dict as a numpy ``.npz`` file, never a pickle.

The file's keys are exactly the state_dict names, so ``numpy.load(path)`` reads it too.
"""
from __future__ import annotations

import os
import zipfile
from collections import OrderedDict

import numpy as np

from minigrad import Tensor


def save(state_dict, path) -> None:
    """Write ``state_dict`` (name -> tensor or array) to ``path`` as an ``.npz`` archive.

    >>> import tempfile, os, nn
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> nn.save(nn.Linear(2, 1).state_dict(), path)
    >>> sorted(nn.load(path))
    ['bias', 'weight']
    """
    arrays = OrderedDict()
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"nn.save: state_dict keys must be strings, got {key!r}")
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype == object:
            raise TypeError(f"nn.save: value of {key!r} is not numeric (dtype object); only "
                            "tensors and numeric arrays can be saved")
        arrays[key] = array
    with open(os.fspath(path), "wb") as f:  # a file object: numpy adds no '.npz' to the name
        np.savez(f, **arrays)


def load(path) -> OrderedDict:
    """Read a file written by :func:`save`: an ordered dict name -> Tensor."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"nn.load: no such file {path!r}")
    try:
        archive = np.load(path, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not an archive of named arrays")
        with archive:
            return OrderedDict((key, Tensor(archive[key])) for key in archive.files)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise ValueError(f"nn.load: {path!r} is not a state_dict saved by nn.save (a numpy .npz "
                         f"archive); it may be truncated or another format: {error}") from None
