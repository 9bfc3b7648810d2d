"""transpile() and the CLI report every kernel's error at once; the kernels that work are kept."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import torch
from helpers import on_device

import transpiler
from transpiler.compile.frontend import errors
from transpiler.run.runtime import load_module

MODULE = textwrap.dedent(
    """\
    import torch
    import helion
    import helion.language as hl


    @helion.kernel()
    def halved(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile] * 0.5
        return out


    @helion.kernel()
    def zeta_of(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in hl.tile(x.size(0)):
            out[tile] = torch.special.zeta(x[tile], x[tile])
        return out


    @helion.kernel()
    def printed(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile].item()
        return out


    def host_helper(x):
        return halved(x) + 1
    """
)


def test_every_kernels_error_at_once_and_the_module_without_them():
    with pytest.raises(errors.KernelErrors) as caught:
        transpiler.transpile(MODULE, filename="three.py")
    error = caught.value
    assert [e.kernel for e in error.errors] == ["zeta_of", "printed"]
    assert isinstance(error.errors[0], errors.UnsupportedOpError)
    assert isinstance(error.errors[1], errors.HostSyncError)
    text = str(error)
    assert "three.py:18:" in text and "three.py:26:" in text  # each at its own line
    assert text.startswith("three.py:18:")
    assert "KernelErrors: 2 of 3 kernels not transpiled (zeta_of, printed)" in text.split("\n")[0]
    assert error.partial.kernels == ("halved",)
    module = load_module(error.partial.code, stem="three_partial")
    x = torch.rand(13) + 0.5
    torch.testing.assert_close(on_device(module.host_helper)(x), x * 0.5 + 1)
    with pytest.raises(NotImplementedError, match="zeta_of was not transpiled: three.py:18"):
        on_device(module.zeta_of)(x)


def test_one_failing_kernel_raises_its_own_error_with_the_rest_beside():
    source = MODULE.replace("x[tile].item()", "x[tile] * 3")
    with pytest.raises(errors.UnsupportedOpError) as caught:
        transpiler.transpile(source)
    assert caught.value.kernel == "zeta_of"
    assert caught.value.partial.kernels == ("halved", "printed")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "transpiler", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_writes_the_kernels_that_work_and_lists_the_others(tmp_path):
    source = tmp_path / "three.py"
    source.write_text(MODULE)
    out = tmp_path / "three_triton.py"
    result = run_cli(str(source), "-o", str(out))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "2 kernel(s) not transpiled (zeta_of, printed); written: halved" in result.stderr
    assert "UnsupportedOpError" in result.stderr and "HostSyncError" in result.stderr
    assert "def halved_kernel(" in out.read_text()


RANKED = textwrap.dedent(
    """\
    import torch
    import helion
    import helion.language as hl


    @helion.kernel()
    def negated(x: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in hl.tile(x.size()):
            out[tile] = -x[tile]
        return out
    """
)


def test_rank_from_the_arguments_names_the_example_flag(tmp_path):
    source = tmp_path / "ranked.py"
    source.write_text(RANKED)
    refused = run_cli(str(source))
    assert refused.returncode == 1
    assert "--example 'torch.randn(64, 128)'" in refused.stderr
    accepted = run_cli(str(source), "--example", "torch.randn(5, 7)")
    assert accepted.returncode == 0, accepted.stderr
    assert "def negated_kernel(" in accepted.stdout
