"""minigrad's neural-network package, in PyTorch's words: ``Module``, layers, losses,
``optim``, ``init``, ``utils``, data loading and datasets (``nn.functional`` is
``minigrad.functional``, as ``torch.nn.functional``).  ``import nn`` and
``from minigrad import nn`` are the same package.

>>> import minigrad as mg, nn
>>> _ = mg.manual_seed(0)  # (it returns the generator, as PyTorch)
>>> model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
>>> [name for name, _ in model.named_parameters()]
['0.weight', '0.bias', '2.weight', '2.bias']
"""
from . import data, datasets, functional, init, optim, utils
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .layers import (
    GELU,
    MLP,
    BatchNorm1d,
    Bilinear,
    Dropout,
    Flatten,
    Identity,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from .layers_activation import (
    CELU,
    ELU,
    GLU,
    SELU,
    CosineSimilarity,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PairwiseDistance,
    PReLU,
    ReLU6,
    RReLU,
    SiLU,
    Softmax2d,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from .layers_basic import AlphaDropout, Embedding, Unflatten
from .layers_norm import GroupNorm, RMSNorm
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    MulticlassHingeLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from .module import Module, Parameter
from .module_state import IncompatibleKeys
from .serialization import load, save

__all__ = [
    "Module", "Parameter", "Linear", "Sequential", "ModuleList", "Identity", "ReLU", "Sigmoid",
    "Tanh", "LeakyReLU", "GELU", "Softmax", "LogSoftmax", "Flatten", "Dropout", "BatchNorm1d",
    "LayerNorm", "MLP", "CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "BCELoss",
    "BCEWithLogitsLoss", "MultiMarginLoss", "MulticlassHingeLoss", "init", "utils", "optim",
    "data", "datasets", "save", "load", "functional", "ModuleDict", "ParameterList", "ParameterDict",
    "IncompatibleKeys", "Unflatten", "AlphaDropout", "Embedding",
]
__all__ += [  # the losses of issue 13
    "HuberLoss", "SmoothL1Loss", "KLDivLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss",
    "MarginRankingLoss", "HingeEmbeddingLoss", "CosineEmbeddingLoss", "GaussianNLLLoss",
    "PoissonNLLLoss", "TripletMarginLoss",
]
__all__ += [  # the layers of issue 13 (nn/layers_activation.py, nn/layers_norm.py)
    "Bilinear", "GroupNorm", "RMSNorm", "CELU", "ELU", "GLU", "SELU", "CosineSimilarity",
    "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Mish", "PairwiseDistance",
    "PReLU", "ReLU6", "RReLU", "SiLU", "Softmax2d", "Softmin", "Softplus", "Softshrink", "Softsign",
    "Tanhshrink", "Threshold",
]
