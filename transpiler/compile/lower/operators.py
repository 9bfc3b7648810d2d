"""Operators of device code: `a + b`, `-a`, `a < b`, `a and b`, as torch computes them."""

from __future__ import annotations

import ast
import operator
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import assign, expr
from ..frontend.errors import UnsupportedConstructError
from ..ops.table import (
    BINARY_OPERATORS,
    BITWISE_OPERATORS,
    NARROWEST_INTEGER_BITS,
    PLAIN_SHIFTS,
)
from .bool_arithmetic import bool_template, floated_bools
from .chained_comparisons import refuse_block_in_chain
from .dtype_tests import dtype_comparison
from .index_values import index_values_as_int64, lanes_of
from .integer_operators import integers_only, no_negative_integer_power
from .integer_promotion import note_promotion
from .negative_indices import may_be_negative
from .negative_zero import negation, signed_zeros
from .promotion import compared_numbers, result_of, with_dimensioned_dtype
from .python_ints import as_int64
from .scaled_factors import scaled_tile
from .scaled_products import scaled_product
from .values import BLOCK, CONST, Value, block, constant, triton_dims

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# a comparison operator: its Python and Triton symbol
_COMPARISONS = {
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
    cst.Equal: "==",
    cst.NotEqual: "!=",
}


# `//` and `%` whose operands cannot be negative: Triton's operator is torch's (no helper)
_PLAIN_WHEN_NON_NEGATIVE = {"FloorDivide": "a // b", "Modulo": "a % b"}


def _small_shift(amount: Value) -> bool:
    """A literal shift inside every integer width: Triton's shift is torch's there."""
    return (
        amount.kind == CONST
        and type(amount.const) is int
        and 0 <= amount.const < NARROWEST_INTEGER_BITS
    )


# a float exponent torch's pow kernels compute as a root: its Triton template
_ROOTS = {0.5: "tl.sqrt(a)", -0.5: "tl.rsqrt(a)"}

# a unary operator: its Triton template and, for a number, Python's own result
_UNARY = {
    cst.Minus: ("-a", operator.neg),
    cst.Plus: ("+a", operator.pos),
    cst.BitInvert: ("~a", operator.invert),
}


class Operators:
    """Binary and unary operators, comparisons and `and` / `or` of lowered operands."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def expr_BinaryOperation(self, node: cst.BinaryOperation) -> Value:
        ev = self.k.expressions  # the operands' lowering
        op_name = type(node.operator).__name__
        if op_name == "MatrixMultiply":
            return self.k.dots.dot(node.left, node.right, None, node)
        left = ev.arithmetic(ev.lower_expr(node.left), node.left)
        right = ev.arithmetic(ev.lower_expr(node.right), node.right)
        return self.binary(op_name, left, right, node)

    def binary(self, op_name: str, left: Value, right: Value, node: cst.BinaryOperation) -> Value:
        """`left op right` of operands already lowered (`node` spells them for messages)."""
        left, right = with_dimensioned_dtype(self.k, [left, right])
        if op_name != "Divide" and not (left.kind == CONST and right.kind == CONST):
            left, right = as_int64(self.k, [left, right], op_name)  # (python_ints.py)
            left, right = index_values_as_int64(self.k, op_name, [left, right])
        if op_name == "Power" and right.kind == CONST and right.const in (2, 3, 4):
            return self.integer_power(left, int(right.const), node)
        if op_name == "Power" and (root := self.root_power(left, right)) is not None:
            return root
        symbol, template, helpers = BINARY_OPERATORS[op_name]
        integers_only(self.k, op_name, symbol, [left, right], node)
        no_negative_integer_power(self.k, op_name, [left, right], node)
        if op_name in _PLAIN_WHEN_NON_NEGATIVE and self.non_negative_by_positive(left, right):
            template, helpers = _PLAIN_WHEN_NON_NEGATIVE[op_name], ()
        if op_name in PLAIN_SHIFTS and _small_shift(right):
            template, helpers = PLAIN_SHIFTS[op_name], ()
        if left.kind == CONST and right.kind == CONST:
            folded_tree = ast.fix_missing_locations(
                ast.Expression(expr(f"a {symbol} b", a=left.code, b=right.code))
            )
            folded = eval(compile(folded_tree, "<fold>", "eval"))  # noqa: S307 - two constants
            return constant(folded)
        for helper in helpers:
            self.k.use_helper(helper)
        left, right = signed_zeros(self.k, [left, right])
        if op_name != "Divide":  # (true division is float division in both)
            note_promotion(self.k, [left, right], node)
        dims = self.k.broadcasting.broadcast_dims(left, right, node)
        broadcast = dims
        dims = self.k.registered_blocks.kept_block_lanes(op_name, left, right, dims)
        kept = frozenset(d for d, b in zip(dims, broadcast) if d is not b)
        dtype = result_dtype(op_name, left.dtype, right.dtype)
        template = bool_template(self.k, op_name, [left, right], node) or template
        left, right = floated_bools(op_name, [left, right])
        code = _scalar_and_block_condition(op_name, left, right)
        result = block(code or expr(template, a=left.code, b=right.code), dims, dtype)
        result = result_of(result, [left, right])
        result = replace(result, rounds_to=_torch_dtype(op_name, left, right))
        result = scaled_product(self.k, op_name, left, right, result, node)
        result = replace(result, scale_of=scaled_tile(self.k, op_name, left, right, result))
        filled = self.k.registered_blocks.filled_by(op_name, left, right, dims)
        result = replace(result, fed_by=_fed_by(left, right), lanes_kept=kept)
        result = lanes_of(result, [left, right])
        result = replace(result, filled_lanes=result.filled_lanes | filled)
        if op_name in BITWISE_OPERATORS:  # bool & bool stays bool: arithmetic may come later
            return replace(result, loaded_from=left.loaded_from | right.loaded_from)
        self.k.note_arithmetic((left, right), node, op_name)
        return result

    def non_negative_by_positive(self, left: Value, right: Value) -> bool:
        """`tile.index // 2`, `tile.begin % 4`: an integer that cannot be negative (no load,
        argument, subtraction or negation in it) by a positive int literal, where Triton's
        truncating `//` and `%` are Python's flooring ones."""
        positive = right.kind == CONST and type(right.const) is int and right.const > 0
        exact = left.dtype == "int" and left.kind != CONST and left.storage is None
        return positive and exact and not may_be_negative(self.k, left)

    def root_power(self, base: Value, exponent: Value) -> Value | None:
        """`x ** 0.5` as `tl.sqrt(x)`, `x ** -0.5` as `tl.rsqrt(x)`: torch's pow kernels take
        these exponents so (-0.0 ** 0.5 is -0.0 and -inf ** 0.5 nan there, not C pow's 0.0
        and inf)."""
        if base.kind != BLOCK or base.dtype == "bool" or exponent.kind != CONST:
            return None
        template = _ROOTS.get(exponent.const) if type(exponent.const) is float else None
        if template is None:
            return None
        code = base.code
        if base.dtype != "float":  # an integer tensor's root is float32's, as in torch
            self.k.use_helper("as_float")
            code = expr("as_float(a)", a=code)
        return result_of(block(expr(template, a=code), base.dims, "float"), [base])

    def integer_power(self, base: Value, exponent: int, node: cst.CSTNode) -> Value:
        """`x ** 2` as `x * x`, on a named value so nothing is computed twice."""
        if not isinstance(base.code, ast.Name):
            temporary = self.k.names.fresh("base")
            self.k.emit(assign(temporary, base.code), self.k.source.line_of(node))
            base = base.with_code(ast.Name(id=temporary))
        code: ast.expr = base.code
        for _ in range(exponent - 1):
            code = ast.BinOp(left=code, op=ast.Mult(), right=base.code)
        return block(code, base.dims, base.dtype)

    def expr_UnaryOperation(self, node: cst.UnaryOperation) -> Value:
        ev = self.k.expressions  # the operands' lowering
        operand = ev.lower_expr(node.expression)
        if isinstance(node.operator, cst.Not):
            if operand.rank:
                raise self.k.source.error(
                    UnsupportedConstructError, node, "`not` on a block", hint="use ~mask"
                )
            return block(expr("not a", a=operand.code), (), "bool")
        operand = ev.arithmetic(operand, node.expression)
        text, fold = _UNARY[type(node.operator)]
        integers_only(self.k, type(node.operator).__name__, "~", [operand], node)
        if text == "-a":
            bool_template(self.k, "Minus", [operand], node)  # (torch refuses -bool)
        if operand.kind == CONST and isinstance(operand.const, (int, float)):
            if text == "~a" and type(operand.const) is not int:  # ~2.0 raises; ~True is -2
                raise self.k.source.error(
                    UnsupportedConstructError,
                    node,
                    f"~ of the number {operand.const!r}",
                    hint="~ inverts the bits of an int; for a flag write `not flag`",
                )
            return constant(fold(operand.const))  # as Python computes it: ~7 is -8
        if text == "-a":
            text = negation(self.k, operand)
        result = result_of(
            block(expr(text, a=operand.code), operand.dims, operand.dtype), [operand]
        )
        result = lanes_of(replace(result, fed_by=_fed_by(operand)), [operand])
        if text == "~a":
            return replace(result, loaded_from=operand.loaded_from)
        self.k.note_arithmetic((operand,), node)
        return result

    def expr_Comparison(self, node: cst.Comparison) -> Value:
        ev = self.k.expressions  # the operands' lowering
        if any(isinstance(c.operator, (cst.Is, cst.IsNot)) for c in node.comparisons):
            return self.k.specialisations.identity_test(node, self.k.scope, ev.lower_expr)
        dtypes = dtype_comparison(self.k, node)  # x.dtype == torch.float16
        if dtypes is not None:
            return dtypes
        left = ev.operand(ev.lower_expr(node.left), node.left)
        result: Value | None = None
        for position, target in enumerate(node.comparisons):
            symbol = _COMPARISONS.get(type(target.operator))
            if symbol is None:
                raise self.k.source.error(
                    UnsupportedConstructError,
                    target,
                    f"the comparison {self.k.source.code(target.operator).strip()!r} inside a device loop",
                    hint="compare values with < <= > >= == !=",
                )
            right = ev.operand(ev.lower_expr(target.comparator), target.comparator)
            if left.rank or right.rank:  # a block against None or text: refused
                ev.numeric(left, node.left)
                ev.numeric(right, target.comparator)
            dims = self.k.broadcasting.broadcast_dims(left, right, node)
            note_promotion(self.k, [left, right], target)
            promoted = with_dimensioned_dtype(self.k, compared_numbers(self.k, [left, right]))
            part = block(
                expr(f"a {symbol} b", a=promoted[0].code, b=promoted[1].code), dims, "bool"
            )
            if left.kind == CONST and right.kind == CONST:  # `reduction == "sum"`, specialised
                try:
                    part = constant(_fold_comparison(symbol, left.const, right.const))
                except TypeError as error:  # "sum" < 1: Python refuses it too
                    raise self.k.source.error(
                        UnsupportedConstructError, node, f"this comparison: {error}"
                    ) from None
            refuse_block_in_chain(self.k, node, position, part)
            if result is None:
                result = part
            elif result.kind == CONST and part.kind == CONST:
                result = constant(bool(result.const and part.const))
            else:
                dims = self.k.broadcasting.broadcast_dims(result, part, node)
                code = _scalar_and_block_condition("BitAnd", result, part)
                code = code or expr("a & b", a=result.code, b=part.code)
                result = block(code, dims, "bool")
            left = right
        return result

    def expr_BooleanOperation(self, node: cst.BooleanOperation) -> Value:
        ev = self.k.expressions  # the operands' lowering
        left, right = ev.lower_expr(node.left), ev.lower_expr(node.right)
        if left.rank or right.rank:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                "`and` / `or` on blocks",
                hint="combine masks with & and |",
            )
        word = "and" if isinstance(node.operator, cst.And) else "or"
        return block(expr(f"a {word} b", a=left.code, b=right.code), (), "bool")


def result_dtype(op_name: str, left: str | None, right: str | None) -> str | None:
    if op_name == "Divide":
        return "float"
    if "float" in (left, right):
        return "float"
    if left == right:
        return left
    return None


_WHERE_FORMS = {"BitAnd": "tl.where(s, b, False)", "BitOr": "tl.where(s, True, b)"}
_WHERE_FORMS["BitXor"] = "tl.where(s, ~b, b)"


def _scalar_and_block_condition(op_name: str, left: Value, right: Value) -> ast.expr | None:
    """`scalar_condition & block_condition` as a tl.where on the scalar, or None.

    Triton's interpreter broadcasts a scalar comparison with the comparison's operand type
    (float), and `&` between that and a boolean block fails; compiled Triton takes either form.
    """
    if op_name not in _WHERE_FORMS or left.dtype != "bool" or right.dtype != "bool":
        return None
    scalar_left, scalar_right = _scalar_like(left), _scalar_like(right)
    if left.kind == CONST or right.kind == CONST or scalar_left == scalar_right:
        return None
    scalar, other = (left, right) if scalar_left else (right, left)
    return expr(_WHERE_FORMS[op_name], s=scalar.code, b=other.code)


def _scalar_like(value: Value) -> bool:
    """No lane axis: every dimension a `None` or a squeezed tile (`w[None, tile]`, block 1)."""
    return all(d is None for d in triton_dims(value.dims))


def _fold_comparison(symbol: str, left: object, right: object) -> bool:
    """A comparison of two constants, as Python makes it."""
    functions = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
    functions.update({"==": operator.eq, "!=": operator.ne})
    return bool(functions[symbol](left, right))


_SCALING = ("Add", "Subtract", "Multiply", "Divide")


def _fed_by(*operands: Value) -> frozenset:
    """The tensors whose values the operands hold unconverted (Value.fed_by)."""
    return frozenset().union(*(v.loaded_from | v.fed_by for v in operands))


def _torch_dtype(op_name: str, left: Value, right: Value):
    """The stored dtype torch keeps for a tensor (a load, or one scaled already) and a Python
    number (`q * qk_scale`), or None: torch's promotion leaves a tensor's dtype to numbers."""
    if op_name not in _SCALING:
        return None
    for tensor, other in ((left, right), (right, left)):
        dtype = tensor.storage if tensor.storage is not None else tensor.rounds_to
        number = other.kind == CONST or (
            other.kind == BLOCK and not other.dims and other.storage is None
            and other.rounds_to is None and not other.zero_dim_tensor
        )  # fmt: skip
        if dtype is not None and tensor.dims and number:
            return dtype
    return None
