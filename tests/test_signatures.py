"""The signature tables against their sources: torch's own schemas for ops, Helion's for hl."""

from __future__ import annotations

import inspect

import pytest

from transpiler.compile.frontend.signatures import HL_SIGNATURES, parse_signature
from transpiler.compile.frontend.torch_signatures import (
    TORCH_SIGNATURES,
    torch_parameters,
    torch_refusals,
    torch_signature,
)
from transpiler.compile.ops.table import ELEMENTWISE, REDUCTIONS

# methods with no aten schema of their own (aten spells them as casts or views)
_NO_SCHEMA = {"float", "half", "bfloat16", "double", "int", "long", "bool", "size", "new_ones"}


@pytest.mark.parametrize("name", sorted(TORCH_SIGNATURES))
def test_every_torch_row_names_only_parameters_torch_has(name: str) -> None:
    signature = TORCH_SIGNATURES[name]
    known = torch_parameters(name)
    if not known:
        assert name in _NO_SCHEMA, f"torch has no op {name!r}"
        return
    extra = set(signature.parameters) - known - {"input"}
    assert not extra, f"{signature.text()}: torch's {name} has no {sorted(extra)}"


def test_the_tables_cover_every_op_lowering_accepts() -> None:
    for op in REDUCTIONS:
        assert op.name in TORCH_SIGNATURES, f"reduction {op.name} has no signature row"
    for op in ELEMENTWISE:
        assert torch_signature(op.name, 1) is not None, op.name


def test_torch_parameters_lowering_does_not_honour_are_refused_with_a_fix() -> None:
    refusals = torch_refusals("add", torch_signature("add", 2))
    assert "alpha" in refusals and "x + alpha * y" in refusals["alpha"]
    assert "out" in refusals
    assert "inplace" in torch_refusals("relu", torch_signature("relu", 1))


def test_signatures_parse_and_print_back() -> None:
    text = "dot(mat1, mat2, acc=None, out_dtype=None)"
    signature = parse_signature(text)
    assert signature.text() == text
    assert signature.required == 2
    assert parse_signature("arange(*args, dtype=None)").varargs == "args"


@pytest.mark.parametrize("name", sorted(HL_SIGNATURES))
def test_hl_rows_match_real_helion_where_it_is_installed(name: str) -> None:
    language = pytest.importorskip("helion.language")
    function = getattr(language, name, None)
    if function is None:
        pytest.skip(f"helion.language {getattr(language, '__version__', '')} has no {name}")
    function = getattr(function, "__wrapped__", function)
    try:
        theirs = inspect.signature(function)
    except (TypeError, ValueError):
        pytest.skip(f"helion.language.{name} has no Python signature")
    ours = HL_SIGNATURES[name]
    named = [
        p.name
        for p in theirs.parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name != "_launcher"
    ]
    assert set(ours.parameters) <= set(named) | {ours.varargs}, (ours.text(), str(theirs))
