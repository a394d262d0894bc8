"""The house rules of the code (the engine never imports nn, numpy only through the backend, no
module writing into another, functions <= 60 lines, files <= 600), checked by the project's
shared checker where it is beside the checkout."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKER = os.path.join(ROOT, "..", "shared", "tools", "house-check.py")


@pytest.mark.skipif(not os.path.exists(CHECKER), reason="no shared house checker beside this checkout")
def test_the_house_rules_hold():
    result = subprocess.run([sys.executable, CHECKER], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
