"""The README's table of ops, made from the op registry (``minigrad/ops/registry.py``).

    python docs/op_table.py           # prints the table
    python docs/op_table.py --write   # rewrites it in README.md, between its two markers

``tests/test_docs.py`` fails when the README's table is not what this prints, so the table
cannot fall behind the code: declare an op, run ``--write``.
"""
from __future__ import annotations

import argparse
import inspect
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)  # run from a checkout without installing

import minigrad  # noqa: E402,F401  (declares every op)
from minigrad.ops.registry import OPS  # noqa: E402

BEGIN = "<!-- op table: made by docs/op_table.py, do not edit by hand -->"
END = "<!-- end of op table -->"
README = os.path.join(ROOT, "README.md")

NAMESPACES = (("torch", "`mg.{}`"), ("method", "`Tensor.{}`"), ("inplace", "`Tensor.{}_`"),
              ("functional", "`F.{}`"), ("linalg", "`linalg.{}`"))


def _summary(function) -> str:
    doc = inspect.getdoc(function) or ""
    line = doc.split("\n\n")[0].replace("\n", " ").strip()
    sentence = line.split(". ")[0].rstrip(".")  # the first sentence
    return (sentence + "." if sentence else "").replace("|", "\\|")


def _family(function) -> str:
    return function.__module__.rsplit(".", 1)[-1]


def rows() -> list:
    out = []
    for info in sorted(OPS.values(), key=lambda i: (_family(i.function), i.name)):
        where = " ".join(template.format(info.name) for flag, template in NAMESPACES
                         if getattr(info, flag, False))
        aliases = ", ".join(f"`{a}`" for a in info.aliases)
        signature = str(inspect.signature(info.function)).replace("|", "\\|")
        out.append(f"| {_family(info.function)} | `{info.name}{signature}` | {where} | {aliases} | "
                   f"{_summary(info.function)} |")
    return out


def table() -> str:
    head = ["| family | op | as | aliases | what it does |", "|---|---|---|---|---|"]
    return "\n".join([BEGIN, "", f"{len(OPS)} ops, each declared once in `minigrad/ops/`.", "",
                      *head, *rows(), "", END])


def current_readme_table(text: str) -> str:
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the table in README.md")
    args = parser.parse_args()
    if not args.write:
        print(table())
        return
    with open(README, encoding="utf-8") as f:
        text = f.read()
    text = text.replace(current_readme_table(text), table())
    tmp = README + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, README)


if __name__ == "__main__":
    main()
