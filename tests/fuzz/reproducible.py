"""The same Hypothesis examples in every environment: no constants from the loaded modules.

Besides its seed (with derandomize=True, a hash of the test function's source), Hypothesis
(6.13x on) now and then draws a literal harvested from every module in sys.modules whose file is
outside site-packages and the stdlib and not in a test folder: the transpiler's own modules,
and the generated kernels that transpiler.run.cache loaded from TRANSPILER_CACHE_DIR. Which of
those are loaded when a fuzz test starts depends on the test files run before it in its
process (how ./dev test spreads files over workers: the core count) and on where the project
lives, so one commit drew other examples in another clone (an outside CI found a mutant ours
never drew). With the local pool emptied, the examples depend only on the test's source, the
Hypothesis version (pinned in pyproject.toml) and Python's Unicode tables (st.text).
"""

from __future__ import annotations


def without_local_constants() -> bool:
    """Empty Hypothesis' pool of the loaded modules' constants (its built-in pool stays);
    False where this Hypothesis has no such pool (tests/test_fuzz19_reproducible.py fails)."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:
        return False
    provider = getattr(providers, "HypothesisProvider", None)
    if provider is None or not hasattr(provider, "_local_constants"):
        return False
    provider._local_constants = providers.Constants()  # the class's cached_property replaced
    providers.CONSTANTS_CACHE.cache.clear()  # pools a test drew from before this
    return True


LOCAL_CONSTANTS_OFF = without_local_constants()
