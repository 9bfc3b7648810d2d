"""Launcher lines that check a kernel's symmetric-memory arguments before anything launches."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..compile.frontend.aliases import Aliases
from ..compile.frontend.host import TENSOR_TUPLES


def symmetric_memory_checks(statement: cst.CSTNode, aliases: Aliases) -> list[str]:
    """`require_symmetric("x", x, group)` for each `get_remote_tensors(x, group)` the host
    statement makes: a process group by that name, and x from symmetric memory; else torch
    would fail inside the op (or, without a group, with a message naming neither)."""
    checks = []
    for call in m.findall(statement, m.Call()):
        if aliases.qualified(call.func) not in TENSOR_TUPLES or len(call.args) < 2:
            continue
        tensor, group = (cst.Module(body=[]).code_for_node(a.value) for a in call.args[:2])
        checks.append(f'require_symmetric("{tensor}", {tensor}, {group})')
    return checks
