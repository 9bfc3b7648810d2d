#!/usr/bin/env bash
# One device call for the one-lowering-run work (2026-12-04): the 20 kernels of
# tests/kernels/plan_constructs.py (stack, cat, gathers, jagged tiles, views, unit tiles, hl.store,
# hl.cumsum, bmm's out_dtype) compiled and run on the GPU against float64 torch, each lowered once
# (tests/test_plan_constructs.py), and test_plan's one-run count over tests/kernels and goldens.
#   bash benchmarks/gpu_plan_constructs.sh        (carry .whl)
# Logs under $OUT (tarred); the pytest summaries last. Under 420 s.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache
TRANSPILER_COMPILE_CHECK=0 timeout 240 python3 -m pytest -q -p no:cacheprovider -rf \
  tests/test_plan_constructs.py >"$out/pytest_plan_constructs.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_plan_constructs.log"
TRANSPILER_COMPILE_CHECK=0 timeout 150 python3 -m pytest -q -p no:cacheprovider -rf \
  tests/test_plan.py >"$out/pytest_plan.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest_plan.log"
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== tests/test_plan_constructs.py (on the GPU)"; tail -n 8 "$out/pytest_plan_constructs.log"
echo "===== tests/test_plan.py"; tail -n 4 "$out/pytest_plan.log"
