"""Test-wide setup: one torch thread (as the app uses) and the repository root on sys.path."""

import os
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

torch.set_num_threads(1)
# Many test sessions train in one process (and its e2e servers); the cap has tests of its own.
os.environ.setdefault("GAN_PLAYGROUND_MAX_TRAINING", "1000")
