"""Online softmax in looped rows: a sum of `exp(x - max)` joined to the loop finding the max.

`row - row.amax(...)`, `.exp()`, `.sum(...)` along a row walked in chunks would read the row
once for the maximum and again for the sum. When the summed value is the maximum's
exponential times values free of it (`exp(x - m) * w`, `tl.where(mask, exp(x - m), 0)`), one
loop keeps a running maximum per row and rescales each lane's sum by `exp(old - new)` when it
grows: the sum is then exact for the final maximum, as the two loops would have made it.
"""

from __future__ import annotations

import ast
import re

FREE, TOP, SHIFT, SCALED, BAD = "free", "top", "shift", "scaled", "bad"
_KEEP_KIND = {"upcast_half", "to"}  # calls that keep their first operand's kind


def proportional_to_exp(rows: list[ast.stmt], operand: ast.expr, tops: set[str]) -> bool:
    """Whether `operand` (reading names the row statements `rows` assign, in order) equals
    exp(-max) times values that do not depend on the max (`tops`: its names)."""
    kinds: dict[str, str] = dict.fromkeys(tops, TOP)
    for statement in rows:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target = statement.targets[0]
        if isinstance(target, ast.Name):
            kinds[target.id] = _kind(statement.value, kinds)
    return _kind(operand, kinds) == SCALED


def _kind(node: ast.expr, kinds: dict[str, str]) -> str:
    """What `node` is as a function of the maximum: free of it, the maximum itself, x - max,
    proportional to exp(-max), or anything else (bad)."""
    if not any(isinstance(n, ast.Name) and kinds.get(n.id, FREE) != FREE for n in ast.walk(node)):
        return FREE
    if isinstance(node, ast.Name):
        return kinds.get(node.id, FREE)
    if isinstance(node, ast.Subscript):  # `m[:, None]`: the same values, another shape
        return _kind(node.value, kinds)
    if isinstance(node, ast.BinOp):
        return _binary(node.op, _kind(node.left, kinds), _kind(node.right, kinds))
    if isinstance(node, ast.Call):
        return _call(node, kinds)
    return BAD


def _binary(op: ast.operator, left: str, right: str) -> str:
    pair = (left, right)
    if isinstance(op, ast.Sub) and pair in ((FREE, TOP), (SHIFT, FREE)):
        return SHIFT
    if isinstance(op, ast.Add) and pair in ((SHIFT, FREE), (FREE, SHIFT)):
        return SHIFT
    if isinstance(op, ast.Mult) and pair in ((SCALED, FREE), (FREE, SCALED)):
        return SCALED
    if isinstance(op, ast.Div) and pair == (SCALED, FREE):
        return SCALED
    if isinstance(op, ast.Add) and pair == (SCALED, SCALED):
        return SCALED
    return BAD


def _call(node: ast.Call, kinds: dict[str, str]) -> str:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    owner = func.value if isinstance(func, ast.Attribute) else None
    if name == "to" and owner is not None and len(node.args) <= 1:
        return _kind(owner, kinds) if all(_kind(a, kinds) == FREE for a in node.args) else BAD
    arguments = [_kind(a, kinds) for a in node.args]
    if name in _KEEP_KIND and len(arguments) == 1:
        return arguments[0]
    if name == "exp" and arguments == [SHIFT]:
        return SCALED
    if name == "where" and len(arguments) == 3 and arguments[0] == FREE:
        zero = node.args[2]
        if arguments[1] == SCALED and isinstance(zero, ast.Constant) and zero.value == 0:
            return SCALED
    return BAD


def reshaped(statement: ast.stmt, top: str) -> bool:
    """Whether the statement names the max again, maybe in another shape (`m = top`,
    `m = tl.reshape(top, [BLOCK_M])`, `m = top[:, None]`): the same values."""
    if not isinstance(statement, ast.Assign) or not isinstance(statement.targets[0], ast.Name):
        return False
    value = statement.value
    if isinstance(value, ast.Name):  # `max_logits = max_logits_max`
        return value.id == top
    if isinstance(value, ast.Subscript):
        return isinstance(value.value, ast.Name) and value.value.id == top
    return (
        isinstance(value, ast.Call)
        and ast.unparse(value.func) == "tl.reshape"
        and isinstance(value.args[0], ast.Name)
        and value.args[0].id == top
    )


def online_parts(top: dict, total: dict, fresh) -> tuple[dict, dict, dict[str, str]]:
    """The max accumulation as a running maximum per row and the sum rescaled by it: each as
    (init, step, after) lines, and the renaming the loop's row code takes (max → this chunk's)."""
    running, newest = fresh(f"{top['result']}_running"), fresh(f"{top['result']}_new")
    shape, axis_at = top["shape"], top["axis_at"]
    maximum = {
        "init": [f'{running} = tl.full({shape}, float("-inf"), {top["floats"]})'],
        "step": [  # a NaN kept, as torch keeps it (accumulations.py gave the helper)
            f"{newest} = tl.maximum({running}, max_nan({top['chunk']}, {axis_at}), "
            "propagate_nan=tl.PropagateNan.ALL)"
        ],
        "after": [f"{top['result']} = {running}"],
    }
    lanes = total["lanes"]
    summed = {
        "init": total["init"],
        "step": [
            f"{lanes} = {lanes} * tl.exp({running} - {newest}) + {total['add']}  # rescaled",
            f"{running} = {newest}",
        ],
        "after": total["after"],
    }
    return maximum, summed, {top["result"]: newest}


def join_online(
    builder, statements: list, grouped: tuple[list, list], index: int, overlap: set,
    accumulation_of, renames: dict[str, str],
) -> bool:  # fmt: skip
    """Whether the sum at statements[index], reading only the result of a max accumulation of
    the group (as exp(x - max) times values free of it, maybe through plain statements after
    the loop naming the max again), joins the group's loop: the max then runs per chunk, the
    sum's lanes are rescaled, and `renames` says what the loop's row code reads instead."""
    group, after = grouped
    total = accumulation_of(statements[index])
    if total.online.get("kind") != "sum":
        return False
    tops = [
        a for a in map(accumulation_of, group) if a is not None and a.online.get("kind") == "max"
    ]
    for top in tops:
        result = top.online["result"]
        aliases = {  # plain statements after the loop naming the max in another shape
            s.tree.targets[0].id: s for s in after if s.kind == "plain" and reshaped(s.tree, result)
        }
        if overlap <= {result, *aliases} and result not in renames:
            break
    else:
        return False
    rows = [s.tree for s in statements[:index] if s.kind == "row"]
    operand = ast.parse(total.online["add"], mode="eval").body
    if not proportional_to_exp(rows, operand, {result, *aliases}):
        return False
    maximum, summed, rename = online_parts(top.online, total.online, builder.names.fresh)
    for alias, statement in aliases.items():  # `top` → `(tl.reshape(this chunk's, ...))`
        value = ast.unparse(statement.tree.value)
        rename[alias] = "(" + re.sub(rf"\b{result}\b", rename[result], value) + ")"
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, rename)) + r")\b")
    summed["step"] = [pattern.sub(lambda m: rename[m.group(1)], t) for t in summed["step"]]
    for accumulation, parts in ((top, maximum), (total, summed)):
        replace_parts(accumulation, parts)
    renames.update(rename)
    return True


def replace_parts(accumulation, parts: dict) -> None:
    """The accumulation's lines (init, step, after) replaced, the names they assign defined."""
    accumulation.init, accumulation.step = parts["init"], parts["step"]
    accumulation.after = parts["after"]
    accumulation.defines = accumulation.defines | {
        n.id
        for text in parts["init"] + parts["step"] + parts["after"]
        for n in ast.walk(ast.parse(text))
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
