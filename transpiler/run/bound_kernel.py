"""A kernel bound to one set of argument ranks: its generated module, launcher and config."""

from __future__ import annotations

import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..analysis.targets import compile_launcher
from ..compile.pipeline import Transpiled
from .call_arguments import python_numbers
from .devices import check_devices
from .host_errors import note_users_line
from .lent_names import lend

if TYPE_CHECKING:
    from .runtime import Kernel


class BoundKernel:
    """A kernel specialised for one set of argument ranks and one device kind."""

    def __init__(
        self,
        kernel: Kernel,
        transpiled: Transpiled,
        module: types.ModuleType,
        config: dict | None = None,
    ) -> None:
        self.kernel = kernel
        self.transpiled = transpiled
        self.module = module  # the generated module, loaded from the cache (load_module)
        self.launcher = getattr(module, kernel.name)
        self.config = config  # the configuration it was built with (None: the decorator's)
        self.example: tuple = ((), {})  # bind's last arguments (tensors as meta), for compile_for

    @property
    def triton_source(self) -> str:
        return self.transpiled.code

    @property
    def module_path(self) -> Path:
        """The cached file the generated module was loaded from."""
        return Path(self.module.__file__ or "")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = python_numbers(args, kwargs)
        check_devices(self.kernel.name, args)
        lend(self.module, self.kernel.fn.__globals__)  # a helper redefined since: the new one
        try:
            return self.launcher(*args, **kwargs)
        except Exception as error:
            kernel = self.kernel
            note_users_line(
                error, self.module_path, self.transpiled, kernel.filename, kernel.source
            )
            raise

    def compile_for(self, target: str, config: dict | None = None) -> list:
        """Each generated @triton.jit kernel the call would launch, compiled for `target`
        ("sm_90", "gfx942", ... ; transpiler.analysis.targets.TARGETS) on this machine, GPU or not:
        a TargetResult per launch. `config` picks another configuration than bind's."""
        args, kwargs = self.example
        bound = self if config is None else self.kernel.bind(args, config, kwargs)
        return compile_launcher(bound.launcher, args, kwargs, target)
