"""torch functions and tensor methods through the op table: each op to what lowers it."""

from __future__ import annotations

import ast
import math
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import expr
from ..frontend.errors import ShapeError, UnsupportedConstructError, UnsupportedOpError
from ..frontend.signatures import bind
from ..frontend.torch_signatures import torch_refusals, torch_signature
from ..ops.alternatives import unsupported_hint
from ..ops.composites import COMPOSITES_BY_NAME
from ..ops.table import (
    CAST_METHODS,
    ELEMENTWISE_BY_NAME,
    FUNCTIONAL,
    METHOD,
    PAIRED_REDUCTIONS,
    REDUCTIONS_BY_NAME,
    TORCH,
    known_names,
)
from ..ops.table_orderings import ORDERING_OPS_BY_NAME
from .argument_checks import floats_only
from .argument_values import check_values
from .arguments import Arguments
from .elementwise import arity, elementwise
from .gathers import lower_gather
from .integer_promotion import note_promotion
from .negative_zero import signed_zeros
from .orderings import lower_ordering
from .promotion import exact_numbers
from .rounded_division import rounded_division
from .values import BLOCK, CONST, TUPLE, Value, block, constant

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# ops another component lowers, whatever their spelling: views of a block's data (views.py) and
# fresh blocks shaped as the operand (allocations.py)
_VIEWS = frozenset({"unsqueeze", "transpose", "t", "permute", "squeeze", "contiguous", "clone"})
_VIEWS |= {"detach", "view", "reshape", "expand", "expand_as", "flatten", "unflatten"}
_LIKE = frozenset({"zeros_like", "ones_like", "full_like", "new_zeros", "new_ones", "new_full"})


class TorchOps:
    """`torch_op`: an op's arguments bound by torch's names, then lowered by its kind
    (views, casts, reductions, orderings, element-wise rows, ...)."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

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
                return elementwise(
                    self.k,
                    ELEMENTWISE_BY_NAME["maximum" if name == "max" else "minimum"],
                    [value, other],
                    node,
                )
        if name == "div" and "rounding_mode" in args.keywords:
            rounded = rounded_division(self.k, value, args, node)
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
        if name == "type" and spelling == METHOD:  # x.type(torch.int32) is x.to(torch.int32)
            if args.get(0, "dtype") is None:
                raise self.k.source.error(
                    UnsupportedConstructError,
                    node,
                    "type() without a dtype is the name of the tensor's type, a string",
                    hint="v.dtype for the dtype; v.type(torch.int32) converts",
                )
            return self.k.views.cast_to(value, args.get(0, "dtype"), node)
        if name in _VIEWS:
            return self.k.views.view_op(value, name, args, node)
        if name in _LIKE:
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
            parameters = torch_signature(name, arity(op.template)).positional[1:]
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
            return elementwise(self.k, op, [value, *others], node, given)
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
        signature = torch_signature(name, arity(op.template) if op is not None else None)
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
        if self.k.whole_axes.is_full_axis(axis) and axis.key is not None:
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
                dims = self.k.broadcasting.broadcast_dims(result, limit, node)
                code = f"{function}(a, b, propagate_nan=tl.PropagateNan.ALL)"  # NaN stays NaN
                (result, limit), _ = exact_numbers(
                    self.k, code, signed_zeros(self.k, [result, limit]), {}, node=node,
                    wanted="unclamped",
                )  # fmt: skip
                result = block(expr(code, a=result.code, b=limit.code), dims, result.dtype)
        return result


def _unless_none(node: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """An argument as given, None where it is left out or written None (clamp's bounds)."""
    return None if m.matches(node, m.Name("None")) else node
