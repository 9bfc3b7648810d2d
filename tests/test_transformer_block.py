"""benchmarks/transformer_block.py --smoke: our block under torch.compile, no graph breaks."""

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "benchmarks" / "transformer_block.py"


def test_transformer_block_smoke_has_one_graph_and_matches_float64(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path), "OUT": str(tmp_path / "out")}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--smoke"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "out" / "transformer_block.json").read_text())
    row = result["rows"][0]  # float32 (on a GPU bfloat16 follows)
    assert row["graphs"] == 1 and row["ok"] and "errors" not in row, row
    assert row["error_compiled_ours"] <= row["tolerance"]
    assert row["ms_compiled_ours"] > 0 and row["ms_compiled_torch"] > 0
    last = done.stdout.rstrip().splitlines()[-1]  # the table comes last
    assert last.split()[0] == result["rows"][-1]["dtype"]
