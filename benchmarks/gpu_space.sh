#!/usr/bin/env bash
# One device call (issue 17): the row space derived from the kernel and the device against the
# old hand-picked lists, on the H200's benchmark rows (benchmarks/gpu_space.py), under 420 s.
#   bash benchmarks/gpu_space.sh [BUDGET_S]     (carry .whl; .helion_examples for Helion's rows)
# Logs under $OUT, tarred into $OUT/space_logs.tar.gz; the table last.
set -uo pipefail
budget=${1:-280}
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache_space
timeout $((budget + 110)) python3 benchmarks/gpu_space.py --out "$out" --budget-s "$budget" \
  >"$out/gpu_space.log" 2>&1
echo "gpu_space.py rc=$?" >>"$out/gpu_space.log"
tar czf "$out/space_logs.tar.gz" -C "$out" --exclude space_logs.tar.gz . 2>/dev/null
tail -n 22 "$out/gpu_space.log"
