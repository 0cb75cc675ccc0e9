"""Test-wide setup: one torch thread (as the app uses) and the repository root on sys.path."""

import os
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

torch.set_num_threads(1)
# Many test sessions train in one process (and its e2e servers); the cap has tests of its own.
os.environ.setdefault("GAN_PLAYGROUND_MAX_TRAINING", "1000")


@pytest.fixture(autouse=True)
def fresh_training_slots(monkeypatch):
    """Each test starts with no session holding a training slot (sessions left running by earlier
    tests would otherwise count as load and lengthen every frame for 10 s)."""
    from playground import live

    monkeypatch.setattr(live, "SLOTS", live.TrainingSlots(live.default_capacity()))


@pytest.fixture(autouse=True)
def fresh_parking_lot(monkeypatch):
    """Each test's pages register their runs in a lot of their own (AppTest's pages all count as
    connected, so a lot shared by every test would keep every test's runs alive)."""
    from playground import live
    from playground.parking import ParkingLot
    from playground.ui import internals, resume

    lot = ParkingLot(is_connected=internals.session_is_connected, on_park=live.LiveSession.release_slot)
    monkeypatch.setattr(resume, "LOT", lot)
    return lot


@pytest.fixture(scope="session")
def app_server():
    """One app server (default settings) for the browser tests that can share it; started on first use."""
    from e2e_harness import streamlit_server

    with streamlit_server() as url:
        yield url
