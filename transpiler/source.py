"""The user's source: parsing with positions, and errors that point at a node."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .errors import TranspileError, TranspileSyntaxError


@dataclass
class Source:
    """Parsed source text with the position of every node, for errors and line comments."""

    text: str
    filename: str
    module: cst.Module
    positions: dict[cst.CSTNode, object] = field(repr=False)
    current: cst.CSTNode | None = field(default=None, repr=False)  # the statement being lowered

    @classmethod
    def parse(cls, text: str, filename: str = "<string>") -> Source:
        try:
            module = cst.parse_module(text)
        except cst.ParserSyntaxError as error:
            lineno, column, message = error.raw_line, error.raw_column, error.message
            try:  # Python's own parser places syntax errors best
                ast.parse(text, filename)
            except SyntaxError as python_error:
                lineno, column = python_error.lineno or lineno, (python_error.offset or 1) - 1
                message = python_error.msg
            lines = text.splitlines()
            line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
            raise TranspileSyntaxError(
                message, filename=filename, lineno=lineno, col_offset=column, source_line=line
            ) from None
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
        return cls(text, filename, module, dict(positions))

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line_of(self, node: cst.CSTNode) -> int:
        position = self.positions.get(node) or self.positions.get(self.current)
        return position.start.line if position is not None else 0

    def line_text(self, lineno: int) -> str:
        lines = self.lines
        return lines[lineno - 1] if 0 < lineno <= len(lines) else ""

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def error(
        self,
        kind: type[TranspileError],
        node: cst.CSTNode,
        message: str,
        hint: str | None = None,
    ) -> TranspileError:
        """An error of `kind` at `node`'s first character (raise it)."""
        position = self.positions.get(node) or self.positions.get(self.current)
        start = position.start if position is not None else _Start()
        return kind(
            message,
            filename=self.filename,
            lineno=start.line,
            col_offset=start.column,
            source_line=self.line_text(start.line),
            hint=hint,
        )


class _Start:
    line = 0
    column = 0
