#!/usr/bin/env bash
# One device call (2026-12-06, third session): on an H200, the rows' launch forms (rows_forms.py)
# and issue 17's one-run benchmark of every
# workload in every spelling (bench.py --tune --spellings, bf16) against eager, torch.compile and
# Helion; on any other GPU (or with MODE=suite), the whole pytest suite on the GPU
# (gpu_whole_suite.sh). Carry .whl, .whl_helion, .helion_examples.
#   bash benchmarks/lab/gpu_bench_or_suite.sh [BENCH_BUDGET_S] [SUITE_S]
set -uo pipefail
bench_s=${1:-330}
suite_s=${2:-530}
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)
echo "GPU: $gpu; main at $(git log --oneline -1 2>/dev/null | cut -c1-60)"
if [[ $gpu == *H200* && ${MODE:-bench} == bench ]]; then
  source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
  timeout 170 python3 benchmarks/lab/rows_forms.py --out "$out/forms" --rounds 3 \
    --deadline-s 100 >"$out/forms.log" 2>&1
  echo "rows_forms.py rc=$?"
  timeout $((bench_s + 110)) python3 benchmarks/bench.py --out "$out/bench" --tune --spellings \
    --dtypes bfloat16 --budget-s "$bench_s" >"$out/bench.log" 2>&1
  echo "bench.py rc=$?"
  tail -n 60 "$out/bench.log"
  echo "===== rows forms"; tail -n 16 "$out/forms.log"
else
  bash benchmarks/lab/gpu_whole_suite.sh "$suite_s" 15
fi
