"""Generators and discriminators for 28 × 28 digits: an MLP GAN and a DCGAN, each optionally conditional.

Every network works on flat vectors, so the shared :class:`~playground.trainer.Trainer` trains
them unchanged (its samplers, losses from logits and optimizers know nothing about images):

* a generator maps z (B, z_dim) -> images (B, 784), pixels in [-1, 1] (tanh);
* a discriminator maps images (B, 784) -> logits (B, 1).

Conditional variants take the digit's one-hot label as 10 more inputs. The conditional generator
maps (B, z_dim + 10) -> (B, 784 + 10): it *passes its input's label through*, appended to its
output unchanged (not learned), and real samples carry their own label the same way, so the
discriminator always sees (image, label) pairs for real and generated digits alike.

An unconditional pair can instead carry InfoGAN's categorical code (Chen et al. 2016): G's input
holds ``code_dim`` more columns, a one-hot code c drawn uniformly, and D grows a second head,
Q(c | x), that names the code from the image (``forward_with_code``). No labels are involved; the
trainer rewards G for writing digits whose code can be read back.

The DCGAN follows Radford et al. (2016), scaled to 28 × 28: transposed convolutions in G, strided
convolutions in D, batch norm, ReLU in G and LeakyReLU 0.2 in D, tanh output, weights drawn from
N(0, 0.02) (:func:`init_dcgan_weights`).
"""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from torch import nn

from ..models import multiply_adds

IMAGE_SIDE = 28
IMAGE_DIM = IMAGE_SIDE * IMAGE_SIDE  # 784
NUM_CLASSES = 10
LEAKY_SLOPE = 0.2
MODELS = ("mlp", "dcgan")
DCGAN_BASE = 32  # channels of the DCGAN's 14 × 14 layers (×2 at 7 × 7) at width_scale 1
INIT_STD = 0.02


CODE_CLASSES = NUM_CLASSES  # values of InfoGAN's categorical code: one per digit, if G learns them


def label_dim(conditional: bool) -> int:
    return NUM_CLASSES if conditional else 0


def images_from_output(x: torch.Tensor) -> torch.Tensor:
    """Flat samples (B, 784 [+ 10 label]) -> images (B, 1, 28, 28); the label part is dropped."""
    return x[:, :IMAGE_DIM].reshape(-1, 1, IMAGE_SIDE, IMAGE_SIDE)


def one_hot(labels: torch.Tensor) -> torch.Tensor:
    """Digit labels (B,) -> float one-hot rows (B, 10)."""
    return F.one_hot(labels.long(), NUM_CLASSES).float()


class _Generator(nn.Module):
    """What both generators share: the input's columns are z, then InfoGAN's one-hot code (if
    ``code_dim``), then the one-hot label (if conditional), which is appended to the image."""

    def __init__(self, z_dim: int, conditional: bool, code_dim: int = 0):
        super().__init__()
        self.z_dim, self.conditional, self.code_dim = z_dim, conditional, code_dim
        self.in_dim = z_dim + code_dim + label_dim(conditional)
        self.out_dim = IMAGE_DIM + label_dim(conditional)

    def code_of(self, z: torch.Tensor) -> torch.Tensor:
        """The categorical code each input row carries: (B,) long (its one-hot columns' argmax)."""
        return z[:, self.z_dim:self.z_dim + self.code_dim].argmax(dim=1)

    def image(self, z: torch.Tensor) -> torch.Tensor:
        """(B, z_dim [+ 10]) -> (B, 784) in [-1, 1]."""
        raise NotImplementedError

    def forward(self, z: torch.Tensor) -> torch.Tensor:  # (B, z_dim [+ 10]) -> (B, 784 [+ 10])
        x = self.image(z)  # (B, 784)
        if self.conditional:
            x = torch.cat([x, z[:, self.z_dim + self.code_dim:]], dim=1)  # the label passes through unchanged
        return x


class MLPGenerator(_Generator):
    """z [+ one-hot] -> fully connected layers with LeakyReLU 0.2 -> 784 pixels through tanh."""

    def __init__(self, z_dim: int, hidden: tuple[int, ...] = (256, 512), conditional: bool = False,
                 code_dim: int = 0):
        super().__init__(z_dim, conditional, code_dim)
        sizes = [self.in_dim, *hidden, IMAGE_DIM]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def image(self, z: torch.Tensor) -> torch.Tensor:
        *hidden, last = self.linears
        x = z  # (B, z_dim [+ 10])
        for linear in hidden:
            x = F.leaky_relu(linear(x), LEAKY_SLOPE)  # (B, hidden[i])
        return torch.tanh(last(x))  # (B, 784)


class MLPDiscriminator(nn.Module):
    """784 pixels [+ one-hot] -> fully connected layers with LeakyReLU 0.2 -> one logit.

    ``dropout`` (training mode only) drops that fraction of every hidden layer's units, as the
    maxout discriminator of Goodfellow et al. (2014) did: on a few thousand digits an unregularised
    D learns them by heart and G's digits then get worse, not better. ``code_dim`` adds InfoGAN's
    Q head on the last hidden layer.
    """

    def __init__(self, hidden: tuple[int, ...] = (512, 256), conditional: bool = False, dropout: float = 0.0,
                 code_dim: int = 0):
        super().__init__()
        self.conditional, self.dropout = conditional, dropout
        self.in_dim = IMAGE_DIM + label_dim(conditional)
        sizes = [self.in_dim, *hidden, 1]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.code_head = nn.Linear(hidden[-1], code_dim) if code_dim else None

    def features(self, x: torch.Tensor) -> torch.Tensor:  # (B, 784 [+ 10]) -> (B, hidden[-1])
        for linear in self.linears[:-1]:
            x = F.dropout(F.leaky_relu(linear(x), LEAKY_SLOPE), self.dropout, self.training)  # (B, hidden[i])
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 784 [+ 10]) -> (B, 1) logits
        return self.linears[-1](self.features(x))

    def forward_with_code(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """D's logits (B, 1) and Q's code logits (B, code_dim), from one pass through the shared layers."""
        h = self.features(x)
        return self.linears[-1](h), self.code_head(h)


class DCGANGenerator(_Generator):
    """z [+ one-hot] -> linear to a 7 × 7 map -> transposed convolutions to 14 × 14 and 28 × 28.

    Batch norm and ReLU after every layer but the last, whose output goes through tanh.
    """

    def __init__(self, z_dim: int, base: int = DCGAN_BASE, conditional: bool = False, code_dim: int = 0):
        super().__init__(z_dim, conditional, code_dim)
        self.base = base
        self.project = nn.Linear(self.in_dim, 2 * base * 7 * 7, bias=False)
        self.bn0 = nn.BatchNorm1d(2 * base * 7 * 7)
        self.up1 = nn.ConvTranspose2d(2 * base, base, 4, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(base)
        self.up2 = nn.ConvTranspose2d(base, 1, 4, stride=2, padding=1)

    def image(self, z: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn0(self.project(z)))  # (B, z_dim [+ 10]) -> (B, 2·base·49)
        x = x.view(-1, 2 * self.base, 7, 7)  # -> (B, 2·base, 7, 7)
        x = F.relu(self.bn1(self.up1(x)))  # -> (B, base, 14, 14)
        x = torch.tanh(self.up2(x))  # -> (B, 1, 28, 28)
        return x.flatten(1)  # -> (B, 784)


class DCGANDiscriminator(nn.Module):
    """Strided convolutions 28 × 28 -> 14 × 14 -> 7 × 7 with LeakyReLU 0.2 (batch norm on the second,
    none on the input layer, as in the paper), then a linear layer to one logit.

    The conditional version adds the one-hot label as 10 constant input channels, so every
    convolution sees which digit the image claims to be. ``dropout`` (training mode only) drops
    that fraction of each convolution's outputs, as in the MLP discriminator. ``code_dim`` adds
    InfoGAN's Q head on the flattened 7 × 7 features.
    """

    def __init__(self, base: int = DCGAN_BASE, conditional: bool = False, dropout: float = 0.0, code_dim: int = 0):
        super().__init__()
        self.conditional, self.base, self.dropout = conditional, base, dropout
        self.in_dim = IMAGE_DIM + label_dim(conditional)
        self.down1 = nn.Conv2d(1 + label_dim(conditional), base, 4, stride=2, padding=1)
        self.down2 = nn.Conv2d(base, 2 * base, 4, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(2 * base)
        self.out = nn.Linear(2 * base * 7 * 7, 1)
        self.code_head = nn.Linear(2 * base * 7 * 7, code_dim) if code_dim else None

    def features(self, x: torch.Tensor) -> torch.Tensor:  # (B, 784 [+ 10]) -> (B, 2·base·49)
        h = images_from_output(x)  # (B, 1, 28, 28)
        if self.conditional:
            labels = x[:, IMAGE_DIM:, None, None].expand(-1, -1, IMAGE_SIDE, IMAGE_SIDE)  # (B, 10, 28, 28)
            h = torch.cat([h, labels], dim=1)  # (B, 11, 28, 28)
        h = F.dropout(F.leaky_relu(self.down1(h), LEAKY_SLOPE), self.dropout, self.training)  # -> (B, base, 14, 14)
        h = F.dropout(F.leaky_relu(self.bn2(self.down2(h)), LEAKY_SLOPE), self.dropout, self.training)  # (B, 2·base, 7, 7)
        return h.flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 784 [+ 10]) -> (B, 1) logits
        return self.out(self.features(x))

    def forward_with_code(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """D's logits (B, 1) and Q's code logits (B, code_dim), from one pass through the shared layers."""
        h = self.features(x)
        return self.out(h), self.code_head(h)


def init_dcgan_weights(module: nn.Module) -> None:
    """The DCGAN paper's initialisation, for ``net.apply``: conv and linear weights ~ N(0, 0.02),
    batch-norm scales ~ N(1, 0.02), every bias 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, INIT_STD)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.modules.batchnorm._BatchNorm):
        nn.init.normal_(module.weight, 1.0, INIT_STD)
        nn.init.zeros_(module.bias)


def make_models(model: str, z_dim: int, conditional: bool = False, width_scale: float = 1.0,
                d_dropout: float = 0.0, code_dim: int = 0) -> tuple[nn.Module, nn.Module]:
    """(G, D) for ``model`` 'mlp' or 'dcgan'; ``width_scale`` multiplies every hidden width,
    ``d_dropout`` is the discriminator's dropout, ``code_dim`` the values of InfoGAN's code (0: none).

    Uses the global torch RNG for the initial weights (seed it first for reproducible networks).
    """
    scale = lambda n: max(1, round(n * width_scale))  # noqa: E731
    if model == "mlp":
        return (MLPGenerator(z_dim, (scale(256), scale(512)), conditional, code_dim),
                MLPDiscriminator((scale(512), scale(256)), conditional, d_dropout, code_dim))
    if model == "dcgan":
        G = DCGANGenerator(z_dim, scale(DCGAN_BASE), conditional, code_dim)
        D = DCGANDiscriminator(scale(DCGAN_BASE), conditional, d_dropout, code_dim)
        G.apply(init_dcgan_weights)
        D.apply(init_dcgan_weights)
        return G, D
    raise ValueError(f"model must be one of {MODELS}")


@functools.lru_cache(maxsize=64)
def pair_multiply_adds(model: str, z_dim: int, conditional: bool, code_dim: int = 0) -> int:
    """Multiply-adds per sample through G and D of ``model`` (forward passes; Q's head left out)."""
    with torch.device("meta"):
        G, D = make_models(model, z_dim, conditional, code_dim=code_dim)
    return multiply_adds(G, G.in_dim) + multiply_adds(D, D.in_dim)
