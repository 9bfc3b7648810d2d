"""transpiler.export: a standalone module that runs, and checks itself, without the project."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import transpiler
import transpiler.language as hl
from transpiler.__main__ import main

GOLDEN = Path(__file__).parent / "golden"
# Runs the exported file as __main__ with the project (and helion) made unimportable.
RUNNER = (
    "import runpy, sys; sys.modules['transpiler'] = sys.modules['helion'] = None; "
    "runpy.run_path(sys.argv[1], run_name='__main__')"
)


@transpiler.kernel()
def softmax(x: torch.Tensor) -> torch.Tensor:
    n, _m = x.size()
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        values = x[tile_n, :]
        exp = torch.exp(values - torch.amax(values, dim=1, keepdim=True))
        out[tile_n, :] = exp / torch.sum(exp, dim=1, keepdim=True)
    return out


def run_standalone(path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TRITON_INTERPRET": "1"}
    if torch.cuda.is_available():
        env.pop("TRITON_INTERPRET")
    return subprocess.run(
        [sys.executable, "-c", RUNNER, str(path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def ruff_clean(path: Path) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("no ruff at hand")
    config = ["--config", str(Path(__file__).parent.parent / "pyproject.toml")]
    # formatted as ruff's defaults format it: what a user's project most likely has
    for command in (["check", *config], ["format", "--check", "--isolated"]):
        done = subprocess.run([ruff, *command, str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_source_export_runs_without_the_project_and_passes(tmp_path):
    args = (torch.randn(12, 40), torch.randn(40), torch.randn(40), 1e-5)
    path = transpiler.export(
        (GOLDEN / "layer_norm.py").read_text(),
        tmp_path / "ln.py",
        example_args=args,
        filename="tests/golden/layer_norm.py",
    )
    text = path.read_text()
    assert "\nimport transpiler" not in text and "\nimport helion" not in text
    assert "Kernels: layer_norm" in text and "(12, 40)" in text
    ruff_clean(path)
    done = run_standalone(path, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "layer_norm: max error" in done.stdout and "PASS" in done.stdout


def test_kernel_export_records_its_call_and_a_wrong_reference_fails(tmp_path):
    softmax(torch.randn(9, 33, device="cuda" if torch.cuda.is_available() else "cpu"))
    path = transpiler.export(softmax, tmp_path / "softmax.py")
    assert "(9, 33)" in path.read_text()
    ruff_clean(path)
    assert "PASS" in run_standalone(path, tmp_path).stdout
    broken = path.read_text().replace("exp / torch.sum(exp, dim=1, keepdim=True)", "exp")
    path.write_text(broken)
    done = run_standalone(path, tmp_path)
    assert done.returncode == 1 and "FAIL" in done.stdout


def test_export_records_the_config(tmp_path):
    path = transpiler.export(
        softmax, tmp_path / "s.py", example_args=(torch.randn(4, 8),), config={"block_sizes": [2]}
    )
    text = path.read_text()
    assert "Config: {'block_sizes': [2]}" in text and "BLOCK_N = 2" in text.replace(
        "BLOCK_SIZE", "BLOCK"
    )


def test_keep_autotune_exports_the_candidates_and_runs(tmp_path):
    from transpiler.run.tile_configs import candidates

    path = transpiler.export(
        softmax, tmp_path / "s.py", example_args=(torch.randn(11, 29),), keep_autotune=True
    )
    text = path.read_text()
    assert text.count("@triton.autotune(") == 1 and text.count("triton.Config(") == len(
        candidates((("BLOCK_N", "rows"),))
    )
    assert 'key=["n", "_m"]' in text and "restore_value" not in text  # out is only written
    launcher = text[text.index("\ndef softmax(") : text.index("# --- reference")]
    assert 'meta["BLOCK_N"]' in launcher and "BLOCK_N = " not in launcher
    assert "BLOCK_N=" not in launcher and "num_warps" not in launcher
    done = run_standalone(path, tmp_path)  # without a GPU: the first config only
    assert done.returncode == 0 and "PASS" in done.stdout, done.stdout + done.stderr[-2000:]
    ruff_clean(path)  # last: skips where ruff is missing (the GPU machine)


def test_keep_autotune_with_a_given_list(tmp_path):
    one = [{"block_sizes": [4], "num_warps": 2, "num_stages": 1}]
    path = transpiler.export(
        softmax, tmp_path / "s.py", example_args=(torch.randn(9, 20),), keep_autotune=one
    )
    text = path.read_text()
    assert 'triton.Config({"BLOCK_N": 4}, num_warps=2, num_stages=1)' in text
    done = run_standalone(path, tmp_path)
    assert done.returncode == 0 and "PASS" in done.stdout, done.stdout + done.stderr[-2000:]
    with pytest.raises(ValueError, match="no kernel has autotune candidates"):
        transpiler.export(softmax, tmp_path / "t.py", keep_autotune=[{"block_sizes": [4, 4]}])
    with pytest.raises(ValueError, match="not both"):
        transpiler.export(softmax, tmp_path / "t.py", keep_autotune=True, config={})
    ruff_clean(path)


def test_keep_autotune_restores_what_tuning_accumulates_into():
    source = (Path(__file__).parent / "kernels" / "matrix.py").read_text()
    configs = [{"block_sizes": [32, 32, 16], "l2_groupings": [4], "num_warps": 4}]
    code = transpiler.transpile_module(
        source,
        only=("matmul", "matmul_split_k"),
        autotune_configs={"matmul": configs, "matmul_split_k": configs},
    ).code
    before = code[: code.index("def matmul_split_k_kernel")]
    matmul = before[: before.rindex("@triton.autotune")]
    assert '{"BLOCK_M": 32, "BLOCK_N": 32, "BLOCK_K": 16, "GROUP_M": 4}' in matmul
    assert "restore_value" not in matmul  # out is only stored
    assert 'restore_value=["out_ptr"]' in code[len(matmul) :]  # atomic_add into out
    assert "GROUP_M" not in code[len(matmul) :].split("@triton.jit")[0]  # 3 tiles: no groups
    with pytest.raises(transpiler.TranspileError, match="autotune config with 2 block sizes"):
        transpiler.transpile_module(
            source, only=("matmul",), autotune_configs={"matmul": [{"block_sizes": [32, 32]}]}
        )


def test_export_of_attention_with_a_unit_batch_tile_and_autotuner_imports(tmp_path):
    """matrix.py imports helion.autotuner's fragments: the reference section has stand-ins.
    The batch tile of block size 1 is squeezed: 2-D blocks only, and it runs standalone."""
    source = (Path(__file__).parent / "kernels" / "matrix.py").read_text()
    header, *kernels = source.split("@helion.kernel()")
    attention = next(k for k in kernels if "def attention_batched(" in k)
    q = torch.randn(2, 19, 16)
    path = transpiler.export(
        header + "@helion.kernel()" + attention,
        tmp_path / "attention.py",
        example_args=(q, q, q),
        filename="matrix.py",
    )
    text = path.read_text()
    assert "PowerOfTwoFragment = helion.autotuner.PowerOfTwoFragment" in text
    assert "tl.reshape" not in text
    done = run_standalone(path, tmp_path)
    assert done.returncode == 0 and "PASS" in done.stdout, done.stdout + done.stderr[-2000:]
    tuned = transpiler.export(
        header + "@helion.kernel()" + attention,
        tmp_path / "tuned.py",
        example_args=(q, q, q),
        keep_autotune=True,
    ).read_text()
    configs = re.findall(r"triton\.Config\([^)]*\)[^)]*\)", tuned)
    assert 1 < len(configs) == len(set(configs))  # no K tile: candidates differing in K are one
    ruff_clean(path)


def test_cli_export(tmp_path, capsys):
    out = tmp_path / "cli.py"
    status = main(
        [str(GOLDEN / "softmax.py"), "--export", "--example", "torch.randn(5, 17)", "-o", str(out)]
    )
    assert status == 0
    ruff_clean(out)
    done = run_standalone(out, tmp_path)
    assert done.returncode == 0 and "PASS" in done.stdout, done.stdout + done.stderr[-2000:]
    tuned = tmp_path / "tuned.py"
    example = ["--example", "torch.randn(5, 17)", "-o", str(tuned)]
    assert main([str(GOLDEN / "softmax.py"), "--export", "--keep-autotune", *example]) == 0
    assert "@triton.autotune(" in tuned.read_text()
    minimal = tmp_path / "minimal.py"
    assert main([str(GOLDEN / "softmax.py"), "--export", "--minimal", "-o", str(minimal)]) == 0
    text = minimal.read_text()
    assert "def softmax(" in text and "reference_softmax" not in text and "__main__" not in text
    ruff_clean(minimal)


DROPOUT = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def dropout(p: float, x: torch.Tensor, seed: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        keep = hl.rand([tile_m, tile_n], seed=seed) > p
        out[tile_m, tile_n] = torch.where(keep, x[tile_m, tile_n] / (1 - p), 0.0)
    return out
"""


def test_export_of_a_kernel_drawing_random_numbers_checks_them_exactly(tmp_path):
    """The exported reference carries our Philox: the same numbers as tl.rand, error 0."""
    args = (0.25, torch.rand(19, 33) + 0.5, 11)
    path = transpiler.export(DROPOUT, tmp_path / "dropout.py", example_args=args)
    assert "def philox_rand(" in path.read_text()
    ruff_clean(path)
    done = run_standalone(path, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "dropout: max error 0.000e+00  PASS" in done.stdout
