"""Launcher helpers in their shortest form: the lines serving a keyword no call in the module
passes (`check_tensors`' bool check where no line does arithmetic) are left out."""

from __future__ import annotations

import ast

# (helper, keyword) → edits of its source where no call passes the keyword: (text, replacement)
UNUSED_KEYWORD_EDITS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("check_tensors", "integers"): (
        (", integers=None", ""),
        (
            """    met = {tensors[name].dtype: name for name in integers or {}}  # loaded tensors meeting others
    ints, halves = (torch.int16, torch.int32, torch.int64), (torch.float16, torch.bfloat16)
    for a, b in [(torch.uint8, torch.int8), *((i, h) for i in ints for h in halves)]:
        if a in met and b in met:  # torch: int16 (Triton: uint8); the int rounded to b first
            lines = sorted(set(integers.values()))
            fix = f"torch promotes them apart from Triton: convert one first, .to({b})"
            raise TypeError(f"{a} {met[a]} meets {b} {met[b]} (lines {lines}): {fix}")
""",
            "",
        ),
    ),
    ("check_tensors", "numbers"): (
        (", numbers=None", ""),
        (
            """    for name, (line, low, high) in (numbers or {}).items():  # Python ints meeting a tensor
        dtype = tensors[name].dtype
        if dtype.is_floating_point or dtype.is_complex or dtype == torch.bool:
            continue
        info = torch.iinfo(dtype)  # a literal inside the dtype computes in it, as torch
        if not info.min <= low <= high <= info.max:
            fix = f"convert {name} first, .to(torch.int32): torch keeps {dtype}, wrapping"
            raise TypeError(f"line {line} computes with {dtype} {name} and an int: {fix}")
""",
            "",
        ),
    ),
    ("check_tensors", "floats"): (
        (", floats=None", ""),
        (
            """    for name, (line, number) in (floats or {}).items():  # Triton passes it as float32
        if tensors[name].dtype == torch.float64 and isinstance(number, float):
            fix = "annotate the argument hl.constexpr, or write the number in the kernel"
            raise TypeError(f"line {line} computes with float64 {name} and a float argument: {fix}")
""",
            "",
        ),
    ),
    ("check_tensors", "arithmetic"): (
        (", arithmetic=None", ""),
        (
            "rank, line = (ranks or {}).get(name), (arithmetic or {}).get(name)",
            "rank = (ranks or {}).get(name)",
        ),
        (
            """        if line is not None and t.dtype == torch.bool:  # (line, *names): wrong beside their bools
            line, *beside = line if isinstance(line, tuple) else (line, name)
            if any(tensors[other].dtype == torch.bool for other in beside):
                fix = f"pass {name}.to(torch.int32) or {name}.float(), or combine bools with & | ~"
                raise TypeError(f"{name} is a bool tensor and line {line} does arithmetic: {fix}")
""",
            "",
        ),
    ),
}


def _keywords(code: str, helper: str) -> set[str] | None:
    """The keywords the module's calls of `helper` pass; None where a call passes more than its
    first argument by position, or splats one (its keywords are unknown)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == helper
        ):
            if len(node.args) > 1 or any(k.arg is None for k in node.keywords):
                return None
            found.update(k.arg for k in node.keywords)
    return found


def shortest_form(name: str, source: str, code: str) -> str:
    """`source` of the launcher helper `name` without the lines for keywords `code` never passes
    (each edit made only where its text is found, else the helper stays whole)."""
    edits = [
        (kw, changes) for (helper, kw), changes in UNUSED_KEYWORD_EDITS.items() if helper == name
    ]
    passed = _keywords(code, name) if edits else None
    if passed is None:
        return source
    for keyword, changes in edits:
        if keyword in passed or not all(old in source for old, _ in changes):
            continue
        for old, new in changes:
            source = source.replace(old, new)
    return source
