#!/usr/bin/env bash
# The 125-op comparison (benchmarks/ops_compare.py) on the GPU machine: ours and the installed
# real Helion 1.5.0 (default configs) on the same ops, side by side, in one call. Run from the
# repo root on the device with `.whl` (libcst) and `.whl_helion` (helion + filecheck + rich):
#   bash benchmarks/ops_compare_gpu.sh
# Writes ours.json, helion.json, ours.log, helion.log under $OUT; the table and totals last.
set -uo pipefail
source benchmarks/device_wheels.sh  # $out, the wheels, PYTHONPATH
export TRANSPILER_CACHE_DIR=/tmp/tcache
export HELION_AUTOTUNE_EFFORT=${HELION_AUTOTUNE_EFFORT:-none}
python3 -c 'import torch, triton, importlib.metadata as m; print("torch", torch.__version__, "triton", triton.__version__, "helion", m.version("helion"))'
python3 benchmarks/ops_compare.py --json "$out/ours.json" >"$out/ours.log" 2>&1 &
ours=$!
python3 benchmarks/ops_compare.py --real-helion --json "$out/helion.json" >"$out/helion.log" 2>&1 &
real=$!
wait $ours $real
tail -1 "$out/ours.log"; tail -1 "$out/helion.log"
python3 benchmarks/ops_compare.py --compare "$out/ours.json" "$out/helion.json"
