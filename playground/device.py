"""The one place where a torch device is chosen and described."""

from __future__ import annotations

import functools

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def cuda_available() -> bool:
    return torch.cuda.is_available()


def select_device(preference: str = "auto") -> torch.device:
    """'auto' picks CUDA when present; 'cuda' without a GPU falls back to the CPU (see describe)."""
    if preference not in DEVICE_CHOICES:
        raise ValueError(f"device must be one of {DEVICE_CHOICES}")
    if preference in ("auto", "cuda") and cuda_available():
        return torch.device("cuda")
    return torch.device("cpu")


def device_notice(preference: str) -> str | None:
    """A message when the requested device cannot be had."""
    if preference == "cuda" and not cuda_available():
        return "CUDA was requested but no CUDA device was found: training on the CPU."
    return None


def describe(device: torch.device) -> str:
    """What to show the user: the GPU's name, or that there is no CUDA device."""
    if device.type == "cuda":
        return f"CUDA GPU — {torch.cuda.get_device_name(device)}"
    if cuda_available():
        return "CPU (a CUDA device is available)"
    return "CPU — no CUDA device found"


@functools.cache
def limit_threads(threads: int = 1) -> None:
    """Keep each process to few intra-op threads so many classroom sessions share a server well:
    PyTorch's, and those of the BLAS libraries that NumPy and SciPy bring (the metrics' KDE and
    W1 run there).

    Tiny GAN steps gain nothing from more threads; measured, two threads per session were slower
    than one once several sessions trained at once, and a 1-D frame's metrics took 94 ms of wall
    time instead of 8 ms with OpenBLAS's two threads on a busy 2-core machine.
    """
    import scipy.linalg  # noqa: F401 - loads SciPy's own BLAS, so that it is limited too
    import threadpoolctl

    torch.set_num_threads(threads)
    threadpoolctl.threadpool_limits(threads)
