"""Every differentiable op of minigrad: one small ``Function`` class each, forward beside backward.

arithmetic.py   + - * / ** and comparisons; rounded division, // % fmod
elementwise.py  exp log sqrt tanh abs erf logaddexp clamp maximum minimum where, casts
reduction.py    sum mean amax amin logsumexp softmax log_softmax
shape.py        reshape permute expand cat stack
indexing.py     x[index] and x[index] = value, in PyTorch's order
bitwise.py      & | ^ ~ and the logical ops (no gradient)
linalg.py       matmul and the fused linear layer
trigonometric.py  sin cos tan, their inverses, the hyperbolic functions, atan2
exponential.py  log1p expm1 log2 log10 exp2 rsqrt reciprocal square erfc erfinv logaddexp2
                hypot copysign xlogy
rounding.py     floor ceil round trunc frac sign
predicates.py   isnan isinf isfinite isposinf isneginf isclose allclose nan_to_num
lerp.py         lerp

Every module here is imported with the package, so an op declared in a new file is registered
(and becomes a method and a function) without another line anywhere.
"""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
