"""The user's statements around kernels as the generated module keeps them: no Helion imports."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..frontend.aliases import Aliases, import_without
from .module import HEADER_IMPORTS


def is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )


def is_docstring(statement: cst.BaseStatement) -> bool:
    return m.matches(statement, m.SimpleStatementLine(body=[m.Expr(value=m.SimpleString())]))


def without_helion(statement: cst.BaseStatement, aliases: Aliases) -> cst.BaseStatement | None:
    """The statement with its Helion imports left out (the module is standalone: `import torch,
    helion` keeps `import torch`), or None when nothing is left or what is left is a header
    import (torch / triton) or the future import."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return statement
    smalls = [_kept_names(small, aliases) for small in statement.body]
    smalls = [small for small in smalls if small is not None]
    if not smalls:
        return None
    if len(smalls) == len(statement.body) and all(
        new is old for new, old in zip(smalls, statement.body, strict=True)
    ):
        kept = statement
    else:
        last = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        kept = statement.with_changes(body=[*smalls[:-1], last])
    code = statement_code(kept)
    if code in HEADER_IMPORTS or code == "from __future__ import annotations":
        return None
    return kept


def _kept_names(small: cst.BaseSmallStatement, aliases: Aliases) -> cst.BaseSmallStatement | None:
    """An import statement's non-Helion names (`import torch, helion` → `import torch`)."""
    if aliases.is_helion_import(small):
        return None
    if not isinstance(small, cst.Import):
        return small
    return import_without(small, lambda alias: _is_helion_name(alias, aliases))


def _is_helion_name(alias: cst.ImportAlias, aliases: Aliases) -> bool:
    return aliases.is_helion_import(
        cst.Import([alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)])
    )


def statement_code(statement: cst.BaseStatement) -> str:
    return cst.Module(body=[statement.with_changes(leading_lines=())]).code.strip()
