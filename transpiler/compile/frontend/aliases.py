"""The names a module's imports bind, resolved: `hl.tile` is `helion.language.tile`."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

HELION, LANGUAGE = "helion", "helion.language"
_CANONICAL = {"transpiler": HELION, "transpiler.language": LANGUAGE}


def canonical_module(dotted: str) -> str:
    """`transpiler.language.tile` → `helion.language.tile`: both spellings mean the same."""
    for prefix, canonical in _CANONICAL.items():
        if dotted == prefix or dotted.startswith(prefix + "."):
            return canonical + dotted[len(prefix) :]
    return dotted


def dotted_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


@dataclass
class Aliases:
    """Module-level names bound by imports, resolved to what they import."""

    names: dict[str, str] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)  # other module-level names

    def qualified(self, node: cst.BaseExpression, shadowed: set[str] = frozenset()) -> str | None:
        """`hl.tile` → `helion.language.tile`, `F.relu` → `torch.nn.functional.relu`."""
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in shadowed or head not in self.names:
            return None
        full = self.names[head] + ("." + rest if rest else "")
        return canonical_module(full)

    def binds(self, node: cst.BaseExpression) -> bool:
        """Whether every name `node` starts from is bound at module level or a builtin."""
        attributes = {id(attribute.attr) for attribute in m.findall(node, m.Attribute())}
        known = self.names.keys() | self.globals
        return all(
            name.value in known or hasattr(builtins, name.value)
            for name in m.findall(node, m.Name())
            if id(name) not in attributes
        )

    def is_helion_import(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Import):
            return all(
                canonical_module(dotted_name(alias.name) or "").startswith(HELION)
                for alias in node.names
            )
        if isinstance(node, cst.ImportFrom) and node.module is not None:
            return canonical_module(dotted_name(node.module) or "").startswith(HELION)
        return False


def collect_aliases(module: cst.Module) -> Aliases:
    aliases = Aliases()
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                aliases.globals.add(statement.name.value)
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    full = dotted_name(alias.name) or ""
                    if alias.asname is not None:
                        aliases.names[alias.asname.name.value] = full
                    else:
                        head = full.split(".")[0]
                        aliases.names[head] = head
            elif isinstance(small, cst.ImportFrom) and small.module is not None:
                base = dotted_name(small.module) or ""
                if isinstance(small.names, cst.ImportStar):
                    continue
                for alias in small.names:
                    local = alias.evaluated_alias or alias.evaluated_name
                    aliases.names[local] = f"{base}.{alias.evaluated_name}"
            elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                targets = small.targets if isinstance(small, cst.Assign) else [small]
                for target in targets:
                    node = target.target
                    if isinstance(node, cst.Name):
                        aliases.globals.add(node.value)
    return aliases


def import_without(
    statement: cst.Import, left_out: Callable[[cst.ImportAlias], bool]
) -> cst.Import | None:
    """`import torch, helion` without the names `left_out` picks (`import torch`): the same
    node when it picks none, None when it picks all."""
    kept = [alias for alias in statement.names if not left_out(alias)]
    if len(kept) == len(statement.names):
        return statement
    if not kept:
        return None
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return statement.with_changes(names=kept)
