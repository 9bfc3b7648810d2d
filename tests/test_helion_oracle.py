"""Three truths: real Helion's interpret mode, our reference mode and our generated Triton.

Skipped where Helion is not installed (`pip install -e '.[helion]'`). The test suite's kernels
run on the cases tests/helion_oracle_cases.json recorded from the tests themselves; the
fuzzer's kernels on its own inputs. Each known disagreement is a named strict xfail below.
"""

from __future__ import annotations

import ast
import zlib

import pytest
import torch
from fuzz.differential import _on_device, check
from fuzz.strategies import cases, kernels
from helion_oracle import KNOWN, available, helion_kernel, known, load_cases, make
from helpers import assert_matches, dot_tolerance, generated, kernel_source, reference
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from transpiler.reference.mode import reference_function

pytestmark = [
    pytest.mark.skipif(not available(), reason="needs real Helion (the [helion] extra)"),
]

# Helion's interpret mode cannot run these on CPU (its ref mode has no CPU matmul path):
# their kernels are checked by our two truths alone.
NO_CPU_DOT = ("hl.dot(", "torch.addmm(", "torch.matmul(", "torch.bmm(", "torch.baddbmm(", " @ ")


# Kernels whose result depends on the block sizes by design (tile.begin / tile.end, per-tile
# views): reference mode runs each loop as one tile, so the suite checks them against a
# per-tile float64 evaluation instead (tests/test_numerics.py).
TILE_DEPENDENT = {("elementwise.py", "tile_info"), ("elementwise.py", "views")}


# What Helion's interpret mode cannot run on CPU, by the call that shows it in a kernel's text:
# such kernels are checked by our two truths alone.
NOT_ON_CPU = {
    "get_num_sm(": "helion.runtime.get_num_sm asserts a CUDA device ('TODO: implement for "
    "other devices')",
    "hl.rand(": "random streams differ by design (ours are Philox, as tl.rand), and Helion "
    "1.5.0's interpret-mode hl.rand fails on its seed ('int() argument must be ... not tuple')",
}


def kernel_text(source: str, name: str) -> str:
    """The source of function `name` alone (a file holds several kernels)."""
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_source_segment(source, node) or source


def _outputs(value: object) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _fresh(args: tuple) -> tuple:
    return tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)


def helion_agrees(source: str, name: str, args: tuple, expected: object) -> str | None:
    """Runs real Helion; returns the name of a KNOWN disagreement it hit, or None if it
    matched `expected` (an unknown error or a different result fails the test)."""
    try:
        result = helion_kernel(source, name)(*_fresh(args))
    except Exception as error:  # noqa: BLE001 - sorted into known disagreements or raised
        name_of = known(error, source, args)
        if name_of is None:
            raise
        return name_of
    for ours, theirs in zip(_outputs(expected), _outputs(result), strict=True):
        if isinstance(ours, torch.Tensor):
            assert theirs.shape == ours.shape and theirs.dtype == ours.dtype
            assert_matches(
                theirs.cpu(), ours.cpu()
            )  # Helion ran on DEVICE, reference mode maybe not
        else:
            assert theirs == ours
    return None


def _case_id(case: dict) -> str:
    return f"{case['file'][:-3]}-{case['kernel']}"


def _size(case: dict) -> int:
    return sum(len(str(spec)) + 8 * sum(spec.get("shape", [])) for spec in case["args"])


def one_per_kernel(cases: list[dict]) -> list[dict]:
    """The smallest recorded case of each kernel: the suite's own tests cover the rest."""
    chosen: dict[tuple[str, str], dict] = {}
    for case in sorted(cases, key=_size):
        chosen.setdefault((case["file"], case["kernel"]), case)
    return sorted(chosen.values(), key=_case_id)


CASES = one_per_kernel(load_cases())


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_the_test_kernels_agree_with_real_helion(case):
    if (case["file"], case["kernel"]) in TILE_DEPENDENT:
        pytest.skip("its result depends on the block sizes by design (see TILE_DEPENDENT)")
    source = kernel_source(case["file"])
    own = kernel_text(source, case["kernel"])
    generator = torch.Generator().manual_seed(zlib.crc32(_case_id(case).encode()))
    args = tuple(make(spec, generator) for spec in case["args"])
    expected = reference(source, case["kernel"])(*_fresh(args))
    ours = generated(source, case["kernel"], *args)(*_fresh(args))
    dots = any(call in own for call in NO_CPU_DOT)
    for mine, truth in zip(_outputs(ours), _outputs(expected), strict=True):
        if isinstance(truth, torch.Tensor) and dots:  # recorded ranges: sums of larger values
            bound = max(1e-3, dot_tolerance(torch.float32)["atol"])  # a GPU's dot: TF32
            torch.testing.assert_close(mine.double(), truth.double(), atol=bound, rtol=bound)
        elif isinstance(truth, torch.Tensor):
            assert_matches(mine, truth)
    if dots:
        pytest.skip("Helion's interpret mode has no CPU matmul (hl.dot, torch.addmm, @)")
    for call, reason in NOT_ON_CPU.items():
        if call in own:
            pytest.skip(f"not on CPU in Helion: {reason}")
    hit = helion_agrees(source, case["kernel"], args, expected)
    if hit is not None:
        pytest.xfail(f"{hit} ({KNOWN[hit].whose}'s): {KNOWN[hit].reason}")


def test_fuzzer_kernels_agree_with_real_helion():
    """A fixed sample of the fuzzer's kernels: our Triton against reference mode and float64
    (fuzz.differential.check), and real Helion against reference mode."""
    hits: dict[str, int] = {}

    @seed(14)
    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def one_kernel(data: st.DataObject) -> None:
        kernel = data.draw(kernels())
        case = data.draw(cases(kernel))
        check(kernel, [case])
        try:
            expected = reference_function(kernel.source, "fuzzed")(*_fresh(case.args))
        except Exception:  # noqa: BLE001 - not a valid input for this kernel (as check skips)
            return
        hit = helion_agrees(kernel.source, "fuzzed", tuple(map(_on_device, case.args)), expected)
        if hit is not None:
            hits[hit] = hits.get(hit, 0) + 1

    one_kernel()
    assert set(hits) <= set(KNOWN), hits


# -- each known disagreement, shrunk ------------------------------------------------------

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n\n"

EMPTY = HEADER + (
    "@helion.kernel()\n"
    "def k(x: torch.Tensor) -> torch.Tensor:\n"
    "    out = torch.empty_like(x)\n"
    "    for tile_m, tile_n in hl.tile(x.size()):\n"
    "        out[tile_m, tile_n] = x[tile_m, tile_n] * 2.0\n"
    "    return out\n"
)

ARANGE = HEADER + (
    "@helion.kernel()\n"
    "def k(x: torch.Tensor) -> torch.Tensor:\n"
    "    out = torch.empty_like(x)\n"
    "    for tile_m, tile_n in hl.tile(x.size(), block_size=[4, 8]):\n"
    "        lanes = (hl.arange(tile_n.block_size) + tile_n.begin).unsqueeze(0)\n"
    "        out[tile_m, tile_n] = x[tile_m, tile_n] + lanes.to(torch.float32)\n"
    "    return out\n"
)

SHRUNK = {  # name → (kernel, its input, the error Helion raises)
    "helion-interpret-partial-tile-arange": (ARANGE, lambda: torch.randn(6, 13), RuntimeError),
    "helion-interpret-empty-extent": (EMPTY, lambda: torch.randn(0, 7), ValueError),
}


def test_every_known_disagreement_has_a_shrunk_kernel():
    assert set(SHRUNK) == set(KNOWN)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                strict=True,
                raises=SHRUNK[name][2],
                reason=f"{name} ({KNOWN[name].whose}'s): {KNOWN[name].reason}",
            ),
        )
        for name in SHRUNK
    ],
)
def test_known_disagreement(name):
    """Ours (generated and reference) is right here; real Helion's interpret mode fails."""
    source, make_input, _ = SHRUNK[name]
    x = make_input()
    expected = reference(source, "k")(x.clone())
    assert_matches(generated(source, "k", x)(x.clone()), expected)
    try:
        result = helion_kernel(source, "k")(x.clone())
    except Exception as error:
        assert known(error, source, (x,)) == name  # the failure is the one named
        raise
    assert_matches(result, expected)
