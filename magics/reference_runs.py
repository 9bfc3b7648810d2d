"""How `--check` runs EXPR again: every kernel eager, from where the run began (its random
state, the values of the tensors it names), its prints kept out of the cell's output."""

from __future__ import annotations

import ast
import contextlib
import io
from collections.abc import Callable, Iterator
from typing import Any

import torch

import transpiler


def eager_kernels(namespace: dict[str, Any]) -> dict[str, Callable]:
    """Each kernel the notebook binds (this cell's and earlier cells') → its eager reference: a
    kernel whose host code calls an earlier cell's kernel is compared with eager code
    throughout, not with that kernel's Triton again."""
    return {
        name: value.reference
        for name, value in list(namespace.items())
        if isinstance(value, transpiler.Kernel)
    }


class Start:
    """Where EXPR began: torch's random state, and the values of the notebook's tensors it
    names (a kernel may write into one: `add_into(out, x) or out`)."""

    def __init__(self, expression: str, namespace: dict[str, Any]) -> None:
        gpus = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []
        self.random = (torch.get_rng_state(), gpus)
        names = sorted(
            {n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)}
        )
        tensors = {n: namespace[n] for n in names if isinstance(namespace.get(n), torch.Tensor)}
        copies = {name: copy(tensor) for name, tensor in tensors.items()}
        self.before = {n: (tensors[n], c) for n, c in copies.items() if c is not None}
        self.after: dict[str, torch.Tensor] = {}  # the ones the run changed → their new values

    def ran(self) -> None:
        """After the kernels' run: keep the tensors it wrote into (with their new values)."""
        self.after = {
            name: tensor.clone()
            for name, (tensor, values) in self.before.items()
            if not torch.equal(tensor, values)
        }
        self.before = {name: self.before[name] for name in self.after}

    def written(self, value: Any) -> str | None:
        """The name of the notebook's tensor `value` is, when the run wrote into it."""
        return next((n for n, (t, _) in self.before.items() if t is value), None)

    def rewind(self) -> None:
        """Back to where EXPR began: `torch.randn(...)` in EXPR draws the same inputs for the
        reference, and a tensor the kernels wrote into holds its values from before."""
        cpu, gpus = self.random
        torch.set_rng_state(cpu)
        if gpus:
            torch.cuda.set_rng_state_all(gpus)
        for tensor, values in self.before.values():
            tensor.copy_(values)

    def restore_run(self) -> None:
        """The tensors the kernels wrote into hold what the kernels wrote (not the reference's)."""
        for name, values in self.after.items():
            self.before[name][0].copy_(values)


def copy(tensor: torch.Tensor) -> torch.Tensor | None:
    """The tensor's values now; None where the device has no room for them (that tensor is
    then not restored: a kernel writing into it sees its own result in the reference run)."""
    try:
        return tensor.clone()
    except torch.OutOfMemoryError:
        return None


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """What a reference run prints is not shown (the run of the kernels printed it once)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield
