"""@triton.jit helpers for sorts, top-k, flips and running extremes along a whole-row block."""

from __future__ import annotations

# Each helper: its source, and the helpers it calls (prelude.HELPERS takes them all).
ORDERING_HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sort_keys": (
        """@triton.jit
def sort_keys(x, index, mask, descending: tl.constexpr):
    # One int64 key per lane, ordered as torch orders the values: the value's bits made to
    # compare as integers do (NaN above +inf, -0.0 as 0.0) in the high word, its index in the
    # low word, so one tl.sort keeps equal values in index order (torch's stable sort) and
    # lanes outside the tensor (the largest key) come last.
    tl.static_assert(
        x.dtype.primitive_bitwidth <= 32,
        "sorts inside a device loop take 32-bit values or narrower: "
        "sort float64 / int64 on the host",
    )
    if x.dtype.is_floating():
        x = x.to(tl.float32)
        x = tl.where(x != x, float("nan"), tl.where(x == 0, 0.0, x))
        bits = x.to(tl.int32, bitcast=True)
        bits = tl.where(bits < 0, bits ^ 0x7FFFFFFF, bits)
    else:
        bits = x.to(tl.int32)
    if descending:
        bits = ~bits
    key = (bits.to(tl.int64) << 32) | tl.broadcast_to(index, x.shape).to(tl.int64)
    return tl.where(mask, key, 0x7FFFFFFFFFFFFFFF)
""",
        (),
    ),
    "key_values": (
        """@triton.jit
def key_values(keys, like, descending: tl.constexpr):
    # The values back from sort_keys' keys, in the dtype `like` computes in.
    bits = (keys >> 32).to(tl.int32)
    if descending:
        bits = ~bits
    if like.dtype.is_floating():
        bits = tl.where(bits < 0, bits ^ 0x7FFFFFFF, bits)
        return bits.to(tl.float32, bitcast=True)
    return bits.to(like.dtype)
""",
        (),
    ),
    "key_indices": (
        """@triton.jit
def key_indices(keys):
    # The indices back from sort_keys' keys (int64, as torch's).
    return keys & 0xFFFFFFFF
""",
        (),
    ),
    "flip_row": (
        """@triton.jit
def flip_row(x, index, count, axis: tl.constexpr):
    # x's first `count` lanes along `axis` in reverse order (lane i takes lane count - 1 - i);
    # lanes past `count` are outside the tensor and keep what they gather.
    source = tl.where(index < count, count - 1 - index, index)
    return tl.gather(x, tl.broadcast_to(source, x.shape).to(tl.int32), axis)
""",
        (),
    ),
    "running_max": (
        """@triton.jit
def running_max(value, index, later_value, later_index):
    # cummax's combine: the later lane wins ties and NaN (torch's indices: the last maximum)
    later = (later_value != later_value) | ((value == value) & (later_value >= value))
    return tl.where(later, later_value, value), tl.where(later, later_index, index)
""",
        (),
    ),
    "running_min": (
        """@triton.jit
def running_min(value, index, later_value, later_index):
    # cummin's combine: the later lane wins ties and NaN (torch's indices: the last minimum)
    later = (later_value != later_value) | ((value == value) & (later_value <= value))
    return tl.where(later, later_value, value), tl.where(later, later_index, index)
""",
        (),
    ),
}
