"""Saved trained states: a run saved and loaded goes on bit for bit; hostile files (a pickle that
would run code, wrong shapes, another lab, oversize, truncated, NaN weights, settings that do not
match the trainer) are refused with a message and change nothing; the CLI's --save-state and
--load-state; the shipped states load."""

import dataclasses
import io
import pickle

import numpy as np
import pytest
import torch

from helpers import assert_same, tiny_config
from playground.cli import main
from playground.labs import LABS, states
from playground.labs.two_d import Config2D
from playground.links import Restrictions
from playground.live import LiveSession


def _trained(lab_key="1d", config=None, iterations=30, **data):
    lab = LABS[lab_key]
    config = config if config is not None else tiny_config()
    run = lab.make_run(config, **data)
    run.trainer.train_iterations(iterations)
    run.snapshot()
    run.trainer.train_iterations(3)  # losses not yet drained are part of the state too
    return lab, config, run


def _doc(data: bytes) -> dict:
    return torch.load(io.BytesIO(data), weights_only=True)


def _bytes(doc: dict) -> bytes:
    buffer = io.BytesIO()
    torch.save(doc, buffer)
    return buffer.getvalue()


def test_a_loaded_state_trains_on_exactly_as_the_saved_run():
    lab, config, run = _trained(config=tiny_config(optimizer="adam", momentum=0.5))
    loaded = states.load_state(lab, states.state_bytes(run, config, "1d"))
    assert loaded.config == config and loaded.iteration == run.trainer.iterations == 33
    for r in (run, loaded.run):
        r.trainer.train_iterations(20)
    assert_same(run.snapshot(), loaded.run.snapshot())  # networks, optimizers, random stream, histories


def test_the_2d_labs_uploaded_points_travel_with_the_state():
    points = np.random.default_rng(0).normal(size=(200, 2)) * [1.0, 0.3]
    config = dataclasses.replace(Config2D(), target="custom", custom_source="csv", width=8, batch=32)
    lab, config, run = _trained("2d", config, 10, points=points)
    loaded = states.load_state(lab, states.state_bytes(run, config, "2d", {"points": points, "points_name": "p.csv"}))
    assert loaded.run.using_points and np.array_equal(loaded.data["points"], points)
    assert loaded.data["points_name"] == "p.csv"


class Payload:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):  # unpickling this would create the file
        return (open, (str(self.path), "w"))


def _hostile(tmp_path):
    lab, config, run = _trained()
    good = states.state_bytes(run, config, "1d")

    def changed(edit):
        doc = _doc(good)
        edit(doc)
        return _bytes(doc)

    def wrong_shape(doc):
        name = next(iter(doc["trainer"]["G"]))
        doc["trainer"]["G"][name] = torch.zeros(3, 3)

    def nan_weights(doc):
        name = next(iter(doc["trainer"]["D"]))
        doc["trainer"]["D"][name] = torch.full_like(doc["trainer"]["D"][name], float("nan"))

    def other_settings(doc):  # settings that build a wider network than the saved one
        doc["settings"] = doc["settings"].replace('"width": 8', '"width": 16')

    def bad_optimizer(doc):
        opt = doc["trainer"]["opt_d"]
        opt["buffers" if opt["kind"] == "sgd" else "exp_avg"] = [torch.zeros(2)]

    payload_file = tmp_path / "pwned"
    with_object = io.BytesIO()
    torch.save({"format": states.FORMAT, "x": Payload(payload_file)}, with_object)
    return good, payload_file, {
        "a pickle that runs code": pickle.dumps(Payload(payload_file)),
        "torch.save of an object": with_object.getvalue(),
        "truncated": good[: len(good) // 2],
        "empty": b"",
        "random bytes": bytes(range(256)) * 10,
        "oversize": good + b"\0" * (states.MAX_STATE_BYTES + 1 - len(good)),
        "another lab": changed(lambda doc: doc.update(lab="2d")),
        "another format": changed(lambda doc: doc.update(format="something-else")),
        "wrong shapes": changed(wrong_shape),
        "NaN weights": changed(nan_weights),
        "settings that build other networks": changed(other_settings),
        "an invalid setting": changed(lambda doc: doc.update(settings=doc["settings"].replace(f'"k": {tiny_config().k}', '"k": 999'))),
        "an optimizer that does not fit": changed(bad_optimizer),
        "a negative count": changed(lambda doc: doc["trainer"].update(iterations=-5)),
        "damaged histories": changed(lambda doc: doc["histories"]["loss_history"].update(stride=3)),
    }


def test_hostile_files_are_refused_with_a_message(tmp_path):
    _, payload_file, files = _hostile(tmp_path)
    for what, data in files.items():
        with pytest.raises(states.InvalidState) as err:
            states.load_state(LABS["1d"], data)
        assert str(err.value) and "\n" not in str(err.value), what
    assert not payload_file.exists()  # nothing in any file ran


def test_a_state_that_breaks_a_teachers_lock_changes_nothing():
    lab, config, run = _trained(config=tiny_config(k=2))
    loaded = states.load_state(lab, states.state_bytes(run, config, "1d"))
    locked_k = tiny_config().k  # the loaded state's k = 2 differs from it
    session = LiveSession(lab, tiny_config(), restrictions=Restrictions(locked={"k": locked_k}))
    before = session.run
    message = session.start_from(loaded)
    assert "teacher" in message and session.run is before and session.config.k == locked_k
    session = LiveSession(lab, tiny_config())
    assert session.start_from(loaded) is None
    assert session.run is loaded.run and session.config.k == 2 and not session.running


def test_cli_saves_and_loads_states_and_refuses_bad_ones(tmp_path, capsys):
    saved = tmp_path / "run.pt"
    assert main(["train", "--lab", "1d", "--width", "8", "--batch", "32", "--steps", "20",
                 "--save-state", str(saved), "--json"]) == 0
    assert '"state_file"' in capsys.readouterr().out
    assert main(["train", "--lab", "1d", "--load-state", str(saved), "--steps", "10", "--k", "2", "--json"]) == 0
    out = capsys.readouterr().out.splitlines()[-1]
    assert '"steps": 30' in out and '"loaded_iteration": 20' in out
    for args in (["--lab", "2d", "--load-state", str(saved)],  # another lab
                 ["--lab", "1d", "--load-state", str(saved), "--width", "16"],  # would rebuild the networks
                 ["--lab", "1d", "--load-state", str(tmp_path / "missing.pt")]):
        with pytest.raises(SystemExit) as exit_info:
            main(["train", *args])
        assert exit_info.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("lab_key", ["1d", "2d"])
def test_each_toy_lab_ships_small_states_that_load(lab_key):
    shipped = states.shipped_states(lab_key)
    assert len(shipped) >= 2
    for entry in shipped:
        data = states.read_state_file(entry.path)
        assert len(data) < 300_000, entry.path
        loaded = states.load_state(LABS[lab_key], data)
        assert loaded.iteration > 0


def test_the_page_loads_a_state_and_refuses_a_bad_one_keeping_its_run():
    import apptest_helpers as h

    lab, config, run = _trained(config=tiny_config(k=2))
    at = h.open_lab("app_pages/lab_1d.py", {"width": "8", "batch": "32"})
    session = at.session_state["1d:session"]
    before = session.run
    at.file_uploader(key="1d.state:upload").set_value(("evil.pt", pickle.dumps(Payload("/tmp/x")), "application/octet-stream"))
    at.run()
    assert any("evil.pt" in h.shown(e.value) and "run is unchanged" in h.shown(e.value) for e in at.error)
    assert session.run is before
    at.file_uploader(key="1d.state:upload").set_value(("run.pt", states.state_bytes(run, config, "1d"), "application/octet-stream"))
    at.run()
    assert session.run.trainer.iterations == 33 and session.config.k == 2
    assert at.slider(key="1d.k").value == 2  # the sidebar shows the state's settings
    assert any("Started from run.pt: iteration 33" in h.shown(s.value) for s in at.success)
    shipped = states.shipped_states("1d")[0]
    at.selectbox(key="1d.state:start").set_value(shipped.key).run()
    assert session.run.trainer.iterations > 1000 and not at.exception


def _assert_same_networks(a, b) -> None:
    for network in ("G", "D"):
        weights_b = getattr(b.trainer, network).state_dict()
        for name, w in getattr(a.trainer, network).state_dict().items():
            assert torch.equal(w.cpu(), weights_b[name].cpu()), (network, name)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device (scripts/gpu_check.sh runs this on one)")
@pytest.mark.parametrize("lab_key", sorted(LABS))
def test_a_state_saved_on_a_gpu_loads_on_a_cpu_and_back(lab_key, monkeypatch):
    """README's promise: the networks arrive exact on the other device, and the run trains on
    there (its random stream starts afresh from the seed)."""
    from playground import device

    lab = LABS[lab_key]
    small = {"mnist": {"batch": 16, "latent_dim": 8}}.get(lab_key, {"width": 8, "batch": 32})
    config = dataclasses.replace(lab.config_cls(), **small)  # device "auto": CUDA here
    run = lab.make_run(config)
    run.trainer.train_iterations(5)
    assert run.device.type == "cuda"
    with monkeypatch.context() as no_gpu:
        no_gpu.setattr(device, "cuda_available", lambda: False)
        on_cpu = states.load_state(lab, states.state_bytes(run, config, lab_key)).run
        assert on_cpu.device.type == "cpu"
        _assert_same_networks(run, on_cpu)
        on_cpu.trainer.train_iterations(3)
        saved_on_cpu = states.state_bytes(on_cpu, config, lab_key)
    back = states.load_state(lab, saved_on_cpu).run
    assert back.device.type == "cuda" and back.trainer.iterations == 8
    _assert_same_networks(on_cpu, back)
    back.trainer.train_iterations(3)
    assert all(torch.isfinite(w).all() for w in back.trainer.G.state_dict().values())


def test_an_infogan_mnist_state_keeps_its_q_head():
    """D's second head (InfoGAN's Q) is part of the state and the shapes check knows it: the loaded
    run has the saved networks exactly and trains on."""
    from playground.labs.mnist import ConfigMNIST
    from playground.mnist.quality import held_out_digits
    from playground.mnist.data import MnistData
    digits = MnistData(*held_out_digits(), "test", "1,000 held-out digits", ())
    config = ConfigMNIST(batch=16, latent_dim=8, device="cpu", conditional=False, info_code=True)
    lab, config, run = _trained("mnist", config, 10, mnist=digits)
    data = states.state_bytes(run, config, "mnist")
    assert any("code_head" in name for name in _doc(data)["trainer"]["D"])
    loaded = states.load_state(lab, data)  # on the bundled digits: the same networks, another dataset
    for saved, back in ((run.trainer.D, loaded.run.trainer.D), (run.trainer.G, loaded.run.trainer.G)):
        for name, weight in saved.state_dict().items():
            assert torch.equal(weight, back.state_dict()[name]), name
    loaded.run.trainer.train_iterations(5)
    assert loaded.run.discriminator_scores()[2]["code_read"] >= 0
