"""A host-side sum or mean of the kernel's output (`return losses.mean()`) fused into the kernel.

The pattern: the host code allocates a tensor, the device loop's one store writes each element
of it once (indexed by the loop's own tiles), and the statement right after the loop returns
its sum or mean (`T.mean()`, `T.sum()`, `torch.mean(T)`, `T.sum() / n`) and nothing else reads
it. Then each program adds the sum of what it stored (rounded to the tensor's dtype, scaled by
1 / count) into one float32 total with an atomic add, and the host returns that total: no
second launch re-reading the tensor. Atomic float adds are ordered as the programs finish:
the total may differ from torch's in the last bits from run to run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import expr, render
from ..emit.lines import Line
from ..frontend.aliases import Aliases
from ..frontend.host import HostInfo
from ..frontend.kernels import KernelFunction

# host calls that make a fresh tensor (no argument's memory, no values the kernel did not write)
_FRESH = {
    "torch.empty", "torch.zeros", "torch.ones", "torch.full", "torch.empty_like",
    "torch.zeros_like", "torch.ones_like", "torch.full_like",
}  # fmt: skip
_FRESH_METHODS = {"new_empty", "new_zeros", "new_ones", "new_full"}
# dtypes whose sums torch accumulates in float32 (float64 keeps float64: not fused)
_FUSED_DTYPES = "(torch.float32, torch.float16, torch.bfloat16)"


@dataclass
class Tail:
    """A fusable tail: the tensor, its return statement, the scale of each stored value."""

    tensor: str
    statement: cst.SimpleStatementLine
    scale: str  # host expression: what each stored value is multiplied by
    total: str = ""  # the float32 total's host name (set when lowering fuses it)
    flag: str = ""  # the constexpr saying the tensor's dtype is fused

    def host_return(self, original: str) -> str:
        """The return statement's text: the total where the kernel made it, else as written."""
        if not self.total:
            return original
        written = original.strip().removeprefix("return ").strip()
        return f"return {self.total}.to({self.tensor}.dtype) if {self.flag} else {written}"


def find_tail(
    aliases: Aliases, kernel: KernelFunction, loop: cst.For, host: HostInfo
) -> Tail | None:
    """The tail after `loop` when it can be fused (the module docstring says when)."""
    body = kernel.body
    if len(kernel.loops) != 1 or loop not in body or body.index(loop) != len(body) - 2:
        return None
    statement = body[-1]
    if not m.matches(statement, m.SimpleStatementLine(body=[m.Return(value=m.DoNotCare())])):
        return None
    reduced = _reduced(aliases, statement.body[0].value, host)
    if reduced is None:
        return None
    tensor, scale = reduced
    if tensor in host.params or not _fresh(aliases, body[: body.index(loop)], tensor):
        return None
    uses = [n for n in m.findall(kernel.node.body, m.Name(tensor))]
    stores = _stores(loop, tensor)
    if stores is None or len(uses) != 3:  # the allocation, the one store, the return
        return None
    return Tail(tensor, statement, scale)


def _reduced(aliases: Aliases, value: cst.BaseExpression, host: HostInfo):
    """(tensor, scale) of `T.mean()`, `T.sum()`, `torch.mean(T)`, `T.sum() / n`, else None."""
    divisor = None
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Divide):
        right = value.right
        if isinstance(right, (cst.Integer, cst.Float)):
            divisor = right.value
        elif isinstance(right, cst.Name) and right.value in host.size_keys:
            divisor = right.value
        else:
            return None
        value = value.left
    if not isinstance(value, cst.Call):
        return None
    func = value.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and not value.args:
        tensor, name = func.value.value, func.attr.value
    elif aliases.qualified(func) in ("torch.sum", "torch.mean") and len(value.args) == 1:
        argument = value.args[0]
        if argument.keyword is not None or not isinstance(argument.value, cst.Name):
            return None
        tensor, name = argument.value.value, aliases.qualified(func).removeprefix("torch.")
    else:
        return None
    if name not in ("sum", "mean") or (name == "mean" and divisor is not None):
        return None
    # (an empty tensor or a divisor of 0 leaves the flag off: torch's own NaN or inf)
    if name == "mean":
        return tensor, f"1.0 / max({tensor}.numel(), 1)"
    return tensor, "1.0" if divisor is None else f"1.0 / ({divisor} or 1)"


def _fresh(aliases: Aliases, before: list, tensor: str) -> bool:
    """Whether the host code before the loop assigns `tensor` once, from a fresh allocation."""
    made = []
    for statement in before:
        for assign in m.findall(statement, m.Assign()):
            targets = [t.target for t in assign.targets]
            if any(m.findall(t, m.Name(tensor)) for t in targets):
                made.append((targets, assign.value))
    if len(made) != 1:
        return False
    targets, value = made[0]
    if len(targets) != 1 or not m.matches(targets[0], m.Name(tensor)):
        return False
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    if isinstance(func, cst.Attribute) and func.attr.value in _FRESH_METHODS:
        return True
    return aliases.qualified(func) in _FRESH


def _stores(loop: cst.For, tensor: str) -> cst.Assign | None:
    """The loop's one store to `tensor`: a top-level `T[tile, ...] = value` whose indices are
    the loop's own tiles (or `:`), so each element is written once by one program."""
    targets = {n.value for n in m.findall(loop.target, m.Name())}
    found = None
    for statement in loop.body.body:
        assigns = m.findall(statement, m.Assign())
        mentions = m.findall(statement, m.Name(tensor))
        if not mentions:
            continue
        if found is not None or len(assigns) != 1 or len(mentions) != 1:
            return None
        if not isinstance(statement, cst.SimpleStatementLine):  # in an inner loop or branch
            return None
        (target,) = [t.target for t in assigns[0].targets] or [None]
        if not m.matches(target, m.Subscript(value=m.Name(tensor))):
            return None
        indices = [element.slice for element in target.slice]
        named = [i.value.value for i in indices if m.matches(i, m.Index(value=m.Name()))]
        whole = [i for i in indices if m.matches(i, m.Slice(lower=None, upper=None, step=None))]
        if len(named) + len(whole) != len(indices) or not set(named) <= targets:
            return None
        if len(set(named)) != len(named) or len(assigns[0].targets) != 1:
            return None
        found = assigns[0]
    return found


def emit_tail(builder, tensor: str, value, mask: ast.expr | None, dims, line: int) -> None:
    """After the store of the tail's tensor: this program's sum of the stored values, as the
    tensor holds them, added into the float32 total."""
    tail: Tail = builder.tail
    returned = builder.source.line_of(tail.statement)
    what = "sum" if tail.scale == "1.0" else "mean" if "numel" in tail.scale else "sum / n"
    if not tail.total:
        tail.total = builder.host_names.fresh(f"{tensor}_total")
        fused = f"{tensor}.dtype in {_FUSED_DTYPES} and {tensor}.numel() > 0"
        if tail.scale.startswith("1.0 / ("):  # `T.sum() / n`: n == 0 is torch's inf / NaN
            fused += f" and {tail.scale.removeprefix('1.0 / (').removesuffix(' or 1)')} != 0"
        tail.flag = builder.constexpr("FUSED_SUM", fused)
        allocate = f"{tail.total} = torch.zeros([], dtype=torch.float32, device={tensor}.device)"
        comment = f"# line {returned}'s {what}, each program adding its share"
        if len(f"    {allocate}  {comment}") <= 100:
            builder.launch_lines.append(Line(1, f"{allocate}  {comment}", returned))
        else:  # the comment on a line of its own above it
            builder.launch_lines.extend([Line(1, comment, returned), Line(1, allocate, returned)])
    total = builder.param(f"{tail.total}_ptr", tail.total, "tensor")
    scale = builder.param(f"{tensor}_scale", tail.scale, "scalar")
    element = builder.tensor_pointer(tensor)
    stored = expr(f"v.to({element}.dtype.element_ty).to(tl.float32)", v=value.code)
    blocks = [d.block for d in dims if d is not None and not d.squeezed]
    if blocks:
        stored = expr(f"tl.broadcast_to(v, [{', '.join(blocks)}])", v=stored)
    if mask is not None:
        stored = expr("tl.where(m, v, 0.0)", m=mask, v=stored)
    partial = expr("tl.sum(v)", v=stored) if blocks else stored
    share = render(expr(f"(p * {scale}).to(tl.float32)", p=partial))
    text = builder.source.line_text(returned).strip()
    depth = builder.depth
    builder.lines.append(Line(depth, f"# line {returned}: {text} (this program's share)", returned))
    builder.lines.append(
        Line(depth, f"if {tail.flag}:  # a float32 / float16 / bfloat16 {tensor}", returned)
    )
    # relaxed: the total is read only after the kernel (its end orders every add); the default
    # acq_rel costs each program a fence, a waited atomic and an L1 flush (SASS: MEMBAR.ALL.GPU,
    # ATOMG, CCTL.IVALL) where relaxed is one fire-and-forget REDG
    atomic = f'tl.atomic_add({total}, {share}, sem="relaxed")'

    builder.lines.append(Line(depth + 1, atomic, returned))
