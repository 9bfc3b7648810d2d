"""Syntax-level mutations of valid kernels: deleted tokens, swapped names, broken indentation..."""

from __future__ import annotations

import io
import re
import tokenize
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

KERNELS = Path(__file__).resolve().parents[1] / "kernels"
HEADER_END = re.compile(r"^@helion\.kernel", re.MULTILINE)


@cache
def seed_kernels() -> tuple[str, ...]:
    """Each kernel of tests/kernels/*.py as a module of its own: the file's imports, one kernel."""
    found = []
    for path in sorted(KERNELS.glob("*.py")):
        text = path.read_text()
        starts = [m.start() for m in HEADER_END.finditer(text)]
        if not starts:
            continue
        header = text[: starts[0]]
        if "hl.tile(" in header or "hl.grid(" in header:  # helpers with device loops: a kernel
            found.append(text)  # alone would leave the others' helpers uncalled (stray loops)
            continue
        for start, end in zip(starts, [*starts[1:], len(text)]):
            found.append(header + text[start:end].rstrip() + "\n")
    return tuple(found)


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    return [
        t
        for t in tokenize.generate_tokens(io.StringIO(source).readline)
        if t.type not in (tokenize.ENDMARKER, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
        and t.string.strip()
    ]


def _offset(source: str, position: tuple[int, int]) -> int:
    """The string offset of a tokenize (row, column) position."""
    lines = source.splitlines(keepends=True)
    return sum(len(line) for line in lines[: position[0] - 1]) + position[1]


def _replace_token(source: str, token: tokenize.TokenInfo, text: str) -> str:
    start, end = _offset(source, token.start), _offset(source, token.end)
    return source[:start] + text + source[end:]


# Spellings a user might get wrong: near misses, other libraries' names, Helion names we lack.
UNKNOWN_NAMES = ["expp", "sigmoidd", "tile_q", "hl", "torch", "numpy", "matmul", "zeros", "x_"]
ODD_TEXT = ["(", ")", "[", "]", ":", ",", "=", "**", "lambda", "yield", "await", "'", '"""', "\\"]
ODD_TEXT += ["@", "...", "None", "1e400", "-", "not", "if", "for", "\t", "#", "0x", "é", "→"]


@st.composite
def mutants(draw) -> tuple[str, str]:
    """(what was done, the mutated source) from one seed kernel."""
    source = draw(st.sampled_from(seed_kernels()))
    tokens = _tokens(source)
    lines = source.splitlines(keepends=True)
    kind = draw(
        st.sampled_from(
            [
                "delete-token",
                "swap-names",
                "unknown-name",
                "insert-text",
                "indent",
                "dedent",
                "delete-line",
                "duplicate-line",
                "add-argument",
                "drop-argument",
                "random-line",
            ]
        )
    )
    token = draw(st.sampled_from(tokens))
    names = [t for t in tokens if t.type == tokenize.NAME]
    line_number = draw(st.integers(0, len(lines) - 1))
    if kind == "delete-token":
        return f"{kind} {token.string!r} at {token.start}", _replace_token(source, token, "")
    if kind == "swap-names" and token.type == tokenize.NAME:
        other = draw(st.sampled_from(names)).string
        return f"{kind} {token.string!r}->{other!r} at {token.start}", _replace_token(
            source, token, other
        )
    if kind in ("unknown-name", "swap-names"):
        target = draw(st.sampled_from(names))
        new = draw(st.sampled_from(UNKNOWN_NAMES))
        return f"unknown-name {target.string!r}->{new!r} at {target.start}", _replace_token(
            source, target, new
        )
    if kind == "insert-text":
        text = draw(st.sampled_from(ODD_TEXT) | st.text(max_size=4))
        return f"{kind} {text!r} before {token.start}", _replace_token(
            source, token, text + token.string
        )
    if kind == "indent":
        lines[line_number] = draw(st.sampled_from([" ", "    ", "\t"])) + lines[line_number]
    elif kind == "dedent":
        lines[line_number] = lines[line_number].lstrip(" ")
    elif kind == "delete-line":
        del lines[line_number]
    elif kind == "duplicate-line":
        lines.insert(line_number, lines[line_number])
    elif kind == "random-line":
        text = draw(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30))
        lines[line_number] = text + "\n"
    elif kind in ("add-argument", "drop-argument"):
        calls = [t for t in tokens if t.string == "("]
        if not calls:
            return "no-op", source
        paren = draw(st.sampled_from(calls))
        offset = _offset(source, paren.end)
        if kind == "add-argument":
            extra = draw(st.sampled_from(["0, ", "x, ", "dim=1, ", "None, ", "tile, ", "*x, "]))
            return f"{kind} {extra!r} at {paren.end}", source[:offset] + extra + source[offset:]
        close = source.find(",", offset)
        if close < 0:
            return "no-op", source
        return f"{kind} at {paren.end}", source[:offset] + source[close + 1 :].lstrip(" ")
    return f"{kind} line {line_number + 1}", "".join(lines)


SHUFFLE_HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n@helion.kernel()\n"
KERNEL_LINES = st.sampled_from(
    [
        "def k(x: torch.Tensor):",
        "    out = torch.empty_like(x)",
        "    for tile in hl.tile(x.size(0)):",
        "        out[tile] = x[tile] + 1",
        "        v = x[tile].sum(dim=0)",
        "    for i in hl.grid(4):",
        "        out[i] = v",
        "    return out",
        "        if v > 0:",
        "            break",
        "    m, n = x.size()",
        "        acc = hl.zeros([tile], dtype=torch.float32)",
        "        acc += x[tile, :].amax(dim=1)",
        "        out[tile, None] = acc[:, None]",
    ]
)


def shuffled_kernels() -> st.SearchStrategy[str]:
    """Kernel lines in random order and number: loops, stores and returns out of place."""
    lines = st.lists(KERNEL_LINES, min_size=1, max_size=8)
    return lines.map(lambda chosen: SHUFFLE_HEADER + "\n".join(chosen) + "\n")
