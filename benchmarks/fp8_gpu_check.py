"""Float8 on the GPU (issue 15): our float8 kernels against float64, the accumulator's precision,
conversions against torch, and Helion's fp8_attention example through the harness.

Run from the repository root on a CUDA machine (sm_89 or newer), with `.whl` (libcst) and, for
the example, `.helion_examples` carried (`.whl_helion` too for real Helion's column):
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target /tmp/site .whl/*.whl .whl_helion/*.whl
    PYTHONPATH=/tmp/site:$PWD python3 benchmarks/fp8_gpu_check.py
(device tool: carry [".whl", ".whl_helion", ".helion_examples"]; about 6-8 minutes, most of it
the example's three checks, ours autotuned on first call, then real Helion's.) Without a GPU it
runs at 1/64 of the sizes in Triton's interpreter, nothing timed (a smoke test of the script;
`--example` adds the example there). Logs and fp8_gpu_check.json go to $OUT (default
/tmp/out); the table is printed last.
"""

# ruff: noqa: I001  (transpiler is imported before triton)
from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

import transpiler  # before triton: without a GPU it picks Triton's interpreter
import triton
import triton.testing
from transpiler.run.runtime import load_module

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (ROOT / "tests/kernels/float8.py").read_text()
OUT = Path(os.environ.get("OUT", "/tmp/out"))
E4M3, E5M2 = torch.float8_e4m3fn, torch.float8_e5m2
MATMUL_CONFIG = "block_sizes=[128, 128, 128], num_warps=8, num_stages=3"
# without a GPU (a smoke test of this script in the interpreter): sizes / 64, nothing timed
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"
SHRINK = 1 if DEVICE == "cuda" else 64


def size(n: int) -> int:
    return max(32, n // SHRINK)


def kernel(name: str, args: tuple, config: str | None = None, imprecise: bool = False):
    """`name` from tests/kernels/float8.py; `imprecise`: Triton's default float8 accumulation."""
    source = SOURCE
    if config:
        source = source.replace(
            f"@helion.kernel()\ndef {name}(",
            f"@helion.kernel(config=helion.Config({config}))\ndef {name}(",
        )
    code = transpiler.transpile_module(source, example_args={name: args}, only=(name,)).code
    if imprecise:
        code = code.replace("max_num_imprecise_acc=0", "max_num_imprecise_acc=None")
    stem = f"fp8_{name}_{'default' if imprecise else 'precise'}"
    return getattr(load_module(code, stem=stem), name)


def float8(shape: tuple[int, ...], dtype=E4M3, spread: float = 2.0) -> torch.Tensor:
    values = torch.randn(shape, dtype=torch.float64, device=DEVICE) * spread
    return torch.where(values.abs() < 0.05, 0.5, values).to(dtype)


def relative(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return ((actual.double() - expected).abs().max() / expected.abs().max()).item()


def bench(function, *args) -> float:
    if DEVICE != "cuda":
        return math.nan
    return triton.testing.do_bench(
        lambda: function(*args), warmup=25, rep=100, return_mode="median"
    )


def matmul_rows(rows: list[dict]) -> None:
    """The scaled e4m3 matmul: precise accumulation (ours) against Triton's default, by K."""
    for m, n, k in [(4096, 4096, 512), (4096, 4096, 8192), (2048, 2048, 32768), (1000, 777, 4000)]:
        m, n, k = size(m), size(n), size(k)
        x, y = float8((m, k)), float8((k, n))
        x_scale = torch.rand(m, device=DEVICE) + 0.5
        y_scale = torch.rand(n, device=DEVICE) + 0.5
        args = (x, y, x_scale, y_scale)
        expected = (x.double() @ y.double()) * x_scale.double()[:, None] * y_scale.double()[None]
        for imprecise in (False, True):
            function = kernel("scaled_float8_matmul", args, MATMUL_CONFIG, imprecise)
            error = relative(function(*args), expected)
            ms = bench(function, *args)
            rows.append(
                {
                    "kernel": "scaled_float8_matmul",
                    "shape": f"{m}x{n}x{k}",
                    "variant": "default acc" if imprecise else "precise acc (ours)",
                    "max rel err": error,
                    "ms": ms,
                    "TFLOP/s": 2 * m * n * k / ms / 1e9,
                }
            )
        one = torch.tensor(1.0, device=DEVICE)
        for fast in (False, True) if DEVICE == "cuda" else ():
            scaled = torch._scaled_mm(
                x, y.T.contiguous().T, one, one, out_dtype=torch.float32, use_fast_accum=fast
            )
            result = scaled.double() * x_scale.double()[:, None] * y_scale.double()[None]
            ms = bench(
                torch._scaled_mm,
                x,
                y.T.contiguous().T,
                one,
                one,
                out_dtype=torch.float32,
                use_fast_accum=fast,
            )
            rows.append(
                {
                    "kernel": "torch._scaled_mm",
                    "shape": f"{m}x{n}x{k}",
                    "variant": f"use_fast_accum={fast}",
                    "max rel err": relative(result, expected),
                    "ms": ms,
                    "TFLOP/s": 2 * m * n * k / ms / 1e9,
                }
            )


def attention_in_float64(q, k, v, scale: float, block: int) -> torch.Tensor:
    q, k, v = q.double(), k.double(), v.double()
    row_max = torch.full((q.shape[0],), -math.inf, dtype=torch.float64, device=q.device)
    row_sum = torch.zeros(q.shape[0], dtype=torch.float64, device=q.device)
    acc = torch.zeros(q.shape[0], v.shape[1], dtype=torch.float64, device=q.device)
    for start in range(0, k.shape[0], block):
        scores = q @ k[start : start + block].T * scale
        new_max = torch.maximum(row_max, scores.amax(dim=-1))
        p = torch.exp(scores - new_max[:, None])
        correction = torch.exp(row_max - new_max)
        row_sum = row_sum * correction + p.sum(dim=-1)
        acc = acc * correction[:, None] + p.to(E5M2).double() @ v[start : start + block]
        row_max = new_max
    return acc / row_sum[:, None]


def other_rows(rows: list[dict]) -> None:
    """Quantising, dequantising and the attention of two float8 products, against float64."""
    x = torch.randn(size(4096), size(4096), device=DEVICE, dtype=torch.float16) * 3
    quantized, scales = kernel("quantize_rows", (x,))(x)
    row = x.float()
    amax = row.abs().amax(dim=-1)
    torch_rounded = (row * (448.0 / amax)[:, None]).to(E4M3)
    rows.append(
        {
            "kernel": "quantize_rows",
            "shape": f"{x.shape[0]}x{x.shape[1]}",
            "variant": "bits differing from torch's",
            "max rel err": float(
                (quantized.view(torch.uint8) != torch_rounded.view(torch.uint8)).sum()
            ),
            "ms": bench(kernel("quantize_rows", (x,)), x),
        }
    )
    rows_, columns = size(4096), size(4096)
    q = float8((rows_, columns))
    scales = torch.rand(rows_, device=DEVICE) + 0.5
    bias = torch.randn(columns, device=DEVICE)
    ours = kernel("dequantize_to_e5m2", (q, scales, bias))(q, scales, bias)
    in_float32 = (q.float() * scales[:, None] + bias[None]).to(E5M2)
    rows.append(
        {
            "kernel": "dequantize_to_e5m2",
            "shape": f"{rows_}x{columns}",
            "variant": "bits differing from torch's",
            "max rel err": float((ours.view(torch.uint8) != in_float32.view(torch.uint8)).sum()),
        }
    )
    for m, n, d in [(1024, 4096, 64), (1000, 3001, 128)]:
        m, n = size(m), size(n)
        q, k, v = float8((m, d), spread=0.5), float8((n, d), spread=0.5), float8((n, d))
        scale = 1 / math.sqrt(d)
        ours = kernel("float8_attention", (q, k, v, scale))(q, k, v, scale)
        rows.append(
            {
                "kernel": "float8_attention",
                "shape": f"{m}x{n}x{d}",
                "variant": "vs float64 emulation",
                "max rel err": relative(ours, attention_in_float64(q, k, v, scale, 32)),
            }
        )


def conversion_rows(rows: list[dict]) -> None:
    """float32 → float8 on the GPU (Triton's cvt.rn.satfinite) against torch's own conversion."""
    special = [
        448.0,
        464.0,
        480.0,
        1e6,
        math.inf,
        -math.inf,
        math.nan,
        57344.0,
        61440.0,
        2**-9,
        0.75 * 2**-9,
        2**-17,
    ]
    values = torch.cat(
        [
            torch.rand(10**6 // SHRINK),
            torch.randn(10**6 // SHRINK) * 40,
            torch.rand(10**6 // SHRINK) * 2**-6,
            torch.tensor(special),
        ]
    ).to(DEVICE)
    source = """\
import helion
import helion.language as hl
import torch


@helion.kernel()
def convert(x: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(like)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile].to(like.dtype)
    return out
"""
    for dtype in (E4M3, E5M2):
        like = torch.empty(len(values), dtype=dtype, device=DEVICE)
        code = transpiler.transpile_module(source, example_args={"convert": (values, like)}).code
        ours = load_module(code, stem="fp8_convert").convert(values, like)
        differ = ours.view(torch.uint8) != values.to(dtype).view(torch.uint8)
        shown = [
            f"{a:g}->{b:g} (torch {c:g})"
            for a, b, c in zip(
                values[differ][:6].tolist(),
                ours[differ][:6].float().tolist(),
                values[differ][:6].to(dtype).float().tolist(),
            )
        ]
        rows.append(
            {
                "kernel": "float32 -> " + str(dtype).removeprefix("torch."),
                "shape": f"{len(values)} values",
                "variant": "differ from torch: " + "; ".join(shown),
                "max rel err": float(differ.sum()),
            }
        )


def example_rows(rows: list[dict]) -> None:
    """Helion's fp8_attention example, its own main, through the harness: ours, real Helion."""
    if not (ROOT / ".helion_examples/fp8_attention.py").exists():
        rows.append(
            {"kernel": "fp8_attention example", "variant": "not run: carry .helion_examples"}
        )
        return
    runs = [("ours", ["--tune"])]
    if importlib.util.find_spec("helion") is not None:
        runs.append(("real Helion", ["--real-helion"]))
    for label, flags in runs:
        log = OUT / f"fp8_attention_{label.replace(' ', '_')}.json"
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "benchmarks/helion_examples.py",
                "--examples",
                ".helion_examples",
                "--timeout",
                "300",
                "--json",
                str(log),
                *flags,
                "fp8_attention",
            ],
            cwd=ROOT,
            stdout=open(OUT / f"fp8_attention_{label.replace(' ', '_')}.log", "w"),
            stderr=subprocess.STDOUT,
            check=False,
        )
        result = json.loads(log.read_text()) if log.exists() else {}
        rows.append(
            {
                "kernel": "fp8_attention example",
                "variant": label,
                "outcome": json.dumps(result)[:300],
                "seconds": round(time.perf_counter() - started, 1),
            }
        )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        torch.cuda.get_device_name() if DEVICE == "cuda" else "CPU (interpreter)",
        "torch",
        torch.__version__,
        "triton",
        triton.__version__,
    )
    rows: list[dict] = []
    steps = [conversion_rows, other_rows, matmul_rows, example_rows]
    for step in steps if DEVICE == "cuda" or "--example" in sys.argv else steps[:3]:
        try:
            step(rows)
        except Exception as error:  # one step's failure is a row, the others still run
            rows.append(
                {
                    "kernel": step.__name__,
                    "variant": f"FAILED: {type(error).__name__}: {error}"[:400],
                }
            )
    (OUT / "fp8_gpu_check.json").write_text(json.dumps(rows, indent=1))
    columns = ["kernel", "shape", "variant", "max rel err", "ms", "TFLOP/s", "outcome", "seconds"]
    print("\n| " + " | ".join(columns) + " |\n|" + "---|" * len(columns))
    for row in rows:
        cells = [row.get(c, "") for c in columns]
        print(
            "| " + " | ".join(f"{c:.4g}" if isinstance(c, float) else str(c) for c in cells) + " |"
        )


if __name__ == "__main__":
    main()
