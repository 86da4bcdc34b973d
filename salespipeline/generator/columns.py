"""Columnar building blocks: ids, money, timestamps and weighted picks, all vectorised.

Values are built as NumPy arrays and handed to Arrow without per-row Python work, which is what
lets the generator write millions of rows a second.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

UUID_LENGTH = 36
# Two ASCII hex digits for every byte value, as one uint16 (in memory order).
_HEX_PAIRS = np.array(
    [int.from_bytes(f"{value:02x}".encode(), "little") for value in range(256)], dtype="<u2"
)
# Where the 32 hex digits go in the canonical 8-4-4-4-12 text.
_GROUPS = ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))
_DASHES = [8, 13, 18, 23]
_BLOCK_ROWS = 32_768
SECONDS_PER_DAY = 86_400
GROUP_STRIDE = np.int64(1) << 34  # above any Unix second before the year 2514: (group, time) keys


def uuid4_array(rng: np.random.Generator, n: int) -> pa.StringArray:
    """``n`` random version-4 UUIDs as lower-case text, drawn from ``rng`` (so reproducible).

    Built in blocks that fit the CPU cache: one pass over a large array is several times slower.
    """
    raw = rng.bit_generator.random_raw(2 * n).view(np.uint8).reshape(n, 16)
    text = np.empty((n, UUID_LENGTH), dtype=np.uint8)
    for start in range(0, n, _BLOCK_ROWS):
        block = raw[start : start + _BLOCK_ROWS].copy()
        block[:, 6] = (block[:, 6] & 0x0F) | 0x40
        block[:, 8] = (block[:, 8] & 0x3F) | 0x80
        digits = _HEX_PAIRS[block].view(np.uint8).reshape(len(block), 32)
        out = text[start : start + _BLOCK_ROWS]
        out[:, _DASHES] = ord("-")
        for (first, last), at in zip(_GROUPS, (0, 9, 14, 19, 24), strict=True):
            out[:, at : at + last - first] = digits[:, first:last]
    return _fixed_width_strings(text)


def stable_order(values: np.ndarray) -> np.ndarray:
    """The permutation that sorts integer ``values``, ties kept in row order.

    Same result as a stable argsort, computed by sorting unique (value, row) keys: the platform's
    fastest sort may then be used without ever changing the output between machines.
    """
    values = np.asarray(values, dtype=np.int64)
    n = len(values)
    if n == 0:
        return np.array([], dtype=np.int64)
    row_bits = max(int(n - 1).bit_length(), 1)
    low = values.min()
    if int(values.max() - low).bit_length() + row_bits > 63:
        return np.argsort(values, kind="stable")
    keys = ((values - low) << row_bits) | np.arange(n, dtype=np.int64)
    return np.sort(keys) & ((np.int64(1) << row_bits) - 1)


def take_ids(ids: pa.StringArray, index: np.ndarray) -> pa.DictionaryArray:
    """Foreign keys: the parent's ids at ``index``; -1 means no parent (a null).

    Dictionary-encoded over the parent's ids, so no string is copied here: the CSV writer expands
    it, in its own thread.
    """
    index = np.asarray(index, dtype=np.int64)
    missing = index < 0
    codes = pa.array(
        np.where(missing, 0, index).astype(np.int32), mask=missing if missing.any() else None
    )
    return pa.DictionaryArray.from_arrays(codes, ids)


def _fixed_width_strings(text: np.ndarray, valid: np.ndarray | None = None) -> pa.StringArray:
    n, width = text.shape
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(text)), _validity(valid)
    )


def money(cents: np.ndarray, precision: int = 15, valid: np.ndarray | None = None) -> pa.Array:
    """A decimal(precision, 2) column from integer cents, built directly from Arrow's buffers."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension into the high 64 bits
    return pa.Array.from_buffers(
        pa.decimal128(precision, 2), len(cents), [_validity(valid), pa.py_buffer(words)]
    )


def timestamps(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A timestamp column (second precision, UTC wall clock) from Unix seconds."""
    values = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
    mask = None if valid is None else ~valid
    return pa.array(values, type=pa.timestamp("s"), mask=mask)


def labels(choices: Sequence[str], index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A text column from codes into ``choices``: dictionary-encoded, so no string is copied."""
    codes = pa.array(np.asarray(index, dtype=np.int32), mask=None if valid is None else ~valid)
    return pa.DictionaryArray.from_arrays(codes, pa.array(list(choices), type=pa.string()))


def _validity(valid: np.ndarray | None) -> pa.Buffer | None:
    if valid is None or valid.all():
        return None
    return pa.py_buffer(np.packbits(valid.astype(bool), bitorder="little"))


def pick(rng: np.random.Generator, n: int, weights: Sequence[float]) -> np.ndarray:
    """``n`` category codes drawn with the given (not necessarily normalised) weights."""
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def lognormal(
    rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, n: int
) -> np.ndarray:
    """Log-normal draws given by their median: the natural way to state sizes and durations."""
    return np.asarray(median) * np.exp(np.asarray(sigma) * rng.standard_normal(n))


def days(value: np.ndarray | float) -> np.ndarray:
    """Days to whole seconds."""
    return np.round(np.asarray(value) * SECONDS_PER_DAY).astype(np.int64)


def add_months(seconds: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Calendar month arithmetic on Unix seconds: same day and time, clipped to the month's end."""
    moments = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
    month = moments.astype("datetime64[M]")
    day = moments.astype("datetime64[D]")
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64)
    time_of_day = (moments - day.astype("datetime64[s]")).astype(np.int64)
    target = month + np.asarray(months, dtype=np.int64)
    month_length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    target_day = target.astype("datetime64[D]") + np.minimum(day_of_month, month_length - 1)
    return target_day.astype("datetime64[s]").astype(np.int64) + time_of_day


def midnight(seconds: np.ndarray) -> np.ndarray:
    """The start (00:00 UTC) of each moment's day."""
    seconds = np.asarray(seconds, dtype=np.int64)
    return seconds - seconds % SECONDS_PER_DAY


def month_start(seconds: np.ndarray) -> np.ndarray:
    """Midnight of the first day of each moment's month."""
    months = np.asarray(seconds, dtype=np.int64).astype("datetime64[s]").astype("datetime64[M]")
    return months.astype("datetime64[s]").astype(np.int64)


def day_of_month(seconds: np.ndarray) -> np.ndarray:
    """Day of the month (1 to 31) of each moment."""
    return (midnight(seconds) - month_start(seconds)) // SECONDS_PER_DAY + 1


def month_index(seconds: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each moment: handy for calendar-month arithmetic."""
    return (
        np.asarray(seconds, dtype=np.int64)
        .astype("datetime64[s]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )


def group_rank(groups: np.ndarray) -> np.ndarray:
    """Position of each row within its run of equal group codes (rows sorted by group)."""
    n = len(groups)
    if n == 0:
        return np.array([], dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n) - run_start


def latest_before(
    group: np.ndarray, moment: np.ndarray, query_group: np.ndarray, query_moment: np.ndarray
) -> np.ndarray:
    """For each query, the index of the row of the same group with the latest moment at or before
    the query's moment; -1 when there is none. Rows need not be sorted."""
    if len(group) == 0:
        return np.full(len(query_group), -1, dtype=np.int64)
    # Compact (group, moment) keys: moments relative to the earliest, so the keys stay small.
    earliest = moment.min()
    span = np.int64(moment.max() - earliest + 1)
    key = group.astype(np.int64) * span + (moment - earliest)
    order = stable_order(key)
    sorted_key = key[order]
    offset = np.clip(query_moment - earliest, -1, span - 1)
    position = (
        np.searchsorted(sorted_key, query_group.astype(np.int64) * span + offset, "right") - 1
    )
    candidate = order[np.maximum(position, 0)]
    same_group = (position >= 0) & (group[candidate] == query_group)
    return np.where(same_group, candidate, -1)
