"""Assembles the generated module's text and its map from generated lines to source lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lower.argument_checks import ARGUMENT_HELPERS
from .lines import Line
from .prelude import HOST_HELPERS, helper_sources

HEADER_IMPORTS = ["import torch", "import triton", "import triton.language as tl"]


@dataclass
class ModuleText:
    """Generated text built line by line; `line_map[i]` is the source line of generated line i+1."""

    lines: list[str] = field(default_factory=list)
    line_map: list[int | None] = field(default_factory=list)

    def add(self, text: str, source_line: int | None = None) -> None:
        for piece in text.split("\n"):
            self.lines.append(piece)
            self.line_map.append(source_line)

    def add_lines(self, lines: list[Line], base_depth: int = 0) -> None:
        for line in lines:
            indent = "    " * (line.depth + base_depth)
            for piece in wrap(indent + line.text if line.text else ""):
                self.add(piece, line.source_line)

    def blank(self, count: int = 1) -> None:
        for _ in range(count):
            self.add("")

    def text(self) -> str:
        # no trailing whitespace, exactly one newline at the end
        body = "\n".join(line.rstrip() for line in self.lines).strip("\n")
        return body + "\n"


def header(filename: str, helpers: set[str], host_helpers: set[str]) -> ModuleText:
    module = ModuleText()
    module.add(
        f'"""Triton kernels generated from {filename} by transpiler: edit the source, not this file."""'
    )
    module.blank()
    for line in HEADER_IMPORTS:
        module.add(line)
    launcher_helpers = {**HOST_HELPERS, **ARGUMENT_HELPERS}
    for source in [launcher_helpers[n] for n in sorted(host_helpers)] + helper_sources(helpers):
        module.blank(2)
        module.add(source.rstrip("\n"))
    return module


def wrap(line: str, width: int = 100) -> list[str]:
    """A long call or signature split after its opening bracket, arguments packed per line."""
    if len(line) <= width or line.lstrip().startswith("#"):
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    opening = _outer_call(line)
    if opening is None:
        return [line]
    start, end = opening
    arguments = _split_top_level(line[start + 1 : end])
    if len(arguments) < 2:
        return [line]
    inner = indent + "    "
    lines, current = [line[: start + 1]], inner
    for argument in arguments:
        piece = argument.strip() + ","
        if current.strip() and len(current) + 1 + len(piece) > width:
            lines.append(current.rstrip())
            current = inner
        current += ("" if not current.strip() else " ") + piece
    lines.append(current.rstrip())
    lines.append(indent + line[end:].lstrip())
    return lines


def _outer_call(line: str) -> tuple[int, int] | None:
    """Positions of the first bracket pair that closes at the end of the line (before `:`)."""
    text = line.rstrip()
    tail = len(text) - (1 if text.endswith(":") else 0)
    if tail == 0 or text[tail - 1] != ")":
        return None
    depth, quote = 0, ""
    for index, char in enumerate(text[:tail]):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            if depth == 0:
                start = index
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return (start, index) if index == tail - 1 else None
    return None


def _split_top_level(text: str) -> list[str]:
    parts, depth, current, quote = [], 0, "", ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current)
    return parts
