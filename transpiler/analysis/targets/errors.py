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
        """The error at the user's source line: the `# line N: <source>` comment above the
        generated line says which line it came from, and the module docstring which file."""
        lines = code.splitlines()
        lineno, source_line = 0, ""
        if generated_line:
            for text in reversed(lines[:generated_line]):
                found = re.match(r"\s*# line (\d+): (.*)", text)
                if found:
                    lineno, source_line = int(found.group(1)), found.group(2)
                    break
        named = re.search(r"generated from (.+?) by transpiler", "\n".join(lines[:2]))
        where = f"generated line {generated_line}: " if generated_line else ""
        return cls(
            f"{target}: Triton cannot compile {kernel} ({where}{message.strip()})",
            filename=named.group(1) if named else "<generated>",
            lineno=lineno,
            source_line=source_line,
        )
