"""Lowering of calls: torch functions and tensor methods through the op table, hl functions."""

from __future__ import annotations

import ast
import math
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m
import torch

from ..emit.codegen import expr
from ..frontend.callables import module_function, not_inlined_because
from ..frontend.errors import (
    BarrierPlacementError,
    HostSyncError,
    ShapeError,
    UnknownLanguageNameError,
    UnsupportedConstructError,
    UnsupportedDtypeError,
    UnsupportedOpError,
    near_names,
)
from ..frontend.signatures import HL_SIGNATURES, bind
from ..frontend.torch_signatures import torch_refusals, torch_signature
from ..ops.alternatives import ALLOCATIONS, BUILTIN_ALTERNATIVES, unsupported_hint
from ..ops.composites import COMPOSITES_BY_NAME
from ..ops.hl import HL_BY_NAME, LANGUAGE_NAMES, REFUSED_LANGUAGE
from ..ops.products import PRODUCT_METHODS, TORCH_PRODUCTS_BY_NAME
from ..ops.table import (
    BITWISE_OPERATORS,
    CAST_METHODS,
    DTYPES,
    ELEMENTWISE_BY_NAME,
    FUNCTIONAL,
    METHOD,
    PAIRED_REDUCTIONS,
    REDUCTIONS_BY_NAME,
    TORCH,
    known_names,
)
from ..ops.table_math import MATH_FUNCTIONS
from ..ops.table_orderings import ORDERING_OPS_BY_NAME
from .argument_checks import floats_only
from .argument_values import check_number_input, check_values
from .arguments import Arguments
from .bool_arithmetic import bool_template, floated_bools
from .einsum import FORMS, FORMS_HINT, einsum_expression, equation_of, operands_of
from .expressions import result_dtype
from .flat_views import flat_view, flattens
from .gathers import lower_gather
from .integer_operators import integers_only, no_negative_integer_power
from .integer_promotion import note_float_math, note_promotion
from .joins import STACK_FUNCTIONS
from .negative_zero import negation, signed_zeros
from .orderings import lower_ordering
from .promotion import compared_numbers, exact_numbers, result_of, with_dimensioned_dtype
from .python_ints import as_int64
from .rounded_division import rounded_division
from .scaled_products import exp_as_exp2
from .shapes import SCALAR_ATTRIBUTES
from .values import (
    BLOCK,
    CONST,
    DTYPE,
    HOST_TENSOR,
    MODULE,
    TILE,
    TUPLE,
    Value,
    block,
    check_squeezable,
    constant,
)

if TYPE_CHECKING:
    from .kernel import KernelBuilder


_GROWING = ("append", "extend", "insert", "pop")  # list methods that change the list's length


def _tile_attribute(name: str) -> str:
    """The attribute an hl tile function spells (the hl table's rows lowered by
    hl_tile_attribute): hl.tile_index(tile) is tile.index, hl.tile_block_size(tile) is
    tile.block_size."""
    return name.removeprefix("tile_")


_HOST_SYNC = {"item", "tolist", "cpu", "cuda", "numpy", "__bool__"}


class Calls:
    """`expr_Call`: dispatch on what is called."""

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

    # -- functions ------------------------------------------------------------------------

    def call_function(self, qualified: str, args: Arguments, node: cst.Call) -> Value:
        module, _, name = qualified.rpartition(".")
        if module == "helion.language":
            return self.call_language(name, args, node)
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
            value = self.k.expressions.lower_expr(first)
            if spelling == TORCH:  # torch.maximum(0.5, x): torch refuses the number
                check_number_input(self.k, name, value, first)
            return self.torch_op(name, spelling, value, args.rest(1), node)
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
        return self.elementwise(ELEMENTWISE_BY_NAME[torch_name], floats, node)

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
            dims = self.k.expressions.broadcast_dims(left, right, node)
            function = "tl.minimum" if name == "min" else "tl.maximum"
            return block(expr(f"{function}(a, b)", a=left.code, b=right.code), dims, left.dtype)
        if name == "abs" and len(values) == 1:
            return self.torch_op("abs", TORCH, values[0], args.rest(1), node)
        if name == "len" and len(values) == 1 and values[0].kind == BLOCK and values[0].dims:
            return self.block_size_of(values[0], cst.Integer("0"), node)  # torch: size(0)
        if name == "round" and len(values) == 1 and values[0].kind == CONST:
            return constant(round(values[0].const))  # as Python: round(2.5) is 2
        tensor = values[0].kind == BLOCK and (values[0].dims or values[0].zero_dim_tensor)
        if name == "round" and len(values) == 1 and not args.keywords and tensor:
            return self.torch_op("round", TORCH, values[0], args.rest(1), node)  # __round__
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

    def call_language(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """An hl call: bound against its signature in the hl table, lowered by its row's method."""
        op = HL_BY_NAME.get(name)
        if op is not None:  # every argument by its Helion name; unknown keywords refused
            refused = dict(op.refused)
            bound = bind(
                HL_SIGNATURES[name],
                args.positional,
                args.keyword_args,
                node,
                self.k.source.error,
                refused=tuple(refused),
                hints=refused,
                owner=f"hl.{name}",
            )
            check_values(self.k, name, f"hl.{name}", bound, dict(op.kinds))
            args = args.bound(bound)
        if op is None or op.lowering is None:
            if name in REFUSED_LANGUAGE:
                why, hint = REFUSED_LANGUAGE[name]
                raise self.k.source.error(
                    UnsupportedOpError, node, f"hl.{name} is not supported: it {why}", hint=hint
                )
            if op is not None and op.host is not None:  # register_block_size, ...
                raise self.k.source.error(
                    UnsupportedConstructError,
                    node,
                    f"hl.{name}() is host code: it runs before the device loop, not inside it",
                    hint=f"call it above the loop (value = hl.{name}(...)) and use the name inside",
                )
            if name in LANGUAGE_NAMES:
                raise self.k.source.error(
                    UnsupportedConstructError,
                    node,
                    f"hl.{name} is part of Helion's language but not of this transpiler yet",
                    hint="see docs/ops.md for what is supported",
                )
            raise self.k.source.error(
                UnknownLanguageNameError,
                node.func,
                f"helion.language has no name {name!r}",
                hint=near_names(name, LANGUAGE_NAMES) or "see docs/ops.md for the language",
            )
        return self.k.lowering(op.lowering)(name, args, node)

    # -- hl rows whose lowering needs a word more than the method they call ----------------

    def hl_allocate(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.zeros(shape, dtype)`, `hl.full(shape, value, dtype)`: a row without a `value`
        parameter fills with zeros."""
        value_node = args.keywords.get("value")
        value = constant(0.0) if value_node is None else self.k.expressions.lower_expr(value_node)
        dtype_node = args.keywords.get("dtype")
        dtype = self.k.expressions.lower_expr(dtype_node) if dtype_node is not None else None
        if dtype is not None:
            self.k.views.refuse_unsupported_dtype(dtype, node)
        return self.k.allocations.allocate(args.keywords["shape"], value, dtype, node)

    def hl_scan(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.cumsum(x, dim)`, `hl.cumprod(x, dim)`: the op table's scans."""
        return self.k.reductions.reduction(
            name, self.k.expressions.lower_expr(args.get(0, "input_tensor")), args.rest(1), node
        )

    def hl_passthrough(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.specialize(v)`, `hl.register_reduction_dim(n)`: the value itself."""
        return self.k.expressions.lower_expr(args.get(0, "value"))

    def hl_associative_scan(self, name: str, args: Arguments, node: cst.Call) -> Value:
        return self.k.scans.associative_scan(args, node)

    def hl_reduce(self, name: str, args: Arguments, node: cst.Call) -> Value:
        return self.k.scans.reduce_with(args, node)

    def hl_split(self, name: str, args: Arguments, node: cst.Call) -> Value:
        return self.k.joins.split(args, node)

    def hl_join(self, name: str, args: Arguments, node: cst.Call) -> Value:
        return self.k.joins.join(args, node)

    def hl_arange(self, name: str, args: Arguments, node: cst.Call) -> Value:
        return self.k.allocations.arange(args, node)

    def hl_device_print(self, name: str, args: Arguments, node: cst.Call) -> Value:
        return self.k.escapes.device_print(args, node)

    def hl_inline_triton(self, name: str, args: Arguments, node: cst.Call) -> Value:
        return self.k.escapes.inline_triton(args, node)

    def hl_triton_kernel(self, name: str, args: Arguments, node: cst.Call) -> Value:
        return self.k.escapes.triton_kernel(args, node)

    def hl_barrier(self, name: str, args: Arguments, node: cst.Call) -> Value:
        raise self.k.source.error(
            BarrierPlacementError,
            node,
            "hl.barrier() inside a device loop: it can only separate the kernel's "
            "top-level device loops",
        )

    def hl_tile_attribute(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.tile_index(tile)` is `tile.index`, and so on."""
        tile_node = args.get(0, "tile")
        tile = self.k.expressions.lower_expr(tile_node) if tile_node is not None else None
        if tile is None or tile.kind != TILE or len(node.args) != 1:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"hl.{name} takes one tile",
                hint=f"write hl.{name}(tile), or tile.{_tile_attribute(name)}",
            )
        return self.k.expressions.tile_attribute(tile, _tile_attribute(name), node)

    def hl_loop_only(self, name: str, args: Arguments, node: cst.Call) -> Value:
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            f"hl.{name}() is only meaningful as the iterable of a for loop",
            hint=f"write `for tile in hl.{name}(n):`",
        )

    # -- methods --------------------------------------------------------------------------

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
        return self.torch_op(method, METHOD, owner, args, node)

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

    # -- the op table ---------------------------------------------------------------------

    def torch_op(
        self, name: str, spelling: str, value: Value, args: Arguments, node: cst.Call
    ) -> Value:
        value = self.k.expressions.arithmetic(value, node)
        if (
            name in ("max", "min")
            and args.get(0, "other") is not None
            and args.get(0, "dim") is not None
        ):
            other_node = args.get(0, "other")
            other = self.k.expressions.lower_expr(other_node)
            if other.kind == CONST and isinstance(other.const, float):  # torch refuses it
                raise self.k.source.error(
                    UnsupportedConstructError,
                    other_node,
                    f"{name}(x, {self.k.source.code(other_node)}): torch takes a tensor as "
                    "other, or an integer dim",
                    hint=f"for a bound write torch.clamp(x, {'min' if name == 'max' else 'max'}"
                    f"={self.k.source.code(other_node)})",
                )
            if other.kind == BLOCK and other.rank:
                return self.elementwise(
                    ELEMENTWISE_BY_NAME["maximum" if name == "max" else "minimum"],
                    [value, other],
                    node,
                )
        if name == "div" and "rounding_mode" in args.keywords:
            rounded = rounded_division(self, value, args, node)
            if isinstance(rounded, Value):
                return rounded
            args = rounded
        if name == "numel" and not args.positional and not args.keywords:
            return self.block_numel(value, node)
        args = self.bind_torch_op(name, spelling, args, node)
        if name == "gather":
            return lower_gather(self.k, value, args, node)
        if name in REDUCTIONS_BY_NAME and "dtype" in args.keywords:  # torch casts, then reduces
            value = self.k.views.cast_call(value, "to", args, node)
        if name == "size" and spelling == METHOD and args.get(0, "dim") is not None:
            return self.block_size_of(value, args.get(0, "dim"), node)
        if name == "size" and spelling == METHOD:  # block_m, block_n = acc.size()
            dims = [cst.Integer(str(d)) for d in range(value.rank)]
            return Value(TUPLE, items=tuple(self.block_size_of(value, d, node) for d in dims))
        if name == "to" or (name in CAST_METHODS and spelling == METHOD):
            return self.k.views.cast_call(value, name, args, node)
        if name == "type_as" and spelling == METHOD:
            return self.k.views.cast_like(value, args.get(0, "other"), node)
        if name in ("unsqueeze", "transpose", "t", "permute", "squeeze", "contiguous") or name in (
            "clone",
            "detach",
            "view",
            "reshape",
            "expand",
            "expand_as",
            "flatten",
            "unflatten",
        ):
            return self.k.views.view_op(value, name, args, node)
        if name in ("zeros_like", "ones_like", "full_like", "new_zeros", "new_ones", "new_full"):
            return self.k.allocations.allocate_like(value, name, args, node)
        if name == "clamp":
            return self.clamp(value, args, node)
        if name == "gelu":
            approximate = args.get(0, "approximate")
            tanh = (
                approximate is not None
                and self.k.expressions.lower_expr(approximate).const == "tanh"
            )
            if tanh:
                self.k.use_helper("gelu_tanh")
                return block(expr("gelu_tanh(a)", a=value.code), value.dims, "float")
            args = args.bound({k: v for k, v in args.keywords.items() if k != "approximate"})
        if name == "vector_norm" and spelling == TORCH:
            return self.k.norms.vector_norm(value, args, node)
        if name == "norm" and spelling in (TORCH, METHOD):
            return self.k.norms.norm(value, args, node)
        if name == "normalize" and spelling == FUNCTIONAL:
            return self.k.norms.normalize(value, args, node)
        if name in COMPOSITES_BY_NAME and spelling == FUNCTIONAL:  # F.layer_norm, F.linear, ...
            return self.k.composites.lower(name, value, args, node)
        if name in ("any", "all"):  # the reduction of x != 0, a bool again
            flags = value.with_code(
                expr("(a != 0).to(tl.int32)", a=value.code), dtype="int", loaded_from=frozenset()
            )
            reduced = self.k.reductions.reduction(name, flags, args, node)
            return reduced.with_code(expr("r != 0", r=reduced.code), dtype="bool")
        reduction = REDUCTIONS_BY_NAME.get(name)
        if reduction is not None and reduction.prepared and spelling in reduction.spellings:
            original = value
            prepared = expr(reduction.prepared, a=value.code)
            dtype = "int" if name == "count_nonzero" else value.dtype
            value = value.with_code(prepared, dtype=dtype, loaded_from=frozenset(), storage=None)
            if reduction.counted:  # nanmean: the mean of the numbers over the share counted
                floats_only(self.k, name, original, args, node)  # (its loads: torch's refusal)
                counted = original.with_code(
                    expr(reduction.counted, a=original.code),
                    dtype="float",
                    loaded_from=frozenset(),
                    storage=None,
                )
                share = self.k.reductions.reduction(name, counted, args, node)
                mean = self.k.reductions.reduction(name, value, args, node)
                return mean.with_code(expr("m / s", m=mean.code, s=share.code))
        if name in REDUCTIONS_BY_NAME and spelling in REDUCTIONS_BY_NAME[name].spellings:
            return self.k.reductions.reduction(name, value, args, node)
        if name in PAIRED_REDUCTIONS:  # var_mean's (variance, mean): two reductions
            reductions, fields = PAIRED_REDUCTIONS[name]
            reduced = (self.k.reductions.reduction(r, value, args, node) for r in reductions)
            return Value(TUPLE, items=tuple(reduced), fields=fields)
        if name in ORDERING_OPS_BY_NAME and spelling in ORDERING_OPS_BY_NAME[name].spellings:
            return lower_ordering(self.k, name, value, args, node)
        op = ELEMENTWISE_BY_NAME.get(name)
        if op is not None and spelling in op.spellings:
            scalars = dict(op.scalars)
            parameters = torch_signature(name, _arity(op.template)).positional[1:]
            others = [
                self.k.expressions.lower_expr(args.keywords[p])
                for p in parameters
                if p in args.keywords and p not in scalars
            ]
            given = {
                p: self.k.expressions.arithmetic(
                    self.k.expressions.lower_expr(args.keywords[p]), args.keywords[p]
                ).code
                if p in args.keywords
                else expr(default)
                for p, default in scalars.items()
            }
            return self.elementwise(op, [value, *others], node, given)
        raise self.k.source.error(
            UnsupportedOpError,
            node.func.attr if isinstance(node.func, cst.Attribute) else node.func,
            f"torch op {name!r} is not supported inside a device loop",
            hint=unsupported_hint(name, known_names()),
        )

    def bind_torch_op(self, name: str, spelling: str, args: Arguments, node: cst.Call) -> Arguments:
        """The op's arguments by torch's parameter names (the owner / `input` already taken):
        a misspelt keyword is an error at its column, one torch has and lowering does not
        honour is refused by name. Ops the table does not know pass on to their error."""
        op = ELEMENTWISE_BY_NAME.get(name)
        signature = torch_signature(name, _arity(op.template) if op is not None else None)
        if signature is None:
            return args
        refusals = torch_refusals(name, signature)
        owner = {METHOD: f"Tensor.{name}", FUNCTIONAL: f"F.{name}"}.get(spelling, f"torch.{name}")
        args = args.varargs_by_keyword(signature.varargs)
        bound = bind(
            signature,
            args.positional,
            args.keyword_args,
            node,
            self.k.source.error,
            taken=1,
            refused=tuple(refusals),
            hints=refusals,
            owner=owner,
            arity_error=UnsupportedOpError,
        )
        check_values(self.k, name, owner, bound)
        return args.bound(bound)

    def elementwise(
        self, op, operands: list[Value], node: cst.CSTNode, scalars: dict | None = None
    ) -> Value:
        """An op-table row over its tensor operands (a, b, c) and its scalar parameters'
        code by name; `dtype` in a template is the first operand's element type as stored."""
        wanted = _arity(op.template)
        if len(operands) != wanted:
            raise self.k.source.error(
                UnsupportedOpError,
                node,
                f"{op.name}() takes {wanted} tensor argument{'s' * (wanted != 1)}, "
                f"got {len(operands)}",
                hint="see docs/ops.md for each op's arguments",
            )
        operands = [self.k.expressions.arithmetic(v, node) for v in operands]
        if (
            op.name == "pow"
            and operands[0].kind == BLOCK
            and operands[0].dtype == "float"
            and operands[1].kind == CONST
            and operands[1].const in (2, 3, 4)
        ):  # `x.pow(2)` as `x * x`, as `x ** 2` and torch's own kernels: exact, no exp2 / log2
            return self.k.expressions.integer_power(operands[0], int(operands[1].const), node)
        if op.name == "pow" and (root := self.k.expressions.root_power(*operands)) is not None:
            return root
        sign = op.sign_of
        if sign is not None and operands[sign].kind == CONST:  # Triton reads -0.0 as 0.0
            operands[sign] = constant(math.copysign(1.0, operands[sign].const))
        # a condition (where's, masked_fill's mask) takes no part in promotion; nor is it, or
        # what it chooses between, computed with
        values = [i for i in range(len(operands)) if i != op.condition]
        promoted = [operands[i] for i in values]
        if op.result == "bool":  # a comparison: numbers as the row's dtype holds them
            promoted = compared_numbers(self.k, promoted)
        promoted = with_dimensioned_dtype(self.k, promoted)
        # torch's int64 for Python ints and bools alone (python_ints.py); a mask after the first
        # operand (x.masked_fill(mask, v)) leaves the dtype to that operand
        if op.result == "same" and op.condition in (None, 0):
            shaped = any(v.kind == BLOCK and v.dims for v in operands)  # (where's condition)
            promoted = as_int64(self.k, promoted, shaped=shaped)
        for index, value in zip(values, promoted, strict=True):
            operands[index] = value
        integers_only(self.k, op.operator, f"torch.{op.name}", operands, node)
        no_negative_integer_power(self.k, op.operator, operands, node)
        if op.condition is None and op.operator not in BITWISE_OPERATORS:
            self.k.note_arithmetic(operands, node, op.operator)
        if op.result != "float":  # (float ops take floats in both)
            note_promotion(self.k, [operands[i] for i in values], node)
        if op.float_args:
            if not op.takes_integers:  # (tl.exp and the like refuse integer tensors)
                note_float_math(self.k, operands, node)
            for index, operand in enumerate(operands):
                if operand.dtype in ("int", "bool"):
                    number = operand.code  # `x.pow(2)`: 2.0, not `2 .to(tl.float32)`
                    converted = (
                        ast.Constant(float(number.value))
                        if isinstance(number, ast.Constant)
                        else expr("a.to(tl.float32)", a=number)
                    )
                    operands[index] = operand.with_code(converted, dtype="float")
        for helper in op.helpers:
            self.k.use_helper(helper)
        for index, first in enumerate(operands):  # pairwise: a view's None is named (values.py)
            for second in operands[index + 1 :]:
                check_squeezable(first, second)
        dims = operands[0].dims
        for operand in operands[1:]:
            dims = self.k.expressions.broadcast_dims(block(None, dims), operand, node)
        folded = exp_as_exp2(self.k, operands[0]) if op.name == "exp" else None
        if folded is not None:  # exp of a scaled product: one exp2 (scaled_products.py)
            return block(folded, dims, "float")
        template = op.template
        if op.operator:
            template = bool_template(self.k, op.operator, operands, node) or template
            operands = floated_bools(op.operator, operands)
        operands = signed_zeros(self.k, operands)
        if op.operator == "Minus":  # torch.neg: -(+0.0) is -0.0
            template = negation(self.k, operands[0])
        operands, scalars = exact_numbers(
            self.k, template, operands, scalars or {}, node=node, wanted=f"{op.name}_operand"
        )
        fills = {**dict(zip("abc", (v.code for v in operands))), **scalars}
        fills["dtype"] = operands[0].storage or expr("tl.float32")
        dtype = {"float": "float", "bool": "bool"}.get(op.result, operands[0].dtype)
        if op.result == "same":  # torch promotes: a float operand makes the result float
            for operand in operands[1:]:
                dtype = result_dtype("Add", dtype, operand.dtype)
        result = result_of(block(expr(template, **fills), dims, dtype), operands)
        fed = frozenset().union(*(operands[i].loaded_from | operands[i].fed_by for i in values))
        result = replace(result, fed_by=fed)
        if op.condition is not None:  # what it chooses between, unconverted
            dtypes = {operands[i].dtype for i in values}
            dtype = dtypes.pop() if len(dtypes) == 1 else None
            chosen = frozenset().union(*(operands[i].loaded_from for i in values))
            return replace(result, dtype=dtype, loaded_from=chosen)
        if op.operator in BITWISE_OPERATORS:  # bools stay bools: arithmetic may come later
            return replace(
                result, loaded_from=frozenset().union(*(v.loaded_from for v in operands))
            )
        return result

    def block_size_of(self, value: Value, dim_node: cst.BaseExpression, node: cst.Call) -> Value:
        """`acc.size(0)` of a block: as a number, its tile's lanes inside the tensor (torch's
        size of that tile's slice); as a shape entry, that tile (`v.view(acc.size(0), 1)`);
        a whole dimension's host size, or a known size."""
        dim = self.k.views.const_int(dim_node, node)
        position = dim if dim >= 0 else value.rank + dim
        if not 0 <= position < value.rank:
            raise self.k.source.error(
                ShapeError, dim_node, f"dimension {dim} of a block of {value.rank} dimensions"
            )
        axis = value.dims[position]
        if axis is None:
            return constant(1)
        if axis.size is not None:
            return constant(axis.size)
        if self.k.indexing.is_full_axis(axis) and axis.key is not None:
            return block(ast.Name(id=self.k.size_param(axis.key)), (), "int")
        if axis.parents:  # a jagged tile: each parent lane has a length of its own
            return replace(block(ast.Name(id=axis.block), (), "int"), axis=axis)
        # as a number, the lanes inside the tensor: x[tile, 2:9] has 7 indices in 8 lanes,
        # fewer where the tensor ends first (torch's x[:, 50:58].size(1) is 3 for 53 columns),
        # and the last tile of 13 rows in blocks of 4 holds 1 (torch's size of that slice);
        # as a shape (`hl.zeros([acc.size(0)])`), `axis` stands for the tile's block
        return replace(block(self.k.reductions.axis_count(axis), (), "int"), axis=axis)

    def block_numel(self, value: Value, node: cst.Call) -> Value:
        """`v.numel()` of a block: the product of its sizes as numbers (block_size_of: each
        tile's lanes inside the tensor), as torch's numel of the slice."""
        sizes = [self.block_size_of(value, cst.Integer(str(d)), node) for d in range(value.rank)]
        known = [s.const for s in sizes if s.kind == CONST]
        product = constant(math.prod(known))
        for size in (s for s in sizes if s.kind != CONST):
            code = size.code if product.const == 1 else expr("a * b", a=product.code, b=size.code)
            product = block(code, (), "int")
        return replace(product, axis=None)

    def clamp(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        low, high = (_unless_none(args.get(0, "min")), _unless_none(args.get(1, "max")))
        if low is None and high is None:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                "clamp with neither min nor max (torch refuses it too)",
                hint="give a bound: x.clamp(min=0.0), torch.clamp(x, None, 1.0)",
            )
        result = value
        for bound, function in ((low, "tl.maximum"), (high, "tl.minimum")):
            if bound is not None:
                limit = self.k.expressions.arithmetic(self.k.expressions.lower_expr(bound), bound)
                self.k.note_arithmetic((result, limit), node)
                note_promotion(self.k, [value, limit], node)
                dims = self.k.expressions.broadcast_dims(result, limit, node)
                code = f"{function}(a, b, propagate_nan=tl.PropagateNan.ALL)"  # NaN stays NaN
                (result, limit), _ = exact_numbers(
                    self.k, code, signed_zeros(self.k, [result, limit]), {}, node=node,
                    wanted="unclamped",
                )  # fmt: skip
                result = block(expr(code, a=result.code, b=limit.code), dims, result.dtype)
        return result


_TORCH_CASTS = {"int": "int64", "float": "float32", "bool": "bool"}  # torch's dtypes of them


def _unless_none(node: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """An argument as given, None where it is left out or written None (clamp's bounds)."""
    return None if m.matches(node, m.Name("None")) else node


def _arity(template: str) -> int:
    """How many operands an op-table template takes (its placeholders a, b, c)."""
    names = {n.id for n in ast.walk(ast.parse(template, mode="eval")) if isinstance(n, ast.Name)}
    return len(names & {"a", "b", "c"})
