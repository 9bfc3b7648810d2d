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
warp-specialized TMA loops, persistent or not, 128 / 256 query rows, 4 / 8 warps). Every result
is checked against float64 on the first heads before it is timed. Times: triton's do_bench
median, in ROUNDS rounds in which everything takes turns; the median of the round medians.
JSON lines go to DIR/attention.jsonl, the tuning log to DIR/tuning.log; the table is last.
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

ROUNDS = 3
CHECKED_HEADS = 4  # heads compared against float64 (all of them would take minutes)
SPELLINGS = {  # name: (file, kernel, inputs 4-D or folded 3-D)
    "ours": ("benchmarks/kernels.py", "attention_3d", "3d"),
    "plain": ("benchmarks/plain_kernels.py", "attention", "3d"),
    "helion": (".helion_examples/attention.py", "attention", "4d"),
}
WS = {"indexing": "tensor_descriptor", "range_warp_specializes": [True]}
VARIANTS = {  # name: (BLOCK_M, BLOCK_N, warps, stages, extra config)
    "ws 128x128 w4 s2 persistent": (128, 128, 4, 2, {**WS, "pid_type": "persistent_interleaved"}),
    "ws 128x128 w4 s2": (128, 128, 4, 2, WS),
    "ws 128x128 w8 s2 persistent": (128, 128, 8, 2, {**WS, "pid_type": "persistent_interleaved"}),
    "ws 256x128 w8 s2 persistent": (256, 128, 8, 2, {**WS, "pid_type": "persistent_interleaved"}),
    "ws 128x64 w4 s3 persistent": (128, 64, 4, 3, {**WS, "pid_type": "persistent_interleaved"}),
    "tma 128x128 w8 s3 (no ws)": (128, 128, 8, 3, {"indexing": "tensor_descriptor"}),
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


def peers(size) -> dict:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=os.environ.get("OUT", "/tmp/gpu_attention"))
    parser.add_argument("--budget-s", type=float, default=20.0)
    parser.add_argument("--size", default="4x32x4096x128")
    parser.add_argument("--no-variants", action="store_true")
    options = parser.parse_args()
    out = Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TRANSPILER_CACHE_DIR", tempfile.mkdtemp(prefix="tc_attention_"))
    os.environ["HELION_AUTOTUNE_BUDGET_SECONDS"] = str(options.budget_s)
    logging.basicConfig(filename=out / "tuning.log", level=logging.INFO)
    size = tuple(int(s) for s in options.size.split("x"))
    batch, heads, seq, dim = size
    flops = 4 * batch * heads * seq * seq * dim
    rows: list[dict] = []  # one per thing timed
    functions: dict[str, tuple] = {}  # label → (function, args)
    log = (out / "attention.jsonl").open("a")

    def record(row: dict) -> None:
        rows.append(row)
        log.write(json.dumps(row) + "\n")
        log.flush()
        print(json.dumps(row), flush=True)

    four_d = inputs("4d", size)
    exact = exact_first_heads(*four_d)
    for label, function in peers(size).items():
        try:
            error = check(function(*four_d), exact)
            functions[label] = (function, four_d)
            record({"label": label, "rel_error": error})
        except Exception as caught:  # noqa: BLE001 - one peer failing must not stop the run
            record({"label": label, "error": f"{type(caught).__name__}: {str(caught)[:200]}"})
    for spelling, (file, kernel, kind) in SPELLINGS.items():
        args = inputs(kind, size)
        trials = [("tuned", None)]
        if not options.no_variants:
            trials += [(name, with_batch(config, spelling)) for name, config in VARIANTS.items()]
        for name, config in trials:
            label = f"{spelling}: {name}"
            started = time.perf_counter()
            try:
                if config is None:  # the decorator's first call: search, then launch
                    function = getattr(user_module(file), kernel)
                    tuned = function.tuned_config(args)
                    result = first(function(*args))
                else:
                    function = variant_launcher(file, kernel, args, config)
                    tuned = config
                    result = first(function(*args))
                torch.cuda.synchronize()
                seconds = time.perf_counter() - started
                error = check(result, exact)
                ok = error < 2e-2
                if ok:
                    functions[label] = (lambda *a, f=function: first(f(*a)), args)
                record(
                    {"label": label, "first_call_s": round(seconds, 2), "config": tuned,
                     "rel_error": error, "ok": ok}
                )  # fmt: skip
            except Exception as caught:  # noqa: BLE001 - report and go on
                message = str(caught).strip().splitlines()
                record({"label": label, "error": f"{type(caught).__name__}: "
                        f"{(message[0] if message else '')[:200]}"})  # fmt: skip
    samples: dict[str, list[float]] = {label: [] for label in functions}
    for _ in range(ROUNDS):
        for label, (function, args) in functions.items():
            samples[label].append(
                triton.testing.do_bench(
                    lambda f=function, a=args: f(*a), warmup=25, rep=100, return_mode="median"
                )
            )
    times = {label: statistics.median(values) for label, values in samples.items()}
    sdpa = times.get("SDPA cuDNN")
    compiled = times.get("torch.compile")
    for label, ms in times.items():
        record({"label": label, "ms": ms, "tflops": flops / ms / 1e9})
    print(f"\nattention {options.size} bf16, {torch.cuda.get_device_name()}, "
          f"torch {torch.__version__}, triton {triton.__version__}; "
          f"median of {ROUNDS} rounds of do_bench medians\n")  # fmt: skip
    print("| what | ms | TFLOP/s | SDPA cuDNN / ours | torch.compile / ours | first call s |")
    print("|---|---|---|---|---|---|")
    first_calls = {r["label"]: r.get("first_call_s") for r in rows if "first_call_s" in r}
    for label, ms in sorted(times.items(), key=lambda item: item[1]):
        ratio = f"{sdpa / ms:.3f}" if sdpa else "—"
        ratio_compiled = f"{compiled / ms:.3f}" if compiled else "—"
        print(f"| {label} | {ms:.3f} | {flops / ms / 1e9:.0f} | {ratio} | {ratio_compiled} "
              f"| {first_calls.get(label, '')} |")  # fmt: skip
    failed = [r for r in rows if "error" in r or r.get("ok") is False]
    for row in failed:
        why = row.get("error") or f"rel_error {row['rel_error']:.3g}"
        print(f"not timed: {row['label']}: {why}")
    tuned = [r for r in rows if r["label"].endswith(": tuned") and "config" in r]
    for row in tuned:
        print(f"tuned {row['label']}: {row['config']}")


if __name__ == "__main__":
    main()
