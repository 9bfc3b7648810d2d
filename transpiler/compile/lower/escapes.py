"""Lowering of the escape hatches: hl.device_print, hl.inline_triton, hl.triton_kernel."""

from __future__ import annotations

import ast
import textwrap
from typing import TYPE_CHECKING

import libcst as cst

from ...distributed.library import SIGNAL_SLOTS, library_source
from ..emit.codegen import assign, call, expr
from ..frontend.aliases import dotted_name
from ..frontend.errors import InlineTritonError, UnsupportedConstructError
from .arguments import Arguments
from .values import CONST, HOST_TENSOR, TUPLE, Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class Escapes:
    """Device code the user writes in Triton (or prints from)."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def device_print(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.device_print(prefix, *values)` → `tl.device_print(prefix, *values)`."""
        prefix = self.k.expressions.lower_expr(args.positional[0]) if args.positional else None
        if prefix is None or prefix.kind != CONST or not isinstance(prefix.const, str):
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                "hl.device_print() takes a string prefix first",
                hint='write hl.device_print("x = ", x[tile])',
            )
        values = [
            self.k.expressions.arithmetic(self.k.expressions.lower_expr(a), a)
            for a in args.positional[1:]
        ]
        code = call("tl.device_print", ast.Constant(prefix.const), *(v.code for v in values))
        return block(code, (), None)

    # -- hl.inline_triton -----------------------------------------------------------------

    def inline_triton(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """The snippet, its placeholders filled with our names for the arguments: every line
        but the last spliced in as statements, the last the value (when output_like is given)."""
        source_node = args.get(0, "triton_source")
        snippet = _string_literal(source_node)
        if snippet is None:
            raise self.k.source.error(
                InlineTritonError,
                source_node or node,
                "hl.inline_triton() takes its Triton source as a string literal",
            )
        text = textwrap.dedent(snippet).strip()
        filled = self.fill_placeholders(text, args.get(1, "args"), node)
        try:
            body = ast.parse(filled).body
        except SyntaxError as error:
            raise self.k.source.error(
                InlineTritonError,
                source_node,
                f"the Triton snippet does not parse: {error.msg} (snippet line {error.lineno})",
            ) from None
        self.k.names.taken.update(
            n.id for n in ast.walk(ast.Module(body=body)) if isinstance(n, ast.Name)
        )
        output_like = args.get(2, "output_like")
        if not body:
            raise self.k.source.error(InlineTritonError, source_node, "the Triton snippet is empty")
        line = self.k.source.line_of(node)
        if output_like is None or _is_none(output_like):
            for statement in body:
                self.k.emit(statement, line)
            return Value(CONST, None, const=None)
        *statements, last = body
        if not isinstance(last, ast.Expr):
            raise self.k.source.error(
                InlineTritonError,
                source_node,
                "the snippet's last line must be an expression: it is the value",
                hint="end the snippet with the value, e.g. `{0} + {1}`",
            )
        for statement in statements:
            self.k.emit(statement, line)
        return self.result_like(last.value, output_like, node)

    def fill_placeholders(
        self, text: str, args_node: cst.BaseExpression | None, node: cst.Call
    ) -> str:
        """`{0}` / `{x}` → the kernel's names for the arguments (a tensor: its pointer)."""
        if args_node is None or _is_none(args_node):
            positional, named = [], {}
        elif isinstance(args_node, (cst.Tuple, cst.List)):
            positional = [self.snippet_name(e.value) for e in args_node.elements]
            named = {}
        elif isinstance(args_node, cst.Dict):
            positional = []
            named = {}
            for element in args_node.elements:
                key = _string_literal(getattr(element, "key", None))
                if key is None:
                    raise self.k.source.error(
                        InlineTritonError, element, "args= keys must be string literals"
                    )
                named[key] = self.snippet_name(element.value)
        else:
            raise self.k.source.error(
                InlineTritonError,
                args_node,
                "args= must be a tuple, list or dict literal",
                hint="write args=(x_tile, y_tile) or args={'x': x_tile}",
            )
        try:
            return text.format(*positional, **named)
        except (IndexError, KeyError, ValueError) as error:
            raise self.k.source.error(
                InlineTritonError,
                args_node or node,
                f"the snippet's placeholders do not match args=: {type(error).__name__} {error}",
            ) from None

    def snippet_name(self, value_node: cst.BaseExpression) -> str:
        """A name (or literal text) standing for one argument inside Triton code."""
        value = self.k.expressions.lower_expr(value_node)
        if value.kind == HOST_TENSOR:
            return self.k.tensor_pointer(value.name)
        if value.kind == CONST:
            return value.const if isinstance(value.const, str) else repr(value.const)
        value = self.k.expressions.arithmetic(value, value_node)
        if isinstance(value.code, ast.Name):
            return value.code.id
        wanted = value_node.value if isinstance(value_node, cst.Name) else "arg"
        name = self.k.names.fresh(wanted)
        self.k.emit(assign(name, value.code), self.k.source.line_of(value_node))
        return name

    def result_like(self, code: ast.expr, output_like: cst.BaseExpression, node: cst.Call) -> Value:
        """The snippet's (or function's) value, with the shape and dtype of output_like."""
        if isinstance(output_like, (cst.Tuple, cst.List)):
            likes = [self.shape_only(e.value) for e in output_like.elements]
            names = self.target_names(node, len(likes)) or [
                self.k.names.fresh("result") for _ in likes
            ]
            target = ast.Tuple(elts=[ast.Name(id=n, ctx=ast.Store()) for n in names])
            self.k.emit(
                ast.Assign(targets=[target], value=code, lineno=0), self.k.source.line_of(node)
            )
            items = tuple(
                block(ast.Name(id=n), like.dims, like.dtype) for n, like in zip(names, likes)
            )
            return Value(TUPLE, None, items=items)
        like = self.shape_only(output_like)
        return block(code, like.dims, like.dtype)

    def target_names(self, node: cst.Call, count: int) -> list[str] | None:
        """`low, high = hl.inline_triton(...)`: the user's names for the results."""
        target = self.k.direct_target if self.k.direct_value is node else None
        if isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == count:
            names = [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
            if len(names) == count and len(set(names)) == count:
                return names
        return None

    def shape_only(self, node: cst.BaseExpression) -> Value:
        """What `node` would be (its axes, its dtype) without keeping the code it would emit."""
        emitted = len(self.k.lines)
        value = self.k.expressions.arithmetic(self.k.expressions.lower_expr(node), node)
        del self.k.lines[emitted:]
        return value

    # -- hl.triton_kernel -----------------------------------------------------------------

    def triton_kernel(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """A call of the user's @triton.jit function; a function given as source text is
        written into the generated module once, above the kernel."""
        function_node = args.get(0, "triton_source_or_fn")
        function = self.triton_function(function_node, node)
        args_node = args.get(1, "args")
        if args_node is None or _is_none(args_node):
            arguments = []
        elif isinstance(args_node, (cst.Tuple, cst.List)):
            arguments = [ast.Name(id=self.function_argument(e.value)) for e in args_node.elements]
        else:
            raise self.k.source.error(
                InlineTritonError,
                args_node,
                "hl.triton_kernel's args= must be a tuple or list literal",
                hint="write args=(x_tile, y_tile)",
            )
        code = ast.Call(func=expr(function), args=arguments, keywords=[])
        slots = SIGNAL_SLOTS.get(function)
        if slots is not None and isinstance(args_node, (cst.Tuple, cst.List)):
            self.note_signal_slots(args_node, *slots)
        output_like = args.get(2, "output_like")
        if output_like is None or _is_none(output_like):
            return block(code, (), None)
        return self.result_like(code, output_like, node)

    def note_signal_slots(self, args_node: cst.Tuple | cst.List, block: int, ranks: int) -> None:
        """symm_mem_sync with block_id None: a signal slot per program and rank on every pad;
        the launcher checks that the pads hold them (require_signal_pad)."""
        elements = [e.value for e in args_node.elements]
        if len(elements) > max(block, ranks) and _is_none(elements[block]):
            self.k.signal_pad_world_sizes.add(self.k.source.code(elements[ranks]).strip())

    def function_argument(self, value_node: cst.BaseExpression) -> str:
        """An argument of the user's Triton function: a host value the device code never
        indexes goes as it is (a tensor as its pointer, an int as an int: symmetric memory's
        `signal_pad_ptrs_dev` is an address), else as in a snippet."""
        if isinstance(value_node, cst.Name):
            name = value_node.value
            value = self.k.expressions.lower_expr(value_node)
            if (
                value.kind == HOST_TENSOR
                and name not in self.k.tensor_names_used
                and name not in self.k.tuple_elements
            ):
                return self.k.param(name, name, "scalar")
        return self.snippet_name(value_node)

    def triton_function(self, function_node: cst.BaseExpression | None, node: cst.Call) -> str:
        """The spelling that calls the function in the generated module."""
        if isinstance(function_node, (cst.Name, cst.Attribute)):
            library = library_source(self.k.aliases.qualified(function_node) or "")
            if library is not None:  # ours (symm_mem_sync): its source goes into the module
                name, text = library
                self.k.names.taken.add(name)
                self.k.host_names.taken.add(name)
                self.k.user_functions.setdefault(name, text)
                return name
            dotted = dotted_name(function_node)
            head = (dotted or "").split(".")[0]
            if head in self.k.aliases.globals or head in self.k.aliases.names:
                return dotted
            raise self.k.source.error(
                InlineTritonError,
                function_node,
                f"{dotted or 'this'} is not a @triton.jit function defined or imported in this "
                "module",
                hint="define it above the kernel with @triton.jit, or import it",
            )
        text = _string_literal(function_node)
        if text is None:
            raise self.k.source.error(
                InlineTritonError,
                function_node or node,
                "hl.triton_kernel() takes a @triton.jit function, its name, or its source",
            )
        text = textwrap.dedent(text).strip()
        if text.isidentifier():
            if text in self.k.aliases.globals or text in self.k.aliases.names:
                return text
            raise self.k.source.error(
                InlineTritonError,
                function_node,
                f"no function {text!r} is defined or imported in this module",
                hint=f"define {text} with @triton.jit at the module's top level (or import it), "
                "or pass the function itself",
            )
        try:
            definitions = [s for s in ast.parse(text).body if isinstance(s, ast.FunctionDef)]
        except SyntaxError as error:
            raise self.k.source.error(
                InlineTritonError, function_node, f"the Triton source does not parse: {error.msg}"
            ) from None
        if not definitions:
            raise self.k.source.error(
                InlineTritonError, function_node, "the Triton source defines no function"
            )
        for definition in definitions:
            if not definition.decorator_list:
                text = text.replace(
                    f"def {definition.name}(", f"@triton.jit\ndef {definition.name}(", 1
                )
        self.k.names.taken.update(d.name for d in definitions)
        self.k.host_names.taken.update(d.name for d in definitions)
        self.k.user_functions.setdefault(definitions[0].name, text)
        return definitions[0].name


def _string_literal(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"
