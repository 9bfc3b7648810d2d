"""Each row of the hl table in a kernel of its own: the generated kernel (Triton's interpreter),
reference mode (the row's eager implementation) and a float64 evaluation agree, and the exported
module's reference (the same definitions, copied in) gives reference mode's very result."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import torch
import triton
from helpers import DEVICE, assert_matches, generated, reference

import transpiler
from transpiler.analysis.perf.host_eval import CostModelError
from transpiler.analysis.perf.walk import analyse, kernel_cost
from transpiler.compile.ops.hl import HL, HL_BY_NAME
from transpiler.export.build import export_text
from transpiler.reference.eager import ReferenceUnsupportedError
from transpiler.run.cache import load_module

HEADER = "import torch\nimport triton\nimport triton.language as tl\nimport helion\nimport helion.language as hl\n\n\n"


@dataclass(frozen=True)
class Case:
    """A kernel `k` using one hl function, fresh inputs (odd sizes), and its float64 meaning."""

    body: str  # the kernel, `def k(...)` and below (HEADER and `@helion.kernel()` go first)
    inputs: Callable[[], tuple]
    expected: Callable[..., torch.Tensor] | None  # float64, from the inputs; None: checked below
    check: Callable[[torch.Tensor], bool] = lambda result: (
        True
    )  # for rows without a float64 meaning
    eager: bool = True  # False: the row has no eager meaning (reference mode refuses it)
    prelude: str = ""  # module code before the kernel (a @triton.jit helper)
    decorator: str = "@helion.kernel()"

    @property
    def source(self) -> str:
        return HEADER + self.prelude + self.decorator + "\n" + self.body


def floats(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64).to(torch.float32)


def ints(*shape: int, high: int = 64) -> torch.Tensor:
    return torch.randint(1, high, shape, dtype=torch.int32)


def _atomic(name: str, value: str = "x[tile]") -> str:
    return (
        "def k(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        hl.{name}(out, [tile], {value})\n"
        "    return out\n"
    )


_ROWS_SUM = (
    "def k(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:\n"
    "    for tile_n, tile_m in hl.tile(x.size()):\n"
    "        hl.{name}(out, [tile_m], torch.{reduce}(x[tile_n, tile_m], dim=0))\n"
    "    return out\n"
)

CASES: dict[str, Case] = {
    "tile": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile_m, tile_n in hl.tile(x.size()):\n"
        "        out[tile_m, tile_n] = x[tile_m, tile_n] * 2.0\n"
        "    return out\n",
        lambda: (floats(19, 37),),
        lambda x: x * 2,
    ),
    "grid": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for row in hl.grid(x.size(0)):\n"
        "        out[row, :] = x[row, :] - torch.amax(x[row, :], dim=0)\n"
        "    return out\n",
        lambda: (floats(7, 33),),
        lambda x: x - x.amax(1, keepdim=True),
    ),
    "static_range": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        acc = hl.zeros([tile], dtype=torch.float32)\n"
        "        for step in hl.static_range(1, 4):\n"
        "            acc = acc + x[tile] * step\n"
        "        out[tile] = acc\n"
        "    return out\n",
        lambda: (floats(45),),
        lambda x: x * 6,
    ),
    "zeros": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)\n"
        "    for tile_m in hl.tile(x.size(0)):\n"
        "        acc = hl.zeros([tile_m], dtype=torch.float32)\n"
        "        for tile_n in hl.tile(x.size(1)):\n"
        "            acc += torch.sum(x[tile_m, tile_n], dim=1)\n"
        "        out[tile_m] = acc\n"
        "    return out\n",
        lambda: (floats(21, 75),),
        lambda x: x.sum(1),
    ),
    "full": Case(
        "def k(x: torch.Tensor, fill: float) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile_m, tile_n in hl.tile(x.size()):\n"
        "        out[tile_m, tile_n] = x[tile_m, tile_n] + hl.full([tile_m, tile_n], fill, dtype=torch.float32)\n"
        "    return out\n",
        lambda: (floats(13, 29), 2.75),
        lambda x, fill: x + fill,
    ),
    "arange": Case(  # lanes of a fixed block: reference mode runs those blocks too
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0), block_size=8):\n"
        "        out[tile] = x[tile] + hl.arange(tile.block_size)\n"
        "    return out\n",
        lambda: (floats(45),),
        lambda x: x + torch.arange(45, dtype=torch.float64) % 8,
    ),
    "cumsum": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile, :] = hl.cumsum(x[tile, :], 1)\n"
        "    return out\n",
        lambda: (floats(9, 31),),
        lambda x: x.cumsum(1),
    ),
    "cumprod": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile, :] = hl.cumprod(x[tile, :], 1, reverse=True)\n"
        "    return out\n",
        lambda: (1 + floats(9, 31) / 10,),
        lambda x: x.flip(1).cumprod(1).flip(1),
    ),
    "associative_scan": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile, :] = hl.associative_scan(lambda a, b: torch.maximum(a, b), x[tile, :], dim=1)\n"
        "    return out\n",
        lambda: (floats(7, 29),),
        lambda x: x.cummax(1).values,
    ),
    "reduce": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = hl.reduce(lambda a, b: a + b * 1.0, x[tile, :], dim=1)\n"
        "    return out\n",
        lambda: (floats(15, 27),),
        lambda x: x.sum(1),
    ),
    "dot": Case(
        "def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty([x.size(0), y.size(1)], dtype=x.dtype, device=x.device)\n"
        "    for tile_m, tile_n in hl.tile([x.size(0), y.size(1)]):\n"
        "        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)\n"
        "        for tile_k in hl.tile(x.size(1)):\n"
        "            acc = hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], acc=acc)\n"
        "        out[tile_m, tile_n] = acc\n"
        "    return out\n",
        lambda: (floats(19, 37), floats(37, 23)),
        lambda x, y: x @ y,
    ),
    "load": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = hl.load(x, [tile], extra_mask=x[tile] > 0) * 3.0\n"
        "    return out\n",
        lambda: (floats(53),),
        lambda x: torch.where(x > 0, x * 3, 0),
    ),
    "store": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.zeros_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        hl.store(out, [tile], x[tile] + 1.0, extra_mask=x[tile] < 0.5)\n"
        "    return out\n",
        lambda: (floats(53),),
        lambda x: torch.where(x < 0.5, x + 1, 0),
    ),
    "atomic_add": Case(
        _ROWS_SUM.format(name="atomic_add", reduce="sum"),
        lambda: (floats(37, 21), floats(21)),
        lambda x, out: out + x.sum(0),
    ),
    "atomic_max": Case(
        _ROWS_SUM.format(name="atomic_max", reduce="amax"),
        lambda: (floats(37, 21), floats(21)),
        lambda x, out: torch.maximum(out, x.amax(0)),
    ),
    "atomic_min": Case(
        _ROWS_SUM.format(name="atomic_min", reduce="amin"),
        lambda: (floats(37, 21), floats(21)),
        lambda x, out: torch.minimum(out, x.amin(0)),
    ),
    # Triton's interpreter exchanges integers only
    "atomic_xchg": Case(_atomic("atomic_xchg"), lambda: (ints(41), ints(41)), lambda x, out: x),
    "atomic_and": Case(_atomic("atomic_and"), lambda: (ints(41), ints(41)), lambda x, out: x & out),
    "atomic_or": Case(_atomic("atomic_or"), lambda: (ints(41), ints(41)), lambda x, out: x | out),
    "atomic_xor": Case(_atomic("atomic_xor"), lambda: (ints(41), ints(41)), lambda x, out: x ^ out),
    # partial tiles: lanes past the end swap a no-op (tests/test_atomic_cas_bounds.py)
    "atomic_cas": Case(
        _atomic("atomic_cas", "x[tile], x[tile] + 100"),
        lambda: (ints(41, high=4), ints(41, high=4)),
        lambda x, out: torch.where(out == x, x + 100, out),
        decorator="@helion.kernel(config=helion.Config(block_sizes=[16]))",
    ),
    "split": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        first, second = hl.split(x[tile, :])\n"
        "        out[tile] = first * 2.0 - second\n"
        "    return out\n",
        lambda: (floats(27, 2),),
        lambda x: x[:, 0] * 2 - x[:, 1],
    ),
    "join": Case(
        "def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty([x.size(0), 2], dtype=x.dtype, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile, :] = hl.join(x[tile], y[tile] * 0.5)\n"
        "    return out\n",
        lambda: (floats(27), floats(27)),
        lambda x, y: torch.stack([x, y * 0.5], dim=-1),
    ),
    "constexpr": Case(
        "def k(x: torch.Tensor, scale: hl.constexpr) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * scale\n"
        "    return out\n",
        lambda: (floats(31), 3),
        lambda x, scale: x * scale,
    ),
    "specialize": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    n = hl.specialize(x.size(1))\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile, :] = x[tile, :] / n\n"
        "    return out\n",
        lambda: (floats(17, 19),),
        lambda x: x / 19,
    ),
    "register_reduction_dim": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    n = hl.register_reduction_dim(x.size(1))\n"
        "    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        acc = hl.zeros([tile, n], dtype=torch.float32)\n"
        "        acc += x[tile, :]\n"
        "        out[tile] = torch.sum(acc, dim=1)\n"
        "    return out\n",
        lambda: (floats(17, 43),),
        lambda x: x.sum(1),
    ),
    "register_block_size": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    m, n = x.size()\n"
        "    out = torch.empty([m], dtype=x.dtype, device=x.device)\n"
        "    block_n = hl.register_block_size(n)\n"
        "    for tile_m in hl.tile(m):\n"
        "        acc = hl.zeros([tile_m, block_n], dtype=torch.float32)\n"
        "        for tile_n in hl.tile(n, block_size=block_n):\n"
        "            acc += x[tile_m, tile_n]\n"
        "        out[tile_m] = acc.sum(-1)\n"
        "    return out\n",
        lambda: (floats(23, 57),),
        lambda x: x.sum(1),
    ),
    "register_tunable": Case(  # the fragment's default (2) where no config says otherwise
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    parts = hl.register_tunable('parts', helion.autotuner.PowerOfTwoFragment(2, 8))\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * parts\n"
        "    return out\n",
        lambda: (floats(71),),
        lambda x: x * 2,
    ),
    "rand": Case(
        "def k(x: torch.Tensor, seed: int) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile_m, tile_n in hl.tile(x.size()):\n"
        "        out[tile_m, tile_n] = hl.rand([tile_m, tile_n], seed=seed)\n"
        "    return out\n",
        lambda: (floats(19, 33), 11),
        None,
        check=lambda result: bool(((result >= 0) & (result < 1)).all() and result.std() > 0.2),
    ),
    "randint": Case(
        "def k(x: torch.Tensor, seed: int) -> torch.Tensor:\n"
        "    out = torch.empty([x.size(0)], dtype=torch.int32, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = hl.randint([tile], 3, 17, seed)\n"
        "    return out\n",
        lambda: (floats(101), 5),
        None,
        check=lambda result: bool(
            ((result >= 3) & (result < 17)).all() and result.unique().numel() > 8
        ),
    ),
    "device_print": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        hl.device_print('value: ', x[tile])\n"
        "        out[tile] = x[tile] - 1.0\n"
        "    return out\n",
        lambda: (floats(5),),
        lambda x: x - 1,
    ),
    "inline_triton": Case(
        "def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = hl.inline_triton('{0} * 2.0 + {1}', args=(x[tile], y[tile]), output_like=x[tile])\n"
        "    return out\n",
        lambda: (floats(37), floats(37)),
        lambda x, y: x * 2 + y,
        eager=False,
    ),
    "triton_kernel": Case(
        "def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = hl.triton_kernel(halved_sum, args=(x[tile], y[tile]), output_like=x[tile])\n"
        "    return out\n",
        lambda: (floats(37), floats(37)),
        lambda x, y: (x + y) / 2,
        eager=False,
        prelude="@triton.jit\ndef halved_sum(a, b):\n    return (a + b) / 2\n\n\n",
    ),
    "barrier": Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    doubled = torch.empty_like(x)\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        doubled[tile] = x[tile] * 2.0\n"
        "    hl.barrier()\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = doubled[tile] + 1.0\n"
        "    return out\n",
        lambda: (floats(29),),
        lambda x: x * 2 + 1,
    ),
}

# The tile attribute rows: a fixed block_size runs reference mode block by block too, so each
# tile's begin, end, id and block size are the generated kernel's.
for _name, _meaning in {
    "tile_index": ("hl.tile_index(tile)", lambda i, size: i),
    "tile_begin": ("hl.tile_begin(tile)", lambda i, size: i // 8 * 8),
    "tile_end": ("hl.tile_end(tile)", lambda i, size: torch.clamp(i // 8 * 8 + 8, max=size)),
    "tile_block_size": ("hl.tile_block_size(tile)", lambda i, size: torch.full_like(i, 8)),
    "tile_id": ("hl.tile_id(tile)", lambda i, size: i // 8),
    "tile_count": ("hl.tile_count(tile)", lambda i, size: torch.full_like(i, -(-size // 8))),
}.items():
    CASES[_name] = Case(
        "def k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0), block_size=8):\n"
        f"        out[tile] = x[tile] * 0.0 + {_meaning[0]}\n"
        "    return out\n",
        lambda: (floats(45),),
        lambda x, meaning=_meaning[1]: meaning(torch.arange(45, dtype=torch.float64), 45).double(),
    )

# Rows whose kernels live in files of their own (their loops need a jagged layout).
ELSEWHERE = {
    "jagged_tile": "tests/test_jagged.py, tests/test_jagged_lanes.py (generated vs reference "
    "mode vs a float64 loop)",
    "vtile": "tests/test_jagged.py (vtile_column_sums, vtile_row_matmul), test_jagged_lanes.py",
}
ROWS = [op.name for op in HL]
# Where reference mode disagrees with the generated kernel (found by these tests, still open).
DIVERGES = {
    "tile_block_size": "the last, partial tile of a fixed block_size: reference mode's block size "
    "is its lanes (end - begin, 5 of 45 = 5·8 + 5), the kernel's (and Helion's ref mode's) the "
    "block's 8; the eager Tile would need both (lanes for shapes, the block for values)",
}


def test_every_row_has_a_kernel():
    assert set(CASES) | set(ELSEWHERE) == set(ROWS)
    assert not set(CASES) & set(ELSEWHERE)


def _fresh(args: tuple) -> list:
    return [a.clone().to(DEVICE) if isinstance(a, torch.Tensor) else a for a in args]


def _expected(case: Case, args: tuple, like: torch.Tensor) -> torch.Tensor:
    """The case's float64 meaning (integer results in their own dtype)."""
    wide = [
        a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args
    ]
    expected = case.expected(*wide)
    return expected if like.is_floating_point() else expected.to(like.dtype)


@pytest.mark.parametrize("name", list(CASES))
def test_generated_eager_and_float64_agree(name):
    case = CASES[name]
    args = case.inputs()
    result = generated(case.source, "k", *_fresh(args))(*_fresh(args))
    assert case.check(result)
    if case.expected is not None:  # hl.dot: TF32 on a GPU
        assert_matches(
            result, _expected(case, args, result), torch.float32, dots="hl.dot" in case.body
        )
    if not case.eager:
        with pytest.raises(ReferenceUnsupportedError):
            reference(case.source, "k")(*_fresh(args))
        return
    eager = reference(case.source, "k")(*_fresh(args))
    if case.expected is None:  # random numbers: Triton's Philox, bit for bit
        assert torch.equal(result, eager)
    elif name in DIVERGES:
        with pytest.raises(AssertionError):
            assert_matches(eager, _expected(case, args, eager), torch.float32)
        pytest.xfail(DIVERGES[name])
    else:
        assert_matches(eager, _expected(case, args, eager), torch.float32)


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.eager])
def test_the_exported_reference_is_reference_mode(name, tmp_path):
    case = CASES[name]
    args = case.inputs()
    path = tmp_path / "exported.py"
    path.write_text(export_text(case.source, example_args=args))
    # loaded as a user would (and the tutorial notebook does), not put into sys.modules
    spec = importlib.util.spec_from_file_location("exported", path)
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    ours = exported.run_reference(exported.reference_k, *_fresh(args))
    mode = reference(case.source, "k")(*_fresh(args))
    assert torch.equal(ours.cpu(), mode)


@pytest.mark.parametrize("name", list(CASES))
def test_the_cost_model_follows_the_rows_it_costs(name):
    """A row with a cost kind is costed (the case's kernel has a cost); one without is named
    at its call."""
    case = CASES[name]
    if HL_BY_NAME[name].cost is None:
        with pytest.raises(CostModelError, match="does not follow"):
            kernel_cost(case.source, "k", case.inputs())
        return
    cost = kernel_cost(case.source, "k", case.inputs())
    assert cost.min_bytes > 0 and cost.flops >= 0


def test_the_cost_model_counts_an_hl_dot_and_its_accumulator():
    x, y = CASES["dot"].inputs()
    cost = kernel_cost(CASES["dot"].source, "k", (x, y))
    assert cost.dot_flops == 2 * 19 * 37 * 23
    assert cost.min_bytes == 4 * (19 * 37 + 37 * 23 + 19 * 23)


@pytest.mark.parametrize("n, block", [(9, 16), (20, 32), (57, 64), (300, 64)])
def test_the_cost_model_runs_host_code_as_the_launcher_spells_it(n, block):
    """hl.register_block_size(n) in host code is the block the launcher picks (the row's host
    spelling), not reference mode's whole range: the cost model tiles by the launcher's block."""
    case = CASES["register_block_size"]
    x = floats(7, n)
    code = transpiler.transpile(case.source)
    (line,) = [line.strip() for line in code.splitlines() if line.strip().startswith("block_n =")]
    launcher_block = eval(line.split("=", 1)[1], {"triton": triton, "n": n})  # noqa: S307
    assert launcher_block == block
    assert analyse(case.source, "k", (x,)).block_sizes()["tile_n"] == launcher_block


@pytest.mark.parametrize(
    "params, declared",
    [
        ("x: torch.Tensor, scale: hl.constexpr", "x: torch.Tensor, scale"),
        ("x: torch.Tensor, scale: hl.constexpr = 3", "x: torch.Tensor, scale=3"),
        (
            "x: torch.Tensor, *, scale: helion.language.constexpr = 2",
            "x: torch.Tensor, *, scale=2",
        ),
    ],
)
def test_a_standalone_launcher_declares_hl_annotated_parameters_without_hl(params, declared):
    """The generated module imports only torch and triton: `scale: hl.constexpr` would be a
    NameError when Python defines the launcher (no `from __future__ import annotations`)."""
    body = CASES["constexpr"].body.replace("x: torch.Tensor, scale: hl.constexpr", params)
    code = transpiler.transpile(HEADER + "@helion.kernel()\n" + body)
    assert f"def k({declared}) -> torch.Tensor:" in code
    x = floats(19).to(DEVICE)  # from a file, as the GPU compiler reads a kernel's source
    got = load_module(code, stem="standalone").k(x, scale=3)
    assert_matches(got.cpu(), x.double().cpu() * 3, torch.float32)


_PAIR = (
    "def k(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:\n"
    "    for tile_m, tile_n in hl.tile([x.size(0), x.size(1)]):\n"
    "        {line}\n"
    "    return out\n"
)


@pytest.mark.parametrize(
    "call, subscript",
    [
        (
            "out[tile_m, tile_n] = hl.load(x, [tile_m, tile_n]) * 2.0",
            "out[tile_m, tile_n] = x[tile_m, tile_n] * 2.0",
        ),
        (
            "hl.store(out, [tile_m, tile_n], x[tile_m, tile_n] + 1.0)",
            "out[tile_m, tile_n] = x[tile_m, tile_n] + 1.0",
        ),
        (
            "hl.atomic_add(out, [tile_m, tile_n], x[tile_m, tile_n] - 1.0)",
            "out[tile_m, tile_n] = out[tile_m, tile_n] + (x[tile_m, tile_n] - 1.0)",
        ),
    ],
)
def test_the_cost_model_costs_an_hl_access_as_the_subscript_it_stands_for(call, subscript):
    args = (floats(21, 67), floats(21, 67))
    ours = kernel_cost(HEADER + "@helion.kernel()\n" + _PAIR.format(line=call), "k", args)
    plain = kernel_cost(HEADER + "@helion.kernel()\n" + _PAIR.format(line=subscript), "k", args)
    assert (ours.min_bytes, ours.tiled_bytes) == (plain.min_bytes, plain.tiled_bytes)
    update = 21 * 67 if call.startswith("hl.atomic") else 0  # an atomic's own add: not counted
    assert ours.flops == plain.flops - update > 0
