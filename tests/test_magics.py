"""%%helion through IPython's shell: options, the namespace, --run and --check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from magic_shell import (
    ADD_CELL,
    ANY_RANK_CELL,
    SCALED_CELL,
    fresh_shell,
    put,
    run_magic,
)

import magics
import magics.cell
import magics.cell_run
import magics.plot
import transpiler
import transpiler.run.source_kernels

# --- options -----------------------------------------------------------------------------


@pytest.fixture
def shell(device: str) -> Iterator[InteractiveShell]:
    with fresh_shell(device) as ipython:
        yield ipython


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--bogus", "unrecognized arguments: --bogus"),
        ("--show sideways", "argument --show: invalid choice: 'sideways'"),
        ("--run", "argument --run: expected one argument"),
        ("--run 'add(x, y)", "cannot split the options"),  # unbalanced quote
        ("--config '{bad json'", "--config is not valid JSON"),
        ("--config '[1, 2]'", "--config must be a JSON object"),
    ],
)
def test_bad_options_are_one_line_usage_errors(
    shell: InteractiveShell, line: str, message: str
) -> None:
    shown = run_magic(shell, line, ADD_CELL)
    assert shown.stderr.count("\n") == 1 and shown.stderr.startswith("UsageError: ")
    assert message in shown.stderr
    assert "Traceback" not in shown.stderr + shown.stdout
    assert "add" not in shell.user_ns  # nothing ran


def test_help_lists_every_option(shell: InteractiveShell) -> None:
    doc = shell.find_cell_magic("helion").__doc__
    for option in (
        "-h, --help",
        "--run EXPR",
        "--check",
        "--no-check",
        "--bench",
        "--roofline",
        "--export PATH",
        "--config JSON",
        "--interpret",
        "--export-minimal PATH",
        "--device NAME",
        "--sizes LIST",
        "--show {side,triton,source,none}",
        "--force",
    ):
        assert option in doc


def test_quoted_run_expression_and_config(shell: InteractiveShell, device: str) -> None:
    put(shell, x=torch.randn(137), y=torch.randn(137))
    shown = run_magic(shell, """--run "add(x, y)" --config '{"block_sizes": [64]}'""", ADD_CELL)
    assert 'config: {"block_sizes": [64]}' in shown.stdout
    assert f"add(x, y) → Tensor float32 (137,) on {device}" in shown.stdout
    assert "PASS" in shown.stdout
    assert shell.user_ns["add"].fixed_config == {"block_sizes": [64]}


def test_config_is_applied_to_the_generated_code(shell: InteractiveShell) -> None:
    """--config replaces the decorator's config: the block size is in the generated launcher,
    several blocks run (137 elements, blocks of 64) and the result is still right."""
    x, y = torch.randn(137), torch.randn(137)
    put(shell, x=x, y=y)
    run_magic(shell, """--run "add(x, y)" --config '{"block_sizes": [64]}'""", ADD_CELL)
    code = shell.user_ns["add"].triton_source
    assert "BLOCK_SIZE = 64" in code
    assert torch.equal(shell.user_ns["add"](x, y), x + y)
    run_magic(shell, "--show none", ADD_CELL)  # without --config: the decorator's own choice
    assert "BLOCK_SIZE = 64" not in shell.user_ns["add"].triton_source


def test_no_gpu_notice_once(shell: InteractiveShell) -> None:
    if torch.cuda.is_available():
        pytest.skip("the notice is for machines without a GPU")
    first = run_magic(shell, "--show none", ADD_CELL)
    second = run_magic(shell, "--show none", ADD_CELL)
    assert first.stdout.splitlines()[0] == "no GPU: running in Triton's CPU interpreter"
    assert "no GPU" not in second.stdout


def test_loading_the_magic_imports_triton_only_after_the_interpreter_is_chosen() -> None:
    """Triton reads TRITON_INTERPRET when imported: a module on the way to transpiler.run.devices
    that imported triton would leave a GPU-less notebook without its interpreter."""
    environment = {k: v for k, v in os.environ.items() if k != "TRITON_INTERPRET"}
    probe = "import magics.cell, transpiler.run.devices as r; print(r._TRITON_IMPORTED_EARLY)"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=environment,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout.strip() == "False", done.stdout + done.stderr


def test_interpret_when_not_interpreting_says_why(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(magics.cell.runtime, "interpreting", lambda: False)
    shown = run_magic(shell, "--interpret --show none", ADD_CELL)
    assert shown.stdout.splitlines() == [magics.cell.INTERPRET_TOO_LATE]


def test_bench_and_roofline_notices_on_cpu(shell: InteractiveShell) -> None:
    if torch.cuda.is_available():
        pytest.skip("on a GPU --bench times the kernel")
    put(shell, x=torch.randn(33), y=torch.randn(33))
    shown = run_magic(
        shell, "--run 'add(x, y)' --no-check --bench --roofline --show none", ADD_CELL
    )
    lines = shown.stdout.splitlines()
    assert "bench: timing needs a GPU (kernels run in Triton's CPU interpreter here)" in lines
    # add of 33 float32s: 33 FLOP; x, y read and out written once: 3 · 33 · 4 bytes
    roofline = [line for line in lines if line.startswith("roofline add(x, y) (add): ")]
    # on the roof of H100 SXM's datasheet: 396 bytes at 3.35 TB/s
    assert roofline == [
        "roofline add(x, y) (add): 33 FLOP, 396 bytes minimum, 0.0833 FLOP/byte; "
        f"predicted on H100 SXM (fp32): at best {396 / 3.35e12 * 1e3:.3g} ms, on the roof "
        f"({magics.plot.PREDICTION_NOTICE})"
    ]
    figures = [output for output in shown.outputs if "image/png" in output]
    assert len(figures) == 1  # the prediction, drawn


def test_roofline_prediction_for_a_named_device_on_cpu(shell: InteractiveShell) -> None:
    if torch.cuda.is_available():
        pytest.skip("on a GPU --roofline measures")
    put(shell, x=torch.randn(33), y=torch.randn(33))
    line = "--run 'add(x, y)' --no-check --roofline --show none --device"
    shown = run_magic(shell, f"{line} 'MI300X'", ADD_CELL)
    assert "predicted on MI300X (fp32)" in shown.stdout
    shown = run_magic(shell, f"{line} 'B300'", ADD_CELL)  # refused before the cell runs
    assert "UsageError: --device: no datasheet entry 'B300' (H100 PCIe, H100 SXM" in shown.stderr
    assert not shown.outputs and not shown.stdout


def test_roofline_cost_model_failure_is_one_line(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    import transpiler.analysis.perf

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise transpiler.analysis.perf.CostModelError("cannot count this")

    monkeypatch.setattr(magics.plot, "analyse", fail)
    put(shell, x=torch.randn(8), y=torch.randn(8))
    shown = run_magic(shell, "--run 'add(x, y)' --no-check --roofline --show none", ADD_CELL)
    assert (
        "roofline add(x, y): cost model failed (CostModelError: cannot count this)"
        in shown.stdout.splitlines()
    )


def test_roofline_without_run_says_it_needs_one(shell: InteractiveShell) -> None:
    shown = run_magic(shell, "--roofline --show none", ADD_CELL)
    assert magics.plot.NEEDS_RUN in shown.stdout.splitlines()


def test_roofline_figure_on_a_gpu_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The GPU branch with the timing and the device stubbed: a line with the % and a PNG."""
    from magic_shell import ADD_CELL as source

    import transpiler.analysis.perf.devices
    import transpiler.analysis.perf.timing

    h100 = transpiler.analysis.perf.devices.find_device("NVIDIA H100 80GB HBM3")
    assert h100 is not None
    monkeypatch.setattr(magics.plot, "current_device", lambda: h100)
    monkeypatch.setattr(
        magics.plot, "time_kernel", lambda fn: transpiler.analysis.perf.timing.Timing(0.01)
    )
    x = torch.randn(1 << 20)
    lines, png = magics.plot.roofline_report(
        "add(x, y)", source, [("add", (x, x))], lambda: None, on_gpu=True
    )
    assert len(lines) == 2 and "% of attainable on H100" in lines[0], lines
    assert "0.0100 ms median" in lines[0]
    assert lines[1] == f"  {magics.plot.NO_SEARCH}"
    assert png is not None and png.startswith(b"\x89PNG")


# --- namespace -----------------------------------------------------------------------------


def test_kernel_is_callable_from_a_later_cell(shell: InteractiveShell) -> None:
    run_magic(shell, "", ADD_CELL)
    put(shell, x=torch.randn(1001), y=torch.randn(1001))
    result = shell.run_cell("z = add(x, y)")
    result.raise_error()
    x, y, z = (shell.user_ns[name] for name in "xyz")
    torch.testing.assert_close(z.double(), x.double() + y.double())
    kernel = shell.user_ns["add"]
    assert "@triton.jit" in kernel.triton_source
    torch.testing.assert_close(kernel.reference(x, y), x + y)


def test_calls_outside_run_are_not_kept(shell: InteractiveShell) -> None:
    put(shell, x=torch.randn(64), y=torch.randn(64))
    run_magic(shell, "--run 'add(x, y)' --show none", ADD_CELL)
    kernel = shell.user_ns["add"]
    for _ in range(3):
        kernel(shell.user_ns["x"], shell.user_ns["y"])
    (program,) = [hook.__self__ for hook in kernel.hooks]  # the cell's CellProgram.record
    assert program.calls == []  # a benchmark loop must not pile up results


def test_cell_code_outside_kernels_runs_in_the_namespace(shell: InteractiveShell) -> None:
    run_magic(shell, "--show none", SCALED_CELL)
    assert shell.user_ns["SCALE"] == 3.0
    assert shell.user_ns["twice"](torch.ones(2)).tolist() == [2.0, 2.0]
    x = torch.randn(77)
    expected = torch.exp(x.double()) * 3.0
    torch.testing.assert_close(shell.user_ns["scaled_exp"](x).double(), expected)


def test_rank_from_arguments_is_specialised_per_call(shell: InteractiveShell) -> None:
    put(shell, x=torch.randn(19, 23), y=torch.randn(19, 23))
    shown = run_magic(shell, "--run 'add(x, y)'", ANY_RANK_CELL)
    assert "PASS" in shown.stdout and "FAIL" not in shown.stdout
    assert shown.plain().startswith("helion: 1 kernel (add)")  # view shown once code exists
    flat = torch.randn(41)
    torch.testing.assert_close(shell.user_ns["add"](flat, flat).double(), 2 * flat.double())


def test_rank_from_arguments_without_run_shows_code_for_a_stated_rank(
    shell: InteractiveShell,
) -> None:
    shown = run_magic(shell, "", ANY_RANK_CELL)
    (view,) = shown.outputs
    assumption = "assuming 1-D tensor arguments (the lowest rank this cell accepts)"
    assert assumption in view["text/plain"] and assumption in view["text/html"]
    assert "out_stride_0" in view["text/html"] and "out_stride_1" not in view["text/html"]
    assert magics.cell_run.WAITS_FOR_ARGUMENTS not in shown.stdout


def test_assumed_rank_code_is_made_once_per_cell(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    import magics.assumed

    made = []
    real = magics.assumed._lowest_rank
    monkeypatch.setattr(magics.assumed, "_ASSUMED", {})
    monkeypatch.setattr(magics.assumed, "_lowest_rank", lambda *args: made.append(1) or real(*args))
    first = run_magic(shell, "", ANY_RANK_CELL).outputs
    assert run_magic(shell, "", ANY_RANK_CELL).outputs == first and len(made) == 1
    run_magic(shell, "--force", ANY_RANK_CELL)
    assert len(made) == 2


def test_rank_from_arguments_with_run_shows_the_bound_ranks(shell: InteractiveShell) -> None:
    put(shell, x=torch.randn(3, 5), y=torch.randn(3, 5))
    shown = run_magic(shell, "--run 'add(x, y)' --no-check", ANY_RANK_CELL)
    view = shown.outputs[-1]
    assert "assuming" not in view["text/plain"]
    assert "out_stride_1" in view["text/html"]  # the 2-D code that ran


# --- help ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell", ["%%helion --help", "%%helion --help\n\n", "%%helion -h\n" + ADD_CELL]
)
def test_help_with_or_without_a_body(shell: InteractiveShell, cell: str) -> None:
    with capture_output() as captured:
        result = shell.run_cell(cell)
    assert result.success  # Run All goes on
    assert captured.stdout.startswith("%%helion [-h] [--run EXPR]")
    assert "--export PATH" in captured.stdout and not captured.stderr
    assert "add" not in shell.user_ns  # help runs nothing


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["%%helion --help\n"], ["%helion --help\n"]),
        (["%%helion\n", "\n", "  \n"], ["%helion\n"]),
        (["%%helion?\n"], ["%helion?\n"]),  # IPython's own help for the magic
        (["%%helionx --help\n"], ["%%helionx --help\n"]),  # another magic: left alone
        (["%%helion --run x\n", "import torch\n"], ["%%helion --run x\n", "import torch\n"]),
    ],
)
def test_only_an_empty_helion_cell_becomes_the_line_magic(
    lines: list[str], expected: list[str]
) -> None:
    assert magics.empty_cell_as_line(lines) == expected


def test_empty_cell_says_so(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        result = shell.run_cell("%%helion --run 'add(x, y)'\n")
    assert result.success
    assert captured.stdout.strip() == magics.cell.EMPTY_CELL


# --- run and check -------------------------------------------------------------------------


def test_check_passes_for_a_correct_kernel(shell: InteractiveShell) -> None:
    put(shell, x=torch.randn(1001), y=torch.randn(1001))
    shown = run_magic(shell, "--run 'add(x, y)' --show none", ADD_CELL)
    lines = shown.stdout.splitlines()
    assert "check add(x, y) against the reference (the same source, eager PyTorch):" in lines
    (verdict,) = [line for line in lines if line.startswith("  PASS") or line.startswith("  FAIL")]
    assert verdict.startswith("  PASS  float32 (1001,)  max abs err ")
    assert any(line.startswith("  float64 reference: max abs err ") for line in lines)


def test_check_fails_when_generated_and_reference_differ(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_call = transpiler.BoundKernel.__call__

    def off_by_a_little(self: transpiler.BoundKernel, *args: Any, **kwargs: Any) -> Any:
        return real_call(self, *args, **kwargs) + 1e-2

    monkeypatch.setattr(transpiler.BoundKernel, "__call__", off_by_a_little)
    put(shell, x=torch.randn(101), y=torch.randn(101))
    shown = run_magic(shell, "--run 'add(x, y)' --show none", ADD_CELL)
    assert "  FAIL  float32 (101,)  max abs err 0.01" in shown.stdout
    assert "PASS" not in shown.stdout


def test_no_check_only_summarises(shell: InteractiveShell, device: str) -> None:
    put(shell, x=torch.arange(5.0), y=torch.ones(5))
    shown = run_magic(shell, "--run 'add(x, y)' --no-check --show none", ADD_CELL)
    assert (
        shown.stdout.splitlines()[-1]
        == f"add(x, y) → Tensor float32 (5,) on {device}: [1, 2, 3, ...]"
    )
    assert "check" not in shown.stdout


def test_check_half_precision_uses_its_tolerance(shell: InteractiveShell) -> None:
    put(shell, x=torch.randn(65).half(), y=torch.randn(65).half())
    shown = run_magic(shell, "--run 'add(x, y)' --show none", ADD_CELL)
    assert "  PASS  float16 (65,)" in shown.stdout and "(rtol 1e-02, atol 1e-02)" in shown.stdout


def test_force_regenerates(shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = transpiler.run.source_kernels.transpile_module

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(transpiler.run.source_kernels, "transpile_module", counting)
    cell = ADD_CELL + "\n# force test\n"
    run_magic(shell, "--show none", cell)
    run_magic(shell, "--show none", cell)
    assert len(calls) == 1  # the second run used the cell's cache
    run_magic(shell, "--show none --force", cell)
    assert len(calls) == 2


@pytest.mark.gpu
def test_bench_and_compiled_stages_on_a_gpu(shell: InteractiveShell) -> None:
    put(shell, x=torch.randn(1 << 20), y=torch.randn(1 << 20))
    shown = run_magic(shell, "--run 'add(x, y)' --bench", ADD_CELL)
    bench = next(line for line in shown.stdout.splitlines() if line.startswith("bench "))
    assert " ms median · " in bench and "GB/s (12.58 MB of tensor arguments and results)" in bench
    stages = shown.outputs[-1]["text/html"]  # the view, updated once the kernel compiled
    assert 'data-stage="add_kernel · ptx"' in stages and 'data-stage="add_kernel · ttir"' in stages


@pytest.mark.gpu
def test_roofline_on_a_gpu(shell: InteractiveShell) -> None:
    put(shell, x=torch.randn(1 << 20), y=torch.randn(1 << 20))
    shown = run_magic(shell, "--run 'add(x, y)' --no-check --roofline --show none", ADD_CELL)
    line = next(line for line in shown.stdout.splitlines() if line.startswith("roofline "))
    assert line.startswith("roofline add(x, y) (add): 1.049e+06 FLOP, 1.258e+07 bytes minimum")
    assert " ms median, " in line
    if "no datasheet entry" not in line:
        assert "% of attainable on " in line
        assert any("image/png" in output for output in shown.outputs)


def test_result_summary_of_a_tuple() -> None:
    from magics.checking import summary

    text = summary("f()", (torch.zeros(2, 3, dtype=torch.int32), 7))
    assert text.splitlines() == [
        "f() → tuple of 2:",
        "  [0] Tensor int32 (2, 3) on cpu: [0, 0, 0, ...]",
        "  [1] int 7",
    ]
    assert json.dumps(text)  # plain text, nothing exotic
