"""A configuration no search chose (config=, or the defaults) is compiled for the GPU before
its first launch: one the device cannot hold is replaced by one that fits, with a warning, or
refused when none fits (run/fitting.py). Compiled for sm_90 on the CPU."""

from __future__ import annotations

import dataclasses
import warnings

import pytest
import torch
from helpers import device_args, on_device

import transpiler as helion
import transpiler.language as hl
from transpiler.analysis.targets.table import TARGETS
from transpiler.compile.frontend.errors import ConfigError
from transpiler.run import tuning
from transpiler.run.fitting import ConfigFallbackWarning, derived, fitting_config

SM90 = TARGETS["sm_90"]


@helion.kernel(config=helion.Config(block_sizes=[256, 256, 256], num_stages=4, num_warps=8))
def big_tiles(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


@helion.kernel(config=helion.Config(block_sizes=[32, 32, 32], num_stages=2))
def small_tiles(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += hl.dot(x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


def _args(m: int, k: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """On DEVICE: on a GPU the fitting check records launches of the launcher, which refuses
    CPU tensors (the configuration was then "not built", and nothing warned or refused)."""
    return device_args(
        (torch.randn(m, k, dtype=torch.float16), torch.randn(k, n, dtype=torch.float16))
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            {"block_sizes": [64, 64], "num_stages": 3},
            [
                {"block_sizes": [64, 64], "num_stages": 2},
                {"block_sizes": [64, 64], "num_stages": 1},
                {"block_sizes": [32, 32], "num_stages": 2},
                {"block_sizes": [16, 16], "num_stages": 2},
            ],
            id="stages-then-halved",
        ),
        pytest.param(
            {"block_sizes": [128, 16, 32], "num_stages": 1},
            [
                {"block_sizes": [64, 16, 32], "num_stages": 1},
                {"block_sizes": [32, 16, 32], "num_stages": 1},
                {"block_sizes": [16, 16, 16], "num_stages": 1},
            ],
            id="largest-first",
        ),
    ],
)
def test_derived_fallbacks_keep_the_users_choices_first(given, expected):
    assert derived(given) == expected


def test_a_config_over_shared_memory_falls_back_with_a_warning():
    args = _args(200, 300, 136)
    results = big_tiles.bind(args).compile_for("sm_90")
    assert not results[0].fits  # the given one: 256 x 256 x 256 tiles, 4 stages
    assert any("shared memory" in why for why in results[0].exceeded)
    with pytest.warns(ConfigFallbackWarning, match=r"does not fit .*shared memory") as caught:
        chosen = fitting_config(big_tiles, args, SM90)
    (warning,) = [w for w in caught if w.category is ConfigFallbackWarning]
    assert "256" in str(warning.message)  # it names the configuration given
    assert chosen is not None and chosen["num_warps"] == 8  # the user's other choices kept
    (result,) = big_tiles.bind(args).compile_for("sm_90", config=chosen)
    assert result.fits and result.shared_bytes <= SM90.shared_per_block
    # the fallback computes the product (the interpreter or the GPU, against float64)
    out = on_device(big_tiles.bind(args, chosen))(*args)
    expected = args[0].cpu().double() @ args[1].cpu().double()
    torch.testing.assert_close(out.double(), expected, atol=0.2, rtol=2e-2)


def test_a_config_that_fits_is_kept_without_a_warning():
    args = _args(96, 80, 48)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fitting_config(small_tiles, args, SM90) is None


def test_no_configuration_fits_is_refused_naming_the_limit():
    tiny = dataclasses.replace(SM90, shared_per_block=512, shared_per_sm=512)
    args = _args(64, 64, 64)
    with pytest.raises(ConfigError, match=r"does not fit .*shared memory") as caught:
        fitting_config(small_tiles, args, tiny)
    assert "block_sizes" in caught.value.hint


@helion.kernel(
    configs=[
        helion.Config(block_sizes=[32, 32, 32], num_stages=2),
        helion.Config(block_sizes=[16, 16, 16], num_stages=2),
    ],
    autotune_budget_seconds=300,  # compiles on a busy CPU: never out of budget here
)
def searched_tiles(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


def test_a_search_where_nothing_fits_is_refused_before_any_launch(monkeypatch):
    tiny = dataclasses.replace(SM90, shared_per_block=512, shared_per_sm=512)
    monkeypatch.setattr(tuning, "device_target", lambda: tiny)
    monkeypatch.setattr(tuning, "search", _never_launched)
    with pytest.raises(ConfigError, match=r"no configuration fits .*shared memory .* 2 candidates"):
        tuning.tune(searched_tiles, _args(64, 48, 32))


def _never_launched(*args, **kwargs):
    raise AssertionError("a configuration the device cannot hold was launched")
