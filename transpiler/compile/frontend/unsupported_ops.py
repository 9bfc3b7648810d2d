"""Every unsupported op of a kernel at once: after the first, each refused call is stood in for
by its operand and the kernel lowered again, until lowering gets past them all."""

from __future__ import annotations

import ast
from collections.abc import Callable

from .errors import UnsupportedOpError, UnsupportedOpsError

MOST_REPORTED = 12  # a kernel of nothing but unknown ops is not lowered more often than this


def stand_in(text: str, error: UnsupportedOpError) -> str | None:
    """`text` with the refused call at the error's place replaced by its operand, padded to
    the same length inside parentheses (so every later line and column stays where it was):
    `torch.erfinv(x[tile])` → `(x[tile]           )`, `v.erfinv()` → `(v       )`. None where
    no call starts there, or the call spans lines."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    modules = _module_names(tree)
    lines = text.split("\n")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not _named_at(node.func, error):
            continue
        if node.lineno != node.end_lineno or node.end_col_offset is None:
            return None
        operand = _operand(node, modules)
        if operand is None or operand.lineno != operand.end_lineno:
            return None
        line = lines[node.lineno - 1]
        inner = line[operand.col_offset : operand.end_col_offset]
        width = node.end_col_offset - node.col_offset
        replacement = f"({inner}".ljust(width - 1) + ")"
        lines[node.lineno - 1] = line[: node.col_offset] + replacement + line[node.end_col_offset :]
        return "\n".join(lines)
    return None


def _named_at(func: ast.expr, error: UnsupportedOpError) -> bool:
    """The call's function name (a method's attribute) starts at the error's place."""
    if isinstance(func, ast.Attribute):
        assert func.end_col_offset is not None
        return (func.end_lineno, func.end_col_offset - len(func.attr)) == (
            error.lineno,
            error.col_offset,
        )
    return (func.lineno, func.col_offset) == (error.lineno, error.col_offset)


def _module_names(tree: ast.Module) -> set[str]:
    """Names the source binds to modules (torch, F, math, ...), as opposed to tensors."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names}
    return names


def _operand(call: ast.Call, modules: set[str]) -> ast.expr | None:
    """What stands in for the call: a method's owner, else its first positional argument."""
    func = call.func
    if isinstance(func, ast.Attribute):
        root = func.value
        while isinstance(root, ast.Attribute):
            root = root.value
        if not (isinstance(root, ast.Name) and root.id in modules):
            return func.value
    return call.args[0] if call.args and not isinstance(call.args[0], ast.Starred) else None


def all_unsupported(
    text: str, first: UnsupportedOpError, lower: Callable[[str], None]
) -> UnsupportedOpError:
    """`first`, or an UnsupportedOpsError of it and every other op that `lower` (the kernel's
    lowering of a text) refuses once the ones before are stood in for. Other errors end the
    search: they may be the stand-in's own doing."""
    found = [first]
    original = text.split("\n")
    while len(found) < MOST_REPORTED:
        text = stand_in(text, found[-1])
        if text is None:
            break
        try:
            lower(text)
        except UnsupportedOpError as error:
            if any((e.lineno, e.col_offset) == (error.lineno, error.col_offset) for e in found):
                break
            if 0 < error.lineno <= len(original):
                error.source_line = original[error.lineno - 1]
            found.append(error)
            continue
        except Exception:  # noqa: BLE001 - not an op error: the search ends here
            break
        break
    if len(found) == 1:
        return first
    return UnsupportedOpsError(found)
