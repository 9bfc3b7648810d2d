"""Lowering of statements inside a device loop: assignments, stores, loops (ifs: branches.py)."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import assign
from ..frontend.errors import DtypeMismatchError, UnsupportedConstructError
from ..frontend.targets import target_names
from ..ops.products import PRODUCT_METHODS, PRODUCTS_BY_QUALIFIED, TORCH_PRODUCTS_BY_NAME
from ..ops.table import BINARY_OPERATORS
from .argument_checks import integers_check
from .values import BLOCK, CONST, TILES, TUPLE, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_REFUSED = {
    "Try": ("try / except", "errors cannot be caught on the GPU"),
    "TryStar": ("try / except*", "errors cannot be caught on the GPU"),
    "With": ("a with block", "move it to the host code around the loop"),
    "Return": ("return", "return from the kernel after the device loop"),
    "FunctionDef": ("a function definition", "define helpers outside the kernel"),
    "ClassDef": ("a class definition", "define classes outside the kernel"),
    "Raise": ("raise", "check inputs in the host code before the loop"),
    "Del": ("del", "values inside a device loop need no deleting"),
    "Global": ("global", "pass values as kernel arguments"),
    "Nonlocal": ("nonlocal", "pass values as kernel arguments"),
    "Break": ("break", "end the loop through its condition: a while loop (while i < n: ...)"),
    "Continue": ("continue", "use masks (torch.where) instead of skipping"),
    "Import": ("import", "import at the top of the file"),
    "ImportFrom": ("import", "import at the top of the file"),
    "Assert": ("assert", "check inputs in the host code before the loop"),
    "Match": ("match", "use torch.where"),
}


class Statements:
    """`lower_body(statements)`: one source statement after another, each under its comment."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def lower_body(self, statements) -> None:
        for statement in statements:
            self.k.source.current = statement
            self.lower_statement(statement)

    def lower_statement(self, statement: cst.BaseStatement) -> None:
        name = type(statement).__name__
        if isinstance(statement, cst.SimpleStatementLine):
            self.k.emit_comment(statement)
            for small in statement.body:
                self.lower_small(small)
        elif isinstance(statement, cst.For):
            self.k.inner_loops.lower_inner_loop(statement)
        elif isinstance(statement, cst.If):
            self.k.branches.lower_if(statement)
        elif isinstance(statement, cst.While):
            self.k.while_loops.lower_while(statement)
        else:
            self.refuse(statement, name)

    def refuse(self, node: cst.CSTNode, name: str) -> None:
        what, hint = _REFUSED.get(name, (name, "keep device code to assignments, stores and loops"))
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            f"{what} is not supported inside a device loop",
            hint=hint,
        )

    def lower_small(self, small: cst.BaseSmallStatement) -> None:
        line = self.k.source.line_of(small)
        if isinstance(small, cst.Assign) and self.accumulating_assign(small):
            return
        if isinstance(small, cst.Assign):
            self.k.direct_value = small.value if len(small.targets) == 1 else None
            self.k.direct_target = small.targets[0].target if len(small.targets) == 1 else None
            value = self.k.expressions.lower_expr(small.value)
            self.k.direct_value = self.k.direct_target = None
            for target in small.targets:
                self.assign(target.target, value, small)
            target = small.targets[0].target
            if len(small.targets) == 1 and isinstance(target, cst.Name):
                self.k.reused_loads.named(value, target.value)  # `a = x[tile]`: a holds it
            if (
                len(small.targets) == 1
                and isinstance(target, cst.Name)
                and target.value in self.k.scope
            ):
                self.k.definitions.define(
                    target.value, small.value, self.k.scope[target.value], self.k.loop_depth
                )
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            self.assign(small.target, self.k.expressions.lower_expr(small.value), small)
        elif isinstance(small, cst.AugAssign):
            self.augmented(small)
        elif isinstance(small, cst.Pass):
            return
        elif isinstance(small, cst.Expr):
            if isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                return  # a docstring-like comment
            value = self.k.expressions.lower_expr(small.value)
            if value.kind == BLOCK and value.code is not None:
                self.k.emit(ast.Expr(value=value.code), line)
        else:
            self.refuse(small, type(small).__name__)

    def augmented(self, small: cst.AugAssign) -> None:
        """`target op= value` as `target = target op value`, through the expression lowering of
        that operator (torch's flooring `//` and `%`, its shifts, `**`), the target keeping its
        dtype as torch keeps it in place; `acc += a @ b` folds the accumulator into tl.dot."""
        operator = type(small.operator).__name__.removesuffix("Assign")
        if operator not in BINARY_OPERATORS:  # `@=`: torch has no in-place matrix product
            spelt = self.k.source.code(small.operator).strip()
            raise self.k.source.error(
                UnsupportedConstructError,
                small.operator,
                f"the augmented assignment {spelt!r}: torch multiplies matrices only out of place",
                hint="write acc = acc @ w, or acc += a @ b to accumulate a product",
            )
        if (
            operator == "Add"
            and self.is_product(small.value)
            and not isinstance(small.target, cst.Subscript)
        ):
            accumulator = self.k.expressions.arithmetic(
                self.k.expressions.lower_expr(small.target), small.target
            )
            self.assign(
                small.target, self.accumulate(small.value, accumulator), small, in_place=True
            )
            return
        combined = cst.BinaryOperation(
            left=small.target, operator=getattr(cst, operator)(), right=small.value
        )
        self.k.source.positions[combined] = self.k.source.positions[small]
        self.k.source.positions[combined.operator] = self.k.source.positions[small.operator]
        if isinstance(small.target, cst.Subscript):  # the update stored, computed as torch
            expressions = self.k.expressions
            current = expressions.arithmetic(expressions.lower_expr(small.target), small.target)
            update = expressions.arithmetic(expressions.lower_expr(small.value), small.value)
            result = self.k.operators.binary(operator, current, update, combined)
            symbol = BINARY_OPERATORS[operator][0]
            self.k.stores.store(small.target, result, symbol, small, update=update)
            return
        before = (
            self.k.scope.get(small.target.value) if isinstance(small.target, cst.Name) else None
        )
        result = self.k.expressions.lower_expr(combined)
        if _widens_integer_block(before, result):  # torch refuses this in place
            raise self.k.source.error(
                DtypeMismatchError,
                small,
                f"{self.k.source.code(small.target)} holds integers and this "
                f"{self.k.source.code(small.operator).strip()} gives floats: torch refuses "
                "to change a tensor's dtype in place",
                hint="allocate it as floats (hl.zeros([...], dtype=torch.float32)), or "
                "convert the value first: .to(torch.int32)",
            )
        if _integer_block(before) and result.dtype is None:  # known only from the tensors
            self.require_integer_operands(small)
        if _of_tensors_dtype(before) and result.dtype == "float":  # `v /= 2`, `v += 1.5`
            self.require_float_target(small, before)
        self.assign(small.target, result, small, in_place=True)

    def require_integer_operands(self, small: cst.AugAssign) -> None:
        """`acc += x[...]` into an integer acc: the launcher checks x holds integers (a float
        x would make torch refuse the in-place update and Triton truncate)."""
        line = self.k.source.line_of(small)
        target = self.k.source.code(small.target)
        indexed = m.findall(small.value, m.Subscript(value=m.Name()))
        tensors = sorted({s.value.value for s in indexed} - set(self.k.scope))
        why = f"line {line} adds its values into the integer {target}"
        self.k.argument_checks += [integers_check(tensor, why) for tensor in tensors]

    def require_float_target(self, small: cst.AugAssign, before: Value) -> None:
        """`v /= 2` where v holds the dtype of the tensors it was computed from: torch refuses
        to make an integer v hold the float result in place; the launcher checks one of them
        holds floats (their common dtype is float then)."""
        line = self.k.source.line_of(small)
        target = self.k.source.code(small.target)
        spelt = self.k.source.code(small.operator).strip()
        sources = sorted(before.loaded_from | before.fed_by)
        test = " or ".join(f"{t}.is_floating_point()" for t in sources)
        dtypes = ", ".join(f"{{{t}.dtype}}" for t in sources)
        message = (
            f"line {line}: {target} {spelt} ... gives floats and {target} holds integers "
            f"(from {', '.join(sources)}: {dtypes}): torch refuses to change its dtype in place; "
            f"write {target} = {target} {spelt.removesuffix('=')} ..."
        )
        self.k.argument_checks.append(f'require({test}, f"{message}", TypeError)')

    def is_product(self, node: cst.BaseExpression) -> bool:
        """`a @ b`, `torch.matmul(a, b)`, `hl.dot(a, b)`, `a.mm(b)` (no accumulator of its own);
        a call with keywords (`out_dtype=`, a misspelt one) is not folded: its binding reads them."""
        if isinstance(node, cst.BinaryOperation):
            return isinstance(node.operator, cst.MatrixMultiply)
        if not isinstance(node, cst.Call) or any(a.keyword for a in node.args):
            return False
        qualified = self.k.aliases.qualified(node.func) or ""
        positional = [a for a in node.args if a.keyword is None and not a.star]
        row = PRODUCTS_BY_QUALIFIED.get(qualified)
        if row is not None and row.factors == (0, 1):  # its first two arguments multiplied
            return len(positional) == 2  # else the call's own binding says what is wrong
        return (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value in PRODUCT_METHODS
            and not qualified
            and len(positional) == 1
        )

    def accumulate(self, product: cst.BaseExpression, accumulator: Value) -> Value:
        """The product with the accumulator folded in: tl.dot(a, b, acc), as the tutorials write it."""
        row = None  # `@`'s: factors of any rank
        if isinstance(product, cst.BinaryOperation):
            left, right = product.left, product.right
        elif isinstance(product.func, cst.Attribute) and not self.k.aliases.qualified(product.func):
            left, right = product.func.value, product.args[0].value
            row = TORCH_PRODUCTS_BY_NAME[product.func.attr.value]
        else:
            left, right = (a.value for a in product.args[:2])
            row = PRODUCTS_BY_QUALIFIED[self.k.aliases.qualified(product.func)]
        call = None if row is None else (row, None)
        return self.k.dots.dot(left, right, accumulator, product, call=call)

    def accumulating_assign(self, small: cst.Assign) -> bool:
        """`acc = acc + a @ b` (either order): lowered as tl.dot(a, b, acc)."""
        value = small.value
        if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
            return False
        if not (isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add)):
            return False
        name = small.targets[0].target.value
        for accumulator, product in ((value.left, value.right), (value.right, value.left)):
            if (
                isinstance(accumulator, cst.Name)
                and accumulator.value == name
                and self.is_product(product)
            ):
                current = self.k.expressions.arithmetic(
                    self.k.expressions.lower_expr(accumulator), accumulator
                )
                # torch's `acc = acc + a @ b` is a new tensor: acc widens to the product's dtype
                self.assign(small.targets[0].target, self.accumulate(product, current), small)
                return True
        return False

    def assign(
        self, target: cst.BaseExpression, value: Value, node: cst.CSTNode, in_place: bool = False
    ) -> None:
        """`target = value` (`in_place`: `target op= ...`, torch keeps the target's dtype)."""
        line = self.k.source.line_of(node)
        if isinstance(target, cst.Subscript):
            self.k.stores.store(target, value, None, node)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            names = target.elements
            # tuples, and tiles of several dimensions (`tile_m, tile_n = tile`)
            items = value.items if value.kind in (TUPLE, TILES) else None
            if items is None or len(items) != len(names):
                raise self.k.source.error(
                    UnsupportedConstructError, target, "unpacking this value inside a device loop"
                )
            if value.code is not None and all(isinstance(e.value, cst.Name) for e in names):
                # one call giving several values (tl.split): `lo, hi = tl.split(x)`
                targets = [e.value.value for e in names]
                unpacked = ast.Tuple(elts=[ast.Name(id=t, ctx=ast.Store()) for t in targets])
                self.k.emit(ast.Assign(targets=[unpacked], value=value.code, lineno=0), line)
                for name, item in zip(targets, items):
                    self.k.scope[name] = replace(item, code=ast.Name(id=name))
                return
            items = self.kept_before_unpacking(names, items, line)
            for element, item in zip(names, items):
                self.assign(element.value, item, node)
            return
        if not isinstance(target, cst.Name):
            raise self.k.source.error(
                UnsupportedConstructError, target, "assigning to this target inside a device loop"
            )
        name = target.value
        self.k.definitions.rebound(name)
        self.k.carried.note(name, self.k.scope.get(name), value, node, in_place)
        if value.kind == BLOCK:
            value = self.k.registered_blocks.keep_block_lanes(name, value)
        self.k.slices.remember_constexpr(
            name, value.code if value.kind == BLOCK and not value.rank else None
        )
        self.k.per_block.assigned(name, value.code if value.kind == BLOCK else None)
        if value.kind in (BLOCK, CONST) and value.code is not None:
            if not (isinstance(value.code, ast.Name) and value.code.id == name):
                self.k.emit(assign(name, value.code), line)
            if not value.rank and name not in self.k.reassigned | set(self.k.host.names):
                self.k.scalar_codes[name] = value.code  # (scalar_reach.py bounds it)
            # a named value keeps what is known of it (axes, stored dtype, zeros outside);
            # a named None or text stays that constant, refused where a number must be
            self.k.scope[name] = (
                value
                if value.kind == CONST and not isinstance(value.const, (bool, int, float))
                else replace(value, kind=BLOCK, code=ast.Name(id=name), const=None, stored=None)
            )
        else:
            self.k.scope[name] = value  # tiles, dtypes, tuples: names for things, no code

    def kept_before_unpacking(self, names, items, line: int) -> list[Value]:
        """`a, b = b, a`: Python reads every value before binding any name, and the elements
        are assigned one by one here, so a value that reads a name an earlier element binds is
        first kept under its own target's name (`b_next = a; a = b; b = b_next`); nested
        tuples alike."""
        kept, bound = [], set()
        for element, item in zip(names, items):
            kept.append(self.kept(item, element.value, bound, line))
            bound |= set(target_names(element.value))
        return kept

    def kept(self, item: Value, target: cst.BaseExpression, bound: set[str], line: int) -> Value:
        if item.code is None:  # a tuple's items (`a, (b, c) = c, (a, b)`), a tile
            inner_targets = [e.value for e in getattr(target, "elements", ())]
            if len(inner_targets) != len(item.items or ()):
                inner_targets = [target] * len(item.items or ())
            inner = [self.kept(*pair, bound, line) for pair in zip(item.items or (), inner_targets)]
            return replace(item, items=tuple(inner)) if item.items else item
        clobbered = _names_read(item.code) & bound
        if not clobbered:
            return item
        own = target.value if isinstance(target, cst.Name) else sorted(clobbered)[0]
        kept = self.k.names.fresh(f"{own}_next")
        self.k.emit(assign(kept, item.code), line)
        return replace(item, code=ast.Name(id=kept))


def _names_read(code: ast.expr) -> set[str]:
    return {node.id for node in ast.walk(code) if isinstance(node, ast.Name)}


def _integer_block(value: Value | None) -> bool:
    """An integer tensor block (torch keeps its dtype in place), not a Python int."""
    return (
        value is not None
        and value.kind == BLOCK
        and value.dtype == "int"
        and (value.rank > 0 or value.carried_dtype is not None)
    )


def _of_tensors_dtype(value: Value | None) -> bool:
    """A tensor block whose dtype is the tensors' it was computed from, known at the launch."""
    return (
        value is not None
        and value.kind == BLOCK
        and value.dtype is None
        and value.rank > 0
        and bool(value.loaded_from | value.fed_by)
    )


def _widens_integer_block(before: Value | None, after: Value) -> bool:
    """`acc op= value` where acc is an integer tensor block and the result is float."""
    return _integer_block(before) and after.dtype == "float"
