"""Example arguments of an assumed rank, for kernels whose tile ranks come from their arguments."""

from __future__ import annotations

import libcst as cst
import torch

from .aliases import collect_aliases
from .kernels import find_kernels
from .source import Source

# Parameters annotated with a scalar type get a scalar of it; the rest a tensor of the rank.
SCALARS: dict[str, object] = {"int": 1, "float": 1.0, "bool": False}


def parameters(source: str, filename: str) -> dict[str, list[str]]:
    """Each kernel of the source → its positional parameters' annotations as text ('' if none)."""
    parsed = Source.parse(source, filename)
    found = {}
    for kernel in find_kernels(parsed, collect_aliases(parsed.module)):
        params = [*kernel.node.params.posonly_params, *kernel.node.params.params]
        found[kernel.name] = [
            cst.Module(body=[]).code_for_node(p.annotation.annotation) if p.annotation else ""
            for p in params
        ]
    return found


def example(annotation: str, rank: int, device: str = "meta") -> object:
    """One argument: a scalar of an annotated scalar type, else a float32 tensor of 2s."""
    if annotation in SCALARS:
        return SCALARS[annotation]
    return torch.empty((2,) * rank, device=device)


def assumed_args(source: str, filename: str, rank: int, device: str = "meta") -> dict[str, tuple]:
    """Every kernel of the source → example arguments with each tensor of `rank` dimensions."""
    return {
        name: tuple(example(annotation, rank, device) for annotation in annotations)
        for name, annotations in parameters(source, filename).items()
    }
