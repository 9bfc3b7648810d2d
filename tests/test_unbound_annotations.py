"""A kernel's annotations that name what its source does not bind (a notebook cell's `f: Fn`,
with `Fn` from an earlier cell) leave the launcher and the exported reference: Python evaluates
a function's annotations when it defines it, so the standalone module would not import."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch
from helpers import on_device

import transpiler
from transpiler.export.build import export_text
from transpiler.run.runtime import load_module

HEADER = "import torch\nimport helion\nimport helion.language as hl\n"
KERNEL = """
@helion.kernel(config=helion.Config(block_sizes=[8]))
def shifted({params}){returns}:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] + 1.5
    return out
"""

# (parameters, return annotation, what the launcher's signature must read)
CASES = [
    (
        "x: torch.Tensor, f: Fn = None",
        " -> torch.Tensor",
        "(x: torch.Tensor, f=None) -> torch.Tensor",
    ),
    ("x: torch.Tensor, mode: Modes.FAST = 1", " -> Out", "(x: torch.Tensor, mode=1):"),
    ("x: torch.Tensor, n: Optional[int] = None", "", "(x: torch.Tensor, n=None):"),
    (
        "x: torch.Tensor, n: int | None = None",
        " -> torch.Tensor",
        "(x: torch.Tensor, n: int | None = None)",
    ),
]


@pytest.mark.parametrize(("params", "returns", "signature"), CASES)
def test_unbound_annotations_leave_the_launcher(params, returns, signature):
    code = transpiler.transpile_module(HEADER + KERNEL.format(params=params, returns=returns)).code
    assert f"def shifted{signature}" in code
    x = torch.randn(21, dtype=torch.float32)
    got = on_device(load_module(code, stem="unbound_annotations").shifted)(x)
    torch.testing.assert_close(got, x + 1.5)


def test_the_exported_module_imports_and_passes_its_self_check(tmp_path):
    source = HEADER + KERNEL.format(params=CASES[0][0], returns=" -> Out")
    text = export_text(source, example_args={"shifted": (torch.randn(21),)})
    assert "Fn" not in text and "Out" not in text
    path = tmp_path / "shifted.py"
    path.write_text(text)
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "PASS" in done.stdout
