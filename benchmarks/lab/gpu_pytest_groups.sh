# Sourced by the lab's GPU test scripts (gpu_tests_again.sh, gpu_recheck.sh): installs the carried
# wheels (.whl from `../shared/device/wheels.sh notebook`), then `t NAME PYTEST-ARGS...` runs one
# group of tests into $out/NAME.log, stopped after $s seconds by SIGINT (pytest still prints its
# failures), and `summary` prints each log's failures last.
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_COMPILE_CHECK=0
t() {  # name, pytest arguments...
  local n=$1; shift
  TRANSPILER_CACHE_DIR=/tmp/tc_$n timeout -s INT "$s" python3 -m pytest -q -rfE --tb=short \
    -p no:cacheprovider "$@" >"$out/$n.log" 2>&1
  echo "rc=$?" >>"$out/$n.log"
}
summary() {
  for f in "$out"/*.log; do
    echo "===== $(basename "$f")"; grep -E "^(FAILED|ERROR)" "$f" | cut -c1-200 | head -n 15
    grep -E "picked|untimed|compiled for" "$f" | cut -c1-300 | head -n 4; tail -n 2 "$f"
  done
}
