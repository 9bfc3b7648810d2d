"""Assembles the generated module's text and its map from generated lines to source lines."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .lines import Line
from .tidy.imports import tidy_imports

# the deepest bracket whose arguments continue aligned under it
_ALIGN_LIMIT = 40
# a line broken inside a bracket that does not end it: the most text that may follow the bracket
# (`) / n,` or `).to(out_ptr.dtype.element_ty),`, not the rest of a longer expression)
_TAIL_LIMIT = 35

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


def wrap(line: str, width: int = 100) -> list[str]:
    """A long call or signature: its arguments packed per line, each line after the first
    aligned under the first argument (as Triton's tutorials write them), the closing bracket
    on the last one; behind too deep a bracket the arguments start on the next line. A line
    still too long after that (one argument alone, or no call closing the line) is broken
    inside its widest bracket where that brings each of its lines within `width`; a call of
    one argument that is no call (a long message) has it on the next line, indented."""
    if len(line) <= width or line.lstrip().startswith("#") or "\n" in line:
        return [line]
    opening = _outer_call(line)
    if opening is None:
        summed = _wrap_sum(line, width)
        return summed if summed != [line] else _wrap_inside(line, width)
    start, end = opening
    arguments = [argument.strip() for argument in _split_top_level(line[start + 1 : end])]
    while len(arguments) == 1:  # `upcast_half(tl.load(...))`: the inner call's arguments
        nested = _outer_call(line[start + 1 : end])
        if nested is None:
            inside = _wrap_inside(line, width)
            return inside if inside != [line] else _hanging(line, start, end, width)
        start, end = start + 1 + nested[0], start + 1 + nested[1]
        arguments = [argument.strip() for argument in _split_top_level(line[start + 1 : end])]
    if len(arguments) < 2:
        return [line]
    lines = _packed(line, start, end, width)
    return [piece for part in lines for piece in _wrap_inside(part, width)]


def _packed(line: str, start: int, end: int, width: int) -> list[str]:
    """`line` broken inside the brackets at `start` and `end`: their arguments packed."""
    indent = line[: len(line) - len(line.lstrip())]
    arguments = [argument.strip() for argument in _split_top_level(line[start + 1 : end])]
    closing = line[end:].strip()
    pieces = [argument + "," for argument in arguments[:-1]] + [arguments[-1] + closing]
    if start + 1 <= _ALIGN_LIMIT:
        lines, current, inner = [], line[: start + 1], " " * (start + 1)
    else:  # a hanging indent (deeper for a signature, as PEP 8 has it, apart from the body)
        inner = indent + ("        " if line.lstrip().startswith("def ") else "    ")
        lines, current = [line[: start + 1]], inner
    empty = True  # nothing on `current` yet but its indent or the opening
    for piece in pieces:
        if not empty and len(current) + 1 + len(piece) > width:
            lines.append(current)
            current, empty = inner, True
        current += ("" if empty else " ") + piece
        empty = False
    return [*lines, current]


def _hanging(line: str, start: int, end: int, width: int) -> list[str]:
    """`raise RuntimeError("a long message")`: the one argument on the next line, indented one
    level deeper than the call (the closing bracket after it), where that line fits."""
    indent = line[: len(line) - len(line.lstrip())]
    lone = f"{indent}    {line[start + 1 : end].strip()}{line[end:].rstrip()}"
    return [line[: start + 1], lone] if len(lone) <= width else [line]


def _wrap_inside(line: str, width: int) -> list[str]:
    """A line too long that does not end with its call (`tl.sum(a, axis=1) / n,`, a dict of
    tensors, an argument alone on its line): broken inside its widest `(...)` or `{...}` of two
    or more arguments, when that holds half the line or more, little follows it, and every
    resulting line fits; else left as it is."""
    if len(line) <= width or line.lstrip().startswith("#"):
        return [line]
    opening = _widest_call(line)
    if opening is None:
        return [line]
    start, end = opening
    inside, after = end - start - 1, len(line.rstrip()) - end - 1
    if 2 * inside < len(line.strip()) or after > _TAIL_LIMIT:  # a small call amid an expression
        return [line]
    lines = _packed(line, start, end, width)
    return lines if all(len(piece) <= width for piece in lines) else [line]


def _widest_call(line: str) -> tuple[int, int] | None:
    """Positions of the widest `(...)` or `{...}` that opens and closes on the line around two
    or more arguments (the leftmost of equal ones)."""
    openings: list[tuple[int, str]] = []
    pairs: list[tuple[int, int]] = []
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([{":
            openings.append((index, char))
        elif char in ")]}" and openings:
            start, bracket = openings.pop()
            if bracket != "[" and len(_split_top_level(line[start + 1 : index])) > 1:
                pairs.append((start, index))
    return max(pairs, key=lambda pair: (pair[1] - pair[0], -pair[0]), default=None)


def _wrap_sum(line: str, width: int) -> list[str]:
    """`name = a + b + ...` too long for one line: the sum in parentheses, broken before a `+`
    (terms as written: a parenthesised one stays whole), the closing one after the last term."""
    indent = line[: len(line) - len(line.lstrip())]
    text = line.strip()
    try:
        statement = ast.parse(text).body[0]
    except SyntaxError:
        return [line]
    if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
        return [line]
    if text[statement.value.end_col_offset :].strip():  # a comment after it: left as it is
        return [line]
    value, pluses = statement.value, []
    while _is_sum(text, value):
        pluses.insert(0, text.index("+", value.left.end_col_offset, value.right.col_offset))
        value = value.left
    if len(pluses) < 2:
        return [line]
    bounds = [statement.value.col_offset, *pluses, statement.value.end_col_offset]
    pieces = [text[a + (i > 0) : b].strip() for i, (a, b) in enumerate(zip(bounds, bounds[1:]))]
    head = f"{indent}{text[: statement.value.col_offset].rstrip()} ("  # `name = (`
    inner = " " * len(head)  # the next terms aligned under the first, each after its `+`
    lines, current = [], head + pieces[0]
    for piece in pieces[1:]:
        if len(current) + len(" + ") + len(piece) + len(")") > width:
            lines.append(current)
            current = inner + "+ " + piece
        else:
            current += " + " + piece
    return [*lines, current + ")"]


def _is_sum(text: str, node: ast.expr) -> bool:
    """An addition written without parentheses around it."""
    before = text[: node.col_offset].rstrip()
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and not before.endswith("(")


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
