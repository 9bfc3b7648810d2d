"""Arguments sharing memory: a tensor the kernel writes that shares some elements with another
argument without being the same view (`kernel(buf[:-1], buf[1:])`) is refused at the launch,
as torch refuses such in-place work; its tiles would read what other tiles already wrote. The
same view too where the loop reads the other at elements other programs store (`k(a, a)` with
`out[tile] = x[n - 1 - tile.index]`: overlapping_reads.py)."""

from __future__ import annotations

# The launcher's helpers: the check, and its test of each pair.
SHARED_MEMORY_HELPERS: dict[str, str] = {
    "check_apart": """def check_apart(written, tensors, misread=()):  # torch refuses in-place work on overlapping memory
    for name, a in written.items():
        for other, b in tensors.items():
            if other != name and partly_shared(a, b, same_view=other not in misread):
                why = f"{name}, which the kernel writes, shares memory with {other}"
                raise RuntimeError(f"{why}: pass {other}.clone() (tiles would read others' writes)")
""",
    "partly_shared": """def partly_shared(a, b, same_view=True):  # an element in both, not as the same view
    if torch._subclasses.fake_tensor.is_fake(a) or a.numel() * b.numel() == 0:
        return False  # (torch.compile tracing: no memory yet)
    if (a.data_ptr(), a.shape, a.stride(), a.dtype) == (b.data_ptr(), b.shape, b.stride(), b.dtype):
        return not same_view
    last = [t.data_ptr() + t.element_size() * sum((n - 1) * s for n, s in zip(t.shape, t.stride()))
            for t in (a, b)]  # each one's last element
    if last[0] < b.data_ptr() or last[1] < a.data_ptr():
        return False
    if a.element_size() != b.element_size() or (a.is_contiguous() and b.is_contiguous()):
        return True
    low = min(a.data_ptr(), b.data_ptr())  # interleaved views: each element's first byte marked
    marks = torch.zeros(max(last) + 1 - low, dtype=torch.bool, device=a.device)
    at = [(t.shape, [s * t.element_size() for s in t.stride()], t.data_ptr() - low) for t in (a, b)]
    marks.as_strided(*at[0]).fill_(True)
    return bool(marks.as_strided(*at[1]).any())
""",
}


def apart_check(
    written: list[str], tensors: list[str], misread: set[str] = frozenset()
) -> str | None:
    """The launcher's line for tensor parameters the kernel writes and the tensors it launches
    with, `misread` those read at elements other programs store (None when no pair to check)."""
    if not written or len(tensors) < 2:
        return None
    written_text = ", ".join(f'"{name}": {name}' for name in written)
    tensors_text = ", ".join(f'"{name}": {name}' for name in tensors)
    if misread := sorted(set(misread) & set(tensors)):
        return f"check_apart({{{written_text}}}, {{{tensors_text}}}, {tuple(misread)!r})"
    return f"check_apart({{{written_text}}}, {{{tensors_text}}})"
