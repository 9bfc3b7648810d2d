"""Lowering of matrix products: torch.matmul / mm / bmm / addmm / baddbmm, `@`, hl.dot."""

from __future__ import annotations

import ast
import copy
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import ShapeError, UnsupportedConstructError
from ..frontend.kernel_settings import literal
from ..ops.products import (
    LANGUAGE_PRODUCTS_BY_NAME,
    PRODUCT_NAMES,
    TORCH_PRODUCTS_BY_NAME,
    ProductOp,
)
from .float8 import check_float8_factors
from .paired_batches import four_d_product
from .scaled_factors import scaled_result, unscaled_factors
from .split_k import split_whole_k
from .values import BLOCK, DTYPE, HOST_TENSOR, NotSqueezable, Value, block, is_squeezed, triton_dims

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# Triton's default on sm_90 keeps a float8 product's running sum in the tensor cores' own
# narrower accumulator for the whole K loop (torch._scaled_mm's use_fast_accum=True; errors grow
# with K); 0 adds every MMA instruction's result into the float32 accumulator, as torch's
# default does. Only float8 factors read it: for other dtypes the Triton IR is the same.
PRECISE_FLOAT8 = "max_num_imprecise_acc"


class Dots:
    """`dot(a_node, b_node, acc)`: tl.dot on the blocks as stored, K lanes outside set to 0."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def dot_call(self, name: str, args, node: cst.CSTNode) -> Value:
        """hl.dot's row: its arguments bound by the signature (ops/products.py)."""
        return self.product(LANGUAGE_PRODUCTS_BY_NAME[name], args, node)

    def torch_product(self, name: str, args, node: cst.CSTNode) -> Value:
        """`torch.mm(a, b)`, `torch.addmm(c, a, b)`, ...: their row of ops/products.py."""
        return self.product(TORCH_PRODUCTS_BY_NAME[name], args, node)

    def product(self, row: ProductOp, args, node: cst.CSTNode) -> Value:
        """The product a row's call spells: its factors, accumulator and out_dtype read where
        the row says."""
        name, acc, acc_node = row.name, None, None
        nodes = [args.get(i, k) for i, k in zip(row.factors, row.factor_keywords)]
        if row.scales:
            for keyword in ("beta", "alpha"):
                if keyword in args.keywords and not _is_one(args.keywords[keyword]):
                    raise self.k.source.error(
                        UnsupportedConstructError,
                        args.keywords[keyword],
                        f"{name}({keyword}=...)",
                        hint="scale the result instead: acc * beta + alpha * (a @ b)",
                    )
        if any(n is None for n in nodes):
            missing = " and ".join(k for n, k in zip(nodes, row.factor_keywords) if n is None)
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"{name}() needs two matrices: {missing} not given",
                hint=f"pass them: {name}({', '.join(row.factor_keywords)})"
                if row.accumulator is None
                else f"pass them: {name}({row.accumulator_keyword}, "
                f"{', '.join(row.factor_keywords)})",
            )
        most = len(row.factors) if row.out_dtype is None else row.out_dtype + 1
        if len(args.positional) > most:  # torch refuses them too: never dropped
            raise self.k.source.error(
                UnsupportedConstructError,
                args.positional[most],
                f"{name}() takes {most} positional arguments, not {len(args.positional)}",
                hint="pass only the matrices (and an accumulator where the function takes one)",
            )
        if row.accumulator is not None:
            acc_node = (
                args.positional[row.accumulator]
                if row.accumulator < len(args.positional)
                else args.keywords.get(row.accumulator_keyword)
            )
            if acc_node is not None:
                acc = self.k.expressions.arithmetic(
                    self.k.expressions.lower_expr(acc_node), acc_node
                )
        out_dtype = None
        if row.out_dtype is not None:
            out_dtype = args.get(row.out_dtype, "out_dtype")
        if out_dtype is not None and self.k.expressions.lower_expr(out_dtype).kind != DTYPE:
            raise self.k.source.error(
                UnsupportedConstructError,
                out_dtype,
                f"{name}()'s out_dtype must be a dtype",
                hint="pass only the matrices (and an accumulator where the function takes one), "
                "then optionally the result's dtype: torch.bmm(a, b, torch.float32)",
            )
        return self.dot(nodes[0], nodes[1], acc, node, out_dtype, (row, acc_node))

    def dot(
        self,
        left_node,
        right_node,
        acc: Value | None,
        node: cst.CSTNode,
        out_dtype=None,
        call=None,
        factors_seen=None,
    ) -> Value:
        """`left @ right` (added into `acc`); `call`: the ProductOp of the call spelling it (and
        its accumulator's node), whose factor ranks are checked as torch / Helion check them;
        `factors_seen(left, right)`: told the factors once lowered (F.linear's dtype checks)."""
        built = self.k  # where the operands' lines, preamble and loads begin (for split_k)
        marks = (
            len(built.lines),
            built.preamble_end,
            set(built.unsynced_stores),
            len(built.loop_loads),
        )
        left, right = (self.dot_operand(n) for n in (left_node, right_node))
        if factors_seen is not None:
            factors_seen(left, right)
        if call is not None:
            self.check_ranks(*call, (left, right), (left_node, right_node))
        self.k.note_arithmetic((left, right), node)
        if _product_dtype(acc) == "int":
            self.int8_factors(left, right, node)
        else:
            self.float_factors(left, right, node)
        fold = left.rank == 3 and right.rank == 2  # a batch of matrices times one matrix
        if left.rank == right.rank == 4:  # batch x heads (paired_batches.py)
            return four_d_product(self, left, right, node, acc, out_dtype)
        if (
            left.rank < 2
            or right.rank < 2
            or (left.rank != right.rank and not fold)
            or left.rank > 3
        ):
            raise self.k.source.error(
                ShapeError,
                node,
                f"a matrix product of {left.rank}-D and {right.rank}-D blocks",
                hint=_product_hint(self.k.source, left_node, right_node, left.rank, right.rank),
            )
        k_left, k_right = left.dims[-1], right.dims[-2]
        single_k = k_left is None and k_right is None  # K of 1: [M, 1] @ [1, N], an outer product
        if not single_k and (
            k_left is None or k_right is None or not self.k.broadcasting.same_axis(k_left, k_right)
        ):
            raise self.k.source.error(
                ShapeError,
                node,
                f"the inner dimensions differ: {_label(k_left)} against {_label(k_right)}",
                hint="index both operands with the same tile along K",
            )
        line = self.k.source.line_of(node)  # K's sizes, which the launcher checks equal
        for axis in (k_left, k_right):
            if getattr(axis, "key", None):
                self.k.product_sizes.setdefault(axis.key, line)
        self.k.product_operands.setdefault(line, set()).update(left.loaded_from | right.loaded_from)
        batch = self.k.broadcasting.broadcast_dims(
            block(None, left.dims[:-2]), block(None, right.dims[:-2]), node
        )
        if fold:
            batch = left.dims[:1]
        if any(map(is_squeezed, (*left.dims[-2:], *right.dims[-2:]))):
            raise NotSqueezable("a squeezed tile as a matrix dimension")
        # a batch tile of block size 1 has no Triton dimension: the operands are 2-D already
        squeezed = bool(batch) and all(map(is_squeezed, batch))
        fold = fold and not squeezed
        roles = [(left.dims[-2], "mn"), (right.dims[-1], "mn"), (k_left, "k")]
        roles += [(axis, "batch") for axis in batch]
        for axis, role in roles:
            if axis is not None:
                self.k.dot_axes.setdefault(axis, role)
        self.k.dot_k_nodes.setdefault(k_left, node)
        as_stored = all(v.storage is not None or v.rounds_to is not None for v in (left, right))
        if as_stored:
            check_float8_factors(self.k, left, right, node)
        operands = self.factor_inputs(left, right, k_left)
        if single_k:  # outer products, batched or not: `[..., M, 1] * [..., 1, N]`
            dims = (*batch, left.dims[-2], right.dims[-1])
            acc = self.accumulator_as_product(acc, dims, node)
            return self.narrow_product(operands, acc, out_dtype, dims, node, single_k)
        # a loaded tile times a scalar: the tile as loaded, the product scaled (scaled_factors.py)
        unscaled = None
        if batch or not self.k.whole_axes.is_full_axis(k_left):  # (not split_k's whole K)
            *pair, scaled_by = unscaled_factors(self.k, left, right, acc)
            if scaled_by is not None:
                # (as_factor's dtypes, as the written form's: an integer load as float32)
                unscaled = self.factor_inputs(*pair, k_left, rounded=True)
        dims = (*batch, left.dims[-2], right.dims[-1])
        acc = self.accumulator_as_product(acc, dims, node)
        unit_batch = len(batch) == 1 and (batch[0] is None or batch[0].block in self.k.unit_blocks)
        unit_batch = unit_batch and not squeezed
        if fold:  # fold the batch into M: [B * M, K] @ [K, N], then back to [B, M, N]
            unit_batch = True
            rows = expr(
                "b * m",
                b=self.block_shape(left.dims[:1]).elts[0],
                m=self.block_shape(left.dims[1:2]).elts[0],
            )
            folded = ast.List(elts=[rows, self.block_shape(left.dims[2:]).elts[0]])
            operands[0] = expr("tl.reshape(v, s)", v=operands[0], s=folded)
            acc_shape = ast.List(elts=[rows, self.block_shape(right.dims[1:]).elts[0]])
        elif (
            unit_batch
        ):  # a batch of one: a 2-D tl.dot between reshapes (3-D ones of batch 1 crash)
            shapes = [self.block_shape(v.dims[1:]) for v in (left, right)]
            operands = [expr("tl.reshape(v, s)", v=o, s=sh) for o, sh in zip(operands, shapes)]
            acc_shape = self.block_shape(dims[1:])
        if not batch and None in (left.dims[-2], right.dims[-1]):
            return self.narrow_product(operands, acc, out_dtype, dims, node, single_k)
        acc_code = None if acc is None else acc.code
        if acc is not None and unit_batch:
            acc_code = expr("tl.reshape(v, s)", v=acc_code, s=acc_shape)
        code = self.product_call(operands, acc, acc_code, out_dtype)
        into = ast.unparse(code.func) == "dot_into"
        if (
            as_stored and _product_dtype(acc) == "float" and not into
        ):  # float8 factors on Hopper: add each MMA's sum into the float32 acc (dot_into does)
            code.keywords.append(ast.keyword(arg=PRECISE_FLOAT8, value=ast.Constant(value=0)))
        scaling = None  # what a float32 result is a scaling of (scaled_products.Scaled)
        if unscaled is not None and not unit_batch:  # (a reshaped batch of one: as written)
            product = copy.deepcopy(code)
            product.args[:2] = unscaled
            # a float32 result may be named, its row max taken before the scaling
            dtype = None if out_dtype is None else self.k.expressions.lower_expr(out_dtype)
            float32 = dtype is None or ast.unparse(dtype.code) == "tl.float32"
            named = node if float32 else None
            code, scaling = scaled_result(self.k, product, code, scaled_by, named)
        if unit_batch:
            code = expr("tl.reshape(v, s)", v=code, s=self.block_shape(dims))
        elif (not batch or squeezed and scaling is None) and "int" not in (left.dtype, right.dtype):
            # K whole: also in chunks? (a batch of one squeezed is 2-D; a scaled product, as
            # attention's, keeps its one scaled tl.dot)
            nodes, axes = (left_node, right_node), (*dims, k_left)
            split = split_whole_k(self.k, nodes, code, acc, out_dtype, axes, marks, node)
            if split is not None:
                return split
        if acc is not None:
            dims = self.k.broadcasting.broadcast_dims(block(None, dims), acc, node)
        return replace(block(code, dims, _product_dtype(acc)), scaled=scaling)

    def check_ranks(self, row: ProductOp, acc_node, factors, nodes) -> None:
        """torch.mm / addmm multiply 2-D blocks, torch.bmm / baddbmm 3-D, hl.dot 2-D or 3-D:
        others are refused as torch refuses them, with `@` (which takes them) as the fix."""
        for value, factor in zip(factors, nodes):
            if row.ranks is not None and value.rank not in row.ranks:
                ranks = " or ".join(f"{r}-D" for r in row.ranks)
                product = " @ ".join(map(self._operand_text, nodes))
                added = "" if acc_node is None else f"{self.k.source.code(acc_node)} + "
                fix = added + product
                spelt = ("hl." if row.name in LANGUAGE_PRODUCTS_BY_NAME else "torch.") + row.name
                raise self.k.source.error(
                    ShapeError,
                    factor,
                    f"{spelt}() multiplies {ranks} blocks, not {value.rank}-D",
                    hint=f"`@` (torch.matmul) multiplies blocks of these ranks: {fix}",
                )

    def _operand_text(self, node: cst.BaseExpression) -> str:
        text = self.k.source.code(node)
        return f"({text})" if isinstance(node, (cst.BinaryOperation, cst.UnaryOperation)) else text

    def product_call(self, operands, acc: Value | None, acc_code, out_dtype) -> ast.Call:
        """tl.dot(a, b[, acc]) with its precision and out_dtype=, or dot_into(a, b, acc) into a
        float accumulator: float64 factors (or a float64 accumulator) would give tl.dot's result
        another dtype than the accumulator's. `acc_code`: the accumulator as tl.dot's shape."""
        into = acc is not None and _product_dtype(acc) == "float"
        if into:  # (a float32 accumulator and no out_dtype=: the helper's two branches for it)
            float32 = acc.carried_dtype == "tl.float32" and out_dtype is None
            self.k.use_helper("dot_into_float32" if float32 else "dot_into")
        code = expr("dot_into(a, b)" if into else "tl.dot(a, b)", a=operands[0], b=operands[1])
        self.with_precision(code)
        if acc is not None:
            code.args.append(acc_code)
        if out_dtype is not None:
            dtype = self.k.expressions.lower_expr(out_dtype)
            code.keywords.append(ast.keyword(arg="out_dtype", value=dtype.code))
        elif _product_dtype(acc) == "int":  # int8 factors into an int32 accumulator
            code.keywords.append(ast.keyword(arg="out_dtype", value=expr("tl.int32")))
        return code

    def factor_inputs(self, left: Value, right: Value, k_axis, rounded=False) -> list[ast.expr]:
        """Both factors as tl.dot takes them (dot_input); `rounded`: as_factor's dtypes."""
        as_stored = all(v.storage is not None or v.rounds_to is not None for v in (left, right))
        # a factor scaled by Python numbers: both rounded alike (a 16-bit float, else float32)
        rounded = rounded or (as_stored and any(v.storage is None for v in (left, right)))
        return [
            self.dot_input(
                value,
                as_stored,
                position=value.triton_rank - (1 if value is left else 2),
                axis=k_axis,
                rounded=rounded,
            )
            for value in (left, right)
        ]

    def accumulator_as_product(self, acc: Value | None, dims, node: cst.CSTNode) -> Value | None:
        """torch broadcasts addmm's input to the product (`torch.addmm(bias[tile_n], a, b)`);
        tl.dot takes an accumulator of the product's own shape: a narrower one is broadcast
        (it crashed Triton), one wider than the product refused."""
        if acc is None or acc.kind != BLOCK or acc.dims == dims:
            return acc
        if self.k.broadcasting.broadcast_dims(block(None, dims), acc, node) != dims:
            if len(triton_dims(acc.dims)) >= len(triton_dims(dims)):
                return acc  # of the product's rank (squeezed tiles): tl.dot's own shape check
            raise self.k.source.error(
                ShapeError,
                node,
                "an accumulator that does not broadcast to the product",
                hint="the accumulator broadcasts to the product's shape: [tile_m, tile_n]",
            )
        shape = self.block_shape(dims)
        padded = [ast.Constant(value=1)] * (len(shape.elts) - len(triton_dims(acc.dims)))
        reshaped = expr(
            "tl.reshape(v, s)",
            v=acc.code,
            s=ast.List(elts=[*padded, *self.block_shape(acc.dims).elts]),
        )
        code = expr("tl.broadcast_to(v, s)", v=reshaped, s=shape)
        return replace(acc, code=code, dims=dims, stored=None)

    def int8_factors(self, left: Value, right: Value, node: cst.CSTNode) -> None:
        """An integer accumulator takes int8 factors (Triton's integer tl.dot): a float factor
        is refused here, a tensor read as a factor is checked to be int8 by the launcher."""
        if "float" in (left.dtype, right.dtype):
            raise self.k.source.error(
                ShapeError,
                node,
                "a product of float factors into an integer accumulator",
                hint="create the accumulator with a float dtype, or multiply int8 tiles",
            )
        line = self.k.source.line_of(node)
        for tensor in sorted(left.loaded_from | right.loaded_from):
            message = f'f"line {line}: {tensor} must be int8 for an integer product, got {{{tensor}.dtype}}"'
            check = f"require({tensor}.dtype == torch.int8, {message}, TypeError)"
            self.k.argument_checks.append(check)
        self.k.host_helpers.add("require")

    def float_factors(self, left: Value, right: Value, node: cst.CSTNode) -> None:
        """A float product (tl.dot): a tensor read unconverted as a factor must hold floats or
        int8 (Triton's tl.dot takes no int16 / int32 / int64: `F.linear` of int64 tensors
        failed inside Triton); the launcher's check_tensors checks it (`factors=`), naming the
        line and the fix."""
        line = self.k.source.line_of(node)
        for tensor in left.loaded_from | right.loaded_from:
            self.k.factors_on.setdefault(tensor, line)

    def with_precision(self, code: ast.Call) -> ast.Call:
        """tl.dot with the decorator's dot_precision= as its input_precision (given only)."""
        precision = literal(str(self.k.settings.get("dot_precision", "None")))
        if isinstance(precision, str):
            code.keywords.append(ast.keyword(arg="input_precision", value=ast.Constant(precision)))
        return code

    def narrow_product(self, operands, acc, out_dtype, dims, node, single_k: bool) -> Value:
        """A product with M or N of 1 (a matrix times a column; tl.dot wants 16 lanes there):
        a broadcast multiply summed over K by sum_middle, in float32 (float64 factors in float64;
        Triton's combine pass makes `tl.sum(..., axis=1)` of it a TF32 tt.dot); K of 1 (an outer
        product, batched or not): `[..., M, 1] * [..., 1, N]`, no sum (a tt.dot of K 1, which an
        H100 computed wrong)."""
        if _product_dtype(acc) == "int":  # as tl.dot's
            a, b = (expr("v.to(tl.int32)", v=operand) for operand in operands)
        else:
            self.k.use_helper("as_float")
            self.k.use_helper("upcast_half")
            a, b = (expr("as_float(upcast_half(v))", v=operand) for operand in operands)
        if not single_k:
            self.k.use_helper("sum_middle")  # (tl.sum over axis 1: a TF32 tt.dot of Triton's)
        form = "a * b" if single_k else "sum_middle(a[:, :, None] * b[None, :, :])"
        code = expr(form, a=a, b=b)
        if acc is not None:  # torch's `acc += a @ b` keeps acc's dtype, as tl.dot's acc does
            kept = "(c + p).to(c.dtype)" if isinstance(acc.code, ast.Name) else "c + p"
            code = expr(kept, c=acc.code, p=code)
            dims = self.k.broadcasting.broadcast_dims(block(None, dims), acc, node)
        if out_dtype is not None:
            code = expr("v.to(d)", v=code, d=self.k.expressions.lower_expr(out_dtype).code)
        return block(code, dims, _product_dtype(acc))

    def block_shape(self, dims) -> ast.List:
        """`[BLOCK_M, BLOCK_N]`: the Triton shape of a value with these axes (1 for None)."""
        return ast.List(
            elts=[
                ast.Constant(value=1 if a is None else a.size)
                if a is None or a.size is not None
                else ast.Name(id=a.block)
                for a in triton_dims(dims)
            ]
        )

    def dot_operand(self, node: cst.BaseExpression) -> Value:
        """Lower a factor; a load written right in the product stays in its stored dtype."""
        loaded = _unwrap_view(node)
        if isinstance(loaded, cst.Subscript):
            base = self.k.expressions.lower_expr(loaded.value)
            if base.kind == HOST_TENSOR:
                self.k.native_loads.add(loaded)
        return self.k.expressions.arithmetic(self.k.expressions.lower_expr(node), node)

    def dot_only_loads(self, loop: cst.CSTNode) -> set[cst.Subscript]:
        """Loads assigned to a name whose every use is a factor of a product: keep them as stored."""
        loads: dict[str, cst.Subscript | None] = {}
        uses: dict[str, list[bool]] = {}

        def walk(node: cst.CSTNode, in_product: bool) -> None:
            if (
                isinstance(node, cst.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0].target, cst.Name)
            ):
                name = node.targets[0].target.value
                value = node.value
                loads[name] = (
                    value if name not in loads and isinstance(value, cst.Subscript) else None
                )
                walk(value, False)
                return
            if isinstance(node, cst.Name):
                uses.setdefault(node.value, []).append(in_product)
                return
            if _unwrap_view(node) is not node:
                walk(_unwrap_view(node), in_product)
                for argument in node.args if isinstance(node, cst.Call) else ():
                    walk(argument.value, False)
                return
            if isinstance(node, cst.Attribute):  # `x.attr`: only x can be a use
                walk(node.value, False)
                return
            factors: list[cst.CSTNode] = []
            if isinstance(node, cst.BinaryOperation) and isinstance(
                node.operator, cst.MatrixMultiply
            ):
                factors = [node.left, node.right]
            elif (
                isinstance(node, cst.Call)
                and (self.k.aliases.qualified(node.func) or "").rsplit(".", 1)[-1] in PRODUCT_NAMES
            ):
                factors = [a.value for a in node.args if a.keyword is None]
            for child in node.children:
                operand = child.value if isinstance(child, cst.Arg) else child
                walk(operand, any(operand is factor for factor in factors))

        walk(loop, False)
        return {
            subscript
            for name, subscript in loads.items()
            if subscript is not None and uses.get(name) and all(uses[name])
        }

    def dot_input(
        self, value: Value, as_stored: bool, position: int, axis, rounded: bool = False
    ) -> ast.expr:
        """The factor as tl.dot takes it, zero outside the tensor along K: both factors in their
        stored dtypes when both have one (tensor cores), else both in float32; `rounded`: a
        factor is a tile scaled by Python numbers, torch's dtype for it that of its tile
        (`as_factor`: a 16-bit float's, else float32, both factors alike)."""
        code = value.code
        if rounded:
            self.k.use_helper("as_factor")
            dtype = value.storage if value.storage is not None else value.rounds_to
            stored = value.stored if value.stored is not None else code
            code = expr("as_factor(v, d)", v=stored, d=dtype)
        elif as_stored and value.stored is not None:
            code = value.stored
        elif as_stored and not value.native:
            code = expr("v.to(d)", v=code, d=value.storage)  # exact: the value is in that dtype
        elif not as_stored and value.native:
            self.k.use_helper("upcast_half")
            code = expr("upcast_half(v)", v=code)
        if axis is not None and axis.masked and axis not in value.zero_outside:
            mask = self.k.indexing.place_mask(axis, position, value.dims, self.k.source.current)
            code = expr("tl.where(m, v, 0)", m=mask, v=code)
        return code


def _is_one(node: cst.BaseExpression) -> bool:
    """`beta=1` / `alpha=1.0`: torch's defaults written out, the unscaled product."""
    return isinstance(node, (cst.Integer, cst.Float)) and node.evaluated_value == 1


# products with a vector (a 1-D block): the sum of products that is torch's answer, by the
# factors' ranks (tl.dot takes matrices of 16 or more rows and columns)
_VECTOR_PRODUCTS = {
    (2, 1): "({a} * {b}[None, :]).sum(-1)",
    (1, 2): "({a}[:, None] * {b}).sum(0)",
    (1, 1): "({a} * {b}).sum()",
    (3, 1): "({a} * {b}[None, None, :]).sum(-1)",
}


def _product_hint(source, left_node, right_node, left_rank: int, right_rank: int) -> str:
    """The fix of a product tl.dot cannot take: a vector's as a sum of products."""
    template = _VECTOR_PRODUCTS.get((left_rank, right_rank))
    if template is None:
        return "multiply 2-D tiles (or 3-D for batches): x[tile_m, tile_k] @ y[tile_k, tile_n]"
    left, right = source.code(left_node), source.code(right_node)
    return f"a product with a vector is a sum of products: write {template.format(a=left, b=right)}"


def _is_transpose(node: cst.CSTNode) -> bool:
    """`x.T` / `x.mT` (the caller unwraps `.value`); `.transpose(...)` / `.permute(...)` count
    too."""
    return isinstance(node, cst.Attribute) and node.attr.value in ("T", "mT")


def _unwrap_view(node: cst.CSTNode) -> cst.CSTNode:
    """The value under `.T`, `.mT`, `.transpose(...)`, `.permute(...)`, `.t()`."""
    if _is_transpose(node):
        return node.value
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("transpose", "permute", "t")
    ):
        return node.func.value
    return node


def _label(axis) -> str:
    return axis.label if axis is not None else "a size-1 dimension"


_ = BLOCK


def _product_dtype(acc: Value | None) -> str:
    """A product's kind: an integer accumulator (int8 factors) keeps it integer, else float."""
    return "int" if acc is not None and acc.dtype == "int" else "float"
