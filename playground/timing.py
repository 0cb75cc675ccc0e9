"""Named sections of a frame, timed only while a benchmark records them (near-free otherwise).

The benchmark's breakdown needs the metrics' share of a snapshot, which happens deep inside each
lab's ``snapshot()``; marking those lines with ``section("metrics")`` keeps one code path for the
page and the benchmark.
"""

from __future__ import annotations

import contextlib
import time
from typing import Iterator

_totals: dict[str, float] | None = None  # seconds per section while recording


@contextlib.contextmanager
def section(name: str) -> Iterator[None]:
    if _totals is None:
        yield
        return
    start = time.perf_counter()
    try:
        yield
    finally:
        _totals[name] = _totals.get(name, 0.0) + time.perf_counter() - start


@contextlib.contextmanager
def recording() -> Iterator[dict[str, float]]:
    """Collect section totals (seconds) into the yielded dict until the block ends."""
    global _totals
    _totals = {}
    try:
        yield _totals
    finally:
        _totals = None
