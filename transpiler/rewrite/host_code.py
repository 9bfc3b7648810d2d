"""Host code keeps the user's text; only Helion's host helpers become their triton spellings."""

from __future__ import annotations

import libcst as cst

from ..errors import UnsupportedConstructError
from ..frontend import Aliases
from ..source import Source

_SPELLINGS = {"helion.cdiv": "triton.cdiv", "helion.next_power_of_2": "triton.next_power_of_2"}
_IDENTITY = {"helion.language.specialize"}


class HostCodeRewriter(cst.CSTTransformer):
    """`helion.cdiv` → `triton.cdiv`, `hl.specialize(x)` → `x`; other helion names are refused."""

    def __init__(self, source: Source, aliases: Aliases) -> None:
        self.source = source
        self.aliases = aliases

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.aliases.qualified(original.func) in _IDENTITY and updated.args:
            return updated.args[0].value
        return updated

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        qualified = self.aliases.qualified(original)
        if qualified in _SPELLINGS:
            return cst.parse_expression(_SPELLINGS[qualified])
        if qualified in _IDENTITY:
            return updated
        if qualified is not None and qualified.startswith("helion") and qualified.count(".") <= 2:
            if qualified.rsplit(".", 1)[-1] in ("language",):
                return updated
            raise self.source.error(
                UnsupportedConstructError,
                original,
                f"{qualified} in host code",
                hint="the generated module needs only torch and triton; use plain Python here",
            )
        return updated


def rewrite_host_statement(statement: cst.CSTNode, source: Source, aliases: Aliases) -> str:
    """The statement's text as the user wrote it, with Helion host helpers respelled."""
    rewritten = statement.visit(HostCodeRewriter(source, aliases))
    return source.module.code_for_node(rewritten)
