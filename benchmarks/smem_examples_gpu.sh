#!/usr/bin/env bash
# Issue 15's shared-memory examples on the GPU machine: se_block and squeeze_and_excitation_net,
# ours first with each kernel's first call autotuned (--tune), then with the kernels' own
# default configurations (each checked against the device before its first launch,
# run/fitting.py), then real Helion (when `.whl_helion` is carried) for the record. Run from the
# repo root with `.whl` (libcst) and `.helion_examples` carried (`.whl_helion` optional):
#   bash benchmarks/smem_examples_gpu.sh [TIMEOUT_S]
# Logs and JSON under $OUT (tuned/, default/, helion/); the three tables last.
set -uo pipefail
timeout_s=${1:-240}
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache
names=(se_block squeeze_and_excitation_net)
common=(--examples .helion_examples --timeout "$timeout_s" --jobs 1)
for mode in tuned default; do
  flags=(); [ "$mode" = tuned ] && flags=(--tune)
  python3 benchmarks/helion_examples.py "${common[@]}" "${flags[@]}" --logs "$out/$mode" \
    --json "$out/$mode.json" "${names[@]}" >"$out/$mode.log" 2>&1
done
if [ -d .whl_helion ]; then
  python3 benchmarks/helion_examples.py "${common[@]}" --real-helion --json "$out/helion.json" \
    "${names[@]}" >"$out/helion.log" 2>&1
fi
# what the fitting check and the searches said (fallbacks, refusals, picks)
grep -hE "ConfigFallbackWarning|ConfigError|picked|OutOfResources" "$out"/tuned/*.log \
  "$out"/default/*.log 2>/dev/null | cut -c1-300 | head -20
for mode in tuned default helion; do
  [ -f "$out/$mode.log" ] && { echo "== $mode"; tail -n 6 "$out/$mode.log"; }
done
