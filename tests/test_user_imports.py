"""A user's import statement that names Helion beside other modules (`import torch, helion`,
`import math; import helion.language as hl`) loses only its Helion names: the generated module
imports nothing of Helion, keeps the user's other modules, and runs."""

from __future__ import annotations

import ast
import math

import pytest
import torch
from helpers import on_device
from test_export import run_standalone

import transpiler
from transpiler.run.runtime import load_module

KERNEL = """
@helion.kernel(config=helion.Config(block_sizes=[16]))
def scaled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] * {factor}
    return out
"""

# (the user's imports, the factor the kernel uses, the modules the generated module must import)
CASES = [
    ("import torch, helion\nimport helion.language as hl", "2.5", set()),
    ("import helion, math, torch\nimport helion.language as hl", "math.pi", {"math"}),
    (
        "import math; import helion; import torch\nfrom helion import language as hl",
        "math.e",
        {"math"},
    ),
    # math.sqrt(2.0) of a literal is folded to its number: the module reads no `math`
    ("import torch\nimport helion.language as hl, helion, math", "math.sqrt(2.0)", set()),
]


def _imported(code: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


@pytest.mark.parametrize(("imports", "factor", "kept"), CASES)
def test_helion_names_leave_a_mixed_import_and_the_rest_stays(imports, factor, kept):
    code = transpiler.transpile_module(imports + "\n" + KERNEL.format(factor=factor)).code
    assert _imported(code) == {"torch", "triton"} | kept
    x = torch.randn(37, dtype=torch.float32) + 0.5
    expected = x.double() * eval(factor, {"math": math})
    got = on_device(load_module(code, stem="user_imports").scaled)(x)
    torch.testing.assert_close(got.double(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("imports", "factor", "kept"), CASES)
def test_an_export_keeps_the_other_names_of_a_mixed_import_and_runs(
    imports, factor, kept, tmp_path
):
    """The exported module's reference section too (export/build.py: `import math, helion,
    torch` once failed with libcst's trailing-comma error)."""
    x = torch.randn(37, dtype=torch.float32) + 0.5
    source = imports + "\n" + KERNEL.format(factor=factor)
    path = transpiler.export(source, tmp_path / "scaled.py", example_args=(x,))
    text = path.read_text()
    assert "\nimport helion" not in text and "\nimport transpiler" not in text
    assert _imported(text) - {"torch", "triton", "helion"} >= kept
    done = run_standalone(path, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "PASS" in done.stdout


DOT_KERNEL = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def rows_times(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    out = torch.empty([m, b.size(1)], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, b.size(1)]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += hl.dot(a[tile_m, tile_k], b[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out
"""


def test_transpiling_never_imports_helion_itself(tmp_path):
    # Helion's names resolve through ours: importing an installed Helion took 10 s of a first
    # call on the H100 (its autotuner pulls in scikit-learn), for names that are ours anyway
    import subprocess
    import sys

    script = tmp_path / "probe.py"
    script.write_text(
        "import sys\nimport transpiler\n"
        f"transpiler.transpile({DOT_KERNEL!r})\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'helion'))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
