#!/usr/bin/env bash
# One short device call (2026-12-06): which small products and which primitives of the two
# kernels the H100 got wrong (gpu_small_dots.py, gpu_wrong_primitives.py), and the two kernels
# again (gpu_wrong_products.py) after the K-of-1 fix. Carry .whl.
#   bash benchmarks/lab/gpu_wrong_quick.sh
set -uo pipefail
source benchmarks/device_wheels.sh >/dev/null  # $out, the wheels, PYTHONPATH
export TRITON_CACHE_DIR=/tmp/tr_quick TRANSPILER_CACHE_DIR=/tmp/tc_quick
for script in gpu_small_dots gpu_wrong_primitives gpu_wrong_products; do
  echo "===== $script"
  timeout 100 python3 "benchmarks/lab/$script.py" >"$out/$script.log" 2>&1
  echo "rc=$?"
done
cat "$out/gpu_small_dots.log" | tail -n 60
tail -n 25 "$out/gpu_wrong_primitives.log"
grep -E "=====|equal to" "$out/gpu_wrong_products.log"
