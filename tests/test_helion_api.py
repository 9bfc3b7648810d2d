"""Our hl table, signatures, decorator keywords and config fields against Helion's API as its
source snapshot has it (tests/helion_api.json, written by benchmarks/helion_api_extract.py from
git + ast): runs without Helion installed. Each failure names what differs."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import transpiler
from transpiler.compile.frontend.config_check import HELION_FIELDS, helion_config_key
from transpiler.compile.frontend.errors import TranspileError, UnknownLanguageNameError
from transpiler.compile.frontend.kernel_settings import (
    HONOURED,
    NO_EFFECT,
    REFUSED,
    SETTINGS,
    setting_problem,
)
from transpiler.compile.frontend.signatures import HL_SIGNATURES
from transpiler.compile.ops.hl import HELION_ONLY, HL_BY_NAME, REFUSED_LANGUAGE

ROOT = Path(__file__).resolve().parent.parent
API_FILE = ROOT / "tests" / "helion_api.json"
API = json.loads(API_FILE.read_text())
LANGUAGE: dict[str, dict] = API["language"]
# Helion's names this transpiler lowers (a row with a lowering, or a loop / host row)
ROWS = sorted(name for name in LANGUAGE if name in HL_BY_NAME)
VARIADIC = ("VAR_POSITIONAL", "VAR_KEYWORD")
KERNEL = """import torch
import helion
import helion.language as hl

@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    HOST
    for tile in hl.tile(x.size(0)):
        out[tile] = DEVICE
    return out
"""


def _default(text: str | None) -> str | None:
    """A default's source text, spelt one way (quotes, spacing)."""
    return None if text is None else ast.unparse(ast.parse(text, mode="eval"))


@pytest.mark.skipif(not Path("/work/.mirror/pytorch+helion/repo").exists(), reason="no snapshot")
def test_the_json_is_what_the_extractor_reads_from_the_snapshot(tmp_path: Path) -> None:
    out = tmp_path / "api.json"
    script = ROOT / "benchmarks" / "helion_api_extract.py"
    command = [sys.executable, str(script), "--rev", API["commit"], "-o", str(out)]
    subprocess.run(command, check=True, capture_output=True)
    assert json.loads(out.read_text()) == API, "rerun benchmarks/helion_api_extract.py"


@pytest.mark.parametrize("name", sorted(LANGUAGE))
def test_every_helion_name_is_a_row_or_refused_by_name(name: str) -> None:
    known = name in HL_BY_NAME or name in HELION_ONLY or name in REFUSED_LANGUAGE
    assert known, (
        f"helion.language.{name} ({LANGUAGE[name]['kind']}, {LANGUAGE[name]['module']}) is "
        "neither a row of the hl table nor refused (HELION_ONLY, REFUSED_LANGUAGE)"
    )


# Our hl names the snapshot does not export, and why each stays (a name here that the snapshot
# gains, or one of ours missing here, fails below: the list is kept exact)
BEYOND_THE_SNAPSHOT = {
    "vtile": "ours: an alias of jagged_tile (the snapshot has no vtile anywhere)",
    "tile_count": "tile.count spelt as a function: the snapshot defines it in tile_ops.py but "
    "does not export it",
    "register_reduction_dim": "older Helions' (removed by Helion #834): kept for their kernels",
    "signal": "older Helions' (removed by Helion #1791): refused by name",
    "wait": "older Helions' (removed by Helion #1791): refused by name",
    "pdl_wait": "Helion 1.5.0's, per the earlier tables: not in the snapshot; refused by name",
    "pdl_launch_dependents": "as pdl_wait",
}


def test_our_names_beyond_the_snapshot_are_the_listed_ones() -> None:
    ours = {*HL_BY_NAME, *HELION_ONLY, *REFUSED_LANGUAGE}
    beyond = ours - set(LANGUAGE)
    assert beyond == set(BEYOND_THE_SNAPSHOT), (
        f"not in Helion's snapshot, unlisted: {sorted(beyond - set(BEYOND_THE_SNAPSHOT))}; "
        f"listed but Helion's now: {sorted(set(BEYOND_THE_SNAPSHOT) - beyond)}"
    )


def _refusal(source: str) -> TranspileError | None:
    try:
        transpiler.transpile(source)
    except TranspileError as error:
        return error
    return None


@pytest.mark.parametrize(
    "name", sorted(n for n in LANGUAGE if getattr(HL_BY_NAME.get(n), "lowering", None) is None)
)
def test_a_name_lowering_does_not_take_is_refused_by_name_in_device_and_host_code(
    name: str,
) -> None:
    op = HL_BY_NAME.get(name)
    if op is not None and (op.loop or op.host):
        pytest.skip(f"hl.{name} is a loop's iterable or a host call: its own tests")
    device = _refusal(KERNEL.replace("HOST", "pass").replace("DEVICE", f"hl.{name}(x[tile])"))
    host = _refusal(KERNEL.replace("HOST", f"value = hl.{name}(x)").replace("DEVICE", "x[tile]"))
    for where, error in (("device", device), ("host", host)):
        assert error is not None, f"hl.{name}(...) in {where} code transpiled"
        assert not isinstance(error, UnknownLanguageNameError), (
            f"hl.{name} in {where} code: {str(error).splitlines()[0]} (Helion has it)"
        )
        assert f"hl.{name}" in str(error) or f"language.{name}" in str(error), (
            f"hl.{name} in {where} code: the error does not name it: {error}"
        )


@pytest.mark.parametrize("name", ROWS)
def test_every_helion_parameter_is_ours_or_refused_by_name(name: str) -> None:
    theirs = LANGUAGE[name].get("parameters", [])
    ours = HL_SIGNATURES[name]
    refused = {parameter for parameter, _ in HL_BY_NAME[name].refused}
    named = [p["name"] for p in theirs if p["kind"] not in VARIADIC]
    missing = [p for p in named if p not in ours.parameters]
    assert not missing, f"hl.{name}: Helion's {missing} not in ours, {ours.text()}"
    extra = [p for p in ours.parameters if p not in named]
    assert not extra, f"hl.{name}: ours has {extra}, Helion's has not ({named})"
    assert refused <= set(ours.parameters), f"hl.{name}: refuses what it does not declare"
    if any(p["kind"] == "VAR_POSITIONAL" for p in theirs):
        assert ours.varargs, f"hl.{name}: Helion takes *args, {ours.text()} does not"


@pytest.mark.parametrize("name", ROWS)
def test_parameters_come_as_helion_takes_them(name: str) -> None:
    """In Helion's order by position; by keyword where Helion allows it (ours may not be stricter)."""
    theirs = [p for p in LANGUAGE[name].get("parameters", []) if p["kind"] not in VARIADIC]
    ours = HL_SIGNATURES[name]
    positional = [p["name"] for p in theirs if p["kind"] != "KEYWORD_ONLY"]
    assert list(ours.positional) == positional, (
        f"hl.{name}: positional parameters {list(ours.positional)}, Helion's {positional}"
    )
    only = ours.positional[: ours.positional_only]
    stricter = [p["name"] for p in theirs if p["kind"] != "POSITIONAL_ONLY" and p["name"] in only]
    assert not stricter, f"hl.{name}: Helion takes {stricter} by keyword, {ours.text()} does not"


@pytest.mark.parametrize("name", ROWS)
def test_defaults_agree_where_we_take_the_parameter(name: str) -> None:
    ours = HL_SIGNATURES[name]
    ours_defaults = dict(ours.defaults)
    refused = {parameter for parameter, _ in HL_BY_NAME[name].refused}
    differ = []
    for parameter in LANGUAGE[name].get("parameters", []):
        if parameter["kind"] in VARIADIC or parameter["name"] in refused:
            continue
        theirs = _default(parameter.get("default"))
        mine = _default(ours_defaults.get(parameter["name"]))
        if theirs != mine:
            differ.append(f"{parameter['name']}: Helion's {theirs}, ours {mine}")
    assert not differ, f"hl.{name}: " + "; ".join(differ)


def _kernel_keywords() -> list[str]:
    kernel = API["kernel"]
    own = [p["name"] for p in kernel["parameters"] if p["kind"] == "KEYWORD_ONLY"]
    # helion.kernel(settings=Settings(...)) takes a whole Settings object in place of keywords
    return sorted({*own, *(field["name"] for field in kernel["settings"]), "settings"})


@pytest.mark.parametrize("name", _kernel_keywords())
def test_every_decorator_keyword_is_honoured_or_refused_by_name(name: str) -> None:
    setting = SETTINGS.get(name)
    assert setting is not None, f"@helion.kernel({name}=...): Helion takes it, SETTINGS has no row"
    assert setting.status in (HONOURED, NO_EFFECT, REFUSED), (name, setting.status)
    problem = setting_problem(name, None)
    if setting.status == REFUSED:
        assert problem is not None and name in problem[0] and problem[1], (
            f"@helion.kernel({name}=...) is a refused row, but not refused by name: {problem}"
        )
    else:
        assert problem is None, f"@helion.kernel({name}=None): {problem}"


@pytest.mark.parametrize(
    "name", sorted(p["name"] for p in API["config"]["parameters"] if p["kind"] not in VARIADIC)
)
def test_every_config_parameter_is_a_field(name: str) -> None:
    assert name in HELION_FIELDS, f"helion.Config({name}=...): Helion takes it, HELION_FIELDS not"


def test_every_config_key_helion_knows_is_taken() -> None:
    assert not API["config"]["valid_keys_unresolved"], API["config"]["valid_keys_unresolved"]
    missing = [key for key in API["config"]["valid_keys"] if not helion_config_key(key)]
    assert not missing, f"Helion's config keys {missing} are not taken by config_check"
