#!/usr/bin/env bash
# One device call at a session's end: every GPU-marked test at the working tree's commit, then
# the speed of the issue-16 refactor (bench.py, bf16 add / softmax / norms / matmul) at the
# working tree and at the commit before it, carried as `.head_snapshot/` (made here by
# `rm -rf .head_snapshot && mkdir .head_snapshot && git archive BEFORE | tar -x -C .head_snapshot`).
#   bash benchmarks/gpu_final_check.sh [BENCH_BUDGET_S]     (carry .whl and .head_snapshot)
# Logs under $OUT (tarred), the pytest summary and both tables last.
set -uo pipefail
budget=${1:-110}
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache
gpu_files=$(grep -rl "mark.gpu" tests/*.py | tr '\n' ' ')
TRANSPILER_COMPILE_CHECK=0 timeout 230 python3 -m pytest -q -m gpu -p no:cacheprovider $gpu_files \
  >"$out/pytest_gpu.log" 2>&1
echo "pytest -m gpu rc=$?" >>"$out/pytest_gpu.log"
only=add,softmax,layer_norm,rms_norm,matmul
timeout $((budget + 60)) python3 benchmarks/bench.py --out "$out/after" --only $only \
  --dtypes bfloat16 --budget-s "$budget" >"$out/bench_after.log" 2>&1
if [ -d .head_snapshot/transpiler ]; then
  (cd .head_snapshot && PYTHONPATH=/tmp/site:$PWD TRANSPILER_CACHE_DIR=/tmp/tcache_before \
    timeout $((budget + 60)) python3 benchmarks/bench.py --out "$out/before" --only $only \
    --dtypes bfloat16 --budget-s "$budget" >"$out/bench_before.log" 2>&1)
fi
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== pytest -m gpu"; tail -n 15 "$out/pytest_gpu.log"
echo "===== bench, before (.head_snapshot)"; tail -n 14 "$out/bench_before.log" 2>/dev/null
echo "===== bench, after (working tree)"; tail -n 14 "$out/bench_after.log"
