"""`python -m playground`: JSON results, saved samples, and one-line errors with exit code 2."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.cli import main

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
    assert data["steps"] == 200 and data["target"] == "gaussian" and data["device"] == "cpu"
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
                 "--k", "1", "--width", "32", "--depth", "2", "--activation", "relu", "--seed", "0",
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
