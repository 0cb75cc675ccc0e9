"""Builders shared by the tests: tiny configs and trainers that run in milliseconds."""

from __future__ import annotations

import base64
import dataclasses
import io
import math

import numpy as np
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


def decode_image(trace) -> np.ndarray:
    """The RGB pixels of a Plotly image trace's PNG data URL (a trace dict or object)."""
    from PIL import Image

    header, data = (trace["source"] if isinstance(trace, dict) else trace.source).split(",", 1)
    assert header == "data:image/png;base64"
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))


def params(module: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b))


def assert_same(a, b, where: str = "snapshot") -> None:
    """Deep equality of what a snapshot holds: dataclass fields, dicts, sequences, arrays (same dtype,
    NaN equal to NaN) and scalars; the message names the first difference's path."""
    if dataclasses.is_dataclass(a):
        assert type(a) is type(b), where
        for field in dataclasses.fields(a):
            assert_same(getattr(a, field.name), getattr(b, field.name), f"{where}.{field.name}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype, where
        assert np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), where
    else:
        assert a == b, where
