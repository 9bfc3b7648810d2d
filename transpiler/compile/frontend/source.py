"""The user's source: parsing with positions, and errors that point at a node."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .errors import TranspileError, TranspileSyntaxError

T = TypeVar("T")


@dataclass
class Source:
    """Parsed source text with the position of every node, for errors and line comments."""

    text: str
    filename: str
    module: cst.Module
    positions: dict[cst.CSTNode, object] = field(repr=False)
    current: cst.CSTNode | None = field(default=None, repr=False)  # the statement being lowered
    # what reads nothing but this source, by (function, node): a search transpiles one source
    # once per configuration (pipeline._checked keeps the Source)
    known: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False)

    def once(self, function: Callable[..., T], node: cst.CSTNode, *args: object) -> T:
        """`function(*args)`, computed once for `node` (a check that raises runs again)."""
        key = (function.__qualname__, id(node))
        if key not in self.known:
            self.known[key] = function(*args)
        return self.known[key]

    @classmethod
    def parse(cls, text: str, filename: str = "<string>") -> Source:
        try:
            module = cst.parse_module(text)
        except (cst.ParserSyntaxError, cst.CSTValidationError) as error:
            message = getattr(error, "message", str(error))
            place = (getattr(error, "raw_line", 1), getattr(error, "raw_column", 0))
            raise _syntax_error(text, filename, message, *place) from None
        # libcst accepts some text that Python refuses (`return` outside a function, a
        # duplicate parameter or keyword, characters not allowed in names): compile it too.
        raise_if_invalid_python(text, filename)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
        return cls(text, filename, module, dict(positions))

    @property
    def lines(self) -> list[str]:
        return python_lines(self.text)

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


def python_lines(text: str) -> list[str]:
    """The lines as Python counts them: only \\n, \\r\\n and \\r end a line (str.splitlines
    also breaks at form feeds and other separators, which would shift every later line)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def raise_if_invalid_python(text: str, filename: str) -> None:
    """A TranspileSyntaxError where Python's compiler refuses `text`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings (invalid escapes) are not ours
            compile(text, filename, "exec", dont_inherit=True)
    except SyntaxError as error:
        line, column = error.lineno or 1, (error.offset or 1) - 1
        raise _syntax_error(text, filename, error.msg, line, column) from None
    except ValueError as error:  # a NUL character
        raise _syntax_error(text, filename, str(error), 1, 0) from None


def _syntax_error(
    text: str, filename: str, message: str, lineno: int, column: int
) -> TranspileSyntaxError:
    """A syntax error placed by Python's own parser where it can, else by libcst's."""
    try:
        ast.parse(text, filename)
    except SyntaxError as python_error:
        lineno, column = python_error.lineno or lineno, (python_error.offset or 1) - 1
        message = python_error.msg
    except ValueError:
        pass
    lines = python_lines(text)
    line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    column = max(0, min(column, len(line)))
    return TranspileSyntaxError(
        message, filename=filename, lineno=lineno, col_offset=column, source_line=line
    )


class _Start:
    line = 0
    column = 0
