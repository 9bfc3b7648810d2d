"""A call's arguments, by position and by keyword."""

from __future__ import annotations

import libcst as cst


class Arguments:
    """A call's arguments by position and keyword, as CST nodes."""

    def __init__(self, call: cst.Call) -> None:
        self.positional = [a.value for a in call.args if a.keyword is None and not a.star]
        self.keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}

    def rest(self, skip: int) -> Arguments:
        """The arguments after the first `skip` positional ones (and without `input=`)."""
        rest = Arguments.__new__(Arguments)
        rest.positional = self.positional[skip:]
        rest.keywords = {k: v for k, v in self.keywords.items() if k != "input"}
        return rest

    def get(self, position: int, keyword: str) -> cst.BaseExpression | None:
        if keyword in self.keywords:
            return self.keywords[keyword]
        return self.positional[position] if position < len(self.positional) else None
