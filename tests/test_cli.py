"""`python -m playground`: JSON results, saved samples, and one-line errors with exit code 2."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.cli import main
from playground.device import select_device

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "playground", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_train_prints_json_with_the_documented_fields(tmp_path):
    out_file = tmp_path / "samples.npy"
    result = cli("train", "--lab", "1d", "--steps", "200", "--seed", "1", "--k", "2", "--width", "8",
                 "--save-samples", str(out_file), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("lab", "target", "steps", "seconds", "steps_per_s", "device", "d_loss", "g_loss", "d_real",
                "d_fake", "value", "w1", "js"):
        assert key in data
    assert data["steps"] == 200 and data["target"] == "gaussian" and data["device"] == select_device("auto").type
    samples = np.load(out_file)
    assert samples.shape == (10_000,) and np.isfinite(samples).all()


def test_presets_and_options_combine(capsys):
    assert main(["train", "--preset", "collapse", "--steps", "20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["target"] == "bimodal"


@pytest.mark.parametrize("args", [
    ["train", "--k", "0"], ["train", "--k", "abc"], ["train", "--lr-d", "5"], ["train", "--target", "spiral"],
    ["train", "--steps", "-1"], ["train", "--preset", "nope"], ["train", "--custom", "1:0:0"],
    ["train", "--lab", "3d"], ["train", "--frobnicate", "1"], ["fly"],
])
def test_bad_arguments_exit_2_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert out == ""


def test_targets_lists_names_per_lab(capsys):
    assert main(["targets"]) == 0
    assert "1d: targets: gaussian, bimodal, trimodal, uniform, laplace, lognormal, custom" in capsys.readouterr().out


def test_divergence_is_reported(capsys):
    code = main(["train", "--optimizer", "sgd", "--lr-d", "1", "--link-lr", "true", "--momentum", "0.99",
                 "--k", "1", "--width", "32", "--depth", "2", "--activation", "relu", "--seed", "0", "--g-shift", "6",
                 "--steps", "2000"])
    assert code == 1
    assert "diverged at iteration" in capsys.readouterr().err


def test_train_2d_reports_mode_metrics_and_saves_n_by_2(tmp_path):
    out_file = tmp_path / "samples.npy"
    result = cli("train", "--lab", "2d", "--target", "grid25", "--steps", "50", "--width", "16",
                 "--save-samples", str(out_file), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("modes_captured", "modes_total", "high_quality", "js_grid", "swd"):
        assert key in data
    assert data["target"] == "grid25" and data["modes_total"] == 25 and 0 <= data["js_grid"] <= 0.7
    samples = np.load(out_file)
    assert samples.shape == (10_000, 2) and np.isfinite(samples).all()


def test_train_2d_on_csv_points(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text("x,y\n" + "\n".join(f"{i % 10},{(i * 7) % 13}" for i in range(200)))
    assert main(["train", "--lab", "2d", "--target", "custom", "--custom-source", "csv", "--points", str(points),
                 "--steps", "5", "--width", "8", "--json"]) == 0
    data = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert data["modes_total"] == 0 and data["steps"] == 5


@pytest.mark.parametrize("args", [
    ["--target", "custom", "--custom-source", "csv"],  # no --points
    ["--target", "ring8", "--points", "points.csv"],  # points without the csv source
    ["--target", "custom", "--custom-source", "csv", "--points", "missing.csv"],
    ["--target", "custom", "--custom-source", "csv", "--points", "bad.csv"],
    ["--target", "custom", "--custom", "1:0:0:-1"],
    ["--latent-dim", "9"], ["--show-d-star", "true"],
])
def test_bad_2d_arguments_exit_2_with_one_line(args, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "points.csv").write_text("\n".join(f"{i},{i * i % 7}" for i in range(30)))
    (tmp_path / "bad.csv").write_text("x,y\n1,2\n3,nan\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--lab", "2d", "--steps", "1", *args])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2 and len(err.strip().splitlines()) == 1 and out == "", err


def strict_json(line: str) -> dict:
    """Parse one line as strict JSON: NaN and Infinity (which Python's json accepts) are refused."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(line, parse_constant=refuse)


@pytest.mark.parametrize("lab", ["1d", "2d", "mnist"])
def test_json_is_strict_with_null_where_a_value_does_not_exist(lab, capsys):
    """--steps 0: no loss exists yet, so the losses are null (Python's json would write NaN)."""
    small = {"1d": ["--width", "8"], "2d": ["--width", "8"], "mnist": ["--batch", "16", "--latent-dim", "8"]}[lab]
    assert main(["train", "--lab", lab, "--steps", "0", "--json", *small]) == 0
    data = strict_json(capsys.readouterr().out.splitlines()[-1])
    assert data["steps"] == 0 and data["d_loss"] is None and data["g_loss"] is None
    assert isinstance(data["d_real"], float)


def test_divergence_exits_1_with_strict_json_of_the_results_so_far(capsys):
    code = main(["train", "--optimizer", "sgd", "--lr-d", "1", "--link-lr", "true", "--momentum", "0.99",
                 "--k", "1", "--width", "32", "--depth", "2", "--activation", "relu", "--seed", "0", "--g-shift", "6",
                 "--steps", "2000", "--json"])
    out, err = capsys.readouterr()
    assert code == 1 and len(err.splitlines()) == 1 and "diverged at iteration" in err
    data = strict_json(out.splitlines()[-1])
    assert 0 < data["steps"] < 2000 and None in data.values()


def test_save_samples_writes_exactly_the_path_it_reports(tmp_path, monkeypatch, capsys):
    """`--save-samples out` writes `out` (not `out.npy`) and says so; nothing else is left behind."""
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--steps", "3", "--width", "8", "--save-samples", "out", "--json"]) == 0
    assert strict_json(capsys.readouterr().out.splitlines()[-1])["samples_file"] == "out"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert np.load(tmp_path / "out").shape == (10_000,)
    (tmp_path / "link.npy").symlink_to(tmp_path / "out")  # through a symlink: the file it points to
    assert main(["train", "--steps", "3", "--width", "8", "--seed", "4", "--save-samples", "link.npy"]) == 0
    assert (tmp_path / "link.npy").is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["link.npy", "out"]


def test_a_failed_write_after_training_is_one_line_exit_2_and_keeps_the_results(tmp_path, monkeypatch, capsys):
    """The disk fills up while the samples are written: one line, the JSON results (samples_file
    null), exit code 2, and the earlier file at that path untouched (no half-written file)."""
    import errno

    target = tmp_path / "samples.npy"
    target.write_bytes(b"earlier results")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "save", full)
    code = main(["train", "--steps", "3", "--width", "8", "--save-samples", str(target), "--json"])
    out, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "No space left on device" in err
    assert strict_json(out.splitlines()[-1])["samples_file"] is None
    assert target.read_bytes() == b"earlier results" and [p.name for p in tmp_path.iterdir()] == ["samples.npy"]


def test_ctrl_c_during_training_prints_the_results_so_far_and_exits_130(tmp_path):
    """SIGINT while training: one line on stderr, the JSON line of the results so far, the samples,
    exit code 130, no traceback. (The samples' temporary file appears just before training starts.)"""
    import signal
    import time

    out_file = tmp_path / "samples.npy"
    proc = subprocess.Popen([sys.executable, "-m", "playground", "train", "--lab", "2d", "--steps", "10000000",
                             "--width", "16", "--json", "--save-samples", str(out_file)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".samples.npy.*.part")) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        time.sleep(3.0)  # let it train a little (under heavy load its first iterations take a while)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert len(err.strip().splitlines()) == 1 and "interrupted at iteration" in err and "Traceback" not in err
    data = strict_json(out.strip().splitlines()[-1])
    assert 0 < data["steps"] < 10_000_000 and data["samples_file"] == str(out_file)
    assert np.load(out_file).shape == (10_000, 2)


# --- issue 15: objectives, MMD, G steps, an optimizer per network; --help per lab ----------------

@pytest.mark.parametrize("lab, default_batch", [("1d", "256"), ("2d", "256"), ("mnist", "64")])
def test_help_shows_the_chosen_labs_settings_and_defaults(lab, default_batch, capsys):
    """`--lab mnist --help` lists the MNIST lab's settings with its defaults (it showed the 1-D lab's),
    and no setting of another lab."""
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--lab", lab, "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert exit_info.value.code == 0
    assert f"Minibatch size m (default {default_batch}," in out or f"(×4 on a GPU) (default {default_batch}," in out
    assert "--objective {bce,least-squares,wgan-gp,hinge}" in out and "--g-steps" in out and "--optimizer-g" in out
    assert ("--method {adversarial,mmd}" in out) == (lab != "mnist")
    assert ("--model" in out) == (lab == "mnist") and ("--show-d-star" in out) == (lab == "1d")


@pytest.mark.parametrize("lab, args, expected", [
    ("1d", ["--objective", "least-squares", "--label-smoothing", "0.1", "--g-steps", "2"],
     {"objective": "least-squares", "method": "adversarial"}),
    ("2d", ["--objective", "wgan-gp", "--gp-weight", "5", "--k", "2"], {"objective": "wgan-gp"}),
    ("1d", ["--method", "mmd"], {"method": "mmd", "d_loss": None, "d_real": None, "value": None}),
    ("mnist", ["--objective", "hinge", "--batch", "16", "--latent-dim", "8"], {"objective": "hinge", "value": None}),
])
def test_new_flags_train_and_report_strict_json(lab, args, expected, capsys):
    """The JSON line names the objective (and the method in the toy labs) and has MMD² in the toy
    labs; what does not apply (V for a critic, D's numbers for MMD) is null."""
    small = ["--batch", "32", "--width", "8"] if lab != "mnist" else []
    assert main(["train", "--lab", lab, "--steps", "3", "--json", *small, *args]) == 0
    data = strict_json(capsys.readouterr().out.splitlines()[-1])
    assert {key: data[key] for key in expected} == expected
    assert ("mmd2" in data) == (lab != "mnist") and ("method" in data) == (lab != "mnist")
    if lab != "mnist":
        assert isinstance(data["mmd2"], float)


def test_a_g_optimizer_flag_gives_g_its_own_optimizer(monkeypatch):
    """--optimizer-g sgd alone means G uses SGD (it unlinks G from D's optimizer), unless
    --link-optimizer is given too."""
    from playground import cli

    parser = cli.build_parser()
    _, config = cli._config_from_args(parser, parser.parse_args(["train", "--optimizer-g", "sgd", "--momentum-g", "0.2"]))
    assert config.link_optimizer is False and config.hyper().g_optimizer == "sgd" and config.hyper().g_momentum == 0.2
    _, config = cli._config_from_args(parser, parser.parse_args(["train", "--optimizer-g", "sgd", "--link-optimizer"]))
    assert config.link_optimizer is True and config.hyper().g_optimizer == "adam"


@pytest.mark.parametrize("args", [
    ["--objective", "wasserstein"], ["--gp-weight", "-1"], ["--label-smoothing", "0.5"], ["--g-steps", "11"],
    ["--g-steps", "0"], ["--method", "mmd", "--lab", "mnist"], ["--optimizer-g", "rmsprop"], ["--momentum-g", "1"],
])
def test_bad_new_flags_exit_2_with_one_line(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--steps", "1", *args])
    out, err = capsys.readouterr()
    assert exit_info.value.code == 2 and len(err.strip().splitlines()) == 1 and out == "", err
