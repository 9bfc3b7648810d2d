"""No second list of hl names: outside the hl table (transpiler/compile/ops/hl.py), a string that
spells an hl function's name is not compared with, collected into a set / dict / tuple, or
matched on, except where the allowlist below says why the word means something else there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from transpiler.compile.ops.hl import HELION_ONLY, HL

ROOT = Path(__file__).resolve().parent.parent
TABLE = "transpiler/compile/ops/hl.py"
NAMES = {op.name for op in HL} | set(HELION_ONLY)

_TORCH = "torch's function of that name, not hl's"
_LOWER = (
    "lower/: one lowering method telling the rows it serves apart by name (or a device loop's "
    "kind); to become row data once demix's functions replace the mixins (issue 16 move 3)"
)
_SHAPES = (
    "lower/shapes.py and shape_calls.py (once's shape analysis, 2026-12-04) tell hl rows apart "
    "by name, binding by position: the rule per row belongs in the table (a shape column, as "
    "lowering and cost); 'tile' is also the analysis' tag for a tile's dimension"
)
_ONE_ROW = "one row's own rule, kept where its state lives (a fact of that row, not a list)"
# (module, word) → why the word there is not a second list of hl names.
ALLOWED: dict[tuple[str, str], str] = {
    ("transpiler/compile/emit/tidy/casts.py", "store"): "a matcher of Triton's tl.store",
    ("transpiler/compile/lower/autotuning.py", "load"): "tl.load in generated code",
    ("transpiler/compile/lower/autotuning.py", "store"): "tl.store in generated code",
    ("transpiler/distributed/dist_utils.py", "atomic_cas"): "a @triton.jit helper's op argument",
    ("transpiler/compile/frontend/host.py", "full"): _TORCH,
    ("transpiler/compile/frontend/host.py", "rand"): _TORCH,
    ("transpiler/compile/frontend/host.py", "zeros"): _TORCH,
    ("transpiler/compile/lower/views.py", "full"): _TORCH + " (full_like, new_full)",
    ("transpiler/compile/lower/reductions.py", "cumsum"): _TORCH + " (hl.cumsum lowers by it)",
    ("transpiler/compile/lower/reductions.py", "cumprod"): _TORCH + " (hl.cumprod lowers by it)",
    ("transpiler/compile/ops/candidates.py", "cumsum"): "Inductor's list of torch ops",
    ("transpiler/compile/ops/candidates.py", "cumprod"): "Inductor's list of torch ops",
    ("transpiler/compile/lower/indexing.py", "full"): "a subscript element's kind (a whole dim)",
    ("transpiler/compile/lower/indexing.py", "tile"): "a subscript element's kind (a tile axis)",
    ("transpiler/run/autotune.py", "tile"): "a block size's role",
    ("transpiler/run/autotune.py", "reduce"): "a block size's role",
    ("transpiler/run/tune_settings.py", "full"): "an autotune effort",
    ("transpiler/compile/frontend/config_check.py", "register_tunable"): (
        "the one row whose first argument names a config field: read where configs are checked"
    ),
    ("transpiler/run/runtime.py", "constexpr"): (
        "a parameter annotated hl.constexpr, read from its text (run/runtime.py: kernelmagic's)"
    ),
    ("transpiler/compile/frontend/device_rules.py", "store"): _ONE_ROW + ": its stores race",
    ("transpiler/compile/frontend/host.py", "register_block_size"): _ONE_ROW,
    ("transpiler/compile/frontend/kernels.py", "barrier"): _ONE_ROW + ": where it may stand",
    ("transpiler/compile/pipeline.py", "constexpr"): _ONE_ROW + ": an annotation",
    ("transpiler/compile/lower/loops.py", "jagged_tile"): _LOWER,
    ("transpiler/compile/lower/loops.py", "vtile"): _LOWER,
    ("transpiler/compile/lower/loops.py", "static_range"): _LOWER,
    ("transpiler/compile/lower/statements.py", "dot"): _LOWER,
    **{
        (f"transpiler/compile/lower/{module}", word): _SHAPES
        for module, words in (
            ("shapes.py", ("grid", "tile")),
            ("shape_values.py", ("tile",)),
            ("shape_calls.py", ("arange", "associative_scan", "dot", "full", "join", "reduce")),
            ("shape_calls.py", ("split", "tile", "zeros")),
        )
        for word in words
    },
    ("transpiler/compile/lower/calls.py", "dot"): _LOWER,
    ("transpiler/compile/lower/calls.py", "zeros"): _LOWER,
    ("transpiler/compile/lower/calls.py", "full"): _LOWER,
    ("transpiler/compile/lower/dots.py", "dot"): _LOWER,
    ("transpiler/compile/lower/loops.py", "grid"): _LOWER,
    ("transpiler/compile/lower/loops.py", "tile"): _LOWER,
    ("transpiler/compile/lower/memory.py", "load"): _LOWER,
    ("transpiler/compile/lower/memory.py", "store"): _LOWER,
    ("transpiler/compile/lower/random.py", "rand"): _LOWER,
    ("transpiler/compile/lower/memory.py", "atomic_cas"): _LOWER,
}


def _spelled(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, word) of each hl name compared with, collected or matched on in `tree`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            candidates = [node.left, *node.comparators]
            candidates += [
                e
                for c in node.comparators
                if isinstance(c, (ast.Tuple, ast.List, ast.Set))
                for e in c.elts
            ]
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            candidates = list(node.elts)
        elif isinstance(node, ast.Dict):
            candidates = [k for k in node.keys if k is not None]
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Name":
            candidates = list(node.args)  # a libcst matcher: m.Name("tile")
        else:
            continue
        for candidate in candidates:
            word = _word(candidate)
            if word in NAMES:
                found.append((candidate.lineno, word))
    return sorted(set(found))


def _word(node: ast.AST) -> str | None:
    """The hl name a string spells: `"zeros"`, `"helion.language.zeros"`, `f"{LANGUAGE}.zeros"`."""
    if isinstance(node, ast.JoinedStr) and node.values:
        node = node.values[-1]  # f"{LANGUAGE}.zeros": its constant tail
        if not (isinstance(node, ast.Constant) and str(node.value).startswith(".")):
            return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.removeprefix("helion.language").removeprefix(".")
    return None


def _modules() -> list[Path]:
    files = sorted((ROOT / "transpiler").rglob("*.py")) + sorted((ROOT / "magics").rglob("*.py"))
    return [f for f in files if f.relative_to(ROOT).as_posix() != TABLE]


def _found() -> dict[tuple[str, str], list[int]]:
    found: dict[tuple[str, str], list[int]] = {}
    for path in _modules():
        module = path.relative_to(ROOT).as_posix()
        for line, word in _spelled(ast.parse(path.read_text())):
            found.setdefault((module, word), []).append(line)
    return found


def test_no_module_but_the_table_lists_hl_names():
    stray = {key: lines for key, lines in _found().items() if key not in ALLOWED}
    assert not stray, (
        "hl names outside the table (read them from transpiler/compile/ops/hl.py): "
        + "; ".join(f"{module}:{lines} {word!r}" for (module, word), lines in sorted(stray.items()))
    )


def test_every_allowed_entry_is_still_there():
    assert not set(ALLOWED) - set(_found())


@pytest.mark.parametrize(
    "code, words",
    [
        ("if name == 'rand': pass", ["rand"]),
        ("KINDS = {'zeros', 'full', 'other'}", ["full", "zeros"]),
        ("COSTS = {'dot': 1}", ["dot"]),
        ("m.Name('tile') | m.Name('grid')", ["grid", "tile"]),
        ("name in ('load', 'store')", ["load", "store"]),
        ("q == 'helion.language.barrier'", ["barrier"]),
        ("q in (f'{LANGUAGE}.jagged_tile', f'{LANGUAGE}.vtile')", ["jagged_tile", "vtile"]),
        ("q == f'{LANGUAGE}.{name}'", []),
        ("raise ValueError('hl.zeros needs a shape')", []),  # a message: not a list
        ("def zeros(shape): return 'full'", []),
    ],
)
def test_the_scan_finds_lists_comparisons_and_matchers(code, words):
    assert sorted(word for _, word in _spelled(ast.parse(code))) == words
