"""The GPU-target worker runs a module with a dataclass (an exported module's reference): the
module is registered in sys.modules, where a dataclass looks its module up when the project's
inherited `from __future__ import annotations` makes its annotations strings."""

from __future__ import annotations

from transpiler.analysis.targets import worker
from transpiler.run.runtime import load_module

CODE = """
from dataclasses import dataclass


def _make():
    @dataclass(frozen=True)
    class Tile:
        begin: int
    return Tile


Tile = _make()


def size(n: int) -> int:
    return n
"""


def test_the_target_worker_runs_a_module_with_a_dataclass_as_python_would():
    module = worker._module("/tmp/exec_flags_worker.py", CODE)
    assert module.Tile(3).begin == 3
    assert module.size(4) == 4


def test_the_module_cache_runs_it_too():
    assert load_module(CODE, stem="exec_flags").Tile(2).begin == 2
