"""Lab: which launch form of an 8,192-wide row kernel reaches 97% of the copy floor on this GPU
(issue 17)? Our sweep's best whole-row softmax was 95.7% on the H200 (2026-12-06) and
torch.compile's RMS norm 98.7%, so this times hand-written forms of the same three kernels
(softmax, layer norm, RMS norm; bf16, 16384 x 8192) side by side:

- `whole`: one row per program, the row in registers (what our search picks today);
- `persistent`: k programs per SM, each walking rows with `tl.range(..., num_stages=s)` so the
  next row's load is issued while this one reduces;
- `streaming`: `whole` with evict-first loads and streaming (`.cs`) stores;
- `two_pass`: a chunk loop for the statistics, then a second loop re-reading the row (from L2)
  to write it;
- our transpiler's own persistent and whole-row configs, and torch.compile.

Each is checked against float64 first, then timed in turns (do_bench medians). Run on the GPU:

    python3 benchmarks/lab/rows_forms.py --out $OUT/forms [--rounds 5]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import triton
import triton.language as tl
from turns import in_turns

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

ROWS, WIDTH = 16384, 8192
KINDS = {"softmax": 0, "layer_norm": 1, "rms_norm": 2}


@triton.jit
def _row(x, w, b, KIND: tl.constexpr, WIDTH: tl.constexpr):
    """One row's result from its float32 values (KIND: 0 softmax, 1 layer norm, 2 RMS norm)."""
    if KIND == 0:
        e = tl.exp(x - tl.max(x, 0))
        return e / tl.sum(e, 0)
    elif KIND == 1:
        mean = tl.sum(x, 0) / WIDTH
        centred = x - mean
        rstd = tl.rsqrt(tl.sum(centred * centred, 0) / WIDTH + 1e-5)
        return centred * rstd * w + b
    else:
        rstd = tl.rsqrt(tl.sum(x * x, 0) / WIDTH + 1e-6)
        return x * rstd * w


@triton.jit
def whole_kernel(x_ptr, w_ptr, b_ptr, out_ptr, KIND: tl.constexpr, WIDTH: tl.constexpr,
                 STREAM: tl.constexpr):  # fmt: skip
    row = tl.program_id(0).to(tl.int64)
    cols = tl.arange(0, WIDTH)
    w = tl.load(w_ptr + cols).to(tl.float32)
    b = tl.load(b_ptr + cols).to(tl.float32)
    if STREAM:
        x = tl.load(x_ptr + row * WIDTH + cols, eviction_policy="evict_first").to(tl.float32)
        y = _row(x, w, b, KIND, WIDTH)
        tl.store(out_ptr + row * WIDTH + cols, y.to(out_ptr.dtype.element_ty), cache_modifier=".cs")
    else:
        x = tl.load(x_ptr + row * WIDTH + cols).to(tl.float32)
        y = _row(x, w, b, KIND, WIDTH)
        tl.store(out_ptr + row * WIDTH + cols, y.to(out_ptr.dtype.element_ty))


@triton.jit
def persistent_kernel(x_ptr, w_ptr, b_ptr, out_ptr, rows, KIND: tl.constexpr,
                      WIDTH: tl.constexpr, PROGRAMS: tl.constexpr, STAGES: tl.constexpr):  # fmt: skip
    cols = tl.arange(0, WIDTH)
    w = tl.load(w_ptr + cols).to(tl.float32)
    b = tl.load(b_ptr + cols).to(tl.float32)
    for row in tl.range(tl.program_id(0), rows, PROGRAMS, num_stages=STAGES):
        offset = row * WIDTH  # 16384 x 8192 < 2**31
        x = tl.load(x_ptr + offset + cols).to(tl.float32)
        y = _row(x, w, b, KIND, WIDTH)
        tl.store(out_ptr + offset + cols, y.to(out_ptr.dtype.element_ty))


@triton.jit
def two_pass_kernel(x_ptr, w_ptr, b_ptr, out_ptr, KIND: tl.constexpr, WIDTH: tl.constexpr,
                    CHUNK: tl.constexpr):  # fmt: skip
    row = tl.program_id(0).to(tl.int64)
    cols = tl.arange(0, CHUNK)
    first = tl.zeros([CHUNK], tl.float32)  # softmax: running max; norms: sum
    second = tl.zeros([CHUNK], tl.float32)  # softmax: running sum; norms: sum of squares
    if KIND == 0:
        first = tl.full([CHUNK], float("-inf"), tl.float32)
    for start in tl.range(0, WIDTH, CHUNK):
        x = tl.load(x_ptr + row * WIDTH + start + cols, eviction_policy="evict_last")
        x = x.to(tl.float32)
        if KIND == 0:
            grown = tl.maximum(first, x)
            second = second * tl.exp(first - grown) + tl.exp(x - grown)
            first = grown
        else:
            first += x
            second += x * x
    if KIND == 0:
        peak = tl.max(first, 0)
        scale = tl.sum(second * tl.exp(first - peak), 0)
        mean = peak
        rstd = 1.0 / scale
    elif KIND == 1:
        mean = tl.sum(first, 0) / WIDTH
        rstd = tl.rsqrt(tl.sum(second, 0) / WIDTH - mean * mean + 1e-5)
    else:
        mean = 0.0
        rstd = tl.rsqrt(tl.sum(second, 0) / WIDTH + 1e-6)
    for start in tl.range(0, WIDTH, CHUNK):
        x = tl.load(x_ptr + row * WIDTH + start + cols, eviction_policy="evict_first")
        x = x.to(tl.float32)
        if KIND == 0:
            y = tl.exp(x - mean) * rstd
        elif KIND == 1:
            w = tl.load(w_ptr + start + cols).to(tl.float32)
            b = tl.load(b_ptr + start + cols).to(tl.float32)
            y = (x - mean) * rstd * w + b
        else:
            w = tl.load(w_ptr + start + cols).to(tl.float32)
            y = x * rstd * w
        tl.store(out_ptr + row * WIDTH + start + cols, y.to(out_ptr.dtype.element_ty))


def eager(kind: str, x, w, b):
    if kind == "softmax":
        return torch.softmax(x.float(), -1).to(x.dtype) if x.dtype != torch.float64 else \
            torch.softmax(x, -1)  # fmt: skip
    if kind == "layer_norm":
        return torch.nn.functional.layer_norm(x, (x.size(-1),), w, b, eps=1e-5)
    return torch.nn.functional.rms_norm(x, (x.size(-1),), w, eps=1e-6)


def forms(kind: str, x, w, b, out, sms: int) -> dict[str, object]:
    code = KINDS[kind]
    found = {}
    for warps, stream in itertools.product((8, 16), (False, True)):
        name = f"{'streaming' if stream else 'whole'} w{warps}"
        found[name] = lambda warps=warps, stream=stream: whole_kernel[(ROWS,)](
            x, w, b, out, code, WIDTH, stream, num_warps=warps
        )
    for per_sm, stages, warps in itertools.product((1, 2, 4), (1, 2, 3), (8, 16)):
        if per_sm * warps > 64:
            continue
        programs = per_sm * sms
        found[f"persistent {per_sm}/SM s{stages} w{warps}"] = (
            lambda programs=programs, stages=stages, warps=warps: persistent_kernel[(programs,)](
                x, w, b, out, ROWS, code, WIDTH, programs, stages, num_warps=warps
            )
        )
    for chunk, warps in itertools.product((2048, 4096), (4, 8)):
        found[f"two_pass c{chunk} w{warps}"] = lambda chunk=chunk, warps=warps: two_pass_kernel[
            (ROWS,)
        ](x, w, b, out, code, WIDTH, chunk, num_warps=warps)
    return found


def ours(kind: str, inputs: tuple, sms: int) -> dict[str, object]:
    """The transpiler's own softmax / layer norm / RMS norm (tests/kernels) at a few configs."""
    from gpu_autotune import user_module
    from workloads import workloads

    workload = {w.name: w for w in workloads(False)}[kind]
    base = getattr(user_module(workload.file), workload.kernel)
    args = workload.kernel_args(inputs)
    found = {}
    configs = [{"block_sizes": [1], "num_warps": w, "reduction_loops": [None]} for w in (8, 16)]
    configs += [
        {
            "block_sizes": [1],
            "num_warps": w,
            "reduction_loops": [None],
            "num_stages": s,
            "pid_type": "persistent_interleaved",
        }  # fmt: skip
        for w, s in itertools.product((8, 16), (1, 2, 3))
    ]
    for config in configs:
        try:
            launcher = base.bind(args, config).launcher
            found[f"ours {json.dumps(config, sort_keys=True)}"] = (
                lambda f=launcher, a=args, pick=workload.pick: pick(f(*a))
            )
        except Exception as failed:  # noqa: BLE001 - a config failing is a result
            print(f"ours {config}: {type(failed).__name__}: {str(failed)[:120]}", flush=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--deadline-s", type=float, default=400)
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    from transpiler.analysis.perf import devices

    bandwidth = devices.measure_peaks(refresh=True).copy_bandwidth
    sms = torch.cuda.get_device_properties(0).multi_processor_count
    print(f"{torch.cuda.get_device_name()}: copy {bandwidth / 1e9:.0f} GB/s, {sms} SMs", flush=True)
    report, inductor = [], []
    for kind in KINDS:
        if time.monotonic() - started > options.deadline_s:
            print(f"{kind}: skipped at the deadline", flush=True)
            continue
        torch.manual_seed(0)
        x = torch.randn(ROWS, WIDTH, device="cuda", dtype=torch.bfloat16)
        w = torch.randn(WIDTH, device="cuda", dtype=torch.bfloat16)
        b = torch.randn(WIDTH, device="cuda", dtype=torch.bfloat16)
        out = torch.empty_like(x)
        exact = eager(kind, x[:64].double(), w.double(), b.double())
        functions = forms(kind, x, w, b, out, sms)
        checked, notes = {}, {}
        for name, function in functions.items():
            try:
                out.fill_(float("nan"))
                function()
                torch.cuda.synchronize()
                error = ((out[:64].double() - exact).norm() / exact.norm()).item()
                if not error < 2e-2:
                    notes[name] = f"wrong: {error:.3g}"
                    continue
                checked[name] = function
            except Exception as failed:  # noqa: BLE001 - a form failing is a result
                notes[name] = f"{type(failed).__name__}: {str(failed)[:120]}"
        inputs = {"softmax": (x,), "layer_norm": (x, w, b), "rms_norm": (x, w)}[kind]
        for name, function in ours(kind, inputs, sms).items():
            result = function()
            error = ((result[:64].double() - exact).norm() / exact.norm()).item()
            if error < 2e-2:
                checked[name] = function
            else:
                notes[name] = f"wrong: {error:.3g}"
        compiled = torch.compile(lambda *a, kind=kind: eager(kind, *a), dynamic=False)
        full = {"softmax": (x, None, None), "layer_norm": (x, w, b), "rms_norm": (x, w, None)}
        checked["torch.compile"] = lambda c=compiled, a=full[kind]: c(*a)
        checked["torch eager"] = lambda a=full[kind], kind=kind: eager(kind, *a)
        try:
            from torch._inductor.utils import run_and_get_code

            _, codes = run_and_get_code(torch.compile(lambda *a, kind=kind: eager(kind, *a),
                                                      dynamic=False), *full[kind])  # fmt: skip
            inductor.append(f"# ===== {kind}\n" + "\n\n".join(codes))
        except Exception as failed:  # noqa: BLE001
            inductor.append(f"# ===== {kind}: {failed}")
        samples = in_turns(checked, rounds=options.rounds, rep=40)
        moved = x.numel() * x.element_size() * 2
        floor_ms = moved / bandwidth * 1e3
        rows = sorted((statistics.median(v), k) for k, v in samples.items())
        report.append({"kernel": kind, "floor_ms": floor_ms, "times": rows, "notes": notes})
        (options.out / "forms.json").write_text(json.dumps(report, indent=1))
        (options.out / "inductor.py").write_text("\n\n".join(inductor))
        print(f"\n{kind}: floor {floor_ms:.4f} ms, {len(rows)} timed", flush=True)
        for ms, name in rows:
            print(f"  {100 * floor_ms / ms:5.1f}%  {ms:.4f} ms  {name}", flush=True)
        for name, note in notes.items():
            print(f"  not timed: {name}: {note}", flush=True)


if __name__ == "__main__":
    main()
