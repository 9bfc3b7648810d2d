"""Variance in one read of a looped row: a sum of squared deviations from the row's mean joined
to the sum that makes the mean, as Welford's running mean and squares per lane.

`mean = row.sum(-1) / n`, `centred = row - mean`, `(centred * centred).sum(-1)` along a row
walked in chunks would read the row once for the mean and again for the squares. Welford's
update keeps each lane's mean and sum of squared deviations as the chunks come; after the loop
`welford_combine` merges the lanes (Chan et al.), giving the sum (mean × n) and the squares
exactly as the two loops would (no cancellation: rows far from zero lose nothing).
"""

from __future__ import annotations

import ast

from .online_rows import replace_parts

FREE, MEAN, DEVIATION, SQUARE, BAD = "free", "mean", "deviation", "square", "bad"


def squared_deviation(rows: list[ast.stmt], operand: ast.expr, total: str, first: dict) -> bool:
    """Whether `operand` is (x - total / count)² for the x the sum `first` adds up (its
    operand, a name), through the statements `rows` (in order; the caller makes sure no row
    statement rebinds x between the two sums)."""
    row = first["operand"]
    if not row.isidentifier():
        return False
    kinds: dict[str, str] = {}
    for statement in rows:
        if not isinstance(statement, ast.Assign) or not isinstance(statement.targets[0], ast.Name):
            continue
        kinds[statement.targets[0].id] = _kind(statement.value, kinds, total, first)
    return _kind(operand, kinds, total, first) == SQUARE


def mean_kind(rows: list[ast.stmt], value: ast.expr, total: str, first: dict) -> bool:
    """Whether `value` is the mean the sum `total` makes (`total / count`, reshaped)."""
    kinds: dict[str, str] = {}
    for statement in rows:
        if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name):
            kinds[statement.targets[0].id] = _kind(statement.value, kinds, total, first)
    return _kind(value, kinds, total, first) == MEAN


def _kind(node: ast.expr, kinds: dict[str, str], total: str, first: dict) -> str:
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if total not in names and all(kinds.get(n, FREE) == FREE for n in names):
        return FREE
    if isinstance(node, ast.Name):
        return kinds.get(node.id, FREE)
    if isinstance(node, ast.Subscript):  # `mean[:, None]`
        return (
            _kind(node.value, kinds, total, first)
            if _kind(node.value, kinds, total, first) == MEAN
            else BAD
        )
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "tl.reshape" and node.args:
        inner = _kind(node.args[0], kinds, total, first)
        return inner if inner == MEAN else BAD
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Div) and ast.unparse(node.right) == first["count"]:
            summed = node.left  # `total / n`, `tl.reshape(total, [BLOCK_M]) / n`
            if isinstance(summed, ast.Call) and ast.unparse(summed.func) == "tl.reshape":
                summed = summed.args[0]
            if isinstance(summed, ast.Name) and summed.id == total:
                return MEAN
        left, right = _kind(node.left, kinds, total, first), _kind(node.right, kinds, total, first)
        if (
            isinstance(node.op, ast.Sub)
            and right == MEAN
            and ast.unparse(node.left) == first["operand"]
        ):
            return DEVIATION
        if isinstance(node.op, ast.Mult) and (left, right) == (DEVIATION, DEVIATION):
            same = ast.unparse(node.left) == ast.unparse(node.right)
            return SQUARE if same else BAD
        if (
            isinstance(node.op, ast.Pow)
            and left == DEVIATION
            and ast.unparse(node.right) in ("2", "2.0")
        ):
            return SQUARE
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "tl.where" and len(node.args) == 3:
        condition, chosen, other = (_kind(a, kinds, total, first) for a in node.args)
        zero = node.args[2]
        if (
            condition == FREE
            and chosen == SQUARE
            and isinstance(zero, ast.Constant)
            and zero.value == 0
        ):
            return SQUARE
    return BAD


def lane_counts(shape: str, position: int, size: str, block: str, dtype: str) -> str:
    """How many elements each lane of a [shape] accumulator saw, the row of `size` walked in
    chunks of `block` along `position`: lane j, cdiv(size - j, block) (no accumulator)."""
    rank = shape.count(",") + 1
    places = ["None"] * rank
    places[position] = ":"
    lanes = f"tl.arange(0, {block})" + (f"[{', '.join(places)}]" if rank > 1 else "")
    counts = f"(({size} - {lanes} + {block} - 1) // {block}).to({dtype})"
    return f"tl.broadcast_to({counts}, {shape})"


def welford_parts(first: dict, second: dict, looped, fresh) -> tuple[dict, dict]:
    """The first sum as Welford's lanes (its total = mean × count after the loop) and the
    second's total as their merged squares: (init, step, after) lines of each."""
    start, block = looped.start, looped.axis.block
    mean, squares, seen = (fresh(f"{first['result']}_{n}") for n in ("means", "m2s", "counts"))
    merged = [fresh(f"{first['result']}_{n}") for n in ("mean", "m2", "count")]
    diff, weight = fresh(f"{first['result']}_diff"), fresh(f"{first['result']}_weight")
    shape, mask, row = first["shape"], first["mask"], first["operand"]
    deviation = f"{row} - {mean}" if mask is None else f"tl.where({mask}, {row} - {mean}, 0.0)"
    welford = {
        "init": [f"{n} = tl.zeros({shape}, {first['floats']})" for n in (mean, squares)],
        "step": [
            f"{weight} = tl.full([], 1.0, {mean}.dtype) / ({start} // {block} + 1)  # its share",
            f"{diff} = {deviation}",
            f"{mean} += {diff} * {weight}",
            f"{squares} += {diff} * ({diff} - {diff} * {weight})",
        ],
        "after": [
            f"{seen} = {lane_counts(shape, first['position'], looped.size, block, f'{mean}.dtype')}",
            f"{', '.join(merged)} = tl.reduce(({mean}, {squares}, {seen}), {first['position']}, "
            "welford_combine, keep_dims=True)",
            f"{first['result']} = {merged[0]} * {first['count']}",
        ],
    }
    squared = {"init": [], "step": [], "after": [f"{second['result']} = {merged[1]}"]}
    return welford, squared


def join_variance(
    builder, statements: list, grouped: tuple[list, list], index: int, overlap: set,
    accumulation_of,
) -> bool:  # fmt: skip
    """Whether the sum at statements[index] is of squared deviations from the mean that a sum
    of the group makes (reading only that sum's result, or plain statements after the loop
    naming its mean): both then become Welford's lanes in this loop."""
    group, after = grouped
    second = accumulation_of(statements[index])
    if second.online.get("kind") != "sum":
        return False
    for marker in (s for s in group if s.kind == "marker"):
        first = accumulation_of(marker)
        info = first.online
        if info.get("kind") != "sum" or info.get("joined") or not info["operand"].isidentifier():
            continue
        seen = [s for s in statements[:index] if s.kind == "row" or s in after]
        means = {  # plain statements after the loop naming the mean (`mean = s / n`)
            s.tree.targets[0].id
            for s in after
            if s.kind == "plain"
            and isinstance(s.tree, ast.Assign)
            and isinstance(s.tree.targets[0], ast.Name)
            and mean_kind(
                [t.tree for t in seen[: seen.index(s)]], s.tree.value, info["result"], info
            )
        }
        rebound = any(  # the summed name assigned again between the two sums
            info["operand"] in s.writes
            for s in statements[statements.index(marker) + 1 : index]
            if s.kind == "row"
        )
        operand = ast.parse(second.online["add"], mode="eval").body
        trees = [s.tree for s in seen]
        if not overlap <= {info["result"], *means} or rebound:
            continue
        if not squared_deviation(trees, operand, info["result"], info):
            continue
        welford, squared = welford_parts(
            info, second.online, builder.reduction_loops.looped, builder.names.fresh
        )
        builder.use_helper("welford_combine")
        replace_parts(first, welford)
        replace_parts(second, squared)
        second.uses = set()  # its row code is no longer needed in the loop
        info["joined"] = True
        return True
    return False
