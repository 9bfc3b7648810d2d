#!/usr/bin/env bash
# One device call (2026-12-06 afternoon): on an H200, the rows' launch forms and attention
# (issue 17's open H200 questions); on any GPU, the test files that run generated modules
# (exec'd or loaded; never run on a GPU before) and the last session's new test files, then the
# first calls of the workloads and tests/kernels after the Helion-import fix. Carry .whl,
# .whl_helion, .helion_examples.
#   bash benchmarks/lab/gpu_exec_tests_and_rows.sh [TESTS_S] [FIRST_S]
set -uo pipefail
tests_s=${1:-200}
first_s=${2:-120}
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)
if [[ $gpu == *H200* ]]; then
  timeout 200 python3 benchmarks/lab/rows_forms.py --out "$out/forms" --rounds 4 \
    --deadline-s 120 >"$out/forms.log" 2>&1
  timeout 200 python3 benchmarks/gpu_attention.py --out "$out/attn" --deadline-s 150 \
    >"$out/attn.log" 2>&1
  tests_s=$((tests_s < 150 ? tests_s : 150)); first_s=0  # the call's 600 s
fi
run_tests() {  # NAME FILES...: one pytest process, interrupted (summary kept) at TESTS_S
  local name=$1; shift
  TRANSPILER_CACHE_DIR=/tmp/tc_$name TRANSPILER_COMPILE_CHECK=0 timeout -s INT "$tests_s" \
    python3 -m pytest -q -rfE -p no:cacheprovider "$@" >"$out/pytest_$name.log" 2>&1
  echo "pytest $name rc=$?" >>"$out/pytest_$name.log"
}
run_tests exec tests/test_assume_rank.py tests/test_hl_rows.py tests/test_hl_table.py \
  tests/test_launcher_decorators.py tests/test_magics_kernels.py tests/test_module_statements.py \
  tests/test_tensor_checks.py tests/test_tidy.py &
run_tests new13 tests/test_probes13_*.py tests/test_whole_batch_axes.py &
run_tests new13b tests/test_probes13b_*.py tests/test_helion_oracle.py &
wait
if ((first_s > 0)); then
  TRANSPILER_CACHE_DIR=/tmp/tc_first TRITON_CACHE_DIR=/tmp/tr_first timeout $((first_s + 150)) \
    python3 benchmarks/gpu_time_to_tuned.py --out "$out/first" --kernels-seconds "$first_s" \
    --sweep '' >"$out/first.log" 2>&1
  echo "gpu_time_to_tuned.py rc=$?" >>"$out/first.log"
fi
tar czf "$out/logs.tar.gz" -C "$out" --exclude logs.tar.gz . 2>/dev/null
for f in "$out"/pytest_*.log; do
  echo "===== $(basename "$f")"; grep -E "^(FAILED|ERROR)" "$f" | cut -c1-220 | head -n 25
  tail -n 2 "$f"
done
[[ -f "$out/first.log" ]] && { echo "===== first calls"; grep -v "^ *$" "$out/first.log" | tail -n 30; }
[[ -f "$out/attn.log" ]] && { echo "===== attention"; tail -n 14 "$out/attn.log"; }
[[ -f "$out/forms.log" ]] && { echo "===== rows forms"; tail -n 16 "$out/forms.log"; }
echo "GPU: $gpu"
