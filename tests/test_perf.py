"""transpiler.analysis.perf: cost model hand counts, device table, roofline arithmetic, figure, timing."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

import transpiler
from transpiler.analysis.perf import CostModelError, analyse, cost_of, kernel_cost, roofline
from transpiler.analysis.perf.cost import Cost, launcher_block_sizes
from transpiler.analysis.perf.devices import (
    DEVICES,
    MeasuredPeaks,
    _store,
    find_device,
    load_measured,
    measure_peaks,
)
from transpiler.analysis.perf.timing import rates, time_kernel

KERNELS = Path(__file__).parent / "kernels"
REDUCTIONS = (KERNELS / "reductions.py").read_text()
ELEMENTWISE = (KERNELS / "elementwise.py").read_text()
HEADER = "import math\n\nimport helion\nimport helion.language as hl\nimport torch\n\n\n"

MATMUL_BODY = """
@helion.kernel(config=helion.Config(block_sizes=[64, 32, 16]))
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = {update}
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out
"""
MATMUL_SPELLINGS = {
    "torch.matmul": "acc + torch.matmul(x[tile_m, tile_k], y[tile_k, tile_n])",
    "@": "acc + x[tile_m, tile_k] @ y[tile_k, tile_n]",
    "hl.dot": "hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], acc=acc)",
    "addmm": "torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])",
}
ATTENTION = (
    HEADER
    + (Path(__file__).parents[1] / "benchmarks/kernels.py")
    .read_text()
    .split("import torch\n", 1)[1]
)


# -- cost model: hand counts ----------------------------------------------------------------


def test_add_counts_one_flop_and_three_passes_per_element():
    x, y = torch.randn(37, 41), torch.randn(37, 41)
    cost = kernel_cost(ELEMENTWISE, "add", (x, y))
    assert cost == Cost(flops=37 * 41, min_bytes=3 * 37 * 41 * 4, tiled_bytes=3 * 37 * 41 * 4)
    assert cost.arithmetic_intensity == pytest.approx(1 / 12)


def test_softmax_counts_five_flops_per_element_and_each_byte_once():
    m, n = 100, 300
    cost = kernel_cost(REDUCTIONS, "softmax", (torch.randn(m, n, dtype=torch.bfloat16),))
    # amax, subtract, exp, sum, divide: one FLOP each per element; bf16 in and out
    assert cost.flops == 5 * m * n
    assert cost.min_bytes == cost.tiled_bytes == 2 * m * n * 2


def test_softmax_builtin_takes_its_flops_from_the_op_table():
    m, n = 10, 30
    cost = kernel_cost(REDUCTIONS, "softmax_builtin", (torch.randn(m, n),))
    assert cost.flops == 4 * m * n  # op_table: softmax costs 4 per element


def test_layer_norm_hand_count_and_weight_rereads_per_program():
    m, n, block = 1000, 300, 8
    x, weight, bias = torch.randn(m, n), torch.randn(n), torch.randn(n)
    cost = kernel_cost(REDUCTIONS, "layer_norm", (x, weight, bias), block_sizes=[block])
    # per element: mean, centre, square, mean, normalise, scale, shift; per row: + eps, rsqrt
    assert cost.flops == 7 * m * n + 2 * m
    assert cost.min_bytes == 4 * (2 * m * n + 2 * n)
    programs = math.ceil(m / block)
    assert cost.tiled_bytes == 4 * (2 * m * n + 2 * n * programs)


def test_cross_entropy_gather_reads_a_view_of_logits_already_counted():
    tokens, vocabulary = 64, 1000
    logits, labels = torch.randn(tokens, vocabulary), torch.randint(0, vocabulary, (tokens,))
    cost = kernel_cost(REDUCTIONS, "cross_entropy", (logits, labels))
    assert cost.flops == 3 * tokens * vocabulary + tokens  # logsumexp (3/element), subtract
    assert cost.min_bytes == 4 * tokens * vocabulary + 8 * tokens + 4 * tokens
    assert cost.tiled_bytes == cost.min_bytes + 4 * tokens  # the gather reads logits again


def test_inner_loop_state_costs_depend_on_the_inner_block():
    m, n = 64, 300
    cost = kernel_cost(REDUCTIONS, "softmax_two_pass", (torch.randn(m, n),), block_sizes=[8, 64])
    steps = math.ceil(n / 64)
    assert cost.flops == 7 * m * n + 5 * m * steps  # running max / sum updates per step
    assert cost.tiled_bytes == 3 * m * n * 4  # x read twice, out written once


@pytest.mark.parametrize("spelling", list(MATMUL_SPELLINGS))
def test_matmul_is_two_mnk_and_inner_loop_rereads(spelling):
    source = HEADER + MATMUL_BODY.replace("{update}", MATMUL_SPELLINGS[spelling])
    m, k, n = 256, 512, 128
    x, y = torch.randn(m, k, dtype=torch.float16), torch.randn(k, n, dtype=torch.float16)
    cost = kernel_cost(source, "matmul", (x, y))
    assert cost.flops == cost.dot_flops == 2 * m * n * k  # the accumulating add is the FMA's
    assert cost.min_bytes == 2 * (m * k + k * n + m * n)
    # config block_sizes=[64, 32, 16]: x is read once per column of tiles, y once per row
    assert cost.tiled_bytes == 2 * (m * k * (n // 32) + k * n * (m // 64) + m * n)


def test_attention_is_two_matmuls_plus_online_softmax():
    batch, heads, seq, dim, block_n = 2, 3, 256, 64, 32
    q, k, v = (torch.randn(batch, heads, seq, dim, dtype=torch.float16) for _ in range(3))
    work = analyse(ATTENTION, "attention", (q, k, v))
    cost = work.cost({"tile_m": 64, "tile_n": block_n})
    rows = batch * heads * seq  # (batch·head, query) pairs
    scores, steps = rows * seq, seq // block_n
    assert cost.dot_flops == 2 * (2 * rows * seq * dim)  # q·kᵀ and p·v
    softmax = 5 * scores + 6 * rows * steps  # per score: amax, scale, subtract, exp2, sum
    rescale = rows * dim * steps + 2 * rows + rows * dim  # acc·alpha; log2, +=; acc / l
    assert cost.flops == cost.dot_flops + softmax + rescale
    assert cost.min_bytes == 4 * batch * heads * seq * dim * 2
    assert work.block_sizes({"tile_m": 64})["tile_b"] == 1  # block_size=[1, None] wins


# -- cost model: block sizes, errors, kernels ------------------------------------------------


def test_block_sizes_follow_helion_order_config_and_explicit_sizes():
    source = HEADER + MATMUL_BODY.replace("{update}", MATMUL_SPELLINGS["hl.dot"])
    work = analyse(source, "matmul", (torch.randn(8, 8), torch.randn(8, 8)))
    assert work.block_names() == ["tile_m", "tile_n", "tile_k"]
    assert work.block_sizes() == {"tile_m": 64, "tile_n": 32, "tile_k": 16}
    assert work.block_sizes([None, 128]) == {"tile_m": 64, "tile_n": 128, "tile_k": 16}
    assert work.block_sizes({"tile_k": 8})["tile_k"] == 8
    tiled = analyse(ELEMENTWISE, "tile_info", (torch.randn(100),))
    assert tiled.block_sizes([512]) == {"tile": 16}  # hl.tile(n, block_size=16)


def test_launcher_block_sizes_reads_integer_constants_of_generated_code():
    x, y = torch.randn(40, 24), torch.randn(24, 16)
    source = HEADER + MATMUL_BODY.replace("{update}", MATMUL_SPELLINGS["hl.dot"])
    code = transpiler.transpile_module(source, example_args=(x, y)).code
    found = launcher_block_sizes(code, ["tile_m", "tile_n", "tile_k", "tile_q"])
    assert found == {"tile_m": 64, "tile_n": 32, "tile_k": 16}


def test_unknown_constructs_fail_closed_with_the_line():
    source = HEADER + (
        "@helion.kernel()\n"
        "def spin(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        while True:\n"
        "            break\n"
        "    return out\n"
    )
    with pytest.raises(CostModelError, match=r"line 12: .*While"):
        kernel_cost(source, "spin", (torch.randn(4),))
    with pytest.raises(CostModelError, match="no kernel named 'nope'"):
        kernel_cost(source, "nope", (torch.randn(4),))


def test_cost_of_a_kernel_object_binds_defaults(tmp_path):
    import importlib.util

    module_path = tmp_path / "scale_kernel.py"
    module_path.write_text(
        "import torch\nimport transpiler as helion\nimport transpiler.language as hl\n\n\n"
        "@helion.kernel()\n"
        "def scale(x: torch.Tensor, factor: float = 2.0) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * factor + 1.0\n"
        "    return out\n"
    )
    spec = importlib.util.spec_from_file_location("scale_kernel", module_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cost = cost_of(module.scale, torch.randn(1000, dtype=torch.float64))
    assert (cost.flops, cost.min_bytes) == (2000, 16000)


# -- devices ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NVIDIA H100 80GB HBM3", "H100 SXM"),
        ("NVIDIA H100 PCIe", "H100 PCIe"),
        ("NVIDIA H200", "H200 SXM"),
        ("NVIDIA A100-SXM4-80GB", "A100 SXM 80GB"),
        ("NVIDIA L4", "L4"),
        ("NVIDIA L40S", None),  # not an L4
        ("NVIDIA GeForce RTX 4090", "RTX 4090"),
        ("AMD Instinct MI300X", "MI300X"),
        ("NVIDIA H100 NVL", None),  # no row: better none than the SXM's numbers
    ],
)
def test_devices_are_found_by_the_name_torch_reports(name, expected):
    found = find_device(name)
    assert (found.name if found else None) == expected


@pytest.mark.parametrize("device", DEVICES, ids=lambda d: d.name)
def test_device_rows_are_dense_ordered_and_sourced(device):
    assert device.source and device.bandwidth > 1e11 and device.l2_bytes >= 40e6
    assert device.fp32 <= device.tf32 < device.bf16 == device.fp16  # 4090: tf32 = fp32
    if device.fp8 is not None:
        assert device.fp8 == pytest.approx(2 * device.bf16, rel=0.01)  # dense fp8 = 2 × bf16


def test_h100_sxm_numbers_are_the_dense_datasheet_values():
    h100 = find_device("NVIDIA H100 80GB HBM3")
    assert (h100.bandwidth, h100.bf16, h100.fp8, h100.fp32) == (3.35e12, 989.4e12, 1978.9e12, 67e12)


def test_measured_peaks_round_trip_through_the_cache_and_replace_the_table(tmp_path):
    path = tmp_path / "peaks.json"
    peaks = MeasuredPeaks("NVIDIA H100 80GB HBM3", 3.0e12, 7.4e14, "2.11", "2026-11-24")
    _store(peaks, path)
    assert load_measured("NVIDIA H100 80GB HBM3", path) == peaks
    assert load_measured("NVIDIA L4", path) is None
    assert json.loads(path.read_text())["NVIDIA H100 80GB HBM3"]["copy_bandwidth"] == 3.0e12
    measured = find_device(peaks.device_name).with_measured(peaks)
    assert (measured.bandwidth, measured.bf16, measured.fp8) == (3.0e12, 7.4e14, 1978.9e12)
    assert measured.measured == ("bandwidth", "bf16")


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU answer")
def test_measure_peaks_without_a_gpu_measures_nothing(tmp_path):
    assert measure_peaks(tmp_path / "peaks.json") is None
    assert not (tmp_path / "peaks.json").exists()


def test_the_current_gpu_is_measured_once_then_read_from_the_cache(tmp_path, monkeypatch):
    """The roofline plots this GPU's measured ceilings, not its datasheet (issue 18): the first
    call measures (stubbed here) and caches, the next reads the cache."""
    import transpiler.analysis.perf.devices as devices

    calls = []

    def copy_bandwidth() -> float:
        calls.append("copy")
        return 4.29e12

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda: "NVIDIA H200")
    monkeypatch.setattr(devices, "_copy_bandwidth", copy_bandwidth)
    monkeypatch.setattr(devices, "_bf16_matmul_rate", lambda: 7.07e14)
    path = tmp_path / "peaks.json"
    assert devices.current_device(path, measure=False).measured == ()  # the datasheet
    device = devices.current_device(path)
    assert (device.bandwidth, device.bf16, device.measured) == (
        4.29e12,
        7.07e14,
        ("bandwidth", "bf16"),
    )
    assert devices.current_device(path).bandwidth == 4.29e12 and calls == ["copy"]


# -- roofline arithmetic --------------------------------------------------------------------

H100 = find_device("NVIDIA H100 80GB HBM3")


def test_attainable_is_the_lower_roof_and_ridges_divide_peak_by_bandwidth():
    assert roofline.attainable(1.0, 3e12, 1e15) == 3e12  # memory-bound
    assert roofline.attainable(1e4, 3e12, 1e15) == 1e15  # compute-bound
    assert roofline.ridge_point(3.35e12, 989.4e12) == pytest.approx(295.3, rel=1e-3)
    roofs = roofline.roofs(H100)
    assert [r.precision for r in roofs] == ["fp32", "tf32", "bf16", "fp16", "fp8"]
    assert roofs[0].ridge == pytest.approx(67e12 / 3.35e12)


def test_floor_is_memory_time_for_memory_bound_and_flop_time_for_matmul():
    softmax = Cost(flops=5e8, min_bytes=4e8, tiled_bytes=4e8)
    assert roofline.floor_seconds(softmax, H100) == pytest.approx(4e8 / 3.35e12)
    assert roofline.percent_of_floor(softmax, 2 * 4e8 / 3.35e12, H100) == pytest.approx(50)
    flops = 2 * 8192**3
    matmul = Cost(flops=flops, min_bytes=3 * 8192**2 * 2, tiled_bytes=0, dot_flops=flops)
    assert roofline.precision_for(matmul, "bfloat16") == "bf16"
    assert roofline.precision_for(softmax, "bfloat16") == "fp32"
    assert roofline.floor_seconds(matmul, H100, "bf16") == pytest.approx(flops / 989.4e12)


def test_floor_lets_matrix_and_vector_units_overlap():
    attention = Cost(flops=1.02e12, min_bytes=5e8, tiled_bytes=0, dot_flops=1.0e12)
    matrix_seconds = 1.0e12 / 989.4e12
    assert roofline.floor_seconds(attention, H100, "bf16") == pytest.approx(matrix_seconds)
    softmax_heavy = Cost(flops=1.1e12, min_bytes=5e8, tiled_bytes=0, dot_flops=1e9)
    assert roofline.floor_seconds(softmax_heavy, H100, "bf16") == pytest.approx(
        (1.1e12 - 1e9) / 67e12
    )


def test_percent_of_attainable_agrees_with_percent_of_floor():
    cost = Cost(flops=1e9, min_bytes=2e9, tiled_bytes=2e9)
    seconds = 1e-3
    item = roofline.point("k", cost, seconds)
    assert item.intensity == 0.5 and item.achieved == 1e12 and item.bandwidth == 2e12
    assert roofline.percent_of_attainable(item, H100) == pytest.approx(
        roofline.percent_of_floor(cost, seconds, H100)
    )


def test_chart_holds_roofs_points_and_cloud_within_its_axes():
    costs = [Cost(1e9, 2e9, 2e9), Cost(1e9, 1e9, 1e9)]
    cloud = roofline.cloud("add", costs, [1e-3, 2e-3])
    points = [roofline.point("add", costs[0], 1e-3), roofline.point("copy", Cost(0, 1e9, 1e9), 1)]
    content = roofline.chart(H100, points, cloud)
    assert [p.label for p in content.points] == ["add"]  # no FLOPs: not on log axes
    assert [p.label for p in content.cloud] == ["add #0", "add #1"]
    (x_low, x_high), (y_low, y_high) = content.x_range, content.y_range
    for item in content.points + content.cloud:
        assert x_low <= item.intensity <= x_high and y_low <= item.achieved <= y_high
    for roof in content.roofs:
        assert x_low <= roof.ridge <= x_high and roof.peak <= y_high


def test_tuning_cloud_costs_each_candidate_at_its_block_sizes():
    source = HEADER + MATMUL_BODY.replace("{update}", MATMUL_SPELLINGS["hl.dot"])
    work = analyse(source, "matmul", (torch.randn(256, 512), torch.randn(512, 128)))
    timings = [(None, 2.0), ({"block_sizes": [128, 64, 32], "num_warps": 8}, 1.0)]
    cloud = roofline.tuning_cloud("matmul", work, timings, "tf32")
    assert [p.seconds for p in cloud] == [2e-3, 1e-3]
    assert cloud[0].flops == cloud[1].flops == 2 * 256 * 128 * 512
    assert cloud[1].label == "matmul #1" and cloud[1].precision == "tf32"
    assert work.cost([128, 64, 32]).tiled_bytes < work.cost().tiled_bytes  # bigger blocks


# -- figure and timing ----------------------------------------------------------------------


def test_roofline_figure_is_log_log_with_labels_and_a_point_per_kernel(tmp_path):
    pytest.importorskip("matplotlib")
    from transpiler.analysis.perf.plot import X_LABEL, Y_LABEL, plot_roofline

    measured = H100.with_measured(MeasuredPeaks(H100.name, 3.0e12, 7.4e14, "", ""))
    points = [roofline.point("softmax", Cost(5e8, 4e8, 4e8), 1.5e-4)]
    cloud = roofline.cloud("softmax", [Cost(5e8, 4e8, 4e8)] * 3, [2e-4, 3e-4, 4e-4])
    path = tmp_path / "roofline.png"
    figure = plot_roofline(measured, points, cloud, path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000
    axes = figure.axes[0]
    assert (axes.get_xscale(), axes.get_yscale()) == ("log", "log")
    assert (axes.get_xlabel(), axes.get_ylabel()) == (X_LABEL, Y_LABEL)
    labels = [t.get_text() for t in axes.get_legend().get_texts()]
    assert labels[0] == "memory 3.00 TB/s (measured)" and "bf16 740 TFLOP/s (measured)" in labels
    assert "fp8 1979 TFLOP/s (datasheet)" in labels
    assert "autotune candidates (3)" in labels
    annotations = [t.get_text() for t in axes.texts]
    percent = roofline.percent_of_attainable(points[0], measured)
    assert f"softmax ({percent:.0f}%)" in annotations
    assert sum(text.startswith("ridge") for text in annotations) == len(measured.precisions())


def test_many_points_are_numbered_with_a_key(tmp_path):
    pytest.importorskip("matplotlib")
    from transpiler.analysis.perf.plot import INLINE_LABELS, plot_roofline

    points = [
        roofline.point(f"kernel{i}", Cost(1e9 * (i + 1), 2e9, 2e9), 1e-3)
        for i in range(INLINE_LABELS + 2)
    ]
    axes = plot_roofline(H100, points, path=tmp_path / "many.png").axes[0]
    texts = [t.get_text() for t in axes.texts]
    numbers = [str(i) for i in range(1, len(points) + 1)]
    assert all(number in texts for number in numbers)
    key = next(t for t in texts if t.startswith("1  kernel0"))
    assert len(key.splitlines()) == len(points) and "kernel5 (" in key


def test_precisions_of_one_peak_share_one_roof_and_one_ridge_label(tmp_path):
    pytest.importorskip("matplotlib")
    from transpiler.analysis.perf.plot import plot_roofline

    axes = plot_roofline(H100, [], path=tmp_path / "shared.png").axes[0]  # bf16 = fp16 peaks
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert "bf16 / fp16 989 TFLOP/s (datasheet)" in legend
    assert not any(label.startswith(("bf16 989", "fp16 989")) for label in legend)
    ridges = [t.get_text() for t in axes.texts if t.get_text().startswith("ridge")]
    assert len(ridges) == len(set(ridges)) == 4  # fp32, tf32, bf16 / fp16, fp8: none on another


def test_rates_from_a_cost_and_a_time():
    got = rates(Cost(flops=2e12, min_bytes=3e9, tiled_bytes=6e9), ms=1.0)
    assert got == pytest.approx({"GB/s": 3000, "tiled GB/s": 6000, "TFLOP/s": 2000})


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU answer")
def test_time_kernel_says_why_it_did_not_time_on_cpu():
    timing = time_kernel(torch.add, torch.randn(4), torch.randn(4))
    assert timing.ms is None and "no CUDA device" in timing.reason and not timing


@pytest.mark.gpu
def test_time_kernel_gives_a_median_on_the_gpu():
    x = torch.randn(2**20, device="cuda")
    timing = time_kernel(torch.add, x, x)
    assert timing.ms is not None and 0 < timing.ms < 100


@pytest.mark.skipif(torch.cuda.is_available(), reason="on a GPU, run the benchmark itself")
def test_benchmark_script_checks_every_peer_on_tiny_sizes(tmp_path):
    import importlib.util

    path = Path(__file__).parents[1] / "benchmarks/bench.py"
    spec = importlib.util.spec_from_file_location("bench_under_test", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    report = bench.main(["--out", str(tmp_path), "--small", "--dtypes", "float32,float16"])
    rows = {(r["workload"], r["dtype"]): r for r in report["rows"]}
    assert ("softmax", "float32") in rows and ("matmul", "float16") in rows
    assert ("add", "float16") not in rows  # half precision only for the matrix workloads
    for row in rows.values():
        ours = row["peers"][0]
        assert ours["peer"] == "ours"
        assert ours.get("ok") or ours["note"].startswith("not supported yet"), ours
        assert row["flops"] > 0 and row["min_bytes"] > 0
    written = json.loads((tmp_path / "bench.json").read_text())
    assert len(written["rows"]) == len(report["rows"])


@pytest.mark.parametrize("name", ["NVIDIA L40S", "NVIDIA A10G", "NVIDIA GeForce RTX 3090"])
def test_a_gpu_the_table_lacks_is_described_by_its_measurements(tmp_path, monkeypatch, name):
    """An unknown GPU still gets a roofline: its copy bandwidth, bf16 and float32 matmul rates
    and L2 size measured (stubbed here) and cached; the datasheet table is not consulted."""
    import types

    import transpiler.analysis.perf.devices as devices

    calls = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda: name)
    props = types.SimpleNamespace(L2_cache_size=48 * 2**20)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda *device: props)
    monkeypatch.setattr(devices, "_copy_bandwidth", lambda: calls.append("copy") or 8.1e11)
    monkeypatch.setattr(devices, "_bf16_matmul_rate", lambda: 3.3e14)
    monkeypatch.setattr(devices, "_fp32_matmul_rate", lambda: calls.append("fp32") or 8.5e13)
    path = tmp_path / "peaks.json"
    assert devices.find_device(name) is None
    assert devices.current_device(path, measure=False) is None  # nothing measured yet
    device = devices.current_device(path)
    assert (device.name, device.bandwidth, device.fp32, device.bf16, device.fp16) == (
        name,
        8.1e11,
        8.5e13,
        3.3e14,
        3.3e14,
    )
    assert device.l2_bytes == 48 * 2**20 and device.tf32 is None and device.fp8 is None
    assert devices.current_device(path, measure=False) == device  # read from the cache
    assert calls == ["copy", "fp32"]
    for precision in ("fp32", "bf16", "fp16"):  # each a figure can be drawn in
        item = roofline.point("k", Cost(1e9, 1e9, 1e9), 2e-3, precision)
        assert 0 < roofline.percent_of_attainable(item, device) <= 100
