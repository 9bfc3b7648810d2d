"""The public contract: transpile, kernel, language, the CLI, reference mode, the module cache."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from helpers import DEVICE

import transpiler
import transpiler.language as hl
from transpiler.compile.frontend import errors

ADD_BODY = """

@helion.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + y[tile]
    return out
"""

IMPORT_SPELLINGS = {
    "helion": "import torch\nimport helion\nimport helion.language as hl\n",
    "from-helion": "import torch\nimport helion\nfrom helion import language as hl\n",
    "transpiler": "import torch\nimport transpiler as helion\nimport transpiler.language as hl\n",
    "from-transpiler": "import torch\nimport transpiler as helion\nfrom transpiler import language as hl\n",
}


@pytest.mark.parametrize("spelling", IMPORT_SPELLINGS, ids=str)
def test_transpile_accepts_helion_and_transpiler_imports(spelling):
    text = transpiler.transpile(IMPORT_SPELLINGS[spelling] + ADD_BODY)
    assert "def add_kernel(" in text
    assert "helion" not in text.replace("Helion", "")
    assert "transpiler" not in text.split("\n", 1)[1]


def test_code_outside_kernels_passes_through():
    source = (
        IMPORT_SPELLINGS["helion"]
        + "\nSCALE = 3  # a constant\n\n\ndef helper(v):\n    return v * SCALE\n"
        + ADD_BODY
    )
    text = transpiler.transpile(source)
    assert "SCALE = 3  # a constant" in text
    assert "def helper(v):\n    return v * SCALE" in text


def test_example_args_specialise_rank():
    source = IMPORT_SPELLINGS["helion"] + ADD_BODY.replace("x.size(0)", "x.size()")
    with pytest.raises(errors.RankUnknownError):
        transpiler.transpile(source)
    text = transpiler.transpile(source, example_args=(torch.ones(2, 3), torch.ones(2, 3)))
    assert "offs_0" in text and "offs_1" in text


def test_line_map_points_generated_lines_at_source_lines():
    source = IMPORT_SPELLINGS["helion"] + ADD_BODY
    result = transpiler.transpile_module(source)
    lines = result.code.splitlines()
    store = next(i for i, line in enumerate(lines, start=1) if "tl.store(" in line)
    assert (
        source.splitlines()[result.source_line(store) - 1].strip()
        == "out[tile] = x[tile] + y[tile]"
    )


def write_module(tmp_path: Path, text: str, name: str = "user_kernels") -> object:
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        __import__(name)
        return sys.modules.pop(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_kernel_decorator_runs_and_specialises_on_rank(tmp_path):
    module = write_module(
        tmp_path,
        IMPORT_SPELLINGS["transpiler"]
        + textwrap.dedent(
            """

            @helion.kernel(static_shapes=True, autotune_effort="none")
            def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
                out = torch.empty_like(x)
                for tile in hl.tile(out.size()):
                    out[tile] = x[tile] + y[tile]
                return out


            # a config's block_sizes give one size per tile: a rank-2 binding takes two
            @helion.kernel(config=helion.Config(block_sizes=[64, 16]), autotune_effort="none")
            def add2(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
                out = torch.empty_like(x)
                for tile in hl.tile(out.size()):
                    out[tile] = x[tile] + y[tile]
                return out
            """
        ),
    )
    for shape in [(7,), (3, 5), (2, 3, 4)]:
        x, y = torch.randn(shape, device=DEVICE), torch.randn(shape, device=DEVICE)
        torch.testing.assert_close(module.add(x, y), x + y)
    code = module.add2.bind((torch.ones(2, 2), torch.ones(2, 2))).triton_source
    assert "BLOCK_SIZE_0, BLOCK_SIZE_1 = 64, 16" in code  # (joined_blocks: one assignment)
    torch.testing.assert_close(module.add.run_reference(x, y), x + y)


def test_reference_mode_by_environment(tmp_path, monkeypatch):
    module = write_module(tmp_path, IMPORT_SPELLINGS["transpiler"] + ADD_BODY, name="env_kernels")
    x = torch.randn(5, device=DEVICE)
    monkeypatch.setenv("TRANSPILER_REFERENCE", "1")
    module.add.bind = None  # the generated path must not be taken
    torch.testing.assert_close(module.add(x, x), 2 * x)


def test_generated_modules_are_cached_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSPILER_CACHE_DIR", str(tmp_path / "cache"))
    code = transpiler.transpile(IMPORT_SPELLINGS["helion"] + ADD_BODY)
    module = transpiler.run.runtime.load_module(code, stem="cached_add")
    files = list((tmp_path / "cache").glob("cached_add_*.py"))
    assert len(files) == 1 and files[0].read_text() == code
    assert transpiler.run.runtime.load_module(code, stem="cached_add") is module
    assert not list((tmp_path / "cache").glob("*.tmp"))


def test_internal_errors_become_transpile_errors(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr("transpiler.compile.lower.kernel.KernelBuilder.emit", broken)
    source = IMPORT_SPELLINGS["helion"] + ADD_BODY
    with pytest.raises(errors.InternalTranspilerError) as caught:
        transpiler.transpile(source, filename="cell.py")
    assert caught.value.lineno > 0 and "KeyError" in str(caught.value)


def test_device_mismatch_is_a_clear_error(tmp_path):
    module = write_module(
        tmp_path, IMPORT_SPELLINGS["transpiler"] + ADD_BODY, name="device_kernels"
    )
    if torch.cuda.is_available():
        x, y = torch.randn(4, device="cuda"), torch.randn(4)
    else:
        x, y = torch.randn(4), torch.randn(4, device="meta")
    with pytest.raises(transpiler.run.runtime.DeviceError):
        module.add(x, y)


def test_kernels_follow_torch_indexing_for_extra_dimensions(tmp_path):
    module = write_module(tmp_path, IMPORT_SPELLINGS["transpiler"] + ADD_BODY, name="rank_kernels")
    x, y = torch.randn(3, 5, device=DEVICE), torch.randn(3, 5, device=DEVICE)
    torch.testing.assert_close(module.add(x, y), x + y)  # x[tile] takes whole rows


def test_static_module_checks_ranks_before_launch():
    code = transpiler.transpile(IMPORT_SPELLINGS["helion"] + ADD_BODY)
    module = transpiler.run.runtime.load_module(code, stem="static_add")
    with pytest.raises(ValueError, match="x must be 1-D"):
        module.add(torch.randn(3, 4, device=DEVICE), torch.randn(3, 4, device=DEVICE))


def test_language_names_run_eagerly():
    tiles = list(hl.tile(10))
    assert len(tiles) == 1 and (tiles[0].begin, tiles[0].end) == (0, 10)
    assert list(hl.grid(3)) == [0, 1, 2]
    assert transpiler.cdiv(10, 4) == 3 and transpiler.next_power_of_2(33) == 64


# -- the command line -------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    path = os.pathsep.join(
        filter(None, [str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH")])
    )
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-m", "transpiler", *args], capture_output=True, text=True, env=env
    )


def test_cli_writes_the_module(tmp_path):
    source = tmp_path / "kernels.py"
    source.write_text(IMPORT_SPELLINGS["helion"] + ADD_BODY)
    result = run_cli(str(source), "-o", str(tmp_path / "out" / "kernels_triton.py"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "kernels_triton.py").read_text() == transpiler.transpile(
        source.read_text(), filename=str(source)
    )


def test_cli_prints_to_stdout_and_reports_errors_without_traceback(tmp_path):
    good = tmp_path / "good.py"
    good.write_text(IMPORT_SPELLINGS["helion"] + ADD_BODY)
    assert "def add_kernel(" in run_cli(str(good)).stdout
    bad = tmp_path / "bad.py"
    bad.write_text(
        IMPORT_SPELLINGS["helion"] + ADD_BODY.replace("x[tile] + y[tile]", "torch.expp(x[tile])")
    )
    result = run_cli(str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{bad}:10:" in result.stderr and "UnsupportedOpError" in result.stderr
    missing = run_cli(str(tmp_path / "missing.py"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


@transpiler.kernel()
def doubled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2
    return out


def test_kernel_defined_in_a_pytest_module():
    """pytest's assertion rewriting adds `@py_builtins` to this module's globals."""
    assert "@py_builtins" in globals()
    x = torch.randn(11, device=DEVICE)
    torch.testing.assert_close(doubled(x), 2 * x)


def test_multi_line_host_statements_keep_their_text():
    """A launcher's docstring and a host string spanning lines are the source's, not re-indented."""
    source = '''
import torch
import helion
import helion.language as hl


@helion.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Add two tensors.

    Second paragraph, indented like the first.
    """
    note = """first
    second"""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + y[tile]
    return out
'''
    from transpiler.run.runtime import load_module

    module = load_module(transpiler.transpile(source), stem="multi_line_host")
    assert (
        module.add.__doc__
        == "Add two tensors.\n\n    Second paragraph, indented like the first.\n    "
    )
    assert '    note = """first\n    second"""' in transpiler.transpile(source)


def test_helions_module_paths_import_under_transpiler():
    """A Helion program with `helion` replaced by `transpiler` imports the same module paths."""
    import importlib

    for name in ("autotuner", "exc", "runtime_settings"):
        assert importlib.import_module(f"transpiler.{name}") is getattr(transpiler, name)
    from transpiler.autotuner import PowerOfTwoFragment  # noqa: F401
    from transpiler.exc import TensorOperationInWrapper  # noqa: F401
