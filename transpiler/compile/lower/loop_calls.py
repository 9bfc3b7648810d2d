"""A device loop's call read and checked: hl.tile / hl.grid ranges, block sizes, steps, targets."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..frontend.aliases import LANGUAGE
from ..frontend.config_check import TRITON_MAX_BLOCK
from ..frontend.errors import ConfigError, RankUnknownError, TileArgumentError
from ..frontend.host_sizes import literal_int, whole_size_tensor
from ..frontend.kernels import device_loop_kind
from ..frontend.signatures import HL_SIGNATURES, bind
from ..ops.hl import DEVICE_LOOPS, HL_BY_NAME
from .values import DTYPE, MODULE, TILE, TILES, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# names a hint gives a tensor's sizes (`a, b = x.size()`): the first pair no host name uses
SIZE_NAMES = (("a", "b"), ("m", "n"), ("rows", "cols"))


class LoopCalls:
    """The ranges, block sizes and steps of hl.tile / hl.grid, their targets bound, each
    target's axis named (offs_n, mask_n, BLOCK_N, pid_n)."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def loop_each(self, loop: cst.For) -> str | None:
        """What one iteration of a device loop binds (its row's `each`: LANES for hl.tile, INDEX
        for hl.grid); None for any other loop."""
        name = device_loop_kind(loop, self.k.aliases)
        return HL_BY_NAME[name].each if name is not None else None

    def loop_ranges(
        self, call: cst.Call
    ) -> tuple[list[tuple[cst.BaseExpression | None, cst.BaseExpression]], list]:
        """[(begin, end)] per dimension of hl.tile / hl.grid, and block_size= entries."""
        self.bind_loop_call(call)
        ranges, block_sizes = self._loop_ranges(call)
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        positional = [a.value for a in call.args if a.keyword is None]
        if len(positional) == 3:  # hl.tile(begin, end, block_size), hl.grid(begin, end, step)
            keywords[self.third_parameter(call)] = positional[2]
        if "step" in keywords:
            self.check_steps(keywords["step"], block_sizes, len(ranges))
        if self.k.device_loop is not None and call is self.k.device_loop.iter:
            self.note_ranged_ends(call, ranges)
        for begin, end in ranges:
            for size in (end, begin):
                if isinstance(
                    size, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
                ):
                    raise self.k.source.error(
                        TileArgumentError, size, "a loop size must be an integer"
                    )
                if size is not None and self.k.host.is_float(size):
                    text = self.k.source.code(size)
                    raise self.k.source.error(
                        TileArgumentError,
                        size,
                        f"a loop size must be an integer: {text} is a float",
                        hint="divide with // (n // 2), write integers as 1000, not 1e3, or "
                        "convert with int(...)",
                    )
                if isinstance(size, cst.Name) and size.value in self.k.host.tensors:
                    raise self.k.source.error(
                        TileArgumentError,
                        size,
                        f"a loop size must be an integer, not the tensor {size.value}",
                        hint=f"tile its sizes: hl.tile({size.value}.size()) for every dimension, "
                        f"hl.tile({size.value}.size(0)) for the first",
                    )
                kind = (
                    self.k.expressions.lower_expr(size).kind
                    if isinstance(size, (cst.Name, cst.Attribute))
                    else None
                )
                if kind in (MODULE, DTYPE):
                    what = "a module" if kind == MODULE else "a dtype"
                    raise self.k.source.error(
                        TileArgumentError, size, f"a loop size must be an integer, not {what}"
                    )
        if "block_size" in keywords:
            node = keywords["block_size"]
            if (self.k.aliases.qualified(call.func) or "").endswith(".grid"):
                raise self.k.source.error(
                    TileArgumentError,
                    node,
                    "hl.grid takes no block_size: each program is one index",
                    hint="use hl.tile(n, block_size=...) for blocks",
                )
            if len(block_sizes) != len(ranges):
                raise self.k.source.error(
                    TileArgumentError,
                    node,
                    f"{len(block_sizes)} block sizes for {len(ranges)} dimensions",
                    hint="one block size per dimension, as Helion asks (None: the config's): "
                    "hl.tile([m, n], block_size=[32, None])",
                )
            for size in block_sizes:
                self.refuse_language_calls(size, "a block size")
                literal = literal_int(size)  # -8 too: a minus and an integer
                flag = isinstance(size, cst.Name) and size.value in ("True", "False")
                if (
                    flag
                    or isinstance(size, (cst.Float, cst.SimpleString))
                    or (literal is not None and (literal < 1 or literal & (literal - 1)))
                ):
                    raise self.k.source.error(
                        TileArgumentError,
                        size,
                        "a block size must be a power of two (1, 2, 4, ...)",
                        hint="Triton blocks are powers of two; masks take care of ragged edges",
                    )
                if literal is not None and literal > TRITON_MAX_BLOCK:  # was: Triton's error
                    raise self.k.source.error(
                        TileArgumentError,
                        size,
                        f"block_size={literal} is more than Triton's largest block "
                        f"({TRITON_MAX_BLOCK} elements)",
                        hint="a few hundred to a few thousand lanes per block is usual "
                        "(block_size=1024): the tiles cover the rest",
                    )
            literals = [literal_int(size) for size in block_sizes]
            self.refuse_block_product(node, literals, f"block_size={self.k.source.code(node)}")
        return ranges, block_sizes

    def refuse_block_product(
        self, node: cst.CSTNode, sizes: list, given: str, fix: list | None = None
    ) -> None:
        """`block_size=[2048, 1024]` (or a config's block_sizes, `given` says which; `fix`: the
        sizes the hint lowers, `sizes` unless given): each size within Triton's limit, one block
        of their product (2**21 elements) past it (was: Triton's own error)."""
        if len(sizes) < 2 or None in sizes or math.prod(sizes) <= TRITON_MAX_BLOCK:
            return
        config = given.startswith("block_sizes")
        raise self.k.source.error(
            ConfigError if config else TileArgumentError,
            node,
            f"{given} makes blocks of {' * '.join(map(str, sizes))} = {math.prod(sizes)} "
            f"elements, more than Triton's largest block ({TRITON_MAX_BLOCK} elements)",
            hint="keep the product of a tile's block sizes to a few thousand "
            f"({given.partition('=')[0]}={[min(size, 32) for size in fix or sizes]}): the tiles cover "
            "the rest",
        )

    def note_ranged_ends(self, call: cst.Call, ranges: list) -> None:
        """`hl.tile(m, n)` is one loop from m to n (an empty one where m > n, as Python's range:
        valid, so not refused); where its end passes a tensor's size, the reach check names the
        line and `hl.tile([m, n])`, the two-dimension loop such a call often meant."""
        for begin, end in ranges:
            if begin is None or literal_int(begin) is not None:
                continue
            first, last = self.k.source.code(begin), self.k.source.code(end)
            line = self.k.source.line_of(call)
            loop = f"line {line}: {self.k.source.code(call)} is one loop from {first} to {last}"
            tiles = f"{self.k.source.code(call.func)}([{first}, {last}])"  # the 2-D loop meant
            self.k.ranged_ends[last] = (loop, tiles)  # (loop_checks.py: the reach's check)

    def refuse_language_calls(self, node: cst.BaseExpression | None, what: str) -> None:
        """A loop's block size or step goes to the launcher as written: an hl call there
        (`block_size=hl.register_block_size(m)`) has no meaning on the host."""
        if node is None:
            return
        for call in m.findall(node, m.Call()):
            qualified = self.k.aliases.qualified(call.func) or ""  # type: ignore[attr-defined]
            if qualified.startswith(f"{LANGUAGE}."):
                name = qualified.rpartition(".")[2]
                raise self.k.source.error(
                    TileArgumentError,
                    call,
                    f"hl.{name}() inside a loop's call, as {what}",
                    hint=f"call it in host code before the loop: block = hl.{name}(...), then "
                    "pass block",
                )

    def third_parameter(self, call: cst.Call) -> str:
        """What a loop call's third positional argument is: hl.tile's block_size, hl.grid's
        step (the parameter its row's signature names there)."""
        name = (self.k.aliases.qualified(call.func) or "").rpartition(".")[2]
        signature = HL_SIGNATURES.get(name)
        if signature is None or len(signature.positional) < 3:
            return "block_size"
        return signature.positional[2]

    def check_steps(self, node: cst.BaseExpression, steps: list, count: int) -> None:
        """hl.grid's step: one per dimension (a list for a list of sizes), each a positive
        integer literal or an integer argument (checked at launch)."""
        if len(steps) != count:
            raise self.k.source.error(
                TileArgumentError,
                node,
                f"{len(steps)} steps for {count} dimensions",
                hint="one step per dimension: hl.grid([m, n], step=[2, 1])",
            )
        for step in steps:
            if step is None:
                continue
            self.refuse_language_calls(step, "a step")
            literal = step.evaluated_value if isinstance(step, cst.Integer) else None
            argument = isinstance(step, cst.Name) and step.value in self.k.host.names
            if (literal is None and not argument) or (literal is not None and literal < 1):
                raise self.k.source.error(
                    TileArgumentError,
                    step,
                    "a grid step must be a positive integer: a literal or an int argument",
                    hint="for a descending order, loop upwards and compute the index: "
                    "i = end - 1 - index",
                )
            if argument:
                text = f"the step of hl.grid must be positive, got {{{step.value}}}"
                self.k.argument_checks.append(
                    f'require({step.value} >= 1, lambda: f"{text}", ValueError)'
                )

    def bind_loop_call(self, call: cst.Call) -> None:
        """hl.tile / hl.grid arguments against Helion's signatures: a misspelt keyword
        (`blocksize=`) is an error at its column, `step=` (not lowered) is refused."""
        name = (self.k.aliases.qualified(call.func) or "").rpartition(".")[2]
        signature = HL_SIGNATURES.get(name)
        if signature is None or name not in DEVICE_LOOPS:
            return
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = [a for a in call.args if a.keyword is not None]
        if "block_size" not in signature.parameters:  # hl.grid's gets its own error below
            keywords = [a for a in keywords if a.keyword.value != "block_size"]
        refused = dict(HL_BY_NAME[name].refused)
        bind(
            signature,
            positional,
            keywords,
            call,
            self.k.source.error,
            refused=tuple(refused),
            hints=refused,
            owner=f"hl.{name}",
            arity_error=TileArgumentError,
        )

    def _loop_ranges(
        self, call: cst.Call
    ) -> tuple[list[tuple[cst.BaseExpression | None, cst.BaseExpression]], list]:
        positional = [a.value for a in call.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        if not positional:
            raise self.k.source.error(
                TileArgumentError, call, "hl.tile / hl.grid needs the sizes to cover"
            )
        block_sizes: list = []  # hl.tile's block sizes or hl.grid's steps, per dimension
        third = self.third_parameter(call)
        if len(positional) == 3:  # hl.tile(begin, end, block_size): the third by position
            keywords[third] = positional.pop()
        if third in keywords:
            node = keywords[third]
            items = (
                [e.value for e in node.elements]
                if isinstance(node, (cst.List, cst.Tuple))
                else [node]
            )
            block_sizes = [
                None if isinstance(i, cst.Name) and i.value == "None" else i for i in items
            ]
        if len(positional) == 2:
            begins, ends = (_elements(p) for p in positional)
            if len(begins) != len(ends):
                raise self.k.source.error(
                    TileArgumentError, call, "begin and end have different lengths"
                )
            return list(zip(begins, ends)), block_sizes
        whole = whole_size_tensor(positional[0])
        if whole is not None:
            rank = self.k.host.rank(whole)
            # the hint's names for the sizes: none the host code binds (`a, b = x.chunk(2)`)
            taken = {whole, *self.k.host.names, *self.k.host.params}
            first, second = next((p for p in SIZE_NAMES if not taken & set(p)), SIZE_NAMES[-1])
            if rank is None and self.k.host.given_ranks:  # host code made it, ranks given
                raise self.k.source.error(
                    RankUnknownError,
                    positional[0],
                    f"the host code makes {whole!r} by a call whose rank this transpiler does "
                    "not follow",
                    hint=f"name its sizes first, `{first}, {second} = {whole}.size()`, and tile "
                    f"them: hl.tile([{first}, {second}])",
                )
            if rank is None:
                raise self.k.source.error(
                    RankUnknownError,
                    positional[0],
                    f"the rank of {whole!r} is known only when the kernel is called",
                )
            ends = [_size_node(whole, d) for d in range(rank)]
            return [(None, e) for e in ends], block_sizes
        return [(None, e) for e in _elements(positional[0])], block_sizes

    def loop_targets(self, loop: cst.For, count: int) -> list[str] | str:
        target = loop.target
        if isinstance(target, cst.Name):
            return target.value
        if isinstance(target, (cst.Tuple, cst.List)) and all(
            isinstance(e.value, cst.Name) for e in target.elements
        ):
            names = [e.value.value for e in target.elements]
            if len(names) == 1 and count == 1:
                if not _sizes_are_a_sequence(loop.iter):
                    raise self.k.source.error(
                        TileArgumentError,
                        target,
                        "a single tile does not unpack",
                        hint=f"write `for {names[0]} in ...` (or give the sizes as a list)",
                    )
                return names[0]
            if len(names) != count:
                whole = whole_size_tensor(loop.iter.args[0].value) if loop.iter.args else None
                if whole is not None:  # hl.tile(x.size()): the argument's rank decides
                    raise self.k.source.error(
                        TileArgumentError,
                        loop.iter.args[0].value,
                        f"{whole} is {count}-D in this call, and the loop names {len(names)} "
                        f"tiles of {whole}.size()",
                        hint=f"pass a {len(names)}-D {whole}, or name {count} "
                        f"tile{'s' * (count != 1)} in the loop",
                    )
                raise self.k.source.error(
                    TileArgumentError, target, f"{len(names)} names for {count} loop dimensions"
                )
            return names
        raise self.k.source.error(TileArgumentError, target, "loop targets must be names")

    def bind_loop_targets(self, targets, bound: list[Value], count: int) -> None:
        if isinstance(targets, str):
            if count == 1:
                self.k.scope[targets] = bound[0]
            elif bound and bound[0].kind == TILE:
                self.k.scope[targets] = Value(TILES, items=tuple(bound))
            else:
                self.k.scope[targets] = Value("tuple", items=tuple(bound))
        else:
            for name, value in zip(targets, bound):
                self.k.scope[name] = value

    def axis_names(self, tile_name: str, index: int, count: int) -> tuple[str, str, str, str]:
        """offs_n, mask_n, BLOCK_N, pid_n for tile `tile_n` (offsets, mask, BLOCK_SIZE, pid for `tile`)."""
        suffix = tile_name.removeprefix("tile").lstrip("_")
        if count > 1 and not suffix:
            suffix = str(index)
        elif count > 1 and not tile_name.startswith("tile_") and tile_name.startswith("tile"):
            suffix = f"{suffix}{index}"
        key = (tile_name, str(index))
        if key not in self.k.axis_names_cache:
            if suffix:
                wanted = (
                    f"offs_{suffix}",
                    f"mask_{suffix}",
                    f"BLOCK_SIZE_{suffix}" if suffix.isdigit() else f"BLOCK_{suffix.upper()}",
                    f"pid_{suffix}",
                )
            else:
                wanted = ("offsets", "mask", "BLOCK_SIZE", "pid")
            names = tuple(self.k.names.fresh(w) for w in wanted[:2]) + (
                wanted[2],
                self.k.names.fresh(wanted[3]),
            )
            self.k.axis_names_cache[key] = names
        return self.k.axis_names_cache[key]


def _elements(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, (cst.List, cst.Tuple)):
        return [e.value for e in node.elements]
    return [node]


def _size_node(tensor: str, dim: int) -> cst.BaseExpression:
    return cst.parse_expression(f"{tensor}.size({dim})")


def _sizes_are_a_sequence(iterable: cst.BaseExpression) -> bool:
    """hl.tile([m]) / hl.tile(x.size()) yield lists of tiles; hl.tile(m) yields tiles."""
    if not isinstance(iterable, cst.Call):
        return False
    positional = [a.value for a in iterable.args if a.keyword is None]
    return bool(positional) and (
        isinstance(positional[-1], (cst.List, cst.Tuple))
        or whole_size_tensor(positional[-1]) is not None
    )
