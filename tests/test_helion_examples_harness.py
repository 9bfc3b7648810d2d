"""benchmarks/helion_examples.py on a tiny examples directory of our own (no Helion code)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import helion_examples  # noqa: E402
import helion_examples_compare  # noqa: E402
import torch  # noqa: E402

import transpiler  # noqa: E402
import transpiler.language as hl  # noqa: E402
from transpiler.reference import hl_eager  # noqa: E402

HEADER = """\
import torch

import helion
from helion._testing import DEVICE, run_example
import helion.language as hl

"""
KERNEL = """\
@helion.kernel(ignore_warnings=[helion.exc.TensorOperationInWrapper])
def combine(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = {expression}
    return out


def main() -> None:
    x = torch.randn([37, 5], device="cuda") + 2
    y = torch.rand([37, 5], device=DEVICE) + 0.5
    run_example(combine, torch.add, (x, y), rtol=1e-5, atol=1e-5)


if __name__ == "__main__":
    main()
"""
EXAMPLES = {
    # an example that matches its baseline
    "adds": HEADER + KERNEL.format(expression="x[tile] + y[tile]"),
    # one whose kernel disagrees with the baseline it names
    "subtracts": HEADER + KERNEL.format(expression="x[tile] - y[tile]"),
    # one using a construct the transpiler refuses
    "refused": HEADER + KERNEL.format(expression="torch.special.zeta(x[tile], y[tile])"),
}


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("examples")
    for name, text in EXAMPLES.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(text))
    (folder / "_private.py").write_text("raise SystemExit(3)\n")  # skipped: not an example
    return folder


def run(examples: Path, tmp_path: Path, *flags: str) -> dict[str, dict]:
    out = tmp_path / "results.json"
    argv = ["--examples", str(examples), "--json", str(out), "--jobs", "2", *flags]
    assert helion_examples.main(argv) == 0
    data = json.loads(out.read_text())
    return {r["example"]: r for r in data["results"]}


def test_transpile_only_classifies_each_example(examples, tmp_path, capsys):
    results = run(examples, tmp_path, "--transpile-only")
    assert set(results) == {"adds", "subtracts", "refused"}
    assert results["adds"]["outcome"] == "transpiled"
    assert results["adds"]["kernels"] == ["combine"]
    assert results["subtracts"]["outcome"] == "transpiled"  # nothing compared without a launch
    assert results["refused"]["outcome"] == "transpile error"
    assert results["refused"]["error"].startswith("UnsupportedOpError:")
    table = capsys.readouterr().out
    assert "refused" in table and "UnsupportedOpError" in table and "2 transpiled" in table


def test_full_run_compares_with_the_examples_baseline(examples, tmp_path):
    results = run(examples, tmp_path, "adds", "subtracts")
    assert set(results) == {"adds", "subtracts"}
    assert results["adds"]["outcome"] == "ok", results["adds"]
    assert results["subtracts"]["outcome"] == "wrong result"
    assert results["subtracts"]["error"].startswith("helion: Mismatched elements: 185 / 185")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("import torch.distributed as dist\n", "distributed"),
        ("from jax import numpy\n", "TPU / Pallas"),
        ("x = 1  # runs on a tpu or an H100\n", None),
        ('"""Epilogue subtiling pays off on Blackwell (sm_100+)."""\nimport torch\n', None),
        ("import torch  # tcgen05 would help here\n", None),
        ('arch = "sm_100"\n', "Blackwell-only"),
    ],
)
def test_not_applicable_markers(text, why):
    assert helion_examples.not_applicable(text, "example") == why


ARGUING = HEADER + textwrap.dedent(
    """\
    import argparse

    from helion.utils import get_gpu_memory_info


    @helion.kernel()
    def doubled(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile] * 2
        return out


    if __name__ == "__main__":
        parser = argparse.ArgumentParser()
        parser.add_argument("--size", type=int, default=33)
        size = parser.parse_args().size  # the harness's own flags must not reach it
        total_gib, free_gib = get_gpu_memory_info()
        x = torch.randn(size, device=DEVICE)
        run_example(doubled, lambda x: x * 2, (x,))
    """
)


def test_an_example_parses_its_own_command_line(tmp_path):
    folder = tmp_path / "arguing"
    folder.mkdir()
    (folder / "arguing.py").write_text(ARGUING)
    results = run(folder, tmp_path, "--transpile-only")
    assert results["arguing"]["outcome"] == "transpiled", results["arguing"]


PLAIN = {  # examples that need no Helion: how --real-helion classifies what happens
    "fine": "print('no kernel here')\n",
    "mismatch": "assert 1 + 1 == 3, 'off by one'\n",
    "broken": "raise ValueError('bad input')\n",
}


def test_real_helion_mode_classifies_outcomes_and_compares(tmp_path, capsys):
    folder = tmp_path / "plain"
    folder.mkdir()
    for name, text in PLAIN.items():
        (folder / f"{name}.py").write_text(text)
    real = run(folder, tmp_path, "--real-helion")
    assert {n: r["outcome"] for n, r in real.items()} == {
        "fine": "ok",
        "mismatch": "wrong result",
        "broken": "example error",
    }
    assert real["broken"]["error"].startswith("ValueError: bad input (broken.py:1)")
    ours = dict(real, mismatch=dict(real["mismatch"], outcome="ok"))
    paths = []
    for label, results in (("ours", ours), ("helion", real)):
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps({"mode": "run", "results": list(results.values())}))
        paths.append(str(path))
    capsys.readouterr()
    assert helion_examples_compare.main(paths) == 0
    table = capsys.readouterr().out
    assert "ours: 2 of 3 ok; Helion: 1 of 3 ok" in table
    assert "ours passes, Helion does not: mismatch" in table


@transpiler.kernel()
def scaled_rows(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    rows, heads, width = x.size()
    out = torch.empty([rows, heads], dtype=torch.float32, device=x.device)
    for tile_r, tile_h in hl.tile([rows, heads], block_size=[1, 1]):
        acc = hl.zeros([tile_r, tile_h], dtype=torch.float32)
        for tile_k in hl.tile(width, block_size=4):
            acc += x[tile_r, tile_h, tile_k].sum(-1) * w[tile_h.begin]
        out[tile_r, tile_h] = acc
    return out


def test_the_meta_pass_runs_one_iteration_of_each_device_loop(monkeypatch):
    """Transpile-only's meta pass computes shapes only: a kernel's grid of size-1 tiles (mamba2's
    10,240 programs a call) runs its first program, not each one; on the CPU, every one."""
    import helion_shim

    programs = []
    monkeypatch.setattr(hl, "zeros", lambda *a, **k: programs.append(1) or hl_eager.zeros(*a, **k))
    for target, expected in (("meta", 1), ("cpu", 23 * 3)):
        programs.clear()
        x = torch.randn(23, 3, 10, device=target)
        w = torch.randn(3, device=target)
        with helion_shim.installed(transpile_only=True, target=target):
            out = scaled_rows(x, w)
        assert len(programs) == expected
        assert out.shape == (23, 3) and out.device.type == target
        if target == "cpu":
            expected = x.double().sum(-1) * w.double()
            torch.testing.assert_close(out.double(), expected, rtol=1e-5, atol=1e-5)
    assert hl.tile is hl_eager.tile  # the loops are the eager ones again


def test_threads_sets_torchs_cpu_threads_in_each_example(tmp_path, monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    folder = tmp_path / "threads"
    folder.mkdir()
    (folder / "one.py").write_text("import torch\nassert torch.get_num_threads() == 1\n")
    (folder / "told.py").write_text("import os\nassert os.environ.get('OMP_NUM_THREADS') == '3'\n")
    results = run(folder, tmp_path, "--real-helion", "--threads", "1", "one")
    assert results["one"]["outcome"] == "ok", results["one"]
    results = run(folder, tmp_path, "--real-helion", "--threads", "3", "told")
    assert results["told"]["outcome"] == "ok", results["told"]
    results = run(folder, tmp_path, "--real-helion", "told")  # torch's own default
    assert results["told"]["outcome"] == "wrong result"
