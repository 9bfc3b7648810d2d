"""The reference's globals: helion's modules as transpiler's, borrowed names read at each call."""

from __future__ import annotations

import builtins
import functools
import importlib
import types
from collections.abc import Callable
from typing import Any

from ..run.lent_names import borrowed_names

HELION_PACKAGE = "helion"
OWN_PACKAGE = "transpiler"


def own_module(value: Any) -> Any:
    """A module of `helion` swapped for `transpiler`'s; any other value as it is."""
    if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == HELION_PACKAGE:
        return importlib.import_module(OWN_PACKAGE + value.__name__.removeprefix(HELION_PACKAGE))
    return value


def with_own_modules(namespace: dict[str, Any]) -> dict[str, Any]:
    """A copy of `namespace` where modules of `helion` are swapped for `transpiler`'s."""
    return {key: own_module(value) for key, value in namespace.items()}


def reading_now(
    function: Callable[..., Any], rewritten: str, scope: dict[str, Any], namespace: dict
) -> Callable[..., Any]:
    """`function` (defined by `rewritten` in `scope`), reading the names its source borrows
    from `namespace` as they are at each call (a helper an earlier cell redefined, a name
    deleted there), as the generated kernel does (run/lent_names.py)."""
    borrowed = borrowed_names(rewritten, reads=dir(builtins))

    def read_now(*args: Any, **kwargs: Any) -> Any:
        for name in borrowed:
            if name in namespace:
                scope[name] = own_module(namespace[name])
            else:
                scope.pop(name, None)
        return function(*args, **kwargs)

    return functools.wraps(function)(read_now)
