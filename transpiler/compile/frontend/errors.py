"""The catalogue of errors a user can get from the transpiler, each pointing at their line."""

from __future__ import annotations

import difflib


class TranspileError(Exception):
    """A problem in the user's kernel source, with its place and a hint (like SyntaxError)."""

    hint = ""

    def __init__(
        self,
        message: str,
        *,
        filename: str = "<string>",
        lineno: int = 0,
        col_offset: int = 0,
        source_line: str = "",
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.lineno = lineno
        self.col_offset = col_offset
        self.source_line = source_line
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        where = f"{self.filename}:{self.lineno}:{self.col_offset + 1}"
        text = f"{where}: {type(self).__name__}: {self.message}"
        if self.source_line:
            stripped = self.source_line.rstrip()
            text += f"\n    {stripped}\n    {' ' * self.col_offset}^"
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text


class TranspileSyntaxError(TranspileError):
    """The source is not valid Python."""

    hint = "fix the Python syntax first; the kernel must parse as ordinary Python"


class UnsupportedOpError(TranspileError):
    """A torch function or method that the op table does not know."""

    hint = "see docs/ops.md for the supported ops"


class UnsupportedOpsError(UnsupportedOpError):
    """Several ops of one kernel that the op table does not know, reported together: placed at
    the first, each one's own message, line and hint in `errors`."""

    def __init__(self, errors: list[UnsupportedOpError]) -> None:
        first = errors[0]
        lines = ", ".join(str(e.lineno) for e in errors)
        super().__init__(
            f"{len(errors)} ops are not supported inside a device loop (lines {lines}); the first: "
            + first.message,
            filename=first.filename,
            lineno=first.lineno,
            col_offset=first.col_offset,
            source_line=first.source_line,
            hint=first.hint,
        )
        self.errors = errors

    def __str__(self) -> str:
        return "\n\n".join([super().__str__(), *(str(e) for e in self.errors[1:])])


class UnsupportedConstructError(TranspileError):
    """A Python construct that cannot run inside a device loop."""

    hint = "device code is straight-line tensor arithmetic on tiles, with loops over tiles"


class HostSyncError(UnsupportedConstructError):
    """Something inside a device loop that would need the host (.item(), .tolist(), print)."""

    hint = "values inside a device loop stay on the GPU; compute host values before the loop"


class BarrierPlacementError(UnsupportedConstructError):
    """hl.barrier() anywhere but as a statement of its own between a kernel's device loops."""

    hint = (
        "write `hl.barrier()` on a line of its own in the kernel body, between two top-level "
        "`for ... in hl.tile(...)` loops: the loop after it starts once the one before has ended"
    )


class TileArgumentError(TranspileError):
    """hl.tile / hl.grid called with no sizes or with sizes of the wrong kind."""

    hint = "write hl.tile(n), hl.tile([m, n]), hl.tile(x.size()) or hl.tile(begin, end)"


class TileOutsideKernelError(TranspileError):
    """A tile loop outside a @helion.kernel function."""

    hint = "decorate the enclosing function with @helion.kernel()"


class NoDeviceLoopError(TranspileError):
    """A kernel with no top-level hl.tile / hl.grid loop: nothing would run on the GPU."""

    hint = "put the device work inside `for tile in hl.tile(n):` at the top level of the kernel"


class StoreTargetError(TranspileError):
    """A store into something that is not a tensor from the host."""

    hint = "store into a tensor argument or one allocated before the loop (torch.empty_like(x))"


class IndexRankError(TranspileError):
    """More indices than the tensor has dimensions."""

    hint = "give one index per dimension: a tile, an integer or ':'"


class UnknownLanguageNameError(TranspileError):
    """An hl.<name> that the language does not define."""

    hint = "see docs/language.md for the names of helion.language"


class UnknownKeywordError(TranspileError):
    """A keyword argument the called function does not have (misspelt, or from another API)."""

    hint = "see the function's signature in docs/language.md or docs/ops.md"


class ConfigError(TranspileError):
    """A Config (decorator, `config=`, `--config`) with an unknown field or bad block sizes."""

    hint = "see helion.Config's fields: block_sizes, num_warps, num_stages, pid_type, indexing"


class BlockDependentError(TranspileError):
    """A value the kernel computes per block of a grid tile used where the whole range counts."""

    hint = "reduce over the whole range in a loop of its own first"


class DeviceLoopElseError(UnsupportedConstructError):
    """`for ... else` in a kernel (Helion's DeviceLoopElseBlock): the else would be dropped."""

    hint = "move the else block's statements after the loop"


class HostVariableModifiedError(TranspileError):
    """A host variable assigned a device value inside a device loop (Helion's
    CannotModifyHostVariableOnDevice)."""

    hint = "store into the tensor (out[tile] = ...) or give the device value a new name"


class StoreRaceError(TranspileError):
    """A store every program makes to the same elements with different values: a race."""

    hint = "use hl.atomic_add to combine the programs' values, or index the store by the tile"


class IndexDtypeError(TranspileError):
    """A float value used to index a tensor."""

    hint = "index with integers: .to(torch.int64) first"


class DtypeMismatchError(TranspileError):
    """An in-place update that would change a tensor's dtype (torch refuses it)."""

    hint = "allocate the tensor in the dtype the update gives, or convert the value first"


class UndefinedNameError(TranspileError):
    """A name used inside a device loop that is defined nowhere before it."""

    hint = "define it in the kernel before the loop, or pass it as an argument"


class ReductionLoopError(UnsupportedConstructError):
    """A construct along a dimension the config walks in chunks (`reduction_loops`) that needs
    the whole row at once (a scan, a reshape, a dot along it, a branch)."""

    hint = "give this dimension reduction_loops=[None] (one block per row)"


class ShapeError(TranspileError):
    """Values whose tile dimensions cannot be shown to line up."""

    hint = "values combined element-wise must span the same tiles; add dims with [:, None]"


class RankUnknownError(TranspileError):
    """hl.tile(x.size()) where the rank of x is known only from the arguments."""

    hint = (
        "call the kernel through transpiler.kernel (it specialises on the arguments), pass "
        "example_args= to transpile (on the command line: --example 'torch.randn(64, 128)', "
        "one expression per argument, or \"{'kernel': (torch.randn(64, 128),)}\" for one "
        "kernel of several; or --assume-rank 2 for 2-D tensor arguments of any size), or write "
        "the sizes out: hl.tile([m, n])"
    )


class ArgumentUnknownError(RankUnknownError):
    """Device code that needs an argument's value (None or a tensor, a string) while
    transpiling, where only the call gives it."""

    hint = (
        "call the kernel through transpiler.kernel (it specialises on such arguments), or pass "
        "example_args= to transpile"
    )


class UnsupportedDtypeError(TranspileError):
    """A dtype the generated kernel cannot compute in."""

    hint = "use a float, integer or bool dtype"


class InlineTritonError(TranspileError):
    """Triton code for hl.inline_triton / hl.triton_kernel that cannot be spliced in."""

    hint = (
        "give the snippet as a string literal that parses as Python, its last line an "
        "expression when output_like is given"
    )


class CallableArgumentError(TranspileError):
    """A callable kernel argument (an epilogue) whose body cannot be inlined into the kernel."""

    hint = (
        "pass a lambda or a def whose source Python can find, that returns one expression "
        "and closes over tensors, ints, floats or bools only"
    )


class KernelErrors(TranspileError):
    """Several kernels of one module could not be transpiled: each one's own error, in source
    order (`errors`), and the module with the kernels that could (`partial`: a Transpiled whose
    failed kernels are functions raising their error when called)."""

    def __init__(self, errors: list[TranspileError], kernels: int, partial: object) -> None:
        first = errors[0]
        names = ", ".join(getattr(e, "kernel", "?") for e in errors)
        super().__init__(
            f"{len(errors)} of {kernels} kernels not transpiled ({names})",
            filename=first.filename,
            lineno=first.lineno,
            col_offset=first.col_offset,
            source_line=first.source_line,
        )
        self.errors, self.kernels, self.partial = errors, kernels, partial

    hint = "each error below is one kernel's; the module of the others is `.partial`"

    def __str__(self) -> str:
        return "\n\n".join([super().__str__(), *(str(e) for e in self.errors)])


class InternalTranspilerError(TranspileError):
    """A bug in the transpiler itself, reported at the statement it was lowering."""

    hint = "this is a bug in the transpiler, not in your kernel: please report it with this source"


def near_names(name: str, choices: list[str] | tuple[str, ...]) -> str:
    """'did you mean' text for an unknown name, or '' when nothing is close."""
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.6)
    return f"did you mean {', '.join(close)}?" if close else ""
