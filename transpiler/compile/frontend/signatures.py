"""Signatures as data (hl functions here, torch ops in torch_signatures.py) and the binder.

A call is bound against its signature before it is lowered: positional arguments get their
parameter names, a misspelt keyword is an error at its column with a "did you mean" hint, and a
keyword that Helion or torch accepts but this transpiler does not honour is refused by name.
Nothing a user writes is ever dropped.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from ..ops.hl import HL
from .errors import UnknownKeywordError, UnsupportedConstructError, near_names


@dataclass(frozen=True)
class Signature:
    """A function's parameters: those that may come by position (in order), keyword-only ones,
    a `*args` name, and how many leading parameters are required."""

    name: str
    positional: tuple[str, ...]
    keyword_only: tuple[str, ...] = ()
    varargs: str | None = None
    required: int = 0
    defaults: tuple[tuple[str, str], ...] = ()  # parameter → default, as source text
    positional_only: int = 0  # how many leading parameters cannot come by keyword

    @property
    def parameters(self) -> tuple[str, ...]:
        return self.positional + self.keyword_only

    def text(self) -> str:
        defaults = dict(self.defaults)
        parts = [p + (f"={defaults[p]}" if p in defaults else "") for p in self.positional]
        if self.positional_only:
            parts.insert(self.positional_only, "/")
        if self.varargs:
            parts.append(f"*{self.varargs}")
        elif self.keyword_only:
            parts.append("*")
        parts += [p + (f"={defaults[p]}" if p in defaults else "") for p in self.keyword_only]
        return f"{self.name}({', '.join(parts)})"


def parse_signature(text: str) -> Signature:
    """`"dot(mat1, mat2, acc=None, out_dtype=None)"` → a Signature."""
    call = ast.parse(f"def {text.strip()}: pass").body[0]
    assert isinstance(call, ast.FunctionDef)
    arguments = call.args
    positional = tuple(a.arg for a in arguments.posonlyargs + arguments.args)
    first_default = len(positional) - len(arguments.defaults)
    defaults = [
        (positional[first_default + i], ast.unparse(d)) for i, d in enumerate(arguments.defaults)
    ]
    defaults += [
        (a.arg, ast.unparse(d))
        for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults)
        if d is not None
    ]
    return Signature(
        name=call.name,
        positional=positional,
        keyword_only=tuple(a.arg for a in arguments.kwonlyargs),
        varargs=arguments.vararg.arg if arguments.vararg else None,
        required=first_default,
        defaults=tuple(defaults),
        positional_only=len(arguments.posonlyargs),
    )


def signature_table(text: str) -> dict[str, Signature]:
    """One signature per line (blank lines and `#` comments skipped), keyed by name."""
    table = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            signature = parse_signature(line)
            table[signature.name] = signature
    return table


def bind(
    signature: Signature,
    positional: list[cst.BaseExpression],
    keywords: list[cst.Arg],
    call: cst.Call,
    error,
    *,
    taken: int = 0,
    refused: tuple[str, ...] = (),
    hints: dict[str, str] | None = None,
    owner: str = "",
    arity_error: type = UnsupportedConstructError,
) -> dict[str, cst.BaseExpression]:
    """Every argument of a call by its parameter name (what `*args` takes beyond the named
    parameters is left out: the caller reads it by position).

    `taken` leading parameters are already given (a method's owner, a function's first tensor);
    `error(kind, node, message, hint)` builds the error to raise; `refused` names parameters
    the real function has that this transpiler does not honour (an error naming them, never a
    silent drop), `hints` maps such a name to its fix.
    """
    spelled = owner or signature.name
    names = signature.positional[taken:]
    values: dict[str, cst.BaseExpression] = dict(zip(names, positional))
    if len(positional) > len(names) and signature.varargs is None:
        most = len(signature.positional)
        raise error(
            arity_error,
            positional[len(names)],
            f"{spelled}() takes at most {most} positional argument{'s' * (most != 1)}, "
            f"got {len(positional) + taken}",
            f"its signature is {signature.text()}",
        )
    for name, value in values.items():  # a refused parameter given by position
        if name in refused:
            raise error(
                UnsupportedConstructError,
                value,
                f"{name} (argument {names.index(name) + taken + 1} of {spelled}()) is not "
                "supported by this transpiler",
                (hints or {}).get(name, f"leave it out (supported: {signature.text()})"),
            )
    for argument in keywords:
        keyword = argument.keyword.value
        if keyword in refused:
            raise error(
                UnsupportedConstructError,
                argument.keyword,
                f"{keyword}= of {spelled}() is not supported by this transpiler",
                (hints or {}).get(keyword, f"leave out {keyword}= (supported: {signature.text()})"),
            )
        if keyword in signature.positional[: signature.positional_only]:
            raise error(
                UnknownKeywordError,
                argument.keyword,
                f"{spelled}()'s {keyword} is positional-only",
                f"pass it by position: its signature is {signature.text()}",
            )
        if keyword not in names + signature.keyword_only:
            close = near_names(keyword, list(signature.parameters))
            raise error(
                UnknownKeywordError,
                argument.keyword,
                f"{spelled}() has no parameter {keyword!r}",
                f"{close + ' ' if close else ''}its signature is {signature.text()}",
            )
        if keyword in values:
            raise error(
                UnknownKeywordError,
                argument.keyword,
                f"{spelled}() got {keyword!r} twice, by position and by keyword",
                f"its signature is {signature.text()}",
            )
        values[keyword] = argument.value
    missing = [p for p in signature.positional[taken : signature.required] if p not in values]
    if missing:
        raise error(
            arity_error,
            call,
            f"{spelled}() is missing its argument {missing[0]!r}",
            f"its signature is {signature.text()}",
        )
    return values


# Helion's language: the hl table's signatures (ops/hl.py).
HL_SIGNATURES = {op.name: parse_signature(op.signature) for op in HL}
