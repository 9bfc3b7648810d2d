"""Launcher helpers in their shortest form: the lines serving a keyword no call in the module
passes (`check_tensors`' bool check where no line does arithmetic) are left out."""

from __future__ import annotations

import ast

# (helper, keyword) → edits of its source where no call passes the keyword: (text, replacement)
UNUSED_KEYWORD_EDITS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("check_tensors", "arithmetic"): (
        ("ranks=None, arithmetic=None, why", "ranks=None, why"),
        (
            "rank, line = (ranks or {}).get(name), (arithmetic or {}).get(name)",
            "rank = (ranks or {}).get(name)",
        ),
        (
            """        if line is not None and t.dtype == torch.bool:
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
