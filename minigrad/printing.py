"""Printing tensors as PyTorch prints them, and the names PyTorch gives the graph's nodes.

``repr(t)`` and ``str(t)`` follow PyTorch's layout with its print options: 4 decimals, one
width for all elements, scientific notation when the nonzero finite magnitudes span more than
1000x, exceed 1e8 or go below 1e-4, integer-valued floats as ``1.``, summaries with ``...``
past 1000 elements, lines of at most 80 characters, and the suffixes ``dtype=``,
``requires_grad=True`` and ``grad_fn=<MulBackward0>``.  dtypes are written as PyTorch writes
them (``TORCH_PREFIX``), so a printout reads the same as PyTorch's.

>>> import minigrad as mg
>>> mg.tensor([1.0, 2.5, 1000.0])
tensor([   1.0000,    2.5000, 1000.0000])
>>> mg.tensor([1e-5, 1.0], dtype=mg.float64)
tensor([1.0000e-05, 1.0000e+00], dtype=torch.float64)
>>> x = mg.tensor([1.0, 2.0], requires_grad=True)
>>> x * 2
tensor([2., 4.], grad_fn=<MulBackward0>)
>>> torch_node_name((x * 2).grad_fn)
'MulBackward0'
"""
from __future__ import annotations

import contextlib
import math

from .backend import default_float, xp

# How printouts name dtypes and sizes: as PyTorch does ("torch.float64", "torch.Size([2])"); the
# one place to change it
TORCH_PREFIX = "torch."

_DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}
_PROFILES = {"default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
             "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
             "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80}}
_options = dict(_DEFAULTS)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None) -> None:
    """``mg.set_printoptions``, as PyTorch's: a ``profile`` ('default', 'short', 'full') first,
    then each option given; ``sci_mode`` True/False forces scientific notation on or off and
    None (also when not given) lets the values decide."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: unknown profile {profile!r}; use one of "
                             f"{', '.join(_PROFILES)}")
        _options.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold),
                        ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            _options[name] = value
    _options["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """The print options, as keyword arguments ``set_printoptions`` takes back."""
    return dict(_options)


@contextlib.contextmanager
def printoptions(**options):
    """``with printoptions(precision=2): ...``: print options for a block only."""
    saved = get_printoptions()
    set_printoptions(**options)
    try:
        yield
    finally:
        set_printoptions(**saved)


def dtype_name(dtype) -> str:
    """A dtype as a printout names it: ``torch.float64``."""
    return TORCH_PREFIX + xp.dtype(dtype).name


class _Formatter:
    """One format for every element of a tensor, chosen from the elements that will be shown."""

    def __init__(self, array):
        self.floating = array.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = array.reshape(-1)
        if not self.floating:
            self.width = max([1] + [len(str(v)) for v in flat.tolist()])
            return
        values = flat[xp.isfinite(flat) & (flat != 0)]
        if values.size == 0:
            return
        magnitudes = xp.abs(values).astype(xp.float64)
        low, high = float(magnitudes.min()), float(magnitudes.max())
        values = values.tolist()
        self.int_mode = all(v == math.ceil(v) for v in values)
        forced = _options["sci_mode"]
        self.sci_mode = (high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4) if forced is None \
            else bool(forced)
        precision = _options["precision"]
        if self.sci_mode:
            self.width = max(len(f"{v:.{precision}e}") for v in values)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in values)
        else:
            self.width = max(len(f"{v:.{precision}f}") for v in values)

    def format(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{_options['precision']}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{_options['precision']}f}"
        return " " * (self.width - len(text)) + text


class _ComplexFormatter:
    """PyTorch's complex layout: the real parts in one format, the imaginary parts in another,
    joined as ``1.0000+2.5000j``."""

    def __init__(self, real, imag):
        self.real, self.imag = _Formatter(real), _Formatter(imag)
        self.width = self.real.width + self.imag.width + 1  # (+1: the "j")

    def format(self, value) -> str:
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return self.real.format(value.real) + ("" if imag[0] in "+-" else "+") + imag


def _summarized(array):
    """The elements a summary shows (the first and last ``edgeitems`` along every dimension)."""
    edge = _options["edgeitems"]
    if array.ndim == 0:
        return array
    if array.ndim == 1:
        return xp.concatenate((array[:edge], array[-edge:])) if array.shape[0] > 2 * edge else array
    if not edge:
        return array[(slice(0, 0),) * array.ndim]
    rows = list(range(edge)) + list(range(array.shape[0] - edge, array.shape[0])) \
        if array.shape[0] > 2 * edge else range(array.shape[0])
    return xp.stack([_summarized(array[i]) for i in rows])


def _vector(array, indent: int, summarize: bool, formatter: _Formatter) -> str:
    edge = _options["edgeitems"]
    per_line = max(1, int(math.floor((_options["linewidth"] - indent) / (formatter.width + 2))))
    if summarize and not edge:
        items = ["..."]
    elif summarize and array.shape[0] > 2 * edge:
        items = [formatter.format(v) for v in array[:edge].tolist()] + [" ..."] + \
            [formatter.format(v) for v in array[-edge:].tolist()]
    else:
        items = [formatter.format(v) for v in array.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested(array, indent: int, summarize: bool, formatter: _Formatter) -> str:
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector(array, indent, summarize, formatter)
    edge, n = _options["edgeitems"], array.shape[0]
    if summarize and n > 2 * edge:
        parts = [_nested(array[i], indent + 1, summarize, formatter) for i in range(edge)] + ["..."] + \
            [_nested(array[i], indent + 1, summarize, formatter) for i in range(n - edge, n)]
    else:
        parts = [_nested(array[i], indent + 1, summarize, formatter) for i in range(n)]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def array_text(array, indent: int) -> str:
    """The bracketed elements of ``array``, laid out as PyTorch lays them out (``indent``: the
    column the opening bracket stands in)."""
    if array.size == 0:
        return "[]"
    summarize = array.size > _options["threshold"]
    shown = _summarized(array) if summarize else array
    formatter = _ComplexFormatter(shown.real, shown.imag) if array.dtype.kind == "c" \
        else _Formatter(shown)
    return _nested(array, indent, summarize, formatter)


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    """``text`` followed by ``, suffix`` each, wrapped onto a new line past the line width."""
    pieces = [text]
    # PyTorch's measure of the last line, two more than its length, is kept: it decides the wraps
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _options["linewidth"]:
            pieces.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(pieces) + ")"


def tensor_repr(tensor) -> str:
    """``repr(t)``: PyTorch's text for a tensor with the same values, dtype and graph."""
    # A Parameter prints as a tensor (nn.Parameter adds its own first line); other subclasses
    # print under their class name, as PyTorch does.
    kind = type(tensor).__name__
    prefix = "tensor(" if kind in ("Tensor", "Parameter") else kind + "("
    array, suffixes = tensor.data, []
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if array.dtype != default_float():
            suffixes.append("dtype=" + dtype_name(array.dtype))
        text = "[]"
    else:
        if not _options["edgeitems"]:
            suffixes.append(f"size={tuple(array.shape)}")
        default_complex = xp.complex128 if default_float() == xp.float64 else xp.complex64
        if array.dtype not in (default_float(), default_complex, xp.int64, xp.bool_):
            suffixes.append("dtype=" + dtype_name(array.dtype))
        text = array_text(array, len(prefix))
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{torch_node_name(tensor.grad_fn, tensor)}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + text, suffixes, len(prefix))


# ---------------------------------------------------------------------------------------------
# The names PyTorch gives the nodes of the graph (y.grad_fn), by minigrad's op name
# ---------------------------------------------------------------------------------------------
# An op missing here is named by PyTorch's rule from its name: log_softmax -> LogSoftmaxBackward0.
TORCH_NODE_NAMES = {
    "reshape": "ViewBackward0", "view": "ViewBackward0", "flatten": "ViewBackward0",
    "broadcast_to": "ExpandBackward0", "contiguous": "CloneBackward0", "cast": "ToCopyBackward0",
    "setitem": "CopySlices", "cross_entropy": "NllLossBackward0", "clamp": "ClampBackward1",
    "squeeze": "SqueezeBackward0", "std": "StdBackward0", "var": "VarBackward0",
}


def _binary_name(node, base: str) -> str:
    """Binary ops whose node PyTorch names by where a Python number stands: ``1 - x`` is
    RsubBackward1, ``2 / x`` MulBackward0, ``x ** 2`` PowBackward0, ``2 ** x`` PowBackward2.
    (The numbers are known until backward frees the node; then the parents tell for pow.)"""
    inputs = getattr(node, "inputs", None)
    number = [isinstance(v, (int, float)) for v in inputs] if inputs else None
    if base == "sub":
        return "RsubBackward1" if number and number[0] else "SubBackward0"
    if base == "div":
        return "MulBackward0" if number and number[0] else "DivBackward0"
    parents = getattr(node, "parents", (None, None))
    if number is not None:
        return "PowBackward0" if number[1] else "PowBackward2" if number[0] else "PowBackward1"
    return "PowBackward0" if parents[1] is None else "PowBackward2" if parents[0] is None \
        else "PowBackward1"


def _matmul_name(node, output) -> str:
    """PyTorch's node for a matmul depends on the operands' dimensions (once backward has freed
    them, the output's tell, or MmBackward0)."""
    inputs = getattr(node, "inputs", None)
    if not inputs:
        ndim = 2 if output is None else output.ndim
        return {0: "DotBackward0", 1: "MvBackward0", 2: "MmBackward0"}.get(ndim, "UnsafeViewBackward0")
    a, b = (xp.ndim(v) for v in inputs)
    if a == 1 and b == 1:
        return "DotBackward0"
    if a == 2 and b == 1:
        return "MvBackward0"
    if a == 1 and b == 2:
        return "SqueezeBackward4"
    return "MmBackward0" if a == 2 and b == 2 else "UnsafeViewBackward0"


def _index_name(node) -> str:
    """x[0] SelectBackward0, x[1:] SliceBackward0, x[None] UnsqueezeBackward0, x[[0, 1]] and
    masks IndexBackward0: named by the last part of the index that does something."""
    index = getattr(node, "index", None)
    parts = index if isinstance(index, tuple) else (index,)
    if any(not isinstance(p, (int, slice, type(None), type(Ellipsis))) or isinstance(p, bool)
           for p in parts):
        return "IndexBackward0"
    acting = [p for p in parts if not (isinstance(p, slice) and p == slice(None))]
    if not acting:
        return "SliceBackward0"
    last = acting[-1]
    return {int: "SelectBackward0", slice: "SliceBackward0", type(None): "UnsqueezeBackward0"}.get(
        type(last), "AliasBackward0")


def _reduction_name(node, base: str, output) -> str:
    """sum()/mean() over everything: ...Backward0; over chosen dims: ...Backward1.  (Once
    backward has freed the input, a 0-d output stands for a reduction over everything.)"""
    dims, keepdim = getattr(node, "dims", None), getattr(node, "keepdim", False)
    inputs = getattr(node, "inputs", None)
    if keepdim:
        whole = False
    elif inputs:
        whole = dims is None or len(dims) == xp.ndim(inputs[0])
    else:
        whole = output is not None and output.ndim == 0
    return f"{base.capitalize()}Backward{0 if whole else 1}"


def torch_node_name(node, output=None) -> str:
    """The class name PyTorch gives the node that made a tensor (``type(y.grad_fn).__name__``):
    MulBackward0 for ``x * y``, MmBackward0 for a product of matrices, ToCopyBackward0 for a
    cast...  A Function subclass of the user's own is ``<ClassName>Backward``, as in PyTorch.
    ``output``, the tensor the node made, tells matmul and sum apart once backward freed them."""
    if not type(node).__module__.startswith("minigrad."):
        return type(node).__name__ + "Backward"
    if type(node).__module__ == "minigrad.autograd.function":  # mg.autograd.Function's node
        return getattr(node, "function_node", node).name + "Backward"
    name = getattr(node, "name", "op")
    if name in ("sub", "div", "pow"):
        return _binary_name(node, name)
    if name == "matmul":
        return _matmul_name(node, output)
    if name == "index":
        return _index_name(node)
    if name in ("sum", "mean"):
        return _reduction_name(node, name, output)
    if name == "linear":
        parents = getattr(node, "parents", ())
        return "AddmmBackward0" if len(parents) > 2 and parents[2] is not None else "MmBackward0"
    if name in TORCH_NODE_NAMES:
        return TORCH_NODE_NAMES[name]
    return "".join(part.capitalize() for part in name.split("_")) + "Backward0"
