"""The search's compile pool (issue 17): compiles start while later candidates' launchers are
still being built, building stops at the search's deadline, and a process left compiling when a
budget ends is reused once its late reply is in (its imports are not paid again)."""

from __future__ import annotations

import time

import pytest
import torch
from helpers import DEVICE

import transpiler
import transpiler.language as hl
from transpiler.analysis.targets import target_named
from transpiler.run import precompile
from transpiler.run.compile_pool import OUT_OF_BUDGET, CompilePool

SM90 = target_named("sm_90")


@transpiler.kernel()
def scale_add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 3.0 + y[tile]
    return out


ARGS = (torch.randn(2999, device=DEVICE), torch.randn(2999, device=DEVICE))  # on a GPU, its own


@pytest.fixture()
def pool():
    made = CompilePool(1)  # one process: which one compiled what is known
    yield made
    made.close()


def _prefixed(monkeypatch, block: int | None, prefix: str) -> None:
    """Compiles of launches with BLOCK `block` (None: every launch) run `prefix` first."""
    real = precompile.compile_request

    def request(launch, code, target):
        made = real(launch, code, target)
        if block is None or block in launch.args or block in launch.kwargs.values():
            made["code"] = prefix + made["code"]
        return made

    monkeypatch.setattr(precompile, "compile_request", request)


def _precompile(bind, configs, pool, tmp_path, budget=120.0):
    return precompile.precompile(
        bind, configs, ARGS, SM90, pool, timeout=100.0, deadline=time.monotonic() + budget,
        failures=precompile.FailureCache(tmp_path / "failures.json"),
    )  # fmt: skip


def _bind(config):
    return scale_add.bind(ARGS, config).launcher


def test_compiles_start_while_later_launchers_are_built(monkeypatch, pool, tmp_path):
    marker = tmp_path / "compiled"
    _prefixed(monkeypatch, None, f"import pathlib\npathlib.Path({str(marker)!r}).touch()\n")
    seen = []

    def bind(config):
        if config is not None:  # built only after the default's compile has begun
            waited_until = time.monotonic() + 90.0
            while not marker.exists() and time.monotonic() < waited_until:
                time.sleep(0.05)
            seen.append(marker.exists())
        return _bind(config)

    outcome = _precompile(bind, [None, {"block_sizes": [256], "num_warps": 2}], pool, tmp_path)
    assert seen == [True]
    assert len(outcome.fitting) == 2
    assert 0 < outcome.built_seconds <= outcome.seconds


def test_building_stops_at_the_deadline(pool, tmp_path):
    slow, later = {"block_sizes": [256], "num_warps": 4}, {"block_sizes": [128], "num_warps": 4}

    def bind(config):
        if config is slow:
            time.sleep(3.0)  # a transpile that outlasts the budget
        return _bind(config)

    outcome = _precompile(bind, [None, slow, later], pool, tmp_path, budget=2.0)
    assert outcome.reason(later) == f"{OUT_OF_BUDGET}: not built in time"
    assert outcome.reason(slow).startswith(OUT_OF_BUDGET)  # built, but no time to compile


def test_a_process_the_budget_left_compiling_is_reused(monkeypatch, pool, tmp_path):
    assert _precompile(_bind, [None], pool, tmp_path).fitting == [None]  # the process started
    started_pid = pool._idle[0].popen.pid
    _prefixed(monkeypatch, 512, "import time\ntime.sleep(6)\n")
    hanging = {"block_sizes": [512], "num_warps": 4}
    cut = _precompile(_bind, [hanging], pool, tmp_path, budget=2.0)
    assert cut.reason(hanging).startswith(OUT_OF_BUDGET)
    assert pool.killed == 0 and [p.popen.pid for p in pool._busy] == [started_pid]
    time.sleep(6.0)  # its late reply comes in
    again = _precompile(_bind, [{"block_sizes": [128], "num_warps": 2}], pool, tmp_path)
    assert len(again.fitting) == 1
    assert not pool._busy and [p.popen.pid for p in pool._idle] == [started_pid]


def test_prestarted_processes_take_the_first_compiles(pool, tmp_path):
    pool.prestart()
    pool.prestart()  # up to the pool's size, not one more per call
    assert len(pool._idle) == 1
    started_pid = pool._idle[0].popen.pid
    assert _precompile(_bind, [None], pool, tmp_path).fitting == [None]
    assert [p.popen.pid for p in pool._idle] == [started_pid]
