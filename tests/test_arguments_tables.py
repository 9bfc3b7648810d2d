"""The argument tables against the real signatures (Helion 1.5.0 installed, torch's schemas), and
the decorator's settings and Config's fields each honoured, harmless, or refused at their column."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
import torch
from helpers import on_device

import transpiler
from transpiler.compile.frontend.config_check import HELION_FIELDS, HONOURED
from transpiler.compile.frontend.errors import ConfigError
from transpiler.compile.frontend.kernel_settings import HONOURED as SETTING_HONOURED
from transpiler.compile.frontend.kernel_settings import NO_EFFECT, REFUSED, SETTINGS
from transpiler.compile.frontend.signatures import HL_SIGNATURES
from transpiler.compile.ops.hl import HELION_ONLY, HL_BY_NAME, REFUSED_LANGUAGE
from transpiler.run.runtime import load_module

language = pytest.importorskip("helion.language")
helion = pytest.importorskip("helion")
helion_settings = pytest.importorskip("helion.runtime.settings")
# this transpiler's own keywords (batched: aot_kernel's; check_indices: the index tensors' check)
OURS_ONLY = {"torch_op", "batched", "check_indices"}
KERNEL = """import torch
import helion
import helion.language as hl

@helion.kernel(SETTING)
def k(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, kk = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = torch.addmm(acc, a[tile_m, tile_k], b[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out
"""
EXAMPLES = {"k": (torch.randn(33, 20), torch.randn(20, 17))}


def _functions() -> list[str]:
    return sorted(
        name
        for name, value in vars(language).items()
        if not name.startswith("_") and inspect.isfunction(getattr(value, "__wrapped__", value))
    )


@pytest.mark.parametrize("name", _functions())
def test_every_helion_language_function_is_a_row_or_refused(name: str) -> None:
    assert name in HL_BY_NAME or name in HELION_ONLY or name in REFUSED_LANGUAGE, (
        f"helion.language.{name} is neither a row of the hl table nor refused (HELION_ONLY)"
    )


@pytest.mark.parametrize("name", sorted(HL_SIGNATURES))
def test_every_helion_parameter_is_honoured_or_refused(name: str) -> None:
    function = getattr(language, name, None)
    if function is None:
        pytest.skip(f"Helion 1.5.0 has no hl.{name}")
    theirs = inspect.signature(getattr(function, "__wrapped__", function)).parameters.values()
    ours = HL_SIGNATURES[name]
    named = {p.name for p in theirs if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    refused = {parameter for parameter, _ in HL_BY_NAME[name].refused}
    missing = named - set(ours.parameters) - refused - {"_launcher"}
    assert not missing, f"hl.{name}: Helion's {sorted(missing)} neither honoured nor refused"
    assert refused <= set(ours.parameters), f"hl.{name}: refuses what it does not declare"


def test_config_fields_are_helions() -> None:
    theirs = inspect.signature(helion.Config).parameters.values()
    named = {p.name for p in theirs if p.kind is not p.VAR_KEYWORD}
    assert named == set(HELION_FIELDS), (
        f"Helion has {sorted(named - HELION_FIELDS)}, not {sorted(HELION_FIELDS - named)}"
    )
    assert HONOURED <= HELION_FIELDS


def test_kernel_settings_are_helions() -> None:
    theirs = {field.name for field in dataclasses.fields(helion_settings.Settings)}
    kernel = inspect.signature(helion.kernel).parameters.values()
    theirs |= {p.name for p in kernel if p.kind is p.KEYWORD_ONLY}
    theirs.add("settings")  # helion.kernel(settings=Settings(...)): taken by its **settings
    ours = set(SETTINGS) - OURS_ONLY
    assert ours == theirs, f"Helion has {sorted(theirs - ours)}; not {sorted(ours - theirs)}"
    assert all(s.status in (SETTING_HONOURED, NO_EFFECT, REFUSED) for s in SETTINGS.values())
    assert all(s.hint for s in SETTINGS.values() if s.choices)


def _code(setting: str) -> str:
    source = KERNEL.replace("SETTING", setting)
    return transpiler.transpile_module(source, example_args=EXAMPLES).code


@pytest.mark.parametrize(
    "name", sorted(n for n, s in SETTINGS.items() if s.status == NO_EFFECT and n != "batched")
)
def test_a_setting_without_effect_is_accepted_and_changes_no_code(name: str) -> None:
    assert _code(f"{name}=None") == _code("")


@pytest.mark.parametrize("name", sorted(n for n, s in SETTINGS.items() if s.choices))
def test_a_setting_outside_its_choices_is_refused_at_its_keyword(name: str) -> None:
    for choice in SETTINGS[name].choices:
        _code(f"{name}={choice!r}")
    with pytest.raises(ConfigError) as caught:
        _code(f"{name}='bogus'")
    assert (caught.value.lineno, caught.value.col_offset) == (5, len("@helion.kernel("))
    assert caught.value.hint


@pytest.mark.parametrize("spelling", ["confg=None", "static_shape=True", "dot_precison='ieee'"])
def test_a_misspelt_setting_is_refused_with_the_name_it_meant(spelling: str) -> None:
    with pytest.raises(ConfigError, match="has no setting") as caught:
        _code(spelling)
    assert "did you mean" in caught.value.hint
    with pytest.raises(ConfigError, match="has no setting"):  # given as a Python value
        transpiler.kernel(lambda x: x, **{spelling.split("=")[0]: None})


@pytest.mark.parametrize("precision", ["tf32x3", "ieee"])
def test_dot_precision_reaches_every_product(precision: str) -> None:
    code = _code(f"dot_precision={precision!r}")
    calls = code.split("\n@triton.jit\ndef dot_into")[0]  # the helper passes it on
    products = [line for line in calls.splitlines() if "tl.dot(" in line or "dot_into(" in line]
    assert products and all(f'input_precision="{precision}"' in line for line in products)
    assert "input_precision=" not in _code("").split("\n@triton.jit\ndef dot_into")[0]
    module = load_module(code, stem="k")
    a, b = EXAMPLES["k"]
    torch.testing.assert_close(
        on_device(module.k)(a, b).double(), a.double() @ b.double(), atol=1e-4, rtol=1e-4
    )


@pytest.mark.parametrize("field", sorted(HELION_FIELDS - HONOURED))
def test_a_config_field_lowering_does_not_read_is_accepted(field: str) -> None:
    _code(f"config=helion.Config(block_sizes=[16, 16, 16], {field}=None)")


@pytest.mark.parametrize(
    "field",
    [
        "num_warps=3",
        "num_warps=64",
        "num_stages=0",
        "num_stages=2.5",
        "num_warp=4",
        "reduction_loops=[3]",
        "reduction_loops=[True]",
    ],
)
def test_a_config_value_triton_cannot_take_is_refused(field: str) -> None:
    with pytest.raises(ConfigError):
        _code(f"config=helion.Config(block_sizes=[16, 16, 16], {field})")
    with pytest.raises(ConfigError):  # in any config of configs=, not only the one chosen
        _code(
            "configs=[helion.Config(block_sizes=[16, 16, 16]), "
            f"helion.Config(block_sizes=[32, 32, 16], {field})]"
        )
    _code(
        "configs=[helion.Config(block_sizes=[16, 16, 16]), helion.Config(block_sizes=[32, 32, 16])]"
    )


@pytest.mark.parametrize("name", sorted(HL_SIGNATURES))
def test_reference_mode_takes_every_argument_the_row_takes(name: str) -> None:
    """The eager implementation's parameters are the row's, in order and kind: an argument
    given by keyword (`hl.store(tensor=out, index=..., value=...)`) runs in reference mode too."""
    row, ours = HL_BY_NAME[name], HL_SIGNATURES[name]
    theirs = list(inspect.signature(row.eager).parameters.values())
    refused = {parameter for parameter, _ in row.refused}
    kinds = {p.name: p.kind for p in theirs}
    positional = [p.name for p in theirs if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    taken = [p for p in positional[: len(ours.positional)] if p not in refused]
    assert taken == [p for p in ours.positional if p not in refused] or any(
        p.kind is p.VAR_POSITIONAL for p in theirs
    ), (str(theirs), ours.text())
    for index, parameter in enumerate(ours.parameters):
        if parameter in refused or index < ours.positional_only:
            continue  # positional-only in the row: eager may take it either way
        assert kinds.get(parameter) in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ), f"hl.{name}'s {parameter}: eager {kinds.get(parameter)}, row {ours.text()}"
