"""Every differentiable op of minigrad: one small ``Function`` class each, forward beside backward.

arithmetic.py   + - * / ** and comparisons; rounded division, // % fmod
elementwise.py  exp log sqrt tanh abs erf logaddexp clamp maximum minimum where, casts
reduction.py    sum mean amax amin max min argmax any all nansum nanmean aminmax logsumexp softmax
statistics.py   var std var_mean std_mean
scan.py         prod cumsum cumprod cummax cummin logcumsumexp
sorting.py      sort argsort msort topk kthvalue median nanmedian mode
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
gather.py       gather scatter scatter_add (also the read-at-indices of max(dim) sort topk ...)
selection.py    index_select index_add index_fill masked_fill masked_select take nonzero ...
reorder.py      flip roll repeat tile repeat_interleave clone
views.py        narrow select split chunk unbind movedim swapaxes t ... hstack vstack
pad.py          F.pad (constant, reflect, replicate, circular)
unique.py       unique unique_consecutive
sampling.py     rand randn randint randperm normal bernoulli multinomial
fill.py         fill_ zero_ copy_ uniform_ normal_ ... (in-place methods)
activation*.py  relu sigmoid, the piecewise and smooth activations, F.*_ in-place forms
linalg*.py      the products, mg.linalg (inv det solve norms ...)

Every module here is imported with the package, so an op declared in a new file is registered
(and becomes a method and a function) without another line anywhere.
"""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
