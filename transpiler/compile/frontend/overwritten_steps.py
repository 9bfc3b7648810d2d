"""Inner device loops whose steps overwrite each other: `acc = a @ b` for `acc += a @ b`, an
accumulator zeroed inside the loop it accumulates over. Reference mode runs such a loop once,
over the whole range, and agrees with torch; the kernel keeps only the last block's step."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
import libcst.matchers as m

from ..ops.hl import DEVICE_LOOPS, HL
from ..ops.products import PRODUCT_NAMES
from .aliases import LANGUAGE, Aliases
from .errors import ShapeError
from .loop_accesses import read_names
from .source import Source

# hl.zeros / hl.full: the table's rows that make a fresh block
_FILLS = {f"{LANGUAGE}.{op.name}" for op in HL if op.cost == "allocate"}


def check_overwritten_steps(source: Source, aliases: Aliases, loops: list[cst.For]) -> None:
    """Each inner hl loop of the kernel's device loops, with the statements after it."""
    for loop in loops:
        _walk(source, aliases, loop.body.body, loop)  # type: ignore[union-attr]


def _walk(source: Source, aliases: Aliases, body: Sequence[cst.CSTNode], outer: cst.For) -> None:
    for index, statement in enumerate(body):
        if isinstance(statement, cst.For) and _is_device_loop(statement, aliases):
            carried = _assigned(outer) - _assigned(statement)
            _check_loop(source, aliases, statement, body[index + 1 :], carried)
        if isinstance(statement, (cst.For, cst.If)):
            _walk(source, aliases, statement.body.body, outer)  # type: ignore[union-attr]
            orelse = statement.orelse
            if isinstance(orelse, cst.Else):
                _walk(source, aliases, orelse.body.body, outer)  # type: ignore[union-attr]


def _assigned(node: cst.CSTNode) -> set[str]:
    """Names assignments inside `node` bind."""
    found = m.findall(node, m.AssignTarget(target=m.Name()) | m.AugAssign(target=m.Name()))
    return {t.target.value for t in found}  # type: ignore[union-attr]


def _is_device_loop(loop: cst.For, aliases: Aliases) -> bool:
    call = loop.iter
    qualified = aliases.qualified(call.func) if isinstance(call, cst.Call) else None
    return qualified in {f"{LANGUAGE}.{name}" for name in DEVICE_LOOPS}


def _is_product(value: cst.BaseExpression, aliases: Aliases) -> bool:
    if m.findall(value, m.BinaryOperation(operator=m.MatrixMultiply())):
        return True
    for call in m.findall(value, m.Call()):
        func = call.func  # type: ignore[union-attr]
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        if name in PRODUCT_NAMES:
            return True
    return False


def _check_loop(
    source: Source,
    aliases: Aliases,
    loop: cst.For,
    after: Sequence[cst.CSTNode],
    carried: set[str],
) -> None:
    """`carried`: names the enclosing device loop binds outside this loop, whose values a step
    may build on (`new = acc + a @ b`): a value reading one is not refused."""
    tiles = read_names(loop.target)
    tile = source.code(loop.target)
    read_after = set().union(*(read_names(s) for s in after)) if after else set()
    reset: dict[str, cst.CSTNode] = {}  # names zeroed in this loop's body → their target
    for statement in loop.body.body:  # type: ignore[union-attr]
        for assign in (
            m.findall(statement, m.Assign()) if not isinstance(statement, cst.For) else []
        ):
            targets = assign.targets  # type: ignore[union-attr]
            value = assign.value  # type: ignore[union-attr]
            if len(targets) != 1:
                continue
            target = targets[0].target
            if isinstance(target, cst.Name):
                name = target.value
                if isinstance(value, cst.Call) and aliases.qualified(value.func) in _FILLS:
                    reset[name] = target
                    continue
                if (
                    name in read_after
                    and not read_names(value) & (carried | {name})
                    and read_names(value) & tiles
                    and _is_product(value, aliases)
                ):
                    raise source.error(
                        ShapeError, target,
                        f"{name} is overwritten on each step of the {tile} loop: after it, "
                        f"{name} holds only the last block's product",
                        hint=f"accumulate: {name} += ... (or {name} = hl.dot(a, b, acc={name})), "
                        f"from {name} = hl.zeros([...], dtype=torch.float32) above the loop",
                    )  # fmt: skip
            elif isinstance(target, cst.Subscript) and not (
                set().union(*map(read_names, target.slice)) & tiles
            ):
                zeroed = sorted(set(reset) & read_names(value))
                if zeroed and not read_names(target.value) & read_names(
                    value
                ):  # out[i] = out[i] + t
                    name = zeroed[0]
                    raise source.error(
                        ShapeError, reset[name],
                        f"{name} is reset on every step of the {tile} loop, and the store into "
                        f"{source.code(target)} keeps only the last step's",
                        hint=f"move `{name} = hl.zeros(...)` above `for {tile} in ...`, and the "
                        "store below the loop",
                    )  # fmt: skip
