"""minigrad's benchmark: speed and memory against a hand-written numpy floor (and PyTorch).

    python benchmarks/run.py                     # W1 W2 W3, both thread passes, memory, chains
    python benchmarks/run.py --workload W2 --threads 1 --reps 11
    python benchmarks/run.py --quick             # CI smoke run without torch: not for numbers
    python benchmarks/run.py --markdown docs/benchmarks-table.md

Workloads (the same seeds and data as the shared harness, shared/bench/bench.py):
  W1  MLP 784-256-256-10, ReLU, batch 128, mean softmax cross-entropy, backward, SGD lr=0.1
  W2  x of shape (4, 4): 200 x y = tanh(y * 1.0001 + 0.0001); y.sum(); backward (601 ops)
  W3  MLP 2-16-16-1 on 100 two-moons points, mean hinge loss, backward, SGD lr=0.1

Method.  Each thread pass runs in its own subprocess, so that OMP/OPENBLAS/MKL_NUM_THREADS=1
take effect before numpy and torch load.  Inside a pass the engines run in one process, in
turn (round-robin, the order rotated every repetition), so that a noisy machine slows them
alike; the ratio to the floor is the median of the per-repetition ratios.  Before timing,
every engine runs one step from the floor's initial weights and its loss and parameter
update (W2: input gradient) must match the floor's to a relative 1e-4, else it is not timed.
Only ratios measured in one run mean anything on a shared machine.
"""
from __future__ import annotations

import argparse
import functools
import gc
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from types import SimpleNamespace

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # minigrad and nn from this checkout

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
PASSES = {"default": "library default threads", "1": "everything pinned to 1 thread"}
ENGINES = ("numpy", "minigrad", "torch")
W2_ITERATIONS, W2_OPS = 200, 3 * 200 + 1  # mul, add, tanh per iteration, then the sum
RTOL = 1e-4
TARGETS = {"W1": 1.2, "W2": 4.0, "W3": 3.5}  # the house issue: within 1.2x, 4x and 3.5x of the floor
MEMORY_TARGET, CHAIN_TARGET = 1.3, 1.5


# ---- Data: float32, weights in (in, out) layout, exactly the harness's seeds and draws -------
def make_data(workload: str) -> dict:
    f32 = np.float32
    if workload == "W1":
        rng = np.random.default_rng(1)
        X = rng.standard_normal((128, 784))
        y = rng.integers(0, 10, 128).astype(np.int64)
        params = []
        for n_in, n_out in [(784, 256), (256, 256), (256, 10)]:
            params.append(rng.standard_normal((n_in, n_out)) * math.sqrt(2.0 / n_in))  # He init
            params.append(rng.standard_normal(n_out) * 0.01)
        return {"X": X.astype(f32), "y": y, "params": [p.astype(f32) for p in params], "lr": 0.1}
    if workload == "W2":
        rng = np.random.default_rng(2)
        return {"x": rng.uniform(-1, 1, (4, 4)).astype(f32), "a": 1.0001, "c": 0.0001}
    if workload == "W3":
        rng = np.random.default_rng(3)
        label = np.arange(100) % 2
        t = rng.uniform(0, np.pi, 100)
        upper = np.stack([np.cos(t), np.sin(t)], 1)
        lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)
        X = np.where(label[:, None] == 0, upper, lower)
        X = X + rng.normal(0, 0.1, X.shape)
        params = []
        for n_in, n_out in [(2, 16), (16, 16), (16, 1)]:  # micrograd's init: U(-1, 1), zero bias
            params.append(rng.uniform(-1, 1, (n_in, n_out)))
            params.append(np.zeros(n_out))
        y = (2.0 * label - 1.0)[:, None]  # labels -1 / +1, shape (100, 1)
        return {"X": X.astype(f32), "y": y.astype(f32), "params": [p.astype(f32) for p in params],
                "lr": 0.1}
    raise ValueError(f"unknown workload {workload!r}")


# ---- Engines ---------------------------------------------------------------------------------
# BUILDERS[engine, workload](data) -> (step, result, params): step() runs one training step and
# returns the loss; result(loss) gives {"loss": float, "params": [arrays, (in, out) layout]} or
# {"loss": float, "grad": array}; params are the engine's own parameters (for the dtype report).
def numpy_w1(D):
    """Forward, backward and update by hand: preallocated buffers, ufuncs with out=, and the
    fused softmax-cross-entropy gradient (softmax - onehot) / N."""
    X, y, lr = D["X"], D["y"], D["lr"]
    params = [p.copy() for p in D["params"]]
    W1, b1, W2, b2, W3, b3 = params
    grads = [np.empty_like(p) for p in params]
    gW1, gb1, gW2, gb2, gW3, gb3 = grads
    n = X.shape[0]
    rows = np.arange(n)
    h1, h2 = np.empty((n, 256), np.float32), np.empty((n, 256), np.float32)
    logits, probs = np.empty((n, 10), np.float32), np.empty((n, 10), np.float32)
    row_max, row_sum = np.empty((n, 1), np.float32), np.empty((n, 1), np.float32)
    d1, d2 = np.empty_like(h1), np.empty_like(h2)

    def step():
        np.matmul(X, W1, out=h1); np.add(h1, b1, out=h1); np.maximum(h1, 0, out=h1)  # noqa: E702
        np.matmul(h1, W2, out=h2); np.add(h2, b2, out=h2); np.maximum(h2, 0, out=h2)  # noqa: E702
        np.matmul(h2, W3, out=logits); np.add(logits, b3, out=logits)  # noqa: E702
        np.max(logits, axis=1, keepdims=True, out=row_max)
        np.subtract(logits, row_max, out=logits)
        np.exp(logits, out=probs)
        np.sum(probs, axis=1, keepdims=True, out=row_sum)
        loss = (np.log(row_sum).sum() - logits[rows, y].sum()) / n
        np.divide(probs, row_sum * n, out=probs)  # d loss / d logits = (softmax - onehot) / n
        probs[rows, y] -= 1.0 / n
        np.matmul(h2.T, probs, out=gW3); np.sum(probs, axis=0, out=gb3)  # noqa: E702
        np.matmul(probs, W3.T, out=d2); np.multiply(d2, h2 > 0, out=d2)  # noqa: E702
        np.matmul(h1.T, d2, out=gW2); np.sum(d2, axis=0, out=gb2)  # noqa: E702
        np.matmul(d2, W2.T, out=d1); np.multiply(d1, h1 > 0, out=d1)  # noqa: E702
        np.matmul(X.T, d1, out=gW1); np.sum(d1, axis=0, out=gb1)  # noqa: E702
        for p, g in zip(params, grads):
            g *= lr
            p -= g
        return loss

    return step, lambda loss: {"loss": float(loss), "params": [p.copy() for p in params]}, params


def numpy_w2(D):
    """The same 601 elementary ops one numpy call each, into preallocated buffers; backward
    uses d/dy tanh(a y + c) = a (1 - t^2) with the saved outputs t."""
    x, a, c = D["x"], D["a"], D["c"]
    saved = np.empty((W2_ITERATIONS,) + x.shape, x.dtype)
    scratch, grad = np.empty_like(x), np.empty_like(x)

    def step():
        y = x
        for t in saved:
            np.multiply(y, a, out=scratch)
            np.add(scratch, c, out=scratch)
            y = np.tanh(scratch, out=t)
        total = y.sum()
        grad.fill(1.0)
        for t in saved[::-1]:
            np.multiply(t, t, out=scratch)
            np.subtract(1.0, scratch, out=scratch)
            np.multiply(scratch, a, out=scratch)
            np.multiply(grad, scratch, out=grad)
        return total

    return step, lambda total: {"loss": float(total), "grad": grad.copy()}, []


def numpy_w3(D):
    X, y, lr = D["X"], D["y"], D["lr"]
    params = [p.copy() for p in D["params"]]
    W1, b1, W2, b2, W3, b3 = params
    n = X.shape[0]

    def step():
        h1 = X @ W1; h1 += b1; np.maximum(h1, 0, out=h1)  # noqa: E702
        h2 = h1 @ W2; h2 += b2; np.maximum(h2, 0, out=h2)  # noqa: E702
        margin = 1.0 - y * (h2 @ W3 + b3)
        active = margin > 0
        loss = margin.sum(where=active) / n
        d_score = -y * active / n  # d/ds mean(relu(1 - y s))
        d2 = d_score @ W3.T; d2 *= h2 > 0  # noqa: E702
        d1 = d2 @ W2.T; d1 *= h1 > 0  # noqa: E702
        grads = (X.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), h2.T @ d_score, d_score.sum(0))
        for p, g in zip(params, grads):
            g *= lr
            p -= g
        return loss

    return step, lambda loss: {"loss": float(loss), "params": [p.copy() for p in params]}, params


def library(engine: str) -> SimpleNamespace:
    """minigrad speaks PyTorch's API, so one adapter per workload serves both; these are the
    only differences (how a numpy array becomes a tensor, how weights are loaded)."""
    if engine == "minigrad":
        import minigrad as mg
        import nn

        def load(param, array):
            param.data = array.copy()  # C-contiguous, and never the shared data's own array

        return SimpleNamespace(nn=nn, optim=nn.optim, F=mg.functional, load=load,
                               constant=mg.tensor, leaf=lambda a: mg.tensor(a.copy(), requires_grad=True))
    import torch

    def load(param, array):
        with torch.no_grad():
            param.copy_(torch.from_numpy(array))

    return SimpleNamespace(nn=torch.nn, optim=torch.optim, F=torch.nn.functional, load=load,
                           constant=torch.from_numpy, leaf=lambda a: torch.tensor(a, requires_grad=True))


def as_numpy(t) -> np.ndarray:
    return t.detach().numpy().copy()


def eager_w1(engine, D):
    lib = library(engine)
    layers = [lib.nn.Linear(784, 256), lib.nn.Linear(256, 256), lib.nn.Linear(256, 10)]
    for layer, W, b in zip(layers, D["params"][0::2], D["params"][1::2]):
        lib.load(layer.weight, W.T)  # weight is (out, in) in both
        lib.load(layer.bias, b)
    params = [p for layer in layers for p in (layer.weight, layer.bias)]
    optimizer = lib.optim.SGD(params, lr=D["lr"])
    X, y = lib.constant(D["X"]), lib.constant(D["y"])

    def step():
        optimizer.zero_grad()
        h = layers[0](X).relu()
        h = layers[1](h).relu()
        loss = lib.F.cross_entropy(layers[2](h), y)
        loss.backward()
        optimizer.step()
        return loss

    def result(loss):  # back to the floor's (in, out) layout
        return {"loss": loss.item(), "params": [as_numpy(p.T if p.ndim == 2 else p) for p in params]}

    return step, result, params


def eager_w2(engine, D):
    x = library(engine).leaf(D["x"])
    a, c = D["a"], D["c"]

    def step():
        x.grad = None
        y = x
        for _ in range(W2_ITERATIONS):
            y = (y * a + c).tanh()
        total = y.sum()
        total.backward()
        return total

    return step, lambda total: {"loss": total.item(), "grad": as_numpy(x.grad)}, [x]


def eager_w3(engine, D):
    lib = library(engine)
    X, y_negated, inv_n = lib.constant(D["X"]), lib.constant(-D["y"]), 1.0 / len(D["X"])
    params = [lib.leaf(p) for p in D["params"]]
    W1, b1, W2, b2, W3, b3 = params
    optimizer = lib.optim.SGD(params, lr=D["lr"])

    def step():
        optimizer.zero_grad()
        h = (X @ W1 + b1).relu()
        h = (h @ W2 + b2).relu()
        loss = (y_negated * (h @ W3 + b3) + 1.0).relu().sum() * inv_n  # the harness's spelling
        loss.backward()
        optimizer.step()
        return loss

    return step, lambda loss: {"loss": loss.item(), "params": [as_numpy(p) for p in params]}, params


BUILDERS = {("numpy", "W1"): numpy_w1, ("numpy", "W2"): numpy_w2, ("numpy", "W3"): numpy_w3}
for _engine in ("minigrad", "torch"):
    for _workload, _adapter in (("W1", eager_w1), ("W2", eager_w2), ("W3", eager_w3)):
        BUILDERS[_engine, _workload] = functools.partial(_adapter, _engine)


def available(engine: str, workload: str = "W2") -> str | None:
    """None when the engine can run the workload here, else why not."""
    try:
        if engine == "minigrad":
            import minigrad  # noqa: F401
            if workload != "W2" and not hasattr(__import__("nn"), "optim"):
                return "nn.Linear / nn.optim not in this checkout yet"
        elif engine == "torch":
            import torch
            if os.environ.get("OMP_NUM_THREADS") == "1":
                torch.set_num_threads(1)
    except ImportError as error:
        return f"not importable ({error})"
    return None


# ---- Checks: one step from the shared initial weights, compared with the floor's step --------
def relative_errors(result: dict, floor: dict, data: dict) -> dict:
    errors = {"loss": abs(result["loss"] - floor["loss"]) / max(abs(floor["loss"]), 1e-30)}
    if "params" in floor:  # compare the update p_new - p_init, not p_new (which hides it)
        worst = 0.0
        for mine, theirs, start in zip(result["params"], floor["params"], data["params"]):
            update = theirs - start
            worst = max(worst, np.abs((mine - start) - update).max() / max(np.abs(update).max(), 1e-30))
        errors["update"] = float(worst)
    else:
        errors["grad"] = float(np.abs(result["grad"] - floor["grad"]).max() / np.abs(floor["grad"]).max())
    return errors


def minigrad_dtypes(step, params) -> str:
    """Float dtypes of one step: every recorded node's inputs and output (forward), every
    gradient sent backward, and the parameters after the update.  An observer of the backward
    pass sees each node before its saved arrays are freed."""
    from minigrad import engine
    forward, backward = set(), set()

    def observer(node, grad, input_grads):
        forward.update(a.dtype.name for a in (*node.inputs, node.output) if isinstance(a, np.ndarray))
        backward.update(np.asarray(g).dtype.name for g in (grad, *input_grads) if g is not None)

    with engine.observe_backward(observer):
        step()
    floats = lambda names: "+".join(sorted(n for n in names if n.startswith("float"))) or "-"  # noqa: E731
    after = {p.data.dtype.name for p in params}
    after |= {p.grad.data.dtype.name for p in params if p.grad is not None}
    return f"forward {floats(forward)}, backward {floats(backward)}, params+grads {floats(after)}"


# ---- Timing (inside one pass's subprocess) ---------------------------------------------------
def seconds_per_step(step, n: int, pause_s: float = 0.0) -> tuple:
    """Wall-clock and CPU seconds (all of this process's threads) per step over n steps."""
    gc.collect()
    time.sleep(pause_s)  # the previous engine's spinning BLAS/OpenMP threads go idle meanwhile
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        step()
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


def time_workload(workload: str, engines: list, reps: int, block_s: float, pause_s: float) -> dict:
    data = make_data(workload)
    floor_step, floor_result, _ = BUILDERS["numpy", workload](data)
    floor = floor_result(floor_step())
    rows, steps, counts = {}, {}, {}
    for engine in engines:
        why = available(engine, workload)
        if why:
            rows[engine] = {"skipped": why}
            continue
        step, result, params = BUILDERS[engine, workload](data)
        errors = relative_errors(result(step()), floor, data)
        rows[engine] = {"errors": errors, "times": [], "cpu_times": []}
        if max(errors.values()) > RTOL:
            rows[engine]["skipped"] = "result differs from the floor, not timed"
            continue
        if engine == "minigrad":
            rows[engine]["dtypes"] = minigrad_dtypes(step, params)
        estimate = min(seconds_per_step(step, 2)[0] for _ in range(3))  # warm-up and calibration
        steps[engine], counts[engine] = step, max(3, math.ceil(block_s / estimate))
    timed = list(steps)
    for rep in range(reps):
        k = rep % len(timed)
        for engine in timed[k:] + timed[:k]:
            wall, cpu = seconds_per_step(steps[engine], counts[engine], pause_s)
            rows[engine]["times"].append(wall)
            rows[engine]["cpu_times"].append(cpu)
    return rows


def chain_scaling(sizes: list, rounds: int) -> dict:
    """Backward CPU seconds per node of y = y * 1.0001 chains (built outside the timed part).
    The sizes take turns, round after round, so that a change of the machine's load hits all."""
    import minigrad as mg
    per_node = {n: [] for n in sizes}
    for _ in range(rounds):
        for n in sizes:
            for _ in range(max(1, max(sizes) // (5 * n))):  # more chains of the short sizes
                x = mg.tensor(np.ones((4, 4), np.float32), requires_grad=True)
                y = x
                for _ in range(n):
                    y = y * 1.0001
                y = y.sum()
                gc.collect()
                start = time.process_time()  # CPU time: less sensitive to other processes
                y.backward()
                per_node[n].append((time.process_time() - start) / (n + 1))
                del x, y
    return {n: statistics.median(times) for n, times in per_node.items()}


def run_pass(args) -> dict:
    engines = [e for e in ENGINES if not (args.quick and e == "torch")]  # torch: seconds to import
    for engine in engines:
        available(engine, "W1")  # import every engine before freezing the heap
    gc.collect()
    gc.freeze()  # the imports' objects (torch's above all) are not the engines' garbage to scan
    block_s, pause_s = (0.01, 0.01) if args.quick else (0.15, 0.2)
    result = {"workloads": {}, "env": {v: os.environ.get(v) for v in THREAD_VARS}}
    for w in args.workload:
        result["workloads"][w] = time_workload(w, engines, args.reps, block_s, pause_s)
    if "torch" in sys.modules:
        result["torch_threads"] = sys.modules["torch"].get_num_threads()
    if available("minigrad") is None:
        sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
        result["chain"] = chain_scaling(sizes, 2 if args.quick else 5)
    return result


# ---- Peak memory of W1, one engine alone per subprocess --------------------------------------
def measure_memory(engine: str, steps: int) -> dict:
    """Peak memory of one engine's W1 steps (weights, grads, activations, temporaries) above
    the baseline of the imports and the data, measured twice on fresh instances: first the
    growth of ru_maxrss (coarse: whole pages, allocator caches, and the only measure that sees
    torch's allocations), then, for numpy-only engines, tracemalloc's peak (numpy reports every
    buffer to it; it is started second because its own bookkeeping would inflate the RSS)."""
    why = available(engine, "W1")
    if why:
        return {"skipped": why}
    data = make_data("W1")
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    step = BUILDERS[engine, "W1"](data)[0]
    for _ in range(steps):
        step()
    out = {"maxrss_growth_mib": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}
    del step
    if engine != "torch":
        gc.collect()
        tracemalloc.start()
        step = BUILDERS[engine, "W1"](data)[0]
        for _ in range(steps):
            step()
        out["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out


# ---- Parent: run the passes as subprocesses, print the tables --------------------------------
def start_child(argv: list, threads: str) -> subprocess.Popen:
    """This script in a subprocess whose thread variables are set before numpy loads."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    if threads == "1":
        env.update(dict.fromkeys(THREAD_VARS, "1"))
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_child(proc: subprocess.Popen, timeout: float) -> dict:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": err.strip().splitlines()[-1] if err.strip() else f"exit code {proc.returncode}"}
    return json.loads(out.strip().splitlines()[-1])


def paired_ratio(rows: dict, engine: str, key: str = "times") -> float | None:
    floor, mine = rows["numpy"].get(key, []), rows[engine].get(key, [])
    if not mine or len(mine) != len(floor):
        return None
    return statistics.median(m / f for m, f in zip(mine, floor))


def check_text(engine: str, errors: dict | None) -> str:
    if engine == "numpy":
        return "the reference"
    if not errors:
        return "-"
    verdict = "ok" if max(errors.values()) <= RTOL else "MISMATCH"
    return verdict + " (" + ", ".join(f"{k} {v:.0e}" for k, v in errors.items()) + ")"


def verdict(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


def report(passes: dict, memory: dict, args) -> str:
    lines, summary = [], []
    for threads, res in passes.items():
        lines += [f"## Pass: {PASSES[threads]}", ""]
        if "error" in res:
            lines += [f"pass failed: {res['error']}", ""]
            continue
        pinned = threads == "1"
        lines += [f"thread variables {res['env']}; torch threads {res.get('torch_threads', '-')}", "",
                  "| workload | engine | median ms/step | ratio to floor | ratio by CPU time "
                  "| check vs floor (rel. error) |", "|---|---|---|---|---|---|"]
        dtypes = []
        for w, rows in res["workloads"].items():
            for engine, row in rows.items():
                check = check_text(engine, row.get("errors"))
                if "skipped" in row:
                    lines.append(f"| {w} | {engine} | skipped: {row['skipped']} | | | {check} |")
                    continue
                ms = statistics.median(row["times"]) * 1e3
                per_op = f" ({ms * 1e3 / W2_OPS:.2f} µs/op)" if w == "W2" else ""
                ratio, cpu_ratio = paired_ratio(rows, engine), paired_ratio(rows, engine, "cpu_times")
                cpu = f"{cpu_ratio:.2f}x" if pinned else "-"
                lines.append(f"| {w} | {engine} | {ms:.3f}{per_op} | {ratio:.2f}x | {cpu} | {check} |")
                if engine == "minigrad":
                    dtypes.append(f"{w}: {row['dtypes']}")
                    summary.append(f"- {w}, {PASSES[threads]}: minigrad {ratio:.2f}x the floor "
                                   f"(target <= {TARGETS[w]}x): {verdict(ratio, TARGETS[w])}")
        lines += ["", "Float dtypes minigrad computed in: " + "; ".join(dtypes or ["-"])]
        if res.get("chain"):
            per_node = {int(n): t for n, t in res["chain"].items()}
            spread = max(per_node.values()) / min(per_node.values())
            lines += ["", "minigrad backward of a y = y * 1.0001 chain: "
                      + ", ".join(f"{n:,} ops {t * 1e6:.2f} µs/node" for n, t in per_node.items())
                      + f"; slowest / fastest per node {spread:.2f}"]
            summary.append(f"- chain scaling, {PASSES[threads]}: per-node spread {spread:.2f} "
                           f"(target <= {CHAIN_TARGET}): {verdict(spread, CHAIN_TARGET)}")
        lines.append("")
    if memory:
        lines += ["## Peak memory of W1 (one engine per subprocess, above the imports' baseline)", "",
                  "| engine | tracemalloc peak MiB | ru_maxrss growth MiB |", "|---|---|---|"]
        for engine, m in memory.items():
            if "skipped" in m or "error" in m:
                lines.append(f"| {engine} | skipped: {m.get('skipped') or m.get('error')} | |")
                continue
            traced = f"{m['tracemalloc_peak_mib']:.2f}" if "tracemalloc_peak_mib" in m else "n/a (not numpy)"
            lines.append(f"| {engine} | {traced} | {m['maxrss_growth_mib']:.2f} |")
        floor, mine = memory.get("numpy", {}), memory.get("minigrad", {})
        if "tracemalloc_peak_mib" in floor and "tracemalloc_peak_mib" in mine:
            ratio = mine["tracemalloc_peak_mib"] / floor["tracemalloc_peak_mib"]
            summary.append(f"- W1 peak memory (tracemalloc): minigrad {ratio:.2f}x the floor "
                           f"(target <= {MEMORY_TARGET}x): {verdict(ratio, MEMORY_TARGET)}")
        lines.append("")
    if args.quick:
        summary.insert(0, "- (--quick: a smoke run, engines run concurrently; these numbers mean nothing)")
    lines += ["## Targets", "", *(summary or ["- minigrad was not measured"]), "",
              f"Every timed engine first matched the floor's loss and update (W2: input gradient) to "
              f"{RTOL:g} relative (column `check`). {args.reps} repetitions, engines round-robin; ratio "
              "= median of the per-repetition ratios of wall-clock time (CPU time: of the process's "
              "CPU seconds, shown only for the pinned pass, where it is not blurred by threads "
              "spinning, and is robust to other processes' load).", ""]
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="all", help="W1,W2,W3 or all")
    parser.add_argument("--reps", type=int, default=7, help="timed repetitions (default 7)")
    parser.add_argument("--threads", choices=["both", "default", "1"], default="both",
                        help="library default threads, pinned to 1, or both passes (default)")
    parser.add_argument("--quick", action="store_true", help="smoke run for CI: 2 short reps, no torch")
    parser.add_argument("--markdown", metavar="FILE", help="also write the tables to FILE")
    parser.add_argument("--pass-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.workload = ["W1", "W2", "W3"] if args.workload == "all" else args.workload.upper().split(",")
    if args.quick:
        args.reps = 2
    if args.pass_child:
        print(json.dumps(run_pass(args)))
        return
    if args.memory_child:
        print(json.dumps(measure_memory(args.memory_child, 3 if args.quick else 20)))
        return

    quick = ["--quick"] if args.quick else []
    forward = ["--workload", ",".join(args.workload), "--reps", str(args.reps), *quick]
    thread_passes = ["default", "1"] if args.threads == "both" else [args.threads]
    jobs = {("pass", t): (["--pass-child", *forward], t) for t in thread_passes}
    if "W1" in args.workload:
        for engine in ENGINES:
            if not (args.quick and engine == "torch"):
                jobs["memory", engine] = (["--memory-child", engine, *quick], thread_passes[0])
    results = {}
    if args.quick:  # a smoke run: all at once, the numbers mean nothing anyway
        running = {key: start_child(*job) for key, job in jobs.items()}
        results = {key: finish_child(proc, 600) for key, proc in running.items()}
    else:  # one at a time, so that they do not slow each other down
        for (kind, name), job in jobs.items():
            print(f"running {kind} {name} ...", file=sys.stderr, flush=True)
            results[kind, name] = finish_child(start_child(*job), 1800)
    passes = {name: r for (kind, name), r in results.items() if kind == "pass"}
    memory = {name: r for (kind, name), r in results.items() if kind == "memory"}
    text = report(passes, memory, args)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
