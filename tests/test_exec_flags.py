"""Generated code run by the project is compiled as Python would import it: the project's own
`from __future__ import annotations` is not inherited (it turned a dataclass's annotations into
strings, and an exported module's dataclass then failed in the GPU-target worker)."""

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
    assert module.size.__annotations__ == {"n": int, "return": int}


def test_the_module_cache_compiles_without_the_projects_future_flags():
    module = load_module(CODE, stem="exec_flags")
    assert module.size.__annotations__ == {"n": int, "return": int}
