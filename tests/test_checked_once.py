"""A search transpiles one source once per configuration: the checks that read nothing but the
source (pipeline._checked, Source.check_once) run once, their kernels copied, and give the same
module as a fresh transpile; a check that fails still fails on every transpile."""

from __future__ import annotations

import pytest

from transpiler.compile import pipeline
from transpiler.compile.frontend.errors import StoreRaceError

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def scaled_rows(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    m, n = x.size()
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n] * w[tile_n]
    return out
"""

RACY = SOURCE.replace(
    "x[tile_m, tile_n] * w[tile_n]",
    "x[tile_m, tile_n] * w[tile_n]\n        x[tile_m, tile_n] = x[tile_m, :].sum(-1, keepdim=True)",
)  # noqa: E501

CONFIGS = [{"block_sizes": [16, 32], "num_warps": 4}, {"block_sizes": [8, 64], "num_warps": 2}]


def test_checks_run_once_per_source_and_the_module_is_as_fresh(monkeypatch):
    pipeline._CHECKED.clear()
    calls = []
    real = pipeline.check_device_rules
    monkeypatch.setattr(pipeline, "check_device_rules", lambda *a: calls.append(1) or real(*a))
    kept = [pipeline.transpile_module(SOURCE, config=c).code for c in CONFIGS]
    assert len(calls) == 1
    for config, code in zip(CONFIGS, kept, strict=True):
        pipeline._CHECKED.clear()
        assert pipeline.transpile_module(SOURCE, config=config).code == code
    assert kept[0] != kept[1]


@pytest.mark.parametrize("config", CONFIGS)
def test_a_failed_check_fails_every_transpile(config):
    pipeline._CHECKED.clear()
    for _ in range(2):
        with pytest.raises(StoreRaceError):
            pipeline.transpile_module(RACY, config=config)


NAMES = ("scaled_rows", "shifted_rows")
TWO_KERNELS = SOURCE + SOURCE.split("\n\n\n", 1)[1].replace("scaled_rows", "shifted_rows").replace(
    "x[tile_m, tile_n] * w[tile_n]", "x[tile_m, tile_n] + w[tile_n]"
)


def test_a_file_of_kernels_each_transpiled_alone_is_parsed_once(monkeypatch):
    """`only` one kernel, then the other (a test per kernel of one file): one parse, and each
    module as a fresh transpile writes it."""
    pipeline._CHECKED.clear()
    parses = []
    real = pipeline.Source.parse
    monkeypatch.setattr(pipeline.Source, "parse", lambda *a: parses.append(1) or real(*a))
    kept = {name: pipeline.transpile_module(TWO_KERNELS, only=(name,)).code for name in NAMES}
    assert len(parses) == 1
    for name, code in kept.items():
        pipeline._CHECKED.clear()
        assert pipeline.transpile_module(TWO_KERNELS, only=(name,)).code == code
        assert f"def {name}(" in code and f"def {({*NAMES} - {name}).pop()}(" not in code
