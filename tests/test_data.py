"""Data: TensorDataset, DataLoader, generated datasets, digits, MNIST IDX files; and a model
that learns the spiral."""
import gzip
import math
import struct
import time
import tracemalloc
import zlib

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import nn
from nn.datasets import DatasetFileError


def test_tensor_dataset_rows_and_length():
    data = nn.data.TensorDataset(mg.arange(12.0).reshape(6, 2), mg.arange(6))
    assert len(data) == 6
    x, y = data[2]
    np.testing.assert_array_equal(x.data, [4.0, 5.0])
    assert y.item() == 2
    with pytest.raises(ValueError, match=r"same first dimension.*\(6, 2\).*\(5,\)"):
        nn.data.TensorDataset(mg.zeros(6, 2), mg.zeros(5))


def test_dataloader_batches_in_order_and_keeps_the_last_partial_batch():
    data = nn.data.TensorDataset(mg.arange(10.0).reshape(5, 2), mg.arange(5))
    loader = nn.data.DataLoader(data, batch_size=2)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    assert all(isinstance(t, mg.Tensor) for batch in batches for t in batch)
    np.testing.assert_array_equal(np.concatenate([y.data for _, y in batches]), np.arange(5))
    dropped = nn.data.DataLoader(data, batch_size=2, drop_last=True)
    assert len(dropped) == 2 and [len(y) for _, y in dropped] == [2, 2]


def test_shuffle_is_a_permutation_and_seedable():
    data = nn.data.TensorDataset(mg.arange(20.0), mg.arange(20))

    def order(**kwargs):
        loader = nn.data.DataLoader(data, batch_size=6, shuffle=True, **kwargs)
        return np.concatenate([y.data for _, y in loader])

    first = order(seed=3)
    assert sorted(first) == list(range(20)) and list(first) != list(range(20))
    np.testing.assert_array_equal(order(seed=3), first)
    np.testing.assert_array_equal(order(generator=mg.Generator().manual_seed(3)), first)
    mg.manual_seed(1)
    a = order()
    mg.manual_seed(1)
    np.testing.assert_array_equal(order(), a)
    loader = nn.data.DataLoader(data, batch_size=20, shuffle=True, seed=0)
    epochs = [next(iter(loader))[1].data.copy() for _ in range(2)]
    assert list(epochs[0]) != list(epochs[1])  # a new order each epoch


def test_dataloader_collates_a_generic_dataset():
    class Squares(nn.data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float32), i

    x, y = next(iter(nn.data.DataLoader(Squares(), batch_size=3)))
    np.testing.assert_array_equal(x.data, [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(y.data, [0, 1, 2])


def test_spiral_shape_dtype_seed_and_geometry():
    X, y = nn.datasets.spiral(n_per_class=50, n_classes=4, seed=1)
    assert X.shape == (200, 2) and X.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y.data), [50] * 4)
    radius = np.hypot(X.data[:, 0], X.data[:, 1])
    assert radius.max() <= 1.0 + 1e-6
    np.testing.assert_array_equal(nn.datasets.spiral(seed=1)[0].data, nn.datasets.spiral(seed=1)[0].data)
    assert not np.array_equal(nn.datasets.spiral(seed=1)[0].data, nn.datasets.spiral(seed=2)[0].data)


def test_moons_shape_dtype_and_balance():
    X, y = nn.datasets.moons(n_samples=101, noise=0.0, seed=0)
    assert X.shape == (101, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y.data).tolist() == [50, 51]
    outer = X.data[y.data == 0]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, rtol=1e-5)


def test_load_digits_is_scaled_to_unit_range():
    pytest.importorskip("sklearn")
    X, y = nn.datasets.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.data.min() == 0.0 and X.data.max() == 1.0
    assert sorted(set(y.data.tolist())) == list(range(10))


def test_load_digits_without_scikit_learn_names_the_extra(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("no sklearn")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r"pip install -e \"\.\[examples\]\""):
        nn.datasets.load_digits()


def write_idx(path, array, compress=False):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + b"".join(
        struct.pack(">I", n) for n in array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    if compress:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(payload))
    else:
        path.write_bytes(payload)


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_reads_idx_files(tmp_path, compress):
    rng = np.random.default_rng(0)
    images = {"train": rng.integers(0, 256, (5, 28, 28)), "t10k": rng.integers(0, 256, (3, 28, 28))}
    labels = {"train": rng.integers(0, 10, 5), "t10k": rng.integers(0, 10, 3)}
    for split in ("train", "t10k"):
        write_idx(tmp_path / f"{split}-images-idx3-ubyte", images[split], compress)
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte", labels[split], compress)
    (X_train, y_train), (X_test, y_test) = nn.datasets.load_mnist(tmp_path)
    assert X_train.shape == (5, 784) and X_test.shape == (3, 784) and X_train.dtype == np.float32
    np.testing.assert_allclose(X_train.data, images["train"].reshape(5, -1) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y_test.data, labels["t10k"])
    assert y_train.dtype == np.int64


def test_load_mnist_names_a_missing_or_malformed_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        nn.datasets.load_mnist(tmp_path)
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((5, 28, 28)))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"not an idx file")
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.*is not an IDX file"):
        nn.datasets.load_mnist(tmp_path)
    data = (tmp_path / "train-images-idx3-ubyte").read_bytes()
    (tmp_path / "train-images-idx3-ubyte").write_bytes(data[:-10])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        nn.datasets.load_mnist(tmp_path)


def idx_header(shape, type_code=0x08):
    return struct.pack(">BBBB", 0, 0, type_code, len(shape)) + struct.pack(f">{len(shape)}I", *shape)


def write_mnist(folder, train_labels=(1, 2, 3), test_labels=(4, 5), compress=True):
    """A tiny MNIST: 28x28 images of zeros, with the labels given."""
    for split, labels in (("train", train_labels), ("t10k", test_labels)):
        write_idx(folder / f"{split}-images-idx3-ubyte", np.zeros((len(labels), 28, 28)), compress)
        write_idx(folder / f"{split}-labels-idx1-ubyte", np.array(labels), compress)


def gzip_of_zeros(prefix: bytes, n_zeros: int) -> bytes:
    """gzip of ``prefix`` and then ``n_zeros`` zero bytes, compressed a MiB at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: the gzip container
    parts = [compressor.compress(prefix)]
    block = bytes(2**20)
    for _ in range(n_zeros // len(block)):
        parts.append(compressor.compress(block))
    return b"".join(parts) + compressor.flush()


def peak_memory_of(fn):
    """The peak of Python and numpy allocations while ``fn()`` runs (tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
    except Exception:  # the error is checked by the caller; here only the memory matters
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_a_small_gzip_whose_header_claims_gigabytes_is_refused_without_allocating_them(tmp_path):
    write_mnist(tmp_path)
    bomb = tmp_path / "train-images-idx3-ubyte.gz"
    bomb.write_bytes(gzip.compress(idx_header((60000, 28000, 28000)) + bytes(1000)))  # 47 TB
    with pytest.raises(DatasetFileError, match=r"train-images-idx3-ubyte.gz' announces shape "
                                               r"\(60000, 28000, 28000\)"):
        nn.datasets.load_mnist(tmp_path)
    assert peak_memory_of(lambda: nn.datasets.read_idx(bomb)) < 2**20


def test_a_gzip_payload_far_longer_than_its_header_says_is_refused_without_reading_it_all(tmp_path):
    write_mnist(tmp_path)
    images = tmp_path / "t10k-images-idx3-ubyte.gz"
    images.write_bytes(gzip_of_zeros(idx_header((2, 28, 28)), 64 * 2**20))  # 64 MiB, not 1568 B
    assert images.stat().st_size < 2**20
    with pytest.raises(DatasetFileError, match=r"t10k-images-idx3-ubyte.gz' holds more data than "
                                               r"its header announces \(shape \(2, 28, 28\)"):
        nn.datasets.load_mnist(tmp_path)
    assert peak_memory_of(lambda: nn.datasets.read_idx(images)) < 2**20


def test_a_label_outside_the_classes_is_an_error_naming_the_file(tmp_path):
    write_mnist(tmp_path, test_labels=(3, 12, 1))
    with pytest.raises(DatasetFileError, match=r"t10k-labels-idx1-ubyte.gz' has the label 12 at "
                                               r"index 1 .*outside 0..9"):
        nn.datasets.load_mnist(tmp_path)
    (_, _), (_, y_test) = nn.datasets.load_mnist(tmp_path, num_classes=13)
    np.testing.assert_array_equal(y_test.data, [3, 12, 1])


def test_the_idx_type_code_and_number_of_dimensions_are_checked(tmp_path):
    write_mnist(tmp_path, compress=False)
    labels = tmp_path / "train-labels-idx1-ubyte"
    labels.write_bytes(idx_header((3,), type_code=0x0D) + bytes(12))
    with pytest.raises(DatasetFileError, match=r"labels-idx1-ubyte' is not an IDX file of unsigned "
                                               r"bytes: its type code is 0x0D \(float\)"):
        nn.datasets.load_mnist(tmp_path)
    labels.write_bytes(idx_header((3, 1)) + bytes(3))
    with pytest.raises(DatasetFileError, match=r"labels-idx1-ubyte' has 2 dimensions, expected 1"):
        nn.datasets.load_mnist(tmp_path)


def test_image_and_label_counts_must_match_and_both_files_are_named(tmp_path):
    write_mnist(tmp_path, compress=False)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 2]))
    with pytest.raises(DatasetFileError, match=r"train-images-idx3-ubyte' holds 3 images, "
                                               r"'.*train-labels-idx1-ubyte' 2 labels"):
        nn.datasets.load_mnist(tmp_path)


@pytest.mark.parametrize("damage", ["truncated", "bad CRC"])
def test_a_damaged_gzip_is_a_dataset_file_error_naming_it(tmp_path, damage):
    write_mnist(tmp_path)
    images = tmp_path / "train-images-idx3-ubyte.gz"
    data = bytearray(images.read_bytes())
    if damage == "truncated":
        del data[-20:]
    else:
        data[-8] ^= 0xFF  # the trailer's CRC-32 of the uncompressed data
    images.write_bytes(bytes(data))
    with pytest.raises(DatasetFileError, match=r"cannot read '.*train-images-idx3-ubyte.gz'"):
        nn.datasets.load_mnist(tmp_path)


def test_an_mlp_learns_the_spiral_with_adam():
    mg.manual_seed(0)
    X, y = nn.datasets.spiral()
    model = nn.MLP(2, [64], 3)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.02)
    # the notes' sanity check: an untrained softmax classifier scores about log(C)
    assert F.cross_entropy(model(X), y).item() == pytest.approx(math.log(3), abs=0.05)
    start = time.perf_counter()
    for _ in range(200):
        optimizer.zero_grad()
        F.cross_entropy(model(X), y).backward()
        optimizer.step()
    elapsed = time.perf_counter() - start
    accuracy = (model(X).argmax(1) == y).data.mean()
    assert accuracy >= 0.95
    assert elapsed < 15.0  # about 0.2 s on one core; generous for a loaded machine


def test_hinge_loss_at_init_with_small_weights_is_about_c_minus_one():
    mg.manual_seed(0)
    X, y = nn.datasets.spiral(n_classes=5)
    model = nn.Linear(2, 5)
    with mg.no_grad():
        model.weight.data *= 0.001
        model.bias.data *= 0.001
    assert F.multiclass_hinge_loss(model(X), y).item() == pytest.approx(4.0, abs=0.01)


def test_a_linear_classifier_with_minibatches_learns_moons_above_chance():
    mg.manual_seed(0)
    X, y = nn.datasets.moons(n_samples=200, noise=0.1)
    model = nn.Linear(2, 2)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    loader = nn.data.DataLoader(nn.data.TensorDataset(X, y), batch_size=32, shuffle=True, seed=0)
    for _ in range(10):
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
    assert (model(X).argmax(1) == y).data.mean() >= 0.8
