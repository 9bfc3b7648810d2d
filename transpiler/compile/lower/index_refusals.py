"""Subscripts of host tensors refused with the spelling that works (`...`, `x[()]`, `xs[0][t]`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import UnsupportedConstructError

if TYPE_CHECKING:
    from .kernel import KernelBuilder


def refuse_ellipsis(builder: KernelBuilder, node: cst.Subscript, ellipsis: cst.Ellipsis) -> None:
    """`x[..., tile]` of a host tensor: refused at the `...`, the hint spelling the `:`s it
    stands for where the tensor's rank is known."""
    tensor = node.value.value if isinstance(node.value, cst.Name) else None
    rank = builder.host.rank(tensor) if tensor is not None else None
    parts = [builder.source.code(element.slice) for element in node.slice]
    used = sum(1 for p in parts if p not in ("...", "None"))
    spelled = ", ".join(":" for _ in range(max((rank or used + 1) - used, 0)))
    written = ", ".join(spelled if p == "..." else p for p in parts)
    shown = f"{builder.source.code(node.value)}[{written}]"
    raise builder.source.error(
        UnsupportedConstructError,
        ellipsis,
        "`...` in a subscript of a host tensor",
        hint=f"write the ':'s it stands for: {shown}"
        if rank is not None
        else "write one ':' per dimension it stands for",
    )


def empty_index(builder: KernelBuilder, node: cst.Subscript) -> list[tuple[str, object]]:
    """`s[()]` of a 0-d tensor: no index (its one element); of a tensor with dimensions,
    the whole tensor, which device code does not read or write at once."""
    tensor = node.value.value if isinstance(node.value, cst.Name) else None
    rank = builder.host.rank(tensor) if tensor is not None else None
    if rank == 0:
        return []
    shown = builder.source.code(node)
    if rank is None:
        raise builder.source.error(
            UnsupportedConstructError,
            node,
            f"{shown}: the rank of {builder.source.code(node.value)} is not known here (a 0-d "
            "tensor's element, or a whole tensor)",
            hint="give the kernel's arguments (example_args= to transpile; calling the kernel "
            "does), or make it a 0-d tensor the host code shows: s = x.sum()",
        )
    raise builder.source.error(
        UnsupportedConstructError,
        node,
        f"{shown} is the whole {rank}-D tensor",
        hint="index a 0-d tensor with s[()]; a tensor with dimensions with tiles, integers "
        "or ':' (x[tile])",
    )


def refuse_indexed_argument(builder: KernelBuilder, node: cst.Subscript) -> None:
    """`xs[0][tile]` with `xs` a list or tuple of tensors: unpacked in host code, it works."""
    base = node.value
    while isinstance(base, cst.Subscript):
        base = base.value
    name = base.value if isinstance(base, cst.Name) else None
    if name in builder.host.scalar_params:  # `s: float`: was "(a list of tensors?) a, b = s"
        raise builder.source.error(
            UnsupportedConstructError,
            node,
            f"the argument {name!r} is a number (annotated int, float or bool): it has no index",
            hint=f"use it without an index (x[tile] * {name}); for a value per element, "
            f"annotate it torch.Tensor and pass a tensor",
        )
    if name in builder.host.params and name not in builder.host.tensors:
        raise builder.source.error(
            UnsupportedConstructError,
            node,
            f"the argument {name!r} indexed inside the device loop (a list of tensors?)",
            hint=f"unpack it in host code, before the loop: a, b = {name}",
        )
