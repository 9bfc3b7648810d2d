"""The autotuner's candidates on the roofline: the arithmetic, the figure, `roofline_figure`."""

from __future__ import annotations

import importlib.util

import pytest
import torch

from transpiler.analysis.perf import analyse, call_roofline, roofline, roofline_figure
from transpiler.analysis.perf.devices import find_device

H100 = find_device("H100 SXM")

MATMUL = """\
import torch
import transpiler as helion
import transpiler.language as hl


@helion.kernel()
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(x.dtype)
    return out
"""
ARGS = (torch.randn(256, 512), torch.randn(512, 128))
FLOPS = 2 * 256 * 128 * 512
# As transpiler.run.autotune.search reports a search: the default first (config None), then each
# candidate that compiled and agreed; the 128×64 blocks win, 2.4x faster than the default.
TIMINGS = [
    (None, 2.4),
    ({"block_sizes": [32, 32, 32], "num_warps": 4}, 3.0),
    ({"block_sizes": [128, 64, 32], "num_warps": 8, "num_stages": 3}, 1.0),
    ({"block_sizes": [64, 128, 64], "num_warps": 8}, 1.2),
]


@pytest.fixture(scope="module")
def work():
    return analyse(MATMUL, "matmul", ARGS)


@pytest.fixture
def kernel(tmp_path):
    """A `transpiler.kernel` whose source is a file (as a user's module)."""
    path = tmp_path / "matmul_kernel.py"
    path.write_text(MATMUL)
    spec = importlib.util.spec_from_file_location("matmul_kernel", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.matmul


# -- the arithmetic (no matplotlib) --------------------------------------------------------


def test_a_search_knows_its_default_its_choice_and_the_speedup(work):
    search = roofline.tuning("matmul", work, TIMINGS, "tf32")
    assert len(search.candidates) == 4 and (search.default, search.best) == (0, 2)
    assert search.baseline.seconds == pytest.approx(2.4e-3)
    assert search.chosen.seconds == pytest.approx(1.0e-3)
    assert search.chosen.label == "matmul #2" and search.chosen.precision == "tf32"
    assert search.speedup == pytest.approx(2.4)
    assert roofline.speedup_text(search) == "2.4x from tuning"
    assert all(p.flops == FLOPS for p in search.candidates)


def test_default_fastest_and_untimed_default_read_differently(work):
    fastest = roofline.tuning("matmul", work, [(None, 1.0), ({"block_sizes": [32, 32, 32]}, 2.0)])
    assert fastest.speedup == 1.0 and roofline.speedup_text(fastest) == "default config was fastest"
    no_default = roofline.tuning("matmul", work, TIMINGS[1:])
    assert no_default.default is None and no_default.speedup is None
    assert roofline.speedup_text(no_default) is None
    with pytest.raises(ValueError, match="timed nothing"):
        roofline.tuning("matmul", work, [])


def test_chart_puts_the_search_in_the_cloud_within_its_axes(work):
    search = roofline.tuning("matmul", work, TIMINGS, "tf32")
    tuned = roofline.Point("matmul", FLOPS, search.chosen.bytes, 1.05e-3, "tf32")
    content = roofline.chart(H100, [tuned], tuning=search)
    assert content.tuning is search and content.cloud == search.candidates
    assert content.points == (tuned,)
    (x_low, x_high), (y_low, y_high) = content.x_range, content.y_range
    for item in content.points + content.cloud:
        assert x_low <= item.intensity <= x_high and y_low <= item.achieved <= y_high
    assert roofline.cloud_label(len(content.cloud)) == "autotune candidates (4)"


def test_a_candidate_off_the_log_axes_drops_the_arrow_not_the_chart():
    free = roofline.Point("copy #0", 0.0, 1e6, 1e-3)
    search = roofline.Tuning((free, roofline.Point("copy #1", 1e6, 1e6, 5e-4)), 0, 1)
    content = roofline.chart(H100, [], tuning=search)
    assert content.tuning is None and [p.label for p in content.cloud] == ["copy #1"]


# -- the figure (Agg, PNG bytes) -----------------------------------------------------------


def _cloud_artists(axes):
    return [c for c in axes.collections if c.get_label().startswith("autotune candidates")]


def test_figure_draws_the_cloud_the_default_and_what_tuning_bought(work, tmp_path):
    pytest.importorskip("matplotlib")
    from transpiler.analysis.perf.plot import plot_roofline

    search = roofline.tuning("matmul", work, TIMINGS, "tf32")
    tuned = roofline.Point("matmul", FLOPS, search.chosen.bytes, 1.05e-3, "tf32")
    path = tmp_path / "tuned.png"
    figure = plot_roofline(H100, [tuned], tuning=search, path=path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    axes = figure.axes[0]
    (cloud,) = _cloud_artists(axes)
    assert len(cloud.get_offsets()) == 4 and 0 < cloud.get_alpha() < 1
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert "autotune candidates (4)" in legend and "default config (2.4 ms)" in legend
    texts = [t.get_text() for t in axes.texts]
    assert "2.4x from tuning" in texts
    percent = roofline.percent_of_attainable(tuned, H100)
    assert f"matmul ({percent:.0f}%)" in texts
    arrows = [t for t in axes.texts if t.arrow_patch is not None]
    assert len(arrows) == 1
    assert arrows[0].xy == pytest.approx((search.chosen.intensity, search.chosen.achieved))


def test_figure_without_a_search_has_no_cloud(tmp_path):
    pytest.importorskip("matplotlib")
    from transpiler.analysis.perf.plot import plot_roofline

    point = roofline.point("add", roofline.Cost(1e6, 1.2e7, 1.2e7), 5e-6)
    axes = plot_roofline(H100, [point]).axes[0]
    assert _cloud_artists(axes) == [] and not any("tuning" in t.get_text() for t in axes.texts)


# -- roofline_figure(kernel, *args) --------------------------------------------------------


def test_roofline_figure_of_a_tuned_call_shows_its_search(kernel):
    pytest.importorskip("matplotlib")
    from transpiler.run.autotune import shape_key

    kernel.last_tuning, kernel.last_tuning_key = list(TIMINGS), shape_key(ARGS)
    drawn = call_roofline(kernel, *ARGS, device=H100, ms=1.05)
    assert drawn.tuning is not None and drawn.tuning.speedup == pytest.approx(2.4)
    assert drawn.point.label == "matmul" and drawn.point.seconds == pytest.approx(1.05e-3)
    assert drawn.point.precision == "tf32" and drawn.point.flops == FLOPS
    axes = roofline_figure(kernel, *ARGS, device=H100, ms=1.05).axes[0]
    (cloud,) = _cloud_artists(axes)
    assert len(cloud.get_offsets()) == len(TIMINGS)
    assert "2.4x from tuning" in [t.get_text() for t in axes.texts]


def test_a_search_for_other_shapes_is_not_drawn(kernel):
    from transpiler.run.autotune import shape_key

    kernel.last_tuning = list(TIMINGS)
    kernel.last_tuning_key = shape_key((torch.randn(64, 64), torch.randn(64, 64)))
    drawn = call_roofline(kernel, *ARGS, device=H100, ms=1.05)
    assert drawn.tuning is None and drawn.chart().cloud == ()


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU answers")
def test_roofline_figure_on_cpu_says_what_it_needs(kernel):
    with pytest.raises(ValueError, match="pass device="):
        roofline_figure(kernel, *ARGS)
    with pytest.raises(RuntimeError, match="not timed .*no CUDA device.*pass ms="):
        roofline_figure(kernel, *ARGS, device=H100)


@pytest.mark.gpu
def test_a_real_search_becomes_the_cloud(kernel, monkeypatch, tmp_path):
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("TRANSPILER_CACHE_DIR", str(tmp_path))  # search, not the disk cache
    a = torch.randn(1024, 1024, device="cuda", dtype=torch.float16)
    drawn = call_roofline(kernel, a, a, device=H100)
    assert drawn.tuning is not None and len(drawn.tuning.candidates) >= 2
    assert drawn.tuning.default == 0 and drawn.point.precision == "fp16"
    axes = drawn.figure(path=tmp_path / "matmul.png").axes[0]
    (cloud,) = _cloud_artists(axes)
    assert len(cloud.get_offsets()) == len(kernel.last_tuning)
