"""Arguments the kernel is specialised on: None or a tensor, strings; their tests fold away.

`if labels is not None:` and `if reduction == "sum":` inside a device loop are decided while
transpiling, from the call's arguments (the runtime transpiles once per such choice): only the
branch taken is lowered, and the launcher checks that the arguments are the ones it was made for.
"""

from __future__ import annotations

import libcst as cst

from ..frontend.errors import ArgumentUnknownError, UnsupportedConstructError
from .values import CONST, Value, constant

_NONE, _TENSOR = "None", "a tensor"


class SpecialisedMixin:
    """`host_constant(name)`, `identity_test(node)`; `specialisation_checks()` for the launcher."""

    def host_constant(self, name: str) -> Value | None:
        """The value of an argument specialised on (None, a string), or None if it is not one."""
        if name not in self.host.constants:
            return None
        value = self.host.constants[name]
        self.specialised[name] = _NONE if value is None else repr(value)
        return constant(value)

    def identity_test(self, node: cst.Comparison) -> Value:
        """`x is None` / `x is not None` (and `is` between constants), folded to a constant."""
        if len(node.comparisons) != 1:
            raise self.source.error(
                UnsupportedConstructError,
                node,
                "a chained comparison with `is` inside a device loop",
                hint="test one value at a time: x is not None",
            )
        comparison = node.comparisons[0]
        negated = isinstance(comparison.operator, cst.IsNot)
        sides = [self.argument_identity(n) for n in (node.left, comparison.comparator)]
        if None not in sides:
            same = sides[0] == sides[1] if _TENSOR not in sides else False
            return constant(same != negated)
        left, right = self.lower_expr(node.left), self.lower_expr(comparison.comparator)
        if left.kind == CONST and right.kind == CONST:
            return constant((left.const is right.const) != negated)
        raise self.source.error(
            UnsupportedConstructError,
            node,
            "`is` between values inside a device loop",
            hint="compare values with == and !=; `is None` tests arguments only",
        )

    def argument_identity(self, node: cst.BaseExpression) -> str | None:
        """What `node` is as far as `is None` goes: None, a tensor, another constant, or
        None when it is not an argument known while transpiling."""
        if isinstance(node, cst.Name) and node.value == "None":
            return _NONE
        if not isinstance(node, cst.Name) or node.value in self.scope:
            return None
        name = node.value
        if name in self.host.constants:
            self.host_constant(name)
            return self.specialised[name]
        if name in self.host.optional_params and name in self.host.params:
            if self.host.rank(name) is None:
                raise self.source.error(
                    ArgumentUnknownError,
                    node,
                    f"whether {name!r} is None is known only when the kernel is called",
                )
            self.specialised[name] = _TENSOR
            return _TENSOR
        if name in self.host.tensors:
            return _TENSOR
        return None

    def specialisation_checks(self) -> list[str]:
        """Launcher lines checking that the arguments are the ones the kernel was made for."""
        checks = []
        for name, value in self.specialised.items():
            if value == _TENSOR:
                test, wanted = f"{name} is not None", "a tensor"
            elif value == _NONE:
                test, wanted = f"{name} is None", "None"
            else:
                test, wanted = f"{name} == {value}", value
            message = f"this kernel was transpiled for {name} = {wanted}: transpile it again"
            checks.append(f"require({test}, lambda: {message!r})")
        return checks
