"""One `%%helion` cell as a program: its kernels (`transpiler.Kernel`s, made by the decorator
from the cell's text) and the calls `--run` makes of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import transpiler
from transpiler import BoundKernel, KernelCall, SourceKernels, Transpiled

from .assumed import waiting_for_ranks
from .outside import with_earlier_literals
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
    ran: list[BoundKernel] = field(default_factory=list)  # specialisations --run ran
    examples: dict[str, tuple] = field(default_factory=dict)  # kernel → --run's latest args
    tunings_seen: dict[str, int] = field(default_factory=dict)  # kernel → its tunings said

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
        decorator (`--force`: transpiled anew and tuned again). The earlier cells' literals it
        reads follow its source (`SCALE = 2.5  # bound by an earlier cell`): device loops read
        them as module constants."""
        source = with_earlier_literals(source, namespace)
        kernels = transpiler.kernels_from_source(
            source, filename=CELL_FILENAME, namespace=namespace, config=config, force=force
        )
        program = cls(source, kernels, config)
        for kernel in kernels.values():
            kernel.hooks.append(program.record)
        return program

    filename = CELL_FILENAME

    def record(self, call: KernelCall) -> None:
        """A call of one of the cell's kernels: say how it was tuned when that is new (a search
        or the autotune file); while --run runs, keep the call and what it ran. Cheap
        otherwise: a benchmark loop calls it each time."""
        kernel = call.kernel
        if len(kernel.tunings) != self.tunings_seen.get(kernel.name, 0):
            self.tunings_seen[kernel.name] = len(kernel.tunings)
            tuning = kernel.tuning_for(call.args)
            line = tuning_line(kernel.name, tuning) if tuning is not None else None
            if line:
                print(line)
        if not self.recording:
            return
        self.calls.append(call)
        if call.bound not in self.ran:
            self.ran.append(call.bound)
        self.examples[kernel.name] = kernel.positional(call.args, call.kwargs)

    def files(self) -> dict[Path, Transpiled]:
        """Each generated file of the cell's kernels → its code (error panes cite its lines)."""
        return {
            bound.module_path: bound.transpiled
            for kernel in self.kernels.values()
            for bound in kernel.specialisations
        }

    def shown(self) -> Transpiled | None:
        """The code the view shows: without --run's calls, the cell's module (None when ranks
        come from the arguments); after them, the code for their arguments' ranks: a one-kernel
        cell's specialisation (with the cell's configuration where the module serves every
        rank, else the one that ran), else the cell's module specialised on the calls. A 2-D
        call of a kernel written over `x.size(0)` shows the 2-D code it ran, not the 1-D code."""
        if not self.examples:
            return self.kernels.module
        if len(self.kernels) == 1:
            ((name, kernel),) = self.kernels.items()
            if self.kernels.module is None and self.ran:
                return self.ran[-1].transpiled
            if name in self.examples:
                return kernel.transpiled(self.examples[name])
            return self.kernels.module
        uncalled = [name for name in self.kernels if name not in self.examples]
        if waiting_for_ranks(self, uncalled):
            return None  # a kernel --run did not call has no ranks yet: assumed.assume_ranks
        return transpiler.transpile_module(
            self.source, filename=CELL_FILENAME, example_args=self.examples, config=self.config
        )
