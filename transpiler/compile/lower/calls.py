"""Lowering of calls: what is called decides the lowering (a function, a builtin, a method)."""

from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING

import libcst as cst
import torch

from ..emit.codegen import expr
from ..frontend.callables import module_function, not_inlined_because
from ..frontend.errors import (
    HostSyncError,
    UnsupportedConstructError,
    UnsupportedDtypeError,
    UnsupportedOpError,
)
from ..ops.alternatives import ALLOCATIONS, BUILTIN_ALTERNATIVES, unsupported_hint
from ..ops.composites import COMPOSITES_BY_NAME
from ..ops.products import PRODUCT_METHODS, TORCH_PRODUCTS_BY_NAME
from ..ops.table import DTYPES, ELEMENTWISE_BY_NAME, FUNCTIONAL, METHOD, TORCH, known_names
from ..ops.table_math import MATH_FUNCTIONS
from .argument_checks import floats_only
from .argument_values import check_number_input
from .arguments import Arguments
from .einsum import FORMS, FORMS_HINT, einsum_expression, equation_of, operands_of
from .elementwise import elementwise
from .flat_views import flat_view, flattens
from .joins import STACK_FUNCTIONS
from .shapes import SCALAR_ATTRIBUTES
from .values import BLOCK, CONST, DTYPE, HOST_TENSOR, MODULE, TILE, TUPLE, Value, block, constant

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_GROWING = ("append", "extend", "insert", "pop")  # list methods that change the list's length

_HOST_SYNC = {"item", "tolist", "cpu", "cuda", "numpy", "__bool__"}

_TORCH_CASTS = {"int": "int64", "float": "float32", "bool": "bool"}  # torch's dtypes of them


class Calls:
    """`expr_Call`: dispatch on what is called; builtins, math, einsum and host tensors'
    methods here, torch ops by torch_ops.py, hl calls by hl_calls.py."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def expr_Call(self, node: cst.Call) -> Value:
        for arg in node.args:
            if arg.star:
                raise self.k.source.error(
                    UnsupportedConstructError,
                    arg,
                    f"{arg.star}-unpacking in a call inside a device loop",
                    hint="pass each argument by itself",
                )
        if isinstance(node.func, cst.Name) and node.func.value == "print":
            if "print" not in self.k.scope:
                raise self.k.source.error(
                    HostSyncError,
                    node,
                    "print() inside a device loop would stop the GPU to talk to the host",
                    hint='print from the kernel with hl.device_print("x = ", value) (Triton\'s '
                    "tl.device_print: each program prints its block), or print on the host, "
                    "before or after the loop",
                )
        if self.k.inliner.calls_callable(node):
            return self.k.inliner.inline_callable(node)
        args = Arguments(node)
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in PRODUCT_METHODS and len(args.positional) == 1:
                owner_kind = (
                    self.k.expressions.lower_expr(node.func.value).kind
                    if isinstance(node.func.value, cst.Name)
                    else BLOCK
                )
                if owner_kind not in (MODULE,):
                    return self.k.dots.dot(node.func.value, args.positional[0], None, node)
            self.refuse_tile_integer_method(node.func)
            owner = self.k.expressions.lower_expr(node.func.value)
            if owner.kind == MODULE:
                return self.call_function(f"{owner.name}.{method}", args, node)
            return self.call_method(owner, method, args, node)
        callee = self.k.expressions.lower_expr(node.func)
        if callee.kind == MODULE:
            return self.call_function(callee.name, args, node)
        self.refuse_uninlined_helper(node)
        raise self.k.source.error(
            UnsupportedConstructError, node, "calling a value inside a device loop"
        )

    def refuse_uninlined_helper(self, node: cst.Call) -> None:
        """`total(v)` of a module's def that is more than assignments and a return: the
        error points into the def, at what keeps it out of device code."""
        name = node.func.value if isinstance(node.func, cst.Name) else None
        helper = module_function(self.k.source.module, name) if name else None
        if helper is None or name in self.k.scope:
            return
        where, why = not_inlined_because(helper)
        raise self.k.source.error(
            UnsupportedConstructError,
            where,
            f"{name}(), called in a device loop (line {self.k.source.line_of(node)}), cannot be "
            f"inlined: {why}",
            hint="a helper of device code is assignments then `return <expression>`: a loop "
            "over a block is a reduction (v.sum(dim)), a choice per element torch.where(c, a, b)",
        )

    def refuse_tile_integer_method(self, func: cst.Attribute) -> None:
        """`tile.begin.float()`: a tile's begin, end, block_size, id and count are Python
        integers (Helion's symbolic ints, reference mode's ints), with no tensor methods."""
        receiver = func.value
        if not (
            isinstance(receiver, cst.Attribute)
            and receiver.attr.value in SCALAR_ATTRIBUTES
            and self.k.expressions.lower_expr(receiver.value).kind == TILE
        ):
            return
        text = self.k.source.code(receiver)
        raise self.k.source.error(
            UnsupportedConstructError,
            func.attr,
            f"{text}.{func.attr.value}(): {text} is an integer, not a tensor",
            hint=f"use it as a number ({text} * 1.0, float({text})); the tile's indices as a "
            f"tensor are {self.k.source.code(receiver.value)}.index",
        )

    def call_function(self, qualified: str, args: Arguments, node: cst.Call) -> Value:
        module, _, name = qualified.rpartition(".")
        if module == "helion.language":
            return self.k.hl_calls.call_language(name, args, node)
        if module == "builtins":
            return self.call_builtin(name, args, node)
        if module == "torch" and name in TORCH_PRODUCTS_BY_NAME:
            return self.k.dots.torch_product(name, args, node)
        if qualified == "typing.cast" and len(args.positional) == 2:  # cast(T, v) is v
            return self.k.expressions.lower_expr(args.positional[1])
        if module == "torch" and name == "promote_types":
            return self.promote_types(args, node)
        if module == "torch" and name == "einsum":  # its common forms: @, * and sum, permute
            return self.einsum(args, node)
        if module == "torch" and name in STACK_FUNCTIONS:
            return self.k.joins.stack_call(name, args, node)
        if module == "torch" and name in ALLOCATIONS:  # before its shape reads as a value
            raise self.k.source.error(
                UnsupportedOpError,
                node.func.attr if isinstance(node.func, cst.Attribute) else node.func,
                f"torch op {name!r} is not supported inside a device loop: it allocates a tensor",
                hint=unsupported_hint(name, known_names()),
            )
        if module in ("torch", "torch.nn.functional", "torch.special", "torch.linalg"):
            spelling = TORCH if module != "torch.nn.functional" else FUNCTIONAL
            first = args.get(0, "input")
            if first is None:
                raise self.k.source.error(
                    UnsupportedOpError, node, f"{qualified}() needs a tensor argument"
                )
            composite = COMPOSITES_BY_NAME.get(name) if spelling == FUNCTIONAL else None
            if composite is not None and composite.own_operands:  # F.linear: factors once
                bound = self.k.torch_ops.bind_torch_op(name, spelling, args.rest(1), node)
                return self.k.composites.lower(name, None, bound, node)
            value = self.k.expressions.lower_expr(first)
            if spelling == TORCH:  # torch.maximum(0.5, x): torch refuses the number
                check_number_input(self.k, name, value, first)
            return self.k.torch_ops.torch_op(name, spelling, value, args.rest(1), node)
        if module == "math" and name in MATH_FUNCTIONS:
            return self.math_call(name, args, node)
        raise self.k.source.error(
            UnsupportedOpError,
            node.func,
            f"{qualified}() is not supported inside a device loop",
            hint=unsupported_hint(name, known_names()),
        )

    def einsum(self, args: Arguments, node: cst.Call) -> Value:
        """torch.einsum(equation, a, b) as the expression it equals (einsum.py), else refused."""
        equation = equation_of(args.get(0, "equation"))
        if equation is None:
            raise self.k.source.error(
                UnsupportedConstructError,
                args.get(0, "equation") or node,
                "torch.einsum() takes its equation as a string literal here",
                hint="write the equation in the call: torch.einsum('ik,kj->ij', a, b)",
            )
        lowered = einsum_expression(equation, operands_of(args.positional[1:]))
        if lowered is None:
            raise self.k.source.error(
                UnsupportedOpError,
                node.args[0],
                f"torch.einsum('{equation}') inside a device loop: the forms lowered are {FORMS}",
                hint=FORMS_HINT,
            )
        why = "lowered for floats only (torch keeps an integer dtype, wrapping)"
        for operand in operands_of(args.positional[1:]):
            value = self.k.expressions.lower_expr(operand)
            floats_only(self.k, "einsum", value, args, operand, why)
        return self.k.expressions.lower_expr(lowered)

    def math_call(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`math.sqrt(d)`: folded when its arguments are numbers known here, else the same
        function on the device of a scalar (a size, a float argument), in float32."""
        values = [self.k.expressions.lower_expr(a) for a in args.positional]
        if args.keywords or len(values) != MATH_FUNCTIONS[name][1]:
            raise self.k.source.error(
                UnsupportedOpError, node, f"math.{name}() takes {MATH_FUNCTIONS[name][1]} "
                "positional argument(s) here",
            )  # fmt: skip
        if all(v.kind == CONST and isinstance(v.const, (int, float)) for v in values):
            return constant(getattr(math, name)(*[v.const for v in values]))
        torch_name = MATH_FUNCTIONS[name][0]
        if torch_name is None:
            raise self.k.source.error(
                UnsupportedOpError,
                node,
                f"math.{name}() of a value known only on the device",
                hint="compute it in host code, before the loop, and use the result here",
            )
        if any(v.kind != CONST and (v.kind != BLOCK or v.rank) for v in values):
            raise self.k.source.error(
                UnsupportedOpError,
                node,
                f"math.{name}() of a block: Python's math functions take single numbers",
                hint=f"use torch.{torch_name}(...) on blocks",
            )
        # Python's math takes floats: a size or an integer argument is converted first
        floats = [
            v if v.kind == CONST else v.with_code(expr("a.to(tl.float32)", a=v.code), dtype="float")
            for v in values
        ]
        return elementwise(self.k, ELEMENTWISE_BY_NAME[torch_name], floats, node)

    def promote_types(self, args: Arguments, node: cst.Call) -> Value:
        """torch.promote_types(a, b): folded when both are known, else the dtype Triton gives
        the sum of two blocks of those dtypes (Triton promotes as torch does)."""
        values = [self.k.expressions.lower_expr(a) for a in args.positional]
        if len(values) != 2 or args.keywords or any(v.kind != DTYPE for v in values):
            raise self.k.source.error(
                UnsupportedOpError, node, "torch.promote_types() takes two dtypes"
            )
        first, second = values
        if first.const != "runtime" and second.const != "runtime":
            by_spelling = {spelling: name for name, spelling in reversed(DTYPES.items())}
            dtypes = [getattr(torch, by_spelling[v.const]) for v in values]
            try:
                promoted = torch.promote_types(*dtypes)
            except RuntimeError as refused:  # float8 beside another dtype: torch promotes none
                raise self.k.source.error(
                    UnsupportedDtypeError,
                    node,
                    f"torch.promote_types({dtypes[0]}, {dtypes[1]}): {refused}",
                    hint="convert the float8 value first: x.to(torch.float32)",
                ) from None
            spelling = DTYPES[str(promoted).removeprefix("torch.")]
            return Value(DTYPE, expr(spelling), const=spelling)
        code = expr("(tl.zeros((1,), a) + tl.zeros((1,), b)).dtype", a=first.code, b=second.code)
        return Value(DTYPE, code, const="runtime")

    def call_builtin(self, name: str, args: Arguments, node: cst.Call) -> Value:
        values = [self.k.expressions.lower_expr(a) for a in args.positional]
        if name == "float" and len(values) == 1 and values[0].kind == CONST:
            number = float(values[0].const)
            if number != number or number in (float("inf"), float("-inf")):
                return Value(
                    CONST, expr(f'float("{values[0].const}")'), const=number, dtype="float"
                )
            return constant(number)
        if name in ("min", "max") and len(values) == 2:
            left, right = (
                self.k.expressions.arithmetic(v, a) for v, a in zip(values, args.positional)
            )
            dims = self.k.broadcasting.broadcast_dims(left, right, node)
            function = "tl.minimum" if name == "min" else "tl.maximum"
            return block(expr(f"{function}(a, b)", a=left.code, b=right.code), dims, left.dtype)
        if name == "abs" and len(values) == 1:
            return self.k.torch_ops.torch_op("abs", TORCH, values[0], args.rest(1), node)
        if name == "len" and len(values) == 1 and values[0].kind == BLOCK and values[0].dims:
            return self.k.torch_ops.block_size_of(
                values[0], cst.Integer("0"), node
            )  # torch: size(0)
        if name == "round" and len(values) == 1 and values[0].kind == CONST:
            return constant(round(values[0].const))  # as Python: round(2.5) is 2
        tensor = values[0].kind == BLOCK and (values[0].dims or values[0].zero_dim_tensor)
        if name == "round" and len(values) == 1 and not args.keywords and tensor:
            return self.k.torch_ops.torch_op(
                "round", TORCH, values[0], args.rest(1), node
            )  # __round__
        if name in ("int", "float", "bool") and len(values) == 1:
            target = {"int": "int32", "float": "float32", "bool": "bool"}[name]
            if values[0].kind == BLOCK and any(d is not None for d in values[0].dims):
                raise self.k.source.error(  # torch: "only one element tensors can be converted"
                    UnsupportedConstructError,
                    node,
                    f"{name}() of a block of several elements: torch converts only a "
                    "one-element tensor to a Python number",
                    hint=f"convert each element with v.to(torch.{_TORCH_CASTS[name]}), or "
                    f"reduce to one number first: {name}(v.sum())",
                )
            return self.k.views.cast(
                self.k.expressions.arithmetic(values[0], args.positional[0]), DTYPES[target], node
            )
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            f"{name}() inside a device loop",
            hint=BUILTIN_ALTERNATIVES.get(name),
        )

    def call_method(self, owner: Value, method: str, args: Arguments, node: cst.Call) -> Value:
        if method in _HOST_SYNC:
            raise self.k.source.error(
                HostSyncError,
                node.func.attr,
                f".{method}() inside a device loop would stop the GPU to talk to the host",
            )
        if owner.kind == HOST_TENSOR:
            return self.host_tensor_method(owner, method, args, node)
        if owner.kind == TUPLE and method in _GROWING:
            raise self.k.source.error(
                UnsupportedConstructError,
                node.func.attr,
                f".{method}() of a list inside a device loop: a list cannot grow on the GPU",
                hint="keep a running value (acc = acc + v), or a block made before the inner "
                "loop (acc = hl.zeros([tile, n], dtype=...)) that each step updates",
            )
        owner = self.k.expressions.arithmetic(owner, node.func.value)
        return self.k.torch_ops.torch_op(method, METHOD, owner, args, node)

    def host_tensor_method(
        self, tensor: Value, method: str, args: Arguments, node: cst.Call
    ) -> Value:
        if method in ("size", "stride") and len(args.positional) == 1:
            dim = self.k.expressions.lower_expr(args.positional[0])
            if dim.kind == CONST and isinstance(dim.const, int):
                if method == "stride":
                    return block(ast.Name(id=self.k.stride(tensor.name, dim.const)), (), "int")
                key = self.k.host.size_key(tensor.name, dim.const)
                return block(ast.Name(id=self.k.size_param(key)), (), "int")
        if method in ("new_zeros", "new_ones", "new_full", "new_empty") and args.positional:
            # a fresh block of that shape (Helion's `w.new_zeros(n)`); dtype defaults to w's
            pointer = self.k.tensor_pointer(tensor.name)
            element = Value(DTYPE, expr("p.dtype.element_ty", p=pointer), const="runtime")
            name = "new_zeros" if method == "new_empty" else method
            return self.k.allocations.allocate_like(tensor, name, args, node, default_dtype=element)
        if method == "numel" and not args.positional:
            return block(
                ast.Name(id=self.k.param(f"{tensor.name}_numel", f"{tensor.name}.numel()", "size")),
                (),
                "int",
            )
        if flattens(self.k, method, args):  # x.view(-1)[tile]: flattened by the launcher
            return flat_view(self.k, tensor.name, method, node)
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            f"{tensor.name}.{method}() on a whole host tensor inside a device loop",
            hint=f"load a tile first: {tensor.name}[tile].{method}(...)",
        )
