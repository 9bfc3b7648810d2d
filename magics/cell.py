"""The `%%helion` cell magic: parse its options, define the cell's kernels, show, run, check."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import torch
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from transpiler import runtime
from transpiler.analysis.targets import TargetError, target_named

from . import plot, target_tabs
from .cell_run import CellRun
from .option_rules import check_options
from .options import help_text, parse_config, parse_options
from .view import SHOW_CHOICES

NO_GPU = "no GPU: running in Triton's CPU interpreter"
FORCED_INTERPRETER = "TRITON_INTERPRET=1: running in Triton's CPU interpreter"
INTERPRET_TOO_LATE = (
    "--interpret: Triton's interpreter is chosen once per process, before triton is imported; "
    "restart the kernel with TRITON_INTERPRET=1 in its environment (kernels run on the GPU now)"
)
EMPTY_CELL = (
    "%%helion: the cell has no code under the magic line; put the kernels there "
    "(%%helion --help lists the options)"
)


@magics_class
class HelionMagics(Magics):
    """Holds the `%%helion` magic and whether the interpreter notice was given."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.device_announced = False

    @magic_arguments()
    @argument("-h", "--help", action="store_true", help="show this help and run nothing")
    @argument("--run", metavar="EXPR", help="evaluate EXPR after defining the kernels")
    @argument(
        "--check",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="compare EXPR's tensors with the reference run (default: on with --run)",
    )
    @argument(
        "--bench",
        action="store_true",
        help="time EXPR on the GPU: median ms, GB/s; one kernel call also over sizes, against "
        "torch eager and torch.compile of the same source",
    )
    @argument(
        "--sizes",
        metavar="LIST",
        help="--bench's sizes for the call's largest dimension, e.g. '2**12,2**16,2**20' "
        "(default: its own and halvings of it)",
    )
    @argument(
        "--roofline",
        action="store_true",
        help="EXPR's FLOPs, bytes and intensity; on a GPU its point on the roofline; without "
        "one, where the cost model predicts it on --device's roofline",
    )
    @argument(
        "--device",
        metavar="NAME",
        help=f"without a GPU, the datasheet device --roofline predicts for (default: "
        f"{plot.PREDICTED_FOR})",
    )
    @argument(
        "--export",
        metavar="PATH",
        help="write a standalone module to PATH: kernels, launchers, reference, self-check",
    )
    @argument(
        "--export-minimal",
        metavar="PATH",
        help="write the kernels and launchers only to PATH (the file to commit)",
    )
    @argument(
        "--config",
        metavar="JSON",
        help="a Helion config as a JSON object, applied to every kernel of the cell",
    )
    @argument("--interpret", action="store_true", help="ask for Triton's CPU interpreter")
    @argument(
        "--show", choices=SHOW_CHOICES, default="side", help="what to display (default: side)"
    )
    @argument("--force", action="store_true", help="regenerate, ignoring this cell's cache")
    @argument(
        "--targets",
        metavar="LIST",
        help="with --run: compile the kernels for GPU targets, e.g. 'sm_90,sm_100,gfx942' "
        "(no GPU needed); a tab per target with registers, shared memory, occupancy, "
        "instruction mix",
    )
    @argument(
        "-a",
        "--annotate",
        action="store_true",
        help="with --run: shade each source line by the instructions it costs on each target "
        f"(default target: {target_tabs.ANNOTATED_BY_DEFAULT}); details on hover",
    )
    @line_cell_magic
    def helion(self, line: str, cell: str | None = None) -> None:
        """Transpile the cell's Helion kernels to Triton; show both side by side; run; check.

        Kernels defined in the cell become callables in the notebook's namespace, running
        the generated Triton (with `.reference` for the eager PyTorch version and
        `.triton_source` for the generated module).
        """
        try:
            options = parse_options(self.helion.parser, line)
            if options.help:
                print(help_text(self.helion.__doc__ or ""))
                return
            config = parse_config(options.config) if options.config is not None else None
            check_options(self.helion.parser, options)
        except UsageError as error:
            print(f"UsageError: {error} (%%helion --help lists the options)", file=sys.stderr)
            return
        if cell is None or not cell.strip():
            print(EMPTY_CELL)
            return
        try:
            for name in target_tabs.target_names(options):  # a misspelt one before any work
                target_named(name)
        except TargetError as error:
            print(error, file=sys.stderr)
            return
        self._announce_device(options.interpret)
        CellRun(self.shell.user_ns, cell, options, config).execute()

    def _announce_device(self, asked_for_interpreter: bool) -> None:
        if runtime.interpreting():
            if not self.device_announced:
                print(FORCED_INTERPRETER if torch.cuda.is_available() else NO_GPU)
        elif asked_for_interpreter:
            print(INTERPRET_TOO_LATE)
        self.device_announced = True
