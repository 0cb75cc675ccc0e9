"""What the 1-D and 2-D labs' runs share: networks that work in normalised units, the trainer and
fixed evaluation batches (the histories come from :class:`~playground.labs.base.LabRun`).

The networks see u = (x − centre) / scale, each lab choosing centre and scale from its target (the
1-D lab p_data's mean and std, the 2-D lab the plotting square's centre and half width), and
samples, densities and plots are converted back to data units x. Where the data sit in these units
decides what a freshly initialised D can tell apart: a hidden unit of D bends its logit at
u = −b/w, which PyTorch's default initialisation puts mostly within |u| ≲ 1, so the data must fill
that region, not a corner of it (README, "Every lesson on every seed").
"""

from __future__ import annotations

import numpy as np
import torch

from .. import mmd
from ..models import MLP
from ..trainer import Trainer, noise_sampler
from .base import LabRun, SeedOffset

MMD_SAMPLES = 256  # of each evaluation batch behind the MMD² metric (its kernels are n × n: 512 took ~25 ms a frame)


class ToyRun(LabRun):
    """A target, a G: z → x and a D: x → logit MLP pair, a trainer, and fixed evaluation batches
    (so that consecutive frames differ only by training)."""

    def __init__(self, config, target, dim: int, centre, scale: float, eval_samples: int, g_start=0.0):
        """``g_start``: where the untrained G's samples are centred, in network units (0: on ``centre``)."""
        super().__init__(config)
        self.target, self.dim = target, dim
        self.centre = np.asarray(centre, dtype=float).reshape(dim)
        self.scale = float(scale)
        self._centre_t = torch.as_tensor(self.centre, dtype=torch.float32, device=self.device)
        torch.manual_seed(self.seed(SeedOffset.TRAINING))  # network initialisation
        G = MLP(config.latent_dim, dim, config.width, config.depth, config.activation)
        with torch.no_grad():
            G.linears[-1].bias.add_(torch.as_tensor(g_start, dtype=torch.float32))
        linear_d = getattr(config, "discriminator", "mlp") == "linear"  # the 1-D lab's "D too weak"
        D = MLP(dim, 1, config.width, 0 if linear_d else config.depth, config.activation)
        self.trainer = Trainer(G, D, self._sample_real_units, noise_sampler(config.noise, config.latent_dim),
                               config.hyper(), self.seed(SeedOffset.TRAINING), self.device)
        eval_rng = self.generator(SeedOffset.EVALUATION)
        self.eval_z = self.trainer.sample_noise(eval_samples, eval_rng)
        self.eval_real = self._sample_real_units(eval_samples, eval_rng)
        self._witness_data: tuple[np.ndarray, float] | None = None

    def _sample_real_units(self, n: int, rng: torch.Generator) -> torch.Tensor:
        return self.target.sample(n, rng).reshape(n, self.dim).sub_(self._centre_t).div_(self.scale)

    def to_data(self, u: torch.Tensor) -> np.ndarray:
        """Network units -> data units, as an (n, dim) float64 array."""
        return u.double().cpu().numpy().reshape(-1, self.dim) * self.scale + self.centre

    def to_units(self, x: np.ndarray) -> torch.Tensor:
        x = np.asarray(x, dtype=float).reshape(-1, self.dim)
        return torch.as_tensor((x - self.centre) / self.scale, dtype=torch.float32)

    def generate_data(self, z: torch.Tensor) -> np.ndarray:
        return self.to_data(self.trainer.generate(z))

    def discriminate_data(self, x: np.ndarray) -> np.ndarray:
        """D(x) as its objective reads it (see Trainer.discriminate) for points in data units; shape (n,)."""
        return self.trainer.discriminate(self.to_units(x)).cpu().numpy().ravel()

    def sample_output(self, n: int) -> np.ndarray:
        """n generated samples in data units (the CLI's --save-samples), reproducible per seed."""
        rng = self.generator(SeedOffset.EXPORT)
        return self.generate_data(self.trainer.sample_noise(n, rng))

    @torch.no_grad()
    def evaluate_batches(self) -> tuple[np.ndarray, dict]:
        """Generated samples (data units) on the fixed noise batch, D's scores on both batches, and
        MMD² between them (the kernel G descends when trained by MMD; for every run, so that
        adversarial and direct training compare on one number)."""
        fake = self.trainer.generate(self.eval_z)
        _, _, scores = self.scores(self.d_logits(self.eval_real), self.d_logits(fake))
        n = MMD_SAMPLES
        scores["mmd2"] = float(mmd.mmd2(self.eval_real[:n], fake[:n])) if bool(torch.isfinite(fake).all()) else float("nan")
        return self.to_data(fake), scores

    def witness(self, fake: np.ndarray, edges: list[np.ndarray]) -> np.ndarray:
        """The MMD witness f on the cells between ``edges`` (per coordinate, data units, the same
        for every call of a run; in 2-D y's then x's, so that rows are y), divided by
        :func:`~playground.mmd.witness_scale`: 1 where the data are densest and G has no mass,
        0 where p_g matches p_data."""
        cell = float(edges[-1][1] - edges[-1][0]) / self.scale  # in network units
        if self._witness_data is None:  # the data's part is fixed: the evaluation batch
            mass = _mass(self.to_data(self.eval_real), edges)
            self._witness_data = mass, mmd.witness_scale(mass, cell)
        data_mass, scale = self._witness_data
        return mmd.witness_on_grid(data_mass, _mass(fake, edges), cell) / scale


def _mass(points: np.ndarray, edges: list[np.ndarray]) -> np.ndarray:
    """Each cell's share of the points (points (n, dim) in x, y order; edges in rows-first order)."""
    points = np.asarray(points, dtype=float).reshape(len(points), -1)
    columns = points[:, ::-1] if points.shape[1] == 2 else points
    finite = np.isfinite(columns).all(axis=1)
    counts, _ = np.histogramdd(columns[finite], bins=edges)
    return counts / max(len(points), 1)
