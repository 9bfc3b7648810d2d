"""The content-addressed cache on disk: generated modules written atomically and imported from it."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import linecache
import os
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

from . import (
    interpreter_atomics,
    interpreter_bools,
    interpreter_float8,
    interpreter_invert,
    interpreter_minmax,
)
from .devices import interpreting
from .lent_names import KEPT_ATTRIBUTE, LENT_ATTRIBUTE, assigned_names, borrowed_names, lend

CACHE_ENV = "TRANSPILER_CACHE_DIR"
_MODULES: dict[tuple[str, int | None], types.ModuleType] = {}


def cache_dir() -> Path:
    """Where generated modules and tuned configs live (docs/cache.md): $TRANSPILER_CACHE_DIR,
    else $XDG_CACHE_HOME/transpiler, else ~/.cache/transpiler."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        path = Path(configured).expanduser()
    else:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        path = Path(base).expanduser() / "transpiler"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write through a temporary file and a rename, so readers never see half a file (UTF-8)."""
    data = text.encode() if isinstance(text, str) else text
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def cached_file(path: Path, code: str) -> Path:
    """`path` holding exactly `code`: a missing, truncated or corrupted entry is written anew."""
    data = code.encode()
    try:
        if path.read_bytes() == data:
            return path
    except OSError:
        pass  # missing or unreadable: write it
    write_atomically(path, data)
    return path


def load_module(
    code: str,
    *,
    stem: str = "kernels",
    namespace: dict[str, Any] | None = None,
    reads: frozenset[str] | None = None,
) -> types.ModuleType:
    """Import generated code from a file named by its hash (Triton needs the source in a file).

    The module runs `code` itself, compiled here, and Triton reads the same text (linecache):
    what is on disk is only checked and repaired, never trusted, and no bytecode is written.
    `namespace` (a kernel's globals, a notebook's names) lends the module the globals its code
    reads and does not define (lent_names: a builtin's name only where `reads`, the user's
    function's names, has it), at load and on every later load (`lend` again before each call
    keeps them current). A text loaded once for a namespace is the same module on every later
    call; another namespace gets its own."""
    digest = hashlib.sha256(code.encode()).hexdigest()[:20]
    path = cache_dir() / f"{stem}_{digest}.py"
    # the same text in another cache directory is written there too
    key = (str(path), None if namespace is None else id(namespace))
    if key in _MODULES:
        module = _MODULES[key]
        lend(module, namespace)
        return module
    cached_file(path, code)
    if interpreting():
        interpreter_float8.install()
        interpreter_invert.install()
        interpreter_minmax.install()
        interpreter_atomics.install()
        interpreter_bools.install()
    name = f"transpiler_generated_{stem}_{digest}"
    if name in sys.modules and any(str(path) == k[0] for k in _MODULES):
        name += f"_{len(_MODULES)}"  # the same code for another namespace
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    linecache.cache[str(path)] = (len(code), None, code.splitlines(keepends=True), str(path))
    setattr(module, LENT_ATTRIBUTE, borrowed_names(code, reads) if namespace is not None else ())
    setattr(module, KEPT_ATTRIBUTE, assigned_names(code) if namespace is not None else ())
    lend(module, namespace)
    sys.modules[name] = module
    try:
        exec(compile(code, str(path), "exec", dont_inherit=True), module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    lend(module, namespace)  # the namespace's values over those the module's code made again
    _MODULES[key] = module
    return module
