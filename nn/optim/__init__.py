"""Optimizers (``nn.optim``, also ``minigrad.optim``): each updates ``p.data`` in place from
``p.grad`` with PyTorch's rule; the docstring of each states its rule."""
from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import Adagrad, RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
