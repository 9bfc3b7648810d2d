"""Helion's public API read from a git snapshot of its source (git + ast, no import of helion):
writes tests/helion_api.json, which tests/test_helion_api.py compares with our tables.

    python benchmarks/helion_api_extract.py [--repo /work/.mirror/pytorch+helion/repo] [--rev HEAD]

The JSON holds the snapshot's commit; every public name of `helion.language` with its
parameters (name, kind as `inspect` spells it, default as source text), `helion.kernel`'s
keywords (its own and the fields of `helion.runtime.settings._Settings` it takes as
`**settings`), `helion.Config`'s keyword parameters and the config keys Helion's autotuner lists
as valid (`VALID_KEYS` in helion/autotuner/config_spec.py, resolved where its parts are literals).
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
from pathlib import Path

DEFAULT_REPO = "/work/.mirror/pytorch+helion/repo"
OUT = Path(__file__).resolve().parent.parent / "tests" / "helion_api.json"


class Snapshot:
    """Files of one commit of a bare repository, parsed once each."""

    def __init__(self, repo: str, rev: str) -> None:
        self.repo = repo
        self.commit = self._git("rev-parse", f"{rev}^{{commit}}").strip()
        self._trees: dict[str, ast.Module] = {}

    def _git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", self.repo, *args], check=True, capture_output=True, text=True
        ).stdout

    def module(self, path: str) -> ast.Module:
        if path not in self._trees:
            self._trees[path] = ast.parse(self._git("show", f"{self.commit}:{path}"))
        return self._trees[path]


def _relative(package: str, imported: ast.ImportFrom) -> str:
    """The file a `from .x import y` in `package` (a file path) reads."""
    parts = package.split("/")[:-1]
    for _ in range(imported.level - 1):
        parts.pop()
    if imported.module:
        parts += imported.module.split(".")
    return "/".join(parts) + ".py"


def _top_level(tree: ast.Module, name: str) -> ast.AST | None:
    """The last top-level def / class / assignment of `name` (the real def after @overloads)."""
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name == name:
                found = node
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            found = node
        elif isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == name:
            found = node
    return found


def parameters(function: ast.FunctionDef | ast.AsyncFunctionDef, skip_self: bool = False) -> list:
    """[{name, kind, default?}] as inspect.signature would list them (defaults as source)."""
    arguments = function.args
    rows: list[dict] = []
    positional = arguments.posonlyargs + arguments.args
    first_default = len(positional) - len(arguments.defaults)
    for i, argument in enumerate(positional):
        kind = "POSITIONAL_ONLY" if i < len(arguments.posonlyargs) else "POSITIONAL_OR_KEYWORD"
        row = {"name": argument.arg, "kind": kind}
        if i >= first_default:
            row["default"] = ast.unparse(arguments.defaults[i - first_default])
        rows.append(row)
    if arguments.vararg:
        rows.append({"name": arguments.vararg.arg, "kind": "VAR_POSITIONAL"})
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        row = {"name": argument.arg, "kind": "KEYWORD_ONLY"}
        if default is not None:
            row["default"] = ast.unparse(default)
        rows.append(row)
    if arguments.kwarg:
        rows.append({"name": arguments.kwarg.arg, "kind": "VAR_KEYWORD"})
    return rows[1:] if skip_self else rows


def _fields(named_tuple: ast.ClassDef) -> list[dict]:
    """A NamedTuple's fields as the parameters of its constructor."""
    rows = []
    for node in named_tuple.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            row = {"name": node.target.id, "kind": "POSITIONAL_OR_KEYWORD"}
            if node.value is not None:
                row["default"] = ast.unparse(node.value)
            rows.append(row)
    return rows


def _describe(snapshot: Snapshot, path: str, name: str, depth: int = 0) -> dict:
    """What `name` is in the file `path`: a function with its parameters, a class, or an alias
    followed to where it is defined."""
    tree = snapshot.module(path)
    node = _top_level(tree, name)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {"kind": "function", "module": path, "parameters": parameters(node)}
    if isinstance(node, ast.ClassDef):
        init = _top_level(ast.Module(body=node.body, type_ignores=[]), "__init__")
        described = {"kind": "class", "module": path}
        if isinstance(init, ast.FunctionDef):
            described["parameters"] = parameters(init, skip_self=True)
        elif any(ast.unparse(base).endswith("NamedTuple") for base in node.bases):
            described["parameters"] = _fields(node)  # its constructor takes its fields
        return described
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and depth < 5:
        return _describe(snapshot, path, node.value.id, depth + 1)
    for statement in tree.body:  # imported into this file
        if isinstance(statement, ast.ImportFrom) and statement.level and depth < 5:
            for alias in statement.names:
                if (alias.asname or alias.name) == name:
                    return _describe(snapshot, _relative(path, statement), alias.name, depth + 1)
    return {"kind": "other", "module": path}


def language(snapshot: Snapshot) -> dict[str, dict]:
    """Every public name `helion/language/__init__.py` exports (its __all__ if it has one)."""
    init = "helion/language/__init__.py"
    tree = snapshot.module(init)
    exported: dict[str, tuple[str, str]] = {}  # public name → (file, name there)
    declared: list[str] | None = None
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level:
            for alias in node.names:
                exported[alias.asname or alias.name] = (_relative(init, node), alias.name)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            exported[node.name] = (init, node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "__all__":
                    declared = list(ast.literal_eval(node.value))
    names = declared if declared is not None else [n for n in exported if not n.startswith("_")]
    return {name: _describe(snapshot, *exported[name]) for name in sorted(names)}


def kernel_keywords(snapshot: Snapshot) -> dict:
    """`helion.kernel`'s keyword parameters, and the Settings fields its **settings take."""
    kernel = _top_level(snapshot.module("helion/runtime/kernel.py"), "kernel")
    assert isinstance(kernel, ast.FunctionDef)
    own = [p for p in parameters(kernel) if p["kind"] == "KEYWORD_ONLY"]
    settings = _top_level(snapshot.module("helion/runtime/settings.py"), "_Settings")
    assert isinstance(settings, ast.ClassDef)
    fields = []
    for node in settings.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            field = {"name": node.target.id}
            if node.value is not None:
                field["default"] = ast.unparse(node.value)
            fields.append(field)
    return {"parameters": own, "settings": fields}


def _strings(snapshot: Snapshot, path: str, node: ast.AST, unresolved: list[str]) -> list[str]:
    """The strings a literal-ish expression holds: literals, `*NAME` / NAME of this module or
    imported from another one, `|` and `+`, frozenset(...) / set(...) / tuple(...), a call of a
    function of the module without arguments (its last `return`); the rest noted."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [s for item in node.elts for s in _strings(snapshot, path, item, unresolved)]
    if isinstance(node, ast.Starred):
        return _strings(snapshot, path, node.value, unresolved)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.Add)):
        return _strings(snapshot, path, node.left, unresolved) + _strings(
            snapshot, path, node.right, unresolved
        )
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("frozenset", "set", "tuple"):
        return [s for a in node.args for s in _strings(snapshot, path, a, unresolved)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.args:
        function = _top_level(snapshot.module(path), node.func.id)  # this module's: last return
        if isinstance(function, ast.FunctionDef):
            returns = [r for r in ast.walk(function) if isinstance(r, ast.Return) and r.value]
            if returns:
                return _strings(snapshot, path, returns[-1].value, unresolved)
    if isinstance(node, ast.Name):
        tree = snapshot.module(path)
        found = _top_level(tree, node.id)
        if isinstance(found, (ast.Assign, ast.AnnAssign)) and found.value is not None:
            return _strings(snapshot, path, found.value, unresolved)
        for statement in tree.body:
            if isinstance(statement, ast.ImportFrom) and statement.level:
                for alias in statement.names:
                    if (alias.asname or alias.name) == node.id:
                        other = _relative(path, statement)
                        return _strings(snapshot, other, ast.Name(alias.name), unresolved)
    unresolved.append(f"{path}: {ast.unparse(node)}")
    return []


def config(snapshot: Snapshot) -> dict:
    """`helion.Config`'s keyword parameters and the autotuner's VALID_KEYS."""
    described = _describe(snapshot, "helion/runtime/config.py", "Config")
    spec = "helion/autotuner/config_spec.py"
    valid = _top_level(snapshot.module(spec), "VALID_KEYS")
    unresolved: list[str] = []
    keys = _strings(snapshot, spec, valid.value, unresolved) if valid is not None else []
    return {
        "parameters": described.get("parameters", []),
        "valid_keys": sorted(set(keys)),
        "valid_keys_unresolved": unresolved,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repo", default=DEFAULT_REPO)
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    options = parser.parse_args()
    snapshot = Snapshot(options.repo, options.rev)
    api = {
        "commit": snapshot.commit,
        "language": language(snapshot),
        "kernel": kernel_keywords(snapshot),
        "config": config(snapshot),
    }
    options.out.write_text(json.dumps(api, indent=1, sort_keys=True) + "\n")
    print(f"{options.out}: {len(api['language'])} hl names at {snapshot.commit[:12]}")


if __name__ == "__main__":
    main()
