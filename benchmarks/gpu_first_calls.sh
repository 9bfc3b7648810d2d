#!/usr/bin/env bash
# One device call (issue 17's "first call ≤ 20 s, median ≤ 5 s"): the first call on new shapes,
# compiles included, for the workloads and then every kernel of tests/kernels
# (benchmarks/gpu_time_to_tuned.py, fresh tuning and Triton caches), then Helion's newest
# examples tuned on their first call (benchmarks/helion_examples.py --tune, one at a time, so
# their seconds are not shared) until the call's time is spent. Under 570 s.
#   bash benchmarks/gpu_first_calls.sh [KERNELS_S] [EXAMPLES_S]   (carry .whl, .helion_examples)
set -uo pipefail
kernels_s=${1:-330}; examples_s=${2:-100}
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache_first
export TRITON_CACHE_DIR=/tmp/triton_first
timeout $((kernels_s + 150)) python3 benchmarks/gpu_time_to_tuned.py --out "$out" \
  --kernels-seconds "$kernels_s" --sweep '' >"$out/time_to_tuned.log" 2>&1
echo "gpu_time_to_tuned.py rc=$?" >>"$out/time_to_tuned.log"
timeout $((examples_s + 40)) python3 benchmarks/helion_examples.py --examples .helion_examples \
  --tune --timeout 40 --budget "$examples_s" --jobs 1 --json "$out/examples.json" \
  --logs "$out/examples" >"$out/examples.log" 2>&1
echo "helion_examples.py rc=$?" >>"$out/examples.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== Helion's examples, tuned on the first call"; tail -n 30 "$out/examples.log"
echo "===== first calls"; grep -v "^ *$" "$out/time_to_tuned.log" | tail -n 45
