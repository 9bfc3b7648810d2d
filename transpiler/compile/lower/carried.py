"""Values carried across a loop (`acc` of hl.zeros): the dtype torch gives each update, kept."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import DtypeMismatchError, ShapeError
from .dtype_sources import DtypeSources, Sources
from .values import BLOCK, CONST, Value, is_squeezed

if TYPE_CHECKING:
    from ..emit.lines import Line
    from .kernel import KernelBuilder

# Triton refuses a loop whose carried values change type; torch's dtypes decide what is right:
# - `acc += v` (in place): torch keeps acc's dtype (computing in the common one, then casting
#   back): the loop's end casts it back (`acc = acc.to(tl.int8)  # acc keeps its dtype`);
# - `acc = acc + v` (a new tensor): torch widens acc to the common dtype on the first iteration
#   (float32 with float64 values, an int32 with floats) and keeps that. Triton cannot change it
#   inside the loop, so acc enters the loop already widened: `acc = acc.to(promoted(acc.dtype,
#   x_ptr.dtype.element_ty))`, torch's promotion of its dtype and those its updates compute with
#   (lower/dtype_sources.py), decided when Triton compiles the launch. An integer sum's int64
#   into a narrower integer acc is refused while transpiling; a dtype known at run time
#   meeting one, at the launch (check_tensors' `require`).
_INTEGER_WIDTHS = {
    **{f"tl.int{bits}": bits for bits in (8, 16, 32, 64)},
    **{f"tl.uint{bits}": bits for bits in (8, 16, 32)},
}
_RUNTIME = re.compile(r"^(\w+)_ptr\.dtype\.element_ty$")  # x.dtype in the kernel
_INT64_SUM = ""  # stands for an integer sum among the tensors an update computes with


@dataclass(frozen=True)
class Update:
    """One assignment to a carried name inside a loop."""

    line: int
    value: Value
    in_place: bool  # `acc += v`
    node: cst.BaseExpression | None = None  # the source of the value assigned


def carried_dtype(dtype_code: str, const: object) -> str:
    """What an hl.zeros / hl.full value of this dtype is carried as in Triton: its dtype, or
    float32 for halves (computed in float32 here); a dtype known at run time: its code."""
    if const == "runtime":
        return dtype_code
    if const in ("tl.float16", "tl.bfloat16") or "float8" in dtype_code:
        return "tl.float32"
    return dtype_code


class Carried:
    """Notes updates of carried values; at a loop's end keeps their dtype or refuses."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k
        self.updates: dict[str, list[Update]] = {}

    def note(self, name: str, old: Value | None, new: Value, node: cst.CSTNode, in_place: bool):
        """An assignment to `name` (a fresh allocation forgets its earlier updates)."""
        if new.carried_dtype is not None:
            self.updates.pop(name, None)
        elif old is not None and old.carried_dtype is not None:
            assigned = node.value if isinstance(node, (cst.Assign, cst.AugAssign)) else None
            update = Update(self.k.source.line_of(node), new, in_place, assigned)
            self.updates.setdefault(name, []).append(update)

    def close(self, before: dict[str, Value], loop: cst.CSTNode, anchor: Line, depth: int) -> None:
        """At the end of a loop's body (`anchor`: the loop's comment line): the values carried
        into it keep their dtype, entering it as torch types them. Lines put before the loop go
        before `anchor`, wherever lines inserted above it while its body was lowered (a whole
        dimension's offsets at the program's start) moved it."""
        start = self.k.index_of(anchor)
        self.keep(before, loop, start, depth)
        self.number_typed_by_loop(before, start, depth)

    def keep(self, before: dict[str, Value], loop: cst.CSTNode, start: int, depth: int) -> None:
        """At the end of a loop's body: each value carried into it keeps its dtype, entering it
        in the dtype torch widens it to (lines inserted at `start`, before the loop)."""
        checks: dict[str, list[str]] = {}  # host dtype → names meeting an integer sum
        loop_line = self.k.source.line_of(loop)
        for name, old in before.items():
            new = self.k.scope.get(name)
            updates = self.updates.pop(name, [])
            if old.carried_dtype is None or new is None or new is old or new.carried_dtype:
                continue
            rebound = [u for u in updates if not u.in_place]
            sources = Sources()
            for update in rebound:
                sources |= self.widening(name, old.carried_dtype, update, loop, checks)
            if _float_dtype(old.carried_dtype):  # a Python float, an integer or a bool
                floats = {d for d in sources.dtypes if d.startswith(("float", "bfloat"))}
                sources = replace(sources, dtypes=frozenset(floats - {"float32"}))  # widen none
            if sources != Sources():
                floating = _float_dtype(old.carried_dtype)
                start += self.enter_widened(name, sources, rebound, start, depth, floating)
            elif self.needs_cast(name, old.carried_dtype, updates):
                cast = self.cast(name, old.carried_dtype)
                self.k.emit(f"{name} = {cast}  # {name} keeps its dtype", loop_line)
            self.k.scope[name] = replace(new, carried_dtype=old.carried_dtype)
        for host, names in checks.items():  # a dtype known at run time meeting an int64 sum
            where = ", ".join(sorted(set(names)))
            test = f"{host}.is_floating_point or {host} == torch.int64"
            message = (
                f"{where}: carried across the loop at line {loop_line} as {{{host}}}, it "
                "meets an integer sum (int64); torch widens it: create it with "
                "dtype=torch.int64"
            )
            self.k.argument_checks.append(f'require({test}, f"{message}", TypeError)')

    def enter_widened(
        self,
        name: str,
        sources: Sources,
        updates: list[Update],
        at: int,
        depth: int,
        floating: bool,
    ) -> int:
        """`name = name.to(promoted(name.dtype, ...))` at line index `at`, before the loop:
        torch's dtype for it after its first update (Triton's compile decides it from the
        tensors' dtypes; a float `name` by the shorter promoted_float); the number of lines
        inserted."""
        helper = "promoted_float" if floating and not sources.zero_dim else "promoted"
        self.k.use_helper(helper)  # (beside_zero_dim's operands: promoted's, ints included)
        tensors = sorted(sources.tensors)
        dtypes = [f"{self.k.tensor_pointer(t)}.dtype.element_ty" for t in tensors]
        dtypes += [f"tl.{'int1' if d == 'bool' else d}" for d in sorted(sources.dtypes)]
        owners = [f"{t}'s" for t in tensors]
        met = [f"{_listed(owners)} values"] if tensors else []
        met += sorted(sources.dtypes)
        if sources.zero_dim:  # their 0-d values widen only a lower category (beside_zero_dim)
            self.k.use_helper("beside_zero_dim")  # of the values they meet: acc's alone if none
            zero = sorted(sources.zero_dim)
            zero_dtypes = ", ".join(f"{self.k.tensor_pointer(t)}.dtype.element_ty" for t in zero)
            dims = f"promoted({', '.join(dtypes or [f'{name}.dtype'])})"
            dtypes = [f"beside_zero_dim({dims}, promoted({zero_dtypes}))"]
            met.append(f"0-d values of {_listed(zero)}")
        widened = f"{helper}({', '.join([f'{name}.dtype', *dtypes])})"
        lines = ", ".join(str(u.line) for u in updates)
        where = "line" if len(updates) == 1 else "lines"
        comment = f"# torch widens {name} at {where} {lines}, meeting {_listed(met)}: widened first"
        text = f"{name} = {name}.to({widened})"
        self.k.insert_lines(
            at, [self.k.make_line(depth, piece, updates[0].line) for piece in (comment, text)]
        )
        return 2

    def refuse_kind_change(self, name: str, old: Value, new: Value, loop: cst.For) -> None:
        """A value carried across a loop that is an int before it and a float (or bool) after
        an iteration (`scale = 1` ... `scale = scale * 0.5`): Triton keeps a carried value's
        type, so it is refused (hl.zeros accumulators: `keep`, which casts or refuses)."""
        if new is old or old.carried_dtype is not None or {old.kind, new.kind} - {BLOCK, CONST}:
            return
        if None in (old.dtype, new.dtype) or old.dtype == new.dtype:
            return
        raise self.k.source.error(
            DtypeMismatchError,
            loop,
            f"{name!r} is {kind_words(old.dtype)} before this loop and {kind_words(new.dtype)} after an "
            "iteration: a value carried across iterations keeps its dtype",
            hint=f"give {name!r} its loop's dtype before the loop (a float: {name} = 1.0, or "
            f"{name} = ....to(torch.float32))",
        )

    def number_typed_by_loop(self, before: dict[str, Value], start: int, depth: int) -> None:
        """A Python number carried into a loop whose body makes it a block of one tensor's
        values (`total = 0` ... `total = total + x[i, j]`; `total = 0.0` ... `total = total +
        x[tm, tn].sum(1)`): torch gives it that block's shape and `number + block`'s dtype on
        the first iteration, so it enters the loop as one (Triton's GPU compiler refuses a
        carried value that changes type or shape)."""
        for name, old in before.items():
            new = self.k.scope.get(name)
            if new is None or new is old or not _number_made_a_block(old, new, several=True):
                continue
            tensors = sorted(new.loaded_from | new.fed_by)
            lines = []
            dtype = self.promoted(tensors)
            if len(tensors) > 1:  # named: torch's promotion of the tensors' dtypes
                promoted = self.k.names.fresh(f"{name}_dtype")
                lines.append(f"{promoted} = {dtype}  # {', '.join(tensors)} promoted, as torch")
                dtype = promoted
            tensor = "'s and ".join(tensors)
            shape = _shape_text(new.dims)
            kind = "float" if "float" in (old.dtype, new.dtype) else "int"
            integers_as = _INTEGERS_AS[kind, new.widened] or dtype
            self.k.use_helper("number_carried")
            text = (
                f"{name} = number_carried({name}, [{shape}], {dtype}, {integers_as})  # as "
                f"torch types {name} + {tensor}'s block"
            )
            source_line = self.k.lines[start].source_line if start < len(self.k.lines) else 0
            made = [self.k.make_line(depth, line, source_line) for line in [*lines, text]]
            self.k.insert_lines(start, made)
            before[name] = new  # the loop keeps its shape and dtype from here

    def promoted(self, tensors: list[str]) -> str:
        """The kernel's code for the dtype the tensors' values promote to (Triton's promotion
        of two tensors, as torch's: float16 with float32 gives float32)."""
        codes = [f"{self.k.tensor_pointer(t)}.dtype.element_ty" for t in tensors]
        if len(codes) == 1:
            return codes[0]
        return "(" + " + ".join(f"tl.zeros((1,), {c})" for c in codes) + ").dtype"

    def number_as_block(
        self, name: str, block: Value, number: Value, line: int, checked: bool = True
    ) -> str:
        """The line making a Python number the block an `if`'s other branch gives `name`
        (`s = 1.5` beside `s = x[tm, 0]`): the block's shape and its tensor's dtype (halves in
        float32); a float number takes a float tensor, checked at the launch (not where both
        paths overwrite the number: `checked=False`, its value is never read)."""
        (tensor,) = block.loaded_from | block.fed_by
        dtype = f"{self.k.tensor_pointer(tensor)}.dtype.element_ty"
        shape = _shape_text(block.dims)
        if number.dtype == "float" and checked:
            message = (
                f"line {line}: {name} is a float on one branch and {tensor}'s values on the "
                f"other; the kernel gives it {tensor}'s dtype, a float one, not {{{tensor}.dtype}}"
            )
            test = f"{tensor}.is_floating_point()"
            self.k.argument_checks.append(f'require({test}, f"{message}", TypeError)')
            self.k.host_helpers.add("require")
        self.k.use_helper("number_carried")
        held = repr(number.const) if number.kind == CONST else name  # a constant is not emitted
        return f"{name} = number_carried({held}, [{shape}], {dtype}, {dtype})  # {tensor}'s block"

    def needs_cast(self, name: str, dtype: str, updates: list[Update]) -> bool:
        """Integers narrower than int64: always; float32 and a dtype known at run time: after
        an in-place update a tensor's values or a sum feed (`acc += x64[tile]` into float32,
        `acc += F.linear(x64[...], w64[...])`; `acc += a @ b` folds acc into tl.dot, which keeps
        its dtype)."""
        if dtype in _INTEGER_WIDTHS:
            return dtype != "tl.int64"
        if dtype != "tl.float32" and not _RUNTIME.match(dtype):
            return False
        return any(u.in_place and self.fed_by_tensors(name, u) for u in updates)

    def fed_by_tensors(self, name: str, update: Update) -> bool:
        value = update.value
        if value.fed_by or value.loaded_from or value.widened:
            return True
        node = update.node
        if node is None or self.k.statements.is_product(node):
            return False
        return bool(DtypeSources(self.k, name).of(node).tensors)

    def cast(self, name: str, dtype: str) -> str:
        if _RUNTIME.match(dtype):  # float16 / bfloat16 tensors: carried in float32
            self.k.use_helper("carried_as")
            return f"carried_as({name}, {dtype})"
        return f"{name}.to({dtype})"

    def widening(
        self, name: str, dtype: str, update: Update, loop: cst.For, checks: dict
    ) -> Sources:
        """`acc = <expression>`: what torch widens acc with (its update's tensors and dtypes;
        none for float64, which nothing widens). Refused here: an integer sum's int64 into a
        narrower integer acc; a dtype known at run time meeting an int64 sum is noted in `checks` for the launch."""
        value = update.value
        shown = dtype.removeprefix("tl.")
        width = _INTEGER_WIDTHS.get(dtype)
        if width is not None and width < 64 and value.widened:
            made = (  # a sum of a tensor the launch gives a dtype: float tensors widen it too
                "the int64 of an integer sum (torch sums integers in int64, and widens "
                f"{name} to it)"
                if value.dtype == "int"
                else "a sum's dtype (int64 where it sums integers: torch sums them in int64; "
                "the tensor's float dtype where it sums floats)"
            )
            raise self.k.source.error(
                ShapeError,
                loop,
                f"{name!r} is {shown} before this loop, and line {update.line} makes it "
                f"{made}; a value carried across iterations keeps its dtype",
                hint=f"create {name} with dtype="
                + (
                    "torch.int64"
                    if value.dtype == "int"
                    else "the sum's (torch.int64 or torch.float32)"
                )
                + f", or add in place ({name} += ...: torch keeps {shown}, wrapping)",
            )
        host = _host_dtype(dtype)
        if value.widened and width is None and host is not None and host != "torch.int64":
            if not host.startswith("torch.float"):  # a runtime dtype meeting an int64 sum
                checks.setdefault(host, []).append(f"line {update.line} ({name})")
        if dtype == "tl.float64" or update.node is None:
            return Sources()
        sources = DtypeSources(self.k, name).of(update.node)
        if value.dtype == "float":  # a float made of ints (torch.exp(i)) is float32 at least
            sources |= Sources(dtypes=frozenset({"float32"}))
        return sources


def _listed(words: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1]


def _float_dtype(dtype: str) -> bool:
    """Whether a carried dtype known while transpiling is a float one (tl.float32)."""
    return dtype.startswith(("tl.float", "tl.bfloat"))


def _shape_text(dims) -> str:
    """A block's shape as number_carried takes it: each tile's block, a known size as itself."""
    return ", ".join(d.block if d.size is None else str(d.size) for d in dims)


def _host_dtype(dtype: str) -> str | None:
    """The launcher's spelling of a carried dtype (`tl.int8` → `torch.int8`, the kernel's
    `x_ptr.dtype.element_ty` → `x.dtype`); None where the launcher cannot name it."""
    runtime = _RUNTIME.match(dtype)
    if runtime:
        return f"{runtime[1]}.dtype"
    if re.fullmatch(r"tl\.(int|uint|float)\d+", dtype):
        return "torch." + dtype.removeprefix("tl.")
    return None


# The dtype torch gives `number + block` where the tensor holds integers: (a float in the
# number or the update, or none; the block an integer sum (int64)) → the dtype; None: the
# tensor's own.
_INTEGERS_AS = {
    ("int", False): None,
    ("int", True): "tl.int64",
    ("float", False): "tl.float32",
    ("float", True): "tl.float32",
}


def number_beside_block(first: Value, second: Value) -> bool:
    """Whether one of two values is a Python number and the other a block of one tensor's
    values (number_as_block's case)."""
    return number_side(first, second) is not None


def number_side(first: Value, second: Value) -> int | None:
    """Which of two values is the Python number beside a block of one tensor's values (0: the
    first, 1: the second; a 0-d block, `x[tile].sum()`, has no dims to tell them apart), None
    where neither is."""
    if _number_made_a_block(first, second):
        return 0
    return 1 if _number_made_a_block(second, first) else None


def _number_made_a_block(old: Value, new: Value, several: bool = False) -> bool:
    """A Python number before the loop (no tensor's values in it), a block of one tensor's
    values after an iteration (`several`: of one or more tensors' values), its dims all lanes
    of tiles or known sizes."""
    number = old.kind in (BLOCK, CONST) and old.dtype in ("int", "float") and not old.dims
    if not number or old.carried_dtype is not None or old.loaded_from or old.fed_by:
        return False
    if not isinstance(old.code, ast.Name) or new.kind != BLOCK or new.dtype not in (None, "float"):
        return False
    lanes = all(d is not None and not is_squeezed(d) for d in new.dims)
    count = len(new.loaded_from | new.fed_by)
    return lanes and new.carried_dtype is None and (count == 1 or (several and count > 1))


def kind_words(dtype: str) -> str:
    """An error's words for a kind of number: "a float", "an int", "a bool"."""
    return f"an {dtype}" if dtype == "int" else f"a {dtype}"
