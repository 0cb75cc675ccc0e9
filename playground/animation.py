"""A run's timeline as an animation: the lab's main picture at evenly spaced moments, each frame
stamped with its iteration, written as an animated GIF (Pillow) or an MP4 (H.264, through the
ffmpeg binary that the imageio-ffmpeg package ships).

Plotly figures are rendered to PNG by kaleido (≥ 1), which drives a headless Chromium: Debian's
``chromium`` (installed by ``scripts/setup.sh``), or the browser at ``$BROWSER_PATH``. Images (the
MNIST digit grid) need no browser. MathJax is off, so rendering needs no network.

Bounds: at most MAX_FRAMES frames (DEFAULT_FRAMES unless asked), each at most MAX_WIDTH ×
MAX_HEIGHT pixels (a figure is drawn at its page height, 800 pixels wide unless it says less; an
image is enlarged by a whole factor to fit), plus a STAMP_HEIGHT-pixel band with the iteration.
One animation is made at a time per process; kaleido takes ~0.3 s per figure frame on one core.
"""

from __future__ import annotations

import asyncio
import copy
import io
import os
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

MAX_FRAMES, DEFAULT_FRAMES = 120, 40
MAX_WIDTH, MAX_HEIGHT = 800, 640
STAMP_HEIGHT = 30
FRAME_MS, LAST_FRAME_MS = 150, 1500  # the last frame is held so the end result can be seen
FORMATS = {".gif": "image/gif", ".mp4": "video/mp4"}
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

Progress = Callable[[int, int], None]  # (frames done, frames in all)
_ONE_AT_A_TIME = threading.Lock()


class AnimationError(RuntimeError):
    """An animation cannot be made; the message says why, for the page or the command line."""


def find_browser() -> str | None:
    """The browser kaleido will drive: $BROWSER_PATH (as kaleido's own search reads it), else
    the first Chromium or Chrome on PATH."""
    path = os.environ.get("BROWSER_PATH")
    if path:
        return path if Path(path).is_file() else None
    return next((found for name in BROWSER_NAMES if (found := shutil.which(name))), None)


def figure_problem() -> str | None:
    """Why Plotly figures cannot be rendered here (None when they can)."""
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return "rendering a chart needs the kaleido package (pip install -r requirements.txt)"
    if find_browser() is None:
        return ("rendering a chart needs Chromium or Chrome (./scripts/setup.sh installs Debian's chromium; "
                "or set BROWSER_PATH)")
    return None


def format_problem(suffix: str) -> str | None:
    """Why an animation cannot be written in this format (None when it can)."""
    if suffix not in FORMATS:
        return f"expected a file name ending in {' or '.join(FORMATS)}"
    if suffix == ".mp4":
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            return "MP4 needs the imageio-ffmpeg package (pip install -r requirements.txt); .gif works without it"
    return None


def pick(iterations: Sequence[int], frames: int) -> list[int]:
    """Indices of up to ``frames`` moments, the first and the last included, the rest nearest to
    evenly spaced iterations (a time-lapse), without repeats."""
    count = len(iterations)
    if count <= frames:
        return list(range(count))
    targets = np.linspace(iterations[0], iterations[-1], frames)
    its = np.asarray(iterations, dtype=float)
    chosen = sorted({int(np.abs(its - t).argmin()) for t in targets} | {0, count - 1})
    return chosen


def picture_problem(picture: Any) -> str | None:
    """Why this kind of picture cannot be rendered here (None when it can)."""
    return None if isinstance(picture, np.ndarray) else figure_problem()


def make_animation(pictures: Sequence[tuple[int, Any]], suffixes: Sequence[str] = (".gif",),
                   progress: Progress | None = None) -> dict[str, bytes]:
    """An animation of ``(iteration, picture)`` pairs in each format asked for (frames drawn
    once): a picture is a Plotly figure or a uint8 image (H, W) or (H, W, 3). Raises
    AnimationError with the reason when it cannot be made."""
    if not pictures:
        raise AnimationError("there is nothing to animate yet: train first")
    if len(pictures) > MAX_FRAMES:
        raise AnimationError(f"at most {MAX_FRAMES} frames")
    problem = next((p for p in map(format_problem, suffixes) if p), None) or next(
        (p for p in (picture_problem(picture) for _, picture in pictures[:1]) if p), None)
    if problem:
        raise AnimationError(problem)
    if not _ONE_AT_A_TIME.acquire(blocking=False):
        raise AnimationError("another animation is being made on this server; try again in a minute")
    try:
        frames = _render(pictures, progress or (lambda done, total: None))
        return {suffix: _encode_gif(frames) if suffix == ".gif" else _encode_mp4(frames) for suffix in suffixes}
    finally:
        _ONE_AT_A_TIME.release()


# --- frames --------------------------------------------------------------------------------

def _render(pictures: Sequence[tuple[int, Any]], progress: Progress):
    from PIL import Image

    figures = [(i, p) for i, (_, p) in enumerate(pictures) if not isinstance(p, np.ndarray)]
    rendered: dict[int, Image.Image] = {}
    if figures:
        pngs = _render_figures([p for _, p in figures], lambda done: progress(done, len(pictures)))
        rendered = {i: Image.open(io.BytesIO(png)).convert("RGB") for (i, _), png in zip(figures, pngs)}
    frames = []
    for i, (iteration, picture) in enumerate(pictures):
        image = rendered[i] if i in rendered else _enlarge(picture)
        frames.append(_stamp(image, iteration))
        if i not in rendered:
            progress(i + 1, len(pictures))
    return frames


def _figure_size(figure: dict) -> tuple[int, int]:
    layout = figure.get("layout", {})
    height = min(int(layout.get("height") or 450), MAX_HEIGHT)
    return min(int(layout.get("width") or MAX_WIDTH), MAX_WIDTH), height


def _opaque(figure: Any) -> dict:
    """A copy of the figure as a dict with a white background (GIF frames are opaque)."""
    data = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else copy.deepcopy(figure)
    data.setdefault("layout", {}).update(paper_bgcolor="white", plot_bgcolor="white")
    return data


def render_still(figure: Any, fmt: str, width: int, height: int) -> bytes:
    """One figure as PNG or SVG bytes at ``width`` × ``height`` pixels, on white (a still for
    slides, drawn as the animations' frames are); AnimationError says why when it cannot be."""
    if fmt not in ("png", "svg"):
        raise ValueError(f"format must be png or svg, not {fmt!r}")
    problem = figure_problem()
    if problem:
        raise AnimationError(problem)
    with _ONE_AT_A_TIME:
        return _render_figures([figure], lambda done: None, fmt=fmt, size=(width, height))[0]


def _render_figures(figures: list, done: Callable[[int], None], fmt: str = "png",
                    size: tuple[int, int] | None = None) -> list[bytes]:
    """PNG (or SVG) bytes of each figure, rendered by kaleido in one browser session, at ``size``
    or else the figure's own size within the animations' bounds."""
    import kaleido

    async def render_all() -> list[bytes]:
        out = []
        async with kaleido.Kaleido(n=1, mathjax=False, path=find_browser()) as renderer:
            for figure in figures:
                data = _opaque(figure)
                width, height = size or _figure_size(data)
                out.append(await renderer.calc_fig(data, opts=dict(format=fmt, width=width, height=height)))
                done(len(out))
        return out

    try:
        return asyncio.run(render_all())
    except Exception as err:  # noqa: BLE001 - kaleido and the browser fail in many ways; say so plainly
        raise AnimationError(f"the charts could not be rendered ({type(err).__name__}: {err})") from err


def _enlarge(image: np.ndarray):
    """A uint8 image enlarged by the largest whole factor that fits MAX_WIDTH × MAX_HEIGHT."""
    from PIL import Image

    image = np.asarray(image, dtype=np.uint8)
    height, width = image.shape[:2]
    factor = max(1, min(MAX_WIDTH // width, (MAX_HEIGHT - STAMP_HEIGHT) // height))
    picture = Image.fromarray(image).convert("RGB")
    return picture.resize((width * factor, height * factor), Image.Resampling.NEAREST)


def _stamp(image, iteration: int):
    """The frame with a white band above it saying which iteration it shows."""
    from PIL import Image, ImageDraw, ImageFont

    frame = Image.new("RGB", (image.width, image.height + STAMP_HEIGHT), "white")
    frame.paste(image, (0, STAMP_HEIGHT))
    draw = ImageDraw.Draw(frame)
    draw.text((10, STAMP_HEIGHT // 2), f"iteration {iteration:,}", fill=(49, 51, 63), anchor="lm",
              font=ImageFont.load_default(size=18))
    return frame


# --- encoders ------------------------------------------------------------------------------

def _encode_gif(frames) -> bytes:
    from PIL import Image

    # Max-coverage keeps every colour within ~10 levels (median cut turned the 2-D colour bar's blue teal)
    palettes = [frame.quantize(colors=255, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
                for frame in frames]
    durations = [FRAME_MS] * (len(frames) - 1) + [LAST_FRAME_MS]
    buffer = io.BytesIO()
    palettes[0].save(buffer, format="GIF", save_all=True, append_images=palettes[1:], duration=durations,
                     loop=0, optimize=False, disposal=1)
    return buffer.getvalue()


def _encode_mp4(frames) -> bytes:
    """H.264 in yuv420p (plays everywhere), frames padded to even sizes as the codec needs."""
    import imageio_ffmpeg

    width = max(f.width for f in frames) + max(f.width for f in frames) % 2
    height = max(f.height for f in frames) + max(f.height for f in frames) % 2
    fps = 1000 / FRAME_MS
    hold = max(1, round(LAST_FRAME_MS / FRAME_MS))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "animation.mp4"
        writer = imageio_ffmpeg.write_frames(str(path), (width, height), fps=fps, codec="libx264",
                                             pix_fmt_out="yuv420p", macro_block_size=1,
                                             output_params=["-movflags", "+faststart"])
        writer.send(None)
        for i, frame in enumerate(frames):
            canvas = np.full((height, width, 3), 255, dtype=np.uint8)
            canvas[:frame.height, :frame.width] = np.asarray(frame)
            for _ in range(hold if i == len(frames) - 1 else 1):
                writer.send(canvas.tobytes())
        writer.close()
        return path.read_bytes()
