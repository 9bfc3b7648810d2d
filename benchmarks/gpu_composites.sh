#!/usr/bin/env bash
# One device call for F.layer_norm / rms_norm / normalize / linear / dropout in device loops
# (2026-12-05, lower/composites.py): tests/test_functional_composites.py on the GPU against float64
# torch, then benchmarks/gpu_composites.py's table (max error; ours vs torch eager, do_bench ms).
#   bash benchmarks/gpu_composites.sh        (carry .whl)
# Logs under $OUT (tarred); the summaries and the table last. Under 420 s.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache
TRANSPILER_COMPILE_CHECK=0 timeout 240 python3 -m pytest -q -p no:cacheprovider -rf \
  tests/test_functional_composites.py >"$out/pytest_composites.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_composites.log"
timeout 150 python3 benchmarks/gpu_composites.py >"$out/composites_table.log" 2>&1
echo "rc=$?" >>"$out/composites_table.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== tests/test_functional_composites.py (on the GPU)"; tail -n 8 "$out/pytest_composites.log"
echo "===== benchmarks/gpu_composites.py"; tail -n 12 "$out/composites_table.log"
