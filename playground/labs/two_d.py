"""The 2-D lab: its config (every default and range), presets, and the run that makes snapshots."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .. import criteria, fields, metrics, readout
from ..slowmo import speed_field
from ..config import Column, Effect, MixtureRows, param
from ..models import mlp_pair_multiply_adds
from ..readout import Readout, exact, number, percent
from ..targets.two_d import DEFAULT_CUSTOM_2D, TARGET_NAMES_2D, make_target_2d
from ..timing import section
from .base import Preset, SeedOffset
from .toy import MMD_SAMPLES, ToyRun

CUSTOM_SOURCES = ("table", "csv")


@dataclass(frozen=True)
class Config2D(fields.TrainingSettings):
    """Every setting of the 2-D lab, with its default and valid range."""

    # Data and noise
    target: str = param("ring8", label="Target p_data", choices=TARGET_NAMES_2D, effect=Effect.REBUILD, group="Data")
    custom_source: str = param("table", label="Custom data", choices=CUSTOM_SOURCES, effect=Effect.REBUILD,
                               group="Data", visible_if=("target", "custom"),
                               choice_labels={"table": "Gaussian mixture table",
                                              "csv": "points: an uploaded CSV, or drawn on the plane"})
    custom: MixtureRows = param(
        DEFAULT_CUSTOM_2D, label="Custom mixture", effect=Effect.REBUILD, group="Data", max_rows=25,
        columns=(Column("weight", 0.0, 1000.0), Column("mean x", -100.0, 100.0), Column("mean y", -100.0, 100.0),
                 Column("std", 0.0, 50.0, lo_open=True)),
        visible_if=("custom_source", "table"), help="Rows of weight, mean x, mean y, std (at most 25).")
    noise: str = fields.noise("normal")
    latent_dim: int = param(2, label="Latent dimension", lo=1, hi=8, effect=Effect.REBUILD, group="Data",
                            help="2 lets the manifold view draw the whole z-plane warped by G.")
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
    lr_d: float = fields.lr_d(0.001)
    link_lr: bool = fields.link_lr(True)
    lr_g: float = fields.lr_g(0.001)
    momentum: float = fields.momentum(0.5)
    link_optimizer: bool = fields.link_optimizer()
    optimizer_g: str = fields.optimizer_g()
    momentum_g: float = fields.momentum_g(0.5)
    lr_halving: int = fields.lr_halving()
    g_average: float = fields.g_average()
    # Networks
    width: int = fields.width(64)
    depth: int = fields.depth(2)
    activation: str = fields.activation()
    seed: int = fields.seed(0)
    device: str = fields.device()
    # Display
    density: str = fields.density()
    show_arrows: bool = param(True, label="Gradient arrows ∂D/∂x", effect=Effect.VIEW, group="Display",
                              help="Where D's slope pushes each generated sample (the generator's update direction).")
    show_manifold: bool = param(False, label="Generator manifold", effect=Effect.VIEW, group="Display",
                                help="A grid in z-space, warped by G (z₁, z₂; any further z are 0).")
    shared_scale: bool = param(False, label="p_g on p_data's colour scale", effect=Effect.VIEW, group="Display",
                               help="Off: p_g has a colour scale of its own, so a p_g that has spread out stays "
                                    "readable. On: both panels share p_data's scale, and p_g above p_data's peak "
                                    "saturates.")
    present: bool = fields.present()
    show_heatmap: bool = param(True, label="D's heatmap", effect=Effect.VIEW, group="Display",
                               help="D(x) over the plane (or a critic's score, or the MMD witness).")
    show_contours: bool = param(True, label="p_data's contours", effect=Effect.VIEW, group="Display")
    show_real: bool = param(True, label="Real samples", effect=Effect.VIEW, group="Display")
    show_fake: bool = param(True, label="Generated samples", effect=Effect.VIEW, group="Display")
    speed: str = speed_field()

    WORK_FIELDS = ("batch", "k", "g_steps", "objective", "method", "width", "depth")

    def multiply_adds_per_sample(self) -> int:
        return mlp_pair_multiply_adds(self.latent_dim, 2, self.width, self.depth)

# With a constant step size G's mass keeps sliding along a curve or between checkerboard squares: the
# pair circles the equilibrium instead of settling on it. Annealed learning rates shrink the circle
# and the averaged generator shows its centre (measured over seeds in README, "Every lesson on
# every seed"). The spiral needs every step it gets to wind G along it, so it is averaged only, and
# uploaded points (a broad KDE) learn slowly, so their rates halve half as often. Mixtures settle
# without either, so the defaults stay plain. The grid of 25 needs sharp modes instead: annealing
# costs sharpness (66% → 36% high-quality samples on seed 0); uniform noise tiles the square that
# G maps onto the 5 × 5 grid, and width 128 makes the transitions between modes steep.
AVERAGE = {"g_average": 0.999}
SETTLE = {"lr_halving": 2500, **AVERAGE}
RECOMMENDED_2D = {"grid25": {"noise": "uniform", "width": 128}, "spiral": AVERAGE,
                  **{target: SETTLE for target in ("moons", "circles", "checkerboard", "line")},
                  "custom": {"lr_halving": 5000, **AVERAGE}}

PRESETS_2D = {
    "all_modes": Preset(
        "Ring of 8 — all modes found",
        "Adam with β1 = 0.5, learning rate 0.001 for both networks and two hidden layers of 64: G spreads "
        "over all eight modes within a minute, and D's landscape flattens towards ½.", {}),
    "collapse": Preset(
        "Ring of 8 — mode collapse (vanilla SGD)",
        "The paper's recipe — SGD with momentum 0.9, k = 1 — on the ring: G piles onto one or two modes, "
        "D learns to reject them, and G hops to another mode. Watch the modes-captured count; then "
        "switch the optimizer to Adam with momentum 0.5 to cure it.",
        {"optimizer": "sgd", "momentum": 0.9, "lr_d": 0.01}, shows="collapse"),
    "grid25": Preset(
        "Grid of 25",
        "Twenty-five modes on a 5 × 5 grid: harder than the ring. Uniform noise and width 128 (the grid's "
        "recommended settings) let G tile the square of noise onto the grid with sharp modes. Count the "
        "modes captured as it trains.",
        {"target": "grid25", **RECOMMENDED_2D["grid25"]}),
    "spiral": Preset(
        "Spiral",
        "A curve instead of blobs: turn on the generator manifold to see G bend the z-plane along it.",
        {"target": "spiral", "show_manifold": True, **AVERAGE}),
}

GRID = 100  # the heatmaps are GRID × GRID
JS_GRID = 30  # GAN Lab's "JS by grid" compares 30 × 30 cell probabilities
JS_FINE = 4  # p_data's cell masses: each JS cell averages JS_FINE × JS_FINE pdf values
EVAL_SAMPLES = 2500  # the mode metrics' protocol
FRESH_SAMPLES = 4  # fresh samples of p_data averaged for the sliced W1 that sampling noise alone gives
SHOWN_SAMPLES = 500  # real and generated points drawn per frame
ARROWS = 80
MANIFOLD_LINES, MANIFOLD_POINTS = 11, 41


@dataclass(frozen=True)
class Snapshot2D:
    """Everything a frame of the 2-D lab shows; figures are pure functions of this."""

    iteration: int
    d_steps: int
    g_steps: int
    xs: np.ndarray  # (GRID,) cell centres along x, float32
    ys: np.ndarray  # (GRID,) along y
    d: np.ndarray  # (GRID, GRID) D(x) on the grid, rows = y
    p_data: np.ndarray  # (GRID, GRID)
    p_g: np.ndarray  # (GRID, GRID) KDE or histogram of the generated samples
    real: np.ndarray  # (SHOWN_SAMPLES, 2)
    fake: np.ndarray  # (SHOWN_SAMPLES, 2), G on a fixed noise batch
    arrows: np.ndarray | None  # (ARROWS, 2) ∂D/∂x at fake[:ARROWS], in data units
    manifold: np.ndarray | None  # (2 · MANIFOLD_LINES, MANIFOLD_POINTS, 2) images of z-grid lines
    limits: tuple[tuple[float, float], tuple[float, float]]
    target: str
    metrics: dict
    losses: dict
    evals: dict
    objective: str = "bce"  # what D was trained with: what its landscape means
    method: str = "adversarial"  # 'mmd': ``d`` is the MMD witness function, scaled (see ToyRun.witness)


class Run2D(ToyRun):
    """The 2-D lab's run: D's landscape (or the MMD witness), p_g beside p_data, mode metrics,
    JS by grid, sliced W1 and MMD²."""

    EVAL_NAMES = ("modes_captured", "high_quality", "js", "swd", "mmd2")

    def __init__(self, config: Config2D, points: np.ndarray | None = None, points_name: str = ""):
        use_points = config.target == "custom" and config.custom_source == "csv" and points is not None
        target = make_target_2d(config.target, config.custom, points if use_points else None)
        super().__init__(config, target, 2, target.centre, target.half_width, EVAL_SAMPLES)
        (x_lo, x_hi), (y_lo, y_hi) = target.limits
        cell = (x_hi - x_lo) / GRID
        self.xs = x_lo + cell * (np.arange(GRID) + 0.5)
        self.ys = y_lo + cell * (np.arange(GRID) + 0.5)
        self.grid_points = np.stack(np.meshgrid(self.xs, self.ys), axis=-1).reshape(-1, 2)
        self.cell_edges = [y_lo + cell * np.arange(GRID + 1), x_lo + cell * np.arange(GRID + 1)]  # rows = y
        self.p_data = target.pdf(self.grid_points).reshape(GRID, GRID)
        fine = x_lo + (x_hi - x_lo) / (JS_GRID * JS_FINE) * (np.arange(JS_GRID * JS_FINE) + 0.5)
        fine_y = fine - x_lo + y_lo
        fine_pdf = target.pdf(np.stack(np.meshgrid(fine, fine_y), axis=-1))
        self.js_edges = (np.linspace(x_lo, x_hi, JS_GRID + 1), np.linspace(y_lo, y_hi, JS_GRID + 1))
        self.p_data_cells = metrics.cell_probabilities(
            fine_pdf.reshape(JS_GRID, JS_FINE, JS_GRID, JS_FINE).sum(axis=(1, 3)))
        self.reference = self.to_data(self.eval_real)
        self.yardstick = self._yardstick(config)
        self.real_shown = self.reference[:SHOWN_SAMPLES]
        self.manifold_z = _manifold_grid(config.noise, config.latent_dim)
        self.using_points = use_points

    def _yardstick(self, config: Config2D) -> criteria.Yardstick:
        """The sliced W1 that sampling noise alone gives (fresh samples of p_data against the
        reference, averaged over FRESH_SAMPLES draws), and the bar for "learned" made from it."""
        fresh = float(np.mean([metrics.sliced_wasserstein(self.target.sample(EVAL_SAMPLES, np.random.default_rng(
            config.seed + SeedOffset.EXPORT + 1 + i)), self.reference) for i in range(FRESH_SAMPLES)]))
        return criteria.Yardstick("swd", learned=criteria.FRESH_MULTIPLE * fresh, fresh=fresh,
                                  scale=float(np.sqrt(self.reference.var(axis=0).mean())))

    def evaluate(self) -> tuple[np.ndarray, dict]:
        """Generated samples and the snapshot's metrics (on the fixed evaluation batches)."""
        fake, stats = self.evaluate_batches()
        finite = np.isfinite(fake).all(axis=1)
        (x_lo, x_hi), (y_lo, y_hi) = self.target.limits
        inside = finite & (fake[:, 0] >= x_lo) & (fake[:, 0] <= x_hi) & (fake[:, 1] >= y_lo) & (fake[:, 1] <= y_hi)
        stats["off_plot"] = float(1 - inside.mean())
        counts, _, _ = np.histogram2d(fake[finite, 1], fake[finite, 0], bins=(self.js_edges[1], self.js_edges[0]))
        stats["js"] = metrics.js_divergence(self.p_data_cells, counts)
        stats["swd"] = metrics.sliced_wasserstein(fake, self.reference) if finite.all() else float("nan")
        if self.target.modes is not None:
            stats.update(metrics.mode_metrics(fake, *self.target.modes))
        else:
            stats.update(modes_captured=float("nan"), modes_total=0, high_quality=float("nan"))
        return fake, stats

    def gradient_arrows(self, x: np.ndarray) -> np.ndarray:
        """∂D/∂x at points x (data units) for D's output as drawn (a probability or a score): the
        direction that raises D, where G's update pushes them."""
        u = self.to_units(x).to(self.device).requires_grad_(True)
        with torch.enable_grad():
            d = self.trainer.d_output(u).sum()
            (grad,) = torch.autograd.grad(d, u)
        return grad.double().cpu().numpy() / self.scale

    def witness_arrows(self, witness: np.ndarray, x: np.ndarray) -> np.ndarray:
        """∂f/∂x of the witness grid at points x (data units; central differences at each point's
        cell): the direction in which minimising MMD² moves G's samples."""
        cell = float(self.xs[1] - self.xs[0])
        d_dy, d_dx = np.gradient(np.asarray(witness, dtype=float), cell)
        (x_lo, _), (y_lo, _) = self.target.limits
        col = np.clip(((x[:, 0] - x_lo) / cell).astype(int), 0, GRID - 1)
        row = np.clip(((x[:, 1] - y_lo) / cell).astype(int), 0, GRID - 1)
        return np.stack([d_dx[row, col], d_dy[row, col]], axis=1)

    def snapshot(self) -> Snapshot2D:
        self.record_losses()
        t, config = self.trainer, self.config
        with section("metrics"):
            fake, stats = self.evaluate()
            density = metrics.kde_2d if config.density == "kde" else metrics.histogram_2d
            p_g = density(fake, self.xs, self.ys)
        self.record_evaluation(stats)
        hyper = t.hyper
        shown = fake[:SHOWN_SAMPLES]
        if hyper.method == "mmd":
            d = self.witness(fake, self.cell_edges)
            arrows = self.witness_arrows(d, shown[:ARROWS]) if config.show_arrows else None
        else:
            d = self.discriminate_data(self.grid_points).reshape(GRID, GRID)
            arrows = self.gradient_arrows(shown[:ARROWS]) if config.show_arrows else None
        manifold = None
        if config.show_manifold:
            z = torch.as_tensor(self.manifold_z.reshape(-1, config.latent_dim), dtype=torch.float32)
            manifold = self.generate_data(z).reshape(-1, MANIFOLD_POINTS, 2)
        f32 = lambda a: None if a is None else np.asarray(a, dtype=np.float32)  # noqa: E731
        return Snapshot2D(
            iteration=t.iterations, d_steps=t.d_steps, g_steps=t.g_steps,
            xs=f32(self.xs), ys=f32(self.ys), d=f32(d), p_data=f32(self.p_data), p_g=f32(p_g),
            real=f32(self.real_shown), fake=f32(shown), arrows=f32(arrows), manifold=f32(manifold),
            limits=self.target.limits, target=self.target.name,
            metrics=stats, losses=self.loss_history.arrays(), evals=self.eval_history.arrays(),
            objective=hyper.objective, method=hyper.method)


def _manifold_grid(noise: str, latent_dim: int) -> np.ndarray:
    """Lines of constant z₁ and of constant z₂ over the noise's bulk; further z are 0.

    Returns (2 · MANIFOLD_LINES, MANIFOLD_POINTS, latent_dim); with one latent dimension, one line.
    """
    span = 1.0 if noise == "uniform" else 2.0
    ticks = np.linspace(-span, span, MANIFOLD_LINES)
    along = np.linspace(-span, span, MANIFOLD_POINTS)
    if latent_dim == 1:
        return along.reshape(1, -1, 1)
    z = np.zeros((2 * MANIFOLD_LINES, MANIFOLD_POINTS, latent_dim))
    z[:MANIFOLD_LINES, :, 0], z[:MANIFOLD_LINES, :, 1] = ticks[:, None], along[None, :]
    z[MANIFOLD_LINES:, :, 0], z[MANIFOLD_LINES:, :, 1] = along[None, :], ticks[:, None]
    return z


def summary(snapshot: Snapshot2D, seconds: float) -> dict:
    """The CLI's JSON fields for a finished run."""
    stats = snapshot.metrics
    return {"steps": snapshot.iteration, "seconds": round(seconds, 3),
            "steps_per_s": round(snapshot.iteration / seconds, 1) if seconds > 0 else None,
            **{k: stats[k] for k in ("d_loss", "g_loss", "d_real", "d_fake", "value", "modes_captured",
                                     "modes_total", "high_quality", "swd", "mmd2")},
            "js_grid": stats["js"]}


def readouts(snap: Snapshot2D, rate: float) -> list[Readout]:
    """The 2-D lab's metric row (the page draws it as it is; a new number is one line here)."""
    stats = snap.metrics
    total = stats["modes_total"]
    modes = [
        Readout("Modes", f"{stats['modes_captured']}/{total}", f"{stats['modes_captured']} of {total} modes captured",
                f"Modes with at least one generated sample within 3 std of its centre ({EVAL_SAMPLES:,} samples)."),
        Readout("Quality", percent(stats["high_quality"]), f"{stats['high_quality']:.1%} high-quality samples",
                "Generated samples within 3 std of their nearest mode centre (VEEGAN/PacGAN protocol)."),
    ] if total else [
        Readout("Modes", readout.MISSING, help="This target has no separate modes to count."),
        Readout("Quality", readout.MISSING, help="This target has no mode centres to measure against."),
    ]
    return [
        readout.iteration(snap, steps_too=True), readout.rate(rate),
        *readout.d_scores(stats, f"{EVAL_SAMPLES:,}"), *modes,
        Readout("JS (grid)", number(stats["js"]), f"JS = {exact(stats['js'])} nats",
                f"Jensen–Shannon divergence in nats between p_data and the generated samples on a "
                f"{JS_GRID} × {JS_GRID} grid (0 … log 2 ≈ 0.693)."),
        readout.mmd(stats, MMD_SAMPLES), readout.objective(snap),
    ]
