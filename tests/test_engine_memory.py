"""No reference cycles between tensors and nodes: memory stays flat with the garbage collector off,
and deep graphs backpropagate (and are freed) without recursion."""
import gc
import time
import tracemalloc

import numpy as np

import minigrad as mg
import minigrad.functional as F


def training_step(x, labels, w1, b1, w2, b2, lr=0.01):
    hidden = F.linear(x, w1, b1).relu()
    scores = hidden @ w2.T + b2
    log_probs = scores.log_softmax(1)
    loss = -(log_probs[np.arange(len(labels)), labels]).mean() + (w1 * w1).sum() * 1e-4
    loss.backward()
    with mg.no_grad():
        for p in (w1, b1, w2, b2):
            p -= lr * p.grad
            p.grad = None
    return loss.item()


def make_problem():
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((16, 8)).astype(np.float32))
    labels = rng.integers(0, 3, 16)
    params = [mg.tensor(rng.standard_normal(s).astype(np.float32) * 0.3, requires_grad=True)
              for s in ((12, 8), (12,), (3, 12), (3,))]
    return x, labels, params


def test_two_thousand_training_steps_with_gc_disabled_keep_memory_flat():
    x, labels, params = make_problem()
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):  # warm up caches (numpy, hooks tables) before measuring
            training_step(x, labels, *params)
        tracemalloc.start()
        # A full collection also empties CPython's free lists (2,000 spare tuples would otherwise
        # look like growth); with the collector off it is the only one that runs.
        gc.collect()
        start, _ = tracemalloc.get_traced_memory()
        for _ in range(2000):
            training_step(x, labels, *params)
        in_cycles = gc.collect()
        end, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        if was_enabled:
            gc.enable()
    growth = end - start
    assert in_cycles == 0, f"2000 steps left {in_cycles} objects in reference cycles"
    # One leaked tensor per step would already be ~200 KB over 2000 steps, a leaked graph MBs.
    assert growth < 64 * 1024, f"memory grew by {growth} bytes over 2000 steps"


def test_a_training_step_leaves_nothing_for_the_garbage_collector():
    x, labels, params = make_problem()
    training_step(x, labels, *params)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        training_step(x, labels, *params)
        found = gc.collect()
    finally:
        if was_enabled:
            gc.enable()
    assert found == 0, f"the step left {found} objects in reference cycles"


def test_a_graph_that_is_dropped_without_backward_is_freed_by_reference_counting():
    x = mg.randn(4, 4, requires_grad=True)
    gc.disable()
    try:
        gc.collect()
        for _ in range(10):
            y = (x @ x).tanh().sum(0).softmax(0)
            y.register_hook(lambda g: g)
            y.retain_grad()
            del y
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0


def test_a_chain_100000_ops_deep_backpropagates_in_seconds():
    x = mg.tensor(1.0, requires_grad=True)
    start = time.perf_counter()
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.backward()
    del y  # dropping the freed chain must not recurse either
    elapsed = time.perf_counter() - start
    assert x.grad.item() == 1.0
    assert elapsed < 20, f"100,000-deep forward+backward took {elapsed:.1f} s"


def test_a_deep_chain_of_mixed_ops_keeps_the_chain_rule_exact():
    x = mg.tensor(0.5, dtype=mg.float64, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = (y * 1.0001).tanh() + y * 0.0  # a long path through three kinds of node
    y.backward()
    # the same recurrence, differentiated by hand
    value, derivative = 0.5, 1.0
    for _ in range(20_000):
        t = np.tanh(value * 1.0001)
        derivative *= (1 - t * t) * 1.0001
        value = t
    assert np.isclose(x.grad.item(), derivative, rtol=1e-9)


def test_backward_frees_what_an_op_saved_beyond_its_inputs():
    # cross-entropy keeps softmax(z), an (N, C) array, for its backward: a loss tensor kept
    # after backward() must not keep it alive.
    import minigrad.functional as F
    z = mg.randn(64, 10, requires_grad=True)
    loss = F.cross_entropy(z, mg.tensor(np.arange(64) % 10))
    node = loss.grad_fn
    assert node.probs is not None and node.probs.shape == (64, 10)
    loss.backward()
    for slot in ("inputs", "output", *type(node).saved):
        assert getattr(node, slot) is None, slot

