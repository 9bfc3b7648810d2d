"""Python source → one HTML fragment per line, coloured with JupyterLab's editor theme."""

from __future__ import annotations

import colorsys
import html

from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name
from pygments.token import Comment, Keyword, Name, Number, Operator, String, Token, _TokenType

STYLE_NAME = "default"  # colours where no JupyterLab theme is around (nbconvert, GitHub)

# Token kind → the JupyterLab (CodeMirror) theme variable that colours it; a light or a dark
# theme then colours the panes as it colours the notebook's own cells.
THEME_VARIABLES: dict[_TokenType, str] = {
    Comment: "--jp-mirror-editor-comment-color",
    Keyword: "--jp-mirror-editor-keyword-color",
    Operator.Word: "--jp-mirror-editor-keyword-color",
    Operator: "--jp-mirror-editor-operator-color",
    String: "--jp-mirror-editor-string-color",
    Number: "--jp-mirror-editor-number-color",
    Name.Builtin: "--jp-mirror-editor-builtin-color",
    Name.Function: "--jp-mirror-editor-def-color",
    Name.Class: "--jp-mirror-editor-def-color",
    Name.Decorator: "--jp-mirror-editor-meta-color",
    Name.Namespace: "--jp-mirror-editor-variable-color",
}


def _theme_variable(token_type: _TokenType) -> str | None:
    while token_type is not Token:
        if token_type in THEME_VARIABLES:
            return THEME_VARIABLES[token_type]
        token_type = token_type.parent
    return None


def _css_for(token_type: _TokenType) -> str:
    """A token's inline style: its theme variable, pygments' light colour as the fallback."""
    spec = get_style_by_name(STYLE_NAME).style_for_token(token_type)
    variable = _theme_variable(token_type)
    parts = []
    if variable and spec["color"]:  # the plain colour first, for sanitisers that drop var()
        parts.append(f"color:#{spec['color']};color:var({variable},#{spec['color']})")
    if spec["italic"]:
        parts.append("font-style:italic")
    return ";".join(parts)


def highlight_lines(code: str) -> list[str]:
    """One HTML fragment per line of `code` (no trailing newlines), tokens as styled spans;
    neighbouring tokens of one style share a span.

    Whitespace is glued to the token after it: some HTML pipelines (nbconvert's among them)
    collapse whitespace-only text between tags, which would eat the indentation.
    """
    lexer = PythonLexer(stripnl=False, ensurenl=False)
    lines: list[list[list[str]]] = [[]]  # per line: [css, text] pieces
    pending = ""  # whitespace waiting for the next token on the line
    for token_type, text in lexer.get_tokens(code):
        css = _css_for(token_type)
        for index, piece in enumerate(text.split("\n")):
            if index:
                lines[-1].append(["", pending])
                lines.append([])
                pending = ""
            if not piece.strip():
                pending += piece
                continue
            pieces = lines[-1]
            if pieces and pieces[-1][0] == css:
                pieces[-1][1] += pending + piece
            else:
                pieces.append([css, pending + piece])
            pending = ""
    lines[-1].append(["", pending])
    expected = code.count("\n") + 1
    fragments = [
        "".join(
            f'<span style="{css}">{html.escape(text, quote=False)}</span>'
            if css
            else html.escape(text, quote=False)
            for css, text in pieces
            if text
        )
        for pieces in lines
    ][:expected]
    fragments += [""] * (expected - len(fragments))
    if code.endswith("\n"):
        fragments.pop()
    return fragments


GOLDEN_ANGLE = 137.508  # successive hues as far apart as can be, never repeating


def tint(index: int) -> str:
    """The index-th tint: a hue a golden angle on from the last, translucent (readable on a
    light or a dark theme), as integer rgba (what sanitisers accept)."""
    red, green, blue = colorsys.hls_to_rgb((index * GOLDEN_ANGLE) % 360 / 360, 0.55, 0.8)
    return f"rgba({round(red * 255)},{round(green * 255)},{round(blue * 255)},0.2)"


def colours_for(source_lines: list[int | None]) -> dict[int, str]:
    """A tint per source line that generated lines cite, in source order."""
    cited = sorted({line for line in source_lines if line is not None})
    return {line: tint(index) for index, line in enumerate(cited)}
