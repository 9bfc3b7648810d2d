#!/usr/bin/env bash
# Helion's examples on the GPU machine: ours (autotuning on first call) and the installed real
# Helion (default configs), side by side, in one call. Run from the repo root on the device with
# `.whl` (libcst), `.whl_helion` (helion + filecheck + rich) and `.helion_examples` carried:
#   bash benchmarks/helion_examples_gpu.sh [TIMEOUT_S] [BUDGET_S] [JOBS]
# Writes ours.json, helion.json, ours.log, helion.log, float64.log and compare.md under $OUT;
# the table last.
# Ours runs from `.head_snapshot/` when it is carried (made here by
# `rm -rf .head_snapshot && mkdir .head_snapshot && git archive HEAD | tar -x -C .head_snapshot`):
# the committed code, whatever half-made edits the working tree holds at the call.
set -uo pipefail
timeout_s=${1:-90}; budget_s=${2:-280}; jobs=${3:-5}
out=${OUT:-/tmp/out}; mkdir -p "$out"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
  --target /tmp/site .whl/*.whl .whl_helion/*.whl || exit 1
export PYTHONPATH=/tmp/site:${PYTHONPATH:-} PYTHONUNBUFFERED=1 TRANSPILER_CACHE_DIR=/tmp/tcache
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch, triton, helion, importlib.metadata as m; print("torch", torch.__version__, "triton", triton.__version__, "helion", m.version("helion"))'
common=(--examples .helion_examples --timeout "$timeout_s" --budget "$budget_s" --jobs "$jobs")
ours_root=.
[ -d .head_snapshot/transpiler ] && ours_root=.head_snapshot
echo "ours from $ours_root/"
python3 "$ours_root/benchmarks/helion_examples.py" "${common[@]}" --tune --logs "$out/logs" --json "$out/ours.json" \
  >"$out/ours.log" 2>&1 &
ours=$!
python3 benchmarks/helion_examples.py "${common[@]}" --real-helion --json "$out/helion.json" \
  >"$out/helion.log" 2>&1 &
real=$!
wait $ours $real
# ours against float64 at small sizes (flex_attention, mamba2_chunk_scan, moe_matmul_ogs,
# jagged_hstu_attn_2): whose error a wrong result is
timeout 150 python3 "$ours_root/benchmarks/helion_examples_float64.py" --examples .helion_examples \
  >"$out/float64.log" 2>&1
grep -E "^(flex|mamba|moe|jagged)" "$out/float64.log"
python3 benchmarks/helion_examples_compare.py "$out/ours.json" "$out/helion.json" --markdown \
  >"$out/compare.md"
python3 benchmarks/helion_examples_compare.py "$out/ours.json" "$out/helion.json"
