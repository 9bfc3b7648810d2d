"""Helion's device-code rules, checked on the source before lowering: what would otherwise be
dropped or silently wrong is refused at the user's line.

- a `for ... else` in a kernel (the else would never run on the GPU: DeviceLoopElseError);
- `global` / `nonlocal` in a kernel (a GPU cannot change the host's variables);
- an augmented assignment torch would see through another name (`w = v; v += 1`, then a read
  of `w`: aliased_updates.py), or a view torch would change under a later read (`v = x[tile];
  v += 1`, then `x[tile]` read: view_updates.py);
- a host variable rebound inside a device loop (`out = x[tile] * 2` where `out[tile] = ...` was
  meant: HostVariableModifiedError);
- a device loop's tile rebound inside it (`tile_m = tile_n`, an inner `for tile_m in ...`);
- a kernel's name the generated module uses for its own (`tl`, `grid`: reserved_names.py);
- a store that every program makes to the same elements with values that differ between
  programs (`out[0] = x[tile].sum()`: a race, StoreRaceError), or into a tensor the loop also
  reads (`x[tile_m, :] = 0` beside a read of `x[tile_m, tile_n]`: another program's read may
  come after it).
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from .aliased_updates import check_aliased_updates
from .aliases import LANGUAGE, Aliases
from .errors import (
    DeviceLoopElseError,
    HostVariableModifiedError,
    StoreRaceError,
    UnsupportedConstructError,
)
from .kernels import KernelFunction, device_loop_kind
from .loop_accesses import (
    dependencies,
    hl_loads,
    loop_stores,
    reached_from,
    read_names,
    stored_tensor,
)
from .reserved_names import check_reserved_names
from .source import Source
from .targets import bound_names, names_bound_in, target_names
from .view_updates import check_view_updates


def check_device_rules(source: Source, kernel: KernelFunction, aliases: Aliases) -> None:
    """Before lowering: `global`, `for ... else`, host variables rebound on the device."""
    for statement in m.findall(kernel.node, m.Global() | m.Nonlocal()):
        keyword = "global" if isinstance(statement, cst.Global) else "nonlocal"
        raise source.error(
            UnsupportedConstructError,
            statement,
            f"`{keyword}` in a kernel: code on the GPU cannot change the host's variables",
            hint="pass the value in as an argument, and return what the kernel computes "
            "(a counter: a one-element tensor updated with hl.atomic_add)",
        )
    for loop in m.findall(kernel.node, m.For()):
        if loop.orelse is not None:
            raise source.error(
                DeviceLoopElseError,
                loop.orelse,
                "`for ... else` in a kernel: the generated code has no place for the else block",
                hint="move the else block's statements after the loop",
            )
    check_reserved_names(source, kernel.node)
    host_names = _parameters(kernel.node)
    for statement in kernel.body:
        if device_loop_kind(statement, aliases) is None:
            host_names |= names_bound_in(statement)
            continue
        _check_host_names(source, statement, host_names, aliases)
        check_aliased_updates(source, statement)
        check_view_updates(source, statement)
    for loop in m.findall(kernel.node, m.For()):
        if device_loop_kind(loop, aliases) is not None:
            _check_tile_rebinds(source, loop)


def check_store_races(source: Source, kernel: KernelFunction, aliases: Aliases) -> None:
    """After lowering (a store of the wrong shape is a ShapeError first): refuse stores every
    program of a grid tile makes to the same elements with values that differ by program."""
    for loop in kernel.loops:
        _check_races(source, loop, aliases)


def _check_host_names(
    source: Source, loop: cst.For, host_names: set[str], aliases: Aliases
) -> None:
    loop_vars = set(target_names(loop.target))
    device_names = names_bound_in(loop.body) | loop_vars
    for target, value in _assignments(loop.body):
        name = target.value
        if name in host_names and _mentions_device(value, device_names, aliases):
            raise source.error(
                HostVariableModifiedError,
                target,
                f"{name!r} is a host variable: assigning it inside the device loop would "
                "change it only on the GPU",
                hint=f"store into it instead: {name}[tile] = ...; or give the device value "
                "a new name",
            )


def _check_tile_rebinds(source: Source, loop: cst.For) -> None:
    """`tile_m = tile_n`, or an inner `for tile_m in ...`, inside the loop of `tile_m`: the
    loop's code would index with the new value after it (a store to other elements than the
    program's, silently), where Python's eager run means something else again."""
    tiles = set(target_names(loop.target))
    for found in m.findall(loop.body, m.AssignTarget() | m.AugAssign() | m.AnnAssign() | m.For()):
        target = found.target
        if not isinstance(target, (cst.Name, cst.Tuple, cst.List)):
            continue
        for name in bound_names(target):
            if name.value not in tiles:
                continue
            inner = isinstance(found, cst.For)
            what = "an inner loop takes its name" if inner else "it is assigned here"
            raise source.error(
                UnsupportedConstructError,
                name,
                f"{name.value!r} is the tile of the enclosing device loop and {what}: the code "
                "after this line would index other elements than the program's",
                hint=f"give the new value a name of its own ({name.value}_inner) and keep "
                f"{name.value!r} for the loop's tile",
            )


def _check_races(source: Source, loop: cst.For, aliases: Aliases) -> None:
    loop_vars = set(target_names(loop.target))
    depends = dependencies(loop.body)
    reaches = {var: reached_from({var}, depends) for var in loop_vars}
    stores = list(loop_stores(loop.body, aliases))
    loaded = _loaded_tensors(loop.body, [node for _, _, _, node in stores], aliases)
    for index, value, guards, node in stores:
        where = read_names(index) | guards
        tensor = stored_tensor(node)
        for var in sorted(loop_vars):
            if not (where & reaches[var]) and tensor in loaded:
                raise source.error(
                    StoreRaceError,
                    node,
                    f"every program of the {var!r} loop stores to the same elements of "
                    f"{tensor!r} here, and the loop also reads {tensor!r}: one program's "
                    "store can land before another's read (a race)",
                    hint=f"index the store by {var!r} as well, or write the result into a "
                    f"new tensor (out = torch.empty_like({tensor})) instead of {tensor!r}",
                )
            if not (where & reaches[var]) and (read_names(value) & reaches[var]):
                raise source.error(
                    StoreRaceError,
                    node,
                    f"every program of the {var!r} loop stores to the same elements here, each "
                    f"a different value (the index does not depend on {var!r}): a race",
                    hint="accumulate across programs with hl.atomic_add(out, [index], value), or "
                    f"index the store by {var!r}",
                )


def _loaded_tensors(body: cst.BaseSuite, stores: list[cst.CSTNode], aliases: Aliases) -> set[str]:
    """The tensors the loop body reads: subscripts that are no plain store's target (an
    augmented store reads too), and hl.load's tensors."""
    plain = {id(node) for node in stores if isinstance(node, cst.Subscript)}
    plain -= {id(a.target) for a in m.findall(body, m.AugAssign())}
    names = {
        s.value.value for s in m.findall(body, m.Subscript(value=m.Name())) if id(s) not in plain
    }
    for call in hl_loads(body, aliases):
        names |= {stored_tensor(call) or ""}
    return names


def _parameters(function: cst.FunctionDef) -> set[str]:
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            every.append(star)
    return {p.name.value for p in every}


def _assignments(body: cst.BaseSuite):
    """(target name node, value) of each plain-name assignment in the loop body, any depth."""
    for found in m.findall(body, m.Assign() | m.AugAssign() | m.AnnAssign()):
        targets = (
            [t.target for t in found.targets] if isinstance(found, cst.Assign) else [found.target]
        )
        for target in targets:
            if isinstance(target, cst.Name) and found.value is not None:
                yield target, found.value


def _mentions_device(value: cst.BaseExpression, device_names: set[str], aliases: Aliases) -> bool:
    """Whether a value can only be computed on the device (a tile, a load, a device name)."""
    if read_names(value) & device_names or m.findall(value, m.Subscript()):
        return True
    return any(
        (aliases.qualified(call.func) or "").startswith(f"{LANGUAGE}.")
        for call in m.findall(value, m.Call())
    )
