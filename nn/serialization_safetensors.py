"""The default format of ``mg.save`` / ``nn.save``: safetensors, with the structure as JSON.

A checkpoint is whatever a training script saves: a state_dict, an optimizer's or a scheduler's
state_dict, and dicts, lists and tuples of those with numbers, strings, bools and None. Its
tensors go into a safetensors file (https://github.com/huggingface/safetensors: a JSON header,
then the raw bytes; no code is ever run to read it), each under a readable name: a state_dict's
own keys at the top level (so ``safetensors.torch.load_file`` + ``load_state_dict`` loads a
minigrad model's weights into the same-named PyTorch module), ``model.0.weight`` or
``optimizer.state.0.exp_avg`` deeper down. Everything else goes into the header's metadata as
one JSON document (the *structure*), in which every container and tensor is a tagged object:

    {"$odict": [[key, value], ...]}   an OrderedDict (keys keep their types: 0 stays an int)
    {"$dict": [[key, value], ...]}    a dict
    {"$tuple": [...]}                 a tuple (a JSON list is a list)
    {"$float": "nan" | "inf" | "-inf"}  a float JSON cannot write (others are JSON numbers)
    {"$tensor": name}                 a Tensor (also "$parameter", "$ndarray", "$scalar": an
                                      nn.Parameter, a numpy array, a numpy scalar), with
                                      "same_as": an earlier name whose memory it shares

so that what ``load`` returns has the types and values that were saved: a tuple stays a tuple,
an int an int, a float a float, and two names of one tied weight share memory again. A second
metadata entry holds the CRC-32 of the structure and of every tensor's bytes (safetensors has
no checksum of its own), so a damaged file raises instead of loading different numbers.
"""
from __future__ import annotations

import json
import math
import zlib
from collections import OrderedDict

import numpy as np

from minigrad import Tensor

from .module import Parameter

STRUCTURE_KEY = "minigrad.structure"  # the metadata entry holding the JSON structure
CHECKSUM_KEY = "minigrad.crc32"  # the CRC-32 of the structure and the tensors' bytes
VERSION = 1
# The dtypes safetensors stores (complex has no safetensors name that PyTorch reads).
_STORABLE_KINDS = "biuf"
_KEY_TYPES = (str, int, float, bool, type(None), tuple)


class StructureError(ValueError):
    """What is wrong in a file's structure (turned into a CheckpointError naming the file)."""


# -- saving --------------------------------------------------------------------------------------
class _Encoder:
    """Walks the object to save once: the JSON structure, and name -> array for the tensors."""

    def __init__(self) -> None:
        self.arrays: dict = {}
        self.views: dict = {}  # (address, shape, strides, dtype) -> the first name of that memory
        self.objects: dict = {}  # id of a saved tensor object -> its name (the same object twice)
        self.keep_alive: list = []  # ids stay unique only while the objects live

    def encode(self, value, path: str):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)  # an IntEnum or a subclass is saved as its number
        if isinstance(value, float):
            return float(value) if math.isfinite(value) else {"$float": repr(float(value))}
        if isinstance(value, (Tensor, np.ndarray, np.generic)):
            return self.encode_array(value, path)
        if isinstance(value, (list, tuple)) and type(value) in (list, tuple):
            items = [self.encode(item, _join(path, str(i))) for i, item in enumerate(value)]
            return items if isinstance(value, list) else {"$tuple": items}
        if type(value) in (dict, OrderedDict):
            pairs = [[self.encode_key(key, path), self.encode(item, _join(path, _key_text(key)))]
                     for key, item in value.items()]
            return {"$odict" if isinstance(value, OrderedDict) else "$dict": pairs}
        raise TypeError(f"save: cannot save the {type(value).__name__} at {path or 'the top'!r}: a "
                        "checkpoint holds tensors, numpy arrays, numbers, strings, bools, None, and "
                        "dicts, lists and tuples of those (no pickle, so no other objects)")

    def encode_key(self, key, path: str):
        if not isinstance(key, _KEY_TYPES) or isinstance(key, tuple) and not all(
                isinstance(part, _KEY_TYPES) for part in key):
            raise TypeError(f"save: the dict key {key!r} at {path or 'the top'!r} is a "
                            f"{type(key).__name__}; keys must be strings, numbers, bools, None or tuples")
        return self.encode(key, path)

    def encode_array(self, value, path: str) -> dict:
        tag = _array_tag(value)
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.kind not in _STORABLE_KINDS:
            raise TypeError(f"save: the {tag[1:]} at {path!r} has dtype {array.dtype}, which the "
                            "safetensors format cannot hold; save to a path ending in .npz instead")
        name = self.unique_name(path)
        entry = {tag: name}
        if isinstance(value, Tensor) and value.requires_grad and tag == "$tensor":
            entry["requires_grad"] = True
        view = (array.__array_interface__["data"][0], array.shape, array.strides, array.dtype.str)
        if array.size and view in self.views:  # a tied weight: one memory under two names
            entry["same_as"] = self.views[view]
            if self.objects.get(id(value)) == self.views[view]:
                entry["same_object"] = True
        else:
            self.views[view] = name
        self.objects.setdefault(id(value), name)
        self.keep_alive.append(value)
        # both names are written (PyTorch's load_file must see every key); little-endian, C order
        self.arrays[name] = np.asarray(array, dtype=array.dtype.newbyteorder("<"), order="C")
        return entry

    def unique_name(self, path: str) -> str:
        name, n = path or "tensor", 1
        while name in self.arrays or name == "__metadata__":
            name, n = f"{path or 'tensor'}#{n}", n + 1
        return name


def _array_tag(value) -> str:
    if isinstance(value, Tensor):
        return "$parameter" if type(value) is Parameter else "$tensor"
    return "$scalar" if isinstance(value, np.generic) else "$ndarray"


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def _key_text(key) -> str:
    return ".".join(map(str, key)) if isinstance(key, tuple) else str(key)


def to_bytes(obj) -> bytes:
    """The whole safetensors file for ``obj``, built in memory (every value checked first)."""
    from safetensors.numpy import save as safetensors_save

    encoder = _Encoder()
    structure = encoder.encode(obj, "")
    # safetensors has no checksum of its own: without one, a flipped bit in a weight or in the
    # structure would load as a silently different number or name.
    document = json.dumps({"version": VERSION, "root": structure}, allow_nan=False,
                          ensure_ascii=False, separators=(",", ":"))
    metadata = {"format": "pt", STRUCTURE_KEY: document,
                CHECKSUM_KEY: f"{_crc32(document, encoder.arrays):08x}"}
    return safetensors_save(encoder.arrays, metadata=metadata)


def _crc32(document: str, arrays: dict) -> int:
    """The CRC-32 of the structure, then of every tensor's name and little-endian bytes in the
    order of the names."""
    checksum = zlib.crc32(document.encode())
    for name in sorted(arrays):
        array = np.asarray(arrays[name], dtype=arrays[name].dtype.newbyteorder("<"), order="C")
        checksum = zlib.crc32(name.encode(), checksum)
        checksum = zlib.crc32(array.reshape(-1).view(np.uint8) if array.size else b"", checksum)
    return checksum


# -- loading -------------------------------------------------------------------------------------
def from_bytes(data: bytes):
    """What :func:`to_bytes` was given, or (a file another program wrote) an OrderedDict name ->
    Tensor. Raises StructureError, or safetensors' own error for a malformed file."""
    from safetensors.numpy import load as safetensors_load

    arrays = safetensors_load(data)  # checks the header, the offsets, that the bytes are all used
    metadata = _header_metadata(data)
    if STRUCTURE_KEY not in metadata:  # written by PyTorch (save_file) or another tool
        for key, value in metadata.items():
            if value.startswith('{"version":') or key.startswith("minigrad."):  # ours, damaged
                raise StructureError(f"its metadata key {key!r} looks like a damaged part of "
                                     f"minigrad's own ({STRUCTURE_KEY!r}, {CHECKSUM_KEY!r})")
        return OrderedDict((name, Tensor(np.array(arrays[name]))) for name in sorted(arrays))
    if metadata.get(CHECKSUM_KEY) != f"{_crc32(metadata[STRUCTURE_KEY], arrays):08x}":
        raise StructureError(f"the CRC-32 of its structure and tensors is not the {CHECKSUM_KEY} "
                             "saved with them: the file is damaged")
    try:
        document = json.loads(metadata[STRUCTURE_KEY], parse_constant=_refuse_constant)
    except ValueError as error:
        raise StructureError(f"its structure is not valid JSON ({error})") from None
    if not isinstance(document, dict) or document.get("version") != VERSION or "root" not in document:
        raise StructureError(f"its structure is not version {VERSION} of minigrad's format")
    decoder = _Decoder(arrays)
    result = decoder.decode(document["root"])
    unused = set(arrays) - decoder.used
    if unused:
        raise StructureError(f"it holds tensors its structure never mentions: {sorted(unused)[:5]}")
    return result


def _header_metadata(data: bytes) -> dict:
    """The ``__metadata__`` of a safetensors header that safetensors has already validated."""
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + size])
    metadata = header.get("__metadata__") or {}
    return metadata


def _refuse_constant(name: str):
    raise StructureError(f"its structure holds {name}, which minigrad never writes")


class _Decoder:
    def __init__(self, arrays: dict) -> None:
        self.arrays = arrays
        self.used: set = set()
        self.decoded: dict = {}  # name -> (array, object, tag) of the tensors decoded so far

    def decode(self, node):
        if node is None or isinstance(node, (bool, str, int, float)):
            return node
        if isinstance(node, list):
            return [self.decode(item) for item in node]
        if not isinstance(node, dict) or not node:
            raise StructureError(f"its structure holds {node!r}, which is no value minigrad writes")
        tag = next(iter(node))
        if tag == "$tuple" and len(node) == 1 and isinstance(node[tag], list):
            return tuple(self.decode(item) for item in node[tag])
        if tag in ("$dict", "$odict") and len(node) == 1 and isinstance(node[tag], list):
            return self.decode_dict(node[tag], OrderedDict if tag == "$odict" else dict)
        if tag == "$float" and len(node) == 1 and node[tag] in ("nan", "inf", "-inf"):
            return float(node[tag])
        if tag in ("$tensor", "$parameter", "$ndarray", "$scalar"):
            return self.decode_array(node, tag)
        raise StructureError(f"its structure holds the unknown entry {json.dumps(node)[:80]}")

    def decode_dict(self, pairs: list, kind):
        result = kind()
        for pair in pairs:
            if not isinstance(pair, list) or len(pair) != 2:
                raise StructureError(f"a dict entry of its structure is {pair!r}, not [key, value]")
            key = self.decode(pair[0])
            try:
                if key in result:
                    raise StructureError(f"its structure holds the dict key {key!r} twice")
            except TypeError:  # a list or a dict as a key: never written by save
                raise StructureError(f"its structure holds the unhashable dict key {key!r}") from None
            result[key] = self.decode(pair[1])
        return result

    def decode_array(self, node: dict, tag: str):
        name = node[tag]
        extra = set(node) - {tag, "requires_grad", "same_as", "same_object"}
        if not isinstance(name, str) or name not in self.arrays or name in self.used or extra:
            raise StructureError(f"its structure names the tensor {name!r}, which the file does not "
                                 "hold (or names it twice)")
        self.used.add(name)
        array = np.array(self.arrays[name])  # a writable copy in this machine's byte order
        array = array.astype(array.dtype.newbyteorder("="), copy=False)
        shared = node.get("same_as")
        if shared is not None:
            if shared not in self.decoded or not np.array_equal(self.decoded[shared][0], array,
                                                                  equal_nan=array.dtype.kind == "f"):
                raise StructureError(f"its tensor {name!r} is said to share the memory of "
                                     f"{shared!r}, but their values differ")
            array, first, first_tag = self.decoded[shared]
            if node.get("same_object") is True and first_tag == tag:
                self.decoded[name] = (array, first, tag)
                return first
        value = self.make(tag, array, node.get("requires_grad") is True)
        self.decoded[name] = (array, value, tag)
        return value

    @staticmethod
    def make(tag: str, array, requires_grad: bool):
        if tag == "$ndarray":
            return array
        if tag == "$scalar":
            if array.ndim != 0:
                raise StructureError(f"its numpy scalar has the shape {array.shape}")
            return array[()]
        if tag == "$parameter":
            return Parameter(array)
        return Tensor(array, requires_grad=requires_grad)
