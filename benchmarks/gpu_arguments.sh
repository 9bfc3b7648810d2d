#!/usr/bin/env bash
# One device call for the arguments work (2026-12-04): every generated kernel with a non-default
# argument (tests/test_arguments.py's value cases: generated Triton on the GPU, reference mode
# in float64) and the decorator's dot_precision on a float32 matmul (error and speed per value).
#   bash benchmarks/gpu_arguments.sh        (carry .whl)
# Logs under $OUT (tarred); the pytest summary and the dot_precision table last. Under 420 s.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache
TRANSPILER_COMPILE_CHECK=0 timeout 280 python3 -m pytest -q -p no:cacheprovider \
  tests/test_arguments.py -k "value_other" >"$out/pytest_arguments.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_arguments.log"
timeout 90 python3 benchmarks/gpu_dot_precision.py --size 2048 >"$out/dot_precision.log" 2>&1
echo "dot_precision rc=$?" >>"$out/dot_precision.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== tests/test_arguments.py (value cases, on the GPU)"; tail -n 12 "$out/pytest_arguments.log"
echo "===== dot_precision"; tail -n 8 "$out/dot_precision.log"
