"""The on-disk cache: its location, atomic writes, concurrent processes, corrupted entries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import torch
from helpers import on_device

import transpiler
from transpiler.run import cache as module_cache
from transpiler.run import runtime
from transpiler.run.autotune import TuningCache

# the cache's mechanics do not depend on the device: tested with CPU tensors in the interpreter
pytestmark = pytest.mark.skipif(
    torch.cuda.is_available(), reason="cache tests run kernels on CPU tensors (interpreter)"
)

ROOT = Path(__file__).resolve().parents[1]
ADD = textwrap.dedent(
    """\
    import torch
    import helion
    import helion.language as hl


    @helion.kernel()
    def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out = torch.empty_like(x)
        for tile in hl.tile(x.size(0)):
            out[tile] = x[tile] + y[tile]
        return out
    """
)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory, and no modules remembered from earlier loads."""
    path = tmp_path / "cache"
    monkeypatch.setenv(runtime.CACHE_ENV, str(path))
    monkeypatch.setattr(module_cache, "_MODULES", {})
    return path


def entry(cache: Path, stem: str) -> Path:
    (path,) = cache.glob(f"{stem}_*.py")
    return path


# -- where ------------------------------------------------------------------------------------


def test_the_location_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(runtime.CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert runtime.cache_dir() == tmp_path / "home" / ".cache" / "transpiler"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert runtime.cache_dir() == tmp_path / "xdg" / "transpiler"
    monkeypatch.setenv(runtime.CACHE_ENV, str(tmp_path / "mine"))
    assert runtime.cache_dir() == tmp_path / "mine"
    assert runtime.cache_dir().is_dir()


def test_a_new_location_gets_its_own_entries(tmp_path, monkeypatch):
    code = transpiler.transpile(ADD)
    for name in ("first", "second"):
        monkeypatch.setenv(runtime.CACHE_ENV, str(tmp_path / name))
        module = runtime.load_module(code, stem="moved")
        assert entry(tmp_path / name, "moved").read_text() == code
    x = torch.arange(3.0)
    assert torch.equal(on_device(module.add)(x, x), 2 * x)


# -- atomic writes ------------------------------------------------------------------------------


def test_readers_never_see_half_a_file(tmp_path):
    path = tmp_path / "entry.py"
    versions = {("a" * 200_000).encode(), ("b" * 300_000).encode()}
    runtime.write_atomically(path, "a" * 200_000)
    seen: set[bytes] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(path.read_bytes())

    reader = threading.Thread(target=read)
    reader.start()
    for number in range(200):
        runtime.write_atomically(path, "ab"[number % 2] * (200_000 + 100_000 * (number % 2)))
    stop.set()
    reader.join()
    assert seen <= versions
    assert not list(tmp_path.glob("*.tmp"))


def test_a_failed_write_leaves_the_entry_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "entry.py"
    runtime.write_atomically(path, "old")

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(module_cache.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        runtime.write_atomically(path, "new")
    assert path.read_text() == "old"
    assert not list(tmp_path.glob("*.tmp"))


# -- concurrent processes -----------------------------------------------------------------------

WORKER = """
import sys, time, torch
import transpiler
from transpiler.run.cache import load_module

start = float(sys.argv[1])
source = open(sys.argv[2]).read()
while time.time() < start:
    pass
module = load_module(transpiler.transpile(source), stem="raced")
x = torch.arange(8.0, device="cuda" if torch.cuda.is_available() else "cpu")
assert torch.equal(module.add(x, x), 2 * x)
print("ok")
"""


def test_processes_loading_the_same_kernel_at_once_all_succeed(cache, tmp_path):
    import time

    source = tmp_path / "kernels.py"
    source.write_text(ADD)
    env = {
        **os.environ,
        runtime.CACHE_ENV: str(cache),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    start = time.time() + 8  # every worker imported torch before the race starts
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(start), str(source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(4)
    ]
    results = [worker.communicate(timeout=240) for worker in workers]
    for worker, (out, err) in zip(workers, results):
        assert worker.returncode == 0 and out.strip() == "ok", err[-2000:]
    entry(cache, "raced")  # exactly one entry
    assert not list(cache.glob("*.tmp"))


# -- corrupted entries --------------------------------------------------------------------------

CORRUPTIONS = {
    "truncated": lambda text: text[: len(text) // 2].encode(),
    "empty": lambda text: b"",
    "not utf-8": lambda text: b"\xff\xfe\x00garbage" + text.encode()[10:],
    "other code, same size": lambda text: (
        "raise RuntimeError('stale entry executed')\n".ljust(len(text) - 1, "#") + "\n"
    ).encode(),
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupted_entry_is_detected_and_rebuilt(cache, monkeypatch, corrupt):
    code = transpiler.transpile(ADD)
    runtime.load_module(code, stem="corrupted")
    path = entry(cache, "corrupted")
    path.write_bytes(corrupt(code))
    monkeypatch.setattr(module_cache, "_MODULES", {})  # as in a new process
    module = runtime.load_module(code, stem="corrupted")
    assert path.read_text() == code
    x = torch.arange(5.0)
    assert torch.equal(on_device(module.add)(x, x), 2 * x)


def test_a_corrupted_entry_is_rebuilt_in_a_new_process(cache, tmp_path):
    source = tmp_path / "kernels.py"
    source.write_text(ADD)
    env = {
        **os.environ,
        runtime.CACHE_ENV: str(cache),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-c", WORKER, "0", str(source)]
    assert subprocess.run(command, env=env, capture_output=True).returncode == 0
    path = entry(cache, "raced")
    good = path.read_text()
    path.write_text(good[:100])  # truncated, as by a crash or a full disk
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert path.read_text() == good


def test_a_corrupted_tuning_cache_is_ignored_then_rewritten(tmp_path):
    path = tmp_path / "autotune.json"
    path.write_text('{"truncated": ')
    tuning = TuningCache(path)
    assert tuning.get("key") is None
    tuning.put("key", {"block_sizes": [64]})
    assert json.loads(path.read_text()) == {"key": {"block_sizes": [64]}}


# -- nothing written elsewhere ------------------------------------------------------------------

USER = """
import torch
import transpiler as helion
import transpiler.language as hl


@helion.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + y[tile]
    return out
"""
RUN_USER = """
import torch, user_kernels
x = torch.arange(6.0)
assert torch.equal(user_kernels.add(x, x), 2 * x)
assert torch.equal(user_kernels.add.run_reference(x, x), 2 * x)
"""


def files_under(*roots: Path) -> set[Path]:
    return {path for root in roots for path in root.rglob("*")}


@pytest.mark.parametrize("configured", [True, False], ids=["TRANSPILER_CACHE_DIR", "default"])
def test_a_kernel_run_writes_only_into_the_cache(tmp_path, configured):
    home, temp, work, code = (tmp_path / name for name in ("home", "tmp", "work", "code"))
    for folder in (home, temp, work, code):
        folder.mkdir()
    (code / "user_kernels.py").write_text(USER)
    cache = tmp_path / "cache" if configured else home / ".cache" / "transpiler"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "TMPDIR": str(temp),
        "PYTHONPATH": os.pathsep.join([str(code), str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "PYTHONDONTWRITEBYTECODE": "1",  # the user's own module: Python's business, not ours
    }
    if configured:
        env[runtime.CACHE_ENV] = str(cache)
    done = subprocess.run(
        [sys.executable, "-c", RUN_USER], cwd=work, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    written = files_under(home, temp, work, code) - {code / "user_kernels.py"}
    written = {path for path in written if cache not in path.parents and path != cache}
    written -= set(home.glob(".cache")) if not configured else set()
    # torch creates an empty $TMPDIR/torchinductor_<user> when torch._dynamo is imported
    # (runtime.py's @torch.compiler.disable does): torch's, and empty (docs/cache.md).
    torch_dirs = {p for p in written if p.parent == temp and p.name.startswith("torchinductor_")}
    assert all(p.is_dir() and not any(p.iterdir()) for p in torch_dirs)
    assert written - torch_dirs == set(), sorted(map(str, written))
    entries = sorted(p.name for p in cache.iterdir())
    assert len(entries) == 1 and entries[0].startswith("add_") and entries[0].endswith(".py")
