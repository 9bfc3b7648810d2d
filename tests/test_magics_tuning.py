"""%%helion tunes cell kernels on a GPU and `--roofline` draws the search: the GPU faked on CPU
(candidates built and run in Triton's interpreter, times made up, device and timer stubbed)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, fresh_shell, put, run_magic

import magics.cell_run
import magics.plot
import magics.program
import magics.sweep
import transpiler
import transpiler.analysis.perf
import transpiler.analysis.perf.devices
import transpiler.analysis.perf.plot
import transpiler.analysis.perf.timing
import transpiler.run.kernel_tuning
from transpiler.run.autotune import shape_key
from transpiler.run.tile_configs import TILE_CONFIGS, candidates

CANDIDATES = len(TILE_CONFIGS)  # transpiler.run.tile_configs.candidates for one element-wise tile
DEFAULT_MS, BEST_MS, OTHER_MS = 2.4, 1.0, 3.0


@pytest.fixture
def shell(device: str) -> Iterator[InteractiveShell]:
    with fresh_shell(device) as ipython:
        yield ipython


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch, tmp_path) -> list[list[dict[str, Any]]]:
    """Kernels tune as on a GPU (transpiler.Kernel's own tuning, the device faked); each search
    builds and runs every candidate of the kernel's space, the first wins."""
    monkeypatch.setattr(transpiler.run.kernel_tuning, "on_gpu", lambda args: True)
    monkeypatch.setattr(transpiler.run.kernel_tuning, "_SEARCHES", {})  # this session's searches
    monkeypatch.setenv("TRANSPILER_CACHE_DIR", str(tmp_path))  # a fresh autotune cache
    ran: list[list[dict[str, Any]]] = []

    def tune(kernel, args):
        transpiled = kernel.transpiled(args)
        configs = candidates(transpiled.tunables[kernel.name], transpiled.phases.get(kernel.name))
        kernel.bind(args).launcher(*args)
        timings = [(None, DEFAULT_MS)]
        for index, config in enumerate(configs):
            kernel.bind(args, config).launcher(*args)
            timings.append((config, BEST_MS if index == 0 else OTHER_MS))
        ran.append(list(configs))
        return configs[0], timings

    monkeypatch.setattr(transpiler.run.kernel_tuning, "tune", tune)
    return ran


def program_of(kernel: transpiler.Kernel) -> magics.program.CellProgram:
    """The CellProgram of the magic run that defined `kernel` (its call hook)."""
    (program,) = [hook.__self__ for hook in kernel.hooks]
    return program


def test_a_cell_kernel_tunes_runs_the_choice_and_keeps_the_search(shell, searches) -> None:
    x, y = torch.randn(33), torch.randn(33)
    put(shell, x=x, y=y)
    shown = run_magic(shell, "--run 'add(x, y)' --show none", ADD_CELL)
    assert len(searches) == 1 and len(searches[0]) == CANDIDATES
    chosen = searches[0][0]
    assert (
        f"autotune add: {CANDIDATES + 1} candidates timed, chose "
        f"block_sizes={chosen['block_sizes']}, num_warps={chosen['num_warps']} (1.0000 ms), "
        "2.40x over the default (2.4000 ms)" in shown.stdout.splitlines()
    ), shown.stdout
    assert "  PASS" in shown.stdout  # the chosen configuration computes what the reference does
    kernel = shell.user_ns["add"]
    assert len(kernel.last_tuning) == CANDIDATES + 1 and kernel.last_tuning[0] == (None, 2.4)
    assert kernel.last_tuning_key == shape_key((x, y))
    module = program_of(kernel).ran[-1].module  # the launcher that ran: the chosen blocks
    assert f"BLOCK_SIZE = {chosen['block_sizes'][0]}" in open(module.__file__).read()
    h100 = transpiler.analysis.perf.devices.find_device("H100 SXM")
    drawn = transpiler.analysis.perf.call_roofline(kernel, x, y, device=h100, ms=BEST_MS)
    assert drawn.tuning is not None and drawn.tuning.speedup == pytest.approx(2.4)
    assert (drawn.point.flops, drawn.point.bytes) == (33, 3 * 33 * 4)


def test_a_rerun_reuses_this_sessions_search_and_force_searches_again(shell, searches) -> None:
    put(shell, x=torch.randn(33), y=torch.randn(33))
    run_magic(shell, "--run 'add(x, y)' --show none", ADD_CELL)
    again = run_magic(shell, "--run 'add(x, y)' --show none", ADD_CELL)
    assert len(searches) == 1 and "autotune add" not in again.stdout
    assert len(shell.user_ns["add"].last_tuning) == CANDIDATES + 1  # the cloud is still there
    forced = run_magic(shell, "--run 'add(add(x, y), y)' --show none --force", ADD_CELL)
    assert len(searches) == 2 and forced.stdout.count("autotune add") == 1  # once per run


def test_a_configuration_from_the_disk_cache_has_no_search(shell, searches, monkeypatch) -> None:
    put(shell, x=torch.randn(33), y=torch.randn(33))
    run_magic(shell, "--run 'add(x, y)' --show none", ADD_CELL)
    monkeypatch.setattr(transpiler.run.kernel_tuning, "_SEARCHES", {})  # a new session, same cache
    shown = run_magic(shell, "--run 'add(x, y)' --show none", ADD_CELL)
    chosen = searches[0][0]
    assert len(searches) == 1 and (
        f"autotune add: block_sizes={chosen['block_sizes']}, num_warps={chosen['num_warps']} "
        "from the autotune cache (--force searches again)" in shown.stdout.splitlines()
    )
    assert shell.user_ns["add"].last_tuning == []


@pytest.mark.parametrize(
    ("line", "cell"),
    [
        ("--config '{\"block_sizes\": [64]}'", ADD_CELL),
        ("", ADD_CELL.replace("@helion.kernel()", "@helion.kernel(autotune_effort='none')")),
        ("", ADD_CELL.replace("kernel()", "kernel(config=helion.Config(block_sizes=[64]))")),
    ],
    ids=["--config", "autotune_effort", "decorator config"],
)
def test_fixed_configurations_are_not_tuned(shell, searches, line, cell) -> None:
    put(shell, x=torch.randn(33), y=torch.randn(33))
    shown = run_magic(shell, f"--run 'add(x, y)' --show none {line}", cell)
    assert searches == [] and "autotune" not in shown.stdout
    assert shell.user_ns["add"].last_tuning == []


@pytest.fixture
def fake_gpu_roofline(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """--roofline takes its GPU branch: the H100 datasheet, a made-up time; the figures drawn
    are recorded (their `tuning`)."""
    h100 = transpiler.analysis.perf.devices.find_device("H100 SXM")
    monkeypatch.setattr(magics.cell_run, "on_gpu", lambda: True)
    monkeypatch.setattr(magics.plot, "current_device", lambda: h100)
    timed = transpiler.analysis.perf.timing.Timing(BEST_MS)
    monkeypatch.setattr(magics.plot, "time_kernel", lambda fn: timed)
    drawn: list[Any] = []
    real_plot = transpiler.analysis.perf.plot.plot_roofline

    def plot_roofline(*args: Any, **kwargs: Any) -> Any:
        drawn.append(kwargs.get("tuning"))
        return real_plot(*args, **kwargs)

    monkeypatch.setattr(magics.plot, "plot_roofline", plot_roofline)
    return drawn


def test_roofline_draws_the_search_of_the_cells_run(shell, searches, fake_gpu_roofline) -> None:
    put(shell, x=torch.randn(33), y=torch.randn(33))
    shown = run_magic(shell, "--run 'add(x, y)' --no-check --roofline --show none", ADD_CELL)
    lines = shown.stdout.splitlines()
    assert any("% of attainable on H100 SXM" in line for line in lines), lines
    assert f"  autotune candidates ({CANDIDATES + 1}); 2.4x from tuning" in lines
    (tuning,) = fake_gpu_roofline
    assert len(tuning.candidates) == CANDIDATES + 1 and tuning.speedup == pytest.approx(2.4)
    assert tuning.default == 0 and tuning.best == 1
    assert any(output.get("image/png", "") for output in shown.outputs)


def test_roofline_without_a_search_says_why_there_is_no_cloud(
    shell, searches, fake_gpu_roofline
) -> None:
    put(shell, x=torch.randn(33), y=torch.randn(33))
    line = "--run 'add(x, y)' --no-check --roofline --show none --config '{\"block_sizes\": [64]}'"
    shown = run_magic(shell, line, ADD_CELL)
    assert f"  {magics.plot.NO_SEARCH}" in shown.stdout.splitlines()
    assert fake_gpu_roofline == [None]


def test_roofline_of_several_calls_draws_no_cloud(shell, searches, fake_gpu_roofline) -> None:
    put(shell, x=torch.randn(33), y=torch.randn(33))
    shown = run_magic(
        shell, "--run 'add(add(x, y), y)' --no-check --roofline --show none", ADD_CELL
    )
    assert f"  {magics.plot.SEVERAL_CALLS}" in shown.stdout.splitlines()
    assert fake_gpu_roofline == [None]


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU answer")
def test_roofline_on_cpu_says_the_cloud_needs_a_gpu(shell) -> None:
    put(shell, x=torch.randn(33), y=torch.randn(33))
    shown = run_magic(shell, "--run 'add(x, y)' --no-check --roofline --show none", ADD_CELL)
    (line,) = [line for line in shown.stdout.splitlines() if line.startswith("roofline")]
    assert line.endswith(f"({magics.plot.PREDICTION_NOTICE})")
    assert "autotuner's cloud need a GPU" in line
    # one figure: the prediction on a datasheet GPU's roof, no cloud
    assert sum("image/png" in output for output in shown.outputs) == 1


@pytest.mark.gpu
def test_a_real_search_in_a_cell_becomes_the_roofline_cloud(shell, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(transpiler.run.kernel_tuning, "_SEARCHES", {})
    monkeypatch.setenv("TRANSPILER_CACHE_DIR", str(tmp_path))  # search, not the disk cache
    put(shell, x=torch.randn(1 << 22), y=torch.randn(1 << 22))
    shown = run_magic(shell, "--run 'add(x, y)' --roofline --show none", ADD_CELL)
    lines = shown.stdout.splitlines()
    assert any(line.startswith("autotune add: ") for line in lines), lines
    assert any(line.startswith("  PASS") for line in lines), lines
    timings = shell.user_ns["add"].last_tuning
    assert len(timings) >= 2 and timings[0][0] is None
    if not any("no datasheet entry" in line for line in lines):
        assert f"  autotune candidates ({len(timings)})" in " ".join(lines)
        assert any("image/png" in output for output in shown.outputs)


# --- --bench over sizes --------------------------------------------------------------------


def test_sweep_sizes_default_to_halvings_and_resize_the_largest_dimension() -> None:
    from magics import sweep

    vector = torch.randn(4096)
    assert sweep.default_sizes([vector, vector]) == [256, 512, 1024, 2048, 4096]
    assert sweep.default_sizes([torch.randn(300)]) == [300]  # too small to halve
    assert sweep.parse_sizes("2**4, 100") == [16, 100]
    for bad in ("0", "x", "1.5", "True"):
        with pytest.raises(ValueError, match="is not a positive integer"):
            sweep.parse_sizes(bad)
    rows, weight = torch.randn(37, 64), torch.randn(64).half()
    fresh = sweep.resized([rows, weight, 1e-5], 96)
    assert [tuple(t.shape) for t in fresh[:2]] == [(37, 96), (96,)] and fresh[2] == 1e-5
    assert fresh[1].dtype == torch.float16 and not torch.equal(fresh[0][:, :64], rows)
    square = torch.randn(64, 64)
    assert [tuple(t.shape) for t in sweep.resized([square, square], 32)] == [(32, 32)] * 2


def test_bench_sweeps_sizes_against_torch(shell, monkeypatch) -> None:
    """The GPU path with the timing stubbed (ms grow with the size): a table and a figure."""
    import transpiler.analysis.perf.timing

    monkeypatch.setattr(magics.cell_run, "on_gpu", lambda: True)
    monkeypatch.setattr(magics.timing, "bench_report", lambda expression, run, moved: "bench")
    monkeypatch.setattr(torch, "compile", lambda fn: fn)  # no Inductor build on this CPU
    timed = []

    def fake_time(fn):
        timed.append(fn)
        return transpiler.analysis.perf.timing.Timing(1e-3 * len(timed))

    monkeypatch.setattr(magics.sweep, "time_kernel", fake_time)
    put(shell, x=torch.randn(1000), y=torch.randn(1000))
    shown = run_magic(
        shell, "--run 'add(x, y)' --no-check --bench --sizes '2**8,2**10' --show none", ADD_CELL
    )
    lines = shown.stdout.splitlines()
    start = lines.index("bench add(x, y) over sizes (GB/s; median of triton.testing.do_bench):")
    header, small, large = lines[start + 1 : start + 4]
    assert header.split() == ["size", "this", "kernel", "torch", "eager", "torch.compile"]
    # 256 float32s: x, y read and the result written, 3072 bytes at 1, 2, 3 µs
    assert small.split() == ["256", f"{3072 / 1e-3 / 1e6:.1f}", f"{3072 / 2e-3 / 1e6:.1f}", "1.0"]
    assert large.split()[0] == "1024" and len(timed) == 6
    assert sum("image/png" in output for output in shown.outputs) == 1
    bad = run_magic(shell, "--run 'add(x, y)' --no-check --bench --sizes 0 --show none", ADD_CELL)
    assert "UsageError: --sizes: '0' is not a positive integer" in bad.stderr  # before running
    assert not bad.stdout and not bad.outputs


@pytest.mark.gpu
def test_bench_sweeps_sizes_on_a_gpu(shell, device) -> None:
    """The real sweep: every size timed with do_bench for the kernel, eager and torch.compile."""
    x, y = torch.randn(1 << 16, device=device), torch.randn(1 << 16, device=device)
    put(shell, x=x, y=y)
    shown = run_magic(
        shell, "--run 'add(x, y)' --no-check --bench --sizes '2**12,2**16' --show none", ADD_CELL
    )
    lines = shown.stdout.splitlines()
    start = lines.index("bench add(x, y) over sizes (GB/s; median of triton.testing.do_bench):")
    rows = [line.split() for line in lines[start + 2 : start + 4]]
    assert [row[0] for row in rows] == ["4096", "65536"], lines
    for row in rows:
        assert len(row) == 4 and all(float(value) > 0 for value in row[1:]), row
    assert sum("image/png" in output for output in shown.outputs) == 1
