"""A source's top-level statements that only run (prints, test calls), blanked for reference mode."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..compile.frontend.module_statements import statements_left_out


def definitions_only(source: str) -> str:
    """`source` with each top-level statement that binds nothing the rest reads and defines
    nothing replaced by `pass` and blank lines: building the reference runs a cell's prints,
    calls and loops a second time otherwise (the cell already ran them). Lines keep their
    numbers; what the generated module leaves out is what is blanked (module_statements)."""
    wrapper = MetadataWrapper(cst.parse_module(source))
    left_out = statements_left_out(wrapper.module)
    if not left_out:
        return source
    positions = wrapper.resolve(PositionProvider)
    lines = source.splitlines(keepends=True)
    for statement in wrapper.module.body:
        if id(statement) in left_out:
            where = positions[statement]
            first, last = where.start.line - 1, where.end.line - 1
            lines[first : last + 1] = ["pass\n"] + ["\n"] * (last - first)
    return "".join(lines)
