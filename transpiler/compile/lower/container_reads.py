"""An item of a host list, tuple, dict or string read in a device loop (`scales[1]` with
`scales = [0.5, 2.0]` in host code or at the module's top level): refused at the subscript.
Device code reads tensors and numbers; before, such a name became a tensor argument and the
launcher failed on it with an AttributeError from inside the generated module."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..frontend.errors import UnsupportedConstructError
from ..frontend.host_containers import container_kind
from ..frontend.targets import names_bound_in
from .module_globals import module_assignment

if TYPE_CHECKING:
    from .kernel import KernelBuilder


def refuse_container_reads(k: KernelBuilder, loop: cst.For) -> None:
    """The first subscript in `loop` of a host or module-level literal container, refused."""
    bound = names_bound_in(loop)
    for node in m.findall(loop, m.Subscript(value=m.Name())):
        name = node.value.value
        if name in bound:
            continue
        if name in k.host.names:
            kind, where = k.host.containers.get(name), "in host code"
        elif name in k.aliases.globals - set(k.aliases.names):
            kind = container_kind(module_assignment(k.source.module, name))
            where = "at the module's top level"
        else:
            continue
        if kind is None:
            continue
        item = k.source.code(node)
        raise k.source.error(
            UnsupportedConstructError,
            node,
            f"{name} is {kind} (made {where}): device code reads tensors and numbers, not "
            "the items of a Python container",
            hint=f"read the item on the host before the loop (`item = {item}`) and use that "
            f"name in the loop, or, for numbers, make a tensor of them (`torch.tensor({name}, device=...)`)",
        )
