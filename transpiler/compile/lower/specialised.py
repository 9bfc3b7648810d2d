"""Arguments the kernel is specialised on: None or a tensor, strings, torch dtypes; their tests
fold away.

`if labels is not None:` and `if reduction == "sum":` inside a device loop are decided while
transpiling, from the call's arguments (the runtime transpiles once per such choice): only the
branch taken is lowered, and the launcher checks that the arguments are the ones it was made for.
"""

from __future__ import annotations

from collections.abc import Callable, Container

import libcst as cst
import torch

from ..frontend.errors import ArgumentUnknownError, UnsupportedConstructError
from ..frontend.host import HostInfo
from ..frontend.source import Source
from .module_globals import as_value
from .values import CONST, MODULE, Value, constant

_NONE, _TENSOR, _NUMBER = "None", "a tensor", "a number"


class Specialisations:
    """The arguments one loop's lowering specialised on (what each was), their values while
    transpiling, and the launcher's checks that a call passes the same."""

    def __init__(self, source: Source, host: HostInfo) -> None:
        self.source, self.host = source, host
        self.taken: dict[str, str] = {}  # argument → what it was here (None, a tensor, a repr)

    def value(self, name: str) -> Value | None:
        """The value of an argument specialised on (None, a string, a dtype), or None if it is
        not one."""
        if name not in self.host.constants:
            return None
        value = self.host.constants[name]
        self.taken[name] = _NONE if value is None else repr(value)  # torch.float16's repr too
        if isinstance(value, torch.dtype):  # one Triton lacks: refused where it is used
            return as_value(value) or Value(MODULE, name=str(value))
        return constant(value)

    def identity_test(
        self,
        node: cst.Comparison,
        scope: Container[str],
        lower: Callable[[cst.BaseExpression], Value],
    ) -> Value:
        """`x is None` / `x is not None` (and `is` between constants), folded to a constant;
        `scope` holds the device loop's names, `lower` lowers a side that is no argument."""
        if len(node.comparisons) != 1:
            raise self.source.error(
                UnsupportedConstructError,
                node,
                "a chained comparison with `is` inside a device loop",
                hint="test one value at a time: x is not None",
            )
        comparison = node.comparisons[0]
        negated = isinstance(comparison.operator, cst.IsNot)
        sides = [self.identity(n, scope) for n in (node.left, comparison.comparator)]
        if None not in sides:
            same = sides[0] == sides[1] if not {_TENSOR, _NUMBER} & set(sides) else False
            return constant(same != negated)
        left, right = lower(node.left), lower(comparison.comparator)
        if left.kind == CONST and right.kind == CONST:
            return constant((left.const is right.const) != negated)
        raise self.source.error(
            UnsupportedConstructError,
            node,
            "`is` between values inside a device loop",
            hint="compare values with == and !=; `is None` tests arguments only",
        )

    def identity(self, node: cst.BaseExpression, scope: Container[str]) -> str | None:
        """What `node` is as far as `is None` goes: None, a tensor, another constant, or
        None when it is not an argument known while transpiling."""
        if isinstance(node, cst.Name) and node.value == "None":
            return _NONE
        if not isinstance(node, cst.Name) or node.value in scope:
            return None
        name = node.value
        if name in self.host.constants:
            self.value(name)
            return self.taken[name]
        if name in self.host.optional_params and name in self.host.params:
            if name in self.host.present:  # `scale: float | None` given a number
                self.taken[name] = _NUMBER
                return _NUMBER
            if self.host.rank(name) is None:
                raise self.source.error(
                    ArgumentUnknownError,
                    node,
                    f"whether {name!r} is None is known only when the kernel is called",
                )
            self.taken[name] = _TENSOR
            return _TENSOR
        if name in self.host.tensors:
            return _TENSOR
        return None

    def checks(self) -> list[str]:
        """Launcher lines checking that the arguments are the ones the kernel was made for."""
        checks = []
        for name, value in self.taken.items():
            if value in (_TENSOR, _NUMBER):
                test, wanted = f"{name} is not None", value
            elif value == _NONE:
                test, wanted = f"{name} is None", "None"
            else:
                test, wanted = f"{name} == {value}", value
            message = f"this kernel was transpiled for {name} = {wanted}: transpile it again"
            checks.append(f"require({test}, lambda: {message!r})")
        return checks
