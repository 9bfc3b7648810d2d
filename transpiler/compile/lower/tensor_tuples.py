"""`for a in tensors:` inside a device loop, over a host tuple of tensors alike (one per rank)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.lines import Param
from ..frontend.errors import UnsupportedConstructError
from .values import HOST_TENSOR, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder


@dataclass(frozen=True)
class TupleElement:
    """The loop variable of `for a in a_shared_tuple`: which tuple, and its pointer's name."""

    tuple_name: str
    pointer: str  # a_ptr = a_shared_tuple[a_index]


class TensorTuples:
    """A host tuple of tensors (`torch.ops.symm_mem.get_remote_tensors(x, group)`: x's memory
    on every rank) is one kernel argument, a Triton tuple of pointers; `for a in tensors:`
    unrolls over it (`tl.static_range(len(tensors))`). Every element is read with the first
    one's strides: the launcher checks that they share shape, strides, dtype and device, and
    binds the loop variable's name to the first (its sizes and strides for the launch)."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def is_tensor_tuple_loop(self, loop: cst.For) -> bool:
        return isinstance(loop.iter, cst.Name) and loop.iter.value in self.k.host.tensor_tuples

    def tensor_tuple_loop(self, loop: cst.For, line: int) -> None:
        tuple_name = loop.iter.value
        if not isinstance(loop.target, cst.Name):
            raise self.k.source.error(
                UnsupportedConstructError,
                loop.target,
                f"unpacking the tensors of {tuple_name} in the loop's target",
                hint=f"loop with one name: for t in {tuple_name}:",
            )
        element = loop.target.value
        if element in self.k.host.names:  # the launcher binds the name to the first tensor
            raise self.k.source.error(
                UnsupportedConstructError,
                loop.target,
                f"{element!r} is also a host name: the loop over {tuple_name} needs its own",
                hint=f"name the loop variable differently (for {element}_i in {tuple_name}:)",
            )
        self.tuple_param(tuple_name)
        index = self.k.names.fresh(f"{element}_index")
        pointer = self.k.names.fresh(f"{element}_ptr")
        self.k.emit(f"for {index} in tl.static_range(len({tuple_name})):", line)
        self.k.depth += 1
        self.k.emit(f"{pointer} = {tuple_name}[{index}]", line)
        self.k.tuple_elements[element] = TupleElement(tuple_name, pointer)
        like = self.k.host.tensor_tuples[tuple_name]
        self.k.host.like[element] = like
        if like in self.k.host.tensor_sizes:
            self.k.host.tensor_sizes[element] = list(self.k.host.tensor_sizes[like])
        self.k.scope[element] = Value(HOST_TENSOR, None, name=element)

    def tuple_param(self, tuple_name: str) -> str:
        """The kernel parameter for the tuple: passed as a tuple (Triton takes no lists)."""
        launch = f"tuple({tuple_name})"
        if launch not in self.k.param_for_launch:
            self.k.names.taken.add(tuple_name)
            self.k.params[tuple_name] = Param(tuple_name, launch, "tensors")
            self.k.param_for_launch[launch] = tuple_name
        return self.k.param_for_launch[launch]

    def tuple_bindings(self) -> list[str]:
        """Launcher lines before the checks: each tuple's tensors alike, the loop variable
        bound to the first one (the checks and the launch read its sizes and strides)."""
        lines: list[str] = []
        checked: set[str] = set()
        for element, item in self.k.tuple_elements.items():
            if item.tuple_name not in checked:
                checked.add(item.tuple_name)
                like = self.k.host.tensor_tuples[item.tuple_name]
                self.k.host_helpers.add("require_alike")
                lines.append(f'require_alike("{item.tuple_name}", {item.tuple_name}, {like})')
            lines.append(
                f"{element} = {item.tuple_name}[0]  # the loop's {element}: each of "
                f"{item.tuple_name} is alike"
            )
        return lines

    def tuple_element_pointer(self, tensor: str) -> str | None:
        item = self.k.tuple_elements.get(tensor)
        return item.pointer if item is not None else None
