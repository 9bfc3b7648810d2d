"""The self-check an exported module ends with (embedded by export; EXAMPLE_INPUTS comes first)."""

import torch

from .reference import run_reference

# --- everything below is copied into exported modules, verbatim ---


DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def interpret_without_gpu() -> None:
    """No GPU and no TRITON_INTERPRET: run this file again under Triton's CPU interpreter (it
    is chosen when triton is imported, so in a new process; it also needs numpy)."""
    import os
    import sys

    if DEVICE == "cpu" and os.environ.get("TRITON_INTERPRET") != "1":
        print("no GPU: running again under Triton's CPU interpreter (TRITON_INTERPRET=1)")
        sys.stdout.flush()
        environment = {**os.environ, "TRITON_INTERPRET": "1"}
        os.execve(sys.executable, [sys.executable, *sys.argv], environment)


def first_config_only(namespace: dict) -> None:
    """Without a GPU (Triton's interpreter cannot time configs) each autotuned kernel keeps its
    first config."""
    if DEVICE == "cpu":
        for value in list(namespace.values()):
            if type(value).__name__ == "Autotuner":
                value.configs = value.configs[:1]


def example_inputs(spec: list) -> list:
    """Random tensors with the recorded shapes and dtypes; other arguments as recorded."""
    inputs = []
    for entry in spec:
        if isinstance(entry, (tuple, list)) and len(entry) == 3 and entry[0] == "tensor":
            shape, dtype = entry[1], getattr(torch, entry[2])
            if dtype == torch.bool:
                inputs.append(torch.rand(shape, device=DEVICE) > 0.5)
            elif dtype.is_floating_point:
                inputs.append(torch.randn(shape, device=DEVICE).to(dtype))
            else:
                inputs.append(torch.randint(0, 4, shape, device=DEVICE).to(dtype))
        else:
            inputs.append(entry)
    return inputs


def tensors(value: object) -> list:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for part in value for t in tensors(part)]
    return []


def tolerance(dtype: torch.dtype) -> float:
    if dtype in (torch.float16, torch.bfloat16):
        return 2e-2
    if dtype == torch.float32:
        return 1e-2 if DEVICE == "cuda" else 1e-4  # GPUs multiply float32 in tf32
    return 1e-6 if dtype.is_floating_point else 0.0


def milliseconds(run) -> float:
    if DEVICE == "cuda":
        from triton.testing import do_bench

        return do_bench(run)
    from time import perf_counter  # here: the module's imports stay torch and triton

    start = perf_counter()
    run()
    return (perf_counter() - start) * 1000


def check(name: str, launcher, reference, spec: list) -> bool:
    """Run the kernel and its reference on the same random inputs; print error, verdict, time."""
    torch.manual_seed(0)
    inputs = example_inputs(spec)
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in inputs]
    actual = tensors(launcher(*inputs)) + tensors(inputs)
    expected = tensors(run_reference(reference, *fresh)) + tensors(fresh)
    error, passed = 0.0, len(actual) == len(expected)
    for got, want in zip(actual, expected):
        tol = tolerance(want.dtype)
        got, want = got.double(), want.double()
        error = max(error, (got - want).abs().nan_to_num().max().item() if got.numel() else 0.0)
        passed = passed and torch.allclose(got, want, atol=tol, rtol=tol, equal_nan=True)
    ms = milliseconds(lambda: launcher(*inputs))
    verdict = "PASS" if passed else "FAIL"
    print(f"{name}: max error {error:.3e}  {verdict}  {ms:.3f} ms on {DEVICE}")
    return passed
