"""The dark theme: readable text (WCAG contrast, computed here from its definition), its own
dark background, and the same option on draw_graph, save_steps and the minigrad-draw command;
light stays the default."""
from __future__ import annotations

import re

import pytest
from viz_dot import node_named

import minigrad as mg
from minigrad import draw, viz, viz_theme
from minigrad.viz_theme import DARK, LIGHT


def luminance(color: str) -> float:
    """WCAG 2.x relative luminance (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance)."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(int(color[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's classic near-miss
    assert viz_theme.contrast_ratio("#777777", "#ffffff") == pytest.approx(contrast("#777777", "#ffffff"))


def test_every_dark_text_colour_reads_at_least_4_5_to_1_on_what_it_sits_on():
    on_fills = (DARK.text, DARK.muted, DARK.grad, DARK.accumulated)
    pairs = [(text, kind["fillcolor"]) for kind in DARK.kinds.values() for text in on_fills]
    pairs += [(text, DARK.background) for text in (DARK.text, DARK.muted, DARK.grad, DARK.current,
                                                   DARK.note, DARK.edge)]
    pairs += [(text, fill) for fill in DARK.cluster_fills for text in (DARK.text, DARK.muted)]
    pairs += [(DARK.text, DARK.current_fill), (DARK.page["text"], DARK.page["background"]),
              (DARK.page["text"], DARK.page["header"])]
    low = [(a, b, round(contrast(a, b), 2)) for a, b in pairs if contrast(a, b) < 4.5]
    assert not low


def test_dark_is_painted_on_its_own_background_and_light_stays_the_default():
    w = mg.tensor([0.5, -1.0], requires_grad=True)
    out = (w * 2).sum()
    dark = mg.draw_graph(out, names={w: "w"}, theme="dark")
    light_source = mg.draw_graph(out, names={w: "w"}).source
    assert f'bgcolor="{DARK.background}"' in dark.source and "bgcolor" not in light_source
    _, _, leaf = node_named(dark, "w")
    assert leaf["fillcolor"] == DARK.kinds["leaf"]["fillcolor"]
    assert f'COLOR="{DARK.grad}"' in leaf["label"] and LIGHT.grad not in dark.source
    with pytest.raises(ValueError, match="theme must be 'light' or 'dark'"):
        mg.draw_graph(out, theme="sepia")


def test_save_steps_and_the_command_take_the_theme(tmp_path):
    w = mg.tensor([0.5, -1.0], requires_grad=True)
    page = viz.save_steps((w * w).sum(), tmp_path / "steps", theme="dark")
    html = open(page, encoding="utf-8").read()
    assert re.search(r"body \{ background: " + DARK.page["background"], html)
    assert (tmp_path / "steps" / "step_001.svg").read_text().count(DARK.background) >= 1
    with pytest.raises(ValueError, match="theme"):
        viz.save_steps((w * w).sum(), tmp_path / "bad", theme="blue")
    assert not (tmp_path / "bad").exists()
    assert draw.main(["--theme", "dark", "-o", str(tmp_path / "g.dot")]) == 0
    assert f'bgcolor="{DARK.background}"' in (tmp_path / "g.dot").read_text()
