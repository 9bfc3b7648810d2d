"""Lowering of F.layer_norm, F.rms_norm, F.linear and F.dropout: the table's rows composed."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import assign, expr
from ..frontend.errors import (
    RankUnknownError,
    ShapeError,
    TranspileError,
    UnsupportedConstructError,
)
from ..frontend.host_sizes import size_of
from ..ops.table import ELEMENTWISE_BY_NAME
from .arguments import Arguments
from .elementwise import elementwise
from .shape_composites import whole_tensor
from .values import BLOCK, CONST, HOST_TENSOR, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_DROPOUT_HINT = (
    "pass training=False (a literal, or a bool argument of the kernel), or drop it; for "
    "training, mask with hl.rand: torch.where(hl.rand([...], seed) > p, x / (1 - p), 0)"
)


# torch's layer_norm takes float32 weight and bias for a float16 / bfloat16 input
_LAYER_NORM_MIXED = (
    " or {x}.dtype in (torch.float16, torch.bfloat16) and {w}.dtype == torch.float32"
)


def _keywords(**nodes: cst.BaseExpression) -> Arguments:
    """Arguments given only by keyword (a reduction's dim= and keepdim=)."""
    arguments = Arguments(cst.Call(func=cst.Name("f")))
    arguments.keywords = dict(nodes)
    return arguments


def _given(node: cst.BaseExpression | None) -> bool:
    return node is not None and not (isinstance(node, cst.Name) and node.value == "None")


class Composites:
    """`lower(name, value, args, node)` for each row of ops/composites.py."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def lower(self, name: str, value: Value | None, args: Arguments, node: cst.Call) -> Value:
        """The composite's lowering; `value`: its input lowered (None where the table's row
        lowers it itself, `own_operands`)."""
        lowerings = {
            "layer_norm": self.layer_norm,
            "rms_norm": self.rms_norm,
            "linear": self.linear,
            "dropout": self.dropout,
        }
        return lowerings[name](value, args, node)

    # -- the normalisations ------------------------------------------------------------

    def layer_norm(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        """(x - mean) * rsqrt(var + eps) * weight + bias, over the normalised dimensions."""
        dims = self.normalized_dims(value, args, node)
        mean = self.named("mean", self.mean_of(value, dims, node), node)
        centered = self.named("centered", self.combine("sub", value, mean, node), node)
        squares = self.combine("mul", centered, centered, node)
        var = self.mean_of(squares, dims, node)
        eps = self.scalar(args.keywords.get("eps"), expr("1e-05"))
        rstd = self.named("rstd", var.with_code(expr("tl.rsqrt(v + e)", v=var.code, e=eps)), node)
        result = self.combine("mul", centered, rstd, node)
        return self.affine(result, args, node, len(dims), value.loaded_from)

    def rms_norm(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        """x * rsqrt(mean(x * x) + eps) * weight, over the normalised dimensions."""
        dims = self.normalized_dims(value, args, node)
        squares = self.combine("mul", value, value, node)
        mean = self.named("mean_square", self.mean_of(squares, dims, node), node)
        eps_node = args.keywords.get("eps")
        if _given(eps_node):
            eps = self.scalar(eps_node, expr("0"))
        else:  # torch.finfo(float32).eps, float64's for float64 inputs
            self.k.use_helper("finfo_eps")
            eps = expr("finfo_eps(s)", s=mean.code)
        code = expr("tl.rsqrt(s + e)", s=mean.code, e=eps)
        rstd = self.named("rstd", mean.with_code(code), node)
        return self.affine(self.combine("mul", value, rstd, node), args, node, len(dims))

    def normalized_dims(self, value: Value, args: Arguments, node: cst.Call) -> list[int]:
        """The last len(normalized_shape) dims: each whole in the block (a `:`), one block,
        of the size normalized_shape names."""
        shape = args.keywords["normalized_shape"]
        sizes = (
            [e.value for e in shape.elements]
            if isinstance(shape, (cst.List, cst.Tuple))
            else [shape]
        )
        name = self.k.source.code(node.func)
        if not sizes or len(sizes) > value.rank:
            raise self.k.source.error(
                ShapeError,
                shape,
                f"{name}() normalises {len(sizes)} dimension(s) of a {value.rank}-D block",
                hint="normalized_shape names the block's last dimensions: [n] for x[tile_m, :]",
            )
        positions = list(range(value.rank - len(sizes), value.rank))
        for size_node, position in zip(sizes, positions):
            axis = value.dims[position]
            whole = axis is not None and self.k.whole_axes.is_full_axis(axis)
            if not whole:
                label = "a dimension of size 1" if axis is None else axis.label
                raise self.k.source.error(
                    ShapeError,
                    node,
                    f"{name}() over {label}: each normalised dimension must be whole in the block",
                    hint="index that dimension with ':' (x[tile_m, :]) so one block holds whole "
                    "rows, or write the mean and variance with reductions over a tile loop",
                )
            key = self.k.host.key_of(size_node)
            counted = size_of(size_node)  # x.size(-1) of a tensor whose rank comes at the call
            if counted is not None and counted[1] < 0 and self.k.host.rank(counted[0]) is None:
                raise self.k.source.error(
                    RankUnknownError,
                    size_node,
                    f"the rank of {counted[0]!r} is known only when the kernel is called",
                )
            if key is None or self.k.key_aliases.get(key, key) != axis.key:
                raise self.k.source.error(
                    ShapeError,
                    size_node,
                    f"normalized_shape's {self.k.source.code(size_node)} is not known to be the "
                    f"size of {axis.label}",
                    hint="name the size the block spans: [n] after m, n = x.size(), or x.size(-1)",
                )
        return positions

    def mean_of(self, value: Value, dims: list[int], node: cst.Call) -> Value:
        """The mean over `dims`, the dims kept (size 1)."""
        elements = [cst.Element(cst.Integer(str(d))) for d in dims]
        dim = cst.Tuple(elements) if len(dims) > 1 else elements[0].value
        arguments = _keywords(dim=dim, keepdim=cst.Name("True"))
        return self.k.reductions.reduction("mean", value, arguments, node)

    def affine(
        self,
        value: Value,
        args: Arguments,
        node: cst.Call,
        count: int,
        inputs: frozenset = frozenset(),
    ) -> Value:
        """The result times weight, plus bias, where given: each one of the normalised shape
        (`inputs`: layer_norm's input tensors, whose dtype torch wants the parameters in)."""
        for keyword, op in (("weight", "mul"), ("bias", "add")):
            operand = args.keywords.get(keyword)
            if _given(operand):
                parameter = self.tensor_operand(operand, count, keyword)
                self.same_dtypes(inputs, parameter.loaded_from, keyword, node, _LAYER_NORM_MIXED)
                value = self.combine(op, value, parameter, node)
        return value

    def same_dtypes(
        self, inputs: frozenset, others: frozenset, role: str, node: cst.Call, mixed: str = ""
    ) -> None:
        """torch's rule for F.layer_norm's and F.linear's operands: the input's dtype (or, where
        `mixed` allows, float32 parameters of a half input), checked at the launch."""
        name = self.k.source.code(node.func)
        line = self.k.source.line_of(node)
        for tensor in sorted(inputs):
            for other in sorted(others - {tensor}):
                test = f"{other}.dtype == {tensor}.dtype" + mixed.format(x=tensor, w=other)
                message = (
                    f"line {line}: {name}()'s {role} {other} is {{{other}.dtype}} and its input "
                    f"{tensor} {{{tensor}.dtype}}: torch refuses mixed dtypes there; convert "
                    f"{other} first: {other}.to({tensor}.dtype)"
                )
                self.k.argument_checks.append(f'require({test}, f"{message}", TypeError)')

    # -- F.linear and F.dropout -------------------------------------------------------

    def linear(self, value: Value | None, args: Arguments, node: cst.Call) -> Value:
        """x @ weight.T (+ bias): weight [N, K] as loaded, a tl.dot of x by its transpose."""
        weight = self.whole_operand(args.keywords["weight"], 2)
        transposed = cst.Attribute(value=weight, attr=cst.Name("T"))
        self.k.source.positions[transposed] = self.k.source.positions.get(weight)
        first = args.keywords.get("input") or self.first_argument(node)
        inputs: list[frozenset] = []  # the input's tensors, once lowered (each factor once)

        def factors_seen(left: Value, right: Value) -> None:
            inputs.append(left.loaded_from)
            self.same_dtypes(left.loaded_from, right.loaded_from, "weight", node)

        product = self.k.dots.dot(first, transposed, None, node, factors_seen=factors_seen)
        bias = args.keywords.get("bias")
        if not _given(bias):
            return product
        bias_value = self.tensor_operand(bias, 1, "bias")
        self.same_dtypes(inputs[0], bias_value.loaded_from, "bias", node)
        return self.combine("add", product, bias_value, node)

    def dropout(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        """The identity where training is False (known while transpiling); else refused."""
        training = args.keywords.get("training")
        where = training if training is not None else node
        try:
            known = None if training is None else self.k.expressions.lower_expr(training)
        except TranspileError:
            known = None
        if known is None or known.kind != CONST or known.const is not False:
            given = (
                "training=True (its default)"
                if training is None
                else f"training={self.k.source.code(training)}, which may be True"
            )
            raise self.k.source.error(
                UnsupportedConstructError,
                where,
                f"F.dropout() with {given}: lowering draws no dropout mask",
                hint=_DROPOUT_HINT,
            )
        p = args.keywords.get("p")
        rate = None if p is None else self.k.expressions.lower_expr(p)
        if rate is not None and rate.kind == CONST and not 0 <= rate.const <= 1:
            raise self.k.source.error(
                UnsupportedConstructError, p, f"dropout probability {rate.const} is not in [0, 1]"
            )
        if isinstance(p, cst.Name) and p.value in self.k.host.scalar_params:  # torch checks it
            message = f"dropout probability has to be between 0 and 1, but got {{{p.value}}}"
            self.k.argument_checks.append(f'require(0 <= {p.value} <= 1, f"{message}", ValueError)')
        return value

    # -- operands --------------------------------------------------------------------

    def first_argument(self, node: cst.Call) -> cst.BaseExpression:
        return next(a.value for a in node.args if a.keyword is None or a.keyword.value == "input")

    def whole_operand(self, node: cst.BaseExpression, rank: int) -> cst.BaseExpression:
        """`w` / `w.float()` of a host tensor named whole: `w[:, ...]` (rank `:`s) in its place."""
        name = whole_tensor(node)
        if name is None or self.k.expressions.lower_expr(name).kind != HOST_TENSOR:
            return node
        colons = [cst.SubscriptElement(cst.Slice(lower=None, upper=None))] * rank
        loaded = cst.Subscript(value=name, slice=colons)
        replaced = node.deep_replace(name, loaded) if node is not name else loaded
        for made in (loaded, replaced):
            self.k.source.positions[made] = self.k.source.positions.get(node)
        return replaced

    def tensor_operand(self, node: cst.BaseExpression, rank: int, role: str) -> Value:
        """weight / bias: a block of the normalised shape, or a host tensor read whole."""
        value = self.k.expressions.lower_expr(self.whole_operand(node, rank))
        if value.kind != BLOCK or value.rank != rank:
            got = f"a {value.rank}-D block" if value.kind == BLOCK else "no tensor"
            raise self.k.source.error(
                ShapeError,
                node,
                f"{role} must be a {rank}-D block of the normalised shape, got {got}",
                hint=f"pass {role}[:] (or {role}[tile_n], or the host tensor itself)",
            )
        return value

    def combine(self, op: str, left: Value, right: Value, node: cst.Call) -> Value:
        return elementwise(self.k, ELEMENTWISE_BY_NAME[op], [left, right], node)

    def named(self, wanted: str, value: Value, node: cst.Call) -> Value:
        """`wanted = <value>` emitted at the call's line; the value by that name."""
        name = self.k.names.fresh(wanted)
        self.k.emit(assign(name, value.code), self.k.source.line_of(node))
        return value.with_code(ast.Name(id=name))

    def scalar(self, node: cst.BaseExpression | None, default: ast.expr) -> ast.expr:
        if node is None:
            return default
        return self.k.expressions.arithmetic(self.k.expressions.lower_expr(node), node).code
