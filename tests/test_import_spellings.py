"""Every spelling of PyTorch's imports finds the same modules (DESIGN.md: only import lines change)."""
import importlib
import subprocess
import sys


def test_dotted_spellings_are_the_nn_package_itself():
    import minigrad
    import nn
    pairs = [("minigrad.nn", "nn"), ("minigrad.nn.functional", "minigrad.functional"),
             ("nn.functional", "minigrad.functional"), ("minigrad.nn.init", "nn.init"),
             ("minigrad.optim", "nn.optim"), ("minigrad.optim.lr_scheduler", "nn.optim.lr_scheduler")]
    for spelled, module in pairs:
        assert importlib.import_module(spelled) is importlib.import_module(module), spelled
    assert minigrad.nn is nn and minigrad.optim is nn.optim


def test_a_class_imported_two_ways_is_one_class():
    # (a second copy of a module would give two StepLR classes, and isinstance would fail)
    code = ("from minigrad.optim.lr_scheduler import StepLR as A\n"
            "from nn.optim.lr_scheduler import StepLR as B\n"
            "import minigrad.nn as nn\n"
            "assert A is B and nn.Linear is __import__('nn').Linear\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_name_that_is_not_there_is_still_an_import_error():
    import pytest
    with pytest.raises(ImportError):
        importlib.import_module("minigrad.no_such_module")
