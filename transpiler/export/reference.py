"""The reference section of an exported module: reference mode's own definitions of the `hl`
names its kernels use (reference/embed.py), the `helion` stand-in and the call (embedded)."""

from __future__ import annotations

import ast
import types

from .. import language
from ..reference.embed import FUNCTION, section

# What the embedded part below reads besides the kernels' own names.
ALWAYS = ("run_on_argument_device",)


def language_section(reference: str) -> tuple[list[str], str]:
    """(imports, source) defining `hl` for the kernels' reference source `reference`: each name
    of transpiler.language that source spells, as reference mode defines it."""
    spelled = set(ALWAYS)
    for node in ast.walk(ast.parse(reference)):
        if isinstance(node, ast.Name):
            spelled.add(node.id)
        elif isinstance(node, ast.Attribute):
            spelled.add(node.attr)
    exposed = {name: getattr(language, name) for name in sorted(spelled) if name in _EXPOSED}
    imports, text = section(exposed)
    return imports, f"{text}\n\n\nhl = {FUNCTION}()  # stands in for `helion.language as hl`"


_EXPOSED = {
    name
    for name, value in vars(language).items()
    if not name.startswith("_") and not isinstance(value, types.ModuleType)
} | set(ALWAYS)
hl = types.SimpleNamespace()  # in an exported module: language_section's text, before this

# --- everything below is copied into exported modules, verbatim ---


class helion:  # stands in for `import helion`
    """The parts of `helion` a kernel body may use."""

    language = hl

    class autotuner:  # helion.autotuner's fragments: the reference takes their defaults
        class IntegerFragment:
            def __init__(self, low: int, high: int, default_value: int | None = None) -> None:
                self.default = low if default_value is None else default_value

        class PowerOfTwoFragment(IntegerFragment):
            pass

        class EnumFragment:
            def __init__(self, choices: tuple) -> None:
                self.default = choices[0]

        class BooleanFragment:
            default = False

    @staticmethod
    def cdiv(a: int, b: int) -> int:
        return -(-a // b)

    @staticmethod
    def next_power_of_2(n: int) -> int:
        return 1 if n <= 1 else 1 << (n - 1).bit_length()


_reference_hl = hl


def run_reference(function, *args: object) -> object:
    """Run a reference function as reference mode does: allocations on its first tensor
    argument's device, callables given tiles as index tensors."""
    return hl.run_on_argument_device(function)(*args)
