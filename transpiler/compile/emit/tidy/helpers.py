"""The helpers a module carries: of those lowering asked for, the ones its code still calls
(a tidy step may have removed a call), with the helpers they call."""

from __future__ import annotations

import ast
from functools import cache

from ...lower.argument_checks import ARGUMENT_HELPERS
from ...lower.shared_memory import SHARED_MEMORY_HELPERS
from ..prelude import HELPERS, HOST_HELPERS, helper_sources
from .helper_forms import shortest_form


@cache
def _host_sources() -> dict[str, str]:
    return {**HOST_HELPERS, **ARGUMENT_HELPERS, **SHARED_MEMORY_HELPERS}


@cache
def _names(source: str) -> frozenset[str]:
    """The names a piece of code reads."""
    return frozenset(n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name))


@cache
def _defines(source: str) -> frozenset[str]:
    """The functions a helper's source defines (`tma_fits` also defines `tma_rows_fit`)."""
    return frozenset(n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef))


def needed_helpers(code: str, device: set[str], host: set[str]) -> list[str]:
    """Sources of the launcher helpers (by name, each in its shortest form for `code`'s calls),
    then the @triton.jit ones (callees first) among `host` and `device` that `code` reads, and
    of the launcher helpers those call."""
    read = _names(code)
    sources = _host_sources()
    launcher = {name for name in host if _defines(sources[name]) & read}
    pending = list(launcher)
    while pending:  # a launcher helper calling another
        called = _names(sources[pending.pop()])
        for callee in sources.keys() - launcher:
            if _defines(sources[callee]) & called:
                launcher.add(callee)
                pending.append(callee)
    used = {name for name in device if _defines(HELPERS[name][0]) & read}
    host_sources = [shortest_form(name, sources[name], code) for name in sorted(launcher)]
    return host_sources + helper_sources(used)


def defined_functions(source: str) -> frozenset[str]:
    """The functions a helper's source defines."""
    return _defines(source)


@cache
def host_helper_names() -> frozenset[str]:
    """Every function the launcher helpers define."""
    return frozenset(name for source in _host_sources().values() for name in _defines(source))
