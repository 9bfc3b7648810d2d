#!/usr/bin/env bash
# One device call: the whole pytest suite on the GPU (never run whole there before), spread
# over WORKERS processes (pytest-xdist; carry .whl from `../shared/device/wheels.sh notebook
# hypothesis pytest-xdist`), interrupted at SECONDS with the summary of what ran kept.
#   bash benchmarks/lab/gpu_whole_suite.sh [SECONDS] [WORKERS] [PYTEST_ARGS...]
set -uo pipefail
seconds=${1:-500}; workers=${2:-14}; shift 2 || shift $#
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
args=("$@"); ((${#args[@]})) || args=(tests/)
TRANSPILER_COMPILE_CHECK=0 TRANSPILER_CACHE_DIR=/tmp/tc_suite timeout -s INT "$seconds" \
  python3 -m pytest -n "$workers" --dist load -q -rfE -p no:cacheprovider "${args[@]}" \
  >"$out/suite.log" 2>&1
echo "pytest rc=$?" >>"$out/suite.log"
grep -E "^(FAILED|ERROR)" "$out/suite.log" | sed 's/ - .*//' >"$out/failed.txt"
echo "===== failures by file"; cut -d: -f1 "$out/failed.txt" | sort | uniq -c | sort -rn | head -40
echo "===== errors (first line of each kind)"
grep -E "^E   " "$out/suite.log" | sort | uniq -c | sort -rn | head -25 | cut -c1-230
tail -n 3 "$out/suite.log"
