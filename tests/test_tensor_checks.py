"""check_tensors written from its parts: every form a module can carry still makes each refusal
its keywords ask for (and the ones every launch makes); launches pass constexprs by position
only where the kernel's parameters take them there."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest
import torch
import triton
import triton.language as tl
from helpers import DEVICE

import transpiler
from transpiler.compile.emit.prelude import HOST_HELPERS
from transpiler.compile.emit.tensor_checks import KEYWORDS, check_tensors_source
from transpiler.compile.emit.tidy.helpers import needed_helpers
from transpiler.compile.lower.launch import AutotunedBlocks, FixedBlocks, LaunchFacts, launch_lines
from transpiler.run.runtime import load_module

GOLDEN = Path(__file__).parent / "golden"
FORMS = [
    frozenset(chosen) for size in range(len(KEYWORDS) + 1)
    for chosen in itertools.combinations(KEYWORDS, size)
]  # fmt: skip


def helper(keywords: frozenset[str], pairs: bool = True):
    namespace = {"torch": torch, "tl": tl, "triton": triton}
    source = check_tensors_source(keywords, pairs=pairs)
    exec(compile(source, "<check_tensors>", "exec"), namespace)
    return namespace["check_tensors"]


def fresh(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Random values, none zero, of an odd size."""
    values = torch.rand(*shape, dtype=torch.float64) + 0.5
    values = values.to(dtype) if dtype.is_floating_point else (values * 50).to(dtype)
    return values.to(DEVICE)  # a GPU machine's launcher refuses CPU tensors


# keyword (and a case) → (the call's facts, tensors it refuses, tensors it accepts, the error, its words)
REFUSALS = {
    "ranks": (
        {"ranks": {"x": 2}},
        {"x": fresh(7)},
        {"x": fresh(7, 3)},
        ValueError,
        "x must be 2-D, not 1-D: the kernel indexes it so",
    ),
    "arithmetic": (
        {"arithmetic": {"x": 9}},
        {"x": fresh(5) > 1},
        {"x": fresh(5, dtype=torch.int32)},
        TypeError,
        "x is a bool tensor and line 9 does arithmetic",
    ),
    # (line, *names): a bool x is wrong only beside a bool y (a mask beside floats computes)
    "arithmetic beside": (
        {"arithmetic": {"x": (10, "y")}},
        {"x": fresh(5) > 1, "y": fresh(5) > 1},
        {"x": fresh(5) > 1, "y": fresh(5)},
        TypeError,
        "x is a bool tensor and line 10 does arithmetic",
    ),
    # a float product's factor: floats or int8, what Triton's tl.dot takes
    "factors": (
        {"factors": {"x": 14}},
        {"x": fresh(4, 4, dtype=torch.int32)},
        {"x": fresh(4, 4, dtype=torch.int8)},
        TypeError,
        r"line 14: x is torch.int32: Triton's tl.dot multiplies floats and int8 only; convert",
    ),
    "integers": (
        {"integers": {11: ((("x",), ("y",)),)}},
        {"x": fresh(5, dtype=torch.uint8), "y": fresh(5, dtype=torch.int8)},
        {"x": fresh(5, dtype=torch.uint8), "y": fresh(5, dtype=torch.int16)},
        TypeError,
        r"torch.uint8 x meets torch.int8 y \(line 11\)",
    ),
    # an operand computed from two tensors: their promoted dtype (float16 times bfloat16 is
    # float32, neither's: its refusal named no tensor, a bare StopIteration, before)
    "integers promoted": (
        {"integers": {12: ((("x", "y"), ("z",)),)}},
        {"x": fresh(5, dtype=torch.int16), "y": fresh(5, dtype=torch.int32), "z": fresh(5).half()},
        {"x": fresh(5).half(), "y": fresh(5).bfloat16(), "z": fresh(5, dtype=torch.int32)},
        TypeError,
        r"torch.int32 x and y meets torch.float16 z \(line 12\)",
    ),
    "numbers": (
        {"numbers": {"x": (12, 0, 300)}},
        {"x": fresh(3, dtype=torch.int8)},
        {"x": fresh(3, dtype=torch.int16)},
        TypeError,
        "line 12 computes with torch.int8 x and an int",
    ),
    "floats": (
        {"floats": {"x": (13, 0.1)}},
        {"x": fresh(9, dtype=torch.float64)},
        {"x": fresh(9, dtype=torch.float32)},
        TypeError,
        "line 13 computes with float64 x and a float argument",
    ),
}


@pytest.mark.parametrize("pairs", [True, False], ids=["pairs", "plain_lines"])
@pytest.mark.parametrize("keywords", FORMS, ids=lambda form: "+".join(sorted(form)) or "none")
def test_every_form_refuses_what_its_keywords_ask(keywords: frozenset[str], pairs: bool) -> None:
    source = check_tensors_source(keywords, pairs=pairs)
    assert all(len(line) <= 100 for line in source.splitlines())
    check = helper(keywords, pairs)
    good = {"x": fresh(7, 3), "out": fresh(7, 3)}
    assert check(good) is tl.int32
    with pytest.raises(TypeError) as caught:  # the parameter, what it is, the fix
        check({"x": [1.0, 2.0]})
    assert str(caught.value) == (
        "x must be a tensor, not list: the kernel reads it; pass torch.tensor(x), or allocate it "
        "with torch.empty"
    )
    with pytest.raises(ValueError, match="complex"):
        check({"x": torch.ones(5, dtype=torch.complex64)})
    with pytest.raises(ValueError, match="meta device"):
        check({"x": torch.ones(5, device="meta")})
    for keyword, (facts, refused, accepted, error, words) in REFUSALS.items():
        if keyword.split()[0] not in keywords or (keyword == "arithmetic beside" and not pairs):
            continue
        with pytest.raises(error, match=words):
            check(refused, **facts)
        assert check(accepted, **facts) is tl.int32
    if "why" in keywords:  # host code's own check: its reason, and no launch to refuse for
        why = "line 8 unpacks its sizes into 2 names"
        ranks = {"ranks": {"x": 2}} if "ranks" in keywords else {}
        if ranks:
            with pytest.raises(ValueError, match=f"x must be 2-D, not 3-D: {why}"):
                check({"x": fresh(3, 5, 7)}, **ranks, why=why)
        with pytest.raises(TypeError, match=rf"x must be a tensor, not int: {why}; .*tensor\(x\)"):
            check({"x": 3}, **ranks, why=why)
        check({"x": torch.ones(3, 5, dtype=torch.complex64, device=DEVICE)}, **ranks, why=why)


def test_the_whole_form_is_the_prelude_s() -> None:
    assert HOST_HELPERS["check_tensors"] == check_tensors_source()
    assert HOST_HELPERS["check_tensors"] == check_tensors_source({"ranks", "an_unknown_keyword"})


def _launches(code: str) -> list[tuple[list[str], ast.Call]]:
    """Each `name[grid](...)` call of a module with its kernel's parameter names."""
    tree = ast.parse(code)
    kernels = {
        node.name: [a.arg for a in node.args.args]
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_kernel")
    }
    return [
        (kernels[node.func.value.id], node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Subscript)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in kernels
    ]


KERNELS = [*sorted(GOLDEN.glob("*.py"))]


@pytest.mark.parametrize("path", [p for p in KERNELS if not p.stem.endswith(".triton")], ids=str)
def test_constexprs_passed_by_position_land_on_their_parameter(path: Path) -> None:
    launches = _launches(transpiler.transpile(path.read_text()))
    assert launches
    for parameters, call in launches:
        positional = [a.id if isinstance(a, ast.Name) else None for a in call.args]
        constexprs = [name for name in positional if name and name.isupper()]
        assert constexprs  # INDEX_DTYPE, BLOCK_*: now by position
        for index, name in enumerate(positional):
            if name is not None and name in parameters:
                assert parameters[index] == name, (name, parameters)


def _facts(flags: tuple[str, ...]) -> LaunchFacts:
    return LaunchFacts(
        kernel="k_kernel", line=9, checks=(), constexprs=(), even_flags=(), split_flags=(),
        descriptor_lines=(), stage_lines=(), stages=None, grid=("4",), signal_pads=(),
        arguments=("x", "x.stride(0)"), flags=flags, settings={}, block_checks=(),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("tuned", "call"),
    [
        ((), "k_kernel[grid](x, x.stride(0), INDEX_DTYPE, BLOCK_N, EVEN_N)"),
        (("BLOCK_N",), "k_kernel[grid](x, x.stride(0), INDEX_DTYPE, EVEN_N=EVEN_N)"),
        (("INDEX_DTYPE", "EVEN_N"), "k_kernel[grid](x, x.stride(0), BLOCK_N=BLOCK_N)"),
    ],
)
def test_constexprs_after_one_a_config_list_sets_stay_named(tuned: tuple, call: str) -> None:
    blocks = AutotunedBlocks(tuned, "@triton.autotune(...)") if tuned else FixedBlocks()
    lines = launch_lines(_facts(("INDEX_DTYPE", "BLOCK_N", "EVEN_N")), blocks, 1)
    assert lines[-1].text == call


# (a module's calls, whether its check_tensors reads `(line, *names)` pairs)
PAIR_FORMS = [
    ('INDEX_DTYPE = check_tensors({"x": x}, arithmetic={"x": 9})', False),
    ('INDEX_DTYPE = check_tensors({"x": x, "y": y}, arithmetic={"x": (9, "y"), "y": 9})', True),
    (
        'check_tensors({"x": x}, ranks={"x": 2}, why="w")\ncheck_tensors({"x": x}, arithmetic=lines)',
        True,
    ),
    ('INDEX_DTYPE = check_tensors({"x": x}, ranks={"x": 1})', False),
]


@pytest.mark.parametrize(("calls", "pairs"), PAIR_FORMS)
def test_the_pairs_lines_only_where_a_call_passes_a_pair(calls: str, pairs: bool) -> None:
    (source,) = needed_helpers(calls, set(), {"check_tensors"})
    assert ("*beside" in source) is (pairs and "arithmetic" in calls)


NUMBERS_KERNEL = """
import torch
import helion
import helion.language as hl

@helion.kernel()
def shifted(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] {operation}
    return out
"""
INTEGER_DTYPES = (torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


# (the operation, torch's, its int, its numbers= fact; None: every integer dtype holds the int)
NUMBERS = [
    ("+ 3", lambda x: x + 3, 3, None),
    ("* 127", lambda x: x * 127, 127, None),
    ("+ 128", lambda x: x + 128, 128, '"x": (10, 128, 128)'),  # past int8
    ("- -1", lambda x: x - -1, -1, '"x": (10, -1, -1)'),  # past uint8
]


@pytest.mark.parametrize(
    ("operation", "torch_op", "number", "fact"), NUMBERS, ids=[n[0] for n in NUMBERS]
)
def test_numbers_checked_only_where_a_dtype_cannot_hold_them(operation, torch_op, number, fact):
    code = transpiler.transpile(NUMBERS_KERNEL.format(operation=operation))
    assert ("numbers=" in code) is (fact is not None)
    if fact is not None:
        assert f"numbers={{{fact}}}" in code
    module = load_module(code)
    for dtype in INTEGER_DTYPES:  # where the launcher lets it run, torch's answer
        x = fresh(29, dtype=dtype)
        info = torch.iinfo(dtype)
        if not info.min <= number <= info.max:  # torch wraps the int into the dtype: refused
            with pytest.raises(TypeError, match=f"line 10 computes with {dtype} x and an int"):
                module.shifted(x)
            continue
        assert torch.equal(module.shifted(x), torch_op(x)), dtype


PRODUCT_KERNEL = """
import torch
import helion
import helion.language as hl

@helion.kernel()
def product(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out
"""


def test_a_bool_factor_is_refused_by_the_factors_check() -> None:
    """A float product's factors hold floats or int8 (`factors=`): a bool one among them, so
    the bool check (`arithmetic=`) would repeat it and the helper leaves its lines out."""
    code = transpiler.transpile(PRODUCT_KERNEL)
    assert "arithmetic=" not in code and "torch.bool" not in code  # no bool part in the helper
    assert 'factors={"x": 14, "y": 14}' in code
    module = load_module(code)
    x, y = fresh(19, 23, dtype=torch.float64), fresh(23, 17, dtype=torch.float64)
    for bools in ((x > 1, y), (x, y > 1), (x > 1, y > 1)):
        name = "x" if bools[0].dtype == torch.bool else "y"
        with pytest.raises(TypeError, match=f"line 14: {name} is torch.bool: Triton's tl.dot"):
            module.product(*bools)
    got = module.product(x.float(), y.float())
    expected = x.float().double() @ y.float().double()
    torch.testing.assert_close(got.double(), expected, rtol=1e-2, atol=1e-2)  # TF32 on a GPU


COLUMNS_KERNEL = """
import torch
import helion
import helion.language as hl

@helion.kernel()
def columns(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, 3], dtype=torch.float32, device=x.device)
    for tile in hl.tile(m):
        out[tile, {first}] = x[tile, 0]
        out[tile, -1] = x[tile, 2] * 2
    return out
"""


# (out's first column written, whether the launcher checks it: host code made out 3 wide)
@pytest.mark.parametrize(("first", "checked"), [(1, False), (3, True)])
def test_a_literal_index_inside_a_literal_size_goes_unchecked(first: int, checked: bool) -> None:
    code = transpiler.transpile(COLUMNS_KERNEL.format(first=first))
    assert ("out.size(1) <" in code) is checked  # out[tile, -1] never: -3 <= -1 < 3
    assert "if x.size(1) < 1:" in code and "if x.size(1) < 3:" in code  # x's width: unknown
    module = load_module(code)
    x = fresh(13, 5, dtype=torch.float64)
    if checked:  # torch: index 3 is out of bounds for dimension 1 with size 3
        with pytest.raises(IndexError, match="line 11: index 3 is out of range for out's dim 1"):
            module.columns(x)
        return
    with pytest.raises(IndexError, match="line 12: index 2 is out of range for x's dim 1 \\(2\\)"):
        module.columns(x[:, :2])
    got = module.columns(x)
    assert torch.equal(got[:, 1], x[:, 0].float()) and torch.equal(got[:, 2], (x[:, 2] * 2).float())


SQUARE_KERNEL = """
import torch
import helion
import helion.language as hl

@helion.kernel()
def square(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * x[tile]
    return out
"""


def test_arithmetic_beside_its_own_values_is_a_plain_line() -> None:
    """`x * x`: x is wrong as a bool wherever it is one (beside its own bools), so the launcher
    passes the plain line, not `(10, "x")`, and the helper needs no pair lines."""
    code = transpiler.transpile(SQUARE_KERNEL)
    assert 'arithmetic={"x": 10}' in code and "*beside" not in code
    module = load_module(code)
    with pytest.raises(TypeError, match="x is a bool tensor and line 10 does arithmetic"):
        module.square(fresh(29) > 1)
    x = fresh(29, dtype=torch.float64)
    torch.testing.assert_close(module.square(x), x * x)


ADD_FIRST_KERNEL = """
import torch
import helion
import helion.language as hl

@helion.kernel()
def add_first(x: torch.Tensor, y: torch.Tensor, n: int) -> torch.Tensor:
    out = {allocation}
    for tile in hl.tile(n):
        out[tile] = x[tile] + y[tile]
    return out
"""


# (out's allocation, what it holds past n)
ALLOCATIONS = [
    ("torch.zeros_like(x)", lambda x: torch.zeros_like(x)),
    ("x.clone()", lambda x: x),  # x's sizes, dtype and device too (size17)
]


@pytest.mark.parametrize(("allocation", "rest"), ALLOCATIONS, ids=[a[0] for a in ALLOCATIONS])
def test_sizes_one_reach_needs_are_one_check(allocation: str, rest) -> None:
    """The tiles reach n in x and y: one check of both (`min(...)`), its message naming each;
    none of out, whose size is x's, nor of its rank."""
    code = transpiler.transpile(ADD_FIRST_KERNEL.format(allocation=allocation))
    assert "    if min(x.size(0), y.size(0)) < n:" in code and "out.size(0)" not in code
    assert 'ranks={"x": 1, "y": 1}' in code
    module = load_module(code)
    x, y = fresh(37, dtype=torch.float64), fresh(41, dtype=torch.float64)
    for short in ((x[:30], y), (x, y[:30])):
        with pytest.raises(RuntimeError, match=r"x.size\(0\) and y.size\(0\) must be at least n"):
            module.add_first(*short, 31)
    got = module.add_first(x, y, 31)
    assert torch.equal(got[:31], x[:31] + y[:31])
    assert torch.equal(got[31:], rest(x)[31:])
