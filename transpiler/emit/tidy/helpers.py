"""The helpers a module carries: of those lowering asked for, the ones its code still calls
(a tidy step may have removed a call), with the helpers they call."""

from __future__ import annotations

import ast
from functools import cache

from ...lower.argument_checks import ARGUMENT_HELPERS
from ..prelude import HOST_HELPERS, helper_sources


@cache
def _host_sources() -> dict[str, str]:
    return {**HOST_HELPERS, **ARGUMENT_HELPERS}


@cache
def _names(source: str) -> frozenset[str]:
    """The names a piece of code reads."""
    return frozenset(n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name))


def needed_helpers(code: str, device: set[str], host: set[str]) -> list[str]:
    """Sources of the launcher helpers (by name), then the @triton.jit ones (callees first)
    among `host` and `device` that `code` reads, and of the launcher helpers those call."""
    read = _names(code)
    launcher = {name for name in host if name in read}
    pending = list(launcher)
    while pending:  # a launcher helper calling another (refuse_bool_arithmetic → require)
        for callee in _names(_host_sources()[pending.pop()]) & _host_sources().keys():
            if callee not in launcher:
                launcher.add(callee)
                pending.append(callee)
    sources = [_host_sources()[name] for name in sorted(launcher)]
    return sources + helper_sources({name for name in device if name in read})
