"""``minigrad.utils.data`` is ``nn.data``: importing this module puts ``nn.data`` in its place
(in ``sys.modules``), so ``import minigrad.utils.data as data; data is nn.data``."""
import sys

from minigrad import _nn_package

sys.modules[__name__] = _nn_package("nn").data
