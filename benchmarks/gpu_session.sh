#!/usr/bin/env bash
# One device call that does the session's GPU checks together (a machine's start costs a minute
# of device time, so few full calls): the derived row space against the old lists
# (gpu_space.py, issue 17), then, six pytest processes side by side on the GPU's 16 cores, the
# user-style probes, the argument-value kernels, the one-run plan's kernels and every
# GPU-marked test, and the last two sessions' new test files (the probes' files are
# tests/test_probes_*.py: this session's new ones join the first group by their name). Under 560 s.
#   bash benchmarks/gpu_session.sh [ROWS_BUDGET_S] [TESTS_S]   (carry .whl, .helion_examples)
# (.whl from `../shared/device/wheels.sh notebook`: the magic's test files import IPython)
# Logs under $OUT (tarred); the tables last.
set -uo pipefail
budget=${1:-220}
tests_s=${2:-200}
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
TRANSPILER_CACHE_DIR=/tmp/tcache_space timeout $((budget + 110)) \
  python3 benchmarks/gpu_space.py --out "$out" --budget-s "$budget" >"$out/gpu_space.log" 2>&1
echo "gpu_space.py rc=$?" >>"$out/gpu_space.log"
gpu_files=$(grep -l "mark.gpu" tests/*.py | tr '\n' ' ')
run_tests() {  # name, pytest arguments...
  local name=$1; shift
  TRANSPILER_CACHE_DIR=/tmp/tcache_$name TRANSPILER_COMPILE_CHECK=0 timeout "$tests_s" \
    python3 -m pytest -q -rfE -p no:cacheprovider "$@" >"$out/pytest_$name.log" 2>&1
  echo "pytest rc=$?" >>"$out/pytest_$name.log"
}
run_tests probes tests/test_probes_*.py &
run_tests arguments tests/test_arguments.py -k value_other &
run_tests plan tests/test_plan_constructs.py tests/test_plan.py &
run_tests gpu_marked -m gpu $gpu_files &
run_tests new tests/test_functional_composites.py tests/test_float64_products.py \
  tests/test_one_load.py tests/test_host_flags.py tests/test_module_statements.py \
  tests/test_several_dims.py tests/test_tile_attributes.py tests/test_grid_steps.py tests/test_loop_forms.py &
HELION_AUTOTUNE_EFFORT=none run_tests newer tests/test_index_reach.py tests/test_magics_namespace.py \
  tests/test_magics_options.py tests/test_magics_shown_code.py tests/test_magics_check_tolerance.py &
wait
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
for name in probes arguments plan gpu_marked new newer; do
  echo "===== pytest $name"; grep -E "^(FAILED|ERROR)" "$out/pytest_$name.log" | head -n 12
  tail -n 2 "$out/pytest_$name.log"
done
echo "===== rows (gpu_space.py)"; tail -n 24 "$out/gpu_space.log"
