"""Assembles the generated module's text and its map from generated lines to source lines."""

from __future__ import annotations

from dataclasses import dataclass, field

from .lower.kernel import Line
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
            self.add(indent + line.text if line.text else "", line.source_line)

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
    for source in [HOST_HELPERS[name] for name in sorted(host_helpers)] + helper_sources(helpers):
        module.blank(2)
        module.add(source.rstrip("\n"))
    return module
