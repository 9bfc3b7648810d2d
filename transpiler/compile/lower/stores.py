"""Stores into host tensors: `out[tile] = v` shape-checked, cast to the element type, written."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import ShapeError, StoreTargetError
from ..frontend.host_dtypes import BOOL, NOT_BOOL
from .argument_checks import in_place_check
from .host_tails import emit_tail
from .values import BLOCK, CONST, HOST_TENSOR, Axis, Dims, Value, check_squeezable

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class Stores:
    """`out[tile] = v` (and `out[tile] op= v`) of a host tensor; the cast every store applies."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def store(
        self,
        target: cst.Subscript,
        value: Value,
        augmented: str | None,
        node: cst.CSTNode,
        update: Value | None = None,
    ) -> None:
        """`target = value`; `augmented`: the operator of `target op= update`, whose value is
        the result already computed from the target's load (statements.py), stored in place
        where torch may cast `update`'s dtype into the target's."""
        base = self.k.expressions.lower_expr(target.value)
        if base.kind != HOST_TENSOR:
            raise self.k.source.error(
                StoreTargetError,
                target.value,
                f"{self.k.source.code(target.value)!r} is not a tensor from the host",
            )
        pointers, mask, dims = self.k.indexing.tensor_access(base.name, target)
        self.k.stored_tensors.add(base.name)
        value = self.k.expressions.operand(value, node)
        value = self.k.expressions.numeric(value, getattr(node, "value", node))
        self.check_store_shape(value, dims, node)
        line = self.k.source.line_of(node)
        copied = self.k.descriptor_dims
        descriptor = (
            self.k.descriptor_copies.descriptor_for(base.name, copied, store=True)
            if augmented is None
            else None
        )
        if descriptor is not None and value.dims == dims:  # whole tiles: TMA when it may
            self.k.descriptor_copies.descriptor_store(
                base.name, descriptor, copied, pointers, mask, value, line
            )
            self.k.unsynced_stores.add(base.name)
            self.fused_tail(base.name, value, mask, dims, line, augmented)
            return
        pointers = self.k.loads.named_pointers(base.name, pointers, line)
        if augmented is not None:  # the value is the update, its load of the target included
            in_place_check(self.k, base.name, update or value, augmented, line)
        if dims and value.dims and all(d is None for d in (*dims, *value.dims)):
            # size-1 dims only (`out[i, :, :] = v.amax(dim=(0, 1), keepdim=True)`): the
            # pointer is one element, the value a [1, 1] block
            value = value.with_code(expr("tl.reshape(v, ())", v=value.code))
        self.emit_store(pointers, self.stored(base.name, value), mask, line)
        self.k.unsynced_stores.add(base.name)
        self.fused_tail(base.name, value, mask, dims, line, augmented)

    def fused_tail(self, tensor: str, value: Value, mask, dims: Dims, line: int, augmented) -> None:
        """The host code's sum or mean of this tensor after the loop, fused (host_tails.py)."""
        if self.k.tail is not None and self.k.tail.tensor == tensor and augmented is None:
            emit_tail(self.k, tensor, value, mask, dims, line)

    def emit_store(
        self, pointers: ast.expr, value: ast.expr, mask: ast.expr | None, line: int
    ) -> None:
        """`tl.store(x_ptrs, value, mask=...)`."""
        call = expr("tl.store(p, v)", p=pointers, v=value)
        if mask is not None:
            call.keywords.append(ast.keyword(arg="mask", value=mask))
        self.k.emit(ast.Expr(value=call), line)

    def stored(self, tensor: str, value: Value, code: ast.expr | None = None) -> ast.expr:
        """The code of `value` (or `code`, its spelling) stored into `tensor`:
        cast to `tensor`'s element type (`tl.cast(v, x_ptr.dtype.element_ty)`) unless `tensor`
        cannot be bool, or the value is a bool, a 0 / 1, or loads of tensors of `tensor`'s dtype
        (tl.store truncates into a bool tensor: 0.5 became False; torch stores nonzero values,
        NaN too, as True, and tl.cast to tl.int1 compares with 0)."""
        code = value.code if code is None else code
        target = self.dtype_root(tensor)
        sources = {self.dtype_root(t) for t in value.loaded_from}
        if (
            value.dtype == "bool"
            or (value.kind == CONST and value.const in (0, 1))
            or target == NOT_BOOL
            or (value.kind == BLOCK and sources == {target})
            or _cast_to_element(code)
        ):
            return code
        element = expr("p.dtype.element_ty", p=self.k.tensor_pointer(tensor))
        return expr("tl.cast(v, t)", v=code, t=element)

    def dtype_root(self, tensor: str) -> str:
        """NOT_BOOL / BOOL where the host code allocated `tensor` with such a dtype, else the
        tensor whose dtype it has (`out = torch.empty_like(x)`: x's; itself if none)."""
        seen = {tensor}
        while (dtype := self.k.host.allocated_dtypes.get(tensor)) is not None:
            if dtype in (NOT_BOOL, BOOL) or dtype in seen:
                return dtype
            tensor = dtype
            seen.add(tensor)
        noted = self.k.arithmetic_on.get(tensor)  # the launcher refuses it bool outright
        return NOT_BOOL if noted is not None and noted[1] is None else tensor

    def check_store_shape(self, value: Value, dims: Dims, node: cst.CSTNode) -> None:
        check_squeezable(value, dims)
        if value.rank > len(dims) and any(
            d is not None for d in value.dims[: value.rank - len(dims)]
        ):
            crossed = [a for i, a in enumerate(value.dims) if a is not None and a in value.dims[:i]]
            raise self.k.source.error(
                ShapeError,
                node,
                f"storing a {value.rank}-D value into a {len(dims)}-D tile",
                hint=_crossed_hint(crossed[0].label) if crossed else None,
            )
        self.check_store_order(value, dims, node)
        for own, target in zip(reversed(value.dims), reversed(dims)):
            if own is not None and (
                target is None
                or not (  # `out[t, :] = x[t, 2:3]`: tl.store broadcasts its one lane
                    self.k.broadcasting.broadcasts_one_lane(own)
                    or self.k.broadcasting.same_axis(own, target)
                )
            ):
                raise self.k.source.error(
                    ShapeError,
                    node,
                    f"the value spans {own.label} where the target has "
                    f"{target.label if target is not None else 'a single index'}",
                    hint="store a value whose tiles match the target's index",
                )
        if value.rank > len(dims):
            raise self.k.source.error(
                ShapeError,
                node,
                "the stored value has more dimensions than the target",
                hint="drop size-1 dimensions with keepdim=False",
            )

    def check_store_order(self, value: Value, dims: Dims, node: cst.CSTNode) -> None:
        """A value whose tiles are the target's in another order: a ShapeError naming the
        `.T` (or `.permute(...)`) that stores it."""
        if value.rank != len(dims) or value.rank < 2 or None in dims or None in value.dims:
            return
        order = [
            [j for j, own in enumerate(value.dims) if self.known_same_axis(own, target)]
            for target in dims
        ]
        if any(len(found) != 1 for found in order):
            return
        permutation = [found[0] for found in order]
        if sorted(permutation) != list(range(len(dims))) or permutation == sorted(permutation):
            return  # not another order of the same tiles
        fix = ".T" if permutation == [1, 0] else f".permute({', '.join(map(str, permutation))})"
        mine = ", ".join(axis.label for axis in value.dims)
        theirs = ", ".join(axis.label for axis in dims)
        raise self.k.source.error(
            ShapeError,
            node,
            f"the value's tiles are ({mine}), the target's ({theirs}): a transposed store",
            hint=f"store `value{fix}` to write it in the target's order (or index the target "
            f"as [{mine}] if that is the layout you meant)",
        )

    def known_same_axis(self, x: Axis, y: Axis) -> bool:
        """Whether two axes are already known to be one, without unifying whole dimensions
        (same_axis does, and a search for another order must not: k[b, :, t, :] would tie
        k.size(1) to k.size(3))."""
        if x is y:
            return True
        if x.block_var or y.block_var:
            return x.block == y.block
        if x.size is not None and y.size is not None:
            return x.size == y.size
        if self.k.whole_axes.is_full_axis(x) and self.k.whole_axes.is_full_axis(y):
            return self.k.key_aliases.get(x.key, x.key) == self.k.key_aliases.get(y.key, y.key)
        return False


def _cast_to_element(code: ast.expr) -> bool:
    """`v.to(out_ptr.dtype.element_ty)` (in upcast_half), `float8_of(v, out_ptr.dtype.element_ty)`:
    cast already (`.to(tl.int1)` compares with 0)."""
    if isinstance(code, ast.Call) and isinstance(code.func, ast.Name) and code.args:
        code = code.args[0] if code.func.id == "upcast_half" else code
    if isinstance(code, ast.Call) and isinstance(code.func, ast.Name) and len(code.args) == 2:
        to_element = code.func.id == "float8_of"  # float8_of(v, out_ptr.dtype.element_ty)
        return to_element and ast.unparse(code.args[1]).endswith(".dtype.element_ty")
    return (
        isinstance(code, ast.Call)
        and isinstance(code.func, ast.Attribute)
        and code.func.attr == "to"
        and len(code.args) == 1
        and ast.unparse(code.args[0]).endswith(".dtype.element_ty")
    )


def _crossed_hint(label: str) -> str:
    """A value spanning one tile twice (`x[tile, idx[tile]]`: each row with every row's index,
    as torch indexes a slice and a tensor): most often one element per row was meant."""
    return (
        f"the value spans {label} twice: x[{label}, idx[{label}]] pairs every row with every "
        f"row's index, as torch does; to pick one element per row write "
        f"x[{label}.index, idx[{label}]]"
    )
