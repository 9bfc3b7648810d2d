"""Helion's own test files run on the transpiler: `helion.*` names for them, and our stand-in for
the `helion._testing` they import (TestCase, code_and_output, DEVICE, the skip decorators).

A name of Helion's that we lack is a `Missing`: importing it works, using it raises
`HelionOnly`, so a file that imports Helion's internals still runs its other tests (the
runner classifies the test that touched one as "harness")."""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import io
import logging
import os
import sys
import types
import unittest
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

import transpiler
import transpiler.language
from transpiler.compile.frontend.errors import TranspileError
from transpiler.helion_compat import autotuner, exc, runtime_settings
from transpiler.run.runtime import Kernel

DEVICE = torch.device("cpu")
HALF_DTYPE = torch.float16
LONG_INT_TYPE = torch.int64
# every kernel a test runs is also compiled for this target ("none": not)
GPU_TARGET = os.environ.get("HELION_TESTS_GPU_TARGET", "sm_90")


class HelionOnly(Exception):
    """The test reached a name of Helion's internals (or API) that the transpiler lacks."""


class CodeInspected(Exception):
    """The test read the generated code's text as Helion writes it (not our code's business)."""


class Ledger:
    """What the current test did: kernels run, result comparisons made and how they went."""

    kernels_run = 0
    compared = 0
    last_comparison_failed = False
    code_checks_skipped = 0

    @classmethod
    def reset(cls) -> None:
        cls.kernels_run = cls.compared = cls.code_checks_skipped = 0
        cls.last_comparison_failed = False


class Missing:
    """A Helion name the transpiler does not have: any use but naming it raises HelionOnly."""

    def __init__(self, path: str) -> None:
        self._path = path

    def __getattr__(self, name: str) -> Missing:
        if name.startswith("__"):
            raise AttributeError(name)
        return Missing(f"{self._path}.{name}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise HelionOnly(f"{self._path} (Helion internals)")

    def __iter__(self) -> Iterator[Any]:
        raise HelionOnly(f"{self._path} (Helion internals)")

    def __bool__(self) -> bool:
        raise HelionOnly(f"{self._path} (Helion internals)")

    def __repr__(self) -> str:
        return f"<Helion's {self._path}, not in the transpiler>"


class AliasModule(types.ModuleType):
    """`helion.X` as one of ours (`targets`, first with the name wins), else Missing names."""

    def __init__(self, name: str, *targets: object, extra: dict | None = None) -> None:
        super().__init__(name)
        self.__path__: list[str] = []  # a package: `helion.a.b` imports below it
        self._targets = targets
        self.__dict__.update(extra or {})

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        submodule = sys.modules.get(f"{self.__name__}.{attr}")
        if submodule is not None:
            return submodule
        for target in self._targets:
            if hasattr(target, attr):
                return getattr(target, attr)
        if self.__name__ == "helion.exc" and attr[:1].isupper():  # an error class we never raise
            error = type(attr, (HelionOnlyError,), {"__module__": "helion.exc"})
            setattr(self, attr, error)
            return error
        return Missing(f"{self.__name__}.{attr}")


class HelionOnlyError(Exception):
    """Base of helion.exc's error classes the transpiler lacks (it raises TranspileErrors)."""


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Any other `helion.*` module: an AliasModule of Missing names."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname == "helion" or fullname.startswith("helion."):
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        return sys.modules.get(spec.name) or AliasModule(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        pass


# helion._compat's answers about the target, as Helion gives them on a machine without TMA
COMPAT = {
    "supports_tensor_descriptor": lambda: False,
    "_supports_tensor_descriptor": lambda: False,
    "use_tileir_tunables": lambda: False,
    "get_tensor_descriptor_fn_name": lambda: "tl.make_tensor_descriptor",
    "requires_torch_version": lambda version: True,
    "supports_torch_compile_fusion": lambda: False,
}


def install() -> None:
    """`helion` and the submodules the tests import → ours, for the rest of the process."""
    this = sys.modules[__name__]
    aliases = {
        "helion": AliasModule("helion", transpiler),
        "helion.language": AliasModule("helion.language", transpiler.language),
        "helion.exc": AliasModule("helion.exc", exc, extra={"Base": TranspileError}),
        "helion.autotuner": AliasModule("helion.autotuner", autotuner),
        "helion.runtime": AliasModule("helion.runtime", transpiler.runtime),
        "helion.runtime.settings": AliasModule("helion.runtime.settings", runtime_settings),
        "helion.runtime.config": AliasModule("helion.runtime.config", transpiler),
        "helion.runtime.kernel": AliasModule("helion.runtime.kernel", transpiler),
        "helion._testing": AliasModule("helion._testing", this),
        "helion._compat": AliasModule("helion._compat", extra=COMPAT),
    }
    sys.modules.update(aliases)
    sys.meta_path.insert(0, _Finder())
    # torch's own test utilities need the expecttest package: the two names Helion's tests use
    common_utils = types.ModuleType("torch.testing._internal.common_utils")
    common_utils.parametrize = parametrize
    common_utils.instantiate_parametrized_tests = instantiate_parametrized_tests
    sys.modules.setdefault(common_utils.__name__, common_utils)


def parametrize(names: str, values: Any, **_options: Any) -> Callable[[Any], Any]:
    """torch's `@parametrize("a, b", [(1, 2), ...])`: the cases, kept on the test function."""

    def mark(test: Any) -> Any:
        test.parametrized = [*getattr(test, "parametrized", []), (names, list(values))]
        return test

    return mark


def instantiate_parametrized_tests(cls: type) -> type:
    """One `test_x_<values>` method per case of each parametrized test (as torch's does)."""
    for name, test in list(vars(cls).items()):
        cases = getattr(test, "parametrized", None)
        if not cases:
            continue
        delattr(cls, name)
        expanded = [((), {})]
        for names, values in cases:
            keys = [n.strip() for n in names.split(",")]
            expanded = [
                (suffix + (value,), {**given, **dict(zip(keys, _tuple(value, len(keys))))})
                for suffix, given in expanded
                for value in values
            ]
        for suffix, given in expanded:
            label = "_".join(str(v).replace(".", "_") for v in suffix)

            def case(self: Any, test: Any = test, given: dict = given) -> Any:
                return test(self, **given)

            setattr(cls, f"{name}_{label}", case)
    return cls


def _tuple(value: Any, count: int) -> tuple:
    return tuple(value) if count > 1 else (value,)


# --- the helion._testing stand-in -------------------------------------------------------------


class GeneratedCode(str):
    """Generated code: tests that look inside it expect Helion's code, not ours."""

    def __contains__(self, item: object) -> bool:
        raise CodeInspected(f"`{item!r} in code`")

    def count(self, *args: Any) -> int:
        raise CodeInspected(f"code.count{args!r}")


def _skipped_code_check(*_args: Any, **_kwargs: Any) -> None:
    Ledger.code_checks_skipped += 1


def _inspects_code(*values: object) -> bool:
    return any(isinstance(v, GeneratedCode) for v in values)


class TestCase(unittest.TestCase):
    """Helion's TestCase, less what reads its generated code (skipped) and its caches."""

    maxDiff = 16384

    def setUp(self) -> None:
        super().setUp()
        Ledger.reset()

    assertExpectedJournal = _skipped_code_check
    assertEqualCode = _skipped_code_check
    assertNotEqualCode = _skipped_code_check

    def assertTrueIfInNormalMode(self, condition: bool, msg: Any = None) -> None:
        self.assertTrue(condition, msg)

    @contextlib.contextmanager
    def capture_logs(self) -> Iterator[Any]:
        raise HelionOnly("capture_logs (Helion's log records)")
        yield

    @contextlib.contextmanager
    def capture_output(self) -> Iterator[Any]:
        stdout, stderr = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            yield types.SimpleNamespace(readouterr=lambda: (stdout.getvalue(), stderr.getvalue()))


def _unless_code(name: str) -> Callable[..., None]:
    """unittest's `name` (assertIn, assertRegex, ...), skipped when it reads generated code."""
    check = getattr(unittest.TestCase, name)

    def method(self: unittest.TestCase, first: Any, second: Any, msg: Any = None) -> None:
        if _inspects_code(first, second):
            return _skipped_code_check()
        return check(self, first, second, msg)

    return method


for _name in ("assertIn", "assertNotIn", "assertRegex", "assertNotRegex"):
    setattr(TestCase, _name, _unless_code(_name))


class RefEagerTestBase:
    """Helion runs these tests a second time in its reference mode: here they run once, compiled."""


class RefEagerTestDisabled:
    """Tests that never run in Helion's reference mode (ours run compiled only)."""


def _bound(fn: object, args: Any, config: dict) -> Any:
    if not isinstance(fn, Kernel):
        raise HelionOnly(f"code_and_output on {type(fn).__name__} (not a helion.kernel)")
    bound = fn.bind(tuple(args), dict(config) or None)  # the config is checked: unknown → refused
    if GPU_TARGET != "none":
        bound.compile_for(GPU_TARGET)  # a compiler error raises GPUCompileError
    return bound


def helion_spellings(config: dict) -> dict:
    """Helion flattens nested block-size lists (`[[32, 32], 32]` → `[32, 32, 32]`); the
    transpiler reads singular spellings (`block_size=16`) itself."""
    config = dict(config)
    sizes = config.get("block_sizes")
    if isinstance(sizes, (list, tuple)):
        config["block_sizes"] = [
            size for entry in sizes for size in (entry if isinstance(entry, list) else [entry])
        ]
    return config


def code_and_output(fn: object, args: Any, **config: Any) -> tuple[str, Any]:
    """(generated code, result) of the kernel on `args` with `config` (Helion's Config fields)."""
    bound = _bound(fn, args, helion_spellings(config))
    result = bound(*args)
    Ledger.kernels_run += 1
    return GeneratedCode(bound.triton_source), result


def output_only(fn: object, args: Any, **config: Any) -> Any:
    return code_and_output(fn, args, **config)[1]


def _decorator(skip_reason: str | None) -> Callable[[str], Callable[[Any], Any]]:
    """A `skipIfX(reason)` of Helion's: skips (skip_reason) or runs the test unchanged (None)."""

    def decorator_for(*args: Any, **kwargs: Any) -> Callable[[Any], Any]:
        if skip_reason is None:
            return lambda item: item
        reason = kwargs.get("reason", args[-1] if args else "")
        return unittest.skip(f"{skip_reason}: {reason}")

    return decorator_for


# Helion's decorators by what they mean here: a CPU machine, the Triton backend, compiled mode
RUN = None
DECORATORS = {
    "skipIfRefEager": RUN,
    "skipIfTileIR": RUN,
    "skipIfXPU": RUN,
    "skipIfRocm": RUN,
    "skipIfMTIA": RUN,
    "skipIfCute": RUN,
    "skipIfPallas": RUN,
    "skipIfPallasInterpret": RUN,
    "skipIfMetal": RUN,
    "skipIfA10G": RUN,
    "skipIfLowVRAM": RUN,
    "skipIfNotTriton": RUN,
    "skipIfSharedMemoryLessThan": RUN,
    "skipIfPyTorchBaseVerLessThan": RUN,
    "xfailIfPallas": RUN,
    "xfailIfPallasTpu": RUN,
    "xfailIfPallasInterpret": RUN,
    "xfailIfCute": RUN,
    "skipIfNormalMode": "reference mode only",
    "skipUnlessTileIR": "TileIR only",
    "skipUnlessPallas": "Pallas only",
    "skipUnlessAMDCDNA": "AMD only",
    "skipUnlessMultiXCD": "AMD only",
    "skipUnlessMTIA": "MTIA only",
    "skipUnlessCuteAvailable": "CuTe only",
    "skipUnlessTensorDescriptor": "needs a GPU (TMA)",
    "skipUnlessTf32Supported": "needs a GPU (TF32)",
    "skipIfCudaCapabilityLessThan": "needs a GPU",
}
globals().update({name: _decorator(action) for name, action in DECORATORS.items()})


def skipIfNotCUDA() -> Callable[[Any], Any]:
    return unittest.skip("needs a GPU")


def skipIfFn(condition: Callable[[], bool], reason: str) -> Callable[[Any], Any]:
    return lambda item: unittest.skip(reason)(item) if condition() else item


def onlyBackends(backends: Any) -> Callable[[type], type]:
    """A class for the listed backends: run when Triton is one."""
    return lambda cls: cls if "triton" in backends else unittest.skip("not Triton")(cls)


def skipUnlessBackends(backends: Any) -> Any:
    import pytest

    return pytest.mark.skipif("triton" not in backends, reason="not Triton")


def is_cuda() -> bool:
    return False


def _get_backend() -> str:
    return "triton"


def get_test_dot_precision() -> str:
    return "ieee"


def get_test_float32_matmul_precision() -> str:
    return "highest"


def import_path(filename: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(Path(filename).stem, filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- result comparisons, recorded -------------------------------------------------------------


def _recorded(compare: Callable, raises: bool) -> Callable:
    def recorded(*args: Any, **kwargs: Any) -> Any:
        Ledger.compared += 1
        Ledger.last_comparison_failed = False
        try:
            outcome = compare(*args, **kwargs)
        except AssertionError:
            Ledger.last_comparison_failed = True
            raise
        if not raises and outcome is False:
            Ledger.last_comparison_failed = True
        return outcome

    recorded.__wrapped__ = compare
    return recorded


def record_comparisons() -> None:
    """torch's comparisons note each outcome in the Ledger (a failed one makes a test wrong)."""
    torch.testing.assert_close = _recorded(torch.testing.assert_close, raises=True)
    torch.allclose = _recorded(torch.allclose, raises=False)
    torch.equal = _recorded(torch.equal, raises=False)
    logging.getLogger("transpiler").setLevel(logging.ERROR)
