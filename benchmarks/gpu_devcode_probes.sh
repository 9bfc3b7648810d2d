#!/usr/bin/env bash
# The devcode helper's probe files on the GPU (2026-12-05): bools in device code (a sum of two
# bools compiled for sm_90 as a wrapping i1 add: True + True was False on a GPU while the
# interpreter said True; bool masks beside floats; masked_fill's dtype), a Python float
# compared with a float16 / bfloat16 row (torch compares in the row's dtype), and 45 user-style
# kernels of index arithmetic, masks, views, products, loops and scans. No autotuning
# (HELION_AUTOTUNE_EFFORT=none). Under 420 s.
#   bash benchmarks/gpu_devcode_probes.sh   (carry .whl)
# Logs under $OUT (tarred); the summary last.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
files="tests/test_probes_bools.py tests/test_probes_compared_numbers.py
  tests/test_probes_device_views.py tests/test_probes_device_loops.py"
HELION_AUTOTUNE_EFFORT=none TRANSPILER_CACHE_DIR=/tmp/tcache_devcode TRANSPILER_COMPILE_CHECK=0 \
  timeout 380 python3 -m pytest -q -rfE -p no:cacheprovider $files >"$out/pytest_devcode.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_devcode.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== pytest (devcode probes)"; grep -E "^(FAILED|ERROR)" "$out/pytest_devcode.log" | head -n 20
tail -n 2 "$out/pytest_devcode.log"
