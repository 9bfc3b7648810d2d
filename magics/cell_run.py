"""One run of a `%%helion` cell: define its kernels, run and check --run, show, time, export."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import torch
from IPython.display import Image, display

from transpiler import BoundKernel, TranspileError, runtime
from transpiler.analysis.perf.kernel_call import searched_timings

from . import (
    check_step,
    checking,
    exporting,
    notes,
    plot,
    reference_runs,
    sweep,
    target_tabs,
    timing,
)
from .assumed import Assumed, assume_ranks
from .cell_rules import check_cell
from .errors import run_error_pane, transpile_error_pane
from .option_rules import export_path
from .program import CELL_FILENAME, CellProgram
from .view import HelionView

WAITS_FOR_ARGUMENTS = (
    "note: a tile's rank comes from the arguments (hl.tile(x.size())), so the code is generated "
    "at the first call; --run EXPR shows it"
)


class CellInterrupted(KeyboardInterrupt):
    """The user stopped the cell: still an interrupt (Run All stops), shown as one line, not
    the magic's own frames (IPython renders `_render_traceback_` instead of a traceback)."""

    def __init__(self, doing: str) -> None:
        super().__init__(doing)
        self.doing = doing

    def _render_traceback_(self) -> list[str]:
        return [f"KeyboardInterrupt: %%helion interrupted while {self.doing}"]


class CellRun:
    """One execution of a `%%helion` cell, step by step; each failure is one error pane."""

    def __init__(
        self,
        namespace: dict[str, Any],
        cell: str,
        options: argparse.Namespace,
        config: dict[str, Any] | None,
    ) -> None:
        self.namespace = namespace
        self.cell = cell
        self.options = options
        self.config = config
        self.program: CellProgram | None = None
        self.examples: dict[str, tuple] = {}  # kernel → its first call's arguments in --run
        self.launched: dict[str, BoundKernel] = {}  # kernel → what that first call ran
        self.doing = "defining the cell"  # the step under way, for an interrupt's line
        self.start: reference_runs.Start | None = None  # where --run's EXPR began

    def execute(self) -> None:
        """The cell's steps; an interrupt (the stop button) is one line naming the step."""
        try:
            self._steps()
        except KeyboardInterrupt:
            raise CellInterrupted(self.doing) from None

    def _steps(self) -> None:
        """Build, define, run and check; then the view, under what the run printed (a failure
        is read first, above the code)."""
        options = self.options

        def define() -> None:
            check_cell(self.cell)
            self.program = CellProgram.define(
                self.cell, self.namespace, force=options.force, config=self.config
            )

        if self.failed("defining the cell", define):
            return
        for note in notes.cell_notes(self.cell, self.program.kernels):
            print(note)
        if self.config is not None:
            print(f"config: {json.dumps(self.config, sort_keys=True)}")
        ran = options.run is not None and self._run(options.run)
        self._show(ran)
        if options.roofline and options.run is None:
            print(plot.NEEDS_RUN)
        for shown, minimal in ((options.export, False), (options.export_minimal, True)):
            if shown is not None and options.run is not None and not ran:
                print(f"export: nothing written to {shown}: --run {options.run} or its check failed "
                      "(above); the file is written from a run that worked")  # fmt: skip
            elif shown is not None:
                self._export(export_path(shown), shown, minimal)

    def _show(self, ran: bool) -> None:
        """The view of the code that ran, else of the generic code, else of assumed ranks."""
        self.doing = "showing the code"
        program = self.program
        if self.options.show == "none" or program is None or not program.kernels:
            return
        assumed: Assumed | None = None
        transpiled = program.shown()
        if transpiled is None:
            assumed = assume_ranks(program, force=self.options.force)
            if assumed is None:
                print(WAITS_FOR_ARGUMENTS)
                return
            transpiled = assumed.transpiled
        on_device = ran and not runtime.interpreting()
        modules = [bound.module for bound in program.ran]
        stages = timing.compiled_stages(modules) if on_device else {}
        description = assumed.describe() if assumed else None
        view = HelionView(self.cell, transpiled, self.options.show, stages, description)
        view.tabs = self._target_tabs(ran)
        display(view)

    def _target_tabs(self, ran: bool) -> list[tuple[str, str]]:
        """`--targets` / `-a`: a tab per target, from the calls `--run` made (`ran`: it ran and
        passed its check); without any, one line saying why."""
        names = target_tabs.target_names(self.options)
        if not names:
            return []
        if not self.examples:
            if self.options.run is None:
                print(target_tabs.NEEDS_RUN)
            else:
                print(target_tabs.CALLED_NO_KERNEL if ran else target_tabs.RUN_FAILED)
            return []
        tabs = target_tabs.compile_tabs(self.program, self.launched, self.examples, names)
        annotate = self.options.annotate
        return [
            (
                f"{tab.target.name} · {tab.target.gpu}",
                target_tabs.tab_body(tab, self.cell, annotate),
            )
            for tab in tabs
        ]

    def failed(self, what: str, step: Any) -> bool:
        """Run `step`; on an exception show where it happened and say so."""
        self.doing = what
        try:
            step()
        except TranspileError as error:  # code specialised at the call: still the user's line
            display(transpile_error_pane(error, self.cell, self.namespace))
            return True
        except Exception as error:
            files = self.program.files() if self.program else {}
            display(run_error_pane(what, error, self.cell, files, CELL_FILENAME))
            return True
        return False

    def _evaluate(self, expression: str, substitutes: dict[str, Any] | None = None) -> Any:
        """`expression` in the notebook's namespace, some names swapped for the duration."""
        saved = {name: self.namespace[name] for name in substitutes or {}}
        self.namespace.update(substitutes or {})
        try:
            return eval(compile(expression, "<helion --run>", "eval"), self.namespace)
        finally:
            self.namespace.update(saved)

    def evaluate_again(self, expression: str, substitutes: dict[str, Any]) -> Any:
        """`expression` once more, for the check: from where the run began (the same
        `torch.randn` inputs, the named tensors' values), its prints not shown a second time."""
        assert self.start is not None
        self.start.rewind()
        with reference_runs.quiet():
            return self._evaluate(expression, substitutes)

    def _run(self, expression: str) -> bool:
        program = self.program
        assert program is not None
        program.calls.clear()
        outcome: dict[str, Any] = {}
        check = self.options.check if self.options.check is not None else True

        def run() -> None:  # with --no-check, nothing to rewind to: no copies
            self.start = reference_runs.Start(expression, self.namespace if check else {})
            program.recording = True
            try:
                outcome["result"] = self._evaluate(expression)
            finally:
                program.recording = False

        if self.failed(f"running {expression}", run):
            return False
        result = outcome["result"]
        assert self.start is not None
        self.start.ran()
        print(checking.summary(expression, result))
        try:
            if check and not check_step.check(self, expression, result):
                return False
        finally:
            self.start.restore_run()
        if self.options.bench:
            self._bench(expression, result)
        if self.options.roofline:
            self._roofline(expression)
        for call in program.calls:  # shapes for --export's self-check (meta: no data kept)
            name = call.kernel.name
            if name not in self.examples:
                self.examples[name] = tuple(map(runtime.as_meta, call.args))
                self.launched[name] = call.bound
        program.calls.clear()  # the tensors they hold are not ours to keep alive
        return True

    def _bench(self, expression: str, result: Any) -> None:
        self.doing = f"timing {expression}"
        if not on_gpu():
            print(timing.CPU_NOTICE)
            return
        program = self.program
        assert program is not None
        moved = timing.tensor_bytes([call.args for call in program.calls] + [result])
        print(timing.bench_report(expression, lambda: self._evaluate(expression), moved))
        block_sizes = (self.config or {}).get("block_sizes")
        lines, png = sweep.sweep_report(
            expression,
            program.source,
            program.calls,
            self.options.sizes,
            block_sizes,
        )
        print("\n".join(lines))
        if png is not None:
            display(Image(data=png, format="png"))

    def _roofline(self, expression: str) -> None:
        self.doing = f"drawing the roofline of {expression}"
        program = self.program
        assert program is not None

        searches = [  # the autotuner's search behind each call, when this run searched
            searched_timings(call.kernel, call.args) for call in program.calls
        ]
        lines, png = plot.roofline_report(
            expression,
            program.source,
            [(call.kernel.name, call.args) for call in program.calls],
            lambda: self._evaluate(expression),
            on_gpu=on_gpu(),
            predict_for=self.options.device or plot.PREDICTED_FOR,
            block_sizes=(self.config or {}).get("block_sizes"),
            searches=searches,
            blocks=[
                call.bound.transpiled.block_defaults.get(call.kernel.name, ())
                for call in program.calls
            ],
        )
        for line in lines:
            print(line)
        if png is not None:
            display(Image(data=png, format="png"))

    def _export(self, path: Path, shown: str, minimal: bool) -> None:
        assert self.program is not None
        print(
            exporting.export_cell(self.program, self.examples, path, shown, minimal, self.namespace)
        )


def on_gpu() -> bool:
    """Kernels run on a GPU here (not in Triton's interpreter): timing and figures make sense."""
    return not runtime.interpreting() and torch.cuda.is_available()
