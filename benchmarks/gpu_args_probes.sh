#!/usr/bin/env bash
# The args helper's probe files on the GPU (2026-12-05): arguments sharing memory, parameters
# (0-d tensors, bools, optional numbers, NumPy scalars), host code, NaN-keeping extremes, and
# float64 rows walked in chunks (a 20,001-wide float64 softmax takes the runtime's default
# chunks: it did not compile for sm_90 before). No autotuning (HELION_AUTOTUNE_EFFORT=none):
# the decorator's kernels launch their default configs. Under 420 s.
#   bash benchmarks/gpu_args_probes.sh   (carry .whl)
# Logs under $OUT (tarred); the summary last.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
files="tests/test_probes_shared_memory.py tests/test_probes_parameters.py
  tests/test_probes_host_code.py tests/test_probes_extremes.py tests/test_probes_float64_rows.py"
HELION_AUTOTUNE_EFFORT=none TRANSPILER_CACHE_DIR=/tmp/tcache_args TRANSPILER_COMPILE_CHECK=0 timeout 380 \
  python3 -m pytest -q -rfE -p no:cacheprovider $files >"$out/pytest_args.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_args.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== pytest (args probes)"; grep -E "^(FAILED|ERROR)" "$out/pytest_args.log" | head -n 20
tail -n 2 "$out/pytest_args.log"
