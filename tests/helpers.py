"""Builders shared by the tests: tiny configs and trainers that run in milliseconds."""

from __future__ import annotations

import dataclasses

import torch

from playground.labs.one_d import Config1D
from playground.models import MLP
from playground.trainer import Hyper, Trainer, noise_sampler


def tiny_config(**changes) -> Config1D:
    """The 1-D lab's defaults, shrunk so a test trains in milliseconds."""
    return dataclasses.replace(Config1D(), **{"width": 8, "batch": 32, **changes})


def gaussian_sampler(mean: float = 0.5, std: float = 0.1):
    return lambda n, g: torch.randn(n, 1, generator=g, device=g.device) * std + mean


def make_trainer(fused: bool | None = None, seed: int = 0, width: int = 8, depth: int = 2,
                 activation: str = "relu", **hyper) -> Trainer:
    torch.manual_seed(seed)
    G = MLP(1, 1, width, depth, activation)
    D = MLP(1, 1, width, depth, activation)
    defaults = dict(k=1, lr_d=0.05, lr_g=0.05, momentum=0.9, batch=32)
    return Trainer(G, D, gaussian_sampler(), noise_sampler("uniform", 1), Hyper(**{**defaults, **hyper}),
                   seed, torch.device("cpu"), fused=fused)


def params(module: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b))
