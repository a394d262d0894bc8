"""``mg.save`` / ``mg.load`` (also ``nn.save`` / ``nn.load``): checkpoints without pickle.

Two formats, told apart on loading by the file's first bytes, never by its name:

- **safetensors** (any path not ending in ``.npz``): a state_dict, an optimizer's or a
  scheduler's state_dict, or dicts, lists and tuples of those with numbers, strings, bools and
  None, such as ``{'model': ..., 'optimizer': ..., 'epoch': 3}``. The tensors are a safetensors
  file (PyTorch reads a saved state_dict with ``safetensors.torch.load_file``), the rest is
  JSON in its metadata; see ``nn/serialization_safetensors.py``. Files that PyTorch writes with
  ``safetensors.torch.save_file`` load too, as an OrderedDict name -> Tensor.
- **npz** (a path ending in ``.npz``): one flat state_dict as a numpy ``.npz`` archive whose
  keys are exactly the state_dict's names, so ``numpy.load(path)`` reads it too.

Two promises make a checkpoint safe to rely on, in both formats:

- a save is all or nothing: the file is written to a new file in the same folder, synced, and
  renamed over the old one only once complete, so a save killed half-way (Ctrl-C, a full disk,
  a kill) leaves the previous checkpoint exactly as it was;
- a load returns exactly what was saved or raises :class:`CheckpointError` naming the file: a
  truncated or corrupt file, a member that is not a numeric array, anything save did not
  write. Nothing is ever unpickled.
"""
from __future__ import annotations

import math
import os
import secrets
import struct
import tokenize
import zipfile
import zlib
from collections import OrderedDict

import numpy as np

from minigrad import Tensor

from . import serialization_safetensors as safetensors_format


class CheckpointError(ValueError, RuntimeError):
    """The file given to :func:`load` is not a checkpoint that :func:`save` could have written.

    A ``RuntimeError``, as what ``torch.load`` raises for a corrupt or truncated file
    ("PytorchStreamReader failed reading zip archive"), so code written for PyTorch catches it;
    and a ``ValueError``, as nn.load raised before this class existed, so older code does too.
    """


# bool, signed and unsigned integers, floats, complex: what a tensor can hold. Strings, objects
# (which numpy can only store as a pickle) and structured records are refused both ways.
_NUMERIC_KINDS = "biufc"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip archive's first record (or an empty one's end)


def save(obj, f) -> None:
    """Write ``obj`` to the path ``f``, as ``torch.save``: a safetensors file, or an ``.npz``
    archive when ``f`` ends in ``.npz`` (then ``obj`` must be one flat state_dict).

    The old file at ``f``, if any, is replaced only once the new one is completely written.

    >>> import tempfile, os, minigrad as mg, nn
    >>> folder = tempfile.mkdtemp()
    >>> model = nn.Linear(2, 1)
    >>> optimizer = nn.optim.Adam(model.parameters())
    >>> mg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3},
    ...         os.path.join(folder, "checkpoint.pt"))
    >>> checkpoint = mg.load(os.path.join(folder, "checkpoint.pt"))
    >>> sorted(checkpoint["model"]), checkpoint["epoch"]
    (['bias', 'weight'], 3)
    >>> nn.save(model.state_dict(), os.path.join(folder, "model.npz"))  # numpy's format
    >>> sorted(nn.load(os.path.join(folder, "model.npz")))
    ['bias', 'weight']
    """
    path = _path_of(f, "save")
    if path.lower().endswith(".npz"):
        if not isinstance(obj, dict):
            raise TypeError(f"save: a .npz file holds one flat state_dict (name -> tensor), got a "
                            f"{type(obj).__name__}; save other checkpoints to a path not ending "
                            "in .npz (safetensors), e.g. checkpoint.pt")
        arrays = _arrays_to_save(obj)
        _write_atomically(path, lambda file: _write_archive(file, arrays))
        return
    data = safetensors_format.to_bytes(obj)  # every value checked before a file is touched
    _write_atomically(path, lambda file: file.write(data))


def _path_of(f, who: str) -> str:
    if isinstance(f, (str, os.PathLike)):
        return os.fspath(f)
    raise TypeError(f"{who}: give a file path (str or pathlib.Path), got a {type(f).__name__}")


def _arrays_to_save(state_dict) -> OrderedDict:
    """Name -> numpy array, every name and value checked before the first byte is written."""
    arrays = OrderedDict()
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save: a .npz state_dict's keys must be strings, got {key!r}")
        if "\0" in key:  # zip ends a member's name at a NUL byte: two keys could collide
            raise ValueError(f"save: the key {key!r} contains a NUL character")
        if not isinstance(value, (Tensor, np.ndarray, np.generic, int, float, bool)):
            raise TypeError(f"save: the value of {key!r} is a {type(value).__name__}; a .npz file "
                            "holds one flat state_dict of tensors and arrays (save nested "
                            "checkpoints to a path not ending in .npz)")
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(f"save: value of {key!r} is not numeric (dtype {array.dtype}); only "
                            "tensors and numeric arrays can be saved")
        arrays[key] = array
    return arrays


def _write_archive(file, arrays) -> None:
    """The members numpy.savez would write, one ``name.npy`` per array, uncompressed.

    Written with zipfile directly rather than through ``np.savez(file, **arrays)``, whose own
    parameters (``file``, ``allow_pickle``) would collide with keys of those names.
    """
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for key, array in arrays.items():
            # force_zip64: the member's size is not known before it is written (numpy does the same)
            with archive.open(key + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _write_atomically(path: str, write) -> None:
    """Call ``write(file)`` on a new file that takes the place of ``path`` once it is complete.

    Readers of ``path`` see the old file or the new one, never a part of the new one: the rename
    (``os.replace``) is atomic on every platform Python runs on.
    """
    path = os.path.realpath(path)  # a symlinked checkpoint: replace its target, keep the link
    folder = os.path.dirname(path)
    fd, temp_name = _open_new_file(folder, path)
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())  # the bytes reach the disk before a name points at them
            if temp_name is None:
                temp_name = _name_unnamed_file(file.fileno(), path)
        os.replace(temp_name, path)
    except BaseException:  # KeyboardInterrupt too: the half-written file must not stay behind
        if temp_name is not None and os.path.exists(temp_name):
            os.remove(temp_name)
        raise
    _sync_folder(folder)


def _temporary_name(path: str) -> str:
    """A hidden name beside ``path`` that no other save (thread or process) will pick."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _open_new_file(folder: str, path: str) -> tuple:
    """A new file in ``folder`` open for writing, as ``(fd, name)``.

    On Linux the file has no name at all while it is written (``O_TMPFILE``), so even a
    process killed by SIGKILL half-way leaves nothing behind: the kernel frees the unnamed file.
    Elsewhere (or on a filesystem without unnamed files) it gets a hidden temporary name, which
    a save that fails by an exception removes.
    """
    if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd"):
        try:
            return os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o666), None  # 0o666: umask applies
        except OSError:  # the filesystem cannot; a real problem (no folder) shows again below
            pass
    temp_name = _temporary_name(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    return os.open(temp_name, flags, 0o666), temp_name


def _name_unnamed_file(fd: int, path: str) -> str:
    """Give the complete ``O_TMPFILE`` file ``fd`` a temporary name beside ``path``.

    Linux cannot rename an unnamed file over an existing one, only link it to a new name (the
    recipe of ``man 2 open``); the rename that follows is atomic. Between the two, for a few
    microseconds, a SIGKILL would leave this (complete) temporary file behind.
    """
    temp_name = _temporary_name(path)
    proc_fds = os.open("/proc/self/fd", os.O_RDONLY)
    try:
        # with a folder fd, os.link calls linkat(AT_SYMLINK_FOLLOW): the link reaches the file
        os.link(str(fd), temp_name, src_dir_fd=proc_fds)
    finally:
        os.close(proc_fds)
    return temp_name


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (a power cut after a save keeps the new file)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder to sync it; the file itself is synced
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems cannot sync a folder; the data itself is already synced
        pass
    finally:
        os.close(fd)


# -- loading -------------------------------------------------------------------------------------
# What zipfile and numpy's .npy header parser raise on malformed bytes. Each is turned into one
# CheckpointError naming the file; anything else is a bug of ours and is left to surface.
_MALFORMED = (
    ValueError,            # numpy's header checks, a seek before the start, an undecodable name
    OSError,               # a read or seek past the end of the file
    EOFError,              # a compressed member that ends early
    zipfile.BadZipFile,    # no central directory, names that disagree, a bad CRC-32
    zlib.error,            # the compressed bytes of a deflated member are corrupt
    struct.error,          # a zip record cut short
    NotImplementedError,   # zip features nn.save never writes (flag bits zipfile cannot read)
    OverflowError,         # a size field beyond what a seek accepts
    SyntaxError, tokenize.TokenError, TypeError,  # a .npy header that is not a dict of the right keys
)

# Deflate cannot expand data more than 1032 times (258 bytes from one bit of the longest code):
# a member that claims more is corrupt, and is refused before anything is decompressed.
_MAX_DEFLATE_RATIO = 1032


def load(f, map_location=None, weights_only=None):
    """Read a file written by :func:`save` (or by ``safetensors.torch.save_file``): what was
    saved, with its types, or an OrderedDict name -> Tensor for an ``.npz`` archive or a
    safetensors file written by another program.

    The format is told by the file's first bytes, not its name. ``map_location`` may be None or
    the CPU (minigrad's only device); ``weights_only`` changes nothing, since these files hold no
    pickled objects to allow or refuse. Raises ``FileNotFoundError`` when there is no file, and
    :class:`CheckpointError` (naming the file and what is wrong) for anything that is not a
    complete checkpoint.
    """
    path = _path_of(f, "load")
    _check_map_location(map_location)
    if weights_only not in (None, True, False):
        raise TypeError(f"load: weights_only must be a bool, got {weights_only!r}")
    if not os.path.exists(path):
        raise FileNotFoundError(f"nn.load: no such file {path!r}")
    with open(path, "rb") as file:  # a folder or a permission problem stays an OSError
        start = file.read(16)
        file.seek(0)
        if start[:4] in _ZIP_MAGIC:
            try:
                return _read_archive(file)
            except _MALFORMED as error:  # CheckpointError is a ValueError: caught here too
                raise CheckpointError(
                    f"nn.load: {path!r} is not a state_dict saved by nn.save (a numpy .npz archive "
                    f"of numeric arrays); it may be truncated, corrupt or another format: {error}"
                ) from None
        if not _looks_like_safetensors(start, os.fstat(file.fileno()).st_size):
            raise CheckpointError(
                f"nn.load: {path!r} is not a state_dict saved by nn.save or mg.save: it starts with "
                f"{start[:8]!r}, neither a safetensors header nor a .npz (zip) archive; it may be "
                "empty, truncated or another format (torch.save's pickles are not read)")
        data = file.read()
    return _read_safetensors(data, path)


def _check_map_location(map_location) -> None:
    if map_location is None or str(map_location) == "cpu":
        return
    raise ValueError(f"load: map_location={map_location!r}: minigrad runs on the CPU only; give "
                     "None or 'cpu'")


def _looks_like_safetensors(start: bytes, file_size: int) -> bool:
    """A safetensors file opens with its header's length (8 bytes, little-endian) and '{'."""
    if len(start) < 9:
        return False
    size = int.from_bytes(start[:8], "little")
    return start[8:9] == b"{" and 2 <= size <= file_size - 8


def _read_safetensors(data: bytes, path: str):
    from safetensors import SafetensorError

    try:
        return safetensors_format.from_bytes(data)
    except (SafetensorError, safetensors_format.StructureError, ValueError) as error:
        raise CheckpointError(
            f"nn.load: {path!r} is not a checkpoint saved by mg.save / nn.save (a safetensors "
            f"file); it may be truncated, corrupt or another format: {error}") from None


def _read_archive(file) -> OrderedDict:
    """Every member of the zip archive in ``file``, in the order it was saved."""
    file_size = os.fstat(file.fileno()).st_size
    result = OrderedDict()
    with zipfile.ZipFile(file) as archive:
        members = archive.infolist()
        declared = _declared_member_count(file, file_size)
        if len(members) != declared:
            raise CheckpointError(f"its end record announces {declared} arrays but its directory "
                                  f"lists {len(members)}")
        for info in members:
            key = _member_key(info, result)
            _check_member_sizes(info, file_size)
            result[key] = Tensor(_read_member(archive, info))
    return result


def _declared_member_count(file, file_size: int) -> int:
    """How many members the archive's end record announces.

    zipfile walks the central directory by its size in bytes alone, so a corrupt name, extra or
    comment length there swallows the entries that follow it: without this count, members
    would silently go missing. nn.save (like numpy.savez) writes no archive comment, so the end
    record is the file's last 22 bytes.
    """
    file.seek(file_size - 22)
    end = file.read(22)
    if end[:4] != b"PK\x05\x06":
        raise CheckpointError("it does not end with a zip end record (nn.save writes no "
                              "archive comment and nothing after the archive)")
    count = int.from_bytes(end[10:12], "little")
    if count == 0xFFFF and file_size >= 22 + 20 + 56:
        # more than 65535 members: the true count is in the zip64 end record (56 bytes) and
        # its locator (20 bytes), which zipfile writes right before the end record
        file.seek(file_size - 22 - 20 - 56)
        zip64 = file.read(56 + 20)
        if zip64[:4] == b"PK\x06\x06" and zip64[56:60] == b"PK\x06\x07":
            count = int.from_bytes(zip64[32:40], "little")
    return count


def _member_key(info: zipfile.ZipInfo, seen) -> str:
    """The state_dict name of a member: its file name without ``.npy``."""
    name = info.filename
    if not name.endswith(".npy"):
        raise CheckpointError(f"its member {name!r} is not a .npy array")
    if not info.flag_bits & 0x800 and not name.isascii():
        # zipfile marks every non-ASCII name as UTF-8 when it writes; without the mark the name
        # would be decoded as cp437 and come back as another key
        raise CheckpointError(f"its member {name!r} has a non-ASCII name not marked as UTF-8")
    if info.flag_bits & 0x1:
        raise CheckpointError(f"its member {name!r} is encrypted")
    key = name[: -len(".npy")]
    if key in seen:
        raise CheckpointError(f"it holds the member {name!r} twice")
    return key


def _check_member_sizes(info: zipfile.ZipInfo, file_size: int) -> None:
    """Refuse a member whose sizes cannot be true, before reading (or allocating) anything."""
    if info.compress_size > file_size:
        raise CheckpointError(f"its member {info.filename!r} claims {info.compress_size} bytes, "
                              f"more than the whole file ({file_size} bytes)")
    if info.compress_type == zipfile.ZIP_STORED:
        plausible = info.file_size == info.compress_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:  # numpy.savez_compressed writes these
        plausible = info.file_size <= _MAX_DEFLATE_RATIO * info.compress_size + 64  # 64: framing
    else:
        raise CheckpointError(f"its member {info.filename!r} uses zip compression method "
                              f"{info.compress_type}, which nn.save never writes")
    if not plausible:
        raise CheckpointError(f"its member {info.filename!r} claims to hold {info.file_size} "
                              f"bytes in {info.compress_size} stored bytes")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One ``.npy`` member as an array, its header checked before its data is read."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(member)
        else:  # 3.0 exists only for record dtypes with non-Latin-1 field names: never numeric
            raise CheckpointError(f"its member {info.filename!r} is a .npy file of version {version}")
        if dtype.kind not in _NUMERIC_KINDS:
            raise CheckpointError(f"its member {info.filename!r} holds dtype {dtype}, not numbers "
                                  "(nn.save writes numeric arrays only, and nn.load never unpickles)")
        if any(n < 0 for n in shape):
            raise CheckpointError(f"its member {info.filename!r} announces the shape {shape}")
        nbytes = math.prod(shape) * dtype.itemsize  # Python integers: a corrupt shape cannot overflow
        if member.tell() + nbytes != info.file_size:
            raise CheckpointError(f"its member {info.filename!r} announces {dtype} of shape "
                                  f"{shape} ({nbytes} bytes) but holds "
                                  f"{info.file_size - member.tell()} bytes of data")
        data = member.read(nbytes)
        # reading to the member's end makes zipfile compare its CRC-32 (a bad one raises
        # BadZipFile): a flipped bit anywhere in the data is caught, not loaded
        if len(data) != nbytes or member.read(1):
            raise CheckpointError(f"its member {info.filename!r} is truncated")
    array = np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C")
    return array.astype(dtype.newbyteorder("="))  # a copy: writable, in this machine's byte order

