"""Reading the DOT source of minigrad's drawings back, for the drawing's tests.

A test finds nodes and edges by what they look like, and what each kind looks like is read from
the drawing's own style table (``minigrad.viz_layout``: ``STYLE``, ``CURRENT_OP_STYLE``,
``FLOW_STYLE``...), never written out here: a style changed in that one place changes what the
tests look for with it.  ``render_seconds`` times dot on a drawing, and stops it past a bound.
"""
from __future__ import annotations

import html
import os
import re
import subprocess
import time

import pytest

from minigrad import viz_layout

_STATEMENT = re.compile(r"^\t+(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^\t+(\w+) -> (\w+)(?: \[(.*)\])?$")
_CLUSTER = re.compile(r"^\t*subgraph cluster_\w+ \{\n\t+graph \[(.*)\]$", re.M)
_NAME = re.compile(r"\s*(\w+)=")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_BARE = re.compile(r"[^\s\]]+")


def source_of(graph) -> str:
    return graph if isinstance(graph, str) else graph.source


def attributes(text: str) -> dict:
    """``name=value`` pairs of a DOT attribute list; a value is quoted, bare, or an HTML label
    (``<...>``, kept without its outer brackets)."""
    found, i = {}, 0
    while (m := _NAME.match(text, i)) is not None:
        name, i = m.group(1), m.end()
        if text.startswith("<", i):  # HTML: up to the '>' that closes the first '<'
            depth, j = 0, i
            while True:
                depth += {"<": 1, ">": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            found[name], i = text[i + 1:j - 1], j
        elif text.startswith('"', i):
            m = _QUOTED.match(text, i)
            found[name], i = m.group(1), m.end()
        else:
            m = _BARE.match(text, i)
            found[name], i = m.group(0), m.end()
    return found


def text_of(html_label: str) -> str:
    """The visible text of an HTML-like label: tags dropped, line breaks as ' | '."""
    text = re.sub(r"<BR[^>]*>|</TR>", " | ", html_label)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip())


def title_lines(graph) -> list[str]:
    """The lines of the drawing's title (its title, the step shown, its notes), as text."""
    found = re.search(r"^\tlabel=<(.*)>$", source_of(graph), re.M)
    return [text_of(line) for line in found.group(1).split("<BR/>")] if found else []


def nodes(graph) -> dict:
    """node id -> (label text, attributes) for every node drawn with a label."""
    found = {}
    for line in source_of(graph).splitlines():
        m = _STATEMENT.match(line)
        if m and m.group(1) not in ("graph", "node", "edge"):
            attrs = attributes(m.group(2))
            if "label" in attrs:
                found[m.group(1)] = (text_of(attrs["label"]), attrs)
    return found


def edges(graph) -> list:
    """(tail, head, attributes) of every edge, in the order drawn."""
    return [(m.group(1), m.group(2), attributes(m.group(3) or "")) for line in source_of(graph).splitlines()
            if (m := _EDGE.match(line))]


def cluster_labels(graph) -> list[str]:
    """The visible label of every module frame (a DOT cluster), in the order drawn."""
    return [text_of(attributes(m.group(1)).get("label", "")) for m in _CLUSTER.finditer(source_of(graph))]


def has_style(attrs: dict, style: dict) -> bool:
    """Whether a node or edge carries every attribute of ``style``, with the same values."""
    return all(attrs.get(name) == str(value) for name, value in style.items())


def kinds_of(attrs: dict) -> list[str]:
    """The kinds of node (``leaf``, ``op``...) of the style table whose style ``attrs`` show:
    exactly one when the kinds are told apart."""
    return [kind for kind, style in viz_layout.STYLE.items() if has_style(attrs, style)]


def is_op(attrs: dict) -> bool:
    return has_style(attrs, viz_layout.STYLE["op"])


def is_flow(attrs: dict) -> bool:
    """An edge drawing a gradient flowing back (``show_backward``), at the current step or not."""
    return has_style(attrs, viz_layout.FLOW_STYLE) or has_style(attrs, viz_layout.CURRENT_FLOW_STYLE)


def is_reference(attrs: dict) -> bool:
    """A small box standing for a tensor drawn in full elsewhere, beside one of its far uses."""
    return has_style(attrs, viz_layout.REFERENCE_STYLE)


def op_labels(graph) -> list[str]:
    return [label for label, attrs in nodes(graph).values() if is_op(attrs)]


def node_named(graph, name: str) -> tuple:
    """The (id, label text, attributes) of the tensor node whose label starts with ``name`` (its
    full box: references to it, beside far uses, are not it)."""
    hits = [(k, label, attrs) for k, (label, attrs) in nodes(graph).items()
            if label.split(" ")[0] == name and not is_reference(attrs)]
    assert len(hits) == 1, f"expected one node named {name!r}, found {hits}"
    return hits[0]


def numbers_after(label: str, tag: str) -> list[float]:
    """The numbers of the row ``tag`` ('data' or 'grad') of a tensor label."""
    row = label.split(f" {tag} ", 1)[1]
    row = re.split(r" (?:data|grad|\.grad) ", row)[0]
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", row)]


def render_seconds(graph, limit: float) -> float:
    """The seconds dot takes to lay ``graph`` out as SVG.  Past ``limit`` dot is stopped and the
    test fails, so that a slow layout fails the suite instead of stalling it."""
    start = time.perf_counter()
    try:
        subprocess.run(["dot", "-Tsvg", "-o", os.devnull], input=source_of(graph).encode("utf-8"),
                       capture_output=True, check=True, timeout=limit)
    except subprocess.TimeoutExpired:
        pytest.fail(f"dot took more than {limit} s to lay the drawing out")
    return time.perf_counter() - start
