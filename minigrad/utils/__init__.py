"""``minigrad.utils``, as ``torch.utils``: ``minigrad.utils.data`` is ``nn.data`` (the very same
module), imported on first use because nn is built on minigrad, not the other way round."""
import importlib


def __getattr__(name):
    if name == "data":
        return importlib.import_module(".data", __name__)
    raise AttributeError(f"module 'minigrad.utils' has no attribute {name!r}")
