"""Error panes: a TranspileError at its cell line, or a failed run at its generated line."""

from __future__ import annotations

import html
import re
import traceback
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from transpiler import Transpiled
from transpiler.errors import (
    KernelErrors,
    TranspileError,
    TranspileSyntaxError,
    UndefinedNameError,
    UnsupportedOpsError,
)

BOX_STYLE = (
    "border-left:4px solid #d1242f;background:#fff5f5;padding:6px 10px;margin:4px 0;"
    "font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;white-space:pre-wrap;"
    "color:#24292f"
)


@dataclass(frozen=True)
class ErrorPane:
    """A titled error message shown without a traceback: text/plain and inline-styled HTML."""

    title: str
    body: str

    def plain(self) -> str:
        return f"{self.title}\n{self.body}" if self.body else self.title

    def html(self) -> str:
        title = f'<div style="font-weight:bold;color:#d1242f">{html.escape(self.title)}</div>'
        return f'<div data-helion-error style="{BOX_STYLE}">{title}{html.escape(self.body)}</div>'

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/plain": self.plain(), "text/html": self.html()}


def _pane(kind: str, message: str, lineno: int, column: int, line: str, hint: str) -> ErrorPane:
    where = f"cell line {lineno}, column {column + 1}" if lineno else "cell"
    lines = [f"{kind}: {message}"]
    if line:
        lines.append(f"    {line.rstrip()}")
        lines.append(f"    {caret_indent(line, column)}^")
    if hint:
        lines.append(f"hint: {hint}")
    return ErrorPane(f"helion: cannot transpile ({where})", "\n".join(lines))


def caret_indent(line: str, column: int) -> str:
    """Blanks up to `column` that line up under `line` however wide a tab shows (tabs kept)."""
    return "".join(c if c == "\t" else " " for c in line[:column])


IPYTHON_SYNTAX_HINT = (
    "a %%helion cell is plain Python: IPython's %magics and !commands do not run in it; put "
    "them in a cell of their own"
)


def python_syntax_error(source: str) -> SyntaxError | None:
    """Python's own account of a syntax error (its line and column are the ones users know)."""
    try:
        compile(source, "<cell>", "exec", dont_inherit=True)
    except SyntaxError as error:
        return error
    return None


def earlier_cell_hint(error: TranspileError, namespace: dict[str, Any]) -> str | None:
    """For a device loop's undefined name that an earlier cell bound: why the loop cannot read
    it, and the fix (a tensor: pass it; anything else: define it in this cell)."""
    if not isinstance(error, UndefinedNameError):
        return None
    found = re.match(r"[A-Za-z_]\w*", error.source_line[error.col_offset :])
    name = found.group() if found else ""
    if name not in namespace:
        return None
    value = namespace[name]
    if isinstance(value, torch.Tensor):
        return f"{name} is a tensor an earlier cell bound: pass it to the kernel as an argument"
    if isinstance(value, types.ModuleType):
        module = value.__name__.replace("transpiler.", "helion.", 1)  # as the user spells it
        spelled = f"import {module}" + (f" as {name}" if module != name else "")
        return (
            f"{name} is a module an earlier cell imported; a device loop reads this cell's "
            f"imports: add `{spelled}` to this cell"
        )
    return (
        f"{name} is bound by an earlier cell; a device loop reads this cell's names (and the "
        f"earlier cells' numbers, strings and dtypes): define {name} in this cell, or pass it "
        "as an argument"
    )


def transpile_error_pane(
    error: TranspileError, source: str, namespace: dict[str, Any] | None = None
) -> ErrorPane:
    """The message at the cell line the user counts (the line after `%%helion` is line 1);
    `namespace` (the notebook's) can say that a name an earlier cell bound is out of reach."""
    syntax = python_syntax_error(source) if isinstance(error, TranspileSyntaxError) else None
    if syntax is not None and syntax.lineno:
        lines = source.splitlines()
        line = lines[syntax.lineno - 1] if syntax.lineno <= len(lines) else ""
        column = max((syntax.offset or 1) - 1, 0)
        ipython = line.lstrip()[:1] in ("%", "!") or line[column : column + 1] in ("%", "!")
        hint = IPYTHON_SYNTAX_HINT if ipython else error.hint  # `files = !ls` too
        return _pane("SyntaxError", syntax.msg, syntax.lineno, column, line, hint)
    pane = _pane(
        type(error).__name__,
        error.message,
        error.lineno,
        error.col_offset or 0,
        error.source_line,
        earlier_cell_hint(error, namespace or {}) or error.hint,
    )
    others = [_pane(type(e).__name__, e.message, e.lineno, e.col_offset or 0, e.source_line,
                    e.hint) for e in _further(error)]  # fmt: skip
    if not others:
        return pane
    return ErrorPane(
        pane.title,
        "\n\n".join([pane.body, *(f"{o.title[len('helion: cannot transpile ') :]}\n{o.body}"
                                  for o in others)]),
    )  # fmt: skip


def _further(error: TranspileError) -> list[TranspileError]:
    """The errors shown below the first: a kernel's other unsupported ops, or each kernel's
    own error under the header of several kernels."""
    if isinstance(error, KernelErrors):
        return list(error.errors)
    if isinstance(error, UnsupportedOpsError):
        return error.errors[1:]
    return []


def _line(lines: list[str], number: int | None) -> str:
    if number is None or not 0 < number <= len(lines):
        return ""
    return lines[number - 1].strip()


def run_error_pane(
    what: str,
    error: BaseException,
    source: str,
    generated: dict[Path, Transpiled],
    cell_filename: str,
) -> ErrorPane:
    """The exception's message; where it happened in the generated file and in the cell."""
    body = [f"{type(error).__name__}: {error}".rstrip()]
    frames = traceback.extract_tb(error.__traceback__)
    cell_lines = source.splitlines()
    ours = [frame for frame in reversed(frames) if Path(frame.filename) in generated]
    # the innermost generated line that a cell line made (not a helper's, e.g. require's raise)
    generated_frame = next(
        (
            frame
            for frame in ours
            if frame.lineno and generated[Path(frame.filename)].source_line(frame.lineno)
        ),
        ours[0] if ours else None,
    )
    if generated_frame is not None:
        transpiled = generated[Path(generated_frame.filename)]
        code_lines = transpiled.code.splitlines()
        number = generated_frame.lineno
        body.append(f"generated line {number}: {_line(code_lines, number)}")
        source_number = transpiled.source_line(number) if number else None
        if source_number is not None:
            body.append(f"from cell line {source_number}: {_line(cell_lines, source_number)}")
    else:
        cell_frame = next((f for f in reversed(frames) if f.filename == cell_filename), None)
        if cell_frame is not None:
            number = cell_frame.lineno
            body.append(f"at cell line {number}: {_line(cell_lines, number)}")
    return ErrorPane(f"helion: {what} failed", "\n".join(body))
