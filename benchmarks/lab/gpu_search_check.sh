#!/usr/bin/env bash
# One device call (issue 17) after the search began compiling while it builds launchers
# (run/compile_pool.py streaming, processes prestarted and kept): the derived row space against
# the old lists (gpu_space.py; OUT/tuning.log now times each search's phases), the first calls
# of the workloads and of tests/kernels (gpu_time_to_tuned.py, fresh caches, no sweep),
# then the magic's option tests and the pool's tests on the GPU. Carry .whl, .helion_examples.
#   bash benchmarks/lab/gpu_search_check.sh [ROWS_S] [FIRST_S] [TEST_FILES]
set -uo pipefail
rows_s=${1:-170}
first_s=${2:-120}
tests=${3:-tests/test_magics_options.py}  # more test files beside the pool's
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
TRANSPILER_CACHE_DIR=/tmp/tc_space timeout $((rows_s + 110)) \
  python3 benchmarks/gpu_space.py --out "$out/space" --budget-s "$rows_s" >"$out/space.log" 2>&1
echo "gpu_space.py rc=$?" >>"$out/space.log"
TRANSPILER_CACHE_DIR=/tmp/tc_tests TRANSPILER_COMPILE_CHECK=0 timeout 180 python3 -m pytest -q \
  -rfE -p no:cacheprovider tests/test_compile_pool.py $tests >"$out/pytest.log" 2>&1
echo "pytest rc=$?" >>"$out/pytest.log"
if ((first_s > 0)); then  # FIRST_S 0: no first calls
  TRANSPILER_CACHE_DIR=/tmp/tc_first TRITON_CACHE_DIR=/tmp/tr_first timeout $((first_s + 200)) \
    python3 benchmarks/gpu_time_to_tuned.py --out "$out/first" --kernels-seconds "$first_s" \
    --sweep '' >"$out/first.log" 2>&1
  echo "gpu_time_to_tuned.py rc=$?" >>"$out/first.log"
fi
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
echo "===== pytest"; grep -E "^(FAILED|ERROR)" "$out/pytest.log" | head; tail -n 2 "$out/pytest.log"
echo "===== search phases"; grep -E "candidates in|compiled for|none of" "$out/space/tuning.log" | cut -c12-200 | head -n 30
[[ -f "$out/first.log" ]] && { echo "===== first calls"; grep -v "^ *$" "$out/first.log" | tail -n 45; }
echo "===== rows"; tail -n 14 "$out/space.log"
