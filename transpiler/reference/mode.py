"""Reference mode: the kernel's own source run eagerly in PyTorch, one tile per range."""

from __future__ import annotations

import functools
import itertools
import linecache
import os
import sys
import types
from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst
import libcst.matchers as m
from libcst.helpers import get_full_name_for_node
from libcst.metadata import MetadataWrapper, QualifiedNameProvider, QualifiedNameSource

from transpiler import language

from ..compile.ops.hl import DEVICE_LOOPS
from ..compile.ops.products import PRODUCTS_BY_QUALIFIED
from .config_blocks import ConfigBlocks
from .jagged_lanes import JaggedLanes
from .live_globals import HELION_PACKAGE, OWN_PACKAGE, reading_now, with_own_modules
from .runs_once import definitions_only
from .tiles import run_on_argument_device

# The private name the rewritten subscripts call `index` through; appended as an import at
# the end of the module (so user line numbers stay put) and seeded into the exec namespace.
INDEX_ALIAS = "_reference_hl"
INDEX_IMPORT = f"import transpiler.language as {INDEX_ALIAS}\n"
KERNEL_DECORATORS = frozenset(
    {"helion.kernel", "transpiler.kernel", "helion.aot_kernel", "transpiler.aot_kernel"}
)


def _is_kernel_reference(transformer: m.MatcherDecoratableTransformer, node: cst.CSTNode) -> bool:
    """Whether `node` names `helion.kernel`/`transpiler.kernel`, through any import alias."""
    names = transformer.get_metadata(QualifiedNameProvider, node, set())
    if names:
        return any(
            name.name in KERNEL_DECORATORS and name.source == QualifiedNameSource.IMPORT
            for name in names
        )
    # Unbound here (e.g. imported in an earlier notebook cell): trust the spelling.
    return get_full_name_for_node(node) in KERNEL_DECORATORS


def _is_kernel_decorator(
    transformer: m.MatcherDecoratableTransformer, decorator: cst.Decorator
) -> bool:
    """`@helion.kernel`, `@helion.kernel(...)` or an alias of either."""
    target = decorator.decorator
    if m.matches(target, m.Call()):
        target = cst.ensure_type(target, cst.Call).func
    return m.matches(target, m.Name() | m.Attribute()) and _is_kernel_reference(transformer, target)


# Subscript elements that already index eagerly: slices, `None`, `...` and literals.
LITERAL_INDEX = m.Index(
    value=m.Name("None")
    | m.Ellipsis()
    | m.Integer()
    | m.UnaryOperation(operator=m.Minus(), expression=m.Integer())
    | m.SimpleString()
    | m.ConcatenatedString()
)
INDEX_TO_WRAP = m.SubscriptElement(slice=m.Index(star=None) & ~LITERAL_INDEX)


# torch's products that take an out_dtype, by qualified name → their name in reference/products.py
EAGER_PRODUCTS = {
    qualified: op.name
    for qualified, op in PRODUCTS_BY_QUALIFIED.items()
    if qualified.startswith("torch.") and op.out_dtype is not None
}
DEVICE_LOOP = m.For(iter=m.Call(func=m.Attribute(attr=m.OneOf(*map(m.Name, DEVICE_LOOPS)))))


class TileIndexRewriter(m.MatcherDecoratableTransformer):
    """Inside kernels, wraps each subscript element `e` as `_reference_hl.index(e)`."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.in_kernel: list[bool] = []  # per enclosing function: is it (inside) a kernel
        self.annotation_depth = 0

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        inside_kernel = bool(self.in_kernel) and self.in_kernel[-1]
        is_kernel = any(_is_kernel_decorator(self, decorator) for decorator in node.decorators)
        # a helper holding a device loop runs inside a kernel's loop: its tiles index too
        holds_loop = bool(m.findall(node, DEVICE_LOOP))
        self.in_kernel.append(inside_kernel or is_kernel or holds_loop)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.in_kernel.pop()
        return updated_node

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self.annotation_depth += 1

    def leave_Annotation(
        self, original_node: cst.Annotation, updated_node: cst.Annotation
    ) -> cst.Annotation:
        self.annotation_depth -= 1
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        """torch's products with an out_dtype overload (torch.bmm, addmm, ...) call reference
        mode's (reference/products.py): torch runs that overload on CUDA only, and addmm's
        float32 accumulator with half factors, which Helion allows, not at all."""
        if not (self.in_kernel and self.in_kernel[-1]):
            return updated_node
        names = {
            q.name for q in self.get_metadata(QualifiedNameProvider, original_node.func, set())
        }
        for name in sorted(names & set(EAGER_PRODUCTS)):
            return updated_node.with_changes(
                func=cst.Attribute(value=cst.Name(INDEX_ALIAS), attr=cst.Name(EAGER_PRODUCTS[name]))
            )
        return updated_node

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        """`out[tile] = value` stores in out's dtype: `_reference_hl.stored(out, value)`."""
        if not (self.in_kernel and self.in_kernel[-1]) or len(updated_node.targets) != 1:
            return updated_node
        target = updated_node.targets[0].target
        if not isinstance(target, cst.Subscript):
            return updated_node
        call = cst.Call(
            func=cst.Attribute(value=cst.Name(INDEX_ALIAS), attr=cst.Name("stored")),
            args=[cst.Arg(target.value), cst.Arg(updated_node.value)],
        )
        return updated_node.with_changes(value=call)

    @m.leave(INDEX_TO_WRAP)
    def wrap_index(
        self, original_node: cst.SubscriptElement, updated_node: cst.SubscriptElement
    ) -> cst.SubscriptElement:
        if not (self.in_kernel and self.in_kernel[-1]) or self.annotation_depth:
            return updated_node
        element = cst.ensure_type(updated_node.slice, cst.Index)
        call = cst.Call(
            func=cst.Attribute(value=cst.Name(INDEX_ALIAS), attr=cst.Name("index")),
            args=[cst.Arg(element.value)],
        )
        return updated_node.with_changes(slice=element.with_changes(value=call))


def _blank_lines_for(decorator: cst.Decorator) -> list[cst.EmptyLine]:
    """A removed decorator's comment lines, then one blank line per line of its code."""
    code = cst.Module([]).code_for_node(decorator.with_changes(leading_lines=()))
    return [*decorator.leading_lines, *[cst.EmptyLine(indent=False)] * code.count("\n")]


class KernelDecoratorRemover(m.MatcherDecoratableTransformer):
    """Drops `@helion.kernel(...)` (and aliases) so the function runs as plain Python.

    Removed lines become blank lines, so the user's code keeps its line numbers.
    """

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        kept: list[cst.Decorator] = []
        pending: list[cst.EmptyLine] = []
        for original, decorator in zip(original_node.decorators, updated_node.decorators):
            if _is_kernel_decorator(self, original):
                pending.extend(_blank_lines_for(decorator))
            else:
                kept.append(
                    decorator.with_changes(leading_lines=[*pending, *decorator.leading_lines])
                )
                pending = []
        if len(kept) == len(updated_node.decorators):
            return updated_node
        return updated_node.with_changes(
            decorators=kept,
            lines_after_decorators=[*pending, *updated_node.lines_after_decorators],
        )


def _package_of(name: cst.BaseExpression) -> str:
    return (get_full_name_for_node(name) or "").split(".")[0]


def _own_dotted_name(name: cst.BaseExpression) -> cst.Name | cst.Attribute:
    """`helion.x.y` → `transpiler.x.y` (the innermost name is the package)."""
    if isinstance(name, cst.Attribute):
        return name.with_changes(value=_own_dotted_name(name.value))
    return cst.ensure_type(name, cst.Name).with_changes(value=OWN_PACKAGE)


HELION_MODULE = m.Name(HELION_PACKAGE) | m.Attribute(
    value=m.MatchIfTrue(lambda value: _package_of(value) == HELION_PACKAGE)
)


class HelionImportRewriter(m.MatcherDecoratableTransformer):
    """Imports of `helion` become imports of `transpiler`, binding the same names."""

    @m.leave(m.ImportFrom(module=HELION_MODULE, relative=[]))
    def rewrite_from_import(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        module = cst.ensure_type(updated_node.module, (cst.Name, cst.Attribute))
        return updated_node.with_changes(module=_own_dotted_name(module))

    @m.leave(m.Import(names=[m.ZeroOrMore(), m.ImportAlias(name=HELION_MODULE), m.ZeroOrMore()]))
    def rewrite_import(self, original_node: cst.Import, updated_node: cst.Import) -> cst.Import:
        names: list[cst.ImportAlias] = []
        for alias in updated_node.names:
            names.extend(self._own_aliases(alias))
        return updated_node.with_changes(names=names)

    @staticmethod
    def _own_aliases(alias: cst.ImportAlias) -> Sequence[cst.ImportAlias]:
        alias = alias.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        if not m.matches(alias.name, HELION_MODULE):
            return [alias]
        own_name = _own_dotted_name(alias.name)
        if alias.asname is not None or isinstance(alias.name, cst.Name):
            asname = alias.asname or cst.AsName(name=cst.Name(HELION_PACKAGE))
            return [alias.with_changes(name=own_name, asname=asname)]
        # `import helion.language` binds `helion` and loads the submodule: do both.
        return [
            cst.ImportAlias(
                name=cst.Name(OWN_PACKAGE), asname=cst.AsName(name=cst.Name(HELION_PACKAGE))
            ),
            cst.ImportAlias(name=own_name, asname=cst.AsName(name=cst.Name("_reference_module"))),
        ]


REFERENCE_PASSES: tuple[type[cst.CSTTransformer], ...] = (
    TileIndexRewriter,
    KernelDecoratorRemover,
    HelionImportRewriter,
)


def rewrite_for_reference(source: str, blocks: dict[str, Sequence] | None = None) -> str:
    """Run the reference passes over `source` (without the trailing private import);
    `blocks`: a kernel's config block sizes where not the decorator's (config_blocks.py)."""
    module = cst.parse_module(source).visit(ConfigBlocks(blocks)).visit(JaggedLanes())
    for reference_pass in REFERENCE_PASSES:
        module = MetadataWrapper(module).visit(reference_pass())
    return module.code


def reference_source(source: str, blocks: dict[str, Sequence] | None = None) -> str:
    """`source` rewritten to run eagerly: helion → transpiler, no kernel decorators, tiles
    as slices in subscripts, statements that only run left out; user lines keep their
    line numbers. Text in, text out: a source rewritten once is not rewritten again (a file
    of many kernels, one reference each, took 0.4 s of libcst per kernel)."""
    given = None if blocks is None else tuple((k, tuple(v)) for k, v in blocks.items())
    return _rewritten(source, given)


@functools.lru_cache(maxsize=64)
def _rewritten(source: str, blocks: tuple[tuple[str, tuple], ...] | None) -> str:
    rewritten = definitions_only(
        rewrite_for_reference(source, None if blocks is None else dict(blocks))
    )
    if not rewritten.endswith("\n"):
        rewritten += "\n"
    return rewritten + INDEX_IMPORT


def reference_function(
    source: str,
    name: str,
    *,
    filename: str = "<reference>",
    namespace: dict[str, Any] | None = None,
    block_sizes: Sequence | None = None,
) -> Callable[..., Any]:
    """The function `name` of `source`, built to run eagerly (reference mode); `block_sizes`:
    the config's, where the decorator's literal is not the one the kernel runs with."""
    rewritten = reference_source(source, None if block_sizes is None else {name: block_sizes})
    if filename.startswith("<") or not os.path.isfile(filename):
        # A source with no file: tracebacks show its lines, and a @triton.jit helper it
        # defines compiles for a GPU (Triton reads a function's source through inspect).
        linecache.cache[filename] = (len(rewritten), None, rewritten.splitlines(True), filename)
    scope = importable_scope(with_own_modules(namespace or {}), name)
    scope[INDEX_ALIAS] = language
    exec(compile(rewritten, filename, "exec"), scope)
    function = scope.get(name)
    if not callable(function):
        raise NameError(f"reference source defines no function named {name!r}")
    if namespace is None:
        return run_on_argument_device(function)
    return run_on_argument_device(reading_now(function, rewritten, scope, namespace))


def importable_scope(names: dict[str, Any], kernel: str) -> dict[str, Any]:
    """`names` as the globals of a module of their own in sys.modules: torch.compile (the
    magic's --bench) reads a function's globals back through `sys.modules[__name__]`, and the
    namespace's own `__main__` lacks what the reference adds to its copy (`_reference_hl`)."""
    module = types.ModuleType(f"transpiler_reference_{kernel}_{next(_SCOPES)}")
    module.__dict__.update({k: v for k, v in names.items() if k not in _MODULE_OWN})
    sys.modules[module.__name__] = module
    return module.__dict__


_SCOPES = itertools.count()
_MODULE_OWN = frozenset({"__name__", "__spec__", "__loader__", "__package__", "__file__"})


def run_reference(source: str, name: str, /, *args: Any, **kwargs: Any) -> Any:
    """Run kernel `name` of `source` eagerly on `args` and return its result."""
    return reference_function(source, name)(*args, **kwargs)
