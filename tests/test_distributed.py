"""Helion's distributed examples on CPU (issue 20): transpiled unmodified, compiled for sm_90,
run by the interpreter over one rank, and bad input refused before any launch.

The examples come from Helion's snapshot (a bare git dir: $HELION_GIT_DIR, else the mirror),
read at test time and never written into the repository; without it these tests skip."""

from __future__ import annotations

import ast
import contextlib
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest
import torch
import torch.distributed as dist

import transpiler
import transpiler.distributed.dist_utils
from transpiler.analysis.targets import compile_launcher, symmetric
from transpiler.compile.frontend import errors
from transpiler.run.runtime import load_module

ROOT = Path(__file__).resolve().parents[1]
GIT_DIR = Path(os.environ.get("HELION_GIT_DIR", "/work/.mirror/pytorch+helion/repo"))
ALL_REDUCE = "one_shot_all_reduce_kernel"


@pytest.fixture(scope="module")
def all_reduce() -> str:
    return snapshot_example("all_reduce")


def snapshot_example(name: str) -> str:
    """examples/distributed/NAME.py of the snapshot's HEAD (skips when there is none)."""
    if not (GIT_DIR / "HEAD").exists():
        pytest.skip(f"Helion's snapshot is absent ({GIT_DIR}; set HELION_GIT_DIR)")
    done = subprocess.run(
        ["git", "--git-dir", str(GIT_DIR), "show", f"HEAD:examples/distributed/{name}.py"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"the snapshot has no examples/distributed/{name}.py: {done.stderr.strip()}")
    return done.stdout


def kernels_only(source: str, *names: str) -> str:
    """The example's imports and its kernels, unmodified; the rest of the module left out (the
    all-reduce builds a CUDA extension with nvcc when imported)."""
    module = cst.parse_module(source)

    def kept(statement: cst.CSTNode) -> bool:
        if isinstance(statement, cst.FunctionDef):
            return statement.name.value in names
        return isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
        )

    return module.with_changes(body=[s for s in module.body if kept(s)]).code


@contextlib.contextmanager
def process_group(backend: str, world_size: int) -> Iterator[str]:
    """A process group in this process: "fake" (any size, no communication) or "gloo" (one
    rank); its name."""
    if backend == "fake":
        from torch.testing._internal.distributed.fake_pg import FakeStore

        store = FakeStore()
    else:
        store = dist.HashStore()
    dist.init_process_group(backend, store=store, rank=0, world_size=world_size)
    try:
        yield dist.group.WORLD.group_name
    finally:
        dist.destroy_process_group()


def rand(n: int, dtype: torch.dtype) -> torch.Tensor:
    """Values in [0.5, 1.5) or (-1.5, -0.5]: no zeros."""
    magnitude = torch.rand(n, dtype=torch.float64) + 0.5
    return (magnitude * torch.where(torch.rand(n) < 0.5, -1.0, 1.0).double()).to(dtype)


def launcher(source: str, name: str, args: tuple | None = None):
    transpiled = transpiler.transpile_module(
        source, filename=f"{name}.py", example_args=None if args is None else {name: args}
    )
    return getattr(load_module(transpiled.code, stem=name), name)


# -- the generated code -------------------------------------------------------------------


def test_all_reduce_transpiles_unmodified_to_readable_triton(all_reduce):
    code = transpiler.transpile(all_reduce, filename="all_reduce.py")
    kernel = code[code.index(f"def {ALL_REDUCE}_kernel(") : code.index(f"\ndef {ALL_REDUCE}(")]
    host = code[code.index(f"\ndef {ALL_REDUCE}(") :]
    host = host[: host.index("\n# %%")]
    # host code: the check, then the user's call for the other ranks' tensors, kept verbatim
    assert host.index('require_symmetric("a_shared", a_shared, group_name)') < host.index(
        "a_shared_tuple = torch.ops.symm_mem.get_remote_tensors(a_shared, group_name)"
    )
    assert 'require_alike("a_shared_tuple", a_shared_tuple, a_shared)' in host
    assert "tuple(a_shared_tuple)" in host  # Triton takes tuples of tensors, not lists
    # the constexprs rank and world size passed where the kernel's parameters of those names are
    tree = ast.parse(code)
    (kernel_def,) = [n for n in tree.body if getattr(n, "name", "") == f"{ALL_REDUCE}_kernel"]
    (launch,) = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Subscript)
    ]
    passed = [ast.unparse(a) for a in launch.args] + [f"{k.arg}=" for k in launch.keywords]
    parameters = [a.arg for a in kernel_def.args.args]
    for name in ("my_rank", "world_size"):
        assert name in passed and parameters[passed.index(name)] == name
    assert "require_signal_pad(grid[0], world_size)" in host  # a slot per program and rank
    # the kernel: constexpr rank and world size, the tuple unrolled, the barrier twice
    header = kernel[: kernel.index("):")]
    assert "my_rank: tl.constexpr" in header and "world_size: tl.constexpr" in header
    assert "a_shared_tuple" in header and "group_name" not in header
    assert "for a_index in tl.static_range(len(a_shared_tuple)):" in kernel
    assert "a_ptr = a_shared_tuple[a_index]" in kernel
    assert "a_ptr + offs_n * a_stride_0" in kernel
    syncs = re.findall(
        r"symm_mem_sync\(signal_pad_ptrs_dev, None, my_rank, world_size, (.*)\)", kernel
    )
    assert syncs == ["False, True", "True, False"]
    # the barrier is ours, written into the module once: no Helion import is left
    assert code.count("def symm_mem_sync(") == 1
    barrier = code[code.index("def symm_mem_sync(") :]
    barrier = barrier[: barrier.index("\n\n\n")]
    assert barrier.count('scope="sys"') == 4 and "tl.atomic_cas" in barrier
    assert "import helion" not in code and "helion.runtime" not in code
    compile(code, "all_reduce_triton.py", "exec")


@pytest.mark.parametrize("world_size", [2, 4])
def test_all_reduce_compiles_for_sm_90(all_reduce, world_size):
    """The kernel of the plain transpile (rank and world size as constexprs) through Triton's
    GPU compiler for sm_90, with CPU stand-ins for the other ranks' tensors."""
    a_shared = torch.empty(3001, dtype=torch.bfloat16)
    with process_group("fake", world_size) as group:
        launch = launcher(kernels_only(all_reduce, ALL_REDUCE), ALL_REDUCE)
        kwargs = {"my_rank": world_size - 1, "group_name": group, "world_size": world_size}
        (result,) = compile_launcher(launch, (0x7F0000001000, a_shared), kwargs, "sm_90")
    assert result.fits and result.spills == 0
    assert result.signature["a_shared_tuple"] == ("*bf16",) * world_size
    assert result.signature["signal_pad_ptrs_dev"] == "i64"  # torch's address of the pads
    assert result.constexprs["world_size"] == str(world_size)
    # two barriers, each a compare-and-swap per peer to signal and per peer to wait
    assert result.mix["atomics"] == 4 * world_size
    assert result.mix["global_loads"] >= world_size  # one load per rank's tensor at least
    ptx = result.asm["ptx"]
    for order in ("release", "acquire", "relaxed"):
        assert re.search(rf"atom\.global\.{order}\.sys\.cas\.b32", ptx), order


def test_the_decorated_kernel_binds_and_compiles_for_sm_90(all_reduce, tmp_path, monkeypatch):
    """The example's kernel imported as Helion code under the examples' shim (`helion` →
    `transpiler`, its `helion.runtime.triton.dist_utils` → ours): bind() with the example's
    keywords, then compile_for("sm_90")."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    monkeypatch.syspath_prepend(str(tmp_path))
    import helion_shim

    (tmp_path / "all_reduce_kernel.py").write_text(kernels_only(all_reduce, ALL_REDUCE))
    a_shared = torch.empty(8192, dtype=torch.float16)
    with helion_shim.installed(transpile_only=False), process_group("fake", 2) as group:
        module = __import__("all_reduce_kernel")
        kernel = module.one_shot_all_reduce_kernel
        assert module.symm_mem_sync is transpiler.distributed.dist_utils.symm_mem_sync
        kwargs = {"my_rank": 0, "group_name": group, "world_size": 2}
        bound = kernel.bind((0x7F0000001000, a_shared), kwargs=kwargs)
        (result,) = bound.compile_for("sm_90")
    assert "symm_mem_sync(signal_pad_ptrs_dev, None, 0, 2, False, True)" in bound.triton_source
    assert result.fits and result.signature["a_shared_tuple"] == ("*fp16", "*fp16")
    assert result.mix["atomics"] == 8


# -- run by the interpreter ---------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
@pytest.mark.parametrize("n", [12345, 777])
@pytest.mark.parametrize("peers", [1, 3])
def test_all_reduce_sums_every_tensor_of_the_tuple(all_reduce, dtype, n, peers, monkeypatch):
    """One rank (the barrier meets only itself) whose get_remote_tensors gives `peers`
    tensors: the kernel sums them all, and leaves the signal pad all zero again."""
    a_shared = rand(n, dtype)
    others = [rand(n, dtype) for _ in range(peers - 1)]
    pad = torch.zeros(8, dtype=torch.int32)  # a slot per program: cdiv(n, 8192) programs
    pads = torch.tensor([pad.data_ptr()], dtype=torch.int64)  # the pads' addresses, per rank
    with process_group("gloo", 1) as group:
        args = (pads.data_ptr(), a_shared, 0, group, 1)
        launch = launcher(kernels_only(all_reduce, ALL_REDUCE), ALL_REDUCE, args)
        monkeypatch.setitem(
            launch.__globals__, "require_symmetric", symmetric.require_group
        )  # CPU tensors
        with symmetric.remote_tensors_on_cpu(lambda local, group_name: [local, *others]):
            out = launch(*args)
    expected = sum(t.double() for t in [a_shared, *others])
    torch.testing.assert_close(out.double(), expected, rtol=2e-3 if peers > 1 else 0, atol=0)
    assert out.dtype == dtype and not pad.any()


# -- bad input, before any launch ---------------------------------------------------------


class NoLaunch:
    """Stands in for the kernel: a launch fails the test."""

    def __getitem__(self, grid):
        raise AssertionError("the kernel was launched")


@pytest.fixture
def unlaunched(all_reduce, monkeypatch):
    launch = launcher(kernels_only(all_reduce, ALL_REDUCE), ALL_REDUCE)
    monkeypatch.setitem(launch.__globals__, f"{ALL_REDUCE}_kernel", NoLaunch())
    return launch


def call(launch, a_shared, group: str, **changes):
    kwargs = {"my_rank": 0, "group_name": group, "world_size": 1, **changes}
    return launch(0x7F0000001000, a_shared, **kwargs)


def test_without_a_process_group(unlaunched):
    assert not dist.is_initialized()
    with pytest.raises(RuntimeError, match=r"^a_shared: .*init_process_group\(\) first"):
        call(unlaunched, rand(64, torch.float32), "0")


def test_a_tensor_not_from_symmetric_memory(unlaunched):
    with process_group("gloo", 1) as group:
        with pytest.raises(ValueError, match=r"^a_shared is not allocated from symmetric memory"):
            call(unlaunched, rand(64, torch.float32), group)


def test_a_tensor_past_the_start_of_its_allocation(unlaunched):
    with process_group("gloo", 1) as group:
        with pytest.raises(ValueError, match=r"^a_shared must be contiguous and start its symm"):
            call(unlaunched, rand(65, torch.float32)[1:], group)


def test_more_programs_than_the_signal_pads_hold(unlaunched, monkeypatch):
    from torch._C._distributed_c10d import _SymmetricMemory

    monkeypatch.setitem(unlaunched.__globals__, "require_symmetric", symmetric.require_group)
    size = _SymmetricMemory.signal_pad_size  # a pybind static: monkeypatch cannot restore it
    _SymmetricMemory.signal_pad_size = 4 * 3  # 3 programs of 1 rank
    try:
        with process_group("gloo", 1) as group:
            with symmetric.remote_tensors_on_cpu(lambda local, group_name: [local]):
                with pytest.raises(ValueError, match=r"^4 programs meeting 1 ranks need 16 bytes"):
                    call(unlaunched, rand(8192 * 3 + 1, torch.float32), group)
    finally:
        _SymmetricMemory.signal_pad_size = size
    assert _SymmetricMemory.signal_pad_size == size


def test_a_group_name_no_group_has(unlaunched):
    with process_group("gloo", 1):
        with pytest.raises(ValueError, match=r"^a_shared: no process group is named 'tp'"):
            call(unlaunched, rand(64, torch.float32), "tp")


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (torch.zeros(63), r"a_shared_tuple\[1\] is \(63,\) torch.float32 on cpu; the kernel"),
        (torch.zeros(64, dtype=torch.float64), r"a_shared_tuple\[1\] is \(64,\) torch.float64"),
        (torch.zeros(128)[::2], r"a_shared_tuple\[1\] has strides \(2,\), a_shared_tuple\[0\]"),
    ],
    ids=["shape", "dtype", "strides"],
)
def test_remote_tensors_unlike_the_local_one(unlaunched, other, message, monkeypatch):
    monkeypatch.setitem(unlaunched.__globals__, "require_symmetric", symmetric.require_group)
    with process_group("gloo", 1) as group:
        with symmetric.remote_tensors_on_cpu(lambda local, group_name: [local, other]):
            with pytest.raises(ValueError, match=message):
                call(unlaunched, rand(64, torch.float32), group)


TUPLE_LOOP = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def summed(x: torch.Tensor, group: hl.constexpr) -> torch.Tensor:
    out = torch.empty_like(x)
    xs = torch.ops.symm_mem.get_remote_tensors(x, group)
    for tile in hl.tile(out.size(0)):
        acc = hl.zeros([tile], dtype=torch.float32)
        for {target} in xs:
            acc += {element}[tile]
        out[tile] = acc
    return out
"""


@pytest.mark.parametrize(
    ("target", "element", "message"),
    [
        ("left, right", "left", "unpacking the tensors of xs in the loop's target"),
        ("out", "out", "'out' is also a host name: the loop over xs needs its own"),
    ],
    ids=["unpacked", "host-name"],
)
def test_tuple_loops_refused_at_the_users_line(target, element, message):
    source = TUPLE_LOOP.format(target=target, element=element)
    with pytest.raises(errors.UnsupportedConstructError) as caught:
        transpiler.transpile(source)
    assert message in str(caught.value) and caught.value.lineno == 13
    assert caught.value.hint.startswith(("loop with one name", "name the loop variable"))


# -- matmul + reduce-scatter --------------------------------------------------------------

MATMUL_REDUCE_SCATTER = "matmul_reduce_scatter_kernel"


@pytest.fixture(scope="module")
def matmul_reduce_scatter() -> str:
    return snapshot_example("matmul_reduce_scatter")


def test_matmul_reduce_scatter_transpiles_unmodified(matmul_reduce_scatter):
    code = transpiler.transpile(matmul_reduce_scatter, filename="matmul_reduce_scatter.py")
    name = MATMUL_REDUCE_SCATTER
    kernel = code[code.index(f"def {name}_kernel(") : code.index(f"\ndef {name}(")]
    host = code[code.index(f"\ndef {name}(") : code.index("\ndef helion_matmul_reduce_scatter(")]
    assert host.index('require_symmetric("symm_mem_buffer", symm_mem_buffer, GROUP_NAME)') < (
        host.index("buffer_tuple = torch.ops.symm_mem.get_remote_tensors(")
    )
    assert "RANK: tl.constexpr" in kernel and "WORLD_SIZE: tl.constexpr" in kernel
    # the local product stored to this rank's buffer, the barrier, then the sum over ranks
    store = kernel.index("tl.store(symm_mem_buffer_ptrs")
    first_sync = kernel.index("symm_mem_sync(signal_pad_ptrs, None, RANK, WORLD_SIZE, True, True)")
    loop = kernel.index("for remote_buffer_index in tl.static_range(len(buffer_tuple)):")
    last_sync = kernel.index("symm_mem_sync(signal_pad_ptrs, None, RANK, WORLD_SIZE, True, False)")
    assert store < first_sync < loop < last_sync
    assert "if pid_m * BLOCK_M >= scatter_start and pid_m * BLOCK_M < scatter_end:" in kernel
    # the row index counts from the end when negative, as torch's (negative_indices.py)
    assert "index_1 = offs_m - scatter_start" in kernel
    assert (
        "tl.where(index_1 < 0, index_1 + M_scatter, index_1)[:, None] * output_stride_0" in kernel
    )


def test_matmul_reduce_scatter_compiles_for_sm_90(matmul_reduce_scatter):
    a, b = torch.empty(256, 96, dtype=torch.bfloat16), torch.empty(96, 192, dtype=torch.bfloat16)
    buffer = torch.empty(256, 192, dtype=torch.bfloat16)
    source = kernels_only(matmul_reduce_scatter, MATMUL_REDUCE_SCATTER)
    with process_group("fake", 2) as group:
        launch = launcher(source, MATMUL_REDUCE_SCATTER)
        kwargs = {"RANK": 1, "WORLD_SIZE": 2, "GROUP_NAME": group}
        (result,) = compile_launcher(launch, (a, b, buffer, 0x7F0000001000), kwargs, "sm_90")
    assert result.fits and result.spills == 0 and result.grid == (4 * 3,)
    assert result.signature["buffer_tuple"] == ("*bf16", "*bf16")
    assert result.mix["wgmma"] > 0 and result.mix["atomics"] == 8


@pytest.mark.parametrize("peers", [1, 2])
def test_matmul_reduce_scatter_over_one_rank(matmul_reduce_scatter, peers, monkeypatch):
    """One rank (it keeps every row): its product plus the other tensors
    get_remote_tensors gives, each tile summed over them after the barrier."""
    m, n, k = 100, 70, 50  # partial tiles along every dimension
    a, b = rand(m * k, torch.float32).view(m, k), rand(k * n, torch.float32).view(k, n)
    buffer = torch.zeros(m, n)
    others = [rand(m * n, torch.float32).view(m, n) for _ in range(peers - 1)]
    pad = torch.zeros(2 * 2, dtype=torch.int32)  # a slot per program
    pads = torch.tensor([pad.data_ptr()], dtype=torch.int64)
    source = kernels_only(matmul_reduce_scatter, MATMUL_REDUCE_SCATTER)
    with process_group("gloo", 1) as group:
        args = (a, b, buffer, pads.data_ptr(), 0, 1, group)
        launch = launcher(source, MATMUL_REDUCE_SCATTER, args)
        monkeypatch.setitem(launch.__globals__, "require_symmetric", symmetric.require_group)
        with symmetric.remote_tensors_on_cpu(lambda local, group_name: [local, *others]):
            out = launch(*args)
    product = a.double() @ b.double()
    torch.testing.assert_close(buffer.double(), product, rtol=1e-4, atol=1e-4)
    expected = product + sum(t.double() for t in others)
    torch.testing.assert_close(out.double(), expected, rtol=1e-4, atol=1e-4)
    assert not pad.any()


# -- all-gather + matmul: waits on progress flags ------------------------------------------

MATMUL_WITH_PROGRESS = "helion_matmul_w_progress"


@pytest.fixture(scope="module")
def all_gather_matmul() -> str:
    return kernels_only(
        snapshot_example("all_gather_matmul"), MATMUL_WITH_PROGRESS, "_wait_progress_at_idx"
    )


def test_all_gather_matmul_waits_with_our_triton_wait_signal(all_gather_matmul):
    """The example's own @triton.jit helper passes through unchanged; the Helion function it
    calls (imported from helion.runtime.triton.helpers) is ours, written into the module."""
    code = transpiler.transpile(all_gather_matmul, filename="all_gather_matmul.py")
    assert code.count("def triton_wait_signal(") == 1
    assert code.index("def triton_wait_signal(") < code.index("def _wait_progress_at_idx(")
    assert 'triton_wait_signal(progress + idx, 1, 0, "acquire", "gpu", "ld", False)' in code
    assert "_wait_progress_at_idx(progress, arg)" in code  # the flags' tensor as it is
    assert "helion" not in code.replace("helion_matmul_w_progress", "")


def test_all_gather_matmul_compiles_for_sm_90(all_gather_matmul):
    a, a_shared = torch.empty(512, 256, dtype=torch.bfloat16), torch.empty(256, 256)
    b, progress = torch.empty(256, 384, dtype=torch.bfloat16), torch.zeros(4, dtype=torch.int32)
    launch = launcher(all_gather_matmul, MATMUL_WITH_PROGRESS)
    (result,) = compile_launcher(launch, (a, a_shared, b, progress, 2, 1), {}, "sm_90")
    assert result.fits and result.mix["wgmma"] > 0
    assert re.search(r"ld\.global\.gpu\.acquire\.b32", result.asm["ptx"])  # the flag's read


@pytest.mark.parametrize("splits", [1, 3])
def test_all_gather_matmul_runs_once_its_flags_are_up(all_gather_matmul, splits):
    """Every progress flag already 1 (the copies done): the kernel is a plain product."""
    m, n, k = 384, 100, 70
    a, b = rand(m * k, torch.float32).view(m, k), rand(k * n, torch.float32).view(k, n)
    a_shared = a[: m // 2]  # one of two ranks' rows
    progress = torch.ones(2 * splits, dtype=torch.int32)
    args = (a, a_shared, b, progress, splits, 0)
    out = launcher(all_gather_matmul, MATMUL_WITH_PROGRESS, args)(*args)
    torch.testing.assert_close(out.double(), a.double() @ b.double(), rtol=1e-4, atol=1e-4)
    assert progress.tolist() == [1] * 2 * splits  # "ld": read, never changed
