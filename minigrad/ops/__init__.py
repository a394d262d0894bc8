"""Every differentiable op of minigrad: one small ``Function`` class each, forward beside backward.

elementwise.py  arithmetic, unary math, activations, comparisons-based selections
reduction.py    sum mean amax amin logsumexp softmax log_softmax
shape.py        reshape permute expand indexing cat stack
linalg.py       matmul and the fused linear layer
"""
