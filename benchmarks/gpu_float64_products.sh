#!/usr/bin/env bash
# One device call for float64 products (2026-12-05): tests/test_float64_products.py on the GPU
# (float64 factors into float32 / float64 accumulators in every spelling, against float64
# torch), then matmul (tests/kernels/matrix.py) per dtype at 2048^3: time, TFLOP/s, error.
#   bash benchmarks/gpu_float64_products.sh        (carry .whl)
# Logs under $OUT (tarred); the pytest summary and the matmul table last. Under 420 s.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache
TRANSPILER_COMPILE_CHECK=0 timeout 240 python3 -m pytest -q -p no:cacheprovider \
  tests/test_float64_products.py >"$out/pytest_float64_products.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_float64_products.log"
timeout 120 python3 - >"$out/matmul_dtypes.log" 2>&1 <<'PY'
import os, torch, triton
from pathlib import Path
import transpiler
from transpiler.run.runtime import load_module
SOURCE = Path("tests/kernels/matrix.py").read_text()  # matmul: a float32 acc, torch.addmm
code = transpiler.transpile_module(SOURCE, only=("matmul",)).code
kernel = load_module(code, stem="matmul_dtypes").matmul
size, device = int(os.environ.get("SIZE", 2048)), os.environ.get("DEVICE", "cuda")
print(f"{'dtype':>14} {'ms':>8} {'TFLOP/s':>8} {'torch ms':>9} {'max rel err vs float64':>24}")
for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
    x = torch.randn(size, size, device=device, dtype=dtype)
    y = torch.randn(size, size, device=device, dtype=dtype)
    got = kernel(x, y)
    exact = x.double() @ y.double()
    err = float((got.double() - exact).abs().max() / exact.abs().max())
    ms = triton.testing.do_bench(lambda: kernel(x, y))
    torch_ms = triton.testing.do_bench(lambda: x @ y)
    print(f"{str(dtype):>14} {ms:8.3f} {2 * size**3 / ms / 1e9:8.1f} {torch_ms:9.3f} {err:24.2e}")
PY
echo "matmul rc=$?" >>"$out/matmul_dtypes.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== tests/test_float64_products.py (on the GPU)"; tail -n 12 "$out/pytest_float64_products.log"
echo "===== matmul per dtype, 2048^3"; tail -n 8 "$out/matmul_dtypes.log"
