"""A device loop's plan (lower/plan.py): the analysis' facts merged into it, pairs it lacks refused,
and one lowering run per loop."""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pytest
from helpers import KERNELS

import transpiler
from transpiler.compile.frontend.errors import InternalTranspilerError
from transpiler.compile.lower.kernel import KernelBuilder
from transpiler.compile.lower.plan import LoopPlan, PlannedPairs, Unplanned, planned
from transpiler.compile.lower.shape_meeting import ShapeFacts

ROOT = str(Path(transpiler.__file__).resolve().parents[1])
NAMED = {"x.size(1)": "n", "w.size(0)": None}  # host names of size keys (n = x.size(1))


def user_name(key: str) -> str | None:
    return NAMED.get(key)


def plan_of(aliases: dict[str, str], **fields) -> LoopPlan:
    return LoopPlan(key_aliases=MappingProxyType(aliases), **fields)


def pairs(*items: tuple[str, str]) -> set[tuple[str, str]]:
    return set(items)


# (plan's aliases, pairs the analysis found) → aliases of the plan; None: the same groups
MERGES = [
    pytest.param({}, pairs(), None, id="nothing-found"),
    # the user's own name (n) stands for the group, whichever side of the pair it is on
    pytest.param({}, pairs(("w.size(0)", "x.size(1)")), {"w.size(0)": "x.size(1)"}, id="named"),
    pytest.param({}, pairs(("a.size(0)", "x.size(1)")), {"a.size(0)": "x.size(1)"}, id="named-b"),
    # the plan already had one axis for the pair: the same groups
    pytest.param(
        {"w.size(0)": "x.size(1)"}, pairs(("w.size(0)", "x.size(1)")), None, id="already-one"
    ),
    # the same group, whichever key represents it, is settled (this flipped for 10 runs)
    pytest.param({"x.size(2)": "2"}, pairs(("2", "x.size(2)")), None, id="same-group-flipped"),
    pytest.param(
        {"b.size(0)": "a.size(0)", "2": "a.size(0)"},
        pairs(("2", "a.size(0)"), ("2", "b.size(0)")),
        None,
        id="three-keys-one-group",
    ),
    # a new key joins a group: one group of three
    pytest.param(
        {"w.size(0)": "x.size(1)"},
        pairs(("w.size(0)", "x.size(1)"), ("b.size(0)", "w.size(0)")),
        {"w.size(0)": "x.size(1)", "b.size(0)": "x.size(1)"},
        id="joins-group",
    ),
    # two groups found at once stay two
    pytest.param(
        {},
        pairs(("p.size(0)", "q.size(0)"), ("r.size(1)", "s.size(1)")),
        {"q.size(0)": "p.size(0)", "s.size(1)": "r.size(1)"},
        id="two-groups",
    ),
]


@pytest.mark.parametrize(("aliases", "found", "expected"), MERGES)
def test_planned_unifies_whole_dimensions(aliases, found, expected):
    plan = plan_of(aliases)
    merged = planned(plan, ShapeFacts(unified=found), user_name)
    if expected is None:
        assert merged.classes() == plan.classes()
    else:
        assert dict(merged.key_aliases) == expected
    assert merged.squeeze_units and not merged.none_tiles


def test_planned_keeps_unit_tiles_or_lets_view_nones_stand_for_them():
    view = {(12345, 0): "tile_b"}
    stand = planned(LoopPlan(), ShapeFacts(none_tiles=dict(view)), user_name)
    assert stand.squeeze_units and dict(stand.none_tiles) == view
    kept = planned(LoopPlan(), ShapeFacts(none_tiles=dict(view), squeeze_units=False), user_name)
    assert not kept.squeeze_units and not kept.none_tiles  # a kept tile needs no None for it


@pytest.mark.parametrize(
    ("aliases", "pair", "planned_pair"),
    [
        ({}, ("x.size(1)", "x.size(1)"), True),
        ({"w.size(0)": "x.size(1)"}, ("w.size(0)", "x.size(1)"), True),
        ({"w.size(0)": "x.size(1)", "b.size(0)": "x.size(1)"}, ("b.size(0)", "w.size(0)"), True),
        ({}, ("w.size(0)", "x.size(1)"), False),
        ({"w.size(0)": "x.size(1)"}, ("2", "x.size(1)"), False),
    ],
)
def test_lowering_refuses_a_pair_its_plan_does_not_group(aliases, pair, planned_pair):
    found = PlannedPairs(aliases)
    if planned_pair:
        found.add(pair)
        assert pair in found
    else:
        with pytest.raises(Unplanned, match=re.escape(f"the sizes {pair[0]} and {pair[1]} meet")):
            found.add(pair)
        assert not found


def test_a_plan_is_frozen():
    plan = plan_of({"w.size(0)": "x.size(1)"})
    with pytest.raises(AttributeError):
        plan.squeeze_units = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        plan.key_aliases["b.size(0)"] = "x.size(1)"  # type: ignore[index]


GOLDEN = KERNELS.parent / "golden"


@pytest.fixture(scope="module")
def runs_per_loop() -> dict[tuple[str, str], int]:
    """Lowering runs per device loop, every kernel of tests/kernels and tests/golden transpiled
    (a kernel lowered in several transpiles counts its most runs in one)."""
    counts: collections.Counter = collections.Counter()
    most: dict[tuple[str, str], int] = {}
    build = KernelBuilder.build

    def counted(self, loop):
        counts[(self.source.filename, self.kernel_name)] += 1
        return build(self, loop)

    files = [*sorted(KERNELS.glob("*.py")), *sorted(GOLDEN.glob("*.py"))]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(KernelBuilder, "build", counted)
        for path in files:
            if path.name.endswith(".triton.py"):
                continue
            counts.clear()
            try:
                transpiler.transpile_module(path.read_text(), filename=path.name)
            except InternalTranspilerError:
                raise  # a fact the plan lacks (loop.py): a bug of ours
            except transpiler.TranspileError:
                pass  # kernels whose ranks come from arguments: the others still lowered
            for loop, runs in counts.items():
                most[loop] = max(most.get(loop, 0), runs)
    return most


def test_every_loop_is_lowered_once(runs_per_loop):
    """The shape analysis (lower/shapes.py) completes each plan before lowering, which runs
    once per loop (a fact it missed is an InternalTranspilerError, raised above)."""
    assert len(runs_per_loop) > 130
    again = {loop: runs for loop, runs in runs_per_loop.items() if runs != 1}
    assert not again, again


# loops whose whole dimensions meet (two runs each before 2026-12-04's analysis): still once
UNIFYING = [
    ("stacking.py", "swap_pairs_kernel"),  # x.size(1) and hl.split's 2 lanes
    ("stacking.py", "cat_pairs_kernel"),  # x.size(1), y.size(1) and 2
    ("newest_examples.py", "side_by_side_kernel"),  # right.size(1), out.size(1) - left.size(1)
    ("reduction_loops.py", "rows_times_matrix_kernel"),  # x.size(1) and w.size(0)
    ("examples.py", "squeeze_excitation_kernel"),  # two groups of three keys
    ("reductions.py", "layer_norm_kernel"),  # weight, bias and n
    ("examples.py", "causal_attention_kernel"),  # a view's None for a squeezed tile (was 3)
    ("scans.py", "row_segment_sums_kernel"),  # expand_as inside a module helper
    ("layer_norm.py", "layer_norm_kernel"),  # the golden kernel
]


@pytest.mark.parametrize(("file", "loop"), UNIFYING)
def test_loops_whose_shapes_meet_are_lowered_once(runs_per_loop, file, loop):
    assert runs_per_loop[(file, loop)] == 1


def test_the_representative_of_unified_sizes_does_not_depend_on_string_hashing():
    """Three keys in one group (x.size(1), y.size(1) and hl.join's 2 lanes): the same code
    under any PYTHONHASHSEED (the pairs were once merged in set order)."""
    script = (
        "import sys, transpiler; from pathlib import Path; "
        "sys.stdout.write(transpiler.transpile_module("
        f"Path({str(KERNELS / 'stacking.py')!r}).read_text(), only=('cat_pairs',)).code)"
    )
    codes = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={
                **os.environ,
                "PYTHONHASHSEED": seed,
                "PYTHONPATH": os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]),
            },
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "3")  # the old merge named the axis differently under these
    }
    assert len(codes) == 1 and "def cat_pairs_kernel" in codes.pop()
