"""What can go wrong compiling for a GPU target: each a TranspileError with a hint."""

from __future__ import annotations

import difflib
import re

from ...compile.frontend.errors import TranspileError


class TargetError(TranspileError):
    """A problem compiling generated kernels for a GPU target."""

    def __str__(self) -> str:
        if self.lineno:
            return super().__str__()
        text = f"{type(self).__name__}: {self.message}"  # no source line: a name or a setting
        return text + (f"\nhint: {self.hint}" if self.hint else "")


class UnknownTargetError(TargetError):
    """A target name that is not in the table of targets."""

    @classmethod
    def for_name(cls, name: str, known: list[str]) -> UnknownTargetError:
        close = difflib.get_close_matches(name, known, n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        return cls(
            f"unknown GPU target {name!r}",
            hint=f"{guess}known targets: {', '.join(known)} (and 'current' on a GPU machine)",
        )


class MissingBackendError(TargetError):
    """Triton was built without the compiler backend a target needs."""

    hint = "install a Triton wheel that bundles it (the PyPI wheels have both nvidia and amd)"


class GPUCompileError(TargetError):
    """Triton's GPU compiler rejects a generated kernel (its interpreter may have run it)."""

    hint = (
        "the generated Triton is wrong for a GPU: report it with this message, or change the "
        "source line so that it lowers differently"
    )

    @classmethod
    def from_triton(
        cls, target: str, kernel: str, message: str, code: str, generated_line: int | None
    ) -> GPUCompileError:
        """Triton's refusal at the user's source line (`_source_of`)."""
        where = f"generated line {generated_line}: " if generated_line else ""
        explained = _explained(message)
        return cls(
            f"{target}: Triton cannot compile {kernel} ("
            + (explained[0] if explained else f"{where}{message.strip()}")
            + ")",
            **_source_of(code, generated_line),
            hint=explained[1] if explained else None,
        )

    @classmethod
    def small_product(
        cls, target: str, kernel: str, shape: tuple[int, int, int], code: str, line: int | None
    ) -> GPUCompileError:
        """Triton compiled, but made a sum of products a matrix product of K under 16, which
        GPUs compute wrong (analysis/targets/small_products.py)."""
        m, k, n = shape
        return cls(
            f"{target}: {kernel} would be computed wrong: Triton makes the sum of products here "
            f"a matrix product of K {k} ({m} x {k} times {k} x {n}), and GPUs compute products "
            "of K under 16 wrong",
            **_source_of(code, line),
            hint="give the summed dimension a block of 16 or more (the config's block_sizes)",
        )


def _source_of(code: str, generated_line: int | None) -> dict:
    """The user's file, line and text for a generated line: the `# line N: <source>` comment
    above it says which line it came from, and the module docstring which file."""
    lines = code.splitlines()
    lineno, source_line = 0, ""
    if generated_line:
        for text in reversed(lines[:generated_line]):
            found = re.match(r"\s*# line (\d+): (.*)", text)
            if found:
                lineno, source_line = int(found.group(1)), found.group(2)
                break
    named = re.search(r"generated from (.+?) by transpiler", "\n".join(lines[:2]))
    return {
        "filename": named.group(1) if named else "<generated>",
        "lineno": lineno,
        "source_line": source_line,
    }


# Triton's refusals that a kernel's source causes, not its lowering: a name given one dtype on
# one path and another on the other, which only the tensors' dtypes show (the transpiler refuses
# those it knows while transpiling: lower/branches.py, lower/carried.py). Pattern → (what
# happened, the fix), each with the name as {0} and the two dtypes as {1} and {2}.
_SOURCE_CAUSES = {
    re.compile(r"Mismatched type for (\w+) between then block \((.*?)\) and else block \((.*)\)"): (
        "{0!r} has another dtype after each branch of this if: {1} and {2}; Triton gives a "
        "name one dtype after an if",
        "convert {0} to one dtype on both paths ({0} = ....to(torch.float32)), or use two names",
    ),
    re.compile(
        r"initial value for `(\w+)` is of type (.*?), but the \w+ block redefines it as (.*)"
    ): (
        "{0!r} is {1} before this if and {2} after a branch; Triton gives a name one dtype "
        "after an if",
        "convert {0} to its dtype before the if ({0} = ....to(...)), or use two names",
    ),
    re.compile(
        r"Loop-carried variable (\w+) has initial type (.*?) but is re-assigned to (.*?) in"
    ): (
        "{0!r} is {1} before this loop and {2} after an iteration; a value carried across "
        "iterations keeps its dtype",
        "give {0} the loop's dtype before the loop ({0} = ....to(...)), or convert each update "
        "back to it",
    ),
}


def _explained(message: str) -> tuple[str, str] | None:
    """Triton's message said as the kernel's source caused it, and the fix; None where unknown."""
    for pattern, (said, fix) in _SOURCE_CAUSES.items():
        found = pattern.search(message)
        if found:
            name, first, second = (_dtype_words(part) for part in found.groups())
            return said.format(name, first, second), fix.format(name)
    return None


def _dtype_words(text: str) -> str:
    """A Triton type as its dtype: `<['1024'], fp64>` and `fp64[constexpr[1024]]` → fp64."""
    found = re.search(r"\b((?:fp|bf|int|uint|i)\d+)\b", text)
    return found.group(1) if found else text.strip()
