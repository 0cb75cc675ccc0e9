"""The labs: each lab's config, presets and run (``one_d``, ``two_d``, ``mnist``), what every run
shares (``base``, ``toy``), and the registry the app, the CLI and the benchmarks read."""

from .base import LabRun, Preset, Run, SeedOffset, Snapshot
from .registry import LABS, Lab

__all__ = ["LABS", "Lab", "LabRun", "Preset", "Run", "SeedOffset", "Snapshot"]
