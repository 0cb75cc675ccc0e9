"""A run's timeline: the snapshots a page drew, kept dense recently and thinned further back, and
keyframes (the trainer's exact state) from which training can continue.

Thinning: the n-th item recorded (n = 0, 1, 2, …) is kept while n is a multiple of its stride,
and the stride doubles with each band of ``recent`` items further back: every item of the newest
``recent``, every 2nd of the ``2·recent`` before them, every 4th of the ``4·recent`` before those,
and so on. Each band keeps about ``recent`` items, so a run of N items keeps about
``recent · (log2(N / recent) + 2)``; an item, once dropped, never comes back (a stride only grows
with age). When the items' bytes pass the store's cap, ``recent`` is halved (the same rule, with
thinner bands) until they fit; at ``recent`` = 1 the oldest go.

Snapshots are stored compactly (lab-agnostic: any dataclass of NumPy arrays, numbers, strings and
dicts): the history series (``HISTORY_FIELDS``) are dropped (the page draws the run's current
histories with the moment marked), an array equal to the previous entry's is shared rather than
copied (p_data, the plotting grids, the real samples), and large arrays are kept byte-shuffled
and zlib-compressed (lossless, so a scrubbed frame is exactly the frame drawn live).
"""

from __future__ import annotations

import dataclasses
import sys
import zlib
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterator, TypeVar

import numpy as np
import torch

HISTORY_FIELDS = ("losses", "evals", "quality")  # a snapshot's history series: not stored per moment
COMPRESS_BYTES = 2048  # arrays at least this large are stored compressed
MB = 1 << 20

T = TypeVar("T")


@dataclass(frozen=True)
class Retention:
    """How much of a run's past a session keeps (per lab)."""

    recent: int = 64  # every snapshot of the newest `recent` is kept; older bands are thinned
    snapshot_bytes: int = 12 * MB  # cap on the stored snapshots
    keyframe_recent: int = 64  # the same rule for keyframes
    keyframe_bytes: int = 12 * MB  # cap on the stored keyframes
    keyframe_spacing: int = 0  # at least this many iterations between keyframes (0: with every snapshot)

    @property
    def cap_bytes(self) -> int:
        return self.snapshot_bytes + self.keyframe_bytes


def stride(age: int, recent: int) -> int:
    """The thinning stride for an item ``age`` items older than the newest: 1 for the newest
    ``recent``, then 2, 4, … for bands of 2·recent, 4·recent, …"""
    return 1 << ((age // recent + 1).bit_length() - 1)


class ThinnedStore(Generic[T]):
    """Items in the order recorded, thinned as described in the module docstring, within a byte cap."""

    def __init__(self, recent: int, cap_bytes: int):
        if recent < 1 or cap_bytes < 1:
            raise ValueError("recent and cap_bytes must be positive")
        self.recent, self.cap_bytes = recent, cap_bytes
        self._items: list[tuple[int, int, T]] = []  # (sequence number, bytes, item), oldest first
        self._next = 0
        self.bytes = 0

    def add(self, item: T, nbytes: int) -> None:
        self._items.append((self._next, nbytes, item))
        self._next += 1
        self.bytes += nbytes
        self._thin()
        while self.bytes > self.cap_bytes and len(self._items) > 1:
            if self.recent > 1:
                self.recent //= 2
                self._thin()
            else:
                self._drop(0)

    def replace_last(self, item: T, nbytes: int) -> None:
        """Put ``item`` in place of the newest item (the same moment, drawn again)."""
        seq, old, _ = self._items[-1]
        self._items[-1] = (seq, nbytes, item)
        self.bytes += nbytes - old

    def _thin(self) -> None:
        newest = self._next - 1
        kept = [(seq, size, item) for seq, size, item in self._items
                if seq % stride(newest - seq, self.recent) == 0]
        if len(kept) != len(self._items):
            self._items = kept
            self.bytes = sum(size for _, size, _ in kept)

    def _drop(self, index: int) -> None:
        self.bytes -= self._items.pop(index)[1]

    def keep_while(self, predicate: Callable[[T], bool]) -> int:
        """Drop items from the newest end while ``predicate`` is False; returns how many went."""
        dropped = 0
        while self._items and not predicate(self._items[-1][2]):
            self._drop(len(self._items) - 1)
            dropped += 1
        return dropped

    def clear(self) -> None:
        self._items, self.bytes = [], 0

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return (item for _, _, item in self._items)

    def __getitem__(self, index: int) -> T:
        return self._items[index][2]


# --- compact snapshots -----------------------------------------------------------------------

class Packed:
    """A NumPy array stored byte-shuffled (all first bytes, then all second bytes, …) and
    zlib-compressed: smooth float maps shrink well once their exponent bytes sit together."""

    __slots__ = ("shape", "dtype", "data")

    def __init__(self, array: np.ndarray):
        self.shape, self.dtype = array.shape, array.dtype
        planes = np.ascontiguousarray(array).view(np.uint8).reshape(-1, array.dtype.itemsize).T
        self.data = zlib.compress(np.ascontiguousarray(planes).tobytes(), 1)

    def unpack(self) -> np.ndarray:
        planes = np.frombuffer(zlib.decompress(self.data), dtype=np.uint8).reshape(self.dtype.itemsize, -1)
        return np.ascontiguousarray(planes.T).view(self.dtype).reshape(self.shape)

    @property
    def nbytes(self) -> int:
        return len(self.data)


def _pack_value(value: Any, previous: Any, previous_raw: Any) -> tuple[Any, int]:
    """(stored form, new bytes it costs): an array equal to the previous entry's (compared with
    that entry's unpacked original, ``previous_raw``) is shared."""
    if isinstance(value, np.ndarray):
        if previous is not None and _equal(value, previous_raw):
            return previous, 0
        if value.nbytes >= COMPRESS_BYTES and value.dtype.kind in "fiub":
            packed = Packed(value)
            if packed.nbytes < value.nbytes:
                return packed, packed.nbytes
        copy = value.copy()
        return copy, copy.nbytes
    if isinstance(value, dict):
        return dict(value), sys.getsizeof(value) + 64 * len(value)
    return value, 0


def _equal(array: np.ndarray, other: Any) -> bool:
    if array is other:
        return True
    if not isinstance(other, np.ndarray) or other.shape != array.shape or other.dtype != array.dtype:
        return False
    return bool(np.array_equal(array, other, equal_nan=array.dtype.kind == "f"))


@dataclass(frozen=True)
class Steps:
    """Where in a run something was kept: the iteration and the D and G steps done by then."""

    iteration: int
    d_steps: int
    g_steps: int

    @property
    def steps(self) -> tuple[int, int]:
        return (self.d_steps, self.g_steps)


@dataclass(frozen=True)
class Moment(Steps):
    """One kept moment of a run: the snapshot's fields in stored form, and the settings it was
    trained and drawn with."""

    kind: type
    fields: dict
    config: Any
    nbytes: int

    def snapshot(self, histories: Any = None) -> Any:
        """The snapshot again; its history series taken from ``histories`` (a later snapshot of
        the same run) when given, else left empty."""
        values = {name: value.unpack() if isinstance(value, Packed) else value for name, value in self.fields.items()}
        for name in HISTORY_FIELDS:
            if name in values:
                values[name] = getattr(histories, name, None) if histories is not None else {}
        return self.kind(**values)


def pack_snapshot(snapshot: Any, config: Any, previous: Moment | None = None, previous_raw: Any = None) -> Moment:
    """A snapshot in compact form (see the module docstring); ``previous`` is the moment stored
    for ``previous_raw``, the snapshot recorded before this one."""
    same_kind = previous is not None and previous.kind is type(snapshot) and type(previous_raw) is type(snapshot)
    fields, total = {}, 256
    for field in dataclasses.fields(snapshot):
        value = getattr(snapshot, field.name)
        if field.name in HISTORY_FIELDS:
            fields[field.name] = None
            continue
        before, before_raw = ((previous.fields.get(field.name), getattr(previous_raw, field.name))
                              if same_kind else (None, None))
        fields[field.name], nbytes = _pack_value(value, before, before_raw)
        total += nbytes
    return Moment(int(snapshot.iteration), int(snapshot.d_steps), int(snapshot.g_steps), type(snapshot),
                  fields, config, total)


# --- keyframes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Keyframe(Steps):
    """The trainer's exact state (``Trainer.state_dict()``) at one moment."""

    state: dict
    nbytes: int


def state_bytes(state: Any) -> int:
    """Bytes held by the tensors (and arrays) in a nested state dict."""
    if isinstance(state, torch.Tensor):
        return state.numel() * state.element_size()
    if isinstance(state, np.ndarray):
        return state.nbytes
    if isinstance(state, dict):
        return sum(state_bytes(v) for v in state.values())
    if isinstance(state, (list, tuple)):
        return sum(state_bytes(v) for v in state)
    return 0


# --- the timeline ----------------------------------------------------------------------------

class Timeline:
    """A run's kept moments and keyframes, oldest first, within ``retention``'s caps."""

    def __init__(self, retention: Retention = Retention()):
        self.retention = retention
        self.clear()

    def clear(self) -> None:
        r = self.retention
        self.moments: ThinnedStore[Moment] = ThinnedStore(r.recent, r.snapshot_bytes)
        self.keyframes: ThinnedStore[Keyframe] = ThinnedStore(r.keyframe_recent, r.keyframe_bytes)
        self._last_raw = None  # the snapshot recorded last, as given (its arrays are compared, not unpacked)

    @property
    def nbytes(self) -> int:
        return self.moments.bytes + self.keyframes.bytes

    def record(self, snapshot: Any, config: Any, state: Callable[[], dict] | None = None) -> Moment:
        """Keep ``snapshot`` (drawn with ``config``); the same steps as the newest moment replace
        it. ``state()`` gives the trainer's state for a keyframe, taken when one is due."""
        last = self.moments[-1] if len(self.moments) else None
        steps = (int(snapshot.d_steps), int(snapshot.g_steps))
        same = last is not None and last.steps == steps
        moment = pack_snapshot(snapshot, config, last, self._last_raw if last is not None else None)
        self._last_raw = snapshot
        if same:
            self.moments.replace_last(moment, moment.nbytes)
        else:
            self.moments.add(moment, moment.nbytes)
        if state is not None and self._keyframe_due(moment):
            saved = state()
            self.keyframes.add(Keyframe(moment.iteration, moment.d_steps, moment.g_steps, saved,
                                        state_bytes(saved)), state_bytes(saved))
        return moment

    def _keyframe_due(self, moment: Moment) -> bool:
        if not len(self.keyframes):
            return True
        last = self.keyframes[-1]
        if last.steps == moment.steps:
            return False
        return moment.iteration - last.iteration >= self.retention.keyframe_spacing

    def __len__(self) -> int:
        return len(self.moments)

    def moment_at(self, index: int) -> Moment:
        return self.moments[index]

    def index_of(self, iteration: int) -> int | None:
        """The index of the newest moment at or before ``iteration`` (None if all are later)."""
        found = None
        for i, moment in enumerate(self.moments):
            if moment.iteration > iteration:
                break
            found = i
        return found

    def keyframe_for(self, moment: Moment) -> Keyframe | None:
        """The newest keyframe at or before ``moment`` (by D and G steps); None if there is none."""
        found = None
        for keyframe in self.keyframes:
            if keyframe.d_steps <= moment.d_steps and keyframe.g_steps <= moment.g_steps:
                found = keyframe
        return found

    def drop_after(self, steps: tuple[int, int]) -> int:
        """Forget every moment and keyframe later than ``steps`` (the old future of a continued
        run); returns how many moments went."""
        def not_later(item) -> bool:
            return item.d_steps <= steps[0] and item.g_steps <= steps[1]

        self.keyframes.keep_while(not_later)
        dropped = self.moments.keep_while(not_later)
        if dropped:
            self._last_raw = None  # it was the newest moment's, which went: share nothing with it
        return dropped
