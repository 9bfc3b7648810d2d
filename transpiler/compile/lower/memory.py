"""Lowering of explicit memory operations: hl.load, hl.store and the hl.atomic_* family."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import assign, expr
from ..frontend.errors import StoreTargetError, UnsupportedConstructError
from ..frontend.signatures import HL_SIGNATURES
from ..ops.hl import HL_BY_NAME
from .shape_values import EMPTY_INDEX
from .values import CONST, HOST_TENSOR, Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_SEMANTICS = {"relaxed", "acquire", "release", "acq_rel"}
_EVICTION_POLICIES = {"evict_first", "evict_last"}  # what tl.load takes besides none


def _given(args, name: str) -> cst.BaseExpression | None:
    """The argument `name` unless it is left out or a literal None (`extra_mask=None`)."""
    node = args.keywords.get(name)
    return None if m.matches(node, m.Name("None")) else node


class Memory:
    """`hl.load(x, [i, j])`, `hl.store(x, [i, j], v)`, `hl.atomic_add(x, [i, j], v, sem=...)`."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def indexed(
        self, target_node: cst.BaseExpression, index_node: cst.BaseExpression, call: cst.Call
    ):
        """Pointers, mask and axes of `target[index...]` given as a list of indices."""
        target = self.k.expressions.lower_expr(target_node)
        if target.kind != HOST_TENSOR:
            raise self.k.source.error(
                StoreTargetError,
                target_node,
                f"{self.k.source.code(target_node)!r} is not a tensor from the host",
            )
        elements = index_node.elements if isinstance(index_node, (cst.List, cst.Tuple)) else None
        if elements is None:
            raise self.k.source.error(
                UnsupportedConstructError,
                index_node,
                "the index must be a list",
                hint="write [tile_m, tile_n]",
            )
        subscript = cst.Subscript(
            value=target_node,
            slice=[cst.SubscriptElement(slice=index_part(e.value)) for e in elements]
            or EMPTY_INDEX,
        )
        self.k.source.positions[subscript] = self.k.source.positions.get(index_node)
        return target.name, *self.k.indexing.tensor_access(target.name, subscript)

    def extra_mask(self, mask: ast.expr | None, args, call: cst.Call) -> ast.expr | None:
        node = _given(args, "extra_mask")
        if node is None:
            return mask
        extra = self.k.expressions.arithmetic(self.k.expressions.lower_expr(node), node)
        return extra.code if mask is None else expr("a & b", a=mask, b=extra.code)

    def access(self, name: str, args, node: cst.Call, named: bool = True):
        """The tensor, its pointers (`named`: as `x_ptrs`), mask (extra_mask too), axes and
        line of `target[index]`: the row's first two parameters, bound by its signature."""
        target, index = HL_SIGNATURES[name].positional[:2]
        covered, reached = len(self.k.coverage), len(self.k.index_reaches)
        scalars_reached = len(self.k.block_reaches)
        tensor, pointers, mask, dims = self.indexed(
            args.keywords[target], args.keywords[index], node
        )
        if _given(args, "extra_mask") is not None:  # the user's mask keeps tiles inside
            del self.k.coverage[covered:]  # (a tile over x and y loading x: no size check)
            del self.k.index_reaches[reached:]
            del self.k.block_reaches[scalars_reached:]
        mask = self.extra_mask(mask, args, node)
        line = self.k.source.line_of(node)
        if named:
            pointers = self.k.loads.named_pointers(tensor, pointers, line)
        return tensor, pointers, mask, dims, line

    def load(self, name: str, args, node: cst.Call) -> Value:
        """`hl.load(x, [i, j], extra_mask=..., eviction_policy=...)`; an equal load made
        earlier in the block, nothing stored since, is reused (reused_loads.py)."""
        tensor, pointers, mask, dims, line = self.access(name, args, node, named=False)
        policy = self.eviction_policy(args)
        how = f"hl.load {ast.dump(policy) if policy is not None else ''}"  # not x[...]'s
        key = self.k.reused_loads.key(tensor, pointers, mask, False, how)
        reused = self.k.reused_loads.reuse(key)
        if reused is not None:
            return reused
        named = self.k.loads.named_pointers(tensor, pointers, line)
        self.k.sync_before_load(tensor, line)
        code = self.k.loads.load(named, mask)
        self.k.note_load(tensor, dims)
        if policy is not None:
            code.args[0].keywords.append(ast.keyword(arg="eviction_policy", value=policy))
        value = replace(block(code, dims), loaded_from=frozenset({tensor}))
        if node is not self.k.direct_value:
            loaded = self.k.names.fresh(f"{tensor}_tile")
            self.k.emit(assign(loaded, code), line)
            value = replace(value, code=ast.Name(id=loaded))
            self.k.reused_loads.hold(key, value, pointers, mask)
        else:
            self.k.reused_loads.hold_when_named(key, value, pointers, mask)
        return value

    def eviction_policy(self, args) -> ast.expr | None:
        """`eviction_policy=`: one tl.load takes, or None."""
        policy = _given(args, "eviction_policy")
        if policy is None:
            return None
        value = self.k.expressions.lower_expr(policy)
        if value.const not in _EVICTION_POLICIES:
            raise self.k.source.error(
                UnsupportedConstructError,
                policy,
                f"eviction_policy={self.k.source.code(policy)}",
                hint=f"one of {sorted(_EVICTION_POLICIES)}, or leave it out",
            )
        return value.code

    def written(self, tensor: str, dims, value_node: cst.BaseExpression, node: cst.Call) -> Value:
        """The value written into `tensor` (noted as stored), its shape checked against the
        index's axes."""
        self.k.stored_tensors.add(tensor)
        self.k.unsynced_stores.add(tensor)
        value = self.k.expressions.arithmetic(self.k.expressions.lower_expr(value_node), value_node)
        self.k.stores.check_store_shape(value, dims, node)
        return value

    def store(self, name: str, args, node: cst.Call) -> Value:
        """`hl.store(x, [i, j], v, extra_mask=...)`."""
        tensor, pointers, mask, dims, _ = self.access(name, args, node)
        value = self.written(tensor, dims, args.keywords["value"], node)
        call = expr("tl.store(p, v)", p=pointers, v=self.k.stores.stored(tensor, value))
        if mask is not None:
            call.keywords.append(ast.keyword(arg="mask", value=mask))
        return block(call, ())

    def semantics(self, args) -> str:
        """`sem=`: one of Triton's memory orderings (relaxed when left out)."""
        sem_node = args.keywords.get("sem")
        sem = self.k.expressions.lower_expr(sem_node).const if sem_node is not None else "relaxed"
        if sem not in _SEMANTICS:
            raise self.k.source.error(
                UnsupportedConstructError,
                sem_node,
                f"sem={sem!r}",
                hint=f"one of {sorted(_SEMANTICS)}",
            )
        return sem

    def atomic(self, name: str, args, node: cst.Call) -> Value:
        """`hl.atomic_add(x, [i, j], v, sem=...)` and the other read-modify-writes: tl's function
        of the same name, masked."""
        tensor, pointers, mask, dims, _ = self.access(name, args, node)
        self.target_dtype_check(name, tensor, node)
        value = self.written(tensor, dims, args.keywords["value"], node)
        call = _atomic(name, pointers, [value.code], self.semantics(args))
        if mask is not None:
            call.keywords.insert(0, ast.keyword(arg="mask", value=mask))
        return block(call, dims)

    def target_dtype_check(self, name: str, tensor: str, node: cst.Call) -> None:
        """The launcher requires a target dtype Triton's atomic takes (tl.atomic_add of an int8
        tensor, tl.atomic_max of a float16 one failed inside Triton), naming the line."""
        dtypes = HL_BY_NAME[name].targets
        line = self.k.source.line_of(node)
        message = (
            f"line {line}: hl.{name} into {tensor}, a {{{tensor}.dtype}} tensor: Triton's "
            f"tl.{name} takes {', '.join(dtypes)}: allocate {tensor} as one of them"
        )
        listed = ", ".join(f"torch.{dtype}" for dtype in dtypes)
        check = f'require({tensor}.dtype in ({listed}), f"{message}", TypeError)'
        self.k.argument_checks.append(check)
        self.k.host_helpers.add("require")

    def compare_and_swap(self, name: str, args, node: cst.Call) -> Value:
        """`hl.atomic_cas(x, [i, j], expected, value)`: tl.atomic_cas, which neither masks nor
        casts its operands to the tensor's dtype nor broadcasts them to the pointers' shape."""
        tensor, pointers, mask, dims, _ = self.access(name, args, node)
        self.target_dtype_check(name, tensor, node)
        expected = self.written(tensor, dims, args.keywords["expected"], node)
        sem = self.semantics(args)
        new_node = args.keywords["value"]
        new = self.k.expressions.arithmetic(self.k.expressions.lower_expr(new_node), new_node)
        operands = [
            expr(_NUMBER_AS if v.kind == CONST else _VALUE_AS, v=v.code, p=pointers)
            for v in (expected, new)
        ]
        if dims:
            operands = [
                expr("tl.broadcast_to(v, p.shape)", v=code, p=pointers) if not v.rank else code
                for v, code in zip((expected, new), operands)
            ]
        if mask is not None:  # tl.atomic_cas takes no mask: lanes outside swap a no-op
            pointers, operands = _masked_cas(
                mask, pointers, ast.Name(id=self.k.tensor_pointer(tensor)), operands
            )
        return block(_atomic(name, pointers, operands, sem), dims)


# tl.atomic_cas's operands in the tensor's dtype (a number is no block: tl.full makes one)
_VALUE_AS = "v.to(p.dtype.element_ty)"
_NUMBER_AS = "tl.full([], v, p.dtype.element_ty)"


def _atomic(name: str, pointers: ast.expr, operands: list[ast.expr], sem: str) -> ast.Call:
    """`tl.<name>(pointers, operands..., sem=...)`: hl's atomics are spelt as Triton's."""
    return ast.Call(
        func=expr(f"tl.{name}"),
        args=[pointers, *operands],
        keywords=[ast.keyword(arg="sem", value=ast.Constant(value=sem))],
    )


def _masked_cas(
    mask: ast.expr, pointers: ast.expr, first: ast.expr, operands: list[ast.expr]
) -> tuple[ast.expr, list[ast.expr]]:
    """Lanes outside the tensor compare-and-swap its first element with `expected` for both
    operands: the swap writes what was there or nothing, so memory outside is never touched."""
    expected, new = operands
    return (
        expr("tl.where(m, p, f)", m=mask, p=pointers, f=first),
        [expected, expr("tl.where(m, n, e)", m=mask, n=new, e=expected)],
    )


def index_part(value: cst.BaseExpression) -> cst.BaseSlice:
    """An index list's entry as a subscript's: `slice(None)` is `:`, `slice(a, b)` is `a:b`."""
    if (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Name)
        and value.func.value == "slice"
    ):
        bounds = [None if m.matches(a.value, m.Name("None")) else a.value for a in value.args]
        if len(bounds) == 1:
            return cst.Slice(lower=None, upper=bounds[0])
        if len(bounds) in (2, 3):
            return cst.Slice(
                lower=bounds[0], upper=bounds[1], step=bounds[2] if len(bounds) == 3 else None
            )
    return cst.Index(value=value)
