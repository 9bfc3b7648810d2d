"""A call's arguments, by position and by keyword."""

from __future__ import annotations

import libcst as cst


class Arguments:
    """A call's arguments by position and keyword, as CST nodes."""

    def __init__(self, call: cst.Call) -> None:
        self.positional = [a.value for a in call.args if a.keyword is None and not a.star]
        self.keyword_args = [a for a in call.args if a.keyword is not None]
        self.keywords = {a.keyword.value: a.value for a in self.keyword_args}

    def rest(self, skip: int) -> Arguments:
        """The arguments after the first `skip` positional ones (and without `input=`)."""
        rest = Arguments.__new__(Arguments)
        rest.positional = self.positional[skip:]
        rest.keyword_args = [a for a in self.keyword_args if a.keyword.value != "input"]
        rest.keywords = {k: v for k, v in self.keywords.items() if k != "input"}
        return rest

    def varargs_by_keyword(self, varargs: str | None) -> Arguments:
        """torch takes a `*size` parameter by keyword too, as one sequence (`x.new_ones(size=())`,
        `x.view(size=(m, n))`): the same arguments with that sequence as the only positional
        one, as `x.new_ones(())` spells it."""
        if varargs is None or varargs not in self.keywords or self.positional:
            return self
        moved = Arguments.__new__(Arguments)
        moved.positional = [self.keywords[varargs]]
        moved.keyword_args = [a for a in self.keyword_args if a.keyword.value != varargs]
        moved.keywords = {k: v for k, v in self.keywords.items() if k != varargs}
        return moved

    def bound(self, keywords: dict[str, cst.BaseExpression]) -> Arguments:
        """The same arguments with every bound one also under its parameter's name."""
        bound = Arguments.__new__(Arguments)
        bound.positional = self.positional
        bound.keyword_args = self.keyword_args
        bound.keywords = dict(keywords)
        return bound

    def get(self, position: int, keyword: str) -> cst.BaseExpression | None:
        if keyword in self.keywords:
            return self.keywords[keyword]
        return self.positional[position] if position < len(self.positional) else None
