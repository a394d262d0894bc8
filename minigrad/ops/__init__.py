"""Every differentiable op of minigrad: one small ``Function`` class each, forward beside backward.

elementwise.py  arithmetic, unary math, activations, comparisons-based selections
reduction.py    sum mean amax amin max min argmax any all nansum nanmean aminmax logsumexp softmax
statistics.py   var std var_mean std_mean
scan.py         prod cumsum cumprod cummax cummin logcumsumexp
sorting.py      sort argsort msort topk kthvalue median nanmedian mode
selection.py    the fused read-at-indices (and its scatter-add backward) the selections share
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
