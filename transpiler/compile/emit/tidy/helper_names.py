"""Helpers renamed apart from the user's names: a kernel called `power` or a host variable
called `require` keeps its name, and the module's helper of that name takes a free one."""

from __future__ import annotations

import ast
import re

from .helpers import defined_functions, host_helper_names


def user_names(body: str) -> set[str]:
    """Names the user's code binds: at module level, in a launcher, and in a @triton.jit
    function (its parameters and variables: lowering binds no helper's name there)."""
    tree = ast.parse(body)
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
            if isinstance(node, ast.FunctionDef):
                names |= {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
                names |= {
                    n.id
                    for n in ast.walk(node)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                }
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        else:
            names |= {
                n.id
                for n in ast.walk(node)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
            }
    return names


def apart_from_user(body: list[str], helpers: list[str]) -> tuple[list[str], list[str]]:
    """(body lines, helper sources) with every helper whose name the user's code also binds
    renamed `NAME_helper` (or the next free name), at its definition and at each call."""
    defined = {name for source in helpers for name in defined_functions(source)}
    taken = user_names("\n".join(body))
    clashes = sorted(defined & taken)
    if not clashes:
        return body, helpers
    renames: dict[str, str] = {}
    for name in clashes:
        candidate, counter = f"{name}_helper", 1
        while candidate in taken | defined | set(renames.values()):
            counter += 1
            candidate = f"{name}_helper{counter}"
        renames[name] = candidate
    calls = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, clashes)) + r")(?=\s*\()")
    host = {name for name in clashes if name in host_helper_names()}

    def rename(line: str, only: set[str] | None = None) -> str:
        code, comment = _split_comment(line)
        code = calls.sub(lambda m: renames[m[1]] if only is None or m[1] in only else m[1], code)
        return code + comment

    renamed: list[str] = []
    in_jit = False
    for index, line in enumerate(body):
        if line and not line[0].isspace() and not line.startswith(("@", ")")):
            in_jit = line.startswith("def ") and index > 0 and body[index - 1] == "@triton.jit"
            renamed.append(line if not in_jit else rename(line))
            continue
        renamed.append(rename(line) if in_jit else rename(line, host))
    return renamed, ["\n".join(map(rename, source.split("\n"))) for source in helpers]


def _split_comment(line: str) -> tuple[str, str]:
    """A line's code and its comment (a `#` outside a string starts one)."""
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:index], line[index:]
    return line, ""
