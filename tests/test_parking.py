"""parking: runs kept after their page went, offered only to the same browser for the same lab,
and dropped after their time or beyond the lot's size."""

import secrets
import time

from playground.parking import ParkingLot

A, B = secrets.token_urlsafe(32), secrets.token_urlsafe(32)  # two browsers


class Pages:
    """Which pages are connected, and a clock the test moves."""

    def __init__(self):
        self.connected, self.now = set(), 0.0

    def lot(self, **kwargs) -> ParkingLot:
        self.parked_runs = []
        return ParkingLot(is_connected=lambda page: page in self.connected, on_park=self.parked_runs.append,
                          clock=lambda: self.now, **kwargs)


def test_a_run_is_offered_only_after_its_page_went_and_only_to_its_browser_and_lab():
    pages = Pages()
    lot, run = pages.lot(), object()
    pages.connected = {"page1"}
    assert lot.hold(A, "1d", "page1", run)
    assert lot.parked(A, "1d") is None  # its page is still there (another tab must not take it)
    pages.connected = set()
    entry = lot.parked(A, "1d")
    assert entry.run is run and entry.parked_at == 0.0 and pages.parked_runs == [run]
    assert lot.parked(B, "1d") is None and lot.parked(A, "2d") is None
    assert not lot.claim(B, run, "page2")  # another browser can never take it


def test_a_claimed_run_moves_to_the_new_page_once():
    pages = Pages()
    lot, run = pages.lot(), object()
    lot.hold(A, "1d", "page1", run)
    pages.connected = {"page2", "page3"}
    assert lot.parked(A, "1d").run is run
    assert lot.claim(A, run, "page2")
    assert not lot.claim(A, run, "page3")  # a second tab reloaded at the same time gets a fresh run
    assert lot.parked(A, "1d") is None and lot.counts() == (1, 0)


def test_the_old_page_lets_go_when_it_comes_back_after_its_run_moved():
    """A dropped connection that returns after another tab resumed the run must not share it."""
    pages = Pages()
    lot, run = pages.lot(), object()
    lot.hold(A, "1d", "page1", run)
    lot.parked(A, "1d")
    pages.connected = {"page2"}
    lot.claim(A, run, "page2")
    pages.connected = {"page1", "page2"}
    assert not lot.hold(A, "1d", "page1", run)
    assert lot.hold(A, "1d", "page2", run)


def test_a_page_that_reconnects_is_no_longer_parked():
    pages = Pages()
    lot, run = pages.lot(), object()
    lot.hold(A, "1d", "page1", run)
    assert lot.parked(A, "1d") is not None
    pages.connected = {"page1"}
    assert lot.parked(A, "1d") is None and lot.counts() == (1, 0)


def test_parked_runs_expire_after_their_time():
    pages = Pages()
    lot, run = pages.lot(ttl_s=600), object()
    lot.hold(A, "1d", "page1", run)
    pages.now = 100.0
    lot.sweep()  # parked now, at t = 100
    pages.now = 700.0
    assert lot.parked(A, "1d").run is run
    pages.now = 700.1
    assert lot.parked(A, "1d") is None and lot.counts() == (0, 0)


def test_the_longest_parked_go_first_beyond_the_limit():
    pages = Pages()
    lot = pages.lot(max_parked=2)
    runs = [object() for _ in range(3)]
    for i, run in enumerate(runs):
        pages.now = float(i)
        lot.hold(A, f"lab{i}", f"page{i}", run)
        lot.sweep()
    assert lot.counts() == (0, 2)
    assert lot.parked(A, "lab0") is None and lot.parked(A, "lab2").run is runs[2]


def test_the_most_recently_parked_run_is_offered_and_start_fresh_drops_it():
    pages = Pages()
    lot, old, new = pages.lot(), object(), object()
    lot.hold(A, "1d", "page1", old)
    lot.sweep()
    pages.now = 5.0
    lot.hold(A, "1d", "page2", new)
    assert lot.parked(A, "1d").run is new
    lot.discard(B, new)  # another browser cannot drop it either
    assert lot.parked(A, "1d").run is new
    lot.discard(A, new)
    assert lot.parked(A, "1d").run is old


def test_the_sweeper_expires_runs_while_no_page_asks():
    pages = Pages()
    lot = pages.lot(ttl_s=0.0)
    lot.hold(A, "1d", "page1", object())
    lot.start_sweeping(period_s=0.01)
    lot.start_sweeping(period_s=0.01)  # one sweeper per lot
    deadline = time.monotonic() + 5
    while lot.counts() != (0, 0) and time.monotonic() < deadline:
        pages.now += 1.0
        time.sleep(0.02)
    assert lot.counts() == (0, 0) and len(pages.parked_runs) == 1
