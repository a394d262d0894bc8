"""Files that survive a crash: nn.save is all or nothing, nn.load returns exactly what was saved
or raises one error naming the file, Module.load_state_dict changes nothing unless everything
fits."""
import errno
import io
import os
import pickle
import signal
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import minigrad as mg
import nn
from nn.serialization import CheckpointError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(nn.__file__)))


def small_model():
    """Float32 weights and BatchNorm's int64 counter: members of two dtypes."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2))
    model(mg.randn(5, 3))  # moves the running statistics off their initial values
    return model


def arrays_of(state):
    return {key: np.array(value.data) for key, value in state.items()}


def assert_same_state(loaded, expected):
    """Same names in the same order, same dtypes, same shapes, same values."""
    assert list(loaded) == list(expected)
    for key, value in expected.items():
        got = loaded[key].data if isinstance(loaded[key], mg.Tensor) else loaded[key]
        assert got.dtype == value.dtype and got.shape == value.shape, key
        np.testing.assert_array_equal(got, value, err_msg=key)


# -- saving: any name, the old format, all or nothing ---------------------------------------------
def test_any_string_is_a_key_even_the_names_of_numpy_savez_parameters(tmp_path):
    state = {"file": np.ones(2, np.float32), "allow_pickle": np.arange(3), "": np.array(1.5),
             "a/b": np.eye(2), "ü": np.arange(3, dtype=np.uint8), "x.npy": np.array([True]),
             "with space": np.zeros((2, 0))}
    path = tmp_path / "odd.npz"
    nn.save(state, path)
    assert_same_state(nn.load(path), state)
    with np.load(path, allow_pickle=False) as archive:  # still a plain .npz for numpy
        assert archive.files == list(state)


def test_a_checkpoint_written_the_old_way_still_loads(tmp_path):
    # exactly what nn.save did before it wrote atomically: numpy.savez into an open file
    state = arrays_of(small_model().state_dict())
    path = tmp_path / "old.npz"
    with open(path, "wb") as f:
        np.savez(f, **state)
    assert_same_state(nn.load(path), state)
    np.savez_compressed(tmp_path / "compressed.npz", **state)
    assert_same_state(nn.load(tmp_path / "compressed.npz"), state)


def test_save_refuses_values_that_are_not_numbers(tmp_path):
    for value in (np.array(["a", "b"]), np.array([object()])):
        with pytest.raises(TypeError, match="not numeric"):
            nn.save({"x": value}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []  # refused before a file was made


@pytest.fixture(params=["unnamed temporary file", "named temporary file"])
def temporary_file_kind(request, monkeypatch):
    """Both ways a save can write its new file: Linux's O_TMPFILE, or a hidden temporary name."""
    if request.param == "named temporary file":
        monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    elif not hasattr(os, "O_TMPFILE"):
        pytest.skip("this system has no O_TMPFILE")
    return request.param


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"),
                                     KeyboardInterrupt()])
def test_a_save_that_fails_half_way_leaves_the_old_file_intact(tmp_path, monkeypatch, failure,
                                                                temporary_file_kind):
    path = tmp_path / "model.npz"
    nn.save(small_model().state_dict(), path)
    old_bytes = path.read_bytes()
    real_write_array = np.lib.format.write_array
    written = []

    def write_then_fail(member, array, **kwargs):  # the disk fills up after the third member
        if len(written) == 3:
            raise failure
        real_write_array(member, array, **kwargs)
        written.append(array)

    monkeypatch.setattr(np.lib.format, "write_array", write_then_fail)
    with pytest.raises(type(failure)):
        nn.save(nn.MLP(3, [8], 2).state_dict(), path)
    assert len(written) == 3  # it did fail half-way, not before writing
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


# The child writes eight 4 MiB arrays and stops for good after the fourth: the parent kills it
# there with SIGKILL, which no cleanup code can catch.
CHILD = """
import sys, time
import numpy as np
import nn
real_write_array = np.lib.format.write_array
written = []
def write_then_stall(member, array, **kwargs):
    real_write_array(member, array, **kwargs)
    written.append(1)
    if len(written) == 4:
        print("half", flush=True)
        time.sleep(60)
np.lib.format.write_array = write_then_stall
nn.save({f"layer{i}.weight": np.full((1024, 1024), i, np.float32) for i in range(8)}, sys.argv[1])
"""


def bytes_written_into(pid: int, folder) -> int:
    """The size of the largest file process ``pid`` has open in ``folder`` (Linux's /proc)."""
    sizes = [0]
    for fd in os.listdir(f"/proc/{pid}/fd"):
        link = f"/proc/{pid}/fd/{fd}"
        try:
            if os.readlink(link).startswith(str(folder)):
                sizes.append(os.stat(link).st_size)  # follows to the file, named or not
        except OSError:
            continue
    return max(sizes)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs Linux's /proc and SIGKILL")
def test_a_save_killed_by_sigkill_mid_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "model.npz"
    nn.save(small_model().state_dict(), path)
    old_bytes = path.read_bytes()
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE,
                             env=env, text=True)
    try:
        assert child.stdout.readline() == "half\n"
        assert bytes_written_into(child.pid, tmp_path) > 4 * 4 * 2**20  # mid-write indeed
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.npz"]


def test_save_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "run1.npz"
    nn.save({"x": np.zeros(2)}, target)
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    nn.save({"x": np.ones(2)}, link)
    assert link.is_symlink()
    np.testing.assert_array_equal(nn.load(target)["x"].data, np.ones(2))


def test_a_saved_file_gets_the_permissions_of_an_ordinary_new_file(tmp_path, temporary_file_kind):
    (tmp_path / "plain").write_bytes(b"")
    nn.save({"x": np.zeros(2)}, tmp_path / "model.npz")
    assert os.stat(tmp_path / "model.npz").st_mode == os.stat(tmp_path / "plain").st_mode


def test_save_into_a_missing_folder_raises_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        nn.save({"x": np.zeros(2)}, tmp_path / "no-such-folder" / "model.npz")
    assert os.listdir(tmp_path) == []


# -- loading: the original values or one error naming the file ----------------------------------
def test_checkpoint_error_is_pytorchs_runtime_error_and_nn_loads_old_value_error():
    assert issubclass(CheckpointError, RuntimeError) and issubclass(CheckpointError, ValueError)


def write_zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def npy_bytes(array, allow_pickle=False):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=allow_pickle)
    return buffer.getvalue()


def without_first_member(data: bytes) -> bytes:
    """The archive with its first member's bytes cut out; the directory still lists it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        second = archive.infolist()[1].header_offset
    return data[second:]


def foreign_files(tmp_path):
    """Files nn.load must refuse, by what is wrong with them."""
    checkpoint = tmp_path / "good.npz"
    nn.save(small_model().state_dict(), checkpoint)
    good = checkpoint.read_bytes()
    files = {
        "empty": b"",
        "text": b"hello",
        "truncated": good[: len(good) // 2],
        "a pickle": pickle.dumps({"weight": np.ones(2)}),
        "a single .npy array": npy_bytes(np.ones(3)),
        "a missing member": without_first_member(good),
        "bytes after the archive": good + b"\0" * 10,
    }
    for name, path in [("a string array", "strings.npz"), ("an object array", "objects.npz"),
                       ("a member that is not .npy", "notes.npz")]:
        files[name] = tmp_path / path
    write_zip(tmp_path / "strings.npz", {"names.npy": npy_bytes(np.array(["a", "b"]))})
    write_zip(tmp_path / "objects.npz", {"x.npy": npy_bytes(np.array([{}], dtype=object), True)})
    write_zip(tmp_path / "notes.npz", {"weight.npy": npy_bytes(np.ones(2)), "notes.txt": b"hi"})
    return files


def test_load_refuses_every_kind_of_foreign_or_damaged_file_naming_it(tmp_path, monkeypatch):
    def no_unpickling(*args, **kwargs):
        raise AssertionError("nn.load unpickled something")

    monkeypatch.setattr(pickle, "load", no_unpickling)
    monkeypatch.setattr(pickle, "loads", no_unpickling)
    for kind, content in foreign_files(tmp_path).items():
        path = content if isinstance(content, os.PathLike) else tmp_path / "file.bin"
        if not isinstance(content, os.PathLike):
            path.write_bytes(content)
        with pytest.raises(CheckpointError, match="not a state_dict saved by nn.save") as caught:
            nn.load(path)
        assert repr(str(path)) in str(caught.value), kind


def test_load_names_the_non_numeric_dtype_it_refuses(tmp_path):
    write_zip(tmp_path / "strings.npz", {"names.npy": npy_bytes(np.array(["a", "b"]))})
    with pytest.raises(CheckpointError, match=r"'names.npy' holds dtype <U1, not numbers"):
        nn.load(tmp_path / "strings.npz")


def test_load_keeps_os_errors_for_a_missing_path_or_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        nn.load(tmp_path / "missing.npz")
    with pytest.raises(IsADirectoryError):
        nn.load(tmp_path)


def corrupt(data: bytes, rng) -> bytes:
    """One random corruption: a bit flip, a truncation, or 1-8 inserted random bytes."""
    data = bytearray(data)
    kind = rng.integers(3)
    position = int(rng.integers(len(data)))
    if kind == 0:
        data[position] ^= 1 << int(rng.integers(8))
    elif kind == 1:
        del data[position:]
    else:
        data[position:position] = rng.integers(0, 256, int(rng.integers(1, 9)), dtype=np.uint8).tobytes()
    return bytes(data)


@pytest.mark.parametrize("writer", ["nn.save", "numpy.savez_compressed"])
def test_300_random_corruptions_load_the_original_values_or_raise_checkpoint_error(tmp_path, writer):
    expected = arrays_of(small_model().state_dict())
    original = tmp_path / "original.npz"
    if writer == "nn.save":
        nn.save(expected, original)
    else:  # deflated members: corrupt compressed bytes must not escape as zlib.error
        np.savez_compressed(original, **expected)
    data = original.read_bytes()
    damaged = tmp_path / "damaged.npz"
    outcomes = {"loaded the original values": 0, "raised CheckpointError": 0}
    for seed in range(300):
        damaged.write_bytes(corrupt(data, np.random.default_rng(seed)))
        try:
            loaded = nn.load(damaged)
        except CheckpointError as error:  # any other exception type fails the test
            assert repr(str(damaged)) in str(error), seed
            outcomes["raised CheckpointError"] += 1
            continue
        assert_same_state(loaded, expected)  # a corruption in a byte nn.load does not use
        outcomes["loaded the original values"] += 1
    # most corruptions are caught; a few land in bytes that do not matter (a date, a local size)
    assert outcomes["raised CheckpointError"] > 250 and outcomes["loaded the original values"] > 0


# -- load_state_dict: all or nothing -------------------------------------------------------------
def test_a_failed_load_with_a_bad_shape_at_the_last_key_changes_nothing():
    model = small_model()
    before = arrays_of(model.state_dict())
    state = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2)).state_dict()
    last = list(state)[-1]
    assert last == "3.bias"
    state[last] = mg.zeros(3)
    with pytest.raises(RuntimeError, match=r"Error\(s\) in loading state_dict for Sequential:\n"
                                           r"\tsize mismatch for 3.bias: .*\(3,\).*\(2,\)"):
        model.load_state_dict(state)
    assert_same_state(model.state_dict(), before)


def test_a_dtype_that_would_lose_information_is_refused_and_changes_nothing():
    model = small_model()
    before = arrays_of(model.state_dict())
    state = arrays_of(small_model().state_dict())
    state = {key: value + 1 for key, value in state.items()}  # values different from before
    state["3.bias"] = state["3.bias"].astype(np.float64)
    with pytest.raises(RuntimeError, match=r"dtype mismatch for 3.bias: the checkpoint has "
                                           r"float64, the current model has float32"):
        model.load_state_dict(state)
    assert_same_state(model.state_dict(), before)


def test_a_dtype_that_casts_without_loss_is_loaded():
    model = nn.Linear(2, 1, dtype=np.float64)
    model.load_state_dict({"weight": np.array([[1.5, 2.5]], np.float32), "bias": np.array([3])})
    np.testing.assert_array_equal(model.weight.data, [[1.5, 2.5]])
    assert model.weight.dtype == np.float64 and model.bias.item() == 3.0


def test_strict_false_returns_missing_and_unexpected_keys_and_loads_the_rest():
    source, target = nn.Linear(2, 3), nn.Linear(2, 3)
    state = {"weight": source.weight, "extra": mg.zeros(1)}
    missing, unexpected = target.load_state_dict(state, strict=False)
    assert missing == ["bias"] and unexpected == ["extra"]
    np.testing.assert_array_equal(target.weight.data, source.weight.data)


def test_strict_false_still_raises_on_a_shape_mismatch_and_changes_nothing():
    model = nn.Linear(2, 3)
    before = arrays_of(model.state_dict())
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        model.load_state_dict({"weight": mg.ones(3, 2), "bias": mg.ones(4)}, strict=False)
    assert_same_state(model.state_dict(), before)


def test_load_state_dict_wants_a_mapping():
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        nn.Linear(2, 3).load_state_dict([("weight", mg.ones(3, 2))])


def test_strict_false_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    state = {"weight": np.ones((3, 2), np.float32), "extra": np.zeros(1, np.float32)}
    their_result = theirs.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False)
    missing, unexpected = ours.load_state_dict(state, strict=False)
    assert (missing, unexpected) == (their_result.missing_keys, their_result.unexpected_keys)
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        theirs.load_state_dict({"bias": torch.ones(4)}, strict=False)
    with pytest.raises(RuntimeError, match="size mismatch for bias"):
        ours.load_state_dict({"bias": np.ones(4, np.float32)}, strict=False)


def test_a_backward_through_values_a_load_replaced_raises_as_in_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    loss = model(mg.randn(4, 2)).sum()  # the graph saved the second layer's weight
    model.load_state_dict(nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)).state_dict())
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()  # PyTorch raises too: its load_state_dict copies with copy_
