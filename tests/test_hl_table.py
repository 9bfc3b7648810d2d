"""The hl table (transpiler/compile/ops/hl.py) drives binding, lowering, reference mode, export, the cost
model and docs/language.md: each consumer checked against it."""

from __future__ import annotations

import inspect
import linecache
import sys
import types

import pytest
import torch

import transpiler
import transpiler.language
from transpiler.analysis.perf.op_calls import HL_COSTS, LOOP_COSTS, Calls
from transpiler.compile.frontend import errors
from transpiler.compile.frontend.signatures import HL_SIGNATURES
from transpiler.compile.lower.kernel import COMPONENTS
from transpiler.compile.ops.hl import COSTS, DEVICE_LOOPS, HL, HL_BY_NAME, LANGUAGE_NAMES
from transpiler.compile.ops.hl_doc import LANGUAGE_MD, current_section, render
from transpiler.reference import embed

ROWS = [op.name for op in HL]


def test_docs_language_md_shows_the_table_as_it_is():
    assert current_section(LANGUAGE_MD.read_text()) == render(), (
        "run: python -m transpiler.compile.ops.hl_doc"
    )


def test_names_are_unique_and_the_signatures_are_the_tables():
    assert len(set(ROWS)) == len(ROWS)
    assert list(HL_SIGNATURES) == ROWS
    assert set(ROWS) <= set(LANGUAGE_NAMES)


@pytest.mark.parametrize("name", ROWS)
def test_reference_mode_runs_each_row_with_its_eager_implementation(name):
    op = HL_BY_NAME[name]
    assert getattr(transpiler.language, name) is op.eager
    assert name in transpiler.language.__all__
    # the eager implementation takes what the signature requires, by position
    signature = HL_SIGNATURES[name]
    inspect.signature(op.eager).bind(*range(signature.required))


@pytest.mark.parametrize("name", ROWS)
def test_each_lowering_is_a_method_of_a_lowering_component(name):
    lowering = HL_BY_NAME[name].lowering
    if lowering is not None:
        component, method_name = lowering.split(".")
        method = getattr(COMPONENTS[component], method_name)
        assert list(inspect.signature(method).parameters)[:4] == ["self", "name", "args", "node"]


def test_each_cost_kind_has_a_costing_method():
    assert {op.cost for op in HL} - {None} <= set(COSTS)
    assert not LOOP_COSTS & set(HL_COSTS)
    for kind in set(COSTS) - {"host"} - LOOP_COSTS:
        assert callable(getattr(Calls, HL_COSTS[kind]))
    assert {op.name for op in HL if op.cost == "tiles"} <= set(DEVICE_LOOPS)


def test_the_exported_reference_embeds_each_rows_own_definition():
    """Every row's eager implementation, embedded as an exported module does, is the same
    source (one definition) and runs without the project: the closure defines all it reads."""
    exposed = {op.name: op.eager for op in HL}
    imports, text = embed.section(exposed)
    code, filename = "\n".join(imports) + "\n\n" + text, "<embedded hl>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    module = types.ModuleType("embedded_hl")
    module.__file__ = filename
    sys.modules[module.__name__] = module  # where inspect finds the classes' source
    try:
        exec(compile(code, filename, "exec"), vars(module))  # noqa: S102
        embedded = getattr(module, embed.FUNCTION)()
        _same_sources(embedded)
    finally:
        del sys.modules[module.__name__]
    # what the copy computes is the original's (the row tests compare every row's result)
    assert embedded.zeros([3, 5], dtype=torch.float64).shape == (3, 5)


def _same_sources(embedded: types.SimpleNamespace) -> None:
    for op in HL:
        copy = getattr(embedded, op.name)
        assert copy.__qualname__ == f"{embed.FUNCTION}.<locals>.{op.eager.__qualname__}"
        assert inspect.getsource(copy).split() == inspect.getsource(op.eager).split()


def _kernel(body: str, params: str = "x: torch.Tensor") -> str:
    return (
        "import torch\nimport helion\nimport helion.language as hl\n\n@helion.kernel\n"
        f"def k({params}) -> torch.Tensor:\n    out = torch.empty_like(x)\n"
        f"    for tile in hl.tile(x.size(0)):\n{body}    return out\n"
    )


REFUSALS = {  # a call inside a device loop → (error class, words of its message or hint)
    "a parameter the row refuses (rand offsets=)": (
        "        out[tile] = hl.rand([tile], 1, offsets=None)\n",
        errors.UnsupportedConstructError,
        "each element's offset is its linear index",
    ),
    "a Helion type called (hl.Tile: annotations only)": (
        "        out[tile] = x[tile] + hl.Tile(0)\n",
        errors.UnsupportedOpError,
        "is Helion's type of a tile",
    ),
    "a row without a device lowering": (  # a host row: said so, with where it goes
        "        out[tile] = x[tile] + hl.register_block_size(16)\n",
        errors.UnsupportedConstructError,
        "is host code: it runs before the device loop",
    ),
    "a Helion name outside the table": (
        "        out[tile] = hl.subscript(x[tile], [None])\n",
        errors.UnsupportedConstructError,
        "not of this transpiler yet",
    ),
    "a loop-only row in an expression": (
        "        out[tile] = x[tile] + hl.tile(4)\n",
        errors.UnsupportedConstructError,
        "only meaningful as the iterable of a for loop",
    ),
    "a misspelt keyword of a row": (
        "        out[tile] = hl.zeros([tile], dtyp=torch.float32)\n",
        errors.UnknownKeywordError,
        "dtype",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_lowering_refuses_through_the_table(case):
    body, error, words = REFUSALS[case]
    with pytest.raises(error) as raised:
        transpiler.transpile(_kernel(body))
    assert words in str(raised.value)
