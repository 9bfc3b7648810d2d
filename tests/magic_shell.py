"""Driving %%helion through IPython's own shell: the test cells, a fresh shell, captured output."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import magics

ADD_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile] + y[tile]
    return out
"""

# hl.tile(out.size()): the rank comes from the arguments, so code is generated per call ranks.
ANY_RANK_CELL = ADD_CELL.replace("hl.tile(out.size(0))", "hl.tile(out.size())")

SCALED_CELL = """\
import torch
import helion
import helion.language as hl

SCALE = 3.0

def twice(t):
    return t + t

@helion.kernel()
def scaled_exp(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = torch.exp(x[tile]) * SCALE
    return out
"""


@dataclass
class Shown:
    """What one magic call printed and displayed."""

    stdout: str
    stderr: str
    outputs: list[dict[str, Any]]

    def html(self) -> str:
        return "".join(o.get("text/html", "") for o in self.outputs)

    def plain(self) -> str:
        return "\n".join(o.get("text/plain", "") for o in self.outputs)


@contextlib.contextmanager
def fresh_shell(device: str) -> Iterator[InteractiveShell]:
    """IPython's shell with a fresh namespace and a fresh %%helion (device notice not yet given).

    Tensors the tests make land on the test device (the GPU where there is one).
    """
    ipython = InteractiveShell.instance()
    ipython.reset(new_session=False)
    magics.register(ipython)
    ipython.run_cell("import torch")
    torch.set_default_device(device)
    try:
        yield ipython
    finally:
        torch.set_default_device(None)


def run_magic(shell: InteractiveShell, line: str, cell: str) -> Shown:
    with capture_output() as captured:
        shell.run_cell_magic("helion", line, cell)
    return Shown(captured.stdout, captured.stderr, [o.data for o in captured.outputs])


def put(shell: InteractiveShell, **values: Any) -> None:
    shell.user_ns.update(values)
