"""The fuzzers draw the same examples whatever modules are loaded (tests/fuzz/reproducible.py).
Hypothesis mixed constants of the loaded non-test modules into its draws, so the syntax fuzzer's
derandomized mutants changed with the test files run before it in its process: an outside CI
drew `row.amax(keepdim=True)` in a block_size=1 row kernel (an InternalTranspilerError, fixed in
9c478e9) that our CI never drew. Two fresh processes, one with more of the transpiler and a
module of odd literals imported first, draw test_mutated_kernels_fail_cleanly's first mutants:
they must be the same texts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fuzz.reproducible import LOCAL_CONSTANTS_OFF

TESTS = Path(__file__).resolve().parent

DRAW = """
import hashlib, importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
from fuzz.mutations import mutants
from hypothesis import HealthCheck, given, settings
seen = []
@settings(max_examples=100, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(mutants())
def draw(mutant):
    seen.append(mutant[1])
draw()
print(len(seen), hashlib.sha256("\\0".join(seen).encode()).hexdigest())
"""

ODD_LITERALS = "VALUES = [3, 17, 1023, 'hl.tile', 'keepdim=True', 0.375, -129]\n"


def drawn(tmp_path: Path, *modules: str) -> str:
    (tmp_path / "odd_literals19.py").write_text(ODD_LITERALS)
    path = os.pathsep.join([str(TESTS), str(TESTS.parent), str(tmp_path)])
    done = subprocess.run(
        [sys.executable, "-c", DRAW, *modules],
        capture_output=True,
        text=True,
        env=os.environ | {"PYTHONPATH": path},
        timeout=300,
        check=True,
        cwd=tmp_path,
    )
    return done.stdout


def test_this_hypothesis_has_the_pool_that_is_emptied():
    assert LOCAL_CONSTANTS_OFF


def test_the_mutants_drawn_do_not_depend_on_the_modules_loaded(tmp_path):
    plain = drawn(tmp_path)
    loaded = drawn(tmp_path, "odd_literals19", "transpiler", "transpiler.run.cache", "magics")
    assert plain.startswith("100 ")
    assert plain == loaded
