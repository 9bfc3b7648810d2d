"""The decorator's keywords as data: each of Helion's kernel settings honoured, accepted as a
choice of speed or tooling that cannot change results, or refused; anything else is a typo."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .errors import near_names

HONOURED, NO_EFFECT, REFUSED = "honoured", "no effect on results", "refused"


@dataclass(frozen=True)
class Setting:
    """One keyword of `@helion.kernel(...)`: what this transpiler does with it (`status`), why
    (`note`), and the values it takes where only some are allowed (`choices`: the others are
    refused with `hint`)."""

    status: str
    note: str
    choices: tuple[object, ...] = ()
    hint: str = ""


_TUNING = Setting(
    NO_EFFECT, "steers Helion's autotuner search; this one has its own (run/tuning.py)"
)
_LOGGING = Setting(NO_EFFECT, "Helion's logging or progress output")
_OTHER_BACKEND = Setting(
    NO_EFFECT, "read only by Helion's CuTe or Pallas backend, never by Triton's"
)
_SPEED = Setting(NO_EFFECT, "changes only how fast Helion's code runs")

# Helion 1.5.0's `helion.kernel(...)` keywords (its own parameters and the fields of
# helion.runtime.settings.Settings, and `settings=` for a whole Settings object: its snapshot's,
# tests/helion_api.json), and this transpiler's own (torch_op, batched).
SETTINGS: dict[str, Setting] = {
    "config": Setting(HONOURED, "the block sizes, warps, stages, ... the kernel runs with"),
    "configs": Setting(HONOURED, "the configs a first call chooses among"),
    "key": Setting(NO_EFFECT, "Helion's extra cache key; kernels here are cached per shapes"),
    "cute_structural_policy": _OTHER_BACKEND,
    "settings": Setting(
        REFUSED,
        "Helion's whole Settings object in place of the keywords",
        hint="pass each setting as a keyword of its own: @helion.kernel(static_shapes=True)",
    ),
    "torch_op": Setting(HONOURED, "this transpiler's: False registers no torch custom op"),
    "check_indices": Setting(
        HONOURED,
        "this transpiler's: False skips the launcher's check that index tensors read from "
        "arguments lie inside the dimension they index (one torch.aminmax per index tensor)",
        choices=(True, False),
        hint="pass True or False",
    ),
    "batched": Setting(NO_EFFECT, "aot_kernel's: shapes Helion's tuning heuristics only"),
    "backend": Setting(
        HONOURED,
        "the code generator",
        choices=("triton",),
        hint="this transpiler writes Triton only: leave out backend= (or pass 'triton')",
    ),
    "ignore_warnings": Setting(NO_EFFECT, "which of Helion's warnings to silence"),
    "index_dtype": Setting(
        NO_EFFECT,
        "indices here are int32, widened to int64 by the launcher where a tensor needs it",
    ),
    "dot_precision": Setting(
        HONOURED,
        "tl.dot's input_precision for float32 factors (lower/dots.py)",
        choices=("tf32", "tf32x3", "ieee"),
        hint="pass one of 'tf32', 'tf32x3', 'ieee'",
    ),
    "cute_rng_stream": _OTHER_BACKEND,
    "fast_math": Setting(NO_EFFECT, "allows approximate math; the math here is exact"),
    "static_shapes": Setting(
        NO_EFFECT, "kernels here take sizes as arguments, specialised only where a loop needs it"
    ),
    "persistent_reserved_sms": _SPEED,
    "autotune_force_persistent": _TUNING,
    "distributed": Setting(
        NO_EFFECT, "the kernel's symmetric-memory calls say what is distributed (distributed/)"
    ),
    "autotune_log_level": _LOGGING,
    "autotune_log": _LOGGING,
    "autotune_log_details": _LOGGING,
    "autotune_handoff": _TUNING,
    "autotune_handoff_budget_seconds": _TUNING,
    "autotune_compile_timeout": Setting(HONOURED, "one candidate's compile limit (tune_settings)"),
    "autotune_benchmark_subprocess": _TUNING,
    "autotune_benchmark_timeout": _TUNING,
    "autotune_precompile": _TUNING,
    "autotune_precompile_jobs": Setting(HONOURED, "parallel compiles while tuning"),
    "autotune_random_seed": _TUNING,
    "autotune_best_of_k": _TUNING,
    "autotune_accuracy_check": _TUNING,
    "autotune_rebenchmark_threshold": _TUNING,
    "autotune_suspicious_rebenchmark_ratio": _TUNING,
    "autotune_search_acf": _TUNING,
    "autotune_progress_bar": _LOGGING,
    "autotune_max_generations": _TUNING,
    "autotune_budget_seconds": Setting(HONOURED, "the first call's search budget"),
    "autotune_ignore_errors": _TUNING,
    "autotune_adaptive_timeout": _TUNING,
    "print_output_code": Setting(NO_EFFECT, "the generated code is `kernel.triton_source` here"),
    "print_repro": _LOGGING,
    "output_origin_lines": Setting(NO_EFFECT, "generated code here always cites its lines"),
    "force_autotune": Setting(HONOURED, "search even where a tuned config is cached"),
    "autotune_config_overrides": _TUNING,
    "autotune_seed_configs": _TUNING,
    "disable_autotuner_heuristics": _TUNING,
    "autotune_effort": Setting(
        HONOURED,
        "how hard a first call searches (run/tune_settings.py)",
        choices=("none", "quick", "full"),
        hint="pass one of 'none', 'quick', 'full'",
    ),
    "allow_warp_specialize": _SPEED,
    "debug_dtype_asserts": Setting(NO_EFFECT, "Helion's own dtype assertions while compiling"),
    "ref_mode": Setting(NO_EFFECT, "reference mode is `kernel.reference` here: same results"),
    "autotune_cache": _TUNING,
    "autotuner_fn": _TUNING,
    "autotune_baseline_fn": _TUNING,
    "autotune_baseline_atol": _TUNING,
    "autotune_baseline_rtol": _TUNING,
    "autotune_baseline_accuracy_check_fn": _TUNING,
    "autotune_benchmark_fn": _TUNING,
    "autotune_best_available_max_configs": _TUNING,
    "autotune_best_available_max_cache_scan": _TUNING,
    "autotune_initial_population_strategy": _TUNING,
    "torch_compile_fusion": Setting(NO_EFFECT, "Helion's fusion into torch.compile graphs"),
    "autotune_with_torch_compile_fusion": _TUNING,
    "autotune_config_filter": _TUNING,
    "pallas_collective_id": _OTHER_BACKEND,
    "pallas_interpret": _OTHER_BACKEND,
    "pallas_topk_recall_target": _OTHER_BACKEND,
    "cute_region_fission": _OTHER_BACKEND,
    "cute_materialize_transformed_operands": _OTHER_BACKEND,
    "cute_full_slice_matmul_tiling": _OTHER_BACKEND,
    "cute_segmented_matmul_tiling": _OTHER_BACKEND,
    "cute_flatten_nested_reductions": _OTHER_BACKEND,
    "triton_do_not_specialize": _SPEED,
    "autotune_log_search_space": _LOGGING,
    "autotune_log_search_space_verbose": _LOGGING,
    "autotune_log_search_space_path": _LOGGING,
}
# Older Helion spellings, refused with their newer name
RENAMED = {"use_default_config": "autotune_effort='none'"}

_UNREADABLE = object()


def literal(text: str) -> object:
    """A setting's value from its source text, or _UNREADABLE where it is not a literal."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return _UNREADABLE


def setting_problem(name: str, value: object) -> tuple[str, str] | None:
    """(message, hint) when keyword `name=value` of the decorator is not one this transpiler
    honours or knows to be harmless; `value` is _UNREADABLE where only the name is known."""
    if name in RENAMED:
        return (f"@helion.kernel({name}=...) is an older Helion spelling", f"write {RENAMED[name]}")
    setting = SETTINGS.get(name)
    if setting is None:
        close = near_names(name, sorted(SETTINGS))
        return (
            f"@helion.kernel() has no setting {name!r}",
            f"{close + ' ' if close else ''}see docs/language.md for the settings",
        )
    if setting.status == REFUSED:
        return (f"@helion.kernel({name}=...) is not supported by this transpiler", setting.hint)
    if isinstance(value, str):
        value = value.lower()
    if setting.choices and value not in (None, _UNREADABLE) and value not in setting.choices:
        return (f"{name}={value!r} is not supported by this transpiler", setting.hint)
    return None


# config= and configs= together: Helion refuses them ("Cannot specify both config and configs")
BOTH_CONFIGS = (
    "config= and configs= are both given: one config is used as given, several are searched",
    "keep one: config=helion.Config(...) for a fixed config, or put it into configs=[...]",
)


def both_configs(settings: dict[str, object]) -> bool:
    """Whether the settings give config= and configs= (neither None) at once."""
    given = [settings.get(k) for k in ("config", "configs")]
    return all(v not in (None, "None", "[]", "()") and v != [] and v != () for v in given)


def runtime_problems(settings: dict[str, object]) -> list[tuple[str, str]]:
    """The problems of a decorator's keywords given as Python values (`helion.kernel(fn, ...)`)."""
    problems = [setting_problem(name, value) for name, value in settings.items()]
    problems.append(BOTH_CONFIGS if both_configs(settings) else None)
    return [problem for problem in problems if problem is not None]
