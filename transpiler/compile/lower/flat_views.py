"""A flattened view of a whole host tensor read inside a device loop (`x.view(-1)[tile]`,
`x.reshape(-1)`, `x.flatten()`): made by the launcher before the launch, as the host line
`x_flat = x.view(-1)` would, and indexed as any 1-D tensor, through its own stride. torch makes
the view (or, for reshape / flatten / ravel, a copy where no view exists: what eager reads
too), so every stride is right; a `.view(-1)` torch cannot make fails at the launch, with
torch's message naming .reshape."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from .values import Value

if TYPE_CHECKING:
    from .arguments import Arguments
    from .kernel import KernelBuilder

# method → the arguments that flatten a tensor of any rank (as written)
FLATTENING: dict[str, tuple[str, ...]] = {
    "view": ("-1",),
    "reshape": ("-1",),
    "flatten": (),
    "ravel": (),
}


def flattens(k: KernelBuilder, method: str, args: Arguments) -> bool:
    """`x.view(-1)`, `x.reshape(-1)`, `x.flatten()`, `x.ravel()`: one whole-tensor flattening."""
    wanted = FLATTENING.get(method)
    written = tuple(k.source.code(a).strip() for a in args.positional)
    return wanted is not None and not args.keywords and written == wanted


def flat_view(k: KernelBuilder, tensor: str, method: str, node: cst.Call) -> Value:
    """The 1-D host tensor the launcher binds to `tensor.method(...)` before the launch."""
    written = k.source.code(node).strip()
    if written not in k.flat_views:
        name = k.host_names.fresh(f"{tensor}_flat")
        k.flat_views[written] = (name, k.source.line_of(node))
        k.host.tensors.add(name)
        k.host.ranks[name] = 1
    return k.host_tensor(k.flat_views[written][0])
