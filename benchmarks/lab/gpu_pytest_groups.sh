# Sourced by the lab's GPU test scripts (gpu_tests_again.sh, gpu_recheck.sh): installs the carried
# wheels (.whl from `../shared/device/wheels.sh notebook`), then `t NAME PYTEST-ARGS...` runs one
# group of tests into $out/NAME.log, stopped after $s seconds by SIGINT (pytest still prints its
# failures), and `summary` prints each log's failures last.
out=${OUT:-/tmp/out}; mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1 TRANSPILER_COMPILE_CHECK=0
nvidia-smi --query-gpu=name --format=csv,noheader
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
