"""Shared by tests/test_mistakes10_*.py: kernels written as a student writes them, defined as a
notebook cell defines them, and the check that the error says what, where, and the fix."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE

import transpiler
from transpiler.errors import TranspileError

FILE = "<mistake>"
HEAD = "import torch\nimport helion\nimport helion.language as hl\n\n"  # lines 1-4
ONE = "    out = torch.empty_like(x)\n"
ROWS = "    m, n = x.size()\n    out = torch.empty([m], device=x.device)\n"
SAME = "    m, n = x.size()\n    out = torch.empty_like(x)\n"
MATMUL = "    m, k = x.size()\n    n = y.size(1)\n    out = torch.empty([m, n], device=x.device)\n"
X1 = "torch.randn(37)"
X2 = "torch.randn(37, 19)"
XY = "torch.randn(16, 64), torch.randn(64, 16)"


def kernel(
    body: str,
    params: str = "x: torch.Tensor",
    before: str = ONE,
    loop: str = "for tile in hl.tile(x.size(0)):",
    after: str = "    return out\n",
    decorator: str = "@helion.kernel()",
) -> str:
    """A kernel whose def is line 7 and whose device loop follows the `before` lines; `body`
    is indented under the loop (its own lines carry their extra indentation)."""
    return f"\n{decorator}\ndef k({params}) -> torch.Tensor:\n{before}    {loop}\n        {body}\n{after}"


def grid(body: str, **settings: str) -> str:
    """`for tile_m, tile_n in hl.tile([m, n])` over a 2-D x (the loop on line 10)."""
    settings = {"before": SAME, "loop": "for tile_m, tile_n in hl.tile([m, n]):", **settings}
    return kernel(body, **settings)


def rows(body: str, **settings: str) -> str:
    """`for tile in hl.tile(m)` over the rows of a 2-D x, into a 1-D out (loop on line 10)."""
    return kernel(body, before=ROWS, loop="for tile in hl.tile(m):", **settings)


def matmul(body: str, decorator: str = "@helion.kernel()") -> str:
    """x @ y tiled over [m, n] (the loop on line 11), x and y its arguments."""
    return kernel(
        body,
        params="x: torch.Tensor, y: torch.Tensor",
        before=MATMUL,
        loop="for tile_m, tile_n in hl.tile([m, n]):",
        decorator=decorator,
    )


def attempt(source: str, call: str) -> object:
    """Define the kernels as a notebook cell does, then make the call."""
    namespace: dict = {}
    transpiler.kernels_from_source(HEAD + source, filename=FILE, namespace=namespace)
    with torch.device(DEVICE):
        return eval(call, namespace)


def check_refusal(
    error: BaseException, source: str, line: int, marker: str, message: str, hint: str
) -> None:
    """A TranspileError at `line`, its caret under the first `marker` of that line, the
    message and hint holding the phrases given, and no traceback of the transpiler's."""
    text = str(error)
    assert isinstance(error, TranspileError), f"{type(error).__name__}: {text}"
    assert type(error).__name__ != "InternalTranspilerError", text
    source_line = (HEAD + source).splitlines()[line - 1]
    assert marker in source_line, f"{marker!r} is not on line {line}: {source_line!r}"
    column = source_line.index(marker) + 1
    assert (error.lineno, error.col_offset + 1) == (line, column), text
    assert f"\n    {source_line.rstrip()}\n    {' ' * (column - 1)}^" in text, text
    assert message in text.split("\n")[0], text
    assert hint in (error.hint or ""), text
    assert "Traceback" not in text, text


# a mistake table's row: its id, then these
ROW_FIELDS = ("source", "call", "kind", "line", "marker", "message", "hint")


def each_row(table: list[tuple]) -> pytest.MarkDecorator:
    """A test parametrized over a mistake table's rows (ROW_FIELDS), each named by its id."""
    return pytest.mark.parametrize(
        ROW_FIELDS, [row[1:] for row in table], ids=[row[0] for row in table]
    )


def refused_as_the_row_says(source, call, kind, line, marker, message, hint) -> None:
    """One table row: `call` of `source` raises `kind` at `line` (caret under `marker`), its
    message and hint holding the phrases given."""
    with pytest.raises(Exception) as caught:
        attempt(source, call)
    assert type(caught.value).__name__ == kind, f"{type(caught.value).__name__}: {caught.value}"
    check_refusal(caught.value, source, line, marker, message, hint)
