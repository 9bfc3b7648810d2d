"""No second list of hl names: outside the hl table (transpiler/compile/ops/hl.py), a string that
spells an hl function's name is not compared with, collected into a set / dict / tuple, or
matched on, except where the allowlist below says why the word means something else there.
Lowering and the cost model (compile/lower/, analysis/perf/) likewise tell torch's rows (the op
table, the orderings, the products) apart by their columns, not by name, except where
TORCH_ALLOWED says why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from transpiler.compile.ops.hl import HELION_ONLY, HL
from transpiler.compile.ops.products import TORCH_PRODUCTS
from transpiler.compile.ops.table import ELEMENTWISE, REDUCTIONS
from transpiler.compile.ops.table_orderings import ORDERING_OPS

ROOT = Path(__file__).resolve().parent.parent
TABLE = "transpiler/compile/ops/hl.py"
NAMES = {op.name for op in HL} | set(HELION_ONLY)
# torch's rows: a name test on one of these in lowering or the cost model is a column missing
TORCH_ROWS = {op.name for op in (*ELEMENTWISE, *REDUCTIONS, *ORDERING_OPS, *TORCH_PRODUCTS)}
LOWERING = ("transpiler/compile/lower/", "transpiler/analysis/perf/")

_TORCH = "torch's function of that name, not hl's"
_SHAPES = (
    "the shape analysis' tag for a tile's dimension (a tuple ('tile', label, squeezed)); hl "
    "calls reach its rules through the hl table's shape column"
)
_ONE_ROW = "one row's own rule, kept where its state lives (a fact of that row, not a list)"
# (module, word) → why the word there is not a second list of hl names.
ALLOWED: dict[tuple[str, str], str] = {
    ("transpiler/compile/emit/tidy/statement.py", "store"): "a matcher of Triton's tl.store",
    ("transpiler/compile/lower/autotuning.py", "load"): "tl.load in generated code",
    ("transpiler/compile/lower/autotuning.py", "store"): "tl.store in generated code",
    ("transpiler/distributed/dist_utils.py", "atomic_cas"): "a @triton.jit helper's op argument",
    ("transpiler/compile/frontend/host.py", "full"): _TORCH,
    ("transpiler/compile/ops/alternatives.py", "dot"): _TORCH + " (torch.dot of two vectors)",
    ("transpiler/compile/ops/alternatives.py", "breakpoint"): "Python's builtin breakpoint()",
    ("transpiler/compile/frontend/reserved_names.py", "grid"): "the launcher's launch grid",
    ("transpiler/compile/frontend/host.py", "rand"): _TORCH,
    ("transpiler/compile/frontend/host.py", "zeros"): _TORCH,
    ("transpiler/compile/frontend/host_dtypes.py", "rand"): _TORCH,
    ("transpiler/compile/frontend/host_dtypes.py", "zeros"): _TORCH,
    ("transpiler/compile/lower/allocations.py", "full"): _TORCH + " (full_like, new_full)",
    ("transpiler/compile/ops/alternatives.py", "arange"): _TORCH + " (its hint names hl.arange)",
    ("transpiler/compile/ops/alternatives.py", "full"): _TORCH + " (allocated in a device loop)",
    ("transpiler/compile/ops/alternatives.py", "rand"): _TORCH + " (its hint names hl.rand)",
    ("transpiler/compile/ops/alternatives.py", "randint"): _TORCH + " (its hint names hl.randint)",
    ("transpiler/compile/ops/alternatives.py", "zeros"): _TORCH + " (allocated in a device loop)",
    ("transpiler/compile/ops/candidates.py", "cumsum"): "Inductor's list of torch ops",
    ("transpiler/compile/ops/candidates.py", "cumprod"): "Inductor's list of torch ops",
    ("transpiler/run/tile_configs.py", "tile"): "a block size's role",
    ("transpiler/run/tuning.py", "tile"): "a block size's role",
    ("transpiler/run/tuning.py", "reduce"): "a block size's role",
    ("transpiler/run/row_facts.py", "reduce"): "tl.reduce in generated code",
    ("transpiler/run/row_facts.py", "arange"): "tl.arange in generated code",
    ("transpiler/run/row_facts.py", "load"): "tl.load in generated code",
    ("transpiler/run/tile_configs.py", "reduce"): "a block size's role",
    ("transpiler/run/tune_settings.py", "full"): "an autotune effort",
    ("transpiler/compile/frontend/kernel_settings.py", "full"): "an autotune effort",
    ("transpiler/compile/frontend/config_check.py", "register_tunable"): (
        "the one row whose first argument names a config field: read where configs are checked"
    ),
    ("transpiler/run/call_arguments.py", "constexpr"): (
        "a parameter annotated hl.constexpr, read from its text (run/call_arguments.py)"
    ),
    ("transpiler/compile/frontend/loop_accesses.py", "store"): _ONE_ROW + ": its stores race",
    ("transpiler/compile/frontend/loop_accesses.py", "load"): _ONE_ROW + ": its reads race stores",
    ("transpiler/compile/frontend/host.py", "register_block_size"): _ONE_ROW,
    ("transpiler/compile/frontend/kernels.py", "barrier"): _ONE_ROW + ": where it may stand",
    ("transpiler/compile/frontend/examples.py", "constexpr"): _ONE_ROW + ": an annotation",
    **{
        (f"transpiler/compile/lower/{module}", word): _SHAPES
        for module, words in (
            ("shapes.py", ("tile",)),
            ("shape_values.py", ("tile",)),
            ("shape_meeting.py", ("tile",)),
            ("shape_subscripts.py", ("tile",)),
            ("shape_hl.py", ("tile",)),
            ("shape_torch.py", ("tile",)),
        )
        for word in words
    },
}


def _spelled(tree: ast.AST, names: set[str] = NAMES) -> list[tuple[int, str]]:
    """(line, word) of each of `names` compared with, collected or matched on in `tree`."""
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
            if word in names:
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


_BUILTIN = "Python's abs / max / min / round called in device code (builtins), not torch's rows"
_OWN = (
    "one row's own finishing rule, beside the code it shapes (a column when a second row needs it)"
)
_PATTERN = "matches the spelling of an expression it rewrites (a pattern, not a list of rows)"
# lowering / cost-model module → (torch row names it may still test, why). 2026-12-05: 64 such
# (line, name) tests in lower/ and perf/ (67 before where's and masked_fill's condition became
# a column), 164 before (the products, the reductions' and accumulations' sets and the
# orderings' dict became columns: ops/products.py, ReductionOp, OrderingOp); hl names there
# (lower/shapes*.py aside): 3, 53 before
TORCH_ALLOWED: dict[str, tuple[frozenset[str], str]] = {
    "transpiler/compile/lower/accumulations.py": (
        frozenset({"softmax", "max", "logsumexp", "add"}),
        _OWN + ": what the online accumulators give (softmax / log_softmax / logsumexp); "
        "'max' the tl function of an extreme, 'add' a field of the online record",
    ),
    "transpiler/compile/lower/calls.py": (frozenset({"max", "min", "abs", "round"}), _BUILTIN),
    "transpiler/compile/lower/torch_ops.py": (
        frozenset({"max", "min", "clamp", "gelu", "tanh", "all", "any", "count_nonzero", "div"}),
        _OWN + " (gelu's approximate=, clamp's min= / max=, any / all of x != 0, max(a, b) as "
        "maximum, count_nonzero's int count, div's rounding_mode=)",
    ),
    "transpiler/compile/lower/elementwise.py": (
        frozenset({"pow", "exp"}),
        _OWN + " (pow's small exponents as products, exp of a scaled product as exp2)",
    ),
    "transpiler/compile/lower/expressions.py": (
        frozenset({"abs", "max", "min", "round"}),
        _BUILTIN,
    ),
    "transpiler/compile/lower/inlining.py": (frozenset({"abs", "max", "min"}), _BUILTIN),
    "transpiler/compile/lower/scans.py": (frozenset({"abs", "max", "min"}), _BUILTIN),
    "transpiler/compile/lower/host_tails.py": (
        frozenset({"mean", "sum"}),
        "host code's `out.sum()` / `out.mean()` after the loop (a tail fused into the kernel)",
    ),
    "transpiler/compile/lower/composites.py": (
        frozenset({"add", "mul"}),
        "F.layer_norm / rms_norm / linear: torch's definitions as the table's rows composed "
        "(ops/composites.py's lowered_as column)",
    ),
    "transpiler/compile/lower/norms.py": (
        frozenset({"sum", "amax"}),
        "vector_norm's ord → the reduction that finishes it (a norm's own table)",
    ),
    "transpiler/compile/lower/online_rows.py": (
        frozenset({"exp", "where", "sum", "max"}),
        _PATTERN,
    ),
    "transpiler/compile/lower/welford_rows.py": (frozenset({"mean", "square", "sum"}), _PATTERN),
    "transpiler/compile/lower/reductions.py": (
        frozenset({"logsumexp", "argmax", "argmin"}),
        _OWN + " (logsumexp's keepdim argument; the index of max / min)",
    ),
    "transpiler/compile/lower/shape_calls.py": (
        frozenset({"abs", "max", "min", "round"}),
        _BUILTIN,
    ),
    "transpiler/analysis/perf/op_calls.py": (
        frozenset({"max", "min", "logcumsumexp"}),
        "max(a, b) / min(a, b) are maximum / minimum (builtins and torch's two-tensor form); "
        "logcumsumexp's float result of integers",
    ),
}


def _torch_tests(module: str, tree: ast.AST) -> dict[str, list[int]]:
    """word → lines of each torch row's name tested in a lowering or cost-model module."""
    if not module.startswith(LOWERING):
        return {}
    found: dict[str, list[int]] = {}
    for line, word in _spelled(tree, TORCH_ROWS):
        found.setdefault(word, []).append(line)
    return found


def _stray_torch(module: str, tree: ast.AST) -> dict[str, list[int]]:
    allowed = TORCH_ALLOWED.get(module, (frozenset(), ""))[0]
    return {w: lines for w, lines in _torch_tests(module, tree).items() if w not in allowed}


def _torch_found() -> dict[str, dict[str, list[int]]]:
    found = {}
    for path in _modules():
        module = path.relative_to(ROOT).as_posix()
        tests = _torch_tests(module, ast.parse(path.read_text()))
        if tests:
            found[module] = tests
    return found


def test_lowering_tells_torch_rows_apart_by_their_columns():
    stray = {
        module: {
            w: lines for w, lines in tests.items() if w not in TORCH_ALLOWED.get(module, ((),))[0]
        }
        for module, tests in _torch_found().items()
    }
    stray = {module: tests for module, tests in stray.items() if tests}
    assert not stray, (
        "torch rows told apart by name in lowering / the cost model (give the row a column in "
        f"ops/table.py, table_orderings.py or products.py and read it): {stray}"
    )


def test_every_torch_allowance_is_still_used():
    found = _torch_found()
    unused = {
        module: sorted(words - set(found.get(module, {})))
        for module, (words, _) in TORCH_ALLOWED.items()
        if words - set(found.get(module, {}))
    }
    assert not unused, unused


@pytest.mark.parametrize(
    "module, code, stray",
    [
        # the sets this session moved into columns: each would fail again
        (
            "transpiler/compile/lower/reductions.py",
            "_SCANS = ('cumsum', 'cumprod')",
            ["cumprod", "cumsum"],
        ),
        (
            "transpiler/compile/lower/accumulations.py",
            "LOOPABLE = ('var', 'argmax')",
            ["argmax", "var"],
        ),
        (
            "transpiler/compile/lower/dots.py",
            "if name in ('addmm', 'baddbmm'): pass",
            ["addmm", "baddbmm"],
        ),
        ("transpiler/analysis/perf/op_calls.py", "DOTS = {'matmul': 0, 'mm': 0}", ["matmul", "mm"]),
        ("transpiler/compile/lower/orderings.py", "if name == 'flip': pass", ["flip"]),
        # allowed where the allowlist says why; outside lowering not this check's business
        ("transpiler/compile/lower/expressions.py", "if name in ('abs', 'max'): pass", []),
        ("transpiler/compile/lower/reductions.py", "if name == 'logsumexp': pass", []),
        ("transpiler/reference/mode.py", "if name == 'cumsum': pass", []),
        ("transpiler/compile/lower/calls.py", "x = 'sum of rows'", []),
    ],
)
def test_the_torch_scan_finds_name_tests_in_lowering(module, code, stray):
    assert sorted(_stray_torch(module, ast.parse(code))) == stray


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
