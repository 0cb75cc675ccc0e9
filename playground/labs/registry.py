"""The registry of labs: what the app, the CLI and the benchmarks need to know about each."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Mapping

from .. import config as cfg
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
    recommended: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # target -> the settings
    #  it needs beyond the defaults; choosing the target applies them (see retarget)

    def picture(self, snap: Snapshot, config: Any) -> Any:
        """The lab's main view of a snapshot, as the page draws it."""
        if self.main_picture is not None:
            return self.main_picture(snap, config)
        return next(iter(self.frame_figures(snap, config).values()))

    def retarget(self, old: Any, new: Any, keep: Collection[str] = ()) -> tuple[Any, str | None]:
        """``new`` (a config whose target differs from ``old``'s) with the new target's recommended
        settings applied, and the notice that says so (None when the target has none). Settings the
        old target's recommendation had set, still at those values, go back to their defaults, so a
        class that leaves the grid does not keep its settings by accident. ``keep`` names settings not
        to touch: set by hand in the same change, or fixed by a teacher's link."""
        if getattr(old, "target", None) == getattr(new, "target", None):
            return new, None
        defaults = cfg.defaults(self.config_cls)
        wanted = dict(self.recommended.get(new.target, {}))
        restore = {name: defaults[name] for name, value in self.recommended.get(old.target, {}).items()
                   if name not in wanted and getattr(new, name) == value}
        changes = {name: value for name, value in {**restore, **wanted}.items() if name not in keep}
        config = cfg.replace_fields(new, changes)
        return config, recommendation_note(self, config) if wanted else None


def recommendation_note(lab: Lab, config: Any) -> str | None:
    """"grid25 trains with its recommended settings: width 128, …" while the config holds the target's
    recommended settings, else None (nothing recommended, or the class changed them since)."""
    wanted = lab.recommended.get(getattr(config, "target", None), {})
    if not wanted or any(getattr(config, name) != value for name, value in wanted.items()):
        return None
    specs = cfg.specs(lab.config_cls)
    items = ", ".join(f"{specs[name].label} {cfg.format_text(value)}" for name, value in wanted.items())
    return f"{config.target} trains with its recommended settings: {items}."


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
              recommended=two_d.RECOMMENDED_2D,
              main_picture=lambda snap, config: figures_2d.landscape_of(snap, config).update_layout(width=660)),  # square axes: narrower than the 800-pixel default
    "mnist": Lab("mnist", "MNIST lab", mnist.ConfigMNIST, mnist.PRESETS_MNIST, mnist.RunMNIST,
                 mnist.summary, figures_mnist.frame_mnist, figures_mnist.history_mnist, mnist.readouts,
                 saved_samples=1000, retention=RETENTION["mnist"], main_picture=lambda snap, config: snap.grid),
}
