"""The registry of labs: what the app, the CLI and the benchmarks need to know about each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..figures import mnist as figures_mnist
from ..figures import one_d as figures_1d
from ..figures import two_d as figures_2d
from ..readout import Readout
from . import mnist, one_d, two_d
from ..timeline import MB, Retention
from .base import Preset, Run, Snapshot

Figures = Callable[[Snapshot, Any], dict[str, Any]]  # (snapshot, config) -> Plotly figures by name


@dataclass(frozen=True)
class Lab:
    key: str  # used in URLs, session keys and `--lab`
    title: str
    config_cls: type
    presets: dict[str, Preset]
    make_run: Callable[..., Run]  # (config, **data) -> a Run; data is what a config cannot hold (uploaded points)
    summary: Callable[[Snapshot, float], dict]  # (snapshot, seconds) -> the CLI's JSON fields
    frame_figures: Figures  # redrawn every frame
    history_figures: Figures  # redrawn once a second
    readouts: Callable[[Snapshot, float], list[Readout]]  # (snapshot, iterations/s) -> the metric row
    saved_samples: int = 10_000  # how many samples the CLI's --save-samples writes
    retention: Retention = Retention()  # what a session keeps of the run's past (see RETENTION below)
    main_picture: Callable[[Snapshot, Any], Any] | None = None  # (snapshot, config) -> the main view
    #  (an animation's frames): a Plotly figure or a uint8 image; None: the first frame figure
    stages: bool = False  # whether sessions capture Figure 1's four stages (playground.stages)

    def picture(self, snap: Snapshot, config: Any) -> Any:
        """The lab's main view of a snapshot, as the page draws it."""
        if self.main_picture is not None:
            return self.main_picture(snap, config)
        return next(iter(self.frame_figures(snap, config).values()))


# Snapshots: 1-D ~4 KB, 2-D ~63 KB, MNIST ~57 KB each (stored compactly, see playground.timeline).
# Keyframes: 1-D ~6 KB, 2-D ~112 KB with every snapshot; MNIST (conditional MLP with Adam: 13 MB
# of weights and moments) one every 500 iterations, at most three within its 40 MB.
RETENTION = {
    "1d": Retention(snapshot_bytes=8 * MB, keyframe_bytes=8 * MB),
    "2d": Retention(snapshot_bytes=12 * MB, keyframe_bytes=12 * MB),
    "mnist": Retention(snapshot_bytes=8 * MB, keyframe_recent=2, keyframe_bytes=40 * MB, keyframe_spacing=500),
}


LABS: dict[str, Lab] = {
    "1d": Lab("1d", "1-D lab", one_d.Config1D, one_d.PRESETS_1D, one_d.Run1D, one_d.summary,
              figures_1d.frame_1d, figures_1d.history_1d, one_d.readouts, retention=RETENTION["1d"], stages=True),
    "2d": Lab("2d", "2-D lab", two_d.Config2D, two_d.PRESETS_2D, two_d.Run2D, two_d.summary,
              figures_2d.frame_2d, figures_2d.history_2d, two_d.readouts, retention=RETENTION["2d"],
              main_picture=lambda snap, config: figures_2d.landscape_of(snap, config).update_layout(width=660)),  # square axes: narrower than the 800-pixel default
    "mnist": Lab("mnist", "MNIST lab", mnist.ConfigMNIST, mnist.PRESETS_MNIST, mnist.RunMNIST,
                 mnist.summary, figures_mnist.frame_mnist, figures_mnist.history_mnist, mnist.readouts,
                 saved_samples=1000, retention=RETENTION["mnist"], main_picture=lambda snap, config: snap.grid),
}
