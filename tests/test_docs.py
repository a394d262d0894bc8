"""The README's op table is the registry's: made by docs/op_table.py, never by hand."""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _op_table():
    spec = importlib.util.spec_from_file_location("op_table", ROOT / "docs" / "op_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_op_table_is_the_registrys():
    op_table = _op_table()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert op_table.current_readme_table(readme) == op_table.table(), (
        "README.md's op table is out of date: run python docs/op_table.py --write")


def test_the_table_has_a_row_per_registered_op():
    from minigrad.ops.registry import OPS
    table = _op_table().table()
    assert table.count("\n| ") - 1 == len(OPS)  # (the header row aside)
