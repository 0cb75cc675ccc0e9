"""Animations of a run's timeline: the frames chosen, the GIF's frame count and size (images and
Plotly figures rendered by kaleido), MP4, what the page and the CLI say when it cannot be made,
and `train --save-animation` with its path checked like --save-samples."""

import importlib.util
import io
import json
import os

import numpy as np
import pytest
from PIL import Image

from playground import animation
from playground.cli import main

needs_browser = pytest.mark.skipif(animation.figure_problem() is not None and not os.environ.get("CI"),
                                   reason=f"cannot render charts here: {animation.figure_problem()}")
# The "needs Chromium" messages come after the check for kaleido (a requirement, so CI has it).
needs_kaleido = pytest.mark.skipif(importlib.util.find_spec("kaleido") is None and not os.environ.get("CI"),
                                   reason="kaleido is not installed")


def gif_frames(data: bytes) -> tuple[int, tuple[int, int]]:
    image = Image.open(io.BytesIO(data))
    return image.n_frames, image.size


def test_pick_spreads_frames_evenly_over_the_iterations_keeping_both_ends():
    iterations = list(range(0, 200, 10)) + list(range(200, 300))  # denser recently, as a timeline is
    chosen = pick = animation.pick(iterations, 6)  # evenly spaced targets 0, 59.8, 119.6, …
    assert pick[0] == 0 and pick[-1] == len(iterations) - 1 and len(pick) == 6
    assert [iterations[i] for i in chosen] == [0, 60, 120, 180, 239, 299]  # nearest to 0, 59.8, …, 299
    assert animation.pick([5, 6], 40) == [0, 1]


def digit_grid(value: int) -> np.ndarray:
    grid = np.zeros((289, 231), np.uint8)
    grid[value: value + 40, 10:60] = 255
    return grid


def test_an_image_animation_has_one_stamped_frame_per_moment_within_the_bounds():
    pictures = [(i * 100, digit_grid(i * 10)) for i in range(5)]
    data = animation.make_animation(pictures)[".gif"]
    count, (width, height) = gif_frames(data)
    assert count == 5 and (width, height) == (2 * 231, 2 * 289 + animation.STAMP_HEIGHT)  # enlarged ×2
    assert width <= animation.MAX_WIDTH and height <= animation.MAX_HEIGHT
    first = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
    assert (first[:animation.STAMP_HEIGHT] < 128).any()  # the iteration, written in the band
    assert Image.open(io.BytesIO(data)).info["loop"] == 0


@pytest.mark.skipif(animation.format_problem(".mp4") is not None, reason="imageio-ffmpeg is not installed")
def test_an_mp4_is_h264_in_an_mp4_container():
    data = animation.make_animation([(i, digit_grid(i * 20)) for i in range(4)], (".gif", ".mp4"))
    assert data[".mp4"][4:8] == b"ftyp" and b"avc1" in data[".mp4"][:4096]
    assert gif_frames(data[".gif"])[0] == 4


@needs_kaleido
def test_what_cannot_be_made_says_why(monkeypatch):
    assert "nothing to animate" in str(pytest.raises(animation.AnimationError, animation.make_animation, []).value)
    assert "ending in .gif" in animation.format_problem(".png")
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    assert "Chromium" in animation.figure_problem() and "BROWSER_PATH" in animation.figure_problem()
    with pytest.raises(animation.AnimationError, match="Chromium"):
        animation.make_animation([(0, {"data": [], "layout": {}})])
    assert animation.make_animation([(0, digit_grid(0))])  # images need no browser


def test_one_animation_at_a_time():
    with animation._ONE_AT_A_TIME:
        with pytest.raises(animation.AnimationError, match="another animation"):
            animation.make_animation([(0, digit_grid(0))])


@pytest.mark.parametrize("args, message", [
    (["--save-animation", "/nonexistent/dir/run.gif"], "--save-animation: cannot write /nonexistent/dir/run.gif"),
    (["--save-animation", "run.png"], "expected a file name ending in .gif or .mp4"),
    (["--save-animation", "/dev/full"], "expected a file name ending"),
    (["--save-animation", "/tmp"], "expected a file name ending"),
    (["--frames", "5"], "--frames: only with --save-animation"),
    (["--save-animation", "x.gif", "--frames", "1"], "from 2 to 120"),
    (["--save-animation", "x.gif", "--frames", "121"], "from 2 to 120"),
])
def test_a_bad_animation_argument_is_one_line_and_exit_2(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--steps", "3", *args])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_a_directory_with_a_gif_name_is_refused(tmp_path, capsys):
    (tmp_path / "run.gif").mkdir()
    with pytest.raises(SystemExit):
        main(["train", "--steps", "3", "--save-animation", str(tmp_path / "run.gif")])
    assert "it is a directory" in capsys.readouterr().err


@needs_kaleido
def test_without_a_browser_the_cli_says_so_before_training(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chrome")
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--steps", "100000", "--save-animation", str(tmp_path / "run.gif")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "needs Chromium" in err and list(tmp_path.iterdir()) == []


@needs_browser
def test_train_save_animation_writes_the_frames_asked_for(tmp_path, capsys):
    out = tmp_path / "run.gif"
    assert main(["train", "--steps", "60", "--width", "8", "--save-animation", str(out), "--frames", "4",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert data["animation_file"] == str(out) and data["animation_frames"] == 4 and data["steps"] == 60
    assert gif_frames(out.read_bytes()) == (4, (800, 460 + animation.STAMP_HEIGHT))  # Figure 1 at its page height
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.gif"]
