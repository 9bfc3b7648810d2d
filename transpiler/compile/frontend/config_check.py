"""A kernel's Config checked before it shapes code: every field one Helion knows (or a tunable
the kernel registers), one block size per tunable tile, each a power of two."""

from __future__ import annotations

import ast

import libcst as cst
import libcst.matchers as m

from .errors import ConfigError, near_names
from .source import Source

# helion.Config's fields (Helion 1.5.0's `helion.Config` signature; tests/test_arguments_tables.py
# compares). All are performance choices: the ones lowering does not read (HONOURED below lists
# those it does) change speed in Helion, never results, so a config written for Helion runs here
# unchanged; the cute_* ones are read by Helion's CuTe backend only.
HELION_FIELDS = frozenset(
    """block_sizes num_threads loop_orders flatten_loops l2_groupings reduction_loops
    range_unroll_factors range_warp_specializes range_num_stages range_multi_buffers
    range_flattens static_ranges pallas_load_buffer_count load_eviction_policies
    load_cache_modifiers store_cache_modifiers num_warps num_stages pid_type num_sm_multiplier
    maxnreg indexing atomic_indexing advanced_controls_file epilogue_subtile xcd_remap
    cross_loop_pipeline host_tensor_descriptors cute_async_load_stages cute_async_load_lookahead
    cute_async_load_group_rows cute_async_load_cache cute_async_store_policy
    cute_bf16x2_recurrence cute_signed_bitfield_bf16 cute_proven_bounds
    cute_affine_scan_schedule cute_rng_packet cute_independent_reduction
    cute_replicated_reduction cute_vector_packet_unroll cute_vloop_sink cute_lane_unroll
    cute_pdl cute_packet_prefetch cute_reduction_pipeline_depth cute_host_paired_sum""".split()
)
# Fields whose values Triton constrains: field → (allowed values, hint)
FIELD_VALUES: dict[str, tuple[tuple[int, ...], str]] = {
    "num_warps": ((1, 2, 4, 8, 16, 32), "Triton's num_warps is a power of two from 1 to 32"),
    "num_stages": (tuple(range(1, 9)), "num_stages is a small positive number (1 to 8)"),
}
HONOURED = frozenset(
    "block_sizes num_warps num_stages l2_groupings pid_type indexing range_warp_specializes".split()
)
# Keys Helion's autotuner takes beyond Config's parameters (its snapshot's config_spec.VALID_KEYS:
# tests/helion_api.json), read only by its other backends (AMD's, CuTe's, Pallas') or by the
# launch of its own Triton kernels: speed choices, accepted and unread here like the fields above.
BACKEND_KEYS = frozenset(
    """cute_vector_widths matrix_instr_nonkdim num_ctas occupancy pallas_indirect_access_mode
    pallas_loop_type pallas_pre_broadcast pallas_worklist_grouping waves_per_eu""".split()
)
# ... and whole families of them, read by Helion's CuTe backend alone (its tcgen05 matmul and
# flash-attention strategies: more than a hundred keys, added to often)
BACKEND_KEY_FAMILIES = ("tcgen05_", "cute_flash_")


def helion_config_key(key: str) -> bool:
    """Whether Helion's config takes `key`: a field of its Config or a key of its backends."""
    return key in HELION_FIELDS or key in BACKEND_KEYS or key.startswith(BACKEND_KEY_FAMILIES)


_UNREADABLE = object()  # a field whose value is not a literal
# Helion's Config takes these one-entry spellings too (its ConfigSpec.normalize): `block_size=16`
# is `block_sizes=[16]`, `block_size=[16, 8]` is `block_sizes=[16, 8]` (flattened),
# `loop_order=(1, 0)` is `loop_orders=[(1, 0)]`. Both spellings of one field: left to the
# field check, which refuses the singular one.
SINGULAR_FIELDS = """block_size loop_order reduction_loop l2_grouping flatten_loop
range_unroll_factor range_warp_specialize range_num_stage range_multi_buffer range_flatten
static_range""".split()


def _as_plural(name: str, value: object) -> object:
    many = isinstance(value, (list, tuple)) and name != "loop_order"
    return list(value) if many else [value]


def plural_fields(config: dict) -> dict:
    """A config (a dict or Config) with Helion's singular spellings as the lists they mean."""
    if not any(name in config and f"{name}s" not in config for name in SINGULAR_FIELDS):
        return config
    plural = dict(config)
    for name in SINGULAR_FIELDS:
        if name in plural and f"{name}s" not in plural:
            plural[f"{name}s"] = _as_plural(name, plural.pop(name))
    return plural


def plural_config_text(text: str) -> str:
    """`helion.Config(block_size=16, ...)` (or a dict) as source text, with the lists the
    singular spellings mean: `helion.Config(block_sizes=[16], ...)`; other text unchanged."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text
    if isinstance(tree, ast.Call) and not tree.args:
        entries = [(k.arg, k, "arg", k, "value") for k in tree.keywords]
    elif isinstance(tree, ast.Dict):
        entries = [
            (k.value, k, "value", v, None)
            for k, v in zip(tree.keys, tree.values)
            if isinstance(k, ast.Constant)
        ]
    else:
        return text
    named = {name for name, *_ in entries}
    changed = False
    for name, key, key_field, value, value_field in entries:
        if name not in SINGULAR_FIELDS or f"{name}s" in named:
            continue
        node = getattr(value, value_field) if value_field else value
        many = isinstance(node, (ast.List, ast.Tuple)) and name != "loop_order"
        plural = ast.List(elts=list(node.elts)) if many else ast.List(elts=[node])
        setattr(key, key_field, f"{name}s")
        if value_field:
            setattr(value, value_field, plural)
        else:
            tree.values[tree.values.index(value)] = plural
        changed = True
    return ast.unparse(tree) if changed else text


def plural_configs_text(text: str) -> str:
    """`configs=[...]` as source text, each config's singular spellings as lists."""
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text
    if not isinstance(tree, (ast.List, ast.Tuple)):
        return text
    elements = [ast.unparse(e) for e in tree.elts]
    plural = [plural_config_text(e) for e in elements]
    return f"[{', '.join(plural)}]" if plural != elements else text


def config_fields(text: object) -> dict[str, object] | None:
    """The fields of a `config=` setting (source text of `helion.Config(...)` or a dict)."""
    if not isinstance(text, str):
        return None
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(tree, ast.Call) and not tree.args:
        pairs = [(k.arg, k.value) for k in tree.keywords if k.arg is not None]
    elif isinstance(tree, ast.Dict):
        pairs = [
            (k.value, v) for k, v in zip(tree.keys, tree.values) if isinstance(k, ast.Constant)
        ]
    else:
        return None
    fields = {}
    for key, node in pairs:
        try:
            fields[key] = ast.literal_eval(node)
        except ValueError:
            fields[key] = _UNREADABLE
    return fields


def registered_tunables(function: cst.FunctionDef) -> set[str]:
    """Names of `hl.register_tunable("name", ...)` calls in the kernel: fields of its configs."""
    names = set()
    for call in m.findall(function, m.Call(func=m.Attribute(attr=m.Name("register_tunable")))):
        if call.args and isinstance(call.args[0].value, cst.SimpleString):
            names.add(call.args[0].value.evaluated_value)
    return names


def _refuse_a_literal_config(source: Source, function: cst.FunctionDef, text: object) -> None:
    """`config=[32]`, `config=32`: one config is a helion.Config or a dict of its fields."""
    try:
        tree = ast.parse(text, mode="eval").body if isinstance(text, str) else None
    except SyntaxError:
        return
    if (
        isinstance(tree, (ast.List, ast.Tuple, ast.Constant))
        and getattr(tree, "value", 0) is not None
    ):
        kind = {ast.List: "a list", ast.Tuple: "a tuple"}.get(type(tree), "a constant")
        raise source.error(
            ConfigError,
            function.decorators[0] if function.decorators else function.name,
            f"config={text} of {function.name.value} is {kind}, not a helion.Config",
            hint="write config=helion.Config(block_sizes=[...]); several to choose among go "
            "in configs=[helion.Config(...), ...]",
        )


def check_config(
    source: Source, function: cst.FunctionDef, text: object, tiles: list[str] | None
) -> None:
    """Refuse a config that would be silently misread: an unknown field (`block_size` for
    `block_sizes`), block sizes not one per tunable tile, a block size that is no power of two.
    `tiles` None (before lowering, which reads the block sizes): every check but the count."""
    _refuse_a_literal_config(source, function, text)
    fields = config_fields(text)
    if not fields:
        return
    where = function.decorators[0] if function.decorators else function.name
    known = HELION_FIELDS | source.once(registered_tunables, function, function)
    for key in fields:
        if key not in known and not helion_config_key(key):
            close = near_names(key, sorted(known))
            raise source.error(
                ConfigError,
                where,
                f"the config of {function.name.value} has no field {key!r}",
                hint=f"{close + ' ' if close else ''}Helion's fields include "
                "block_sizes, num_warps, num_stages, pid_type, indexing, l2_groupings",
            )
    for key, (allowed, hint) in FIELD_VALUES.items():
        value = fields.get(key)
        if value is not None and value is not _UNREADABLE and value not in allowed:
            raise source.error(
                ConfigError, where, f"{key}={value!r} in the config of {function.name.value}", hint
            )
    loops = fields.get("reduction_loops")
    if isinstance(loops, (list, tuple)) and not all(_chunk(c) for c in loops):
        raise source.error(
            ConfigError,
            where,
            f"reduction_loops={list(loops)} in the config of {function.name.value}",
            hint="one entry per whole dimension: None (one block) or a power of two R "
            "(chunks of R lanes)",
        )
    sizes = fields.get("block_sizes")
    if sizes is None or sizes is _UNREADABLE:
        return
    if not isinstance(sizes, (list, tuple)):  # the lowering reads a list only: never dropped
        raise source.error(
            ConfigError,
            where,
            f"block_sizes={sizes!r} in the config of {function.name.value} is not a list",
            hint=f"write block_sizes=[{sizes!r}]: a list of one block size per tunable tile",
        )
    sizes = list(sizes)
    if tiles is not None and len(sizes) != len(tiles):
        raise source.error(
            ConfigError,
            where,
            f"block_sizes={sizes} gives {len(sizes)} block sizes for the {len(tiles)} tunable "
            f"tiles of {function.name.value} ({', '.join(tiles) or 'none'})",
            hint="give one block size per hl.tile dimension without a fixed block_size, "
            "in loop order",
        )
    for size in sizes:
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
            raise source.error(  # was: "32.0 is not a power of two"
                ConfigError,
                where,
                f"block size {size!r} in block_sizes={sizes} is a {type(size).__name__}, "
                "not an integer",
                hint=f"write block_sizes={_as_integers(sizes)}: one integer per tunable tile",
            )
        if size is not None and (size < 1 or size & (size - 1)):
            raise source.error(
                ConfigError,
                where,
                f"block size {size!r} in block_sizes={sizes} is not a power of two",
                hint="Triton blocks are powers of two (1, 2, 4, ..., 1024); masks cover "
                "the ragged edge",
            )
        if size is not None and size > TRITON_MAX_BLOCK:  # was: Triton's own error on a GPU
            raise source.error(
                ConfigError,
                where,
                f"block size {size} in block_sizes={sizes} is more than Triton's largest block "
                f"({TRITON_MAX_BLOCK} elements)",
                hint="a few hundred to a few thousand lanes per block is usual: "
                "block_sizes=[1024]; the tiles cover the rest",
            )


# Triton's limit on the elements of one block (its TRITON_MAX_TENSOR_NUMEL)
TRITON_MAX_BLOCK = 2**20


def _as_integers(sizes: list) -> str:
    """`[32.0, '64', [16]]` as the integers meant, `[32, 64, 16]` (what cannot be read as one,
    `'a'`: 32, a usual block size)."""

    def integer(size: object) -> object:
        if isinstance(size, (list, tuple)) and len(size) == 1:
            size = size[0]
        if size is None:  # (a block left to the search)
            return None
        try:
            return int(size) if float(size) == int(float(size)) else size
        except (TypeError, ValueError, OverflowError):
            return 32

    return repr([integer(size) for size in sizes])


def _chunk(entry: object) -> bool:
    return entry is None or (
        isinstance(entry, int)
        and not isinstance(entry, bool)
        and entry > 0
        and not entry & (entry - 1)
    )


def check_configs(
    source: Source, function: cst.FunctionDef, text: object, tiles: list[str] | None
) -> None:
    """Each config of a `configs=[...]` setting checked as `config=` is (check_config)."""
    if not isinstance(text, str):
        return
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return
    if isinstance(tree, (ast.List, ast.Tuple)):
        for element in tree.elts:
            check_config(source, function, ast.unparse(element), tiles)
