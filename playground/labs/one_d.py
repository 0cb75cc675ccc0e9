"""The 1-D lab: its config (every default and range), presets, and the run that makes snapshots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .. import criteria, fields, metrics, readout
from ..slowmo import speed_field
from ..config import Column, Effect, MixtureRows, param
from ..models import mlp_pair_multiply_adds
from ..readout import Readout, exact, number
from ..targets.one_d import DEFAULT_CUSTOM_1D, TARGET_NAMES_1D, Mixture1D, make_target_1d
from ..timing import section
from .base import Preset, SeedOffset
from .toy import MMD_SAMPLES, ToyRun


@dataclass(frozen=True)
class Config1D(fields.TrainingSettings):
    """Every setting of the 1-D lab, with its default and valid range."""

    # Data and noise
    target: str = param("gaussian", label="Target p_data", choices=TARGET_NAMES_1D, effect=Effect.REBUILD, group="Data")
    custom: MixtureRows = param(
        DEFAULT_CUSTOM_1D, label="Custom mixture", effect=Effect.REBUILD, group="Data", max_rows=10,
        columns=(Column("weight", 0.0, 1000.0), Column("mean", -100.0, 100.0), Column("std", 0.0, 50.0, lo_open=True)),
        visible_if=("target", "custom"), help="Rows of weight, mean, std (at most 10).")
    noise: str = fields.noise("uniform", normal_label="normal N(0, 1)")
    latent_dim: int = param(1, label="Latent dimension", lo=1, hi=8, effect=Effect.REBUILD, group="Data",
                            help="1, as in Figure 1, lets the z → x mapping be drawn exactly.")
    g_shift: float = param(0.0, label="Move G's start (std of p_data)", lo=-6.0, hi=6.0, effect=Effect.REBUILD,
                           group="Data", help="The untrained G's samples start at the centre of the plot, beside "
                                              "p_data as in Figure 1 (a); this moves them right (+) or left (−) by "
                                              "this many standard deviations of p_data.")
    # Algorithm 1
    method: str = fields.method()
    k: int = fields.k(1)
    g_steps: int = fields.g_steps()
    objective: str = fields.objective(visible_if=("method", "adversarial"))
    loss: str = fields.loss()
    gp_weight: float = fields.gp_weight()
    label_smoothing: float = fields.label_smoothing()
    batch: int = fields.batch(256)
    # Optimizer
    optimizer: str = fields.optimizer()
    lr_d: float = fields.lr_d(0.002)
    link_lr: bool = fields.link_lr(False)
    lr_g: float = fields.lr_g(0.0003)
    momentum: float = fields.momentum(0.5)
    link_optimizer: bool = fields.link_optimizer()
    optimizer_g: str = fields.optimizer_g()
    momentum_g: float = fields.momentum_g(0.5)
    # Networks
    width: int = fields.width(128)
    depth: int = fields.depth(1)
    activation: str = fields.activation()
    seed: int = fields.seed(3)
    device: str = fields.device()
    discriminator: str = param("mlp", label="Discriminator", choices=("mlp", "linear"), effect=Effect.REBUILD,
                               group="Networks", choice_labels={"mlp": "MLP (the width, layers and activation above)",
                                                                "linear": "linear: logistic regression on x"},
                               help="A linear D draws one straight boundary: it can compare only means, so any "
                                    "p_g with the right mean fools it.")
    # Display
    density: str = fields.density()
    show_d_star: bool = param(True, label="Show optimal D*", effect=Effect.VIEW, group="Display")
    show_ideal: bool = param(True, label="Show the ideal transform G*(z)", effect=Effect.VIEW, group="Display",
                             help="G*(z) = F_data⁻¹(F_z(z)), the monotone map that turns the noise into p_data "
                                  "(the inverse transform method), or its mirror image, whichever G is nearer. "
                                  "Drawn for a 1-D z only.")
    present: bool = fields.present()
    speed: str = speed_field()

    WORK_FIELDS = ("batch", "k", "g_steps", "objective", "method", "width", "depth")

    def multiply_adds_per_sample(self) -> int:
        return mlp_pair_multiply_adds(self.latent_dim, 1, self.width, self.depth)


# Both stall presets: G starts off the data and learns by plain slow SGD on the minimax loss while
# a fast Adam D rejects its samples (they differ in k, which says what makes D too strong).
_STALL = {"loss": "minimax", "lr_d": 0.01, "link_optimizer": False, "optimizer_g": "sgd", "momentum_g": 0.9,
          "lr_g": 0.00005, "g_shift": 6.0}

PRESETS_1D = {
    "figure1": Preset(
        "Figure 1 — converges",
        "p_g slides onto p_data and D flattens to ½ (Figure 1(d)): the Nash equilibrium, where V = −log 4. "
        "D learns faster than G (0.002 against 0.0003) and so stays near its optimum D*, as the paper's "
        "Proposition 2 assumes; on every seed, because D's 128 units bend where the data are.", {}),
    "strong_d": Preset(
        "D too strong (k = 20)",
        "G starts off the data. Twenty Adam steps of D per G step make D nearly perfect before G can move: "
        "D(G(z)) ≈ 0, and with the paper's minimax loss log(1 − D(G(z))) is flat there, so G, learning by "
        "plain SGD, stalls beside p_data. Try k = 1, or the non-saturating loss.",
        {**_STALL, "k": 20}, shows="stalls"),
    "saturating": Preset(
        "Saturating minimax loss stalls",
        "G starts off the data; D (Adam, ten steps per G step) soon rejects its samples (D(G(z)) ≈ 0), "
        "and there log(1 − D(G(z))) is flat: G, learning by plain SGD, stops moving. Switch the generator "
        "loss to non-saturating and watch G move again.",
        {**_STALL, "k": 10}, shows="stalls"),
    "oscillation": Preset(
        "Oscillation (momentum 0.99)",
        "Heavy momentum overshoots: p_g swings back and forth across p_data instead of settling.",
        {"optimizer": "sgd", "momentum": 0.99, "k": 5, "lr_d": 0.0002, "link_lr": True}, shows="oscillates"),
    "collapse": Preset(
        "Mode collapse (bimodal)",
        "G learns 25 times faster than D (0.005 against 0.0002): instead of spreading over both modes it "
        "piles into one, D lowers its score there, and G hops to the other mode, and back. D stays high "
        "where p_data has mass that G misses. Give D the faster rate again and watch G split.",
        {"target": "bimodal", "lr_d": 0.0002, "lr_g": 0.005}, shows="collapse"),
    "weak_d": Preset(
        "D too weak (linear D)",
        "A linear D draws one straight boundary, so it compares only means. G puts its mass between the two "
        "modes, where p_data has none; the means agree, D says ½ everywhere and V ≈ −log 4 as at the Nash "
        "equilibrium, yet p_g is wrong: D is fooled, not beaten. Switch the discriminator back to an MLP "
        "and watch G split over both modes.",
        {"target": "bimodal", "discriminator": "linear"}, shows="fooled"),
}

GRID_POINTS = 250
EVAL_SAMPLES = 2048
MAP_LINES = 25


@dataclass(frozen=True)
class Snapshot1D:
    """Everything a frame shows; figures are pure functions of this."""

    iteration: int
    d_steps: int
    g_steps: int
    x: np.ndarray  # (GRID_POINTS,) float32 plotting grid
    p_data: np.ndarray
    p_g: np.ndarray
    d: np.ndarray  # D(x) on the grid
    d_star: np.ndarray  # p_data / (p_data + p_g)
    z_line: np.ndarray  # (MAP_LINES,) z values, drawn on the lower axis
    z_span: tuple[float, float]  # the z interval the lower axis shows
    x_of_z: np.ndarray  # G(z) for z_line
    x_range: tuple[float, float]
    metrics: dict
    losses: dict  # history of D and G loss per iteration
    evals: dict  # history of the metrics per snapshot
    objective: str = "bce"  # what D was trained with: what its curve means
    method: str = "adversarial"  # 'mmd': ``d`` is the MMD witness function, scaled (see ToyRun.witness)
    real_label: float = 1.0  # D*'s scale: 1 − one-sided label smoothing
    latent_dim: int = 1
    ideal: np.ndarray | None = None  # G*(z) on z_line (or its mirror image G*(−z)); None when latent_dim > 1
    ideal_mirrored: bool = False  # ``ideal`` is the mirror image, nearer to the current G


class Run1D(ToyRun):
    """The 1-D lab's run: Figure 1's curves on a fixed grid, W1 and JS, the z → x mapping and the
    ideal transform G*(z)."""

    EVAL_NAMES = ("w1", "js", "mmd2")

    def __init__(self, config: Config1D):
        target = make_target_1d(config.target, config.custom)
        lo, hi = target.x_range
        # Standardised: p_data has mean 0 and std 1 in network units. Scaled by the plotting range
        # instead, the gaussian filled [0, 0.5] of [−1, 1], few of D's kinks fell on it, and on some
        # seeds D's logit ended up a straight line over the data, blind to all but the mean. G
        # starts at the plotting range's centre, beside p_data as in Figure 1 (a), not on its mean.
        super().__init__(config, target, 1, target.mean, target.std, EVAL_SAMPLES,
                         g_start=((lo + hi) / 2 - target.mean) / target.std + config.g_shift)
        self.reference = self.target.sample(10_000, np.random.default_rng(self.seed(SeedOffset.REFERENCE)))
        self.modes = _modes(self.target)
        self.reference_shares = metrics.mixture_shares(self.reference, *self.modes) if self.modes else None
        fresh = self.target.sample(EVAL_SAMPLES, np.random.default_rng(self.seed(SeedOffset.EXPORT) + 1))
        self.yardstick = criteria.Yardstick("w1", learned=criteria.W1_OF_STD * self.target.std,
                                            fresh=metrics.wasserstein1(fresh, self.reference), scale=self.target.std)
        self.grid = np.linspace(lo, hi, GRID_POINTS)
        half_cell = (hi - lo) / (GRID_POINTS - 1) / 2
        self.cell_edges = [np.linspace(lo - half_cell, hi + half_cell, GRID_POINTS + 1)]  # the witness's cells
        self.p_data = self.target.pdf(self.grid)
        self.z_line, self.z_span = _z_line(config.noise, config.latent_dim)
        self.ideal = ideal_transform(self.target, config.noise, self.z_line) if config.latent_dim == 1 else None

    def generate_x(self, z: torch.Tensor) -> np.ndarray:
        return self.generate_data(z).ravel()

    def sample_output(self, n: int) -> np.ndarray:
        return super().sample_output(n).ravel()

    def evaluate(self) -> tuple[np.ndarray, dict]:
        """Generated samples and the snapshot's metrics (on the fixed evaluation batches)."""
        fake, scores = self.evaluate_batches()
        samples = fake.ravel()
        finite = np.isfinite(samples)
        lo, hi = self.target.x_range
        return samples, {
            "mean_x": float(samples.mean()),
            "off_plot": float(np.mean((samples < lo) | (samples > hi))),
            **scores,
            "w1": metrics.wasserstein1(samples[finite], self.reference) if finite.all() else float("nan"),
            "mode_share_error": self.mode_share_error(samples),
        }

    def mode_share_error(self, samples: np.ndarray) -> float:
        """The largest difference, over a mixture's modes, between p_g's and p_data's share of the
        mass (NaN for a target without separate modes)."""
        if self.modes is None:
            return float("nan")
        return float(np.abs(metrics.mixture_shares(samples, *self.modes) - self.reference_shares).max())

    def snapshot(self) -> Snapshot1D:
        self.record_losses()
        t = self.trainer
        with section("metrics"):
            samples, stats = self.evaluate()
            p_g = metrics.estimate_density(samples, self.grid, self.config.density)
            stats["js"] = metrics.js_divergence(self.p_data, p_g)
        self.record_evaluation(stats)
        hyper = t.hyper
        mmd = hyper.method == "mmd"
        d = self.witness(samples, self.cell_edges) if mmd else self.discriminate_data(self.grid)
        z = torch.as_tensor(self.z_line, dtype=torch.float32).reshape(-1, 1).repeat(1, self.config.latent_dim)
        x_of_z = self.generate_x(z)
        ideal, mirrored = nearer_ideal(self.ideal, x_of_z)
        real_label = t.losses.real_label
        f32 = lambda a: None if a is None else np.asarray(a, dtype=np.float32)  # noqa: E731
        return Snapshot1D(
            iteration=t.iterations, d_steps=t.d_steps, g_steps=t.g_steps,
            x=f32(self.grid), p_data=f32(self.p_data), p_g=f32(p_g), d=f32(d),
            d_star=f32(real_label * metrics.optimal_discriminator(self.p_data, p_g)),
            z_line=f32(self.z_line), z_span=self.z_span, x_of_z=f32(x_of_z), x_range=self.target.x_range,
            metrics=stats, losses=self.loss_history.arrays(), evals=self.eval_history.arrays(),
            objective=hyper.objective, method=hyper.method, real_label=real_label,
            latent_dim=self.config.latent_dim, ideal=f32(ideal), ideal_mirrored=mirrored,
        )


def _modes(target) -> tuple[tuple[float, ...], ...] | None:
    """(weights, means, stds) of a mixture with two or more components, else None."""
    if isinstance(target, Mixture1D) and len(target.means) > 1:
        return target.weights, target.means, target.stds
    return None


def _z_line(noise: str, latent_dim: int) -> tuple[np.ndarray, tuple[float, float]]:
    """Evenly spaced z values (equal-probability quantiles for normal noise), as in Figure 1."""
    if noise == "uniform":
        return np.linspace(-1, 1, MAP_LINES), (-1.0, 1.0)
    from scipy.stats import norm

    return norm.ppf((np.arange(MAP_LINES) + 0.5) / MAP_LINES), (-2.5, 2.5)


QUANTILE_CLIP = 1e-3  # G*(z) at the ends of uniform noise, where F_z is 0 or 1, uses these quantiles


def ideal_transform(target, noise: str, z: np.ndarray) -> np.ndarray:
    """G*(z) = F_data⁻¹(F_z(z)): the monotone map that turns noise z into samples of p_data (the
    inverse transform method). Uniform noise's end points z = ±1 would map to ±∞ for most targets;
    they are drawn at the QUANTILE_CLIP and 1 − QUANTILE_CLIP quantiles."""
    from scipy.stats import norm

    u = (np.asarray(z, dtype=float) + 1) / 2 if noise == "uniform" else norm.cdf(z)
    return target.ppf(np.clip(u, QUANTILE_CLIP, 1 - QUANTILE_CLIP))


def nearer_ideal(ideal: np.ndarray | None, x_of_z: np.ndarray) -> tuple[np.ndarray | None, bool]:
    """G*(z), or its mirror image G*(−z) (a decreasing map that also turns the noise into p_data:
    both noises are symmetric and z_line is too), whichever the current G(z) is nearer; and
    whether it is the mirror."""
    finite = np.isfinite(x_of_z)
    if ideal is None or not finite.any():
        return ideal, False
    mirror = ideal[::-1]
    mirrored = bool(np.mean(np.abs(x_of_z - mirror)[finite]) < np.mean(np.abs(x_of_z - ideal)[finite]))
    return (mirror if mirrored else ideal), mirrored


def summary(snapshot: Snapshot1D, seconds: float) -> dict:
    """The CLI's JSON fields for a finished run."""
    stats = snapshot.metrics
    return {"steps": snapshot.iteration, "seconds": round(seconds, 3),
            "steps_per_s": round(snapshot.iteration / seconds, 1) if seconds > 0 else None,
            **{k: stats[k] for k in ("d_loss", "g_loss", "d_real", "d_fake", "value", "w1", "js", "mmd2")}}


def readouts(snap: Snapshot1D, rate: float) -> list[Readout]:
    """The 1-D lab's metric row (the page draws it as it is; a new number is one line here)."""
    stats = snap.metrics
    return [
        readout.iteration(snap, steps_too=True), readout.rate(rate),
        *readout.d_scores(stats, f"{EVAL_SAMPLES:,}"),
        Readout("W1", number(stats["w1"]), f"W1 = {exact(stats['w1'])}",
                "Wasserstein-1 distance from p_g to p_data, in units of x: 0 when they match."),
        Readout("JS", number(stats["js"]), f"JS = {exact(stats['js'])} nats",
                "Jensen–Shannon divergence between p_data and p_g in nats: 0 when they match, at most "
                "log 2 ≈ 0.693."),
        readout.mmd(stats, MMD_SAMPLES), readout.objective(snap),
    ]
