"""Helion's distributed examples, unmodified, across GPUs: checked against torch.distributed and
timed against NCCL (issue 20). Not yet run: it needs a kind with two GPUs or more.

    export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
    timeout 500 torchrun --standalone --nproc-per-node 2 benchmarks/distributed_examples.py \\
        --examples .helion_examples/distributed [--real-helion] [--json OUT.json]

`--examples` holds Helion's examples/distributed/*.py (benchmarks/helion_examples_fetch.py GIT_DIR
--distributed writes them into .helion_examples/distributed; carry that folder to the device).
Each rank imports all_reduce.py, matmul_reduce_scatter.py and all_gather_matmul.py (its
matmul waits on flags that a copy-engine all-gather raises) with `helion` mapped to
`transpiler` (benchmarks/helion_shim.py), or with --real-helion to the installed Helion, and:

1. runs the example's own test() (its run_example check against torch's symm_mem one-shot
   all-reduce / torch.mm + dist.reduce_scatter_tensor), as `python -m torch.distributed.run`
   would;
2. at several sizes: checks the example's kernel against a torch.distributed collective (NCCL)
   on the same inputs, then times the kernel, the NCCL collective (for matmul_reduce_scatter:
   torch.mm then dist.reduce_scatter_tensor, for all_gather_matmul dist.all_gather_into_tensor
   then torch.mm; and torch's own symm_mem one-shot all-reduce / fused_all_gather_matmul) with
   CUDA events over a fixed number of calls (the same on every rank:
   the kernels wait for each other), the slowest rank's time counting.

Rank 0 prints a table (and writes --json). NVLink multicast stays off: the three variables
above are set here too, before NCCL or symmetric memory start, and nothing here asks for
multicast (/work/.library/device/KINDS.md: it can put a shared host's GPUs out of service).
all_reduce.py builds a small CUDA extension with nvcc when imported (its from_blob helper,
unused by the kernel); where that fails the import goes on with a stub, and the table says so.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

MULTICAST_OFF = {
    "NCCL_NVLS_ENABLE": "0",
    "TORCH_SYMM_MEM_DISABLE_MULTICAST": "1",
    "NVSHMEM_DISABLE_NVLS": "1",
}
os.environ.update(MULTICAST_OFF)  # before torch.distributed, NCCL or NVSHMEM read them

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
import torch.distributed._symmetric_memory as symm_mem  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
SIGNAL_PAD_BYTES = 16 * 2**20  # as matmul_reduce_scatter.py's main() sets it
ALL_REDUCE_SIZES = [16384, 262144, 4 * 2**20, 32 * 2**20]  # elements per rank (bf16)
MATMUL_SIZES = [(512, 768, 1024), (2048, 2048, 2048), (8192, 4096, 4096)]  # M, N, K (bf16)
WARMUP, CALLS = 5, 20


def rank() -> int:
    return dist.get_rank()


# -- importing the examples ---------------------------------------------------------------


@contextlib.contextmanager
def helion_names(real: bool) -> Iterator[str]:
    """`helion` → `transpiler` (the shim), or the installed Helion; what it is, in words."""
    if real:
        import helion

        yield f"Helion {getattr(helion, '__version__', '?')}"
        return
    import helion_shim

    with helion_shim.installed(transpile_only=False):
        yield "ours (transpiler)"


def import_example(path: Path, notes: list[str]) -> ModuleType:
    """The example as a module (its `if __name__ == "__main__":` block not run)."""

    def load() -> ModuleType:
        spec = importlib.util.spec_from_file_location(f"distributed_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    try:
        return load()
    except (OSError, RuntimeError, ImportError) as error:  # nvcc / CUDA_HOME for load_inline
        if "load_inline" not in path.read_text():
            raise
        import torch.utils.cpp_extension as extension

        notes.append(f"{path.name}: load_inline failed ({type(error).__name__}), stubbed")
        original = extension.load_inline
        extension.load_inline = lambda *args, **kwargs: None  # its from_blob is never called
        try:
            return load()
        finally:
            extension.load_inline = original


# -- timing and checks ----------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    """Milliseconds per call: the same number of calls on every rank, the slowest rank's time."""
    for _ in range(WARMUP):
        fn()
    torch.cuda.synchronize()
    dist.barrier()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(CALLS):
        fn()
    end.record()
    torch.cuda.synchronize()
    slowest = torch.tensor([start.elapsed_time(end) / CALLS], device="cuda")
    dist.all_reduce(slowest, op=dist.ReduceOp.MAX)
    return float(slowest.item())


def largest_difference(actual: torch.Tensor, expected: torch.Tensor) -> float:
    """The largest |actual - expected| over every rank."""
    difference = (actual.float() - expected.float()).abs().max().reshape(1)
    dist.all_reduce(difference, op=dist.ReduceOp.MAX)
    return float(difference.item())


def all_reduce_rows(module: ModuleType, group: str) -> list[dict]:
    rows = []
    world = dist.get_world_size()
    for n in ALL_REDUCE_SIZES:
        torch.manual_seed(1 + rank())
        a_shared = symm_mem.empty(n, dtype=torch.bfloat16, device="cuda").normal_()
        handle = symm_mem.rendezvous(a_shared, group)

        def ours(a_shared=a_shared, handle=handle) -> torch.Tensor:
            return module.one_shot_all_reduce_kernel(
                handle.signal_pad_ptrs_dev,
                a_shared,
                my_rank=handle.rank,
                group_name=group,
                world_size=handle.world_size,
            )

        nccl_buffer = a_shared.clone()
        dist.all_reduce(nccl_buffer)  # NCCL's sum: the check
        error = largest_difference(ours(), nccl_buffer)
        torch_one_shot = lambda a_shared=a_shared: torch.ops.symm_mem.one_shot_all_reduce(  # noqa: E731
            a_shared, "sum", group
        )
        rows.append(
            {
                "example": "all_reduce",
                "size": f"{n} bf16 x {world}",
                "max |ours - NCCL|": error,
                "kernel ms": timed(ours),
                "NCCL ms": timed(lambda buffer=nccl_buffer: dist.all_reduce(buffer)),
                "torch symm_mem ms": timed(torch_one_shot),
            }
        )
    return rows


def matmul_reduce_scatter_rows(module: ModuleType, group: str) -> list[dict]:
    rows = []
    for m, n, k in MATMUL_SIZES:
        torch.manual_seed(1 + rank())
        a = torch.randn(m, k, dtype=torch.bfloat16, device="cuda")
        torch.manual_seed(0)
        b = torch.randn(k, n, dtype=torch.bfloat16, device="cuda") / k**0.5
        buffer = symm_mem.empty(m, n, dtype=torch.bfloat16, device="cuda")
        handle = symm_mem.rendezvous(buffer, group)

        def ours(a=a, b=b, buffer=buffer, handle=handle) -> torch.Tensor:
            return module.matmul_reduce_scatter_kernel(
                a,
                b,
                buffer,
                handle.signal_pad_ptrs_dev,
                RANK=handle.rank,
                WORLD_SIZE=handle.world_size,
                GROUP_NAME=group,
            )

        expected = module.reference_matmul_reduce_scatter(a, b)  # the example's own baseline
        scattered = torch.empty(m // dist.get_world_size(), n, dtype=a.dtype, device="cuda")

        def torch_and_nccl(a=a, b=b, scattered=scattered) -> None:  # bf16 mm, NCCL scatter
            dist.reduce_scatter_tensor(scattered, torch.mm(a, b))

        rows.append(
            {
                "example": "matmul_reduce_scatter",
                "size": f"{m}x{n}x{k} bf16",
                "max |ours - NCCL|": largest_difference(ours(), expected),
                "kernel ms": timed(ours),
                "NCCL ms": timed(torch_and_nccl),
                "torch symm_mem ms": float("nan"),
            }
        )
    return rows


def all_gather_matmul_rows(module: ModuleType, group: str) -> list[dict]:
    rows = []
    world = dist.get_world_size()
    for m, n, k in MATMUL_SIZES:
        torch.manual_seed(1 + rank())
        a_shared = symm_mem.empty(m // world, k, dtype=torch.bfloat16, device="cuda").normal_()
        torch.manual_seed(0)
        b = (torch.randn(k, n, dtype=torch.bfloat16, device="cuda") / k**0.5).T.contiguous().T
        gathered = torch.empty(m, k, dtype=torch.bfloat16, device="cuda")

        def torch_and_nccl(a_shared=a_shared, b=b, gathered=gathered) -> torch.Tensor:
            dist.all_gather_into_tensor(gathered, a_shared)
            return torch.mm(gathered, b)

        ours = lambda a_shared=a_shared, b=b: module.helion_ag_matmul(a_shared, b)  # noqa: E731
        torch_fused = lambda a_shared=a_shared, b=b: module.reference_ag_matmul(a_shared, b)  # noqa: E731
        rows.append(
            {
                "example": "all_gather_matmul",
                "size": f"{m}x{n}x{k} bf16",
                "max |ours - NCCL|": largest_difference(ours(), torch_and_nccl()),
                "kernel ms": timed(ours),
                "NCCL ms": timed(torch_and_nccl),
                "torch symm_mem ms": timed(torch_fused),  # fused_all_gather_matmul
            }
        )
    return rows


CASES = {
    "all_reduce": all_reduce_rows,
    "matmul_reduce_scatter": matmul_reduce_scatter_rows,
    "all_gather_matmul": all_gather_matmul_rows,
}
OWN_TESTS = {
    "all_reduce": lambda module, device: module.test(16384, device, torch.bfloat16),
    "matmul_reduce_scatter": lambda module, device: module.test(
        512, 768, 1024, device, torch.float32
    ),
    "all_gather_matmul": lambda module, device: module.test(
        4096, 6656, 16384, dist.get_world_size(), device
    ),
}


# -- the run ------------------------------------------------------------------------------


def run(examples: Path, real: bool) -> tuple[str, list[dict], list[str]]:
    group = dist.group.WORLD.group_name
    device = torch.device("cuda", torch.cuda.current_device())
    rows: list[dict] = []
    notes: list[str] = []
    with helion_names(real) as who:
        for name, case in CASES.items():
            path = examples / f"{name}.py"
            try:
                module = import_example(path, notes)
                OWN_TESTS[name](module, device)
                notes.append(f"{name}: the example's own test() passed")
                rows += case(module, group)
            except Exception as error:  # noqa: BLE001 - reported per example, the run goes on
                text = "".join(traceback.format_exception_only(error)).strip().splitlines()[-1]
                notes.append(f"{name}: {text}")
                if rank() == 0:
                    traceback.print_exc()
    return who, rows, notes


def table(who: str, rows: list[dict]) -> str:
    columns = ["example", "size", "max |ours - NCCL|", "kernel ms", "NCCL ms", "torch symm_mem ms"]
    lines = [f"kernels: {who}; {dist.get_world_size()} x {torch.cuda.get_device_name()}"]
    lines.append(" | ".join(columns) + " | kernel / NCCL")
    for row in rows:
        cells = [f"{row[c]:.4g}" if isinstance(row[c], float) else str(row[c]) for c in columns]
        lines.append(" | ".join(cells) + f" | {row['kernel ms'] / row['NCCL ms']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=ROOT / ".helion_examples" / "distributed")
    parser.add_argument("--real-helion", action="store_true", help="the installed Helion instead")
    parser.add_argument("--json", type=Path, help="rank 0 writes the rows here")
    args = parser.parse_args(argv)
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    from torch._C._distributed_c10d import _SymmetricMemory

    _SymmetricMemory.signal_pad_size = SIGNAL_PAD_BYTES  # before any symmetric allocation
    dist.init_process_group("nccl", device_id=torch.device("cuda", local))
    try:
        who, rows, notes = run(args.examples, args.real_helion)
        if rank() == 0:
            print(table(who, rows))
            print("\n".join(f"note: {note}" for note in notes))
            if args.json:
                args.json.write_text(json.dumps({"kernels": who, "rows": rows, "notes": notes}))
    finally:
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
