"""Assembles the generated module's text and its map from generated lines to source lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from .lines import Line
from .tidy.imports import tidy_imports
from .wrap import wrap

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


def header(filename: str, imports: list[tuple[str, int | None]]) -> ModuleText:
    """The module's docstring and imports: ours, and those the source opens with."""
    module = ModuleText()
    module.add(
        f'"""Triton kernels generated from {filename} by transpiler: edit the source, not this file."""'
    )
    module.blank()
    for line, source_line in tidy_imports([(line, None) for line in HEADER_IMPORTS] + imports):
        module.add(line, source_line)
    return module


def assemble(header: ModuleText, body: ModuleText, split: int, helpers: list[str]) -> ModuleText:
    """The header, the body up to `split` (its first kernel and launcher), the helpers, the rest:
    the first @triton.jit kernel near the top, each helper defined before a launch calls it."""
    module = ModuleText(list(header.lines), list(header.line_map))
    module.lines += body.lines[:split]
    module.line_map += body.line_map[:split]
    for source in helpers:
        module.blank(2)
        module.add(source.rstrip("\n"))
    module.lines += body.lines[split:]
    module.line_map += body.line_map[split:]
    return module
