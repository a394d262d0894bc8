"""torch.utils.data's vocabulary in nn.data (also minigrad.utils.data), against PyTorch: the
DataLoader's batches for the same sampler order, default_collate on nested samples, argument
checks, random_split, samplers' statistics, worker processes, pad_sequence."""
import collections
import gc
import multiprocessing
import time

import numpy as np
import pytest

import minigrad as mg
import nn

torch = pytest.importorskip("torch")
tdata = torch.utils.data
D = nn.data
Point = collections.namedtuple("Point", "x y")


def dtype_name(t) -> str:
    return np.dtype(t.dtype if isinstance(t, mg.Tensor) else str(t.dtype).split(".")[-1]).name


def same(ours, theirs):
    """Structure, container types, values and dtypes of two batches agree."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mg.Tensor), (ours, theirs)
        assert dtype_name(ours) == dtype_name(theirs) and ours.tolist() == theirs.tolist()
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for key in theirs:
            same(ours[key], theirs[key])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours).__name__ == type(theirs).__name__ and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            same(a, b)
    else:
        assert ours == theirs and type(ours) is type(theirs)


class Mixed:
    """The same samples for both libraries: a dict of an array, numbers, a string, a named tuple
    and a list of tensors."""

    def __init__(self, lib, n=7):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        tensor = self.lib.tensor([i, -i], dtype=self.lib.float32)
        return {"image": np.full((2, 2), i, dtype=np.uint8), "label": i, "weight": i / 2,
                "flag": i % 2 == 0, "name": f"s{i}", "point": Point(np.float64(i), i * 3),
                "pair": (tensor, i), "parts": [tensor * 2, self.lib.tensor(i)]}


class MgMixed(Mixed, D.Dataset):
    def __init__(self, n=7):
        super().__init__(mg, n)


class TorchMixed(Mixed, tdata.Dataset):
    def __init__(self, n=7):
        super().__init__(torch, n)


def test_torch_utils_data_spelled_in_full_is_nn_data():
    import minigrad as torch_like
    import minigrad.utils.data as data
    assert data is nn.data and torch_like.utils.data is nn.data
    assert torch_like.utils.data.DataLoader is D.DataLoader
    from minigrad.utils.data import TensorDataset
    assert TensorDataset is D.TensorDataset


@pytest.mark.parametrize("batch_size,drop_last", [(3, False), (3, True), (1, False), (None, False)])
def test_dataloader_batches_match_pytorchs_for_the_same_order(batch_size, drop_last):
    order = [4, 0, 6, 2, 1, 5, 3]
    ours = D.DataLoader(MgMixed(), batch_size=batch_size, sampler=order, drop_last=drop_last)
    theirs = tdata.DataLoader(TorchMixed(), batch_size=batch_size, sampler=order, drop_last=drop_last)
    assert len(ours) == len(theirs)
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        same(a, b)


def test_a_tensor_dataset_batches_as_pytorchs_also_through_subsets():
    x, y = np.arange(24, dtype=np.float32).reshape(12, 2), np.arange(12)
    ours = D.Subset(D.TensorDataset(mg.tensor(x), mg.tensor(y)), [11, 3, 5, 0, 7])
    theirs = tdata.Subset(tdata.TensorDataset(torch.tensor(x), torch.tensor(y)), [11, 3, 5, 0, 7])
    for a, b in zip(D.DataLoader(ours, batch_size=2, sampler=[4, 2, 0, 1, 3]),
                    tdata.DataLoader(theirs, batch_size=2, sampler=[4, 2, 0, 1, 3])):
        same(a, b)
    assert type(next(iter(D.DataLoader(ours)))) is list  # a list of tensors, as PyTorch's
    with pytest.raises(IndexError, match="index 12 is out of bounds for dimension 0 with size 12"):
        next(iter(D.DataLoader(D.TensorDataset(mg.tensor(x)), sampler=[12])))


SAMPLES = [
    [1, 2, 3],
    [1.5, 2.0],
    [True, False],
    ["a", "b"],
    [(1, "a"), (2, "b")],
    [[1, 2], [3, 4]],
    [{"a": [1.0, 2], "b": {"c": (3, 4.0)}}, {"a": [5.0, 6], "b": {"c": (7, 8.0)}}],
    [Point(1, [2.0, 3]), Point(4, [5.0, 6])],
    [np.float32(1.5), np.float32(2)],
    [np.int16(3), np.int16(4)],
    [np.arange(6).reshape(2, 3), np.ones((2, 3), dtype=np.int64)],
    [np.ones(2, dtype=np.float64), np.zeros(2)],
    [np.array([True, False]), np.array([False, False])],
]


@pytest.mark.parametrize("samples", SAMPLES, ids=[str(i) for i in range(len(SAMPLES))])
def test_default_collate_and_convert_match_pytorchs(samples):
    same(D.default_collate(samples), tdata.default_collate(samples))
    same(D.default_convert(samples), tdata.default_convert(samples))


def test_default_collate_of_tensors_stacks_and_keeps_the_dtype():
    samples = [[1, 2], [3, 4]]
    for mg_dtype, torch_dtype in ((mg.float64, torch.float64), (mg.int32, torch.int32)):
        ours = D.default_collate([mg.tensor(s, dtype=mg_dtype) for s in samples])
        same(ours, tdata.default_collate([torch.tensor(s, dtype=torch_dtype) for s in samples]))


@pytest.mark.parametrize("samples", [[object(), object()], [None, None], [np.array(["a"]), np.array(["b"])],
                                     [1 + 2j, 3j]])
def test_what_default_collate_cannot_batch_is_pytorchs_type_error(samples):
    with pytest.raises(TypeError) as theirs:
        tdata.default_collate(samples)
    with pytest.raises(TypeError) as ours:
        D.default_collate(samples)
    assert str(ours.value) == str(theirs.value)


def test_samples_of_unequal_shapes_are_a_runtime_error_naming_the_shapes():
    with pytest.raises(RuntimeError, match=r"equal size, but got \[2\] at entry 0 and \[3\] at entry 1"):
        D.default_collate([mg.ones(2), mg.ones(3)])
    with pytest.raises(RuntimeError, match=r"each element in list of batch should be of equal size"):
        D.default_collate([[1, 2], [1]])
    with pytest.raises(RuntimeError, match=r"entry 1"):  # the issue: dicts were batched as objects
        list(D.DataLoader([{"x": np.ones(2)}, {"x": np.ones(3)}], batch_size=2))


BAD_LOADERS = [
    {"batch_sampler": [[0]], "batch_size": 2}, {"batch_sampler": [[0]], "shuffle": True},
    {"batch_sampler": [[0]], "drop_last": True}, {"shuffle": True, "sampler": [0]},
    {"prefetch_factor": 2}, {"persistent_workers": True}, {"num_workers": -1}, {"timeout": -1},
    {"batch_size": None, "drop_last": True}, {"multiprocessing_context": "fork"},
    {"num_workers": 1, "multiprocessing_context": "nope"}, {"num_workers": 1, "multiprocessing_context": 3},
    {"num_workers": 1, "prefetch_factor": -1}, {"batch_size": 0}, {"batch_size": 1.5},
]


@pytest.mark.parametrize("kwargs", BAD_LOADERS, ids=[str(k) for k in BAD_LOADERS])
def test_dataloader_argument_checks_are_pytorchs(kwargs):
    with pytest.raises(Exception) as theirs:
        tdata.DataLoader(tdata.TensorDataset(torch.arange(4)), **kwargs)
    with pytest.raises(theirs.type) as ours:
        D.DataLoader(D.TensorDataset(mg.arange(4)), **kwargs)
    assert str(theirs.value).split(" [")[0] in str(ours.value)


class Count(D.IterableDataset):
    """0..n-1; in a worker, only the numbers congruent to its id (when ``split``)."""

    def __init__(self, n=7, split=True):
        self.n, self.split = n, split

    def __len__(self):
        return self.n

    def __iter__(self):
        info = D.get_worker_info() if self.split else None
        return iter(range(self.n) if info is None else range(info.id, self.n, info.num_workers))


class TorchCount(tdata.IterableDataset):
    def __init__(self, n=7, split=True):
        self.n, self.split = n, split

    def __len__(self):
        return self.n

    def __iter__(self):
        info = tdata.get_worker_info() if self.split else None
        return iter(range(self.n) if info is None else range(info.id, self.n, info.num_workers))


def test_iterable_datasets_refuse_shuffle_and_samplers_and_have_pytorchs_len():
    for kwargs in ({"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}):
        with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified"):
            D.DataLoader(Count(), **kwargs)
    for kwargs in ({"batch_size": 2}, {"batch_size": 2, "drop_last": True}, {"batch_size": None}):
        assert len(D.DataLoader(Count(), **kwargs)) == len(tdata.DataLoader(TorchCount(), **kwargs))
        same(list(D.DataLoader(Count(), **kwargs)), list(tdata.DataLoader(TorchCount(), **kwargs)))


def test_attributes_that_shape_the_batches_cannot_change_after_init():
    loader = D.DataLoader(D.TensorDataset(mg.arange(4)), batch_size=2, pin_memory=True)
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is"):
        loader.batch_size = 3
    assert [b[0].tolist() for b in loader] == [[0, 1], [2, 3]]  # pin_memory: nothing changes


@pytest.mark.parametrize("n,lengths", [(10, [0.33, 0.33, 0.34]), (11, [0.5, 0.25, 0.25]),
                                       (3, [0.1, 0.1, 0.8]), (10, [3, 7]), (7, [1.0])])
def test_random_split_lengths_and_fractions_are_pytorchs(n, lengths):
    with pytest.warns(UserWarning) if n == 3 else _no_warning():
        parts = D.random_split(range(n), lengths, generator=mg.Generator().manual_seed(0))
        theirs = tdata.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [len(p) for p in theirs]
    assert sorted(i for p in parts for i in p) == list(range(n))


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_random_split_refuses_lengths_that_do_not_add_up_as_pytorch():
    for lengths in ([3, 3], [0.5, 1.5], [0.3, 0.3]):
        with pytest.raises(ValueError, match="Sum of input lengths does not equal the length"):
            D.random_split(range(10), lengths)
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        D.random_split(range(10), [1.5, -0.5])


def test_random_split_is_reproducible_with_a_generator_and_uses_the_default_one():
    def split(generator=None):
        kwargs = {} if generator is None else {"generator": generator}
        return [list(p) for p in D.random_split(range(20), [5, 15], **kwargs)]
    assert split(mg.Generator().manual_seed(3)) == split(mg.Generator().manual_seed(3))
    mg.manual_seed(5)
    first = split()
    mg.manual_seed(5)
    assert split() == first


def test_subset_and_concat_dataset_index_as_pytorchs():
    ours = D.ConcatDataset([range(3), range(10, 14)])
    theirs = tdata.ConcatDataset([range(3), range(10, 14)])
    assert [ours[i] for i in range(-7, 7)] == [theirs[i] for i in range(-7, 7)]
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert len(D.TensorDataset(mg.arange(2)) + D.TensorDataset(mg.arange(3))) == 5
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        ours[-8]
    with pytest.raises(IndexError):
        ours[7]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        D.ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        D.ConcatDataset([Count()])
    assert list(Count(3) + Count(2)) == [0, 1, 2, 0, 1]
    x = D.TensorDataset(mg.arange(10))
    same(list(D.Subset(x, [4, 1])[[0, 1]]), list(tdata.Subset(tdata.TensorDataset(torch.arange(10)),
                                                                [4, 1])[[0, 1]]))
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        D.TensorDataset(mg.zeros(3), mg.zeros(2))


def test_random_samplers_statistics():
    g = mg.Generator().manual_seed(0)
    assert sorted(D.RandomSampler(range(50), generator=g)) == list(range(50))
    chained = list(D.RandomSampler(range(5), num_samples=12, generator=g))
    assert len(chained) == 12 and sorted(chained[:5]) == sorted(chained[5:10]) == list(range(5))
    assert len(set(chained[10:])) == 2
    drawn = np.array(list(D.RandomSampler(range(4), replacement=True, num_samples=20000, generator=g)))
    np.testing.assert_allclose(np.bincount(drawn, minlength=4) / 20000, 0.25, atol=0.015)
    subset = list(D.SubsetRandomSampler([10, 20, 30, 40], generator=g))
    assert sorted(subset) == [10, 20, 30, 40]
    weights = [1.0, 3.0, 0.0, 4.0]
    drawn = np.array(list(D.WeightedRandomSampler(weights, 20000, generator=g)))
    np.testing.assert_allclose(np.bincount(drawn, minlength=4) / 20000, np.array(weights) / 8, atol=0.015)
    once = list(D.WeightedRandomSampler(weights, 3, replacement=False, generator=g))
    assert sorted(once) == [0, 1, 3]
    assert len(D.RandomSampler(range(5), num_samples=12)) == 12


def test_batch_sampler_and_sequential_sampler_are_pytorchs():
    for drop_last in (False, True):
        ours = D.BatchSampler(D.SequentialSampler(range(7)), 3, drop_last)
        theirs = tdata.BatchSampler(tdata.SequentialSampler(range(7)), 3, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


SAMPLER_CALLS = [
    ("RandomSampler", (range(3),), {"replacement": 1}), ("RandomSampler", (range(3),), {"num_samples": 0}),
    ("RandomSampler", (range(3),), {"num_samples": 2.0}), ("WeightedRandomSampler", ([1, 2], 0), {}),
    ("WeightedRandomSampler", ([1, 2], 2), {"replacement": 1}),
    ("WeightedRandomSampler", ([[1, 2]], 2), {}), ("BatchSampler", ([1], 0, False), {}),
    ("BatchSampler", ([1], 1, 1), {}), ("BatchSampler", ([1], True, False), {}),
]


@pytest.mark.parametrize("name,args,kwargs", SAMPLER_CALLS, ids=[str(c) for c in SAMPLER_CALLS])
def test_sampler_argument_checks_are_pytorchs(name, args, kwargs):
    with pytest.raises(Exception) as theirs:
        getattr(tdata, name)(*args, **kwargs)
    with pytest.raises(theirs.type, match=str(theirs.value).replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        getattr(D, name)(*args, **kwargs)


# ---- worker processes (fork on Linux: each loader starts in a few hundredths of a second) ----

class Squares(D.Dataset):
    def __len__(self):
        return 23

    def __getitem__(self, i):
        if i == 13 and getattr(self, "broken", False):
            raise ValueError("sample 13 is broken on purpose")
        return {"x": np.full(3, i, dtype=np.float32), "y": i * i, "pid": __import__("os").getpid()}


def no_stray_workers():
    gc.collect()
    deadline = time.monotonic() + 3
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.02)
    return multiprocessing.active_children() == []


def test_workers_give_the_batches_of_num_workers_0_in_the_same_order():
    def batches(num_workers, **kwargs):
        loader = D.DataLoader(Squares(), batch_size=4, shuffle=True, num_workers=num_workers,
                              generator=mg.Generator().manual_seed(1), **kwargs)
        return list(loader)
    here, there = batches(0), batches(3, prefetch_factor=1)
    assert [b["y"].tolist() for b in here] == [b["y"].tolist() for b in there]
    assert [b["x"].tolist() for b in here] == [b["x"].tolist() for b in there]
    assert there[0]["x"].dtype == mg.float32 and there[0]["y"].dtype == mg.int64
    assert len({int(p) for b in there for p in b["pid"].tolist()}) == 3  # really three processes
    assert {int(p) for b in here for p in b["pid"].tolist()} == {__import__("os").getpid()}
    assert no_stray_workers()


def test_iterable_datasets_with_workers_interleave_as_pytorchs():
    for split in (True, False):  # without get_worker_info, each worker gives the whole stream
        ours = [b.tolist() for b in D.DataLoader(Count(7, split), batch_size=2, num_workers=2)]
        theirs = [b.tolist() for b in tdata.DataLoader(TorchCount(7, split), batch_size=2, num_workers=2)]
        assert ours == theirs
    assert no_stray_workers()


def test_an_exception_in_a_worker_reaches_the_caller_with_the_workers_traceback():
    dataset = Squares()
    dataset.broken = True
    with pytest.raises(ValueError) as error:
        list(D.DataLoader(dataset, batch_size=2, num_workers=2))
    text = str(error.value)
    assert "Caught ValueError in DataLoader worker process 0" in text
    assert "Traceback (most recent call last)" in text and "in __getitem__" in text
    assert "sample 13 is broken on purpose" in text
    del error
    assert no_stray_workers()


def fail_to_start(worker_id):
    raise KeyError(f"no setup for worker {worker_id}")


def test_worker_init_fn_runs_in_each_worker_and_its_failure_is_reported():
    with pytest.raises(KeyError, match="Caught KeyError in DataLoader worker process 0"):
        list(D.DataLoader(Squares(), num_workers=1, worker_init_fn=fail_to_start))
    assert no_stray_workers()


def test_breaking_out_early_leaves_no_worker_processes():
    for batch in D.DataLoader(Squares(), batch_size=2, num_workers=2):
        assert batch["y"].tolist() == [0, 1]
        break
    assert no_stray_workers()


class Slow(D.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(5)
        return i


def test_a_timeout_is_a_runtime_error_as_pytorchs():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(iter(D.DataLoader(Slow(), num_workers=1, timeout=0.2)))
    assert time.monotonic() - start < 2.5 and no_stray_workers()


def test_persistent_workers_serve_every_epoch_then_leave_with_the_loader():
    loader = D.DataLoader(Squares(), batch_size=5, num_workers=2, persistent_workers=True,
                          sampler=list(range(22, -1, -1)))
    expected = [list(range(22, -1, -1))[i:i + 5] for i in range(0, 23, 5)]
    first = [b["y"].tolist() for b in loader]
    pids = {int(p) for b in loader for p in b["pid"].tolist()}
    for _ in loader:
        break  # an epoch cut short: the next one starts clean
    assert first == [[i * i for i in chunk] for chunk in expected]
    assert [b["y"].tolist() for b in loader] == first
    assert {int(p) for b in loader for p in b["pid"].tolist()} == pids  # the same two processes
    del loader
    assert no_stray_workers()


def test_get_worker_info_is_none_in_the_main_process():
    assert D.get_worker_info() is None


# ---- pad_sequence, for collate functions of variable-length samples ----

@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_matches_pytorchs_values_and_gradients(batch_first, padding_side):
    from torch.nn.utils.rnn import pad_sequence
    arrays = [np.random.default_rng(i).normal(size=(n, 2)) for i, n in enumerate((3, 1, 4))]
    ours = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = nn.utils.rnn.pad_sequence(ours, batch_first, -1.5, padding_side)
    expected = pad_sequence(theirs, batch_first, -1.5, padding_side)
    np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
    weight = np.arange(expected.numel(), dtype=np.float64).reshape(tuple(expected.shape))
    (out * mg.tensor(weight)).sum().backward()
    (expected * torch.tensor(weight)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_pad_sequence_dtype_and_errors_are_pytorchs():
    from torch.nn.utils.rnn import pad_sequence
    ints = nn.utils.rnn.pad_sequence([mg.tensor([1, 2]), mg.tensor([3])], padding_value=0.5)
    assert ints.dtype == mg.int64 and ints.tolist() == pad_sequence(
        [torch.tensor([1, 2]), torch.tensor([3])], padding_value=0.5).tolist()
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        nn.utils.rnn.pad_sequence([])
    with pytest.raises(RuntimeError, match="padding_side to be one of left or right, but got middle"):
        nn.utils.rnn.pad_sequence([mg.ones(2)], padding_side="middle")
    with pytest.raises(RuntimeError, match=r"sequence 0 has shape \(2, 2\), sequence 1 has shape \(1, 3\)"):
        nn.utils.rnn.pad_sequence([mg.ones(2, 2), mg.ones(1, 3)])


class Draws(D.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return mg.rand(1).item(), D.get_worker_info().seed if D.get_worker_info() else -1


def test_workers_are_seeded_apart_and_take_nothing_from_the_shuffling_generator():
    def after(num_workers):
        mg.manual_seed(7)
        list(D.DataLoader(Squares(), batch_size=5, shuffle=True, num_workers=num_workers))
        return mg.rand(1).item()
    assert after(0) == after(2)  # the default generator is left where num_workers=0 leaves it
    batches = list(D.DataLoader(Draws(), batch_size=2, num_workers=2))
    assert batches[0][1].tolist()[0] != batches[1][1].tolist()[0]  # two seeds...
    assert len({b[0].tolist()[0] for b in batches}) == 2  # ...so two different first draws
    assert no_stray_workers()
