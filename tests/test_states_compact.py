"""Compact trained states (float16 networks, no optimizer state): a round trip keeps the weights
to float16's precision and trains on; hostile compact files are refused with a message; the MNIST
lab's shipped states load, score as the index says, and start the page."""

import io

import numpy as np
import pytest
import torch

from helpers import tiny_config
from playground.labs import LABS, states


def _trained(iterations=30):
    config = tiny_config(optimizer="adam", momentum=0.5)
    run = LABS["1d"].make_run(config)
    run.trainer.train_iterations(iterations)
    run.snapshot()
    return config, run


def _bytes(doc: dict) -> bytes:
    buffer = io.BytesIO()
    torch.save(doc, buffer)
    return buffer.getvalue()


def test_a_compact_state_keeps_the_weights_to_float16_precision_and_trains_on():
    config, run = _trained()
    data = states.compact_state_bytes(run, config, "1d")
    assert len(data) < len(states.state_bytes(run, config, "1d"))
    loaded = states.load_state(LABS["1d"], data)
    assert loaded.compact and loaded.config == config and loaded.iteration == run.trainer.iterations
    assert "optimizer state restarted" in states.describe(loaded, "x")
    for old, new in ((run.trainer.G, loaded.run.trainer.G), (run.trainer.D, loaded.run.trainer.D)):
        for (name, a), b in zip(old.state_dict().items(), new.state_dict().values()):
            assert b.dtype == torch.float32, name
            assert torch.equal(b, a.half().float()), name  # exactly float16's rounding of the weight
            assert torch.allclose(b, a, rtol=1e-3, atol=1e-4), name
    assert loaded.run.loss_history.columns == run.loss_history.columns
    assert loaded.run.trainer.opt_d.state_dict()["steps"] == 0  # fresh optimizers
    before = [p.clone() for p in loaded.run.trainer.G.parameters()]
    loaded.run.trainer.train_iterations(20)
    snapshot = loaded.run.snapshot()
    assert loaded.run.trainer.iterations == run.trainer.iterations + 20
    assert any(not torch.equal(p, q) for p, q in zip(before, loaded.run.trainer.G.parameters()))
    assert np.isfinite(snapshot.metrics["g_loss"])


def test_hostile_compact_files_are_refused_with_a_message():
    config, run = _trained(5)
    good = states.compact_state_bytes(run, config, "1d")

    def changed(edit):
        doc = torch.load(io.BytesIO(good), weights_only=True)
        edit(doc)
        return _bytes(doc)

    def layer(doc, net="G"):
        return next(iter(doc["networks"][net]))

    def set_layer(doc, value, net="G"):
        doc["networks"][net][layer(doc, net)] = value

    files = {
        "wrong dtype": changed(lambda d: set_layer(d, d["networks"]["G"][layer(d)].double())),
        "integer weights": changed(lambda d: set_layer(d, d["networks"]["D"][layer(d, "D")].int(), "D")),
        "a NaN": changed(lambda d: d["networks"]["D"][layer(d, "D")].view(-1).__setitem__(0, float("nan"))),
        "a missing tensor": changed(lambda d: d["networks"]["G"].pop(layer(d))),
        "wrong shape": changed(lambda d: set_layer(d, torch.zeros(3, 3, dtype=torch.float16))),
        "another lab": changed(lambda d: d.update(lab="2d")),
        "no networks": changed(lambda d: d.pop("networks")),
        "a bad count": changed(lambda d: d["counts"].update(iterations=-1)),
        "an unknown form": changed(lambda d: d.update(form="sparse")),
        "a full state's weights in float16": _full_in_float16(run, config),
    }
    for what, data in files.items():
        with pytest.raises(states.InvalidState) as err:
            states.load_state(LABS["1d"], data)
        assert str(err.value) and "\n" not in str(err.value), what
    messages = {what: str(pytest.raises(states.InvalidState, states.load_state, LABS["1d"], data).value)
                for what, data in files.items() if what in ("wrong dtype", "a NaN", "another lab")}
    assert "float64" in messages["wrong dtype"] and "NaN" in messages["a NaN"] and "lab" in messages["another lab"]


def _full_in_float16(run, config) -> bytes:
    """A full (non-compact) state keeps exact dtypes: float16 weights in one are refused."""
    doc = torch.load(io.BytesIO(states.state_bytes(run, config, "1d")), weights_only=True)
    doc["trainer"]["G"] = {name: t.half() for name, t in doc["trainer"]["G"].items()}
    return _bytes(doc)


def test_a_weight_beyond_float16s_range_is_not_saved_compact():
    config, run = _trained(1)
    with torch.no_grad():
        next(run.trainer.G.parameters()).view(-1)[0] = 1e6
    with pytest.raises(ValueError, match="full state"):
        states.compact_state_bytes(run, config, "1d")


def test_the_mnist_lab_ships_small_compact_states_that_write_digits():
    shipped = states.shipped_states("mnist")
    assert shipped
    for entry in shipped:
        data = states.read_state_file(entry.path)
        assert len(data) <= 3 * 2**20, entry.path
        loaded = states.load_state(LABS["mnist"], data)
        assert loaded.compact and loaded.iteration > 0
        assert loaded.run.snapshot(quality=True).metrics["classifier_is"] >= 8, entry.key


def test_the_mnist_page_starts_from_a_shipped_state_and_shows_its_digits():
    import apptest_helpers as h

    at = h.open_lab("app_pages/lab_mnist.py")
    session = at.session_state["mnist:session"]
    shipped = states.shipped_states("mnist")[0]
    at.selectbox(key="mnist.state:start").set_value(shipped.key).run()
    assert not at.exception, at.exception
    assert session.run.trainer.iterations > 1000 and not session.running
    assert any("optimizer state restarted" in h.shown(s.value) for s in at.success)
    assert int(h.metric(at, "Iteration").replace(",", "")) == session.run.trainer.iterations
    assert float(h.metric(at, "IS")) >= 8  # the digits shown are the trained G's, not a fresh one's
    assert [i.caption for e in at.get("image") for i in e.proto.imgs][1] == "Real digits"
    # its full state is over the server's upload cap, so the page also offers the compact one, which fits
    assert states.full_state_estimate(session.run) > states.UPLOAD_BYTES
    assert "mnist.save:compact" in [b.key for b in at.get("download_button")]
    compact = states.compact_state_bytes(session.run, session.config, "mnist", session.data)
    assert len(compact) < states.UPLOAD_BYTES


def test_the_full_state_estimate_is_near_the_real_size_and_toy_labs_need_no_compact_download():
    config, run = _trained()
    full = len(states.state_bytes(run, config, "1d", {}))
    assert states.full_state_estimate(run) <= full < states.UPLOAD_BYTES
    mnist = LABS["mnist"].make_run(LABS["mnist"].config_cls())
    assert states.full_state_estimate(mnist) > states.UPLOAD_BYTES
