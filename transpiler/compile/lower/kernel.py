"""Lowers one top-level device loop of a kernel into a @triton.jit function and its launch."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

import libcst as cst

from ..emit.codegen import Names, render
from ..emit.lines import PARAM_ORDER, BlockDefault, Line, LoweredKernel, Param
from ..frontend.aliases import Aliases
from ..frontend.host import HostInfo
from ..frontend.source import Source
from .allocations import Allocations
from .autotuning import TunedTiles, autotuned_blocks
from .block_sizes import RegisteredBlocks
from .block_views import BlockViews
from .bool_arithmetic import Noted, bool_partners, merged
from .branches import Branches
from .broadcasting import Broadcasting
from .calls import Calls
from .carried import Carried
from .composites import Composites
from .config_literals import config_value
from .container_reads import refuse_container_reads
from .descriptors import Descriptor, DescriptorCopies
from .dots import Dots
from .escapes import Escapes
from .expressions import Expressions
from .hl_calls import HlCalls
from .indexing import Indexing
from .inlining import Inliner
from .inner_loops import InnerLoops
from .jagged import Jagged
from .joins import Joins
from .launch import AutotunedBlocks, FixedBlocks, LaunchFacts, launch_lines
from .loads import Loads
from .loop_blocks import LoopBlocks
from .loop_calls import LoopCalls
from .loop_checks import rank_checks
from .loop_names import bound_names, subscripted_names, user_names
from .memory import Memory
from .norms import Norms
from .operators import Operators
from .per_block import PerBlockValues
from .plan import LoopPlan, PlannedPairs
from .programs import PersistentPrograms
from .random import Random
from .range_loops import RangeLoops
from .reduction_loops import ReductionLoops, restructure
from .reductions import Reductions
from .reused_loads import ReusedLoads
from .row_evictions import with_evictions
from .scans import Scans
from .slices import Slices
from .specialised import Specialisations
from .split_k import Definitions, SplitK
from .stages import BranchLoads, LoopLoad, innermost, stage_lines
from .statements import Statements
from .stores import Stores
from .tensor_tuples import TensorTuples, TupleElement
from .top_loop import TopLoop
from .torch_ops import TorchOps
from .values import HOST_TENSOR, Axis, Dims, Value
from .views import Views
from .while_loops import WhileLoops
from .whole_axes import WholeAxes

# the hub's fields: one component per job of lowering, each a plain class holding the hub
COMPONENTS = {
    "statements": Statements,
    "carried": Carried,
    "branches": Branches,
    "top_loop": TopLoop,
    "loop_calls": LoopCalls,
    "loop_blocks": LoopBlocks,
    "inner_loops": InnerLoops,
    "range_loops": RangeLoops,
    "jagged": Jagged,
    "expressions": Expressions,
    "operators": Operators,
    "broadcasting": Broadcasting,
    "calls": Calls,
    "hl_calls": HlCalls,
    "torch_ops": TorchOps,
    "reductions": Reductions,
    "views": Views,
    "allocations": Allocations,
    "joins": Joins,
    "dots": Dots,
    "memory": Memory,
    "random": Random,
    "escapes": Escapes,
    "inliner": Inliner,
    "scans": Scans,
    "norms": Norms,
    "composites": Composites,
    "indexing": Indexing,
    "loads": Loads,
    "stores": Stores,
    "whole_axes": WholeAxes,
    "block_views": BlockViews,
    "registered_blocks": RegisteredBlocks,
    "slices": Slices,
    "tensor_tuples": TensorTuples,
    "descriptor_copies": DescriptorCopies,
    "reused_loads": ReusedLoads,
    "while_loops": WhileLoops,
}


class KernelBuilder:
    """State of one device loop's lowering: names, parameters, scopes and emitted lines."""

    # the components, one per job (COMPONENTS): each holds this hub as `k`, its state and its siblings
    statements: Statements
    carried: Carried
    branches: Branches
    top_loop: TopLoop
    loop_calls: LoopCalls
    loop_blocks: LoopBlocks
    inner_loops: InnerLoops
    range_loops: RangeLoops
    jagged: Jagged
    expressions: Expressions
    operators: Operators
    broadcasting: Broadcasting
    calls: Calls
    hl_calls: HlCalls
    torch_ops: TorchOps
    reductions: Reductions
    views: Views
    allocations: Allocations
    joins: Joins
    dots: Dots
    memory: Memory
    random: Random
    escapes: Escapes
    inliner: Inliner
    scans: Scans
    norms: Norms
    composites: Composites
    indexing: Indexing
    loads: Loads
    stores: Stores
    whole_axes: WholeAxes
    block_views: BlockViews
    registered_blocks: RegisteredBlocks
    slices: Slices
    tensor_tuples: TensorTuples
    descriptor_copies: DescriptorCopies
    reused_loads: ReusedLoads
    while_loops: WhileLoops

    def __init__(
        self,
        source: Source,
        aliases: Aliases,
        host: HostInfo,
        kernel_name: str,
        host_names: Names,
        settings: dict[str, object],
        plan: LoopPlan,
    ) -> None:
        self.source = source
        self.aliases = aliases
        self.host = host
        self.kernel_name = kernel_name
        self.host_names = host_names
        self.settings = settings
        self.names = Names()
        self.params: dict[str, Param] = {}
        self.param_for_launch: dict[str, str] = {}
        self.constexprs: dict[str, str] = {}  # BLOCK_N → launcher expression
        self.even_flags: dict[str, str] = {}  # EVEN_N → launcher test: every tile along n whole
        self.lines: list[Line] = []
        self.launch_lines: list[Line] = []
        # `x.view(-1)` read in the loop → the host name the launcher binds it to (flat_views.py)
        self.flat_views: dict[str, tuple[str, int]] = {}  # ... and the line reading it
        self.depth = 1
        self.scope: dict[str, Value] = {}
        self.helpers: set[str] = set()
        self.axis_names_cache: dict[tuple[str, str], tuple[str, str, str, str]] = {}
        self.full_axes: dict[str, Axis] = {}
        self.full_axis_set: set[Axis] = set()
        self.all_axes: list[Axis] = []
        self.preamble_end = 0
        self.host_helpers: set[str] = set()
        self.plan = plan
        # config block sizes fill the tiles in loop order, across the kernel's loops
        self.block_sizes = list(_block_sizes(settings))[plan.block_offset :]
        self.per_block = PerBlockValues()  # reductions over grid tiles: never a branch's test
        self.argument_checks: list[str] = []  # launcher `require`s on argument values
        self.addressing = 0  # subscript indices being lowered: their arithmetic is address math
        self.index_tensors: set[str] = set()  # tensors whose loaded values index other tensors
        # (index tensor, indexed tensor, dim, line): argument values indexing unchanged
        self.index_reads: set[tuple[str, str, int, int]] = set()
        self.branch_conflicts: dict[str, tuple] = {}  # name → (error, why branches disagree, hint)
        self.block_offset = plan.block_offset  # config block sizes earlier device loops took
        self.has_inner_tiles = False
        self.tensor_names: set[str] = set()
        self.checked_ranks: dict[str, int] = {}
        self.unified = PlannedPairs(plan.key_aliases)  # sizes shown equal only at run time
        self.product_sizes: dict[str, int] = {}  # size keys of a product's K → its line
        self.product_operands: dict[int, set[str]] = {}  # a product's line → its tensors
        self.key_aliases = plan.key_aliases  # size key → the key of the axis standing for it
        self.direct_value: cst.CSTNode | None = None  # an assignment's value: loads need no name
        self.direct_target: cst.CSTNode | None = None  # ... and its target
        self.native_loads: set[cst.CSTNode] = set()  # subscripts loaded as stored (dot operands)
        self.dot_axes: dict[Axis, str] = {}  # axes of tl.dot operands: "mn" or "k"
        self.dot_k_nodes: dict[Axis, cst.CSTNode] = {}  # each K axis's first product
        self.explicit_blocks: set[str] = set()  # block sizes the user fixed
        self.device_loop: cst.For | None = None  # the top-level loop this kernel lowers
        self.config_blocks: set[str] = set()  # ... of them, those a config's block_sizes chose
        self.unit_blocks: set[str] = set()  # block sizes the user fixed at 1
        # tile block sizes in the order config block_sizes fill them
        self.tile_blocks: list[str] = []
        # BLOCK_N → the tile it steps (`tile_n`; `tile#1` for dimension 1 of one loop name), as
        # the cost model names its loops' blocks (analysis/perf/walk.py)
        self.block_tiles: dict[str, str] = {}
        self.inner_blocks: set[str] = set()  # block sizes of inner tile loops (tuned)
        self.inner_beside: dict[str, tuple[str, ...]] = {}  # an inner block → the enclosing
        # tiles' blocks its every value spans too (hl.jagged_tile's: loop_blocks.py)
        self.inner_loop_blocks: set[str] = set()  # ... and the fixed ones: reused by name
        self.coverage: list[tuple[str, int, Axis]] = []  # (tensor, dim, tile axis indexing it)
        self.index_reaches: list[str] = []  # launcher checks of computed indices (index_reach.py)
        self.ranged_ends: dict[str, tuple[str, str]] = {}  # hl.tile(m, n)'s n → its line, fix
        # ... of scalar indices from tile attributes, after the block sizes (scalar_reach.py)
        self.block_reaches: list[str] = []
        self.guards: list[set[str]] = []  # the names each enclosing runtime `if` tests
        self.scalar_codes: dict[str, ast.expr] = {}  # a name assigned once: its scalar's code
        self.index_ranges: dict[str, tuple[ast.expr, ast.expr]] = {}  # hl.grid index: first, end
        self.assigned: frozenset[str] = frozenset()  # names the loop's body assigns
        self.reassigned: frozenset[str] = frozenset()  # ... more than once, or as a loop target
        self.slice_ends: set[tuple[str, int, str]] = set()  # (tensor, dim, host end of a slice)
        self.slice_starts: set[tuple[str, str, str]] = set()  # (the slice, host start, end)
        self.unpadded: set[str] = set()  # whole dimensions a reshape splits or merges
        self.group_constexpr: str | None = None  # GROUP_M of a grouped program order
        self.autotuned: AutotunedBlocks | None = None  # keep_autotune: what the configs set
        self.squeeze_units = plan.squeeze_units  # block-size-1 tiles: no Triton dimension
        self.user_functions: dict[str, str] = {}  # @triton.jit sources given to hl.triton_kernel
        self.callables = plan.callables  # callable parameter → InlineCallable (None: at the call)
        self.inlining: tuple | None = None  # (name, callable, readable names) while inlining
        self.none_tiles = plan.none_tiles  # (view node id, dim) → the squeezed tile it stands for
        self.stored_tensors: set[str] = set()  # host tensors the kernel writes
        self.unsynced_stores: set[str] = set()  # ... written since the last tl.debug_barrier()
        self.later_host_names = plan.later_host_names  # names host code after this loop reads
        self.loop_depth = 0  # how many loops inside the program enclose the current statement
        self.loop_loads: list[LoopLoad] = []  # (tensor, dims, loop) of loads inside loops
        self.loop_path: list[tuple[int, bool]] = []  # the open loops: (id, a loop at run time)
        self.outer_loops: set[int] = set()  # loops with a run-time loop inside: not pipelined
        self.loops_opened = 0  # run-time loops so far (a loop's id; 0: none, the program's)
        self.split_loads: dict[str, BranchLoads] = {}  # SPLIT_* → its branches' loop loads
        # host tensor → the first source line doing arithmetic on its loaded values (bool refused)
        # and the tensors beside whose bools alone it is wrong (bool_arithmetic.py)
        self.arithmetic_on: dict[str, Noted] = {}
        self.factors_on: dict[str, int] = {}  # tensor → the first float product it is a factor of
        self.integers_on: dict[int, list[tuple[tuple[str, ...], ...]]] = {}  # integer_promotion
        self.numbers_on: dict[str, tuple[int, int, int, tuple[str, ...]]] = {}
        self.floats_on: dict[str, tuple[int, str]] = {}
        # tensor → (line, argument): a parameter annotated `float` meets it (an int is refused)
        self.float_parameters_on: dict[str, tuple[int, str]] = {}
        # the tensors feeding what a float function (exp, sigmoid, ...) takes: its first line
        self.float_math_on: dict[tuple[str, ...], int] = {}
        self.block_var_constexprs: dict[str, str] = {}  # register_block_size name → BLOCK_*
        self.registered_roles: dict[str, str] = {}  # register_block_size name → how a loop uses it
        self.block_var_axes: dict[str, Axis] = {}  # ... → its axis in hl.zeros shapes
        self.specialisations = Specialisations(source, host)  # arguments specialised on
        self.constexpr_names: dict[str, ast.expr] = {}  # `n2 = BLOCK_K * 2`: n2 → BLOCK_K * 2
        self.lanes_axes: dict[str, Axis] = {}  # `BLOCK_K * 2` → the axis shapes of it give
        self.slice_axes: dict[tuple, Axis] = {}  # x[..., lo:hi] → its axis
        self.program_start = 0  # index in `lines` of the program's first per-tile line
        self.access_is_tiles = False  # the latest tensor access: a tile or ':' per dimension
        self.descriptor_dims: Dims = ()  # ... its dims as a descriptor sees them (indexing.py)
        self.persistent: PersistentPrograms | None = None  # pid_type: programs walking tiles
        self.descriptors_wanted = False  # indexing="tensor_descriptor" (read once per loop)
        self.descriptors: list[Descriptor] = []  # indexing="tensor_descriptor": TMA copies
        self.tma_flag: str | None = None  # the constexpr choosing them over pointers
        self.inner_loops_seen = 0  # inner tile loops lowered so far (range_warp_specializes)
        self.warp_specialized_lines: list[Line] = []  # their `for` lines, when specialized
        self.tuple_elements: dict[str, TupleElement] = {}  # `for a in tensors:` loop variables
        self.signal_pad_world_sizes: set[str] = set()  # symm_mem_sync per program: its ranks
        # config reduction_loops: a whole dimension walked in chunks (reduction_loops.py)
        self.reduction_loops = ReductionLoops.from_settings(settings)
        self.reduction_loops.chunks = self.reduction_loops.chunks[plan.whole_offset :]
        self.tail = plan.tail  # a host-side sum / mean to fuse (host_tails.py)
        # products whose K is a whole dimension, also looped over chunks of K (split_k.py)
        self.definitions = Definitions()  # names' assignments, to compute operands again
        self.k_split: SplitK | None = None  # set while a product's operands are lowered again
        self.split_flags: dict[str, str] = {}  # SPLIT_* / CHUNK_* constexpr → launcher test
        self.split_products: set[str] = set()  # names split_k.py sums a product's chunks into
        self.narrow_blocks: dict[str, str] = {}  # a tile's default beside a whole M or N
        # the components (COMPONENTS)
        for field, component in COMPONENTS.items():
            setattr(self, field, component(self))

    def lowering(self, path: str) -> Callable:
        """An hl row's lowering (`"dots.dot_call"`) → that component's method."""
        field, method = path.split(".")
        return getattr(getattr(self, field), method)

    # -- emitting -------------------------------------------------------------------------

    def emit(self, node: ast.AST | str, source_line: int) -> None:
        text = node if isinstance(node, str) else render(node)
        for piece in text.splitlines():
            self.lines.append(Line(self.depth, piece, source_line))

    def sync_before_load(self, tensor: str, source_line: int) -> None:
        """A load of a tensor this program stored to earlier: `tl.debug_barrier()` first.
        Triton gives no order between one thread's global store and another thread's load in
        the same program, and the two seldom share a layout (a dot's result stored, then loaded
        as a dot operand): without the barrier some lanes read the old contents on a GPU."""
        if tensor in self.unsynced_stores:
            self.emit("tl.debug_barrier()", source_line)
            self.unsynced_stores.clear()

    def make_line(self, depth: int, text: str, source_line: int) -> Line:
        return Line(depth, text, source_line)

    def insert_lines(self, at: int, lines: list[Line], replacing: int = 0) -> None:
        """Lines placed after the fact, before the line at index `at` (where a loop began,
        the preamble's end, a branch's mark: `index_of`), in their order; `replacing` lines
        there give way to them (a persistent program's header)."""
        self.lines[at : at + replacing] = lines

    def index_of(self, mark: Line) -> int:
        """Where a line kept as a mark is now (lines inserted above it move it)."""
        return next(index for index, held in enumerate(self.lines) if held is mark)

    def emit_comment(self, node: cst.CSTNode) -> int:
        """`# line N: <source>` above the code for a source statement; returns N."""
        lineno = self.source.line_of(node)
        text = self.source.line_text(lineno).strip()
        self.lines.append(Line(self.depth, f"# line {lineno}: {text}", lineno))
        return lineno

    def use_helper(self, name: str) -> None:
        self.helpers.add(name)

    # -- parameters -----------------------------------------------------------------------

    def param(self, wanted: str, launch: str, kind: str) -> str:
        """The kernel parameter carrying host expression `launch`, added on first use."""
        if launch in self.param_for_launch:
            return self.param_for_launch[launch]
        if wanted == launch and launch.isidentifier():
            name = launch  # a host name keeps its name in the kernel
            self.names.taken.add(name)
        else:
            name = self.names.fresh(wanted)
        self.params[name] = Param(name, launch, kind)
        self.param_for_launch[launch] = name
        return name

    def constexpr(self, wanted: str, launch: str) -> str:
        name = self.names.fresh(wanted)
        self.host_names.taken.add(name)
        self.constexprs[name] = launch
        return name

    def mask_line(self, mask: str, offsets: str, end: str, block: str, whole: str | None) -> str:
        """`mask_n = offs_n < n`; with `whole` (a launcher test that every tile along the axis is
        whole), `| EVEN_N` is added: a constexpr that lets Triton drop the mask when it holds."""
        if whole is None:
            return f"{mask} = {offsets} < {end}"
        wanted = "EVEN_" + offsets.removeprefix("offs_").upper()
        flag = next((f for f, test in self.even_flags.items() if test == whole), None)
        if flag is None:
            flag = self.names.fresh(wanted)
            self.host_names.taken.add(flag)
            self.even_flags[flag] = whole
        return f"{mask} = ({offsets} < {end}) | {flag}"

    def tensor_pointer(self, tensor: str) -> str:
        self.tensor_names.add(tensor)
        # `for a in tensors:`: a_ptr, no parameter
        element = self.tensor_tuples.tuple_element_pointer(tensor)
        return element or self.param(f"{tensor}_ptr", tensor, "tensor")

    def stride(self, tensor: str, dim: int) -> str:
        return self.param(f"{tensor}_stride_{dim}", f"{tensor}.stride({dim})", "stride")

    def broadcast_stride(self, tensor: str, dim: int) -> str:
        """The stride for an index computed in the kernel: 0 where the dimension is 1, so any
        index reads its one element (Helion drops a dimension of 1 from the offset; torch would
        broadcast it). `block_mask[b, h, row]` of a [1, 1, 1] mask reads element 0."""
        launch = f"{tensor}.stride({dim}) if {tensor}.size({dim}) != 1 else 0"
        return self.param(f"{tensor}_stride_{dim}", launch, "stride")

    def size_param(self, key: str) -> str:
        """The kernel parameter for a host size (`n`, or `x.size(1)` as `x_size_1`)."""
        user_name = self.host.name_for_key(key)
        if user_name is not None:
            return self.param(user_name, user_name, "size")
        wanted = key.replace(".size(", "_size_").replace(")", "").replace("-", "neg")
        return self.param(wanted if wanted.isidentifier() else "size", key, "size")

    # -- the kernel -----------------------------------------------------------------------

    def build(self, loop: cst.For) -> LoweredKernel:
        self.registered_blocks.take_registered_sizes()
        self._reserve_user_names(loop)
        self.device_loop = loop
        refuse_container_reads(self, loop)
        self.tensor_names_used = subscripted_names(loop) - set(self.host.size_tuples)
        self.native_loads |= self.dots.dot_only_loads(loop.body)
        self.top_loop.lower_top_loop(loop)
        roles = {axis.block: role for axis, role in self.dot_axes.items()}
        default_role = "rows" if self.full_axes else "tile"
        tunables = [
            (name, roles.get(name, "reduce" if name in self.inner_blocks else default_role))
            for name in self.tile_blocks
        ]
        if not self.block_offset:  # Helion's config numbers registered block sizes first
            registered = [
                (
                    self.registered_blocks.block_size_constexpr(var),
                    self.registered_roles.get(var, "outer"),
                )
                for var in self.host.registered_order
                if var in self.host.block_size_vars
            ]
            tunables[:0] = [
                (name, roles.get(name, "reduce" if use == "inner" else default_role))
                for name, use in registered
            ]
        return LoweredKernel(
            self.kernel_name,
            self._kernel_text(loop),
            self.launch_lines,
            self.helpers,
            self.host_helpers,
            tunables,
            self.user_functions,
            tuple(self.reduction_loops.whole_keys),
            tuple(
                BlockDefault(
                    name,
                    self.block_tiles.get(name),
                    self.constexprs.get(name),
                    self.plan.tile_axes.get(self.block_tiles.get(name, ""), 1),
                )
                for name, _ in tunables
            ),
            bool(self.split_flags),
        )

    def _reserve_user_names(self, loop: cst.For) -> None:
        self.names.taken.update(self.source.once(user_names, loop, loop))
        self.names.taken.update({"tl", "triton", "torch"})
        self.assigned, self.reassigned = self.source.once(bound_names, loop, loop)

    def _kernel_text(self, loop: cst.For) -> list[Line]:
        lineno = self.source.line_of(loop)
        ordered = sorted(self.params.values(), key=lambda p: PARAM_ORDER.index(p.kind))
        names = [p.name for p in ordered] + [f"{c}: tl.constexpr" for c in self.flag_names()]
        header = [Line(0, self.autotuned.decorator, lineno)] if self.autotuned else []
        header += [
            Line(0, "@triton.jit", lineno),
            Line(0, f"def {self.kernel_name}({', '.join(names)}):", lineno),
        ]
        floats = [p.name for p in ordered if p.kind == "scalar" and p.launch in self.host.floats]
        # a Python float never widens a tensor in torch; Triton's launcher passes it as float32,
        # torch.compile as float64 (which would widen every tensor it touches): float32 it is
        weak = [Line(1, f"{name} = tl.cast({name}, tl.float32)", lineno) for name in floats]
        lines = self.lines
        if self.reduction_loops.looped is not None:
            lines = restructure(self, lines)
        lines = with_evictions(self.params, lines)  # a row read by two loops stays in L2
        return header + weak + _without_unused_axis_lines(lines)

    def flag_names(self) -> list[str]:
        """The kernel's constexpr parameters, in order: block sizes and the like, the EVEN_*
        flags, TENSOR_DESCRIPTORS when the kernel copies through descriptors."""
        flags = [*self.constexprs, *self.even_flags, *self.split_flags]
        return [*flags, self.tma_flag] if self.descriptors else flags

    def launcher(self, loop: cst.For, grid: list[str], depth: int) -> None:
        """The host lines: checks, block sizes, the grid, the launch (launch.py)."""
        lineno = self.source.line_of(loop)
        text = self.source.line_text(lineno).strip()
        self.launch_lines.append(Line(depth, f"# line {lineno}: {text}", lineno))
        for written, (name, line) in self.flat_views.items():  # before the checks reading them
            text = f"{name} = {written}  # line {line} indexes it"
            self.launch_lines.append(Line(depth, text, line))
        checks = rank_checks(self, loop)
        tiles = TunedTiles(tuple(self.tile_blocks), self.group_constexpr, self.block_offset)
        self.autotuned = autotuned_blocks(
            self.source, loop, self.settings, tiles, self.params.values()
        )
        # configs that set no block size (a loop without tiles): the launcher sets the rest
        tuned = self.autotuned is not None and self.autotuned.names
        blocks = self.autotuned if tuned else FixedBlocks()
        descriptor_lines = self.descriptor_copies.descriptor_launch_lines()
        stage_bound, stages = [], None
        if not blocks.names and self.dot_axes:  # products in loops: their loads' stages
            stage_bound, stages = stage_lines(
                innermost(self.loop_loads, self.outer_loops),
                {
                    flag: BranchLoads(
                        branch.size,
                        innermost(branch.chunked, set()),  # the chunks' loop: always innermost
                        innermost(branch.whole, self.outer_loops),
                    )
                    for flag, branch in self.split_loads.items()
                },
                [*self.constexprs, *self.split_flags],
                self.settings,
                self.host_names.fresh,
            )
        if self.signal_pad_world_sizes and not blocks.names:  # symm_mem_sync's slots
            self.host_helpers.add("require_signal_pad")
        if self.block_reaches:
            self.host_helpers.add("require")
        ordered = sorted(self.params.values(), key=lambda p: PARAM_ORDER.index(p.kind))
        facts = LaunchFacts(
            kernel=self.kernel_name,
            line=lineno,
            checks=tuple(checks),
            block_checks=tuple(dict.fromkeys(self.block_reaches)),
            constexprs=tuple(self.constexprs.items()),
            even_flags=tuple(self.even_flags.items()),
            split_flags=tuple(self.split_flags.items()),
            descriptor_lines=tuple(descriptor_lines),
            stage_lines=tuple(stage_bound),
            stages=stages,
            grid=tuple(grid),
            signal_pads=tuple(str(size) for size in sorted(self.signal_pad_world_sizes)),
            arguments=tuple(p.launch for p in ordered),
            flags=tuple(self.flag_names()),
            settings=self.settings,
        )
        self.launch_lines.extend(launch_lines(facts, blocks, depth))

    def open_loop(self, at_run_time: bool = True) -> None:
        """A loop inside the program begins (`at_run_time`: False for one Triton unrolls,
        tl.static_range's: its loads are its enclosing loop's)."""
        self.loop_depth += 1
        if at_run_time:
            enclosing = [loop for loop, run in self.loop_path if run]
            if enclosing:
                self.outer_loops.add(enclosing[-1])
            self.loops_opened += 1
            self.loop_path.append((self.loops_opened, True))
        else:
            self.loop_path.append((0, False))

    def close_loop(self) -> None:
        self.loop_depth -= 1
        self.loop_path.pop()

    def note_load(self, tensor: str, dims: Dims) -> None:
        """A load inside a loop: the launcher bounds num_stages by what such loads buffer."""
        if self.loop_depth:
            enclosing = [loop for loop, run in self.loop_path if run]
            self.loop_loads.append((tensor, dims, enclosing[-1] if enclosing else 0))

    def note_arithmetic(self, operands, node: cst.CSTNode, operator: str = "") -> None:
        """Arithmetic on loaded values: a bool tensor there would compute wrongly in Triton
        (i1 arithmetic wraps: True + True is False), so the launcher refuses it (rank_checks),
        beside an integer or a float only where `operator` needs it (bool_arithmetic.py)."""
        line = self.source.line_of(node)
        operands = list(operands)
        for index, operand in enumerate(operands):
            partners = bool_partners(self, operator, operands, index)
            if partners == frozenset():
                continue
            for tensor in operand.loaded_from:
                # beside its own bool (`x * x`): wrong wherever it is bool, a plain line
                own = None if partners is not None and tensor in partners else partners
                self.arithmetic_on[tensor] = merged(self.arithmetic_on.get(tensor), line, own)

    def host_tensor(self, name: str) -> Value:
        return Value(HOST_TENSOR, ast.Name(id=name, ctx=ast.Load()), name=name)


def _without_unused_axis_lines(lines: list[Line]) -> list[Line]:
    """Drops `offs_x = ...` / `mask_x = ...` of a tile nothing reads (one used only through
    `.begin`, `.end` or `.id`, as a split-K chunk is): the kernel reads as what it uses."""
    assigned = re.compile(r"((?:offs|mask)_\w+) = ")
    kept = list(lines)
    while True:
        text = "\n".join(line.text for line in kept)
        unused = {
            index
            for index, line in enumerate(kept)
            if (found := assigned.match(line.text))
            and len(re.findall(rf"\b{found.group(1)}\b", text)) == 1
        }
        if not unused:
            return kept
        kept = [line for index, line in enumerate(kept) if index not in unused]


def _block_sizes(settings: dict[str, object]) -> list[int | None]:
    sizes = config_value(settings, "block_sizes")
    return list(sizes) if isinstance(sizes, (list, tuple)) else []
