"""The user's module as an export's reference section: run eagerly, kernels named `reference_*`."""

from __future__ import annotations

import libcst as cst

from ..compile.frontend.aliases import collect_aliases, import_without
from ..compile.frontend.host_code import DroppedAnnotations
from ..reference.mode import HELION_PACKAGE, OWN_PACKAGE, rewrite_for_reference


def _top_name(node: cst.BaseExpression) -> str:
    while isinstance(node, cst.Attribute):
        node = node.value
    return node.value if isinstance(node, cst.Name) else ""


def _is_ours(module: cst.BaseExpression | None) -> bool:
    return module is not None and _top_name(module) in (OWN_PACKAGE, HELION_PACKAGE)


def _alias_lines(statement: cst.Import | cst.ImportFrom) -> list[str]:
    """Bindings that stand in for a dropped `import helion...` / `from helion... import`."""
    lines = []
    if isinstance(statement, cst.Import):
        for alias in statement.names:
            dotted = cst.Module([]).code_for_node(alias.name)
            bound = alias.asname.name.value if alias.asname else _top_name(alias.name)
            target = "hl" if dotted.endswith(".language") else "helion"
            if bound != target:
                lines.append(f"{bound} = {target}")
    elif not isinstance(statement.names, cst.ImportStar):
        dotted = cst.Module([]).code_for_node(statement.module)
        owner = "hl" if dotted.endswith(".language") else "helion"
        owner = "helion.autotuner" if dotted.endswith(".autotuner") else owner
        for alias in statement.names:
            name = cst.Module([]).code_for_node(alias.name)
            bound = alias.asname.name.value if alias.asname else name
            lines.append(f"{bound} = {'hl' if name == 'language' else f'{owner}.{name}'}")
    return lines


def reference_section(source: str, kernels: tuple[str, ...]) -> tuple[list[str], str]:
    """(imports to hoist, the user's module rewritten to run eagerly with `reference_` names)."""
    module = cst.parse_module(rewrite_for_reference(source))
    aliases = collect_aliases(module)
    aliases.globals |= {"hl", "helion"}  # the section defines both
    imports: list[str] = []
    body: list[str] = []
    for statement in module.body:
        code = module.code_for_node(statement).strip()
        inner = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) else None
        if isinstance(inner, (cst.Import, cst.ImportFrom)):
            smalls = statement.body  # `import math; import helion`: each import on its own
            for small in smalls:
                whole = code if len(smalls) == 1 else None  # the line, with its comment
                _sort_import(module, small, whole, imports, body)
        elif isinstance(statement, cst.FunctionDef) and statement.name.value in kernels:
            renamed = statement.with_changes(name=cst.Name(f"reference_{statement.name.value}"))
            body.append(module.code_for_node(_bound_annotations(renamed, aliases)).strip())
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)) or (
            inner is not None and isinstance(inner, (cst.Assign, cst.AnnAssign))
        ):
            body.append(code)
        # other top-level statements (prints, `if __name__ == ...`, other kernels' calls): left out
    return imports, "\n\n\n".join(body)


def _sort_import(
    module: cst.Module, small: cst.BaseSmallStatement, whole: str | None, imports, body
) -> None:
    """One import of the user's: what it binds of ours (`import helion`, `from helion import
    language as hl`) as lines of the reference section's `body`, the rest into `imports` (the
    statement's own text `whole` where nothing of it is left out)."""
    if isinstance(small, cst.Import):
        ours = import_without(small, lambda alias: not _is_ours(alias.name))
        body.extend(_alias_lines(ours) if ours is not None else [])
        others = import_without(small, lambda alias: _is_ours(alias.name))
        if others is not None and others is small and whole is not None:
            imports.append(whole)
        elif others is not None:
            alone = others.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            imports.append(module.code_for_node(alone).strip())
    elif isinstance(small, cst.ImportFrom):
        if _is_ours(small.module):
            body.extend(_alias_lines(small))
        elif not (small.module and _top_name(small.module) == "__future__"):
            alone = small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            imports.append(whole if whole is not None else module.code_for_node(alone).strip())


def _bound_annotations(function: cst.FunctionDef, aliases) -> cst.FunctionDef:
    """The function without the annotations that name what the module does not bind (`f: Fn`
    with `Fn` from an earlier notebook cell): Python evaluates them when it defines the function."""
    returns = function.returns
    if returns is not None and not aliases.binds(returns.annotation):
        returns = None
    params = function.params.visit(DroppedAnnotations(aliases.binds))
    return function.with_changes(params=params, returns=returns)
