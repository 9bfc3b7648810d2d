"""The value an `hl.register_tunable(name, fragment)` takes in the launcher: the config's field
of that name, checked against the fragment, else the fragment's untuned default."""

from __future__ import annotations

import ast

import libcst as cst

from .aliases import Aliases
from .errors import ConfigError, UnsupportedConstructError
from .source import Source

FRAGMENTS = ("BooleanFragment", "EnumFragment", "IntegerFragment", "PowerOfTwoFragment")


def tunable_value(
    source: Source, aliases: Aliases, call: cst.Call, fragment: cst.BaseExpression, config: dict
) -> cst.BaseExpression:
    """The expression `hl.register_tunable(name, fragment)` becomes (`call` is that call)."""
    kind, positional, keywords = _fragment(aliases, fragment)
    if kind not in FRAGMENTS:
        raise source.error(
            UnsupportedConstructError,
            call,
            "hl.register_tunable with this fragment",
            hint="use PowerOfTwoFragment / IntegerFragment / EnumFragment / BooleanFragment",
        )
    name = call.args[0].value
    chosen = None
    if isinstance(name, cst.SimpleString) and name.evaluated_value in config:
        chosen = config[name.evaluated_value]
        allowed = _allowed(source, kind, positional, keywords)
        if not _literal(chosen) or (allowed is not None and not allowed(chosen)):
            raise source.error(
                ConfigError,
                call,
                f"the config gives {name.evaluated_value}={chosen!r}, which its "
                f"{kind} does not allow",
                hint=f"give a value the fragment allows: {source.code(fragment)}",
            )
        return cst.parse_expression(repr(chosen))
    return _default(kind, positional, keywords, source, call)


def _fragment(aliases: Aliases, fragment: cst.BaseExpression) -> tuple[str, list, dict]:
    if not isinstance(fragment, cst.Call):
        return "", [], {}
    kind = (aliases.qualified(fragment.func) or "").rsplit(".", 1)[-1]
    positional = [a.value for a in fragment.args if a.keyword is None]
    keywords = {a.keyword.value: a.value for a in fragment.args if a.keyword is not None}
    return kind, positional, keywords


def _argument(positional: list, keywords: dict, index: int, name: str) -> cst.BaseExpression:
    return keywords.get(name) or (positional[index] if len(positional) > index else None)


def _default(
    kind: str, positional: list, keywords: dict, source: Source, call: cst.Call
) -> cst.BaseExpression:
    """The value a fragment takes untuned: `default=` (or the third argument), else its first."""
    if kind == "BooleanFragment":
        return cst.Name("False")
    if kind == "EnumFragment":
        choices = _argument(positional, keywords, 0, "choices")
        if isinstance(choices, (cst.Tuple, cst.List)) and choices.elements:
            return choices.elements[0].value
    else:
        chosen = _argument(positional, keywords, 2, "default") or _argument(
            positional, keywords, 0, "low"
        )
        if chosen is not None:
            return chosen
    raise source.error(
        UnsupportedConstructError,
        call,
        f"hl.register_tunable with this {kind}",
        hint="write the fragment's arguments as literals",
    )


def _literal(value: object) -> bool:
    return isinstance(value, (bool, int, float, str)) or value is None


def _allowed(source: Source, kind: str, positional: list, keywords: dict):
    """A test of a config value against the fragment (None: its arguments are not literals)."""
    if kind == "BooleanFragment":
        return lambda value: isinstance(value, bool)
    if kind == "EnumFragment":
        choices = _value(source, _argument(positional, keywords, 0, "choices"))
        return None if choices is None else (lambda value: value in tuple(choices))
    low = _value(source, _argument(positional, keywords, 0, "low"))
    high = _value(source, _argument(positional, keywords, 1, "high"))
    if not isinstance(low, int) or not isinstance(high, int):
        return None
    power = kind == "PowerOfTwoFragment"
    return lambda value: (
        isinstance(value, int)
        and not isinstance(value, bool)
        and low <= value <= high
        and (not power or (value > 0 and not value & (value - 1)))
    )


def _value(source: Source, node: cst.BaseExpression | None) -> object:
    if node is None:
        return None
    try:
        return ast.literal_eval(source.code(node))
    except (ValueError, SyntaxError):
        return None
