"""The registry of labs: what the app, the CLI and the benchmarks need to know about each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..figures import one_d as figures
from ..figures import mnist as figures_mnist
from ..figures import two_d as figures2d
from . import mnist as labmnist
from . import one_d as lab1d
from . import two_d as lab2d


@dataclass(frozen=True)
class Lab:
    key: str  # used in URLs, session keys and `--lab`
    title: str
    config_cls: type
    presets: dict[str, lab1d.Preset]
    make_run: Callable[..., Any]  # (config, **data) -> run (with .config, .trainer, .snapshot())
    summary: Callable[[Any, float], dict]  # (snapshot, seconds) -> the CLI's JSON fields
    frame_figures: Callable[[Any, Any], dict]  # (snapshot, config) -> figures redrawn every frame
    history_figures: Callable[[Any, Any], dict]  # (snapshot, config) -> figures redrawn once a second
    saved_samples: int = 10_000  # how many samples the CLI's --save-samples writes


LABS: dict[str, Lab] = {
    "1d": Lab("1d", "1-D lab", lab1d.Config1D, lab1d.PRESETS_1D, lab1d.Run1D, lab1d.summary,
               figures.frame_1d, figures.history_1d),
    "2d": Lab("2d", "2-D lab", lab2d.Config2D, lab2d.PRESETS_2D, lab2d.Run2D, lab2d.summary,
              figures2d.frame_2d, figures2d.history_2d),
    "mnist": Lab("mnist", "MNIST lab", labmnist.ConfigMNIST, labmnist.PRESETS_MNIST, labmnist.RunMNIST,
                 labmnist.summary, figures_mnist.frame_mnist, figures_mnist.history_mnist, saved_samples=1000),
}
