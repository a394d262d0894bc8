"""Every differentiable op of minigrad: one small ``Function`` class each, forward beside backward.

elementwise.py  arithmetic, unary math, activations, comparisons-based selections
reduction.py    sum mean amax amin logsumexp softmax log_softmax
shape.py        reshape permute expand cat stack
indexing.py     x[index] and x[index] = value, in PyTorch's order
bitwise.py      & | ^ ~ and the logical ops (no gradient)
linalg.py       matmul and the fused linear layer

Every module here is imported with the package, so an op declared in a new file is registered
(and becomes a method and a function) without another line anywhere.
"""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
