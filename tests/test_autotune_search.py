"""The autotuner's search (issue 17): compiles in parallel processes for sm_90 under a hard
budget, a hanging compile abandoned, pruning by the compiled kernel's resources, duplicate
binaries dropped, failures remembered on disk, effort levels, a space for an unknown GPU."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
import torch
from helpers import DEVICE

import transpiler
import transpiler.language as hl
from transpiler.analysis.targets import target_named
from transpiler.compile.frontend.errors import ConfigError
from transpiler.run import autotune, precompile, tile_configs, tuning
from transpiler.run.compile_pool import OUT_OF_BUDGET, TIMED_OUT, CompilePool
from transpiler.run.tune_settings import tune_settings
from transpiler.run.tune_space import fit_to_device, order_by_cost

SM90 = target_named("sm_90")


@transpiler.kernel()
def shift_scale(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2.0 - y[tile]
    return out


@transpiler.kernel()
def row_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].sum(-1)
    return out


@transpiler.kernel()
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


@pytest.fixture(scope="module")
def pool():
    made = CompilePool(2)
    yield made
    made.close()


def _hanging(monkeypatch, block: int, seconds: float = 120.0) -> None:
    """Compiles of launches with BLOCK `block` sleep first: a compile that hangs."""
    real = precompile.compile_request

    def request(launch, code, target):
        made = real(launch, code, target)
        if block in launch.args or block in launch.kwargs.values():
            made["code"] = f"import time\ntime.sleep({seconds})\n" + made["code"]
        return made

    monkeypatch.setattr(precompile, "compile_request", request)


def _elementwise(configs, pool, tmp_path, budget=90.0, timeout=60.0):
    x, y = torch.randn(3001, device=DEVICE), torch.randn(3001, device=DEVICE)
    return precompile.precompile(
        lambda c: shift_scale.bind((x, y), c).launcher, [None, *configs], (x, y), SM90, pool,
        timeout=timeout, deadline=time.monotonic() + budget,
        failures=precompile.FailureCache(tmp_path / "failures.json"),
    )  # fmt: skip


def test_a_hanging_compile_is_abandoned_and_remembered(monkeypatch, pool, tmp_path):
    _hanging(monkeypatch, 512)
    configs = [{"block_sizes": [512], "num_warps": 4}, {"block_sizes": [256], "num_warps": 2}]
    started = time.monotonic()
    first = _elementwise(configs, pool, tmp_path, timeout=6.0)
    assert time.monotonic() - started < 6.0 + 40.0  # the timeout, plus imports and compiles
    assert pool.killed >= 1
    assert first.reason(configs[0]).startswith(TIMED_OUT)
    assert configs[1] in first.fitting
    asked = []
    real_run = pool.run
    monkeypatch.setattr(
        pool,
        "run",
        lambda requests, *rest: real_run(asked.append(list(requests)) or asked[0], *rest),
    )
    again = _elementwise(configs, pool, tmp_path, timeout=6.0)  # from the failure cache
    assert again.reason(configs[0]).startswith("failed before: compile ran over")
    assert not any("sleep" in r["code"] for _, r in asked[0]) and len(asked[0]) == 2


def test_the_budget_ends_the_compiles(monkeypatch, pool, tmp_path):
    _hanging(monkeypatch, 128)
    _hanging(monkeypatch, 64)
    configs = [{"block_sizes": [128], "num_warps": 4}, {"block_sizes": [64], "num_warps": 4}]
    started = time.monotonic()
    outcome = _elementwise(configs, pool, tmp_path, budget=12.0, timeout=60.0)
    assert time.monotonic() - started < 12.0 + 8.0
    for config in configs:
        assert outcome.reason(config).startswith(OUT_OF_BUDGET)
    assert not (tmp_path / "failures.json").exists()  # the budget's end is no one's fault


def test_duplicate_binaries_are_dropped(pool, tmp_path):
    # the default is 1024 elements at 4 warps; the third spells the second again
    configs = [
        {"block_sizes": [1024], "num_warps": 4},
        {"block_sizes": [256], "num_warps": 4},
        {"num_warps": 4, "block_sizes": [256]},
        {"block_sizes": [256], "num_warps": 8},
    ]
    outcome = _elementwise(configs, pool, tmp_path)
    assert outcome.fitting == [None, configs[1], configs[3]]
    assert outcome.reason(configs[0]) == "the same binary as None"
    assert outcome.reason(configs[2]) == f"the same binary as {configs[1]}"


def test_pruned_by_the_compiled_kernels_shared_memory(pool, tmp_path):
    x, y = (
        torch.randn(300, 200, device=DEVICE),
        torch.randn(200, 129, device=DEVICE),
    )  # float32: 4-byte operands
    big = {"block_sizes": [128, 128, 128], "num_warps": 4, "num_stages": 4}
    small = {"block_sizes": [32, 32, 32], "num_warps": 4, "num_stages": 2}
    outcome = precompile.precompile(
        lambda c: matmul.bind((x, y), c).launcher, [big, small], (x, y), SM90, pool,
        timeout=120.0, deadline=time.monotonic() + 200.0,
    )  # fmt: skip
    assert outcome.fitting == [small]
    assert "over sm_90's limits" in outcome.reason(big) and "shared" in outcome.reason(big)
    (result,) = outcome.results[id(small)]
    assert 0 < result.shared_bytes <= SM90.shared_per_block and result.spills == 0


def test_a_config_the_kernel_cannot_take_is_dropped_not_raised(pool, tmp_path):
    bad = {"block_sizes": [100], "num_warps": 4}  # not a power of two
    outcome = _elementwise([bad], pool, tmp_path)
    assert outcome.fitting == [None] and outcome.reason(bad).startswith("not built")


@pytest.mark.parametrize(
    ("settings", "env", "expected"),
    [
        ({}, {}, ("full", 20.0)),
        ({"autotune_effort": "quick"}, {}, ("quick", 20.0)),
        ({}, {"HELION_AUTOTUNE_EFFORT": "none"}, ("none", 20.0)),
        ({"autotune_effort": "full"}, {"HELION_AUTOTUNE_EFFORT": "quick"}, ("full", 20.0)),
        ({"autotune_budget_seconds": 7}, {}, ("full", 7.0)),
        ({}, {"HELION_AUTOTUNE_BUDGET_SECONDS": "3.5"}, ("full", 3.5)),
    ],
)
def test_effort_and_budget_from_the_decorator_then_the_environment(
    monkeypatch, settings, env, expected
):
    for name in ("HELION_AUTOTUNE_EFFORT", "HELION_AUTOTUNE_BUDGET_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    chosen = tune_settings(settings)
    assert (chosen.effort, chosen.budget) == expected


@pytest.mark.parametrize(
    "settings",
    [
        {"autotune_effort": "fast"},
        {"autotune_budget_seconds": -1},
        {"autotune_budget_seconds": "x"},
    ],
)
def test_bad_settings_say_what_to_pass(settings):
    with pytest.raises(ConfigError) as caught:
        tune_settings(settings)
    assert caught.value.hint


def test_quick_effort_tries_fewer_candidates():
    quick, full = tune_settings({"autotune_effort": "quick"}), tune_settings({})
    space = tile_configs.candidates((("BLOCK_M", "mn"), ("BLOCK_N", "mn"), ("BLOCK_K", "k")))
    assert 0 < quick.most_candidates < len(space) <= full.most_candidates
    assert quick.timing_ms < full.timing_ms


UNKNOWN_GPU = SimpleNamespace(  # what torch reports of a GPU the target table does not know
    name="Some GPU", major=8, minor=7, multi_processor_count=16, warp_size=32,
    shared_memory_per_block_optin=99 * 1024, shared_memory_per_multiprocessor=100 * 1024,
    regs_per_multiprocessor=65536, max_threads_per_multi_processor=1536, gcnArchName="",
)  # fmt: skip


def test_an_unknown_gpu_gets_a_space_of_its_own(monkeypatch):
    from transpiler.run import tune_space

    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda index: UNKNOWN_GPU)
    monkeypatch.setattr(tune_space, "TARGETS", {})
    device = tune_space.device_target()
    assert (device.name, device.sms, device.tma) == ("sm_87", 16, False)
    roles = ["mn", "mn", "k"]
    space = tile_configs.candidates(tuple((f"B{i}", r) for i, r in enumerate(roles)))
    fitted = fit_to_device(space, roles, device)
    assert fitted and len(fitted) < len(space)
    assert not any("indexing" in c or "range_warp_specializes" in c for c in fitted)
    assert all(tune_space._dot_shared_bytes(c, roles) <= 99 * 1024 for c in fitted)
    hopper = fit_to_device(space, roles, SM90)
    assert any(c.get("indexing") == "tensor_descriptor" for c in hopper)


def test_batch_blocks_of_one_in_the_space():
    roles = (("B", "batch"), ("M", "mn"), ("N", "mn"), ("K", "k"))
    assert {c["block_sizes"][0] for c in tile_configs.candidates(roles)} == {1}


def test_the_cost_model_orders_candidates_and_ties_keep_the_hand_order():
    configs = [{"block_sizes": [s]} for s in (16, 64, 32, 8)]
    ordered = order_by_cost(configs, lambda sizes: 1.0 / sizes[0], 1)
    assert [c["block_sizes"][0] for c in ordered] == [64, 32, 16, 8]
    tied = order_by_cost(configs, lambda sizes: 1.0, 1)
    assert tied == configs
    unknown = order_by_cost(configs, lambda sizes: None if sizes[0] == 64 else 1.0, 1)
    assert unknown[-1]["block_sizes"] == [64]


def test_first_call_search_on_cpu_compiles_prunes_and_times(monkeypatch, tmp_path, pool):
    """tune() end to end with the device faked as sm_90: real compiles, timings by block."""
    monkeypatch.setenv("TRANSPILER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(tuning, "device_target", lambda: SM90)
    monkeypatch.setattr(tuning, "compile_pool", lambda size: pool)
    monkeypatch.setattr(autotune, "_time", lambda launcher, args, rep=20: 1.0)
    x = torch.randn(37, 1000, device=DEVICE)
    kernel = transpiler.kernel(row_sums.fn, autotune_effort="quick", autotune_budget_seconds=200)
    config, timings = tuning.tune(kernel, (x,))
    quick = tune_settings({"autotune_effort": "quick"}).most_candidates
    assert 1 < len(timings) <= quick + 1
    assert timings[0][0] is None  # the default first, launched and agreeing
    result = kernel.bind((x,), config)(x)
    torch.testing.assert_close(result.double(), x.double().sum(-1), rtol=1e-4, atol=1e-4)


def test_the_pick_and_its_runner_up_are_logged_from_the_final_rounds(monkeypatch, caplog):
    times = iter([5.0, 3.0, 4.0] + [3.0, 2.0, 9.0] * 3)  # first pass, then three rounds
    monkeypatch.setattr(autotune, "_time", lambda launcher, args, rep=20: next(times))
    configs = [{"block_sizes": [b]} for b in (8, 16)]
    with caplog.at_level("INFO", logger="transpiler.autotune"):
        best, _ = autotune.search(
            lambda c: lambda x: x + 1, configs, (torch.ones(3, device=DEVICE),)
        )
    assert best == {"block_sizes": [16]}  # 4.0 ms in pass one, then 2.0 ms in every round
    assert "picked {'block_sizes': [16]} (2.0000 ms)" in caplog.text
    assert "runner-up {'block_sizes': [8]} (3.0000 ms)" in caplog.text  # first in pass one


@transpiler.kernel()
def chunk_sums_by_begin(x: torch.Tensor) -> torch.Tensor:
    batches, m, n = x.size()
    out = torch.empty([batches, m], dtype=x.dtype, device=x.device)
    for tile_b, tile_m in hl.tile([batches, m], block_size=[1, None]):
        b = tile_b.begin
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            acc = acc + x[b, tile_m, tile_n].sum(-1)
        out[b, tile_m] = acc.to(out.dtype)
    return out


@transpiler.kernel(dot_precision="ieee")  # float32 products compared at 1e-4: no TF32 on GPUs
def scores_by_begin(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    heads, m, d = q.size()
    n = k.size(1)
    out = torch.empty([heads, m], dtype=torch.float32, device=q.device)
    for tile_h, tile_m in hl.tile([heads, m], block_size=[1, None]):
        h = tile_h.begin
        best = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        for tile_n in hl.tile(n):
            s = q[h, tile_m, :] @ k[h, tile_n, :].T
            best = torch.maximum(best, s.float().amax(dim=-1))
        out[h, tile_m] = best
    return out


@transpiler.kernel()
def shifted_chunk_sums(x: torch.Tensor) -> torch.Tensor:
    batches, m, n = x.size()
    out = torch.empty([batches, m], dtype=x.dtype, device=x.device)
    for tile_b, tile_m in hl.tile([batches, m], block_size=[1, None]):
        acc = hl.zeros([tile_b, tile_m], dtype=torch.float32)
        for tile_n in hl.tile(1, n):  # tiles from 1: not 16-byte aligned, so pointers
            acc = acc + x[tile_b, tile_m, tile_n].sum(-1)
        out[tile_b, tile_m] = acc.to(out.dtype)
    return out


WARP_SPECIALIZED = {
    "num_warps": 4, "num_stages": 2,
    "indexing": "tensor_descriptor", "range_warp_specializes": [True],
}  # fmt: skip
BY_BEGIN = [
    (
        chunk_sums_by_begin,
        lambda: (torch.randn(3, 37, 53, device=DEVICE),),
        lambda x: x.double().sum(-1),
    ),
    (
        scores_by_begin,
        lambda: (torch.randn(2, 37, 16, device=DEVICE), torch.randn(2, 45, 16, device=DEVICE)),
        lambda q, k: (q.double() @ k.double().transpose(1, 2)).amax(-1),
    ),
]


@pytest.mark.parametrize(("kernel", "make", "reference"), BY_BEGIN)
def test_a_scalar_begin_index_is_copied_like_a_tile_of_one(kernel, make, reference):
    """`b = tile_b.begin; x[b, tile_m, ...]`: the batch index joins the rows of 2-D
    descriptors as a tile of block size 1 does, so the loop may be warp-specialized (on the
    descriptors' flag), and the result is right on both paths."""
    args = make()
    tunables = kernel.transpiled(args).tunables[kernel.name]
    config = {"block_sizes": [32] * len(tunables), **WARP_SPECIALIZED}
    bound = kernel.bind(args, config)
    source = bound.triton_source
    assert "warp_specialize=TENSOR_DESCRIPTORS" in source
    assert "_desc.load([b * m + pid_m * BLOCK_M" in source.replace("[h * m", "[b * m")
    assert ".size(0) != 1" in source  # pointers read a batch of one at any index; TMA cannot
    torch.testing.assert_close(bound(*args).double(), reference(*args), rtol=1e-4, atol=1e-4)


def test_pointer_loads_are_never_warp_specialized():
    """Loads TMA cannot copy (tiles starting at 1): no descriptors, and the loop asked to be
    warp-specialized stays a plain one (Triton 3.6's pass asserts on pointer loads)."""
    x = torch.randn(3, 37, 53, device=DEVICE)
    bound = shifted_chunk_sums.bind((x,), {"block_sizes": [32, 32], **WARP_SPECIALIZED})
    assert "warp_specialize" not in bound.triton_source
    assert "make_tensor_descriptor" not in bound.triton_source
    expected = x[..., 1:].double().sum(-1)
    torch.testing.assert_close(bound(x).double(), expected, rtol=1e-4, atol=1e-4)


def test_the_space_holds_each_configuration_once(monkeypatch):
    """Attention's two dot tiles take only M and N of the dot configurations: repeats go."""
    from transpiler.run.tune_settings import TuneSettings

    q = torch.randn(2, 40, 16, device=DEVICE)
    kernel = transpiler.kernel(scores_by_begin.fn)
    monkeypatch.setattr(tuning, "cost_estimate", lambda *args: lambda sizes: None)
    space, rows = tuning.tuning_space(kernel, (q, q), TuneSettings(), SM90)
    raw = tile_configs.candidates(kernel.transpiled((q, q)).tunables[kernel.name])
    assert len(space) < len(raw) and not rows
    assert all(space.count(config) == 1 for config in space)
    assert all(config in space for config in raw)


@pytest.mark.parametrize(
    ("shape", "chunks"),
    [
        ((5, 1000), set()),
        ((5, 5000), {512, 1024, 2048, 4096}),
        ((3, 40000), {512, 1024, 2048, 4096, 8192}),
    ],
)
def test_wide_rows_add_looped_candidates(monkeypatch, shape, chunks):
    monkeypatch.setattr(tuning, "cost_estimate", lambda *args: lambda sizes: None)
    x = torch.randn(*shape, device=DEVICE)
    kernel = transpiler.kernel(row_sums.fn)
    space, rows = tuning.tuning_space(kernel, (x,), tune_settings({}), SM90)
    loops = [c.get("reduction_loops") for c in space]
    assert {o[0] for o in loops if o and o[0] is not None} == chunks
    assert rows == (not chunks)  # rows per program prune a space of whole rows only
    whole = [o for o in loops if o == [None]]
    assert bool(whole) == (bool(chunks) and shape[1] <= 32768)  # whole rows only where they fit
    if not chunks:
        assert loops == [None] * len(space)  # no reduction_loops key: the default stands
    for config in space:
        if config.get("reduction_loops", [None])[0] is not None:  # two to four 16-byte loads
            lanes = config["block_sizes"][0] * config["reduction_loops"][0]  # float32: 8-16 lanes
            assert 8 <= lanes // (32 * config["num_warps"]) <= 16 and lanes <= 16384


def test_a_quick_search_tries_looped_rows_and_they_sum_the_rows(monkeypatch):
    monkeypatch.setattr(tuning, "cost_estimate", lambda *args: lambda sizes: None)
    x = torch.randn(3, 5003, device=DEVICE)
    kernel = transpiler.kernel(row_sums.fn, autotune_effort="quick")
    space, _ = tuning.tuning_space(kernel, (x,), tune_settings(kernel.settings), SM90)
    looped = [c for c in space if c["reduction_loops"] != [None]]
    assert looped and len(space) == tune_settings(kernel.settings).most_candidates
    for config in looped[:2]:
        whole = kernel.bind((x,), {**config, "reduction_loops": [None]})
        assert kernel.bind((x,), config).triton_source != whole.triton_source
        result = kernel.bind((x,), config)(x)
        torch.testing.assert_close(result.double(), x.double().sum(-1), rtol=1e-4, atol=1e-4)


@transpiler.kernel()
def one_row_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    losses = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n, block_size=1):
        row = logits[tile_n, :].float()
        target = torch.gather(row, 1, labels[tile_n][:, None]).squeeze(1)
        losses[tile_n] = torch.logsumexp(row, dim=-1) - target
    return losses.mean()


@pytest.mark.parametrize(("width", "whole_warps"), [(32000, {16, 32}), (9000, {8, 16, 32})])
def test_one_row_per_program_searches_forms_and_warps(monkeypatch, width, whole_warps):
    """A row tile fixed at one row has no block size to tune: the space is each form (whole
    row at 4-64 float32 lanes a thread, chunks at 8-16: two to four 16-byte loads), whole rows
    first where the row fits one block by default, else the forms in turns."""
    monkeypatch.setattr(tuning, "cost_estimate", lambda *args: lambda sizes: None)
    logits, labels = (
        torch.randn(3, width, device=DEVICE),
        torch.randint(0, width, (3,), device=DEVICE),
    )
    kernel = transpiler.kernel(one_row_loss.fn)
    space, _ = tuning.tuning_space(kernel, (logits, labels), tune_settings({}), SM90)
    forms = {}
    for config in space:
        forms.setdefault(config["reduction_loops"][0], set()).add(config["num_warps"])
    assert forms[None] == whole_warps and forms[2048] == {4, 8} and forms[1024] == {2, 4}
    assert forms[4096] == {8, 16} and forms[512] == {1, 2}
    # 8,192 lanes x (one load + four lane-wise accumulators: the logsumexp's two, the
    # gather's, the fused mean's) would take more than half an SM's registers
    assert 8192 not in forms
    if width > 16384:  # the forms in turns, each pipelined form right after its own
        key = lambda c: (c["reduction_loops"][0], c.get("num_stages"))  # noqa: E731
        first_round = space[: next(i for i, c in enumerate(space) if key(c) in map(key, space[:i]))]
        assert {key(c)[0] for c in first_round} == set(forms)  # a first round: every form
    else:
        assert [c["reduction_loops"][0] for c in space[:3]] == [None] * 3
    assert len(space) == len({tuple(sorted((k, str(v)) for k, v in c.items())) for c in space})


def test_the_pick_says_why_other_candidates_went_untimed(monkeypatch, caplog):
    """A search that times few of its candidates says why (a pick of the default "of 3 timed"
    on the H100 could not be read): failures, other results, row pruning, the budget."""
    monkeypatch.setattr(autotune, "_time", lambda launcher, args, rep=20: 1.0)

    def build(config):
        if config and config.get("fails"):
            raise RuntimeError("out of resource: shared memory, Required: 300000")
        return (lambda x: x * 2) if config and config.get("differs") else (lambda x: x + 0)

    configs = [{"fails": 1}, {"differs": 1}, {"block_sizes": [8]}, {"fails": 2}]
    with caplog.at_level("INFO", logger="transpiler.autotune"):
        best, timings = autotune.search(build, configs, (torch.ones(3, device=DEVICE),))
    assert [c for c, _ in timings] == [None, {"block_sizes": [8]}]
    assert "untimed: 2 RuntimeError, 1 a different result)" in caplog.text
    assert "skipped {'differs': 1}: its result differs from the default's" in caplog.text
    assert "skipped {'fails': 1}: RuntimeError: out of resource" in caplog.text
