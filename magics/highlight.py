"""Python source → one HTML fragment per line, coloured by pygments with inline styles only."""

from __future__ import annotations

import html

from pygments.lexers import PythonLexer
from pygments.style import StyleMeta
from pygments.styles import get_style_by_name
from pygments.token import _TokenType

STYLE_NAME = "default"

# Light tints for linked lines, Compiler Explorer style: neighbours differ, text stays readable.
PALETTE: tuple[str, ...] = (
    "#fde2e2",
    "#e2f0fd",
    "#e4f7e0",
    "#fff3c4",
    "#efe2fd",
    "#d9f5f3",
    "#fde6cf",
    "#e9ecf2",
    "#f9dcef",
    "#e6f4c7",
)


def _css_for(style: StyleMeta, token_type: _TokenType) -> str:
    spec = style.style_for_token(token_type)
    parts = []
    if spec["color"]:
        parts.append(f"color:#{spec['color']}")
    if spec["bold"]:
        parts.append("font-weight:bold")
    if spec["italic"]:
        parts.append("font-style:italic")
    return ";".join(parts)


def highlight_lines(code: str) -> list[str]:
    """One HTML fragment per line of `code` (no trailing newlines), tokens as styled spans.

    Whitespace is glued to the token after it: some HTML pipelines (nbconvert's among them)
    collapse whitespace-only text between tags, which would eat the indentation.
    """
    style = get_style_by_name(STYLE_NAME)
    lexer = PythonLexer(stripnl=False, ensurenl=False)
    lines: list[list[str]] = [[]]
    pending = ""  # whitespace waiting for the next token on the line
    for token_type, text in lexer.get_tokens(code):
        css = _css_for(style, token_type)
        for index, piece in enumerate(text.split("\n")):
            if index:
                lines[-1].append(pending)
                lines.append([])
                pending = ""
            if not piece.strip():
                pending += piece
                continue
            escaped = html.escape(pending + piece, quote=False)
            pending = ""
            lines[-1].append(f'<span style="{css}">{escaped}</span>' if css else escaped)
    lines[-1].append(pending)
    expected = code.count("\n") + 1
    fragments = ["".join(pieces) for pieces in lines][:expected]
    fragments += [""] * (expected - len(fragments))
    if code.endswith("\n"):
        fragments.pop()
    return fragments


def colours_for(source_lines: list[int | None]) -> dict[int, str]:
    """A palette colour per source line that generated lines cite, in source order."""
    cited = sorted({line for line in source_lines if line is not None})
    return {line: PALETTE[index % len(PALETTE)] for index, line in enumerate(cited)}
