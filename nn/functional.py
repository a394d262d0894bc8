"""``nn.functional`` is ``minigrad.functional`` (as ``torch.nn.functional``): one module object,
reached by either name, so ``import nn.functional as F`` and ``import minigrad.functional as F``
give the same functions.

>>> import minigrad.functional, nn.functional
>>> nn.functional is minigrad.functional
True
"""
import sys

import minigrad.functional

# Importing nn.functional returns what sys.modules holds under its name once this file has run.
sys.modules[__name__] = minigrad.functional
