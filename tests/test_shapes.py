"""The shape analysis before lowering (lower/shapes.py): the facts it finds, one lowering run per
loop, and the kernels it plans computing what torch computes."""

from __future__ import annotations

import textwrap

import pytest
import torch
from helpers import generated, product_tolerance, reference

from transpiler.compile.lower import loop as loop_module
from transpiler.compile.lower.kernel import KernelBuilder

HEADER = "import helion\nimport helion.language as hl\nimport torch\n\n\n"


def kernel(signature: str, body: str, decorator: str = "@helion.kernel()") -> str:
    return (
        HEADER
        + f"{decorator}\ndef k({signature}):\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
        + "\n"
    )


ROWS = "x: torch.Tensor, w: torch.Tensor, b: torch.Tensor"
BATCHED = "x: torch.Tensor, w: torch.Tensor"

# (source, argument shapes) → (pairs of unified size keys, how many view Nones stand for
# squeezed tiles, whether block-size-1 tiles stay squeezed)
CASES = [
    pytest.param(
        kernel(
            ROWS,
            """
            m, n = x.size()
            out = torch.empty_like(x)
            for tile in hl.tile(m):
                out[tile, :] = x[tile, :] * w[None, :] + b[None, :]
            return out
            """,
        ),
        [(5, 37), (37,), (37,)],
        {("b.size(0)", "x.size(1)"), ("w.size(0)", "x.size(1)")},
        0,
        True,
        id="row-times-vectors",
    ),
    pytest.param(  # the same meeting through a module function, a carried value and a store
        HEADER
        + "def scaled(v, s):\n    return v * s[None, :]\n\n\n"
        + kernel(
            ROWS,
            """
            m, n = x.size()
            out = torch.empty_like(x)
            for tile in hl.tile(m):
                acc = hl.zeros([tile, n], dtype=torch.float32)
                for _ in range(2):
                    acc = acc + scaled(x[tile, :], w)
                out[tile, :] = acc - b[None, :]
            return out
            """,
        ).removeprefix(HEADER),
        [(6, 33), (33,), (33,)],
        {("b.size(0)", "x.size(1)"), ("w.size(0)", "x.size(1)")},
        0,
        True,
        id="helper-carried-store",
    ),
    pytest.param(  # the vectors' new dimension by unsqueeze, at 0 and at -2
        kernel(
            ROWS,
            """
            m, n = x.size()
            out = torch.empty_like(x)
            for tile in hl.tile(m):
                out[tile, :] = x[tile, :] * w[:].unsqueeze(0) - b[:].unsqueeze(-2)
            return out
            """,
        ),
        [(4, 21), (21,), (21,)],
        {("b.size(0)", "x.size(1)"), ("w.size(0)", "x.size(1)")},
        0,
        True,
        id="unsqueezed-vectors",
    ),
    pytest.param(  # an optional bias given: only the branch lowering takes is walked
        kernel(
            "x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None",
            """
            m, n = x.size()
            out = torch.empty_like(x)
            for tile in hl.tile(m):
                if b is not None:
                    row = x[tile, :] * w[:] + b[:]
                else:
                    row = x[tile, :] * w[None, :]
                out[tile, :] = row
            return out
            """,
        ),
        [(7, 18), (18,), (18,)],
        {("b.size(0)", "x.size(1)"), ("w.size(0)", "x.size(1)")},
        0,
        True,
        id="optional-bias-given",
    ),
    pytest.param(  # K whole in a product: x.size(1) meets w.size(0)
        kernel(
            BATCHED,
            """
            m, k = x.size()
            out = torch.empty([m, w.size(1)], dtype=torch.float32, device=x.device)
            for tile_m, tile_n in hl.tile([m, w.size(1)]):
                out[tile_m, tile_n] = torch.matmul(x[tile_m, :], w[:, tile_n])
            return out
            """,
        ),
        [(20, 16), (16, 24)],
        {("w.size(0)", "x.size(1)")},
        0,
        True,
        id="whole-k-product",
    ),
    pytest.param(  # hl.split's two lanes meet a whole dimension
        kernel(
            "x: torch.Tensor",
            """
            m, two = x.size()
            out = torch.empty([m], dtype=torch.float32, device=x.device)
            for tile in hl.tile(m):
                lo, hi = hl.split(x[tile, :])
                out[tile] = lo - hi * 2
            return out
            """,
        ),
        [(11, 2)],
        {("2", "x.size(1)")},
        0,
        True,
        id="split-lanes",
    ),
    pytest.param(  # a view's None against a batch tile of block size 1
        kernel(
            BATCHED,
            """
            batch, m, d = x.size()
            out = torch.empty_like(x)
            for tile_b, tile_m in hl.tile([batch, m], block_size=[1, None]):
                out[tile_b, tile_m, :] = x[tile_b, tile_m, :] * torch.sigmoid(w[tile_m, :][None, :, :])
            return out
            """,
        ),
        [(3, 9, 17), (9, 17)],
        {("w.size(1)", "x.size(2)")},
        1,
        True,
        id="view-none-for-unit-tile",
    ),
    pytest.param(  # a reduction over the unit tile: it gets its dimension back
        kernel(
            BATCHED,
            """
            batch, m, d = x.size()
            out = torch.empty_like(x)
            for tile_b, tile_m in hl.tile([batch, m], block_size=[1, None]):
                out[tile_b, tile_m, :] = (x[tile_b, tile_m, :] + w[tile_m, :]).sum(0, keepdim=True)
            return out
            """,
        ),
        [(2, 7, 19), (7, 19)],
        {("w.size(1)", "x.size(2)")},
        0,
        False,
        id="reduced-unit-tile",
    ),
]


def facts_and_runs(source: str, shapes: list[tuple[int, ...]]):
    """The analysis' facts for kernel k and its lowering runs."""
    found, runs = [], [0]
    analyse, build = loop_module.shape_facts, KernelBuilder.build

    def recorded(*args):
        facts = analyse(*args)
        found.append(facts)
        return facts

    def counted(self, loop):
        runs[0] += 1
        return build(self, loop)

    args = tuple(torch.randn(*shape, dtype=torch.float32) + 2.0 for shape in shapes)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loop_module, "shape_facts", recorded)
        patch.setattr(KernelBuilder, "build", counted)
        launcher = generated(source, "k", *args)
    return found, runs[0], launcher, args


@pytest.mark.parametrize(("source", "shapes", "pairs", "nones", "squeeze"), CASES)
def test_the_analysis_finds_what_lowering_shows_in_one_run(source, shapes, pairs, nones, squeeze):
    found, runs, _, _ = facts_and_runs(source, shapes)
    assert len(found) == 1 and runs == 1
    facts = found[0]
    assert facts.unified == pairs
    assert len(facts.none_tiles) == nones
    assert facts.squeeze_units is squeeze


@pytest.mark.parametrize(("source", "shapes", "pairs", "nones", "squeeze"), CASES)
def test_planned_kernels_compute_what_torch_computes(source, shapes, pairs, nones, squeeze):
    _, _, launcher, args = facts_and_runs(source, shapes)
    expected = reference(source, "k")(*(a.double() for a in args))
    result = launcher(*args)
    bound = {"atol": 1e-4, "rtol": 1e-4}
    if "torch.matmul(" in source:  # a product: TF32 on a GPU
        bound = product_tolerance(torch.float32, **bound)
    torch.testing.assert_close(result.double(), expected.double(), **bound)
