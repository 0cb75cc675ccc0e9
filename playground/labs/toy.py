"""What the 1-D and 2-D labs' runs share: networks that work in normalised units, the trainer and
fixed evaluation batches (the histories come from :class:`~playground.labs.base.LabRun`).

The networks see u = (x − centre) / half_width, so the plotted region is [−1, 1] in every
coordinate: the usual input scaling, which makes a target far from the origin as easy to learn as
one at it. Samples, densities and plots are converted back to data units x.
"""

from __future__ import annotations

import numpy as np
import torch

from ..models import MLP
from ..trainer import Trainer, noise_sampler
from .base import LabRun, SeedOffset, d_scores


class ToyRun(LabRun):
    """A target, a G: z → x and a D: x → logit MLP pair, a trainer, and fixed evaluation batches
    (so that consecutive frames differ only by training)."""

    def __init__(self, config, target, dim: int, centre, half_width: float, eval_samples: int):
        super().__init__(config)
        self.target, self.dim = target, dim
        self.centre = np.asarray(centre, dtype=float).reshape(dim)
        self.half_width = float(half_width)
        self._centre_t = torch.as_tensor(self.centre, dtype=torch.float32, device=self.device)
        torch.manual_seed(self.seed(SeedOffset.TRAINING))  # network initialisation
        G = MLP(config.latent_dim, dim, config.width, config.depth, config.activation)
        D = MLP(dim, 1, config.width, config.depth, config.activation)
        self.trainer = Trainer(G, D, self._sample_real_units, noise_sampler(config.noise, config.latent_dim),
                               config.hyper(), self.seed(SeedOffset.TRAINING), self.device)
        eval_rng = self.generator(SeedOffset.EVALUATION)
        self.eval_z = self.trainer.sample_noise(eval_samples, eval_rng)
        self.eval_real = self._sample_real_units(eval_samples, eval_rng)

    def _sample_real_units(self, n: int, rng: torch.Generator) -> torch.Tensor:
        return self.target.sample(n, rng).reshape(n, self.dim).sub_(self._centre_t).div_(self.half_width)

    def to_data(self, u: torch.Tensor) -> np.ndarray:
        """Network units -> data units, as an (n, dim) float64 array."""
        return u.double().cpu().numpy().reshape(-1, self.dim) * self.half_width + self.centre

    def to_units(self, x: np.ndarray) -> torch.Tensor:
        x = np.asarray(x, dtype=float).reshape(-1, self.dim)
        return torch.as_tensor((x - self.centre) / self.half_width, dtype=torch.float32)

    def generate_data(self, z: torch.Tensor) -> np.ndarray:
        return self.to_data(self.trainer.generate(z))

    def discriminate_data(self, x: np.ndarray) -> np.ndarray:
        """D(x) as probabilities for points given in data units; shape (n,)."""
        return self.trainer.discriminate(self.to_units(x)).cpu().numpy().ravel()

    def sample_output(self, n: int) -> np.ndarray:
        """n generated samples in data units (the CLI's --save-samples), reproducible per seed."""
        rng = self.generator(SeedOffset.EXPORT)
        return self.generate_data(self.trainer.sample_noise(n, rng))

    @torch.no_grad()
    def evaluate_batches(self) -> tuple[np.ndarray, dict]:
        """Generated samples (data units) on the fixed noise batch, and D's scores on both batches."""
        fake = self.trainer.generate(self.eval_z)
        _, _, scores = d_scores(self.d_logits(self.eval_real), self.d_logits(fake))
        return self.to_data(fake), scores
