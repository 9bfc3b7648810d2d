"""hl.barrier(): kernels of several phases, each device loop its own launch, run in order."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import (
    CPU_INTERPRETER_ONLY,
    DEVICE,
    assert_matches,
    block_sizes,
    both_truths,
    dot_tolerance,
    generated,
    kernel_source,
    on_device,
    reference,
)
from magic_shell import fresh_shell, put, run_magic
from test_magics_display import LineBackgrounds
from torch import Tensor

import transpiler
import transpiler.language as hl
from transpiler.compile.frontend import errors
from transpiler.reference.mode import reference_function
from transpiler.run.runtime import load_module
from transpiler.run.tile_configs import candidates


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 4 - 2).to(dtype)


def transpiled(name: str, **options) -> transpiler.compile.pipeline.Transpiled:
    return transpiler.transpile_module(
        kernel_source("barriers.py"), filename="barriers.py", only=(name,), **options
    )


# --- numerics: both truths and float64 ----------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
@pytest.mark.parametrize(
    ("m", "k", "n", "chunks"), [(37, 203, 29, 3), (5, 64, 17, 4), (1, 9, 1, 1)]
)
def test_chunked_matmul_sums_its_partials_after_the_barrier(m, k, n, chunks, dtype):
    a, b = rand(m, k, dtype=dtype), rand(k, n, dtype=dtype)
    ours, expected = both_truths("barriers.py", "chunked_matmul", a, b, chunks)
    assert ours.dtype == dtype and ours.shape == (m, n)
    exact = a.double() @ b.double()
    loose = {"atol": 5e-2, "rtol": 2e-2} if dtype == torch.float16 else dot_tolerance(dtype)
    torch.testing.assert_close(ours.double(), expected.double(), **loose)
    torch.testing.assert_close(ours.double(), exact, **loose)


def test_chunked_matmul_is_deterministic():
    a, b = rand(23, 300), rand(300, 11)
    run = generated(kernel_source("barriers.py"), "chunked_matmul", a, b, 5)
    assert torch.equal(run(a, b, 5), run(a, b, 5))


@pytest.mark.parametrize(("batch", "channels", "length", "hidden"), [(3, 19, 45, 7), (1, 5, 1, 3)])
def test_squeeze_excite_three_phases(batch, channels, length, hidden):
    x = rand(batch, channels, length)
    w_down, w_up = rand(channels, hidden), rand(hidden, channels)
    ours, expected = both_truths("barriers.py", "squeeze_excite", x, w_down, w_up)
    xd = x.double()
    gate = torch.sigmoid(torch.relu(xd.mean(-1) @ w_down.double()) @ w_up.double())
    assert_matches(ours, expected, dots=True)
    torch.testing.assert_close(ours.double(), xd * gate[:, :, None], **dot_tolerance(ours.dtype))


@pytest.mark.parametrize("n", [1, 63, 1001])
def test_every_program_reads_what_all_programs_wrote(n):
    x = torch.rand(n, dtype=torch.float64).add(0.5).float()
    ours, expected = both_truths("barriers.py", "normalize_by_total", x)
    assert_matches(ours, expected)
    assert_matches(ours, x.double() / x.double().sum(), torch.float32)


# --- the generated module ------------------------------------------------------------------


def test_one_kernel_per_phase_launched_in_order_with_the_barrier_cited():
    result = transpiled("squeeze_excite")
    code = result.code
    names = re.findall(r"^def (squeeze_excite_kernel_\d)\(", code, flags=re.M)
    assert names == [
        "squeeze_excite_kernel_1",
        "squeeze_excite_kernel_2",
        "squeeze_excite_kernel_3",
    ]
    launcher = code[code.index("\ndef squeeze_excite(") :]
    launches = [launcher.index(f"{name}[grid](") for name in names]
    assert launches == sorted(launches)
    source = kernel_source("barriers.py").splitlines()
    barrier_lines = [i + 1 for i, text in enumerate(source) if text.strip() == "hl.barrier()"]
    generated_lines = code.splitlines()
    for line in barrier_lines[1:3]:  # squeeze_excite's two barriers
        cited = generated_lines.index(f"    # line {line}: hl.barrier()")
        assert cited + 1 < len(generated_lines)
        # the comment (and what it says) maps to the barrier's source line, for the magic's colours
        assert result.line_map[cited] == result.line_map[cited + 1] == line
        assert launches[0] < launcher.index(f"# line {line}: hl.barrier()")
    assert "starts after every program of squeeze_excite_kernel_1 has ended" in code
    assert "starts after every program of squeeze_excite_kernel_2 has ended" in code
    # the tensors shared across phases are allocated once, by the user's host code, in order
    assert launcher.index("gate = torch.empty(") < launches[1]
    assert launcher.index("out = torch.empty_like(x)") < launches[2]


@CPU_INTERPRETER_ONLY  # its blocks of 8 are below tl.dot's 16 on a GPU
def test_config_block_sizes_fill_the_phases_in_loop_order():
    source = kernel_source("barriers.py").replace(
        "@helion.kernel()\ndef chunked_matmul",
        "@helion.kernel(config=helion.Config(block_sizes=[16, 32, 8, 64, 16]))\ndef chunked_matmul",
    )
    code = transpiler.transpile_module(source, only=("chunked_matmul",)).code
    first, second = code.split("# line 21: hl.barrier()")
    # phase 1: tile_m, tile_n (the chunk is fixed), then the inner tile_k; phase 2: tile_m, tile_n
    # (tile_k's 8 rises to 16, the least K of tl.dot on a GPU, as in Helion)
    phase_1, phase_2 = block_sizes(first), block_sizes(second)
    assert (phase_1["BLOCK_M"], phase_1["BLOCK_N"], phase_1["BLOCK_K"]) == ("16", "32", "16")
    assert (phase_2["BLOCK_M"], phase_2["BLOCK_N"]) == ("64", "16")
    module = load_module(code, stem="chunked_matmul_config")
    a, b = rand(40, 100), rand(100, 33)
    torch.testing.assert_close(
        module.chunked_matmul(a, b, 3).double(), a.double() @ b.double(), atol=1e-4, rtol=1e-4
    )


@CPU_INTERPRETER_ONLY  # every candidate is launched: some exceed the H100's shared memory
def test_tunables_and_candidates_span_the_phases():
    result = transpiled("chunked_matmul")
    tunables = result.tunables["chunked_matmul"]
    assert [name for name, _ in tunables] == ["BLOCK_M", "BLOCK_N", "BLOCK_K", "BLOCK_M", "BLOCK_N"]
    assert result.phases["chunked_matmul"] == (3, 2)
    configs = candidates(tunables, result.phases["chunked_matmul"])
    assert configs and all(len(c["block_sizes"]) == 5 for c in configs)
    # phase 2 (rows over [m, n] tiles): its own candidates, or its defaults
    assert all(
        all(b is None or (b >= 1 and b & (b - 1) == 0) for b in c["block_sizes"][3:])
        for c in configs
    )
    assert len({repr(c) for c in configs}) == len(configs)
    # a config the search tries transpiles, and computes the product
    module = load_module(
        transpiled("chunked_matmul", config=configs[-1]).code, stem="chunked_matmul_tried"
    )
    a, b = rand(19, 70), rand(70, 21)
    torch.testing.assert_close(
        module.chunked_matmul(a, b).double(), a.double() @ b.double(), atol=1e-4, rtol=1e-4
    )


def test_phase_candidates_join_each_loops_own():
    from transpiler.run.tile_configs import DOT_CONFIGS, TILE_CONFIGS

    dot = (("BLOCK_M", "mn"), ("BLOCK_N", "mn"), ("BLOCK_K", "k"))
    configs = candidates((*dot, ("BLOCK_SIZE", "tile")), (3, 1))
    assert len(configs) == max(len(DOT_CONFIGS), len(TILE_CONFIGS))
    for index, config in enumerate(configs):
        block_m, block_n, block_k, warps, _ = DOT_CONFIGS[index]
        size, tile_warps = TILE_CONFIGS[min(index, len(TILE_CONFIGS) - 1)]
        assert config["block_sizes"] == [block_m, block_n, block_k, size]
        assert config["num_warps"] == max(warps, tile_warps)
    plain = tuple((f"BLOCK_{axis}", "tile") for axis in "ABCD")
    assert candidates(plain, (2, 2)) == []  # no loop has candidates: the defaults stand


def test_keep_autotune_gives_each_phase_its_own_autotune_list(tmp_path):
    from test_export import ruff_clean, run_standalone

    tried = [
        {"block_sizes": [16, 16, 16, 32, 32], "num_warps": 4},
        {"block_sizes": [32, 16, 16, 16, 64], "num_warps": 4},
    ]
    path = transpiler.export(
        kernel_source("barriers.py"),
        tmp_path / "chunked.py",
        example_args={"chunked_matmul": (rand(21, 50), rand(50, 13), 3)},
        keep_autotune=tried,
        filename="barriers.py",
    )
    text = path.read_text()
    assert text.count("@triton.autotune(") == 2
    assert '"BLOCK_M": 32, "BLOCK_N": 32' in text and '"BLOCK_M": 16, "BLOCK_N": 64' in text
    assert '"BLOCK_K": 16' in text
    done = run_standalone(path, tmp_path)
    assert done.returncode == 0 and "chunked_matmul: max error" in done.stdout, (
        done.stdout + done.stderr[-3000:]
    )
    ruff_clean(path)


def test_an_autotune_list_of_the_wrong_length_names_the_tiles():
    with pytest.raises(errors.UnsupportedConstructError, match="3 block sizes for the 5"):
        transpiled(
            "chunked_matmul", autotune_configs={"chunked_matmul": [{"block_sizes": [16] * 3}]}
        )


# --- reference mode ------------------------------------------------------------------------


def test_reference_mode_runs_barriers_as_no_ops_and_honours_fixed_blocks():
    run = reference_function(kernel_source("barriers.py"), "normalize_by_total", filename="k.py")
    x = torch.rand(130, dtype=torch.float64) + 0.5
    assert_matches(run(x), x / x.sum())
    tiles = list(transpiler.language.tile([10, 7], block_size=[4, None]))
    assert [(t.begin, t.end, t.id, t.count) for t, _ in tiles] == [
        (0, 4, 0, 3),
        (4, 8, 1, 3),
        (8, 10, 2, 3),
    ]
    assert all((u.begin, u.end, u.id) == (0, 7, 0) for _, u in tiles)


@transpiler.kernel()
def shares_of_total(x: torch.Tensor) -> torch.Tensor:
    """Each element's share of the sum of all: per-block sums, a barrier, then the division."""
    (n,) = x.size()
    parts = torch.empty([transpiler.cdiv(n, 32)], dtype=torch.float32, device=x.device)
    for tile in hl.tile(n, block_size=32):
        parts[tile.id] = x[tile].sum()
    hl.barrier()
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        out[tile] = x[tile] / parts[:].sum()
    return out


def test_torch_compile_runs_a_phased_kernel_as_one_op():
    x = torch.rand(77, device=DEVICE) + 0.5
    shares_of_total(x)  # an eager call registers the op while torch._dynamo is loaded

    def scaled(x: torch.Tensor) -> torch.Tensor:
        return shares_of_total(x * 2.0) + 1.0

    explanation = torch._dynamo.explain(scaled)(x)
    assert explanation.graph_break_count == 0 and explanation.graph_count == 1
    backend = "inductor" if DEVICE == "cuda" else "eager"
    compiled = torch.compile(scaled, backend=backend, fullgraph=True)
    expected = x.double() / x.double().sum() + 1.0
    assert_matches(compiled(x).cpu(), expected.cpu(), torch.float32)


@transpiler.kernel()
def doubled_then_added(x: Tensor, y: Tensor) -> Tensor:
    out = torch.empty_like(y)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2
    hl.barrier()
    for tile in hl.tile(y.size(0)):
        out[tile] = (out[tile] + y[tile]).to(x.dtype)  # x only for its dtype in this phase
    return out


def test_a_phase_reading_only_the_dtype_of_a_tensor_annotated_tensor():
    """`from torch import Tensor` annotations mark tensors in the kernel's own module too."""
    x, y = rand(45, dtype=torch.float16), rand(45, dtype=torch.float16)
    ours = doubled_then_added(x.to(DEVICE), y.to(DEVICE)).cpu()
    assert ours.dtype == torch.float16
    assert_matches(ours, x.double() * 2 + y.double(), torch.float16)


# --- the magic -----------------------------------------------------------------------------

PHASED_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def centred(x: torch.Tensor) -> torch.Tensor:
    n, m = x.size()
    means = torch.empty([n], dtype=torch.float32, device=x.device)
    for tile_n in hl.tile(n):
        means[tile_n] = x[tile_n, :].float().mean(-1)
    hl.barrier()
    out = torch.empty_like(x)
    for tile_n, tile_m in hl.tile([n, m]):
        out[tile_n, tile_m] = x[tile_n, tile_m] - means[tile_n, None]
    return out
"""


def test_magic_colours_the_barrier_and_checks_the_run(device):
    with fresh_shell(device) as shell:
        put(shell, x=torch.randn(9, 21))
        shown = run_magic(shell, "--run 'centred(x)'", PHASED_CELL)
        html = shown.html()
        parser = LineBackgrounds()
        parser.feed(html)
        source = dict(parser.lines["source"])
        barrier_rows = [c for s, c in parser.lines["triton"] if s == 11]
        assert source[11] and len(barrier_rows) >= 2 and set(barrier_rows) == {source[11]}
        assert "PASS" in shown.stdout and "float64 reference: max abs err" in shown.stdout
        x = shell.user_ns["x"]
        ours = shell.user_ns["centred"](x)
        assert_matches(ours.cpu(), (x.double() - x.double().mean(-1, keepdim=True)).cpu())


# --- errors --------------------------------------------------------------------------------

KERNEL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def phases(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + 1
{between}
    for tile in hl.tile(x.size(0)):
        out[tile] = out[tile] * 2
    return out
"""


@pytest.mark.parametrize(
    ("between", "line", "column"),
    [
        ("    if x.size(0) > 1:\n        hl.barrier()", 11, 9),  # inside host control flow
        ("    done = hl.barrier()", 10, 12),  # its None used as a value
    ],
    ids=["nested", "assigned"],
)
def test_a_barrier_off_the_kernel_body_is_refused(between, line, column):
    with pytest.raises(errors.BarrierPlacementError) as raised:
        transpiler.transpile(KERNEL.format(between=between))
    assert (raised.value.lineno, raised.value.col_offset + 1) == (line, column)


def test_a_barrier_inside_a_device_loop_is_refused_at_its_line():
    source = KERNEL.format(between="").replace(
        "out[tile] = x[tile] + 1", "out[tile] = x[tile] + 1\n        hl.barrier()"
    )
    with pytest.raises(errors.BarrierPlacementError, match="inside a device loop") as raised:
        transpiler.transpile(source)
    assert raised.value.lineno == 10
    assert isinstance(raised.value, errors.UnsupportedConstructError)


def test_barriers_at_either_end_say_there_is_nothing_to_wait_for():
    source = KERNEL.format(between="    hl.barrier()").replace(
        "    out = torch.empty_like(x)\n", "    hl.barrier()\n    out = torch.empty_like(x)\n"
    )
    code = transpiler.transpile(source)
    assert code.count("hl.barrier()") == 2 and "no device loop before it" in code
    module = load_module(code, stem="phases_barriers")
    x = rand(37)
    assert_matches(on_device(module.phases)(x), (x.double() + 1) * 2)
    assert_matches(reference(source, "phases")(x), (x.double() + 1) * 2)
