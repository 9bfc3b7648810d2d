"""A subprocess that compiles generated kernels for GPU targets (Triton's interpreter off).

Triton decides when it decorates whether a `@triton.jit` function (its own library's too) is
interpreted, so a process running kernels in the interpreter cannot also compile them: this
one, started with TRITON_INTERPRET=0, does. It imports only torch, triton and the standard
library, reads pickled requests on stdin and answers on the stdout it was started with (what
Triton prints goes to stderr). A request is one launch as `capture` recorded it."""

from __future__ import annotations

import os
import pickle
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import types
from typing import Any, BinaryIO

_MODULES: dict[tuple[str, int], types.ModuleType] = {}


def read_frame(stream: BinaryIO) -> Any:
    """One length-prefixed pickle, or None at the end of the stream."""
    header = stream.read(8)
    if len(header) < 8:
        return None
    (size,) = struct.unpack("<Q", header)
    return pickle.loads(stream.read(size))


def write_frame(stream: BinaryIO, value: Any) -> None:
    data = pickle.dumps(value)
    stream.write(struct.pack("<Q", len(data)) + data)
    stream.flush()


class PointerArgument:
    """A tensor as Triton's launcher sees it: a dtype and an address (for its alignment)."""

    def __init__(self, dtype: Any, address: int) -> None:
        self.dtype = dtype
        self._address = address

    def data_ptr(self) -> int:
        return self._address


def _module(path: str, code: str) -> types.ModuleType:
    """The generated module, run here so that its @triton.jit functions are compilable."""
    key = (path, hash(code))
    if key not in _MODULES:
        import linecache

        module = types.ModuleType(f"transpiler_target_{len(_MODULES)}")
        module.__file__ = path
        linecache.cache[path] = (len(code), None, code.splitlines(keepends=True), path)
        sys.modules[module.__name__] = module  # a dataclass in it looks its module up
        exec(compile(code, path, "exec"), module.__dict__)
        _MODULES[key] = module
    return _MODULES[key]


def _decode(value: Any) -> Any:
    import torch
    import triton.language as tl

    if isinstance(value, tuple) and value and value[0] == "tensor":
        return PointerArgument(getattr(torch, value[1]), value[2])
    if isinstance(value, tuple) and value and value[0] == "tl.dtype":
        return getattr(tl, value[1])
    if isinstance(value, tuple) and value and value[0] == "tuple":
        return tuple(_decode(v) for v in value[1])
    return value


def compile_launch(request: dict) -> dict:
    """Compile one recorded launch as Triton's JIT would on the target's GPU: the same
    specialisation (16-byte alignment, ints equal to 1), options and constexprs."""
    import triton
    from triton.backends.compiler import GPUTarget
    from triton.compiler import ASTSource, make_backend
    from triton.runtime.jit import create_function_from_signature

    sys.path[:0] = [p for p in request.get("sys_path", ()) if p not in sys.path]  # its imports
    module = _module(request["path"], request["code"])
    function = getattr(module, request["kernel"])
    target = GPUTarget(*request["target"])
    try:
        backend = make_backend(target)
    except Exception as error:  # noqa: BLE001 - Triton raises RuntimeError or KeyError
        return {"missing_backend": f"{target.backend}: {error}"}
    args = [_decode(a) for a in request["args"]]
    kwargs = {k: _decode(v) for k, v in request["kwargs"].items()}
    kwargs.setdefault("debug", False)
    binder = create_function_from_signature(function.signature, function.params, backend)
    bound, specialization, options = binder(*args, **kwargs)
    options, signature, constexprs, attrs = function._pack_args(
        backend, kwargs, bound, specialization, options
    )
    source = ASTSource(function, signature, constexprs, attrs)
    started = time.perf_counter()
    try:
        compiled = triton.compile(source, target=target, options=options.__dict__)
    except Exception as error:  # noqa: BLE001 - every compiler error goes back as text
        return _failure(error, function)
    seconds = time.perf_counter() - started
    asm = {k: v for k, v in compiled.asm.items() if isinstance(v, str) and k != "source"}
    binary_name = "cubin" if "cubin" in compiled.asm else "hsaco"
    binary = compiled.asm.get(binary_name, b"")
    metadata = compiled.metadata
    return {
        "signature": dict(signature),
        "constexprs": {function.arg_names[k[0]]: repr(v) for k, v in constexprs.items()},
        "num_warps": metadata.num_warps,
        "num_stages": metadata.num_stages,
        "shared": metadata.shared,
        "tmem": getattr(metadata, "tmem_size", 0),
        "asm": asm,
        "binary_name": binary_name,
        "binary": binary,
        "resources": _resources(target.backend, binary, asm),
        "seconds": seconds,
    }


def _failure(error: Exception, function: Any) -> dict:
    """The compiler's error: its text, its kind, and the generated line it points at."""
    message = str(error) or repr(error)
    kind = type(error).__name__
    line = None
    found = re.match(r"at (\d+):(\d+):", message)
    if found:  # CompilationError: a line within the function's source, 1 = its `def`
        line = function.starting_line_number + _def_offset(function) + int(found.group(1)) - 1
    if kind not in ("CompilationError", "OutOfResources"):
        message += "\n" + "".join(traceback.format_exception_only(error)).strip()
    elif error.__cause__ is not None:  # Triton's excerpt, the reason in the chained error
        message += "\n" + "".join(traceback.format_exception_only(error.__cause__)).strip()
    return {"error": message, "error_kind": kind, "generated_line": line}


def _def_offset(function: Any) -> int:
    """Lines between a jit function's first line (its decorator) and its `def`."""
    for index, text in enumerate(function.raw_src):
        if text.lstrip().startswith("def "):
            return index
    return 0


def _resources(backend: str, binary: bytes, asm: dict[str, str]) -> dict[str, int]:
    """Registers per thread and spilled registers, as the driver would report them."""
    if backend == "hip":
        text = asm.get("amdgcn", "")

        def number(pattern: str) -> int:
            found = re.search(pattern, text)
            return int(found.group(1)) if found else 0

        vgprs = number(r"; TotalNumVgprs: (\d+)") or number(r"\.vgpr_count:\s+(\d+)")
        return {
            "registers": vgprs,
            "scalar_registers": number(r"\.sgpr_count:\s+(\d+)"),
            "spills": number(r"\.vgpr_spill_count:\s+(\d+)")
            + number(r"\.sgpr_spill_count:\s+(\d+)"),
            "compiler_occupancy": number(r"; Occupancy: (\d+)"),
        }
    import triton

    tool = os.path.join(os.path.dirname(triton.__file__), "backends", "nvidia", "bin", "cuobjdump")
    with tempfile.NamedTemporaryFile(suffix=".cubin") as file:
        file.write(binary)
        file.flush()
        usage = subprocess.run(
            [tool, "-res-usage", file.name], capture_output=True, text=True, check=False
        ).stdout
    registers = re.search(r"REG:(\d+)", usage)
    local = re.search(r"LOCAL:(\d+)", usage)
    return {  # the driver's n_spills is the local memory per thread in 4-byte words
        "registers": int(registers.group(1)) if registers else 0,
        "spills": int(local.group(1)) // 4 if local else 0,
    }


def _ready() -> str:
    """Triton's compiler imported: later requests' timeouts count only their compile."""
    import torch  # noqa: F401
    import triton.compiler  # noqa: F401

    return "ready"


def main() -> None:
    if os.environ.get("TRITON_INTERPRET") != "0":
        sys.exit(
            "transpiler.analysis.targets.worker: start it with TRITON_INTERPRET=0 (client.py does)"
        )
    # Jupyter interrupts a kernel's whole process group: the worker ends when its stdin does
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what Triton prints (ptxas failures print the PTX) must not reach replies
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer
    while (request := read_frame(requests)) is not None:
        try:
            reply = _ready() if request == "ready?" else compile_launch(request)
        except Exception as error:  # noqa: BLE001 - the parent raises it with the request
            reply = {"error": "".join(traceback.format_exception(error)), "error_kind": "worker"}
        write_frame(replies, reply)


if __name__ == "__main__":
    main()
