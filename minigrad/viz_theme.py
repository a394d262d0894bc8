"""The colours of a drawing: a light theme (the default) and a dark one for dark notebooks.

A theme names every colour the painter uses (``minigrad.viz_layout``): one fill and border per
kind of tensor, the text, the gradients, the step being shown, the module frames.  The dark
theme paints its own background, so that its text is readable wherever the SVG is shown; its
text colours keep a contrast of at least 4.5:1 (WCAG AA) against the fills they sit on.

>>> theme("dark").background
'#111827'
>>> round(contrast_ratio("#000000", "#ffffff"), 1)
21.0
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Theme:
    name: str
    kinds: dict  # kind of node -> {"fillcolor": ..., "color": ...} (the border)
    text: str  # values, names, op names
    muted: str  # shapes and dtypes, "value freed", secondary text
    grad: str  # gradients, the flow of backward
    current: str  # the step shown (draw_graph(step=k)) and its flows
    current_fill: str  # the fill of the op that step runs
    edge: str  # forward edges
    cluster_border: str
    cluster_fills: tuple
    note: str  # the notes under the title
    accumulated: str  # a leaf's .grad holding more than this graph's gradient
    background: str | None  # None: Graphviz's default (white)
    page: dict = field(default_factory=dict)  # the step-through page's CSS colours


LIGHT = Theme(
    name="light",
    kinds={
        "leaf": {"fillcolor": "#dbeafe", "color": "#1d4ed8"},
        "input": {"fillcolor": "#f3f4f6", "color": "#6b7280"},
        "constant": {"fillcolor": "#ffffff", "color": "#9ca3af"},
        "intermediate": {"fillcolor": "#ffffff", "color": "#374151"},
        "output": {"fillcolor": "#fef3c7", "color": "#b45309"},
        "op": {"fillcolor": "#ede9fe", "color": "#6d28d9"},
        "collapsed": {"fillcolor": "#ecfdf5", "color": "#047857"},
        "reference": {"fillcolor": "#ffffff", "color": "#6b7280"},
    },
    text="#111827", muted="#6b7280", grad="#dc2626", current="#ea580c", current_fill="#fed7aa",
    edge="#4b5563", cluster_border="#9ca3af", cluster_fills=("#f0fdf4", "#ecfeff", "#fdf4ff", "#fffbeb"),
    note="#92400e", accumulated="#7c2d12", background=None,
    page={"background": "#fafafa", "text": "#111827", "header": "#ffffff", "border": "#d1d5db"},
)

# Tailwind's 900-950 shades as fills, its 300/400 shades as borders and text: each text colour
# reads at >= 4.5:1 on each fill (tests/test_viz_theme.py computes it).
DARK = Theme(
    name="dark",
    kinds={
        "leaf": {"fillcolor": "#172554", "color": "#60a5fa"},
        "input": {"fillcolor": "#1f2937", "color": "#9ca3af"},
        "constant": {"fillcolor": "#111827", "color": "#6b7280"},
        "intermediate": {"fillcolor": "#111827", "color": "#d1d5db"},
        "output": {"fillcolor": "#451a03", "color": "#fbbf24"},
        "op": {"fillcolor": "#2e1065", "color": "#a78bfa"},
        "collapsed": {"fillcolor": "#022c22", "color": "#34d399"},
        "reference": {"fillcolor": "#111827", "color": "#9ca3af"},
    },
    text="#f3f4f6", muted="#9ca3af", grad="#fca5a5", current="#fdba74", current_fill="#431407",
    edge="#9ca3af", cluster_border="#4b5563", cluster_fills=("#0b2a1a", "#082f3a", "#2e0b3a", "#2f1d05"),
    note="#fcd34d", accumulated="#fdba74", background="#111827",
    page={"background": "#0b1120", "text": "#e5e7eb", "header": "#1f2937", "border": "#374151"},
)

THEMES = {"light": LIGHT, "dark": DARK}


def theme(name: str | Theme) -> Theme:
    """The theme called ``name`` ("light" or "dark"), or ``name`` itself if it is a Theme."""
    if isinstance(name, Theme):
        return name
    if name not in THEMES:
        raise ValueError(f"draw_graph: theme must be 'light' or 'dark', got {name!r}")
    return THEMES[name]


def relative_luminance(color: str) -> float:
    """WCAG 2's relative luminance of an ``#rrggbb`` colour."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2's contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    a, b = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
