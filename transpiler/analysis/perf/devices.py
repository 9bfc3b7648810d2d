"""Device peaks: a datasheet table, lookup by device name, and this GPU's measured ceilings."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ...run.cache import cache_dir, write_atomically

T, G, MB = 1e12, 1e9, 1_000_000
PRECISIONS = ("fp32", "tf32", "bf16", "fp16", "fp8")  # fp32: CUDA cores (vector units)


@dataclass(frozen=True)
class Device:
    """Peak rates (FLOP/s, dense: no 2:4 sparsity), memory bandwidth (bytes/s), L2 (bytes)."""

    name: str
    pattern: str  # a regular expression over torch.cuda.get_device_name()
    bandwidth: float
    fp32: float
    tf32: float | None
    bf16: float | None
    fp16: float | None
    fp8: float | None
    l2_bytes: int
    source: str
    measured: tuple[str, ...] = ()  # fields replaced by measurements on this machine

    def peak(self, precision: str) -> float:
        """FLOP/s of `precision` ('fp32' is the CUDA-core rate; the rest are tensor cores)."""
        value = getattr(self, precision) if precision in PRECISIONS else None
        if value is None:
            raise ValueError(f"{self.name} has no {precision} rate (known: {self.precisions()})")
        return value

    def precisions(self) -> list[str]:
        return [p for p in PRECISIONS if getattr(self, p) is not None]

    def with_measured(self, peaks: MeasuredPeaks | None) -> Device:
        """This device with the measured copy bandwidth and bf16 matmul rate in place."""
        if peaks is None:
            return self
        return replace(
            self,
            bandwidth=peaks.copy_bandwidth,
            bf16=peaks.bf16_matmul,
            measured=("bandwidth", "bf16"),
        )


_HOPPER = "NVIDIA H100 Tensor Core GPU datasheet (2023) and Hopper architecture whitepaper"
_HALF = "dense = half the datasheet's with-sparsity figures"
_HOPPER_SXM = (67, 494.7, 989.4, 989.4, 1978.9)  # H100 SXM's and H200's rates: one chip
# One row per device: name, pattern, bandwidth (bytes/s), TFLOP/s (fp32, tf32, bf16, fp16, fp8;
# None: no such units), L2 (MB), source.
_TABLE = (
    ("H100 PCIe", r"H100.*PCIe", 2.0e12, (51, 378, 756, 756, 1513), 50,
     f"{_HOPPER}, PCIe column; {_HALF}"),
    ("H100 SXM", r"H100(?!.*(PCIe|NVL))", 3.35e12, _HOPPER_SXM, 50,
     f"{_HOPPER}, SXM column; {_HALF}"),
    ("H200 SXM", r"H200", 4.8e12, _HOPPER_SXM, 60,
     "NVIDIA H200 Tensor Core GPU datasheet (2024), SXM column; "
     f"{_HALF}; L2 is not on the datasheet: 60 MB as the driver reports it on an H200"),
    ("A100 SXM 80GB", r"A100.*SXM.*80|A100.*80.*SXM", 2.039e12, (19.5, 156, 312, 312, None), 40,
     f"NVIDIA A100 Tensor Core GPU datasheet (2021), 80GB SXM column; {_HALF}; no fp8 units"),
    ("L4", r"\bL4\b", 300 * G, (30.3, 60, 121, 121, 242.5), 48,
     f"NVIDIA L4 Tensor Core GPU datasheet (2023); {_HALF}"),
    ("RTX 4090", r"RTX 4090", 1008 * G, (82.6, 82.6, 165.2, 165.2, 330.3), 72,
     "NVIDIA Ada Lovelace architecture whitepaper (2023), GeForce RTX 4090 appendix table: "
     "tensor rates with FP32 accumulate, dense"),
    ("MI300X", r"MI300X", 5.3e12, (163.4, 653.7, 1307.4, 1307.4, 2614.9), 256,
     "AMD Instinct MI300X data sheet and ROCm's 'MI300 series microarchitecture' peak table, "
     "dense; cache: the 256 MB Infinity Cache (the L2 is 4 MB per XCD)"),
)  # fmt: skip


def _device(
    name: str, pattern: str, bandwidth: float, teraflops: tuple, l2_mb: int, source: str
) -> Device:
    """A row of the table as a Device: rates in FLOP/s, L2 in bytes."""
    rates = {p: None if r is None else r * T for p, r in zip(PRECISIONS, teraflops, strict=True)}
    return Device(name, pattern, bandwidth, **rates, l2_bytes=l2_mb * MB, source=source)


DEVICES: tuple[Device, ...] = tuple(_device(*row) for row in _TABLE)


def find_device(name: str) -> Device | None:
    """The table's entry for a device name as `torch.cuda.get_device_name()` spells it."""
    for device in DEVICES:
        if re.search(device.pattern, name, flags=re.IGNORECASE):
            return device
    return None


@dataclass(frozen=True)
class MeasuredPeaks:
    """Ceilings measured on one GPU: device-to-device copy (read + written) and bf16 matmul."""

    device_name: str
    copy_bandwidth: float  # bytes/s
    bf16_matmul: float  # FLOP/s
    torch_version: str
    date: str
    fp32_matmul: float | None = None  # FLOP/s without TF32: measured for a GPU the table lacks
    l2_bytes: int | None = None  # as the driver reports it: for a GPU the table lacks


def peaks_path(cache_path: Path | str | None = None) -> Path:
    if cache_path is not None:
        return Path(cache_path)
    return cache_dir() / "measured_peaks.json"


def load_measured(device_name: str, cache_path: Path | str | None = None) -> MeasuredPeaks | None:
    """Measurements cached earlier for this device name, if any."""
    path = peaks_path(cache_path)
    if not path.exists():
        return None
    try:
        entry = json.loads(path.read_text()).get(device_name)
        return MeasuredPeaks(**entry) if entry else None
    except (ValueError, TypeError):
        return None


def measure_peaks(
    cache_path: Path | str | None = None, *, refresh: bool = False, unknown: bool = False
) -> MeasuredPeaks | None:
    """This GPU's copy bandwidth and bf16 matmul rate: measured once, then read from the cache
    (`unknown`, a GPU the datasheet table lacks: its float32 matmul rate and L2 size too).
    None without a CUDA device."""
    import torch

    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name()
    cached = None if refresh else load_measured(name, cache_path)
    if cached is not None and (cached.fp32_matmul or not unknown):
        return cached
    peaks = MeasuredPeaks(
        name,
        _copy_bandwidth(),
        _bf16_matmul_rate(),
        torch.__version__,
        datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        _fp32_matmul_rate() if unknown else None,
        getattr(torch.cuda.get_device_properties(), "L2_cache_size", None) if unknown else None,
    )
    _store(peaks, cache_path)
    return peaks


def _median_ms(fn) -> float:
    """Median of repeated runs after half a second of warm-up (clocks rise under load)."""
    import triton.testing

    return triton.testing.do_bench(fn, warmup=500, rep=1000, return_mode="median")


def _copy_bandwidth() -> float:
    """Bytes read plus bytes written per second by a 1 GiB device-to-device copy."""
    import torch

    source = torch.randn(2**28, device="cuda")
    target = torch.empty_like(source)
    ms = _median_ms(lambda: target.copy_(source))
    return 2 * source.numel() * source.element_size() / (ms * 1e-3)


def _bf16_matmul_rate(size: int = 8192) -> float:
    """FLOP/s of torch.matmul on random bf16 matrices of size³."""
    import torch

    a = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    ms = _median_ms(lambda: torch.matmul(a, b))
    return 2 * size**3 / (ms * 1e-3)


def _fp32_matmul_rate(size: int = 4096) -> float:
    """FLOP/s of torch.matmul on random float32 matrices of size³, TF32 off (the CUDA cores)."""
    import torch

    a = torch.randn(size, size, device="cuda")
    b = torch.randn(size, size, device="cuda")
    saved = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        ms = _median_ms(lambda: torch.matmul(a, b))
    finally:
        torch.backends.cuda.matmul.allow_tf32 = saved
    return 2 * size**3 / (ms * 1e-3)


def _store(peaks: MeasuredPeaks, cache_path: Path | str | None) -> None:
    path = peaks_path(cache_path)
    table = {}
    if path.exists():
        try:
            table = json.loads(path.read_text())
        except ValueError:
            table = {}
    table[peaks.device_name] = asdict(peaks)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(table, indent=2) + "\n")


def current_device(cache_path: Path | str | None = None, *, measure: bool = True) -> Device | None:
    """This machine's GPU from the table, with its ceilings measured here (once per GPU name,
    a few seconds, then read from the cache); `measure=False` takes only what is cached. A GPU
    that cannot hold the measurement's buffers keeps the datasheet's numbers. A GPU the table
    lacks is described by its measurements alone (`measured_device`); None without a CUDA GPU,
    or for an unknown one that cannot be (or, with `measure=False`, was not) measured."""
    import torch

    if not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name()
    device = find_device(name)
    if not measure:
        peaks = load_measured(name, cache_path)
        if device is None:
            return measured_device(peaks) if peaks and peaks.fp32_matmul else None
        return device.with_measured(peaks)
    try:
        peaks = measure_peaks(cache_path, unknown=device is None)
    except torch.OutOfMemoryError:
        peaks = load_measured(name, cache_path)
    if device is None:
        return measured_device(peaks) if peaks and peaks.fp32_matmul else None
    return device.with_measured(peaks)


def measured_device(peaks: MeasuredPeaks) -> Device:
    """A GPU the table lacks, from what was measured on it: the copy bandwidth, the bf16 matmul
    rate (fp16 taken as equal: it is on every GPU of the table), the float32 matmul rate without
    TF32 as the fp32 rate, and the driver's L2 size. No tf32 or fp8 rate: none is plotted."""
    return Device(
        name=peaks.device_name,
        pattern=re.escape(peaks.device_name),
        bandwidth=peaks.copy_bandwidth,
        fp32=peaks.fp32_matmul or 0.0,
        tf32=None,
        bf16=peaks.bf16_matmul,
        fp16=peaks.bf16_matmul,
        fp8=None,
        l2_bytes=peaks.l2_bytes or 0,
        source=f"not in the datasheet table: measured on this GPU ({peaks.date}, torch "
        f"{peaks.torch_version}); fp16 taken as bf16's rate",
        measured=("bandwidth", "fp32", "bf16", "fp16"),
    )


if (
    __name__ == "__main__"
):  # python -m transpiler.analysis.perf.devices: measure (or show) this GPU's peaks
    found = measure_peaks()
    print(json.dumps(asdict(found), indent=2) if found else "no CUDA device: nothing measured")
