"""Every differentiable op of minigrad: one small ``Function`` class each, forward beside backward.

elementwise.py  arithmetic, unary math, activations, comparisons-based selections
reduction.py    sum mean amax amin logsumexp softmax log_softmax
shape.py        reshape permute expand cat stack
indexing.py     x[index] and x[index] = value, in PyTorch's order
bitwise.py      & | ^ ~ and the logical ops (no gradient)
linalg.py       matmul and the fused linear layer
"""
