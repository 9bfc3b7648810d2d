"""notebooks/execute.py stores what this checkout's transpiler makes: the kernel it starts
imports `transpiler` and `magics` from the checkout the script is in, not from the one the
virtual environment was installed from (a worktree's notebooks once stored main's code)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_execute():
    spec = importlib.util.spec_from_file_location(
        "notebooks_execute", ROOT / "notebooks" / "execute.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("before", ["", "/somewhere/else", f"/somewhere/else{os.pathsep}{ROOT}"])
def test_the_kernel_imports_this_checkout(monkeypatch, before: str) -> None:
    # `before` ahead of the inherited path, never in its place (a GPU machine's wheels are there)
    given = os.pathsep.join(filter(None, [before, os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("PYTHONPATH", given)
    load_execute().this_tree_first()
    paths = os.environ["PYTHONPATH"].split(os.pathsep)
    assert paths[0] == str(ROOT) and paths.count(str(ROOT)) == 1
    rest = [p for p in given.split(os.pathsep) if p and p != str(ROOT)]
    assert list(dict.fromkeys(rest)) == paths[1:]
    found = subprocess.run(  # as the kernel starts: in the notebooks' folder, this environment
        [
            sys.executable,
            "-c",
            "import transpiler, magics; print(transpiler.__file__, magics.__file__)",
        ],
        cwd=ROOT / "notebooks",
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert found.returncode == 0, found.stderr
    assert all(Path(p).is_relative_to(ROOT) for p in found.stdout.split()), found.stdout
