"""Lowering of expressions: names, constants, operators, attributes."""

from __future__ import annotations

import ast
import builtins
import operator
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst
import torch

from ..emit.codegen import assign, expr
from ..frontend.errors import (
    ArgumentUnknownError,
    ShapeError,
    UndefinedNameError,
    UnsupportedConstructError,
    near_names,
)
from ..ops.alternatives import BUILTIN_ALTERNATIVES
from ..ops.table import (
    BINARY_OPERATORS,
    BITWISE_OPERATORS,
    NARROWEST_INTEGER_BITS,
    PLAIN_SHIFTS,
)
from .bool_arithmetic import bool_template, floated_bools
from .dtype_tests import dtype_comparison
from .ended_loops import ended_loop_of
from .integer_operators import integers_only, no_negative_integer_power
from .integer_promotion import note_promotion
from .module_globals import module_attribute, module_global
from .negative_indices import may_be_negative
from .negative_zero import negation, signed_zeros
from .promotion import compared_numbers, result_of, with_dimensioned_dtype
from .python_ints import as_int64
from .scaled_factors import scaled_tile
from .scaled_products import scaled_product
from .split_k import recomputed
from .values import (
    BLOCK,
    CONST,
    DTYPE,
    HOST_TENSOR,
    MODULE,
    TILE,
    TILES,
    TUPLE,
    Axis,
    Dims,
    Value,
    block,
    check_squeezable,
    constant,
    one_index,
    triton_dims,
)

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_COMPARISONS = {
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
    cst.Equal: "==",
    cst.NotEqual: "!=",
}
_BUILTINS = {"float", "int", "bool", "min", "max", "abs", "round", "range", "len"}


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


class Expressions:
    """`lower_expr(node) -> Value` for every expression a device loop may hold."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def lower_expr(self, node: cst.BaseExpression) -> Value:
        kind = type(node).__name__  # expr_Call and expr_Subscript are the calls' and indexing's
        owner = {"Call": self.k.calls, "Subscript": self.k.indexing}.get(kind, self)
        method = getattr(owner, f"expr_{kind}", None)
        if method is None:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"{_describe(node)} is not supported inside a device loop",
                hint="device code is straight-line tensor arithmetic on tiles",
            )
        return method(node)

    # -- leaves ---------------------------------------------------------------------------

    def expr_Name(self, node: cst.Name) -> Value:
        name = node.value
        again = recomputed(self.k, name)  # an operand computed again for a chunk of K
        if again is not None:
            return self.lower_expr(again)
        if name in self.k.scope:
            return self.k.scope[name]
        self.k.inliner.check_inlined_name(node)
        self.k.inliner.refuse_callable_value(node)
        if name in ("True", "False", "None"):
            return constant({"True": True, "False": False, "None": None}[name])
        specialised = self.k.specialisations.value(name)
        if specialised is not None:  # an argument the kernel is specialised on (None, "sum")
            return specialised
        if name not in self.k.host.names:
            resolved = module_global(
                name, self.k.aliases, self.k.source.module
            )  # HALF = torch.float16, imported constants
            if resolved is not None:
                return resolved
        if name in self.k.branch_conflicts:  # branches of an if left it shaped / typed apart
            error, message, hint = self.k.branch_conflicts[name]  # (before a host name of it)
            raise self.k.source.error(error, node, message, hint=hint)
        if name in self.k.host.names or name in self.k.aliases.globals - set(self.k.aliases.names):
            if name in self.k.host.tensors or (
                name in self.k.tensor_names_used and name not in self.k.host.scalar_params
            ):
                return self.k.host_tensor(name)
            if name in self.k.host.dtypes:  # acc_dtype = torch.float32 / dtype = x.dtype
                return self.lower_expr(self.k.host.dtypes[name])
            if name in self.k.host.block_size_vars:
                return block(
                    ast.Name(id=self.k.registered_blocks.block_size_constexpr(name)), (), "int"
                )
            if name in self.k.host.size_keys:
                return block(ast.Name(id=self.k.size_param(self.k.host.size_keys[name])), ())
            if name in self.k.host.dtype_params:  # `dtype: torch.dtype`, no example given
                raise self.k.source.error(
                    ArgumentUnknownError,
                    node,
                    f"{name}, a torch.dtype argument, is known only when the kernel is called",
                )
            if name in self.k.host.constexpr_params | self.k.host.flags:  # `rank: tl.constexpr`
                self.k.constexprs.setdefault(name, name)
                return block(ast.Name(id=name), ())
            return block(ast.Name(id=self.k.param(name, name, "scalar")), ())
        if name in self.k.aliases.names:
            qualified = self.k.aliases.qualified(node)
            return Value(MODULE, name=qualified or name)
        if name in _BUILTINS:
            return Value(MODULE, name=f"builtins.{name}")
        if name in BUILTIN_ALTERNATIVES:  # `sum(v)`: Python's, not a name the user forgot
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"Python's {name}() inside a device loop",
                hint=BUILTIN_ALTERNATIVES[name],
            )
        ended = ended_loop_of(self.k.device_loop, name)
        if ended is not None:  # `for j in range(n): ...`, then `j` after that loop
            line = self.k.source.line_of(ended)
            raise self.k.source.error(
                UndefinedNameError,
                node,
                f"{name!r} is the variable of the loop at line {line}, which has ended here: "
                "the kernel keeps no loop variable past its loop (Python keeps its last value)",
                hint="use it inside that loop (move the statement in), or give a name a value "
                f"before the loop and set it inside (last = {name}; of a tile, last = "
                f"{name}.begin)",
            )
        known = [*self.k.scope, *self.k.host.names]
        raise self.k.source.error(
            UndefinedNameError,
            node,
            f"name {name!r} is not defined before this device loop uses it",
            hint=near_names(name, known) or "define it in the kernel before the loop",
        )

    def expr_Integer(self, node: cst.Integer) -> Value:
        return constant(int(node.evaluated_value))

    def expr_Float(self, node: cst.Float) -> Value:
        return constant(float(node.evaluated_value))

    def expr_SimpleString(self, node: cst.SimpleString) -> Value:
        return constant(node.evaluated_value)

    # -- operators ------------------------------------------------------------------------

    def expr_BinaryOperation(self, node: cst.BinaryOperation) -> Value:
        op_name = type(node.operator).__name__
        if op_name == "MatrixMultiply":
            return self.k.dots.dot(node.left, node.right, None, node)
        left = self.arithmetic(self.lower_expr(node.left), node.left)
        right = self.arithmetic(self.lower_expr(node.right), node.right)
        return self.binary(op_name, left, right, node)

    def binary(self, op_name: str, left: Value, right: Value, node: cst.BinaryOperation) -> Value:
        """`left op right` of operands already lowered (`node` spells them for messages)."""
        left, right = with_dimensioned_dtype(self.k, [left, right])
        if op_name != "Divide" and not (left.kind == CONST and right.kind == CONST):
            left, right = as_int64(self.k, [left, right], op_name)  # (python_ints.py)
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
        dims = self.broadcast_dims(left, right, node)
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
        operand = self.lower_expr(node.expression)
        if isinstance(node.operator, cst.Not):
            if operand.rank:
                raise self.k.source.error(
                    UnsupportedConstructError, node, "`not` on a block", hint="use ~mask"
                )
            return block(expr("not a", a=operand.code), (), "bool")
        operand = self.arithmetic(operand, node.expression)
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
        result = replace(result, fed_by=_fed_by(operand))
        if text == "~a":
            return replace(result, loaded_from=operand.loaded_from)
        self.k.note_arithmetic((operand,), node)
        return result

    def expr_Comparison(self, node: cst.Comparison) -> Value:
        if any(isinstance(c.operator, (cst.Is, cst.IsNot)) for c in node.comparisons):
            return self.k.specialisations.identity_test(node, self.k.scope, self.lower_expr)
        dtypes = dtype_comparison(self.k, node)  # x.dtype == torch.float16
        if dtypes is not None:
            return dtypes
        left = self.operand(self.lower_expr(node.left), node.left)
        result: Value | None = None
        for target in node.comparisons:
            symbol = _COMPARISONS.get(type(target.operator))
            if symbol is None:
                raise self.k.source.error(
                    UnsupportedConstructError,
                    target,
                    f"the comparison {self.k.source.code(target.operator).strip()!r} inside a device loop",
                    hint="compare values with < <= > >= == !=",
                )
            right = self.operand(self.lower_expr(target.comparator), target.comparator)
            if left.rank or right.rank:  # a block against None or text: refused
                self.numeric(left, node.left)
                self.numeric(right, target.comparator)
            dims = self.broadcast_dims(left, right, node)
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
            if result is None:
                result = part
            elif result.kind == CONST and part.kind == CONST:
                result = constant(bool(result.const and part.const))
            else:
                dims = self.broadcast_dims(result, part, node)
                code = _scalar_and_block_condition("BitAnd", result, part)
                code = code or expr("a & b", a=result.code, b=part.code)
                result = block(code, dims, "bool")
            left = right
        return result

    def expr_BooleanOperation(self, node: cst.BooleanOperation) -> Value:
        left, right = self.lower_expr(node.left), self.lower_expr(node.right)
        if left.rank or right.rank:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                "`and` / `or` on blocks",
                hint="combine masks with & and |",
            )
        word = "and" if isinstance(node.operator, cst.And) else "or"
        return block(expr(f"a {word} b", a=left.code, b=right.code), (), "bool")

    def expr_IfExp(self, node: cst.IfExp) -> Value:
        condition = self.operand(self.lower_expr(node.test), node.test)
        if condition.rank:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                "a conditional expression (`a if c else b`) on a block condition",
                hint="torch.where(c, a, b) chooses per element",
            )
        if condition.kind == CONST:  # known while transpiling: only the branch taken
            chosen = node.body if condition.const else node.orelse
            return self.lower_expr(chosen)
        body = self.arithmetic(self.lower_expr(node.body), node.body)
        orelse = self.arithmetic(self.lower_expr(node.orelse), node.orelse)
        dims = self.broadcast_dims(body, orelse, node)
        code = expr("tl.where(c, a, b)", c=condition.code, a=body.code, b=orelse.code)
        return block(code, dims, body.dtype)

    def expr_Tuple(self, node: cst.Tuple) -> Value:
        return Value(TUPLE, items=tuple(self.lower_expr(e.value) for e in node.elements))

    expr_List = expr_Tuple

    # -- attributes -----------------------------------------------------------------------

    def expr_Attribute(self, node: cst.Attribute) -> Value:
        attr = node.attr.value
        base = self.lower_expr(node.value)
        if base.kind == MODULE:
            return self.module_attribute(f"{base.name}.{attr}", node)
        if base.kind == TILE:
            return self.tile_attribute(base, attr, node)
        if attr == "dtype" and (dtype := self.dtype_of(base)) is not None:
            return dtype
        if base.kind == HOST_TENSOR and attr == "ndim" and self.k.host.rank(base.name) is not None:
            return constant(self.k.host.rank(base.name))
        if base.kind == BLOCK and attr == "shape":  # rows, columns = acc.shape
            dims = [cst.Integer(str(d)) for d in range(base.rank)]
            return Value(
                TUPLE, items=tuple(self.k.torch_ops.block_size_of(base, d, node) for d in dims)
            )
        if base.kind == BLOCK and attr == "T":
            return self.k.views.transpose(base, node)
        if base.kind == BLOCK and attr == "mT":
            return self.k.views.matrix_transpose(base, node)
        if base.kind == TUPLE and attr in base.fields:  # torch.aminmax(x, dim=1).max
            return base.items[base.fields.index(attr)]
        if base.kind == TUPLE and not base.fields and attr in ("values", "indices"):
            return base.items[0 if attr == "values" else 1]
        owner = self.k.source.code(node.value)
        method = callable(getattr(torch.Tensor, attr, None)) and base.kind == HOST_TENSOR
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            f"attribute .{attr} of {_kind_text(base)} inside a device loop",
            hint=f"{owner}.{attr} is a method: call it, {owner}.{attr}()" if method else None,
        )

    def dtype_of(self, base: Value) -> Value | None:
        """`t.dtype` of a host tensor or a block (torch's: the one in memory, not the float32 a
        loaded half is computed in); None for anything else."""
        if base.kind == HOST_TENSOR:
            pointer = self.k.tensor_pointer(base.name)
            return Value(DTYPE, expr("p.dtype.element_ty", p=pointer), const="runtime")
        if base.kind == BLOCK:
            if base.storage is not None:
                return Value(DTYPE, base.storage, const="runtime")
            return Value(DTYPE, expr("v.dtype", v=base.code), const="runtime")
        return None

    def module_attribute(self, qualified: str, node: cst.CSTNode) -> Value:
        return module_attribute(qualified)

    def tile_attribute(self, tile: Value, attr: str, node: cst.CSTNode) -> Value:
        axis = tile.axis
        if attr == "index":
            return block(ast.Name(id=axis.offsets), (axis,), "int")
        if attr == "begin":
            return block(axis.begin, (), "int")
        if attr == "end":
            return block(
                expr("tl.minimum(b + s, e)", b=axis.begin, s=axis.block, e=axis.end), (), "int"
            )
        if attr == "block_size":
            return block(ast.Name(id=axis.block), (), "int")
        if attr == "id":
            return block(axis.tile_id, (), "int")
        if attr == "count":  # tiles along the loop: Helion's cdiv(end - begin, block_size)
            extent = axis.end if axis.first is None else expr("e - f", e=axis.end, f=axis.first)
            return block(expr("tl.cdiv(e, b)", e=extent, b=ast.Name(id=axis.block)), (), "int")
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            f"tiles have no attribute .{attr}",
            hint="a tile has .index .begin .end .block_size .id .count",
        )

    # -- shapes ---------------------------------------------------------------------------

    def numeric(self, value: Value, node: cst.CSTNode) -> Value:
        """`operand`'s value, refused where it is None or text: an operand of an operator or a
        call, a stored value (Triton would fail on `tl.cast(None, ...)`, far from the line)."""
        value = self.operand(value, node)
        argument = isinstance(node, cst.Name) and node.value in self.k.host.params
        if argument:  # an argument given None or text: the launcher names it (number_check)
            return value
        if value.kind == CONST and (value.const is None or isinstance(value.const, (str, bytes))):
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"{_spelled(self.k.source.code(node), node)} {_NOT_A_NUMBER[type(value.const)]}, "
                "not a number: device code computes and stores numbers",
                hint="use a number (0.0, float('nan')) or a block (x[tile]); to leave elements "
                "unwritten, mask the store: hl.store(out, [tile], value, extra_mask=...)",
            )
        return value

    def arithmetic(self, value: Value, node: cst.CSTNode) -> Value:
        """A value usable in arithmetic: blocks, scalars, constants that are numbers."""
        return self.numeric(value, node)

    def operand(self, value: Value, node: cst.CSTNode) -> Value:
        """A block, a scalar or a constant (None and text too: `mode == "sum"` folds)."""
        if value.kind in (BLOCK, CONST):
            return value
        if value.kind == TILE:
            raise self.k.source.error(
                ShapeError,
                node,
                "a tile is a range of indices, not a value",
                hint="use tile.index for the indices, or x[tile] for the data",
            )
        if value.kind == HOST_TENSOR and self.k.host.rank(value.name) == 0:
            return self.zero_dim_load(value.name, node)
        if value.kind == HOST_TENSOR:
            raise self.k.source.error(
                ShapeError,
                node,
                f"the whole tensor {value.name!r} used as a value inside a device loop",
                hint=f"load a tile of it: {value.name}[tile]",
            )
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            f"{_kind_text(value)} used as a value",
            hint=_VALUE_HINTS.get(value.kind),
        )

    def zero_dim_load(self, tensor: str, node: cst.CSTNode) -> Value:
        """A 0-d tensor used as a number (`x[tile] * scale`): its one element, loaded; torch's
        promotion ranks it below tensors with dimensions."""
        pointer = self.k.tensor_pointer(tensor)
        name = self.k.names.fresh(tensor)
        self.k.emit(assign(name, self.k.loads.load(pointer, None)), self.k.source.line_of(node))
        self.k.note_load(tensor, ())
        return replace(
            block(ast.Name(id=name), ()),
            storage=expr("p.dtype.element_ty", p=pointer),
            loaded_from=frozenset({tensor}),
            zero_dim_tensor=True,
        )

    def broadcast_dims(self, left: Value, right: Value, node: cst.CSTNode) -> Dims:
        return self.broadcast_dims_value(left, right, node)

    def broadcast_dims_value(self, left: Value, right: Value, node: cst.CSTNode) -> Dims:
        """torch's broadcasting of two values' axes, right-aligned; mismatched axes are an error."""
        a, b = left.dims, right.dims
        check_squeezable(left, right)
        rank = max(len(a), len(b))
        a = (None,) * (rank - len(a)) + a
        b = (None,) * (rank - len(b)) + b
        result = []
        for x, y in zip(a, b):
            if x is None or y is None or self.same_axis(x, y):
                result.append(self.k.registered_blocks.pick_axis(x, y))
            elif self.broadcasts_one_lane(x) or self.broadcasts_one_lane(y):
                result.append(y if one_index(x) else x)  # x[t, 2:3] + x[t, :]: as torch
            else:
                raise self.k.source.error(
                    ShapeError,
                    node,
                    f"cannot broadcast {x.label} against {y.label}{_lengths(x, y)}",
                    hint="values combined element-wise must share their tile axes; "
                    "add a dimension with [:, None] for an outer product"
                    if x.reach is None or y.reach is None
                    else "slice both to one length",
                )
        return tuple(result)

    def same_axis(self, x: Axis, y: Axis) -> bool:
        """Whether two axes are one; two whole dimensions are, once the launcher checks sizes."""
        if x is y:
            return True
        if x.block_var or y.block_var:  # block_size_n's lanes and a tile of that block size
            return x.block == y.block
        if x.reach is not None or y.reach is not None:  # x[t, 0:7] and x[t, 2:9] (or out[t, :])
            return self.same_slice_length(x, y)
        if x.size is not None or y.size is not None:
            return self.same_size(x, y)
        if self.k.whole_axes.is_full_axis(x) and self.k.whole_axes.is_full_axis(y):
            self.k.unified.add(tuple(sorted((x.key, y.key))))
            return True
        return False

    def same_slice_length(self, x: Axis, y: Axis) -> bool:
        """Two constant slices of one length are one axis, lane j of each its start + j, once
        the launcher checks that each ends inside its tensor (torch would clip one: a length
        that differs). A whole dimension of that size is one too, the launcher checking it."""
        sliced, other = (x, y) if x.reach is not None else (y, x)
        if other.reach is None and not self.k.whole_axes.is_full_axis(other):
            return False
        if sliced.reach[3] == 1 and other.reach is None:  # one index: torch broadcasts it
            return False
        if other.reach is None:
            length = str(sliced.reach[3])
            if other.key.isdigit():  # a literal host size (torch.empty([m, 4]))
                return other.key == length and self._slices_inside(sliced)
            self.k.unified.add(tuple(sorted((other.key, length))))
            return self._slices_inside(sliced)
        return sliced.reach[3] == other.reach[3] and self._slices_inside(sliced, other)

    def broadcasts_one_lane(self, axis: Axis) -> bool:
        """A one-index slice (`x[t, 2:3]`, values.one_index) broadcasts against any length, as
        torch's size-1 dimension does, once the launcher checks that its index lies inside."""
        return one_index(axis) and self._slices_inside(axis)

    def _slices_inside(self, *slices: Axis) -> bool:
        """The launcher checks that each slice ends inside its tensor: True."""
        self.k.slice_ends.update(axis.reach[:3] for axis in slices)
        return True

    def same_size(self, x: Axis, y: Axis) -> bool:
        """A dimension of known size matches one of the same size, or a whole host dimension
        once the launcher checks that the host size is that number."""
        sized, other = (x, y) if x.size is not None else (y, x)
        if other.size is not None:
            return other.size == sized.size
        if self.k.whole_axes.is_full_axis(other):
            if other.key.isdigit():  # a literal host size (torch.empty([4, n]))
                return int(other.key) == sized.size
            self.k.unified.add(tuple(sorted((other.key, str(sized.size)))))
            return True
        return False


def _lengths(x: Axis, y: Axis) -> str:
    """`: 4 and 5 indices` for two constant slices of different lengths; else nothing."""
    if x.reach is None or y.reach is None:
        return ""
    return f" ({x.reach[3]} and {y.reach[3]} indices)"


def result_dtype(op_name: str, left: str | None, right: str | None) -> str | None:
    if op_name == "Divide":
        return "float"
    if "float" in (left, right):
        return "float"
    if left == right:
        return left
    return None


# what to write where a value of this kind stands in arithmetic or a store
def _spelled(code: str, node: cst.CSTNode) -> str:
    """`None is`, `fill is` for the value itself; `f(x, None) is given` for a call taking it."""
    return f"{code} is given" if isinstance(node, cst.Call) else f"{code} is"


_NOT_A_NUMBER = {type(None): "None", str: "a string", bytes: "a bytes string"}

_VALUE_HINTS = {
    TUPLE: "take one of its items: a max / min along a dim gives (values, indices), so write "
    "v.max(1).values (or torch.amax(v, 1)); a, b = t unpacks a tuple",
    TILES: "index a tensor with the tiles (x[tile_m, tile_n]), or use one tile's .index",
    DTYPE: "a dtype is no number: convert a value with v.to(dtype)",
    MODULE: "call one of the module's functions (torch.exp(v))",
}


def _kind_text(value: Value) -> str:
    return {
        TILE: "a tile",
        TILES: "a multi-dimensional tile",
        DTYPE: "a dtype",
        HOST_TENSOR: f"the host tensor {value.name!r}",
        MODULE: f"the module {value.name!r}",
        TUPLE: "a tuple",
        CONST: "a constant",
        BLOCK: "a block",
    }.get(value.kind, value.kind)


def _describe(node: cst.CSTNode) -> str:
    names = {
        "ListComp": "a list comprehension",
        "GeneratorExp": "a generator expression",
        "DictComp": "a dict comprehension",
        "SetComp": "a set comprehension",
        "Lambda": "a lambda",
        "FormattedString": "an f-string",
        "Await": "await",
        "Yield": "yield",
        "Dict": "a dict",
        "Set": "a set",
        "NamedExpr": "an assignment expression (:=)",
        "Ellipsis": "...",
    }
    return names.get(type(node).__name__, type(node).__name__)


_ = builtins


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
    import operator

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
