"""One `%%helion` cell as a program: its kernels (`transpiler.Kernel`s, made by the decorator
from the cell's text) and the calls `--run` makes of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import transpiler
from transpiler import BoundKernel, KernelCall, SourceKernels, Transpiled

from .tuning import tuning_line

CELL_FILENAME = "<cell>"


@dataclass
class CellProgram:
    """The cell's source, its kernels, and what ran: the calls of `--run`, the modules."""

    source: str
    kernels: SourceKernels
    config: dict[str, Any] | None = None  # `--config`: replaces every kernel's config=
    calls: list[KernelCall] = field(default_factory=list)
    recording: bool = False  # calls are kept only while the magic runs --run EXPR
    ran: list[BoundKernel] = field(default_factory=list)  # specialisations run for the user
    examples: dict[str, tuple] = field(default_factory=dict)  # kernel → its latest call's args
    reported: set[tuple[str, str]] = field(default_factory=set)  # tunings printed

    @classmethod
    def define(
        cls,
        source: str,
        namespace: dict[str, Any],
        *,
        force: bool = False,
        config: dict[str, Any] | None = None,
    ) -> CellProgram:
        """Check the cell (TranspileError), run it in the namespace, its kernels made by the
        decorator (`--force`: transpiled anew and tuned again)."""
        kernels = transpiler.kernels_from_source(
            source, filename=CELL_FILENAME, namespace=namespace, config=config, force=force
        )
        program = cls(source, kernels, config)
        for kernel in kernels.values():
            kernel.hooks.append(program.record)
        return program

    filename = CELL_FILENAME

    def record(self, call: KernelCall) -> None:
        """A call of one of the cell's kernels: say how it was tuned (once per shapes), keep
        what ran and, while --run runs, the call."""
        if call.bound not in self.ran:
            self.ran.append(call.bound)
        self.examples[call.kernel.name] = call.kernel.positional(call.args, call.kwargs)
        tuning = call.kernel.tuning_for(call.args)
        if tuning is not None:
            line = tuning_line(call.kernel.name, tuning)
            if line and (call.kernel.name, line) not in self.reported:
                self.reported.add((call.kernel.name, line))
                print(line)
        if self.recording:
            self.calls.append(call)

    def files(self) -> dict[Path, Transpiled]:
        """Each generated file of the cell's kernels → its code (error panes cite its lines)."""
        return {
            bound.module_path: bound.transpiled
            for kernel in self.kernels.values()
            for bound in kernel.specialisations
        }

    def shown(self) -> Transpiled | None:
        """The code the view shows: the cell's module, else (ranks from the arguments) the
        specialisation that ran of a one-kernel cell, else the cell's module specialised on
        the calls --run made. None before any call when ranks come from arguments."""
        if self.kernels.module is not None:
            return self.kernels.module
        if len(self.kernels) == 1 and self.ran:
            return self.ran[-1].transpiled
        if not self.examples:
            return None
        return transpiler.transpile_module(
            self.source, filename=CELL_FILENAME, example_args=self.examples, config=self.config
        )
