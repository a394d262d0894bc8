"""What the tests of examples/ share: where the scripts are, what a PNG starts with, whether
graphs can be drawn here, and running a script as a user does.

The scripts import each other (``_common``) as top-level modules, so examples/ goes on the
import path once, here.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(EXAMPLES))

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The graph drawings need minigrad.viz and Graphviz's dot; without them a script prints a note.
CAN_DRAW = shutil.which("dot") is not None and importlib.util.find_spec("minigrad.viz") is not None


def assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_SIGNATURE, path


def run_script(script: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python examples/<script> args`` from ``cwd``, as a user runs it from a checkout: no
    PYTHONPATH is set, so _common's own fallback must find minigrad and nn."""
    return subprocess.run([sys.executable, str(EXAMPLES / script), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)
