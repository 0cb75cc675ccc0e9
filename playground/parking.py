"""Runs kept for a while after their page went, so that a reload (F5) loses nothing.

Every page registers its run under its browser's token (an unguessable string the page keeps in a
cookie, never in a link) and the lab. A run whose page is no longer connected is *parked*: from
then on, for ``ttl_s``, a new page that presents the same token for the same lab may claim it;
after that, or when more than ``max_parked`` runs are parked (the longest-parked go first), it is
dropped. Nothing trains while parked: no page drives it, and ``on_park`` gives its training slot
back at once. Lab-agnostic: a run is any object; whether a page is still connected is asked of
``is_connected`` (the page's session id in, a bool out).
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger(__name__)

PARK_TTL_S = 600.0  # a parked run is kept for 10 minutes after its page went
MAX_PARKED = 16  # at most this many parked runs per server process (measured sizes: README)
SWEEP_PERIOD_S = 30.0  # expired runs are dropped at least this often, even if no page asks


@dataclass
class Parked:
    """One registered run: whose it is, which page holds it, and since when it has had none."""

    token: str
    lab: str
    owner: str  # the page (session id) that holds it
    run: Any
    parked_at: float | None = None  # when it was found without a page; None while its page is there


class ParkingLot:
    """Process-wide; every method may be called from any thread."""

    def __init__(self, is_connected: Callable[[str], bool], on_park: Callable[[Any], None] = lambda run: None,
                 ttl_s: float = PARK_TTL_S, max_parked: int = MAX_PARKED, clock: Callable[[], float] = time.monotonic):
        self.is_connected, self.on_park = is_connected, on_park
        self.ttl_s, self.max_parked, self.clock = ttl_s, max_parked, clock
        self._lock = threading.Lock()
        self._entries: dict[int, Parked] = {}  # id(run) -> entry
        self._sweeper: threading.Thread | None = None

    def hold(self, token: str, lab: str, owner: str, run: Any) -> bool:
        """Register that page ``owner`` holds ``run``. False when another page that is still
        connected has taken the run over (resumed it after this page had gone): this page must
        let it go."""
        with self._lock:
            entry = self._entries.get(id(run))
            if entry is not None and entry.run is run and entry.owner != owner and self.is_connected(entry.owner):
                return False
            self._entries[id(run)] = Parked(token, lab, owner, run)
            return True

    def parked(self, token: str, lab: str) -> Parked | None:
        """This browser's most recently parked run of ``lab``, if any."""
        self.sweep()
        with self._lock:
            mine = [e for e in self._entries.values()
                    if e.parked_at is not None and e.lab == lab and _same(e.token, token)]
            return max(mine, key=lambda e: e.parked_at, default=None)

    def claim(self, token: str, run: Any, owner: str) -> bool:
        """Give a parked run of this browser to page ``owner``; False when it is no longer parked
        here (claimed by another page, expired) or belongs to another browser."""
        with self._lock:
            entry = self._entries.get(id(run))
            if entry is None or entry.run is not run or entry.parked_at is None or not _same(entry.token, token):
                return False
            entry.owner, entry.parked_at = owner, None
            return True

    def discard(self, token: str, run: Any) -> None:
        """Drop a parked run of this browser (the user chose to start fresh)."""
        with self._lock:
            entry = self._entries.get(id(run))
            if entry is not None and entry.run is run and entry.parked_at is not None and _same(entry.token, token):
                del self._entries[id(run)]

    def sweep(self) -> None:
        """Park the runs whose page went, bring back those whose page reconnected, and drop the
        expired and the longest-parked beyond ``max_parked``."""
        now, newly_parked = self.clock(), []
        with self._lock:
            for key, entry in list(self._entries.items()):
                connected = self.is_connected(entry.owner)
                if connected:
                    entry.parked_at = None
                elif entry.parked_at is None:
                    entry.parked_at = now
                    newly_parked.append(entry.run)
                elif now - entry.parked_at > self.ttl_s:
                    del self._entries[key]
            parked = sorted((e for e in self._entries.values() if e.parked_at is not None), key=lambda e: e.parked_at)
            for entry in parked[:max(0, len(parked) - self.max_parked)]:
                del self._entries[id(entry.run)]
        for run in newly_parked:  # outside the lock: it may take the run's own lock
            self.on_park(run)

    def start_sweeping(self, period_s: float = SWEEP_PERIOD_S) -> None:
        """Sweep every ``period_s`` in a daemon thread (once per lot), so parked runs expire even
        while no page asks for one."""
        with self._lock:
            if self._sweeper is not None:
                return
            self._sweeper = threading.Thread(target=self._sweep_forever, args=(period_s,),
                                             name="parking-lot-sweeper", daemon=True)
        self._sweeper.start()

    def _sweep_forever(self, period_s: float) -> None:
        while True:
            time.sleep(period_s)
            try:
                self.sweep()
            except Exception:  # noqa: BLE001 - a failed sweep must not end the sweeping
                log.exception("sweeping the parked runs failed")

    def counts(self) -> tuple[int, int]:
        """(runs whose page is there, runs parked), as of the last sweep."""
        with self._lock:
            parked = sum(e.parked_at is not None for e in self._entries.values())
            return len(self._entries) - parked, parked


def _same(a: str, b: str) -> bool:
    """Tokens compared in constant time (a guessed token learns nothing from the timing)."""
    return hmac.compare_digest(a.encode(), b.encode())
