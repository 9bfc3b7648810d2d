#!/usr/bin/env bash
# One device call for the 2026-12-05 wrong2 fixes: the new probe files on the GPU (carried
# accumulators, keepdim stores and argmax from a begin, refusals, value corners, index tensors)
# and the index check's cost (gpu_index_check.py). Under 420 s. Carry .whl.
#   bash benchmarks/gpu_wrong2.sh
# Logs under $OUT (tarred into logs.tar.gz); the tables last.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
TRANSPILER_CACHE_DIR=/tmp/tcache_w2 TRANSPILER_COMPILE_CHECK=0 timeout 300 \
  python3 -m pytest -q -rfE -p no:cacheprovider tests/test_probes_carried.py \
  tests/test_probes_reduction_stores.py tests/test_probes_torch_refusals.py \
  tests/test_probes_value_corners.py tests/test_probes_indices.py >"$out/pytest_wrong2.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_wrong2.log"
TRANSPILER_CACHE_DIR=/tmp/tcache_w2i timeout 90 \
  python3 benchmarks/gpu_index_check.py --out "$out" >"$out/index_check.log" 2>&1
echo "gpu_index_check.py rc=$?" >>"$out/index_check.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== pytest (new probe files)"; grep -E "^(FAILED|ERROR)" "$out/pytest_wrong2.log" | head -n 15
tail -n 2 "$out/pytest_wrong2.log"
echo "===== index check (gpu_index_check.py)"; tail -n 8 "$out/index_check.log"
