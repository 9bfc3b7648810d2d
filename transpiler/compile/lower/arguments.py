"""A call's arguments, by position and by keyword."""

from __future__ import annotations

import libcst as cst


class Arguments:
    """A call's arguments by position and keyword, as CST nodes."""

    def __init__(self, call: cst.Call) -> None:
        self.positional = [a.value for a in call.args if a.keyword is None and not a.star]
        self.keyword_args = [a for a in call.args if a.keyword is not None]
        self.keywords = {a.keyword.value: a.value for a in self.keyword_args}

    @classmethod
    def of(
        cls,
        positional: list[cst.BaseExpression],
        keyword_args: list[cst.Arg],
        keywords: dict[str, cst.BaseExpression] | None = None,
    ) -> Arguments:
        """Arguments from their parts (`keywords`: by name, else the keyword arguments')."""
        made = cls.__new__(cls)
        made.positional = positional
        made.keyword_args = keyword_args
        made.keywords = (
            {a.keyword.value: a.value for a in keyword_args} if keywords is None else keywords
        )
        return made

    def without(self, keyword: str) -> Arguments:
        """The same arguments without `keyword=`."""
        kept = [a for a in self.keyword_args if a.keyword.value != keyword]
        return Arguments.of(
            self.positional, kept, {k: v for k, v in self.keywords.items() if k != keyword}
        )

    def rest(self, skip: int) -> Arguments:
        """The arguments after the first `skip` positional ones (and without `input=`)."""
        rest = self.without("input")
        return Arguments.of(rest.positional[skip:], rest.keyword_args, rest.keywords)

    def varargs_by_keyword(self, varargs: str | None) -> Arguments:
        """torch takes a `*size` parameter by keyword too, as one sequence (`x.new_ones(size=())`,
        `x.view(size=(m, n))`): the same arguments with that sequence as the only positional
        one, as `x.new_ones(())` spells it."""
        if varargs is None or varargs not in self.keywords or self.positional:
            return self
        moved = self.without(varargs)
        return Arguments.of([self.keywords[varargs]], moved.keyword_args, moved.keywords)

    def bound(self, keywords: dict[str, cst.BaseExpression]) -> Arguments:
        """The same arguments with every bound one also under its parameter's name."""
        return Arguments.of(self.positional, self.keyword_args, dict(keywords))

    def get(self, position: int, keyword: str) -> cst.BaseExpression | None:
        if keyword in self.keywords:
            return self.keywords[keyword]
        return self.positional[position] if position < len(self.positional) else None
