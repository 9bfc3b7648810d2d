"""Generated kernels compiled for GPU targets on CPU: kernel.bind(args).compile_for(target)."""

from __future__ import annotations

import inspect

import pytest
import torch
from helpers import on_device

import transpiler
import transpiler.language as hl
from transpiler.__main__ import main
from transpiler.analysis.targets import (
    TARGETS,
    MissingBackendError,
    Target,
    UnknownTargetError,
    compile_launcher,
)
from transpiler.compile.frontend.errors import TileArgumentError


@transpiler.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out


@transpiler.kernel()
def softmax(x: torch.Tensor) -> torch.Tensor:
    n, m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        values = x[tile_n, :]
        exp = torch.exp(values - torch.amax(values, dim=1, keepdim=True))
        out[tile_n, :] = exp / torch.sum(exp, dim=1, keepdim=True)
    return out


@transpiler.kernel()
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


def half(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float16)


CASES = {  # name → (kernel, arguments); odd sizes: masks stay in the code
    "add": (add, lambda: (torch.randn(37, 61), torch.randn(37, 61))),
    "softmax": (softmax, lambda: (torch.randn(101, 77),)),
    "matmul-fp16": (matmul, lambda: (half(200, 136), half(136, 152))),
}
# target → the matrix instruction Triton 3.6 emits there for an fp16 tl.dot
TENSOR_CORES = {"sm_90": "wgmma", "sm_100": "tcgen05", "gfx942": "mfma"}


@pytest.mark.parametrize("target", TENSOR_CORES)
@pytest.mark.parametrize("case", CASES)
def test_compile_for_reports_resources_and_instructions(case, target):
    kernel, arguments = CASES[case]
    (result,) = kernel.bind(arguments()).compile_for(target)
    assert result.kernel == f"{kernel.name}_kernel"
    assert result.target is TARGETS[target]
    assert result.registers > 0 and result.spills == 0 and result.fits
    assert result.mix["global_stores"] > 0
    assert result.occupancy.blocks_per_sm >= 1
    assert 0 < result.occupancy.fraction <= 1
    assert result.compile_seconds > 0
    assert ("ptx" if target.startswith("sm") else "amdgcn") in result.asm
    assert "ttgir" in result.asm and result.binary
    tensor_core = TENSOR_CORES[target]
    if case == "matmul-fp16":
        assert result.mix.get(tensor_core, 0) > 0, result.mix
        assert result.shared_bytes > 0  # operands staged through shared memory
    else:
        assert result.tensor_core_ops == 0, result.mix
        assert result.mix.get("global_loads", 0) > 0 or target.startswith("sm")


def test_signature_and_constexprs_follow_the_launch():
    (result,) = add.bind((torch.randn(40, 48), torch.randn(40, 48))).compile_for("sm_90")
    assert result.signature["x_ptr"] == "*fp32"
    assert result.signature["x_stride_0"] == "i32"
    assert result.constexprs["x_stride_1"] == "1"  # a unit stride specialised, as on a GPU
    assert result.constexprs["BLOCK_SIZE_0"] == "32"
    (halves,) = add.bind((half(40, 48), half(40, 48))).compile_for("sm_90")
    assert halves.signature["x_ptr"] == "*fp16"


def test_meta_tensors_give_shapes_only():
    meta = torch.empty(300, 200, device="meta")
    (result,) = softmax.bind((meta,)).compile_for("sm_80")
    assert result.registers > 0 and result.grid[0] > 1


def test_sass_of_an_nvidia_target():
    (result,) = add.bind((torch.randn(33), torch.randn(33))).compile_for("sm_90")
    assert "STG" in result.sass()  # a global store in Hopper's machine code


def test_unknown_target_lists_the_known_ones():
    with pytest.raises(UnknownTargetError) as caught:
        add.bind((torch.randn(8), torch.randn(8))).compile_for("sm90")
    text = str(caught.value)
    assert "did you mean 'sm_90'" in text and "gfx942" in text and "Traceback" not in text


def test_a_config_over_the_shared_memory_limit_is_reported_not_raised():
    arguments = (half(512, 256), half(256, 384))
    config = {"block_sizes": [128, 128, 128], "num_stages": 3}
    (amd,) = matmul.bind(arguments).compile_for("gfx942", config=config)
    assert not amd.fits
    assert amd.shared_bytes > TARGETS["gfx942"].shared_per_block
    assert "shared memory" in amd.exceeded[0]
    (hopper,) = matmul.bind(arguments).compile_for("sm_90", config=config)  # 227 KiB: fits
    assert hopper.fits and hopper.shared_bytes > amd.target.shared_per_block


def test_too_many_threads_are_reported():
    """32 warps is the config check's most (1,024 threads on NVIDIA); on AMD's 64-wide
    wavefronts it is 2,048 threads, which the gfx942 report names."""
    config = {"block_sizes": [64, 64, 32], "num_warps": 32}
    (result,) = matmul.bind((half(64, 64), half(64, 64))).compile_for("gfx942", config=config)
    assert any("threads per block" in problem for problem in result.exceeded)


def test_a_missing_backend_says_which():
    xpu = Target("xe", "no such GPU", "xpu", "pvc", 16, 1, 65536, 255, 8, 1, 1, 0, 1, 1, 1,
                 False, "dpas")  # fmt: skip
    bound = add.bind((torch.randn(8), torch.randn(8)))
    with pytest.raises(MissingBackendError, match="'xpu'"):
        compile_launcher(bound.launcher, *bound.example, xpu)


def test_cli_prints_a_table_per_kernel_and_target(tmp_path, capsys):
    source = tmp_path / "kernels.py"
    source.write_text(
        "import torch\nimport helion\nimport helion.language as hl\n\n\n"
        "@helion.kernel()\ndef scale(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * 2.0\n    return out\n"
    )
    argv = [str(source), "--targets", "sm_90,gfx942", "--example", "torch.randn(1000)"]
    assert main(argv) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["kernel", "target", "warps"]
    rows = [line.split() for line in table[2:]]
    assert [row[:2] for row in rows] == [["scale_kernel", "sm_90"], ["scale_kernel", "gfx942"]]
    assert main([*argv[:2], "sm_90,h100", *argv[3:]]) == 1
    assert "unknown GPU target 'h100'" in capsys.readouterr().err


def test_cli_examples_compile_as_their_shapes(tmp_path, monkeypatch):
    """The example's tensors reach the recorder as meta tensors, as compile_for's do: a CPU
    example on a GPU machine was refused by the launcher ("x is on the CPU")."""
    from transpiler.analysis.targets import report

    source = tmp_path / "kernels.py"
    source.write_text(
        "import torch\nimport helion\nimport helion.language as hl\n\n\n"
        "@helion.kernel()\ndef scale(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * 2.0\n    return out\n"
    )
    seen: list[tuple] = []
    monkeypatch.setattr(report, "compile_launcher", lambda f, args, kw, t: seen.append(args) or [])
    assert main([str(source), "--targets", "sm_90", "--example", "torch.randn(74)[::2]"]) == 0
    ((x,),) = seen
    assert x.is_meta and x.shape == (37,) and x.stride() == (2,)


@transpiler.kernel()
def matmul_k8(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k, block_size=8):  # the interpreter takes K = 8, a GPU does not
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


def _line_of(kernel: transpiler.Kernel, text: str) -> int:
    lines, first = inspect.getsourcelines(kernel.fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


def test_a_k_block_the_gpu_compiler_would_reject_is_refused_at_the_product():
    """A literal K block under 16, which Triton's GPU compiler rejects (the interpreter runs
    it), is now refused while transpiling, at the product's line (tests/test_dot_k_blocks.py)."""
    arguments = (torch.randn(33, 40), torch.randn(40, 17))
    with pytest.raises(TileArgumentError) as caught:
        matmul_k8.bind(arguments).compile_for("sm_90")
    assert caught.value.lineno == _line_of(matmul_k8, "acc = torch.addmm")
    assert "16" in str(caught.value)


@transpiler.kernel()
def atomic_counts(x: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(indices.size(0)):
        hl.atomic_add(x, [indices[tile]], 2.0)
    return x


@transpiler.kernel()
def gather_rows(x: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    out = torch.empty([rows.size(0), x.size(1)], dtype=x.dtype, device=x.device)
    for tile_r, tile_c in hl.tile(out.size()):
        out[tile_r, tile_c] = x[rows[tile_r], tile_c] * 2
    return out


@transpiler.kernel()
def scatter_columns(x: torch.Tensor, columns: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([x.size(0), 64], dtype=x.dtype, device=x.device)
    for tile_r, tile_c in hl.tile(x.size()):
        out[tile_r, columns[tile_c]] = x[tile_r, tile_c]
    return out


INDEXED = {  # kernels whose launchers check index values: compile_for knows shapes, not values
    "atomic": (atomic_counts, lambda: (torch.zeros(5), torch.tensor([0, 1, 2, 2, 3, 3, 3, 4]))),
    "gather": (gather_rows, lambda: (torch.randn(29, 13), torch.randint(-29, 29, (41,)))),
    "scatter-sliced": (
        scatter_columns,
        lambda: (torch.randn(7, 40)[:, 3:34], torch.randperm(64)[:31].to(torch.int32)),
    ),
}


@pytest.mark.parametrize("case", INDEXED)
def test_compile_for_a_kernel_whose_launcher_checks_index_values(case):
    # compile_for once ran the launcher on uninitialised memory: its index check then raised
    # IndexError on valid indices (Helion's test_atomic_ops, run as a corpus)
    kernel, arguments = INDEXED[case]
    args = arguments()
    expected = kernel.run_reference(*[a.clone() for a in args])
    for _ in range(3):  # every recording, whatever memory it is given
        (result,) = kernel.bind(args).compile_for("sm_90")
        assert result.registers > 0 and result.mix.get("global_loads", 0) > 0
    torch.testing.assert_close(
        on_device(kernel)(*args), expected
    )  # the kernel itself still runs right
