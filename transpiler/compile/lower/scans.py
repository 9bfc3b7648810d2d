"""Lowering of `hl.associative_scan` and `hl.reduce`: the user's combine function (a lambda or
a function of the module) written out as a @triton.jit function, given to tl.associative_scan
or tl.reduce with one block or a tuple of blocks."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import assign, expr
from ..frontend.callables import InlineCallable, from_lambda_node
from ..frontend.errors import CallableArgumentError, ShapeError, UnsupportedConstructError
from ..frontend.targets import target_names
from .arguments import Arguments
from .reduce_inside import flagged_inputs, inside_combine
from .values import (
    BLOCK,
    CONST,
    TUPLE,
    NotSqueezable,
    Value,
    block,
    dims_hint,
    is_squeezed,
    triton_position,
)

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_ALWAYS = {"True", "False", "None", "float", "int", "bool", "min", "max", "abs"}

# torch functions given as the combine function (Helion's docs: hl.cumsum is
# `hl.associative_scan(torch.add, ...)`): each as the lambda it stands for
TORCH_COMBINES = {
    "torch.add": "lambda left, right: left + right",
    "torch.mul": "lambda left, right: left * right",
    "torch.maximum": "lambda left, right: torch.maximum(left, right)",
    "torch.minimum": "lambda left, right: torch.minimum(left, right)",
    "torch.logaddexp": "lambda left, right: torch.logaddexp(left, right)",
    "torch.bitwise_and": "lambda left, right: left & right",
    "torch.bitwise_or": "lambda left, right: left | right",
    "torch.bitwise_xor": "lambda left, right: left ^ right",
}


class Scans:
    """`associative_scan(args, node)` and `reduce_with(args, node)`."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def associative_scan(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """hl.associative_scan(combine_fn, input, dim, reverse=False)."""
        inputs, single = self.combine_inputs(args.get(1, "input_tensor"), node)
        position, axis_position = self.combine_dim(args.get(2, "dim"), inputs[0], node)
        reverse_node = args.get(3, "reverse")
        reverse = reverse_node is not None and bool(
            self.k.expressions.lower_expr(reverse_node).const
        )
        axis = inputs[0].dims[position]
        # a reverse scan starts at the lanes past the end: flagged, they take no part
        mask = None
        if reverse:
            mask = self.k.reductions.reduction_mask(axis, axis_position, inputs[0].dims, node)
        function = self.combine_function(args.get(0, "combine_fn"), inputs, node)
        operand = self.combine_operand(inputs, single)
        if mask is not None:
            line = self.k.source.line_of(node)
            operand = ast.Tuple(elts=flagged_inputs(self.k, inputs, mask, line), ctx=ast.Load())
            reason = f"the reverse hl.associative_scan of line {line} starts past the end"
            function = inside_combine(self.k, function, len(inputs), line, reason)
        code = expr(
            "tl.associative_scan(v, axis=a, combine_fn=f)",
            v=operand,
            a=axis_position,
            f=ast.Name(id=function),
        )
        if reverse:
            code.keywords.append(ast.keyword(arg="reverse", value=ast.Constant(value=True)))
        if mask is not None and single:  # the values, without the flags
            code = expr("r[0]", r=code)
        return self.combine_result(code, [(v.dims, v.dtype) for v in inputs], single, node)

    def reduce_with(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """hl.reduce(combine_fn, input, dim, other=0, keep_dims=False): lanes outside the
        tensor take `other` (one per input for tuples) before the reduction; without other=
        they take no part (reduce_inside.py)."""
        inputs, single = self.combine_inputs(args.get(1, "input_tensor"), node)
        dim_node = args.get(2, "dim")
        if dim_node is None or self.k.expressions.lower_expr(dim_node).const is None:
            raise self.k.source.error(
                UnsupportedConstructError,
                dim_node or node,
                "hl.reduce over every dimension at once",
                hint="reduce one dim at a time: hl.reduce(fn, x, dim=1)",
            )
        position, axis_position = self.combine_dim(dim_node, inputs[0], node)
        other_node = args.get(3, "other")
        others = [constant_zero()] * len(inputs)
        if other_node is not None:
            other = self.k.expressions.lower_expr(other_node)
            others = list(other.items) if other.kind == TUPLE else [other] * len(inputs)
            if len(others) != len(inputs) or any(o.kind not in (CONST, BLOCK) for o in others):
                raise self.k.source.error(
                    UnsupportedConstructError,
                    other_node,
                    "other= holds one number per input",
                    hint="hl.reduce(fn, (values, indices), dim=1, other=(0.0, 0))",
                )
        keep_node = args.get(4, "keep_dims")
        keep = keep_node is not None and bool(self.k.expressions.lower_expr(keep_node).const)
        dims = inputs[0].dims
        axis = dims[position]
        if is_squeezed(axis):
            raise NotSqueezable("hl.reduce over a squeezed tile")
        mask = self.k.reductions.reduction_mask(axis, axis_position, dims, node)
        flagged = mask is not None and other_node is None  # (reduce_inside.py)
        if mask is not None and not flagged:
            inputs = [
                v.with_code(expr("tl.where(m, v, o)", m=mask, v=v.code, o=o.code))
                for v, o in zip(inputs, others)
            ]
        function = self.combine_function(args.get(0, "combine_fn"), inputs, node)
        operand = self.combine_operand(inputs, single)
        if flagged:
            line = self.k.source.line_of(node)
            operand = ast.Tuple(elts=flagged_inputs(self.k, inputs, mask, line), ctx=ast.Load())
            function = inside_combine(self.k, function, len(inputs), line)
        code = expr(
            "tl.reduce(v, axis=a, combine_fn=f)",
            v=operand,
            a=axis_position,
            f=ast.Name(id=function),
        )
        if keep:
            code.keywords.append(ast.keyword(arg="keep_dims", value=ast.Constant(value=True)))
        if flagged and single:  # the values, without the flags
            code = expr("r[0]", r=code)
        kept = dims[:position] + ((None,) if keep else ()) + dims[position + 1 :]
        return self.combine_result(code, [(kept, v.dtype) for v in inputs], single, node)

    # -- shared ---------------------------------------------------------------------------

    def combine_inputs(
        self, input_node: cst.BaseExpression | None, node: cst.Call
    ) -> tuple[list[Value], bool]:
        """The blocks to combine (a tuple's items), all of one shape."""
        if input_node is None:
            raise self.k.source.error(UnsupportedConstructError, node, "no input to combine")
        value = self.k.expressions.lower_expr(input_node)
        single = value.kind != TUPLE
        inputs = [value] if single else list(value.items)
        inputs = [self.k.expressions.arithmetic(v, input_node) for v in inputs]
        if not inputs or any(v.kind != BLOCK or not v.dims for v in inputs):
            raise self.k.source.error(
                ShapeError, input_node, "the input must be a block, or a tuple of blocks"
            )
        first = inputs[0]
        for other in inputs[1:]:
            if not self.k.inner_loops.dims_match(first.dims, other.dims):
                raise self.k.source.error(
                    ShapeError,
                    input_node,
                    "the blocks of a tuple input must have the same shape",
                    hint="broadcast them first: (values, indices.unsqueeze(1).expand_as(values))",
                )
        return inputs, single

    def combine_dim(
        self, dim_node: cst.BaseExpression | None, value: Value, node: cst.Call
    ) -> tuple[int, int]:
        """The torch position of dim= and its Triton position."""
        if dim_node is None:
            raise self.k.source.error(UnsupportedConstructError, node, "dim= is needed")
        dim = self.k.expressions.lower_expr(dim_node)
        if dim.kind != CONST or not isinstance(dim.const, int):
            raise self.k.source.error(
                UnsupportedConstructError, dim_node, "dim must be an integer constant"
            )
        position = dim.const + value.rank if dim.const < 0 else dim.const
        if not 0 <= position < value.rank:
            raise self.k.source.error(
                ShapeError,
                dim_node,
                f"dim {dim.const} is out of range for a {value.rank}-D value",
                hint=dims_hint(value.rank),
            )
        return position, triton_position(value.dims, position)

    @staticmethod
    def combine_operand(inputs: list[Value], single: bool) -> ast.expr:
        if single:
            return inputs[0].code
        return ast.Tuple(elts=[v.code for v in inputs], ctx=ast.Load())

    def combine_result(self, code: ast.expr, shapes: list, single: bool, node) -> Value:
        if single:
            dims, dtype = shapes[0]
            return block(code, dims, dtype)
        name = self.k.names.fresh("combined")
        self.k.emit(assign(name, code), self.k.source.line_of(node))
        items = tuple(
            block(expr("r[i]", r=ast.Name(id=name), i=index), dims, dtype)
            for index, (dims, dtype) in enumerate(shapes)
        )
        return Value(TUPLE, items=items)

    def combine_spec(self, function_node: cst.BaseExpression | None, node: cst.Call):
        """(the name to give the Triton function, the combine function's source)."""
        if isinstance(function_node, cst.Lambda):
            text = self.k.source.code(function_node)
            return "combine", from_lambda_node(function_node, text)
        spelled = None if function_node is None else self.k.source.code(function_node)
        if spelled in TORCH_COMBINES:
            text = TORCH_COMBINES[spelled]
            return spelled.split(".")[1], from_lambda_node(cst.parse_expression(text), text)
        if isinstance(function_node, cst.Name) and function_node.value in self.k.callables:
            spec = self.k.callables[function_node.value]
            if spec is not None and function_node.value not in self.k.scope:
                return function_node.value, spec
        raise self.k.source.error(
            CallableArgumentError,
            function_node or node,
            "the combine function must be a lambda or a function this module defines",
            hint="def add_pairs(left, right): return left + right (or torch.add, torch.maximum, "
            "torch.minimum, torch.mul)",
        )

    def combine_function(
        self, function_node: cst.BaseExpression | None, inputs: list[Value], node: cst.Call
    ) -> str:
        """Writes the combine function as a @triton.jit function; returns its name."""
        name, spec = self.combine_spec(function_node, node)
        count = len(inputs)
        if len(spec.params) != 2 * count:
            raise self.k.source.error(
                CallableArgumentError,
                function_node,
                f"the combine function takes {len(spec.params)} arguments; {2 * count} expected "
                f"(the left then the right of {count} input{'s' * (count > 1)})",
            )
        function = self.k.names.fresh(f"{name}_jit")
        line = self.k.source.line_of(node)
        saved = (self.k.lines, self.k.depth, self.k.scope, self.k.inlining)
        self.k.lines, self.k.depth = [], 1
        self.k.scope = {
            param: block(ast.Name(id=param), (), inputs[index % count].dtype)
            for index, param in enumerate(spec.params)
        }
        readable = set(spec.params) | set(self.k.aliases.names) | _ALWAYS
        readable |= {
            target for statement in spec.statements for target in statement_targets(statement)
        }
        self.k.inlining = (name, spec, readable)
        try:
            for statement in spec.statements:
                self.k.statements.lower_statement(statement)
            result = self.k.expressions.lower_expr(spec.body)
            parts = list(result.items) if result.kind == TUPLE else [result]
            if len(parts) != count:
                raise self.k.source.error(
                    CallableArgumentError,
                    spec.body,
                    f"the combine function returns {len(parts)} values; {count} expected",
                )
            if spec.statements:
                self.k.emit_comment(spec.body)  # the `return` line of the module's function
            returned = ", ".join(ast.unparse(p.code) for p in parts)
            self.k.emit(f"return {returned}", line)
            body = self.k.lines
        finally:
            self.k.lines, self.k.depth, self.k.scope, self.k.inlining = saved
        what = "the lambda" if name == "combine" else f"{name}()"
        if TORCH_COMBINES.get(f"torch.{name}") == spec.text:
            what = f"torch.{name}"
        header = [
            f"# {what}, the combine function of line {line}: {_first_line(spec)}",
            "@triton.jit",
            f"def {function}({', '.join(spec.params)}):",
        ]
        text = "\n".join(header + ["    " * b.depth + b.text for b in body])
        self.k.user_functions.setdefault(function, text)
        return function


def constant_zero() -> Value:
    return Value(CONST, ast.Constant(value=0), const=0)


def _first_line(spec: InlineCallable) -> str:
    return spec.text.strip().splitlines()[0]


def statement_targets(statement: cst.BaseStatement) -> set[str]:
    names: set[str] = set()
    if isinstance(statement, cst.SimpleStatementLine):
        for small in statement.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    names.update(target_names(target.target))
    return names
