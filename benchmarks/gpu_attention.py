"""Attention in three spellings on a GPU against cuDNN's SDPA and torch.compile (issue 17).

    python benchmarks/gpu_attention.py [--out DIR] [--budget-s 20] [--size 4x32x4096x128]

The spellings, bf16, batch x heads = 4 x 32, 4096 queries and keys, head dimension 128:
- ours: benchmarks/kernels.py::attention_3d (batch x heads folded, a batch tile of block size 1,
  exp2 with the scale folded in);
- plain: benchmarks/plain_kernels.py::attention (`b = tile_bh.begin` as a scalar index,
  `k[b, tile_n, :].T`, torch.exp);
- helion: Helion's 4-D example (.helion_examples/attention.py::attention, git-ignored; its
  [4, 32, 4096, 128] inputs reshaped in its host code; it also returns the log-sum-exp).

Each is tuned on its first call by the decorator's search (fresh tuning cache: the wall time of
that call is the "first call s" column), then also run at fixed configurations (the variants:
warp-specialized TMA loops, persistent or not, 128 / 256 query rows, 4 / 8 warps). The peers:
cuDNN's and flash SDPA, torch.compile of SDPA, and real Helion (when `helion` imports: its own
example under its own decorator, at hand-picked configurations and its default; its autotuner
takes minutes). Every result is checked against float64 on the first heads before it is timed.
Times: triton's do_bench median, in rounds in which everything takes turns (as many as the
deadline leaves, ROUNDS at most); the median of the round medians. JSON lines go to
DIR/attention.jsonl, the tuning log to DIR/tuning.log; the table is last.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
import triton

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

ROUNDS = 7
CHECKED_HEADS = 4  # heads compared against float64 (all of them would take minutes)
SPELLINGS = {  # name: (file, kernel, inputs 4-D or folded 3-D)
    "ours": ("benchmarks/kernels.py", "attention_3d", "3d"),
    "plain": ("benchmarks/plain_kernels.py", "attention", "3d"),
    "helion": (".helion_examples/attention.py", "attention", "4d"),
}
WS = {"indexing": "tensor_descriptor", "range_warp_specializes": [True]}
TMA = {"indexing": "tensor_descriptor"}
PERSISTENT = {"pid_type": "persistent_interleaved"}
# name: (BLOCK_M, BLOCK_N, warps, stages, extra config); every spelling runs the first (the
# search's first candidate), the spelling "ours" all of them (the spellings' generated code is
# the same at one config, tests/test_attention_spellings.py)
VARIANTS = {
    "ws 128x128 w4 s2 persistent": (128, 128, 4, 2, {**WS, **PERSISTENT}),
    "ws 128x128 w4 s2 blocked": (128, 128, 4, 2, {**WS, "pid_type": "persistent_blocked"}),
    "ws 128x128 w4 s2": (128, 128, 4, 2, WS),
    "ws 128x128 w4 s1 persistent": (128, 128, 4, 1, {**WS, **PERSISTENT}),
    "ws 128x64 w4 s2 persistent": (128, 64, 4, 2, {**WS, **PERSISTENT}),
    "ws 128x64 w4 s3 persistent": (128, 64, 4, 3, {**WS, **PERSISTENT}),
    "ws 64x128 w4 s2 persistent": (64, 128, 4, 2, {**WS, **PERSISTENT}),
    "tma 128x128 w8 s3 persistent": (128, 128, 8, 3, {**TMA, **PERSISTENT}),
    "tma 128x64 w8 s3 persistent": (128, 64, 8, 3, {**TMA, **PERSISTENT}),
    "tma 256x64 w8 s2 persistent": (256, 64, 8, 2, {**TMA, **PERSISTENT}),
}


@functools.cache
def user_module(file: str):
    """The file as a user writes it against transpiler (Helion's examples through the shim)."""
    if file.startswith(".helion_examples"):
        import helion_shim

        os.environ["HELION_EXAMPLES_TUNE"] = "1"  # the shim keeps the decorator's tuning
        with helion_shim.installed(transpile_only=False):
            spec = importlib.util.spec_from_file_location("example_attention", ROOT / file)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        return module
    from gpu_autotune import user_module as plain_user_module

    return plain_user_module(file)


# Helion's own configurations for its example (block sizes: batch, queries, keys), in the
# order tried; each that compiles is a row. The first is the search's pick for our spellings.
HELION_CONFIGS = {
    "ws 128x128 w4 s2 persistent": {
        "block_sizes": [1, 128, 128], "num_warps": 4, "num_stages": 2,
        "indexing": "tensor_descriptor", "range_warp_specializes": [True],
        "pid_type": "persistent_interleaved",
    },
    "tma 128x128 w4 s2": {
        "block_sizes": [1, 128, 128], "num_warps": 4, "num_stages": 2,
        "indexing": "tensor_descriptor",
    },
    "default config": None,
}  # fmt: skip


def real_helion_kernels() -> dict[str, tuple[object, dict | None]]:
    """Helion's attention example under real Helion, one kernel per HELION_CONFIGS entry (its
    function re-decorated with the config); {} when helion does not import."""
    if importlib.util.find_spec("helion") is None:
        return {}
    import helion

    saved = os.environ.get("HELION_AUTOTUNE_EFFORT")
    os.environ["HELION_AUTOTUNE_EFFORT"] = "none"  # while decorating: our decorator reads it too
    try:
        spec = importlib.util.spec_from_file_location(
            "helion_attention", ROOT / SPELLINGS["helion"][0]
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        function = module.attention.fn
        kernels = {}
        for label, config in HELION_CONFIGS.items():
            settings = {"static_shapes": True}
            if config is not None:
                settings["config"] = helion.Config(**config)
            kernels[f"Helion 1.5 (real): {label}"] = (helion.kernel(function, **settings), config)
        return kernels
    finally:
        if saved is None:
            os.environ.pop("HELION_AUTOTUNE_EFFORT", None)
        else:
            os.environ["HELION_AUTOTUNE_EFFORT"] = saved


def inputs(kind: str, size: tuple[int, int, int, int]) -> tuple[torch.Tensor, ...]:
    torch.manual_seed(0)
    batch, heads, seq, dim = size
    shape = (batch, heads, seq, dim) if kind == "4d" else (batch * heads, seq, dim)
    return tuple(torch.randn(shape, device="cuda", dtype=torch.bfloat16) for _ in range(3))


def first(result):
    return result[0] if isinstance(result, tuple) else result


def exact_first_heads(q, k, v) -> torch.Tensor:
    """softmax(q kᵀ / √d) v in float64 for the first CHECKED_HEADS heads."""
    q3, k3, v3 = (t.reshape(-1, t.size(-2), t.size(-1))[:CHECKED_HEADS].double() for t in (q, k, v))
    scores = q3 @ k3.transpose(1, 2) / math.sqrt(q3.size(-1))
    return torch.softmax(scores, dim=-1) @ v3


def check(result: torch.Tensor, exact: torch.Tensor) -> float:
    got = result.reshape(-1, result.size(-2), result.size(-1))[:CHECKED_HEADS].double()
    return ((got - exact).norm() / exact.norm()).item()


def variant_launcher(file: str, kernel: str, args: tuple, config: dict):
    """The generated launcher of `kernel` at one fixed configuration."""
    module = user_module(file)
    bound = getattr(module, kernel).bind(args, config)
    return bound.launcher


def with_batch(config: dict, spelling: str) -> dict:
    """The variant's config for a spelling: Helion's example tunes its batch block too (1)."""
    block_m, block_n, warps, stages, extra = config
    sizes = [1, block_m, block_n] if spelling == "helion" else [block_m, block_n]
    return {"block_sizes": sizes, "num_warps": warps, "num_stages": stages, **extra}


def peers() -> dict:
    """cuDNN's SDPA, flash SDPA, torch.compile of SDPA: on the 4-D inputs."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    def backend(which):
        def run(q, k, v):
            with sdpa_kernel([which]):
                return F.scaled_dot_product_attention(q, k, v)

        return run

    compiled = torch.compile(lambda q, k, v: F.scaled_dot_product_attention(q, k, v))
    return {
        "SDPA cuDNN": backend(SDPBackend.CUDNN_ATTENTION),
        "SDPA flash": backend(SDPBackend.FLASH_ATTENTION),
        "torch.compile": compiled,
    }


def bench(function, args) -> float:
    return triton.testing.do_bench(
        lambda: function(*args), warmup=25, rep=100, return_mode="median"
    )


class Run:
    """The rows measured so far, each written to DIR/attention.jsonl as it comes."""

    def __init__(self, out: Path) -> None:
        self.rows: list[dict] = []
        self.functions: dict[str, tuple] = {}  # label → (function, args), checked
        self.log = (out / "attention.jsonl").open("a")

    def record(self, row: dict) -> None:
        self.rows.append(row)
        self.log.write(json.dumps(row) + "\n")
        self.log.flush()
        print(json.dumps(row), flush=True)

    def try_one(self, label: str, make, args: tuple, exact: torch.Tensor) -> None:
        """`make()` → (function, config); its first call timed (compiles and any search
        included), checked against float64, then timed once (the rounds come later)."""
        started = time.perf_counter()
        try:
            function, config = make()
            result = first(function(*args))
            torch.cuda.synchronize()
            seconds = time.perf_counter() - started
            error = check(result, exact)
            row = {"label": label, "first_call_s": round(seconds, 2), "config": config}
            row.update(rel_error=error, ok=error < 2e-2)
            if row["ok"]:
                self.functions[label] = (lambda *a, f=function: first(f(*a)), args)
                row["ms_once"] = bench(*self.functions[label])
            self.record(row)
        except Exception as caught:  # noqa: BLE001 - report and go on
            message = str(caught).strip().splitlines()
            why = f"{type(caught).__name__}: {(message[0] if message else '')[:200]}"
            self.record({"label": label, "error": why})


def trials(spelling: str, file: str, kernel: str, args: tuple, variants: bool) -> list:
    """(label, make) of a spelling: its decorator's first call (the search), then variants."""

    def tuned():
        function = getattr(user_module(file), kernel)
        return function, function.tuned_config(args)

    made = [(f"{spelling}: tuned", tuned)]
    chosen = list(VARIANTS.items())[: None if spelling == "ours" else 1] if variants else []
    for name, variant in chosen:
        config = with_batch(variant, spelling)
        made.append(
            (f"{spelling}: {name}", lambda c=config: (variant_launcher(file, kernel, args, c), c))
        )
    return made


def timed_in_rounds(run: Run, rounds: int) -> dict[str, float]:
    """Each checked function's median over `rounds` rounds in which all take turns, each round
    from another start (the GPU's clock drifts with its temperature); with no rounds, the
    single timing of try_one."""
    if rounds == 0:
        return {r["label"]: r["ms_once"] for r in run.rows if "ms_once" in r}
    samples: dict[str, list[float]] = {label: [] for label in run.functions}
    order = list(run.functions.items())
    for turn in range(rounds):  # each round starts one further along: no row always runs last
        shift = turn * len(order) // max(rounds, 1)
        for label, (function, args) in order[shift:] + order[:shift]:
            samples[label].append(bench(function, args))
    return {label: statistics.median(values) for label, values in samples.items()}


def table(run: Run, times: dict[str, float], flops: float, heading: str) -> None:
    sdpa, compiled = times.get("SDPA cuDNN"), times.get("torch.compile")
    print(f"\n{heading}\n")
    print("| what | ms | TFLOP/s | SDPA cuDNN / ours | torch.compile / ours | first call s |")
    print("|---|---|---|---|---|---|")
    first_calls = {r["label"]: r.get("first_call_s") for r in run.rows if "first_call_s" in r}
    for label, ms in sorted(times.items(), key=lambda item: item[1]):
        ratio = f"{sdpa / ms:.3f}" if sdpa else "—"
        ratio_compiled = f"{compiled / ms:.3f}" if compiled else "—"
        print(f"| {label} | {ms:.3f} | {flops / ms / 1e9:.0f} | {ratio} | {ratio_compiled} "
              f"| {first_calls.get(label, '')} |")  # fmt: skip
    for row in run.rows:
        if "error" in row or row.get("ok") is False:
            why = row.get("error") or f"rel_error {row['rel_error']:.3g}"
            print(f"not timed: {row['label']}: {why}")
    for row in run.rows:
        if row["label"].endswith(": tuned") and "config" in row:
            print(f"tuned {row['label']}: {row['config']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=os.environ.get("OUT", "/tmp/gpu_attention"))
    parser.add_argument("--budget-s", type=int, default=20, help="the search's budget")
    parser.add_argument("--size", default="4x32x4096x128")
    parser.add_argument("--no-variants", action="store_true")
    parser.add_argument(
        "--deadline-s", type=float, default=240.0, help="no timing rounds after this"
    )
    options = parser.parse_args()
    started = time.monotonic()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TRANSPILER_CACHE_DIR", tempfile.mkdtemp(prefix="tc_attention_"))
    # read by our decorator and by real Helion, which takes whole seconds only ("20", not
    # "20.0": the 20:5x run lost its Helion rows to that)
    os.environ["HELION_AUTOTUNE_BUDGET_SECONDS"] = str(options.budget_s)
    logging.basicConfig(filename=out / "tuning.log", level=logging.INFO)
    size = tuple(int(s) for s in options.size.split("x"))
    batch, heads, seq, dim = size
    run = Run(out)
    four_d = inputs("4d", size)
    exact = exact_first_heads(*four_d)
    for label, function in peers().items():
        run.try_one(label, lambda f=function: (f, None), four_d, exact)
    try:  # before our shim replaces `helion` for Helion's spelling on our decorator
        theirs = real_helion_kernels()
    except Exception as caught:  # noqa: BLE001 - report and go on
        run.record(
            {"label": "Helion 1.5 (real)", "error": f"{type(caught).__name__}: {caught}"[:200]}
        )
        theirs = {}
    headline, more = [], []  # each spelling's search and first variant, then the others
    for spelling, (file, kernel, kind) in SPELLINGS.items():
        args = inputs(kind, size)
        made = trials(spelling, file, kernel, args, not options.no_variants)
        headline += [(label, make, args) for label, make in made[:2]]
        more += [(label, make, args) for label, make in made[2:]]
    helion_rows = [  # after ours: a fault in Helion's kernels would end the CUDA context
        (label, lambda f=function, c=config: (f, c), four_d)
        for label, (function, config) in theirs.items()
    ]
    for label, make, args in headline + helion_rows + more:
        if time.monotonic() - started > options.deadline_s - 30:
            run.record({"label": label, "error": "skipped: the run's deadline is near"})
            continue
        run.try_one(label, make, args, exact)
    left = options.deadline_s - (time.monotonic() - started)
    once = 0.2 * len(run.functions)  # seconds a round takes: do_bench runs ~125 ms each
    rounds = min(ROUNDS, int(left * 0.8 / max(once, 0.01)))
    times = timed_in_rounds(run, rounds)
    for label, ms in times.items():
        run.record({"label": label, "ms": ms, "rounds": rounds})
    how = f"median of {rounds} rounds of do_bench medians" if rounds else "one do_bench median"
    heading = (
        f"attention {options.size} bf16, {torch.cuda.get_device_name()}, torch "
        f"{torch.__version__}, triton {triton.__version__}; {how}; "
        f"{time.monotonic() - started:.0f} s in all"
    )
    table(run, times, 4 * batch * heads * seq * seq * dim, heading)


if __name__ == "__main__":
    main()
