"""Start the app (`python -m playground serve`, i.e. `streamlit run app.py` warmed up) on a free port and drive it with the system Chromium via Playwright.

Shared by the end-to-end tests and the browser benchmark script. Follows Streamlit's own e2e
harness: headless server, poll /_stcore/health, then wait for the app to be connected and idle.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # scripts import this harness from outside the tests
    sys.path.insert(0, str(ROOT))

from playground.readout import parse_count  # noqa: E402

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHART = ".gp-live-chart"  # the live Plotly charts (playground.ui live_chart); the first is the main view
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def find_chromium() -> str | None:
    """$CHROMIUM, else Debian's chromium; None when there is none."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def require_chromium() -> None:
    """Skip the calling test module when no Chromium is found; when CI is set, fail instead."""
    import pytest

    if find_chromium() is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI is set but no Chromium was found: install Debian's chromium or set $CHROMIUM")
        pytest.skip("no Chromium found (install Debian's chromium or set $CHROMIUM)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(extra_args: tuple[str, ...] = (), timeout_s: float = 60):
    """Yield the base URL of a fresh app server; stop it afterwards. Its log goes to artifacts/."""
    with streamlit_server_process(extra_args=extra_args, timeout_s=timeout_s) as server:
        yield server.url


def wait_healthy(url: str, proc: subprocess.Popen | None = None, timeout_s: float = 60,
                 log_path: Path | None = None) -> float:
    """Poll /_stcore/health until it answers ok; returns the seconds waited. A server that exits
    first fails with the end of its log (why it exited)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout_s:
        if proc is not None and proc.poll() is not None:
            log_tail = log_path.read_text(errors="replace")[-2000:] if log_path and log_path.exists() else ""
            raise RuntimeError(f"streamlit exited with code {proc.returncode}; its log ends:\n{log_tail}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return time.perf_counter() - start
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not become healthy in {timeout_s} s")


@contextlib.contextmanager
def chromium_page(viewport=(1500, 1100)):
    """A Playwright page in the system Chromium (no browser download needed)."""
    with chromium_browser() as browser:
        yield browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})


def wait_for_app(page, timeout_ms: float = 60_000) -> None:
    """Connected, the script idle and no skeleton left: the page is drawn."""
    page.wait_for_selector("[data-testid='stAppViewContainer']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout_ms)
    page.wait_for_selector("[data-testid='stSkeleton']", state="detached", timeout=timeout_ms)


def metric_value(page, label: str) -> str:
    """The displayed value of the st.metric whose label is ``label``."""
    metric = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label))
    return metric.first.locator("[data-testid='stMetricValue']").inner_text()


def iteration(page) -> int:
    """The Iteration metric as a number (exact up to 9,999; "48.2k" reads as 48,200)."""
    return parse_count(metric_value(page, "Iteration"))


def wait_until(predicate, timeout_s: float, interval_s: float = 0.25):
    """Poll ``predicate`` until it returns something truthy; that value, or the last one at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval_s)


def press(page, label: str, timeout_ms: float = 30_000) -> None:
    """Press Run or Pause and wait until the button shows the other label (the page has redrawn)."""
    other = {"Run": "Pause", "Pause": "Run"}[label]
    button = page.get_by_role("button", name=label)
    # while the page reruns, the old button can still be drawn beside the new one: wait for one
    wait_until(lambda: button.count() == 1, timeout_ms / 1000)
    button.click()
    page.get_by_role("button", name=other).wait_for(timeout=timeout_ms)


def run_until(page, iterations: int, timeout_s: float = 60) -> int:
    """Press Run, then wait until the Iteration counter reaches ``iterations``; returns the counter
    (an AssertionError if it did not get there in time)."""
    press(page, "Run")
    reached = wait_until(lambda: iteration(page) >= iterations, timeout_s)
    assert reached, f"the iteration counter did not reach {iterations} in {timeout_s} s (at {iteration(page)})"
    return iteration(page)


def assert_no_errors(page) -> None:
    """No exception and no error message on the page."""
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


# --- a server with its own environment, and process statistics from /proc (no psutil) ----------

class ServerProcess:
    """A running app server: its URL, its Popen and its log file."""

    def __init__(self, url: str, proc: subprocess.Popen, log_path: Path):
        self.url, self.proc, self.log_path = url, proc, log_path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def streamlit_server_process(env: dict[str, str] | None = None, extra_args: tuple[str, ...] = (),
                             timeout_s: float = 60):
    """A fresh app server (`python -m playground serve` on a free loopback port) with ``env`` laid
    over this process's environment; yields a ServerProcess (url, proc, pid, log_path) and stops
    the server afterwards. Its log goes to artifacts/."""
    port = free_port()
    log_path = ROOT / "artifacts" / f"streamlit-{port}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "playground", "serve", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *extra_args]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, proc, timeout_s, log_path)
            yield ServerProcess(url, proc, log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from field 3 (state) on, so field n of proc(5) is index n - 3."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its live descendants (one pass over /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pids: list[int] | int) -> float:
    """User + system CPU time of these processes (and of their children already waited for)."""
    total = 0.0
    for pid in [pids] if isinstance(pids, int) else pids:
        fields = _stat_fields(pid)
        if fields:  # utime, stime, cutime, cstime are fields 14-17
            total += sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return total


def rss_bytes(pids: list[int] | int) -> int:
    """Resident memory (VmRSS) of these processes, summed."""
    total = 0
    for pid in [pids] if isinstance(pids, int) else pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def tree_cpu_seconds(pid: int) -> float:
    return cpu_seconds(process_tree(pid))


def tree_rss_bytes(pid: int) -> int:
    return rss_bytes(process_tree(pid))


def cpu_percent_over(pid: int, seconds: float) -> float:
    """CPU use of ``pid``'s process tree over the next ``seconds``, in % of one core."""
    c0, t0 = tree_cpu_seconds(pid), time.perf_counter()
    time.sleep(seconds)
    return 100 * (tree_cpu_seconds(pid) - c0) / (time.perf_counter() - t0)


@contextlib.contextmanager
def chromium_browser():
    """A Playwright Browser in the system Chromium: each ``browser.new_context()`` is a separate
    Streamlit session (its own cookies)."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install Debian's chromium or set $CHROMIUM")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
