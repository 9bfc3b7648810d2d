"""Lowering of expressions: names, constants, operators, attributes."""

from __future__ import annotations

import ast
import builtins
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
from ..ops.alternatives import BUILTIN_ALTERNATIVES, HOST_ONLY_BUILTINS, HOST_ONLY_HINT
from .ended_loops import ended_loop_of
from .module_globals import module_attribute, module_global
from .numpy_values import refuse_numpy_value
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
    Value,
    block,
    constant,
)

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# the node types operators.py lowers
_OPERATORS = ("BinaryOperation", "UnaryOperation", "Comparison", "BooleanOperation")
_BUILTINS = {"float", "int", "bool", "min", "max", "abs", "round", "range", "len"}


class Expressions:
    """`lower_expr(node) -> Value` for every expression a device loop may hold."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def lower_expr(self, node: cst.BaseExpression) -> Value:
        # expr_Call, expr_Subscript and the operators' are the calls', indexing's, operators'
        kind = type(node).__name__
        owner = {
            "Call": self.k.calls,
            "Subscript": self.k.indexing,
            **dict.fromkeys(_OPERATORS, self.k.operators),
        }.get(kind, self)
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
        if name in self.k.host.texts:  # approx = "tanh" in host code: its text
            return constant(self.k.host.texts[name])
        refuse_numpy_value(self.k, node)  # s = np.float32(0.5) in host code
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
        if callable(getattr(builtins, name, None)) and not name.startswith("_"):  # `breakpoint()`
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"Python's {name}() cannot run inside a device loop: the loop runs on the GPU",
                hint=HOST_ONLY_BUILTINS.get(name, HOST_ONLY_HINT),
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
        dims = self.k.broadcasting.broadcast_dims(body, orelse, node)
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
            return replace(block(ast.Name(id=axis.offsets), (axis,), "int"), index_lanes=True)
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
        if argument and node.value in self.k.host.flags - self.k.host.scalar_params:
            raise self.k.source.error(  # `s: str` (was an InterpreterError inside Triton)
                UnsupportedConstructError,
                node,
                f"{node.value} is a text argument (annotated str, or a string default), not a "
                "number: device code computes and stores numbers",
                hint=f"annotate it float (or int) and pass a number; text chooses code inside the "
                f"loop: if {node.value} == 'relu': ...",
            )
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
            name, rank = value.name, self.k.host.rank(value.name)
            unknown = (  # a tensor the host code makes of unknown rank: perhaps a 0-d one
                f"; if it holds one value, let the host code show it: annotate the numbers it "
                f"is made of (`eps: float`), or make it a number: `{name} = (...).item()`"
            )
            raise self.k.source.error(
                ShapeError,
                node,
                f"the whole tensor {name!r} used as a value inside a device loop",
                hint=f"load a tile of it: {name}[tile]" + (unknown if rank is None else ""),
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
