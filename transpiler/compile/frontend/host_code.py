"""Host code keeps the user's text; only Helion's host helpers become their triton spellings."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst
import libcst.matchers as m
import torch

from ..ops.hl import HL, LANGUAGE_NAMES
from .aliases import LANGUAGE, Aliases
from .errors import (
    BarrierPlacementError,
    UnknownLanguageNameError,
    UnsupportedConstructError,
    near_names,
)
from .source import Source
from .tunables import tunable_value

_SPELLINGS = {"helion.cdiv": "triton.cdiv", "helion.next_power_of_2": "triton.next_power_of_2"}
# hl calls host code may hold: qualified name → how it is spelled there (the hl table's `host`)
_HOST = {f"{LANGUAGE}.{op.name}": op.host for op in HL if op.host is not None}
_KEPT = {name for name, spelling in _HOST.items() if spelling != "statement"}
# Helion's host calls spelled with torch: a template of the call's arguments
_CALL_SPELLINGS = {
    # the SM count of a device (the CPU interpreter: 4 programs, as persistent kernels)
    "helion.runtime.get_num_sm": "(torch.cuda.get_device_properties({0}).multi_processor_count"
    ' if torch.device({0}).type == "cuda" else 4)',
}
# calls whose arguments or callee leave_Call rewrites: their dotted helion names are not refused
_REWRITTEN_CALLS = {
    *(n for n, s in _HOST.items() if s in ("block_size", "fragment")),
    *_CALL_SPELLINGS,
}


class HostCodeRewriter(cst.CSTTransformer):
    """`helion.cdiv` → `triton.cdiv`, `hl.specialize(x)` / `hl.register_reduction_dim(x)` → `x`;
    other helion names are refused."""

    def __init__(self, source: Source, aliases: Aliases, config: dict | None = None) -> None:
        self.source = source
        self.aliases = aliases
        self.config = config or {}  # the kernel's config fields: register_tunable values
        # attributes inside a call leave_Call rewrites (`helion.autotuner.PowerOfTwoFragment`
        # in register_tunable's arguments): libcst leaves them before their call
        self.spared: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if self.aliases.qualified(node.func) in _REWRITTEN_CALLS:
            self.spared |= {id(a) for a in m.findall(node, m.Attribute())}

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        qualified = self.aliases.qualified(original.func)
        if qualified in _CALL_SPELLINGS and len(updated.args) == 1:
            arguments = [self.source.module.code_for_node(a.value) for a in updated.args]
            return cst.parse_expression(_CALL_SPELLINGS[qualified].format(*arguments))
        spelling = _HOST.get(qualified or "")
        if spelling == "identity" and updated.args:
            return updated.args[0].value
        if spelling == "block_size" and updated.args:
            # a block size the autotuner would choose: a power of two between 16 and 64 here
            largest = self.source.module.code_for_node(updated.args[-1].value)
            return cst.parse_expression(f"min(64, max(16, triton.next_power_of_2({largest})))")
        if spelling == "fragment" and len(updated.args) == 2:
            return tunable_value(
                self.source, self.aliases, original, updated.args[1].value, self.config
            )
        return updated

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        qualified = self.aliases.qualified(original)
        if id(original) in self.spared:
            return updated
        if qualified in _SPELLINGS:
            return cst.parse_expression(_SPELLINGS[qualified])
        if qualified in _KEPT:
            return updated
        if _HOST.get(qualified or "") == "statement":
            raise self.source.error(
                BarrierPlacementError,
                original,
                f"hl.{original.attr.value}() here: it is a statement of its own between two "
                "device loops",
            )
        if qualified is not None and qualified.startswith("helion") and qualified.count(".") <= 2:
            if qualified.rsplit(".", 1)[-1] in ("language",):
                return updated
            name = qualified.removeprefix(f"{LANGUAGE}.")
            if qualified.startswith(f"{LANGUAGE}.") and name not in LANGUAGE_NAMES:
                raise self.source.error(  # `hl.specialise(n)`: a misspelt name, not a host one
                    UnknownLanguageNameError,
                    original,
                    f"helion.language has no name {name!r}",
                    hint=near_names(name, LANGUAGE_NAMES) or None,
                )
            if qualified.startswith(f"{LANGUAGE}."):  # hl.zeros on the host: a device name
                twin = f"torch.{name}(..., device=x.device)" if hasattr(torch, name) else None
                raise self.source.error(
                    UnsupportedConstructError,
                    original,
                    f"hl.{name} makes values inside a device loop, not in host code",
                    hint=f"on the host write {twin}; hl.{name} belongs inside the loop"
                    if twin
                    else f"call hl.{name} inside the device loop",
                )
            raise self.source.error(
                UnsupportedConstructError,
                original,
                f"{qualified} in host code",
                hint="the generated module needs only torch and triton; use plain Python here",
            )
        return updated


def rewrite_host_statement(
    statement: cst.CSTNode, source: Source, aliases: Aliases, config: dict | None = None
) -> str:
    """The statement's text as the user wrote it, with Helion host helpers respelled (a
    register_tunable as `config`'s value for it, else its fragment's default)."""
    rewritten = statement.visit(HostCodeRewriter(source, aliases, config))
    return source.module.code_for_node(rewritten)


class DroppedAnnotations(cst.CSTTransformer):
    """Parameters whose annotation `keep` refuses lose it (`scale=3`, as an unannotated default
    is written): an hl name (`scale: hl.constexpr`), or a name the module does not define
    (`f: Fn`, `Fn` bound in an earlier notebook cell)."""

    def __init__(self, keep: Callable[[cst.BaseExpression], bool]) -> None:
        self.keep = keep

    def leave_Param(self, original: cst.Param, updated: cst.Param) -> cst.Param:
        annotation = original.annotation
        if annotation is None or self.keep(annotation.annotation):
            return updated
        if updated.default is None:
            return updated.with_changes(annotation=None)
        no_space = cst.SimpleWhitespace("")
        equal = cst.AssignEqual(whitespace_before=no_space, whitespace_after=no_space)
        return updated.with_changes(annotation=None, equal=equal)


def is_kept_annotation(annotation: cst.BaseExpression, aliases: Aliases) -> bool:
    """Whether the generated module can keep an annotation: no hl name (the module imports only
    torch and triton), and every name it starts from bound in the module or a builtin (Python
    evaluates a launcher's annotations when it defines it)."""
    qualified = aliases.qualified(annotation)
    return not (qualified or "").startswith(f"{LANGUAGE}.") and aliases.binds(annotation)


class OneLine(cst.CSTTransformer):
    """Parameters the user wrapped over lines, on one line (`emit.wrap` breaks a long one as
    the rest of the module is broken): each comma libcst's own `, ` and none after the last."""

    def leave_Param(self, original: cst.Param, updated: cst.Param) -> cst.Param:
        no_space = cst.SimpleWhitespace("")
        return updated.with_changes(
            comma=cst.MaybeSentinel.DEFAULT, whitespace_after_param=no_space
        )

    def leave_ParamStar(self, original: cst.ParamStar, updated: cst.ParamStar) -> cst.ParamStar:
        return updated.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))

    def leave_ParamSlash(self, original: cst.ParamSlash, updated: cst.ParamSlash) -> cst.ParamSlash:
        return updated.with_changes(comma=cst.MaybeSentinel.DEFAULT)


def launcher_parameters(params: cst.Parameters, aliases: Aliases) -> str:
    """A kernel's parameters as its launcher declares them: an annotation naming an hl function
    left out (the generated module imports only torch and triton, and Python evaluates a
    parameter's annotation when the launcher is defined); parameters over several lines joined."""
    dropped = DroppedAnnotations(lambda annotation: is_kept_annotation(annotation, aliases))
    params = params.visit(dropped)
    if "\n" in cst.Module([]).code_for_node(params):
        params = params.visit(OneLine())
    return cst.Module([]).code_for_node(params)
