"""The examples in minigrad's docstrings run and print what they say."""
import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import minigrad

# The drawing modules (viz, draw) are tested with the drawing; these are the engine's.
DRAWING = {"minigrad.viz", "minigrad.draw"}
SUBMODULES = {m.name for m in pkgutil.walk_packages(minigrad.__path__, "minigrad.")}
MODULES = sorted(({"minigrad"} | SUBMODULES) - DRAWING)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    try:
        module = importlib.import_module(name)
    except ImportError as error:  # an optional dependency (graphviz for the drawing) is missing
        pytest.skip(f"{name} needs {error.name}")
    with np.errstate(all="ignore"):  # examples of anomaly detection compute log(0) on purpose
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples in {name} failed"
