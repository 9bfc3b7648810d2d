#!/usr/bin/env bash
# One device call (issue 17): the 8,192-wide rows over a wide grid against torch.compile
# (lab/rows_sweep.py, its code kept), then the first calls of tests/kernels from the 28th on
# (gpu_time_to_tuned.py, fresh caches). Carry .whl. Under 560 s; tables last.
#   bash benchmarks/lab/gpu_sweep_and_first_calls.sh [SWEEP_S] [KERNELS_S]
set -uo pipefail
sweep_s=${1:-170}
kernels_s=${2:-240}
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
timeout $((sweep_s + 60)) python3 benchmarks/lab/rows_sweep.py --out "$out/sweep" --budget-s "$sweep_s" \
  >"$out/sweep.log" 2>&1
echo "rows_sweep.py rc=$?" >>"$out/sweep.log"
TRANSPILER_CACHE_DIR=/tmp/tc_first TRITON_CACHE_DIR=/tmp/tr_first timeout $((kernels_s + 60)) \
  python3 benchmarks/gpu_time_to_tuned.py --out "$out/first" --no-workloads --start 27 \
  --kernels-seconds "$kernels_s" --sweep '' >"$out/first.log" 2>&1
echo "gpu_time_to_tuned.py rc=$?" >>"$out/first.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz sweep first sweep.log first.log 2>/dev/null
echo "===== first calls"; grep -v "^ *$" "$out/first.log" | tail -n 40
echo "===== sweep"; cat "$out/sweep.log"
