"""The autotuner never keeps a configuration the device cannot hold (issue 15: se_block)."""

from __future__ import annotations

import pytest
import torch
from triton.runtime.errors import OutOfResources

from transpiler.run import autotune


def fake_build(shared_bytes: dict, limit: int = 232448):
    """Launchers of configs needing `shared_bytes[block]` of shared memory (the default's under
    None); those past `limit` fail as Triton's launch does."""

    def build(config):
        block = None if config is None else config["block_sizes"][0]

        def launch(x):
            if shared_bytes[block] > limit:
                raise OutOfResources(shared_bytes[block], limit, "shared memory")
            return x * 2

        launch.block = block
        return launch

    return build


@pytest.fixture
def timed_by_block(monkeypatch):
    """Timings without a GPU: a launcher's time is its block size (smaller is faster)."""
    monkeypatch.setattr(
        autotune, "_time", lambda launcher, args, rep=20: float(launcher.block or 999)
    )


def test_a_default_too_big_falls_back_to_the_fastest_that_fits(timed_by_block):
    build = fake_build({None: 2_200_000, 64: 300_000, 32: 150_000, 16: 80_000})
    configs = [{"block_sizes": [b]} for b in (64, 32, 16)]
    best, timings = autotune.search(build, configs, (torch.ones(3),))
    assert best == {"block_sizes": [16]}
    assert [c for c, _ in timings] == [{"block_sizes": [32]}, {"block_sizes": [16]}]


def test_nothing_fits_says_why(timed_by_block):
    build = fake_build({None: 2_200_000, 64: 900_000})
    with pytest.raises(OutOfResources, match="shared memory"):
        autotune.search(build, [{"block_sizes": [64]}], (torch.ones(3),))


def test_other_failures_of_the_default_are_not_hidden(timed_by_block):
    def build(config):
        def launch(x):
            raise ValueError("a bug, not a size")

        return launch

    with pytest.raises(ValueError, match="a bug"):
        autotune.search(build, [{"block_sizes": [16]}], (torch.ones(3),))
