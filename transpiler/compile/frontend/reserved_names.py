"""Names the generated module gives its own things (`tl`, the launch `grid`, the Triton
function `add_kernel`): a kernel's variable, or a module name a kernel reads, of that name would
hide them (was a traceback from the generated module); refused at the user's name."""

from __future__ import annotations

import re

import libcst as cst
import libcst.matchers as m

from .errors import UnsupportedConstructError
from .source import Source

# a name → what the generated module means by it (a kernel's variable of that name hides it)
RESERVED = {
    "tl": "triton.language",
    "triton": "triton",
    "grid": "the launch grid of each device loop",
    "INDEX_DTYPE": "the integer dtype of the offsets",
}
# a module's `import` binding these names to these modules is what the generated module does
_IMPORTED_AS = {"tl": "triton.language", "triton": "triton"}


def check_reserved_names(source: Source, function: cst.FunctionDef) -> None:
    """Refuse a name of the kernel (bound or read), or a module-level binding that the kernel
    reads, that the generated module uses for its own."""
    kernel = function.name.value
    own = re.compile(rf"{re.escape(kernel)}_kernel(_\d+)?")
    used = _names_in(function)
    for name in used:
        meaning = _meaning(name.value, kernel, own)
        bound = name.value in _bound_in(function)
        if meaning is not None and (bound or name.value not in _IMPORTED_AS):
            _refuse(source, name, meaning)
    read = {name.value for name in used}
    for statement in source.module.body:
        for name in _module_bindings(statement):
            meaning = _meaning(name.value, kernel, own)
            if meaning is not None and (own.fullmatch(name.value) or name.value in read):
                _refuse(source, name, meaning)


def _meaning(name: str, kernel: str, own: re.Pattern) -> str | None:
    if own.fullmatch(name):
        return f"the Triton function of kernel {kernel}"
    return RESERVED.get(name)


def _refuse(source: Source, name: cst.Name, meaning: str) -> None:
    raise source.error(
        UnsupportedConstructError,
        name,
        f"a name {name.value!r}: the generated module names {meaning} {name.value!r}, and this "
        "name would hide it",
        hint=f"rename the variable or function (for example {name.value}_)",
    )


def _names_in(function: cst.FunctionDef) -> list[cst.Name]:
    """The kernel's parameters and the names its code spells, not attributes' (`hl.grid`) or
    keywords' (`f(grid=...)`) names."""
    skipped = {id(node.attr) for node in m.findall(function, m.Attribute())} | {
        id(arg.keyword) for arg in m.findall(function, m.Arg()) if arg.keyword is not None
    }
    names = [p.name for p in function.params.params + function.params.kwonly_params]
    names += [n for n in m.findall(function.body, m.Name()) if id(n) not in skipped]
    return names


def _bound_in(function: cst.FunctionDef) -> set[str]:
    bound = {p.name.value for p in function.params.params + function.params.kwonly_params}
    for found in m.findall(function, m.AssignTarget() | m.AugAssign() | m.AnnAssign() | m.For()):
        bound |= {n.value for n in m.findall(found.target, m.Name())}
    return bound


def _module_bindings(statement: cst.CSTNode) -> list[cst.Name]:
    """The names a top-level statement binds, but an import of what the generated module
    imports under that name (`import triton.language as tl`)."""
    if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
        return [statement.name]
    if not isinstance(statement, cst.SimpleStatementLine):
        return []
    names: list[cst.Name] = []
    for small in statement.body:
        if isinstance(small, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
            targets = small.targets if isinstance(small, cst.Assign) else [small]
            for target in targets:
                names += [n for n in m.findall(target.target, m.Name())]
        elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(
            small.names, cst.ImportStar
        ):
            for alias in small.names:
                bound = alias.asname.name if alias.asname else alias.name
                if not isinstance(bound, cst.Name):
                    continue  # `import a.b`: binds `a`, a module
                imported = _dotted(alias.name)
                if isinstance(small, cst.ImportFrom) and small.module is not None:
                    imported = f"{_dotted(small.module)}.{imported}"
                if _IMPORTED_AS.get(bound.value) != imported:
                    names.append(bound)
    return names


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return node.value if isinstance(node, cst.Name) else ""
