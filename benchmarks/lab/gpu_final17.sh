#!/usr/bin/env bash
# The third 2026-12-06 session's last device call: the small-product diagnostics
# (gpu_wrong_quick.sh), then the session's new and changed test files and those the 14:2x
# whole-suite run failed, on the GPU (pytest -n 15), interrupted at TESTS_S. Carry .whl (from
# `wheels.sh notebook hypothesis pytest-xdist`).
#   bash benchmarks/lab/gpu_final17.sh [TESTS_S]
set -uo pipefail
tests_s=${1:-150}
bash benchmarks/lab/gpu_wrong_quick.sh
files=$(ls tests/test_small_products17.py tests/test_corpus_small_products.py \
  tests/test_corpus_squeezed_products.py tests/test_refused14_*.py tests/test_tidy.py \
  tests/test_valid17_*.py tests/test_size_checks.py tests/test_tensor_checks.py \
  tests/test_wide17_*.py tests/test_probes17_*.py tests/test_float64_products.py \
  tests/test_reduction_loops.py 2>/dev/null)
bash benchmarks/lab/gpu_whole_suite.sh "$tests_s" 15 $files
