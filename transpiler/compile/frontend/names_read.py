"""The names an expression reads, in order: not attribute names (`tile.index`) nor keywords'
names (`dim=`). Shared by the passes that follow names through a kernel's source."""

from __future__ import annotations

import libcst as cst


class NamesRead(cst.CSTVisitor):
    """Collects each `cst.Name` read, in source order, into `names`."""

    def __init__(self) -> None:
        self.names: list[cst.Name] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.names.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False


def names_read(node: cst.CSTNode | None) -> list[cst.Name]:
    """The names `node` reads, in order (none for None)."""
    if node is None:
        return []
    reads = NamesRead()
    node.visit(reads)
    return reads.names
