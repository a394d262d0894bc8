"""mg.Generator, seeding, and what can be checked of random draws: reproducibility, support,
moments (against the distributions' closed forms) and PyTorch's API and exception types.
minigrad's numbers are its own (numpy's PCG64), not PyTorch's: only the behaviour is compared."""
import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import nn

DRAWS = {
    "rand": lambda g: mg.rand(3, 4, generator=g),
    "randn": lambda g: mg.randn((5,), generator=g),
    "randint": lambda g: mg.randint(0, 10, (6,), generator=g),
    "randperm": lambda g: mg.randperm(7, generator=g),
    "normal": lambda g: mg.normal(mg.zeros(4), mg.ones(4), generator=g),
    "normal of numbers": lambda g: mg.normal(1.0, 2.0, (4,), generator=g),
    "bernoulli": lambda g: mg.bernoulli(mg.full((8,), 0.5), generator=g),
    "multinomial": lambda g: mg.multinomial(mg.ones(2, 5), 3, generator=g),
    "rand_like": lambda g: mg.rand_like(mg.zeros(3), generator=g),
    "uniform_": lambda g: mg.zeros(4).uniform_(-1, 1, generator=g),
    "normal_": lambda g: mg.zeros(4).normal_(2.0, 0.5, generator=g),
    "bernoulli_": lambda g: mg.zeros(6).bernoulli_(0.3, generator=g),
    "random_": lambda g: mg.zeros(4).random_(0, 100, generator=g),
    "exponential_": lambda g: mg.zeros(4).exponential_(2.0, generator=g),
    "rrelu training": lambda g: F.rrelu(-mg.ones(5), training=True, generator=g),
}


@pytest.mark.parametrize("name", DRAWS)
def test_the_same_seed_gives_the_same_numbers(name):
    first = DRAWS[name](mg.Generator().manual_seed(123)).data
    again = DRAWS[name](mg.Generator().manual_seed(123)).data
    other = DRAWS[name](mg.Generator().manual_seed(124)).data
    np.testing.assert_array_equal(first, again)
    assert first.size < 2 or not np.array_equal(first, other)


@pytest.mark.parametrize("name", DRAWS)
def test_without_a_generator_the_default_one_is_drawn_from(name):
    mg.manual_seed(5)
    first = DRAWS[name](None).data
    mg.manual_seed(5)
    np.testing.assert_array_equal(DRAWS[name](None).data, first)
    np.testing.assert_array_equal(DRAWS[name](mg.Generator().manual_seed(5)).data, first)


def test_a_generator_of_its_own_leaves_the_default_one_alone():
    mg.manual_seed(0)
    expected = mg.rand(3).data
    mg.manual_seed(0)
    mg.rand(100, generator=mg.Generator().manual_seed(1))
    np.testing.assert_array_equal(mg.rand(3).data, expected)


def test_dropout_and_init_draw_from_the_default_generator():
    def draw():
        mg.manual_seed(7)
        layer = nn.Linear(3, 2)
        mask = F.dropout(mg.ones(10), 0.5)
        return np.concatenate([layer.weight.data.ravel(), mask.data])

    np.testing.assert_array_equal(draw(), draw())


def test_manual_seed_returns_the_default_generator_as_pytorch():
    torch = pytest.importorskip("torch")
    assert isinstance(torch.manual_seed(3), torch.Generator)
    assert mg.manual_seed(3) is mg.default_generator
    assert mg.initial_seed() == 3 and mg.default_generator.initial_seed() == 3
    g = mg.Generator()
    assert g.manual_seed(9) is g


def test_a_new_generator_starts_from_pytorchs_default_seed():
    torch = pytest.importorskip("torch")
    assert mg.Generator().initial_seed() == torch.Generator().initial_seed()


@pytest.mark.parametrize("seed", [0, 1, -1, -(2 ** 63), 2 ** 64 - 1])
def test_initial_seed_reads_a_seed_as_pytorch(seed):
    torch = pytest.importorskip("torch")
    theirs = torch.Generator().manual_seed(seed).initial_seed()
    assert mg.Generator().manual_seed(seed).initial_seed() == theirs


@pytest.mark.parametrize("seed", [1.5, True, "3", 2 ** 64, -(2 ** 63) - 1])
def test_a_bad_seed_raises_pytorchs_exception(seed):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        torch.Generator().manual_seed(seed)
    with pytest.raises(theirs.type, match="manual_seed"):
        mg.Generator().manual_seed(seed)


def test_a_numpy_integer_is_a_seed():
    assert mg.Generator().manual_seed(np.int64(5)).initial_seed() == 5


def test_seed_draws_a_fresh_seed_and_returns_it():
    g = mg.Generator()
    first = g.seed()
    assert g.initial_seed() == first and 0 <= first < 2 ** 64
    assert g.seed() != first  # (a 64-bit draw twice alike: 1 in 2**64)
    assert mg.seed() == mg.initial_seed()


def test_a_saved_state_restores_the_stream_exactly():
    g = mg.Generator().manual_seed(11)
    mg.randn(3, generator=g)  # somewhere in the stream, not at its start
    state = g.get_state()
    expected = [mg.randn(5, generator=g).data, mg.randint(0, 2 ** 40, (3,), generator=g).data]
    other = mg.Generator().set_state(state)
    again = [mg.randn(5, generator=other).data, mg.randint(0, 2 ** 40, (3,), generator=other).data]
    for a, b in zip(expected, again):
        np.testing.assert_array_equal(a, b)
    assert state.dtype == np.uint8 and state.ndim == 1 and not state.requires_grad
    assert other.initial_seed() == 11


def test_the_default_generators_state_round_trips():
    mg.manual_seed(2)
    state = mg.get_rng_state()
    expected = mg.rand(4).data
    mg.rand(10)
    mg.set_rng_state(state)
    np.testing.assert_array_equal(mg.rand(4).data, expected)


def test_get_state_returns_a_copy():
    g = mg.Generator().manual_seed(0)
    state = g.get_state()
    before = state.data.copy()
    mg.rand(3, generator=g)
    np.testing.assert_array_equal(state.data, before)


@pytest.mark.parametrize("bad", ["a list", "float tensor", "wrong size"])
def test_a_bad_state_raises_pytorchs_exception(bad):
    torch = pytest.importorskip("torch")
    theirs_state = {"a list": [1, 2], "float tensor": torch.zeros(5056),
                    "wrong size": torch.zeros(3, dtype=torch.uint8)}[bad]
    ours_state = {"a list": [1, 2], "float tensor": mg.zeros(56),
                  "wrong size": mg.zeros(3, dtype=np.uint8)}[bad]
    with pytest.raises(Exception) as theirs:
        torch.set_rng_state(theirs_state)
    with pytest.raises(theirs.type, match="state"):
        mg.set_rng_state(ours_state)


def test_a_generator_lives_on_the_cpu_only():
    assert mg.Generator().device == mg.device("cpu")
    assert mg.Generator(device=mg.device("cpu")).device == mg.device("cpu")
    with pytest.raises(RuntimeError, match="Generator"):
        mg.Generator(device="cuda")


def test_a_generator_of_another_kind_is_refused_with_pytorchs_type():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.randn(2, generator=np.random.default_rng())
    with pytest.raises(TypeError, match="randn: generator must be a minigrad Generator"):
        mg.randn(2, generator=np.random.default_rng())


# ---------------------------------------------------------------------------------------------
# The distributions: support and moments (closed forms; 20,000 draws: 5 standard errors)
# ---------------------------------------------------------------------------------------------
N = 20000


def _generator():
    return mg.Generator().manual_seed(2024)


def _close(sample, mean, std_of_one):
    assert abs(sample.mean() - mean) < 5 * std_of_one / np.sqrt(sample.size)


def test_rand_is_uniform_on_zero_one():
    x = mg.rand(N, generator=_generator(), dtype=mg.float64).data
    assert x.min() >= 0 and x.max() < 1
    _close(x, 0.5, np.sqrt(1 / 12))
    _close(x ** 2, 1 / 3, np.sqrt(1 / 5 - 1 / 9))


def test_randn_and_normal_have_their_mean_and_variance():
    z = mg.randn(N, generator=_generator()).data.astype(np.float64)
    _close(z, 0.0, 1.0)
    _close(z ** 2, 1.0, np.sqrt(2.0))
    y = mg.normal(mg.full((N,), 3.0), mg.full((N,), 0.5), generator=_generator()).data
    _close(y, 3.0, 0.5)
    _close((y - 3.0) ** 2, 0.25, 0.25 * np.sqrt(2.0))
    _close(mg.zeros(N).normal_(-1.0, 2.0, generator=_generator()).data, -1.0, 2.0)


def test_normal_broadcasts_mean_and_std_and_keeps_the_means_dtype():
    torch = pytest.importorskip("torch")
    ours = mg.normal(mg.zeros(2, 1), mg.ones(3, dtype=mg.float64))
    theirs = torch.normal(torch.zeros(2, 1), torch.ones(3, dtype=torch.float64))
    assert ours.shape == tuple(theirs.shape) and str(ours.dtype) == str(theirs.dtype).split(".")[1]
    with pytest.raises(RuntimeError, match="std >= 0"):
        mg.normal(mg.zeros(2), -mg.ones(2))
    with pytest.raises(RuntimeError, match="normal"):
        mg.normal(mg.zeros(2), mg.ones(3))
    with pytest.raises(TypeError, match="size"):
        mg.normal(0.0, 1.0)


def test_bernoulli_is_one_with_probability_p():
    p = mg.full((N,), 0.3, dtype=mg.float64)
    x = mg.bernoulli(p, generator=_generator()).data
    assert set(np.unique(x)) <= {0.0, 1.0} and x.dtype == np.float64
    _close(x, 0.3, np.sqrt(0.3 * 0.7))
    _close(mg.bernoulli(mg.zeros(N), 0.8, generator=_generator()).data, 0.8, 0.4)
    _close(mg.zeros(N, dtype=mg.int64).bernoulli_(0.6, generator=_generator()).data, 0.6, np.sqrt(0.24))


def test_exponential_has_mean_one_over_lambda():
    x = mg.zeros(N, dtype=mg.float64).exponential_(4.0, generator=_generator()).data
    assert x.min() >= 0
    _close(x, 0.25, 0.25)


def test_randint_and_random_cover_their_range_uniformly():
    x = mg.randint(-2, 3, (N,), generator=_generator()).data
    assert x.dtype == np.int64 and set(np.unique(x)) == {-2, -1, 0, 1, 2}
    _close(x.astype(float), 0.0, np.sqrt(2.0))
    y = mg.zeros(N, dtype=mg.int32).random_(10, generator=_generator()).data
    assert y.dtype == np.int32 and set(np.unique(y)) == set(range(10))
    u8 = mg.zeros(1000, dtype=np.uint8).random_(generator=_generator()).data
    assert u8.max() > 200  # random_() spans the dtype: 0..255


def test_randperm_is_a_permutation():
    p = mg.randperm(50, generator=_generator())
    assert p.dtype == np.int64
    np.testing.assert_array_equal(np.sort(p.data), np.arange(50))
    assert mg.randperm(4, dtype=mg.float32).dtype == np.float32


def test_multinomial_draws_in_proportion_to_the_weights():
    weights = mg.tensor([1.0, 0.0, 3.0])
    draws = mg.multinomial(weights, N, replacement=True, generator=_generator()).data
    assert draws.dtype == np.int64 and 1 not in draws
    _close((draws == 2).astype(float), 0.75, np.sqrt(0.75 * 0.25))


def test_multinomial_without_replacement_takes_each_category_once():
    rows = mg.multinomial(mg.ones(200, 6), 6, generator=_generator()).data
    assert all(sorted(r) == list(range(6)) for r in rows)
    # a category of weight 0 comes last (PyTorch's answer for [0, 1, 0] with 2 draws: 1 first)
    assert all(r[0] == 1 for r in mg.multinomial(mg.tensor([[0.0, 1.0, 0.0]] * 50), 2).data)
    first = mg.multinomial(mg.tensor([[1.0, 9.0]] * N), 1, generator=_generator()).data
    _close((first == 1).astype(float), 0.9, 0.3)


@pytest.mark.parametrize("call", [
    lambda lib: lib.multinomial(lib.tensor([1.0, 1.0]), 3),
    lambda lib: lib.multinomial(lib.tensor([-1.0, 1.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, 1.0]), 0),
    lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    lambda lib: lib.multinomial(lib.tensor([1, 1]), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, float("nan")]), 1),
    lambda lib: lib.bernoulli(lib.tensor([2.0])),
    lambda lib: lib.bernoulli(lib.tensor([1, 0])),
    lambda lib: lib.normal(lib.zeros(2, dtype=lib.int64), 1.0),
    lambda lib: lib.rand(2, dtype=lib.int64),
    lambda lib: lib.randn(2, dtype=lib.int64),
    lambda lib: lib.randint(5, 1, (2,)),
    lambda lib: lib.randint(0.5, 5, (2,)),
    lambda lib: lib.randint(0, 300, (2,), dtype=getattr(lib, "uint8", np.uint8)),
    lambda lib: lib.randint(3, (2,), requires_grad=True),
    lambda lib: lib.randperm(-1),
    lambda lib: lib.randperm(2.5),
    lambda lib: lib.rand_like(lib.zeros(2, dtype=lib.int64)),
    lambda lib: lib.zeros(3).uniform_(2, 1),
    lambda lib: lib.zeros(3, dtype=lib.int64).uniform_(),
    lambda lib: lib.zeros(3).normal_(0, -1),
    lambda lib: lib.zeros(3).random_(5, 2),
    lambda lib: lib.zeros(3).bernoulli_(2.0),
    lambda lib: lib.zeros(3).exponential_(0.0),
    lambda lib: lib.zeros(3, dtype=lib.int64).exponential_(),
])
def test_a_bad_draw_raises_pytorchs_exception_type(call):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(theirs.type):
        call(mg)


def test_a_draw_sends_a_zero_gradient_to_its_parameters_as_pytorch():
    torch = pytest.importorskip("torch")
    for lib in (torch, mg):
        mean = lib.zeros(3, requires_grad=True)
        std = lib.ones(3, requires_grad=True)
        p = lib.full((3,), 0.5, requires_grad=True)
        out = lib.normal(mean, std)
        draw = lib.bernoulli(p)
        assert out.requires_grad and draw.requires_grad
        (out.sum() + draw.sum()).backward()
        for leaf in (mean, std, p):
            np.testing.assert_array_equal(np.asarray(leaf.grad.tolist()), np.zeros(3))


def test_requires_grad_on_random_factories():
    assert mg.rand(2, requires_grad=True).requires_grad
    assert mg.randn_like(mg.zeros(2), requires_grad=True).requires_grad
    assert mg.randint(0, 3, (2,), dtype=mg.float32, requires_grad=True).requires_grad
    assert not mg.multinomial(mg.ones(3, requires_grad=True), 1).requires_grad


def test_a_dataloader_shuffles_with_a_minigrad_generator_as_with_pytorchs():
    data = nn.data.TensorDataset(mg.arange(10))

    def order(seed):
        loader = nn.data.DataLoader(data, batch_size=10, shuffle=True,
                                    generator=mg.Generator().manual_seed(seed))
        return next(iter(loader))[0].tolist()

    assert order(3) == order(3) and sorted(order(3)) == list(range(10)) and order(3) != order(4)
