"""A mask of several parts that several accesses use is named once, before the first of them."""

from __future__ import annotations

import re

import libcst as cst
import libcst.matchers as m

from ..lines import Line
from .statement import fresh_name, parse, render

_MASK_ARG = m.Arg(keyword=m.Name("mask"), value=m.BinaryOperation(operator=m.BitAnd()))


class _Masks(cst.CSTVisitor):
    """The `mask=a & b` arguments of a statement, as text."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def visit_Arg(self, node: cst.Arg) -> None:
        if m.matches(node, _MASK_ARG):
            self.found.append(render(node.value))


class _Rename(cst.CSTTransformer):
    def __init__(self, masks: dict[str, str]) -> None:
        self.masks = masks

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if m.matches(updated, _MASK_ARG) and (name := self.masks.get(render(updated.value))):
            return updated.with_changes(value=cst.Name(name))
        return updated


def assigned(node: cst.CSTNode | None) -> set[str]:
    names: set[str] = set()
    if isinstance(node, cst.Assign):
        for target in node.targets:
            names |= {n.value for n in m.findall(target.target, m.Name())}
    elif isinstance(node, (cst.AugAssign, cst.AnnAssign)):
        names |= {n.value for n in m.findall(node.target, m.Name())}
    return names


def _name_for(mask: str, taken: set[str]) -> str:
    """`mask_m[:, None] & mask_n[None, :]` → `mask_m_n`: the parts' own names joined."""
    parts = re.findall(r"\bmask_(\w+?)\b", mask)
    base = "mask_" + "_".join(dict.fromkeys(parts)) if parts else "mask_shared"
    return fresh_name(base, taken)


def name_shared_masks(lines: list[Line]) -> list[Line]:
    parsed = [parse(line.text) if "mask=" in line.text else None for line in lines]
    uses: dict[str, list[int]] = {}
    for index, node in enumerate(parsed):
        if node is not None and "mask=" in lines[index].text:
            visitor = _Masks()
            node.visit(visitor)
            for mask in dict.fromkeys(visitor.found):
                uses.setdefault(mask, []).append(index)
    taken = set(re.findall(r"\w+", "\n".join(line.text for line in lines)))
    named: dict[int, dict[str, str]] = {}  # first use → {mask: name}
    renamed: dict[int, dict[str, str]] = {}
    for mask, indices in uses.items():
        if len(indices) < 2 or not _shareable(lines, parsed, mask, indices):
            continue
        name = _name_for(mask, taken)
        taken.add(name)
        named.setdefault(indices[0], {})[mask] = name
        for index in indices:
            renamed.setdefault(index, {})[mask] = name
    if not named:
        return lines
    out: list[Line] = []
    for index, line in enumerate(lines):
        for mask, name in named.get(index, {}).items():
            out.append(Line(line.depth, f"{name} = {mask}", line.source_line))
        if index in renamed:
            line = Line(
                line.depth, render(parsed[index].visit(_Rename(renamed[index]))), line.source_line
            )
        out.append(line)
    return out


def _shareable(lines: list[Line], parsed: list, mask: str, indices: list[int]) -> bool:
    """Every use in the first use's block, and no part of the mask assigned between them."""
    first, last = indices[0], indices[-1]
    depth = lines[first].depth
    parts = set(re.findall(r"[A-Za-z_]\w*", mask))
    for index in range(first, last + 1):
        if lines[index].text and lines[index].depth < depth:
            return False
        text = lines[index].text
        if index > first and "=" in text and assigned(parsed[index] or parse(text)) & parts:
            return False
    return True
