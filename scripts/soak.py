"""Soak test: N real browser sessions training at once on one app server, watched for errors.

One headless Chromium (Playwright, the system Chromium) with N browser contexts: separate cookies,
so N separate Streamlit sessions. Each opens a lab page and presses Run; the starts are staggered
and the pages are polled in turn (one short DOM read each), so a slow page never blocks the others
for long. Once every session is training (or has failed to load), the steady window of --seconds
begins, during which the iteration counters are read again and again.

    python scripts/soak.py [--sessions 10] [--seconds 120] [--lab 1d|2d|mnist|mixed]
                           [--max-training N] [--url URL [--server-pid PID] [--server-log FILE]]
                           [--stagger S] [--json] [--json-file FILE]

--lab mixed opens the three labs round-robin (1-D, 2-D, MNIST, 1-D, ...).

Server: by default the script starts its own (`streamlit run app.py` on a free port, log under
artifacts/) with GAN_PLAYGROUND_MAX_TRAINING set to --max-training, whose default is --sessions so
that every session trains (lower it to watch the queue; a waiting session then counts as an error
only if its counter never moves). With --url it drives a server already running instead; pass
--server-pid to get that server's memory and CPU figures, --server-log to check its log, and
--max-training to tell the soak that server's cap.

Reported (text on stdout, or one JSON object with --json; progress goes to stderr):
  errors: page errors and console errors from the app (known framework noise is listed apart),
          any [data-testid=stException], st.error elements, connection states other than CONNECTED
          or a closed websocket while running, tracebacks in the server log, health checks that
          failed, sessions that never loaded, sessions whose counter didn't advance, and sessions
          whose counter stood still for more than --max-stall seconds (30) while they should train;
  each session: iterations at the start and end of the window, steps/s (iteration delta / window
          seconds), the page's own Steps/s (or Images/s) metric, and the longest time its counter
          stood still (a page that looks frozen);
  the server's RSS after it became healthy, after every session loaded, at the end (and the peak);
  /_stcore/health latency (a thread polls every 0.5 s): median, p95 and max while the sessions
          opened and during the steady window;
  CPU in % of one core over the window: the server, this script's browser (Chromium + the Playwright
          driver), this script, and the whole machine (in % of all cores); the server's CPU in the
          seconds after every tab closed (no training may be left behind).

Warnings, listed but not counted as errors: a websocket that closed before the page first connected
(Streamlit's client gives up on a handshake after 15 s and retries; it happens when the machine is
overloaded while pages open) and the traceback Streamlit's server logs for it.

Exit code 0 when there were no errors and every session advanced, else 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from e2e_harness import (CHROMIUM_FLAGS, find_chromium, process_tree, rss_bytes, cpu_seconds,  # noqa: E402
                         streamlit_server_process, wait_healthy)
from playground.readout import parse_count  # noqa: E402

PAGES = {"1d": "lab_1d", "2d": "lab_2d", "mnist": "lab_mnist"}
MAX_TRAINING_ENV = "GAN_PLAYGROUND_MAX_TRAINING"
WAITING_TEXT = "runs are training on this server already"

# One DOM read per poll: everything the soak checks, without Playwright round trips per element.
STATE_JS = """
() => {
  const app = document.querySelector("[data-testid='stApp']");
  const metrics = {};
  for (const m of document.querySelectorAll("[data-testid='stMetric']")) {
    const label = m.querySelector("[data-testid='stMetricLabel']");
    const value = m.querySelector("[data-testid='stMetricValue']");
    if (label && value && !(label.textContent.trim() in metrics)) metrics[label.textContent.trim()] = value.textContent.trim();
  }
  const texts = (sel) => Array.from(document.querySelectorAll(sel)).map((e) => e.textContent.trim().slice(0, 300));
  const primary = document.querySelector("[data-testid='stMain'] [data-testid='stBaseButton-primary']")
               || document.querySelector("[data-testid='stBaseButton-primary']");
  return {
    connection: app ? app.getAttribute("data-test-connection-state") : null,
    script: app ? app.getAttribute("data-test-script-state") : null,
    skeletons: document.querySelectorAll("[data-testid='stSkeleton']").length,
    metrics,
    exceptions: texts("[data-testid='stException']"),
    errors: texts("[data-testid='stAlertContentError']"),
    infos: texts("[data-testid='stAlertContentInfo']"),
    button: primary ? primary.textContent.trim() : null,
  };
}
"""

# Console messages that come from Streamlit or from the machine being offline, not from the app:
#  - opening a page's URL directly, Streamlit's frontend first probes <page>/_stcore/health and
#    <page>/_stcore/host-config (404) to find the server's base path, then uses /_stcore/...;
#  - the favicon (page_icon=":material/...") is fetched from fonts.gstatic.com, unreachable offline;
#  - a navigation aborts requests still in flight.
KNOWN_NOISE = (
    ("/_stcore/health", "404"), ("/_stcore/host-config", "404"), ("fonts.gstatic.com", ""),
    ("fonts.googleapis.com", ""),
)


def known_noise(text: str, url: str) -> bool:
    return any(where in url and what in text for where, what in KNOWN_NOISE)


def log(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def stats(values: list[float]) -> dict:
    if not values:
        return {"n": 0, "median": None, "p95": None, "max": None}
    ordered = sorted(values)
    return {"n": len(ordered), "median": statistics.median(ordered),
            "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], "max": ordered[-1]}


def machine_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields) - idle, sum(fields)


def parse_int(text: str | None) -> int | None:
    """A count as the page shows it ("9,999", "48.2k")."""
    return None if text is None else parse_count(text)


def metric(metrics: dict, label: str) -> str | None:
    """A metric's value by label (a label may carry extra text after it, e.g. a help icon)."""
    if label in metrics:
        return metrics[label]
    return next((v for k, v in metrics.items() if k.startswith(label)), None)


# Tracebacks in the server log that Streamlit (1.67, Starlette server) itself writes when a browser
# closed its websocket before the server accepted it, i.e. the client's 15-s handshake timeout hit:
# the page retries and connects; the soak counts the retry as a warning, not as an app error.
KNOWN_LOG_NOISE = ('Need to call "accept" first',)


def log_problems(text: str) -> list[list[str]]:
    """The server log's tracebacks and ERROR lines, each as its block of lines."""
    lines, blocks, i = text.splitlines(), [], 0
    starts_traceback = ("Traceback (most recent call last)", "Exception in ASGI application")
    while i < len(lines):
        line = lines[i]
        if not (line.startswith(starts_traceback) or re.search(r"\bERROR\b", line)):
            i += 1
            continue
        block, i = [line], i + 1
        if line.startswith(starts_traceback) or (i < len(lines) and lines[i].startswith("Traceback")):
            while i < len(lines):
                current = lines[i]
                block.append(current)
                i += 1
                if current and not current[0].isspace() and not current.startswith(
                        ("Traceback", "During handling", "The above exception")):
                    following = next((n for n in lines[i:] if n.strip()), "")
                    if not following.startswith(("During handling", "The above exception")):
                        break
        blocks.append(block)
    return blocks


def summarize(block: list[str]) -> str:
    """First line and the final exception line of a log block."""
    last = next((b for b in reversed(block) if b and not b[0].isspace()), block[-1])
    return block[0].strip()[:150] + ("" if last == block[0] else f" … {last.strip()[:200]}")


# --- the monitor: /_stcore/health latency and the server's memory, every 0.5 s --------------

class Monitor(threading.Thread):
    def __init__(self, url: str, server_pid: int | None, period_s: float = 0.5, timeout_s: float = 10.0):
        super().__init__(daemon=True)
        self.url, self.server_pid, self.period_s, self.timeout_s = url, server_pid, period_s, timeout_s
        self.samples: list[tuple[float, float | None, str | None]] = []  # (time, latency, error)
        self.rss: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.perf_counter()
            error = None
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=self.timeout_s) as response:
                    body = response.read().decode().strip()
                    if body != "ok":
                        error = f"health answered {body[:80]!r}"
            except OSError as err:
                error = f"health check failed: {err}"
            latency = time.perf_counter() - start
            self.samples.append((start, latency, error))
            if self.server_pid:
                self.rss.append((start, server_rss(self.server_pid)))
            self.stop.wait(max(0.0, self.period_s - latency))

    def latency(self, t0: float, t1: float) -> dict:
        return stats([lat for t, lat, _ in self.samples if t0 <= t < t1 and lat is not None])

    def failures(self) -> list[str]:
        return [err for _, _, err in self.samples if err]


def server_rss(pid: int) -> int:
    return rss_bytes(process_tree(pid))


def server_cpu(pid: int) -> float:
    return cpu_seconds(process_tree(pid))


def own_cpu() -> float:
    """CPU seconds of this script's own process (its polling of the pages)."""
    return cpu_seconds(os.getpid())


def browser_cpu(server_pid: int | None) -> float:
    """CPU seconds of this script's descendants (Playwright's driver and Chromium), not the server."""
    excluded = set(process_tree(server_pid)) if server_pid else set()
    return cpu_seconds([p for p in process_tree(os.getpid()) if p != os.getpid() and p not in excluded])


# --- one browser session ------------------------------------------------------------------

@dataclass
class Session:
    index: int
    lab: str
    context: object = None
    page: object = None
    state: str = "new"  # new → opening → pressed (Run) → running (the button reads Pause) | failed
    opened_at: float = 0.0
    loaded_s: float | None = None  # from opening the page to the app drawn and idle
    run_pressed_at: float = 0.0
    errors: list[str] = field(default_factory=list)
    noise: list[str] = field(default_factory=list)
    last: dict = field(default_factory=dict)
    start_iter: int | None = None
    start_t: float = 0.0
    end_iter: int | None = None
    end_t: float = 0.0
    page_rates: list[float] = field(default_factory=list)
    page_rate_label: str | None = None
    waited: bool = False
    polls: int = 0
    last_change: tuple[float, int] | None = None  # (when, iteration) the counter last moved
    longest_stall_s: float = 0.0
    closing: bool = False
    connected_once: bool = False
    websockets: int = 0
    warnings: list[str] = field(default_factory=list)
    error_counts: dict = field(default_factory=dict)

    def warning(self, message: str) -> None:
        self.warnings.append(message)
        log(f"  session {self.index} ({self.lab}): warning: {message}")

    def error(self, message: str) -> None:
        """Record an error; repeats of the same kind (differing only in a media hash, say) are
        counted on the first one's entry rather than listed again."""
        kind = re.sub(r"[0-9a-f]{16,}", "…", message)
        count = self.error_counts.get(kind, 0) + 1
        self.error_counts[kind] = count
        if count == 1:
            self.errors.append(message)
            log(f"  session {self.index} ({self.lab}): ERROR {message}")

    def error_list(self) -> list[str]:
        """The errors, each with how often its kind happened."""
        out = []
        for message in self.errors:
            count = self.error_counts[re.sub(r"[0-9a-f]{16,}", "…", message)]
            out.append(message if count == 1 else f"{message} (and {count - 1} more like it)")
        return out

    def attach(self, browser, base_url: str, timeout_ms: float) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(timeout_ms)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda err: self.error(f"page error: {str(err)[:300]}"))
        self.page.on("console", self._console)
        self.page.on("websocket", self._websocket)
        self.opened_at = time.perf_counter()
        self.page.goto(f"{base_url}/{PAGES[self.lab]}", wait_until="commit")
        self.state = "opening"

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        text = f"{message.text[:200]} ({url})" if url else message.text[:300]
        if known_noise(message.text, url):
            if text not in self.noise:
                self.noise.append(text)
        else:
            self.error(f"console error: {text}")

    def _websocket(self, ws) -> None:
        if "_stcore/stream" not in ws.url:
            return
        created = time.perf_counter()
        self.websockets += 1

        def closed(*_) -> None:
            if self.closing:
                return
            age = time.perf_counter() - created
            if self.connected_once:  # a handshake that timed out always closes before the first CONNECTED
                self.error(f"websocket closed {age:.1f} s after it opened, while the session was live")
            else:  # Streamlit's client gives up on a handshake after 15 s and tries again
                self.warning(f"websocket closed {age:.1f} s after it opened, before the app first connected "
                             "(Streamlit's client retries a handshake that takes over 15 s)")

        ws.on("close", closed)
        ws.on("socketerror", lambda err: self.error(f"websocket error: {err}"))

    def read(self) -> dict | None:
        try:
            self.last = self.page.evaluate(STATE_JS)
        except Exception as err:  # noqa: BLE001 - a navigation in progress, or a dead page
            if self.state == "running":
                self.error(f"could not read the page: {str(err).splitlines()[0][:200]}")
            return None
        self.polls += 1
        return self.last

    def iteration(self) -> int | None:
        return parse_int(metric(self.last.get("metrics", {}), "Iteration"))

    def check(self, running_expected: bool, waiting_is_error: bool) -> None:
        """Errors visible on the page now."""
        s = self.last
        for text in s.get("exceptions", []):
            self.error(f"exception on the page: {text[:200]}")
        for text in s.get("errors", []):
            self.error(f"st.error: {text[:200]}")
        state = s.get("connection")
        if state == "CONNECTED":
            self.connected_once = True
        elif state == "DISCONNECTED_FOREVER" or (self.connected_once and not self.closing):
            self.error(f"connection state {state} (Streamlit shows 'Connecting' or 'Connection error')")
        if any(WAITING_TEXT in t for t in s.get("infos", [])):
            self.waited = True
            if waiting_is_error:
                self.error("waiting for a training slot although the cap is at least the number of sessions")
        if running_expected and s.get("button") and "Pause" not in s["button"] and not self.closing:
            self.error(f"the Run/Pause button reads {s['button']!r} while it should be training")

    def ready(self) -> bool:
        s = self.last
        return (s.get("connection") == "CONNECTED" and s.get("script") == "notRunning" and not s.get("skeletons")
                and self.iteration() is not None and bool(s.get("button")) and "Run" in s["button"])

    def track_stall(self) -> None:
        """The longest time the counter stood still during the window (a frozen-looking page)."""
        now, it = time.perf_counter(), self.iteration()
        if it is None:
            return
        if self.last_change is None or it != self.last_change[1]:
            self.last_change = (now, it)
        self.longest_stall_s = max(self.longest_stall_s, now - self.last_change[0])

    def sample_page_rate(self) -> None:
        metrics = self.last.get("metrics", {})
        for label in ("Steps/s", "Images/s"):
            value = parse_int(metric(metrics, label))
            if value is not None:
                self.page_rate_label = label
                self.page_rates.append(value)
                return

    def summary(self) -> dict:
        delta = (self.end_iter - self.start_iter) if None not in (self.end_iter, self.start_iter) else None
        seconds = self.end_t - self.start_t
        return {
            "index": self.index, "lab": self.lab, "loaded_s": self.loaded_s,
            "iter_start": self.start_iter, "iter_end": self.end_iter,
            "advanced": bool(delta and delta > 0),
            "steps_per_s": (delta / seconds) if delta is not None and seconds > 0 else None,
            "page_rate_label": self.page_rate_label,
            "page_rate_mean": statistics.fmean(self.page_rates) if self.page_rates else None,
            "page_rate_last": self.page_rates[-1] if self.page_rates else None,
            "longest_stall_s": self.longest_stall_s, "waited_for_slot": self.waited, "polls": self.polls,
            "websockets_opened": self.websockets,
            "errors": self.error_list(), "warnings": self.warnings, "ignored_console_noise": self.noise,
        }


# --- the soak -----------------------------------------------------------------------------

def soak(args) -> dict:
    labs = ["1d", "2d", "mnist"] if args.lab == "mixed" else [args.lab]
    max_training = args.max_training or args.sessions
    report: dict = {"config": {"sessions": args.sessions, "seconds": args.seconds, "lab": args.lab,
                               "stagger_s": args.stagger, "cpus": os.cpu_count()}}
    if args.url:
        report["config"].update(url=args.url, max_training=args.max_training, server="external",
                                server_log=args.server_log)
        wait_healthy(args.url, None, args.startup_timeout)
        log_start = Path(args.server_log).stat().st_size if args.server_log else 0
        result = drive(args, labs, args.url, args.server_pid, args.max_training, report)
        if args.server_log:
            with open(args.server_log, errors="replace") as f:
                f.seek(log_start)
                check_log(result, f.read())
        return result
    report["config"].update(max_training=max_training, server="started by soak.py")
    env = {MAX_TRAINING_ENV: str(max_training)}
    with streamlit_server_process(env=env, timeout_s=args.startup_timeout) as server:
        report["config"]["url"] = server.url
        report["config"]["server_log"] = str(server.log_path.relative_to(ROOT))
        result = drive(args, labs, server.url, server.pid, max_training, report)
        check_log(result, server.log_text())
        return result


def check_log(result: dict, text: str) -> None:
    """Add the server log's tracebacks and ERROR lines to the report (known Streamlit noise as warnings)."""
    problems = log_problems(text)
    known = [b for b in problems if any(k in "\n".join(b) for k in KNOWN_LOG_NOISE)]
    result["server_log_errors"] = [summarize(b) for b in problems if b not in known]
    result["server_log_warnings"] = [summarize(b) for b in known]
    result["errors"] += [f"server log: {line}" for line in result["server_log_errors"]]
    result["warnings"] += [f"server log: {line} (Streamlit's websocket handler, when a client gave up "
                           "on the handshake)" for line in result["server_log_warnings"]]
    result["error_count"] = len(result["errors"])
    result["ok"] = result["error_count"] == 0 and result["all_advanced"]


def drive(args, labs: list[str], url: str, server_pid: int | None, max_training: int | None, report: dict) -> dict:
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install Debian's chromium or set $CHROMIUM")
    waiting_is_error = max_training is not None and max_training >= args.sessions
    sessions = [Session(i, labs[i % len(labs)]) for i in range(args.sessions)]
    monitor = Monitor(url, server_pid)
    rss: dict = {}
    t_begin = time.perf_counter()
    if server_pid:
        rss["start"] = server_rss(server_pid)
    monitor.start()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        try:
            t_open = time.perf_counter()
            open_sessions(browser, sessions, url, args, waiting_is_error)
            t_loaded = time.perf_counter()
            if server_pid:
                rss["all_loaded"] = server_rss(server_pid)
            live = [s for s in sessions if s.state == "running"]
            log(f"{len(live)}/{len(sessions)} sessions training after {t_loaded - t_open:.1f} s; "
                f"steady window of {args.seconds:.0f} s")
            cpu0 = (server_cpu(server_pid) if server_pid else None, browser_cpu(server_pid), machine_cpu(), own_cpu())
            for s in live:  # the window starts with a fresh read of every page
                if s.read() is not None:
                    s.start_iter, s.start_t = s.iteration(), time.perf_counter()
                    s.track_stall()
            t_window = time.perf_counter()
            next_log = t_window + 15
            while time.perf_counter() - t_window < args.seconds:
                for s in live:
                    if s.read() is not None:
                        s.check(running_expected=not s.waited, waiting_is_error=waiting_is_error)
                        s.sample_page_rate()
                        s.track_stall()
                        if s.start_iter is None and s.iteration() is not None:
                            s.start_iter, s.start_t = s.iteration(), time.perf_counter()
                    time.sleep(args.poll_gap)
                if time.perf_counter() >= next_log:
                    next_log += 15
                    log(f"  t={time.perf_counter() - t_window:5.0f} s  iterations: "
                        + " ".join(str(s.iteration()) for s in live))
            for s in live:
                if s.read() is not None:
                    s.check(running_expected=not s.waited, waiting_is_error=waiting_is_error)
                    s.end_iter, s.end_t = s.iteration(), time.perf_counter()
                    s.track_stall()
            t_end = time.perf_counter()
            cpu1 = (server_cpu(server_pid) if server_pid else None, browser_cpu(server_pid), machine_cpu(), own_cpu())
            if server_pid:
                rss["end"] = server_rss(server_pid)
        finally:
            for s in sessions:
                s.closing = True
            try:
                for s in sessions:
                    if s.context is not None:
                        s.context.close()
            finally:
                browser.close()
    after_close, after_close_series = None, []
    if server_pid:  # the server's CPU once every tab has gone (no training may be left behind)
        samples = [(time.perf_counter(), server_cpu(server_pid))]
        while samples[-1][0] - samples[0][0] < args.after_close:
            time.sleep(1.0)
            samples.append((time.perf_counter(), server_cpu(server_pid)))
        after_close_series = [100 * (c1 - c0) / (t1 - t0) for (t0, c0), (t1, c1) in zip(samples, samples[1:])]
        last = [x for x in samples if samples[-1][0] - x[0] <= 3.05] or samples  # the last 3 s
        after_close = (100 * (samples[-1][1] - last[0][1]) / (samples[-1][0] - last[0][0])
                       if samples[-1][0] > last[0][0] else None)
    monitor.stop.set()
    monitor.join(15)

    window = t_end - t_window
    summaries = [s.summary() for s in sessions]
    errors = [f"session {s.index} ({s.lab}): {e}" for s in sessions for e in s.error_list()]
    errors += [f"session {s['index']} ({s['lab']}): the iteration counter did not advance "
               f"({s['iter_start']} → {s['iter_end']})" for s in summaries
               if not s["advanced"] and sessions[s["index"]].state == "running"]
    errors += [f"session {s.index} ({s.lab}): the page looked frozen: its counter stood still for "
               f"{s.longest_stall_s:.0f} s (more than --max-stall {args.max_stall:.0f} s)"
               for s in sessions if s.state == "running" and not s.waited and s.longest_stall_s > args.max_stall]
    errors += [f"health: {e}" for e in dict.fromkeys(monitor.failures())]
    warnings = [f"session {s.index} ({s.lab}): {w}" for s in sessions for w in s.warnings]
    if server_pid and rss:
        rss["peak"] = max([v for _, v in monitor.rss] + list(rss.values()))
    busy = cpu1[2][0] - cpu0[2][0]
    total = cpu1[2][1] - cpu0[2][1]
    cpu = {
        "server_pct_of_one_core": 100 * (cpu1[0] - cpu0[0]) / window if server_pid else None,
        "browser_pct_of_one_core": 100 * (cpu1[1] - cpu0[1]) / window,
        "soak_script_pct_of_one_core": 100 * (cpu1[3] - cpu0[3]) / window,
        "machine_pct_of_all_cores": 100 * busy / total if total else None,
        "server_pct_after_tabs_closed": after_close,  # over the last 3 s of --after-close
        "server_pct_after_tabs_closed_each_second": after_close_series,
    }
    report.update({
        "ok": not errors and all(s["advanced"] for s in summaries),
        "all_advanced": all(s["advanced"] for s in summaries),
        "error_count": len(errors), "errors": errors, "warnings": warnings,
        "opening_s": t_loaded - t_open, "window_s": window, "total_s": time.perf_counter() - t_begin,
        "sessions": summaries,
        "total_steps_per_s": sum(s["steps_per_s"] or 0 for s in summaries),
        "rss_bytes": rss,
        "health_latency_s": {"opening": monitor.latency(t_open, t_loaded),
                             "window": monitor.latency(t_window, t_end + 1e-9),
                             "all": monitor.latency(t_open, t_end + 1e-9)},
        "cpu": cpu,
        "ignored_console_noise": sorted({n for s in sessions for n in s.noise}),
    })
    return report


def open_sessions(browser, sessions: list[Session], url: str, args, waiting_is_error: bool) -> None:
    """Open the pages one every --stagger seconds; press Run on each as soon as it is drawn, while
    the others keep loading."""
    timeout_ms = args.load_timeout * 1000
    next_open = time.perf_counter()
    pending = list(sessions)
    while True:
        now = time.perf_counter()
        if pending and now >= next_open:
            s = pending.pop(0)
            log(f"  opening session {s.index} ({s.lab})")
            try:
                s.attach(browser, url, timeout_ms)
            except Exception as err:  # noqa: BLE001
                s.state = "failed"
                s.error(f"could not open the page: {str(err).splitlines()[0][:200]}")
            next_open = now + args.stagger
        busy = [s for s in sessions if s.state in ("opening", "pressed")]
        if not busy and not pending:
            return
        for s in busy:
            if s.read() is None:
                continue
            s.check(running_expected=False, waiting_is_error=waiting_is_error)
            if s.state == "pressed":
                if "Pause" in (s.last.get("button") or ""):  # the press went through: it runs
                    s.state = "running"
                    log(f"  session {s.index} ({s.lab}) loaded in {s.loaded_s:.1f} s, running "
                        f"{time.perf_counter() - s.run_pressed_at:.1f} s after Run was pressed")
                elif time.perf_counter() - s.run_pressed_at > args.load_timeout:
                    s.state = "failed"
                    s.error(f"Run did not turn into Pause within {args.load_timeout:.0f} s")
            elif s.ready():
                s.loaded_s = time.perf_counter() - s.opened_at
                try:  # a short wait for the button only; whether the press took is checked later
                    s.page.get_by_role("button", name="Run").click(timeout=10_000)
                except Exception as err:  # noqa: BLE001 - tried again on the next round
                    log(f"  session {s.index} ({s.lab}): pressing Run failed, trying again: "
                        f"{str(err).splitlines()[0][:120]}")
                    continue
                s.state, s.run_pressed_at = "pressed", time.perf_counter()
            elif time.perf_counter() - s.opened_at > args.load_timeout:
                s.state = "failed"
                s.error(f"the page was not ready after {args.load_timeout:.0f} s (last state: "
                        f"connection={s.last.get('connection')}, script={s.last.get('script')})")
        time.sleep(0.2)


# --- the report ---------------------------------------------------------------------------

def fmt(value, spec: str = ".0f", none: str = "—") -> str:
    return none if value is None else format(value, spec)


def text_report(r: dict) -> str:
    c = r["config"]
    mb = lambda key: fmt(r["rss_bytes"][key] / 2**20, ".0f") + " MiB" if key in r["rss_bytes"] else "—"  # noqa: E731
    lines = [
        f"Soak: {c['sessions']} sessions × {c['seconds']:.0f} s, lab {c['lab']}, {c['cpus']} CPUs, "
        f"server {c['server']} (GAN_PLAYGROUND_MAX_TRAINING={c.get('max_training') or '?'}) at {c['url']}",
        f"Result: {'OK' if r['ok'] else 'FAILED'}: {r['error_count']} errors, "
        f"{sum(s['advanced'] for s in r['sessions'])}/{len(r['sessions'])} sessions advanced; opening took "
        f"{r['opening_s']:.1f} s, window {r['window_s']:.1f} s, total {r['total_s']:.1f} s",
        "",
        " #  lab    loaded  iter start →   iter end  advanced  steps/s  page rate (mean / last)  "
        "longest stall  waited",
    ]
    for s in r["sessions"]:
        page_rate = (f"{fmt(s['page_rate_mean'])} / {fmt(s['page_rate_last'])} {s['page_rate_label']}"
                     if s["page_rate_label"] else "—")
        lines.append(f"{s['index']:2d}  {s['lab']:5s}  {fmt(s['loaded_s'], '5.1f'):>5s} s  {fmt(s['iter_start'], ','):>10s} → "
                     f"{fmt(s['iter_end'], ','):>10s}  {'yes' if s['advanced'] else 'NO':8s}  {fmt(s['steps_per_s'], '7.1f'):>7s}  "
                     f"{page_rate:23s}  {fmt(s['longest_stall_s'], '11.1f')} s  {'yes' if s['waited_for_slot'] else 'no'}")
    lines.append(f"Total: {r['total_steps_per_s']:.1f} iterations/s over all sessions")
    lines.append("")
    lines.append(f"Server RSS: start {mb('start')}, all loaded {mb('all_loaded')}, end {mb('end')}, peak {mb('peak')}")
    for phase in ("opening", "window"):
        h = r["health_latency_s"][phase]
        lines.append(f"/_stcore/health latency while {'opening' if phase == 'opening' else 'training'} "
                     f"({h['n']} polls): median {fmt(h['median'] and h['median'] * 1e3, '.0f')} ms, "
                     f"p95 {fmt(h['p95'] and h['p95'] * 1e3, '.0f')} ms, max {fmt(h['max'] and h['max'] * 1e3, '.0f')} ms")
    cpu = r["cpu"]
    lines.append(f"CPU over the window: server {fmt(cpu['server_pct_of_one_core'])}% of one core, browser "
                 f"(Chromium + Playwright) {fmt(cpu['browser_pct_of_one_core'])}% of one core, this script "
                 f"{fmt(cpu['soak_script_pct_of_one_core'])}%, machine "
                 f"{fmt(cpu['machine_pct_of_all_cores'])}% of all {c['cpus']} cores")
    series = " ".join(f"{v:.0f}" for v in cpu["server_pct_after_tabs_closed_each_second"])
    lines.append(f"Server CPU after every tab closed: {fmt(cpu['server_pct_after_tabs_closed'], '.1f')}% of one core "
                 f"over the last 3 s (each second from closing: {series or '—'} %)")
    lines.append("")
    lines.append(f"Errors ({r['error_count']}):" if r["errors"] else "Errors: none")
    lines += [f"  - {e}" for e in r["errors"]]
    if r["warnings"]:
        lines.append(f"Warnings ({len(r['warnings'])}, not counted as errors):")
        lines += [f"  - {w}" for w in r["warnings"]]
    if r["ignored_console_noise"]:
        lines.append("Ignored console noise (Streamlit's base-path probe, offline favicon; not the app):")
        lines += [f"  - {n}" for n in r["ignored_console_noise"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120, help="steady window, after every session started")
    parser.add_argument("--lab", choices=["1d", "2d", "mnist", "mixed"], default="1d")
    parser.add_argument("--max-training", type=int, default=None,
                        help="GAN_PLAYGROUND_MAX_TRAINING for the server started here (default: --sessions); "
                             "with --url, the cap that server has, if known")
    parser.add_argument("--url", help="drive this running server instead of starting one")
    parser.add_argument("--server-pid", type=int, help="with --url: the server's pid, for memory and CPU")
    parser.add_argument("--server-log", help="with --url: the server's log file, checked for tracebacks")
    parser.add_argument("--stagger", type=float, default=2.0, help="seconds between opening two sessions")
    parser.add_argument("--load-timeout", type=float, default=180, help="seconds a page may take to be ready")
    parser.add_argument("--startup-timeout", type=float, default=90, help="seconds the server may take to start")
    parser.add_argument("--max-stall", type=float, default=30.0,
                        help="seconds a training session's counter may stand still before the page counts as frozen")
    parser.add_argument("--poll-gap", type=float, default=0.05, help="pause between two page reads")
    parser.add_argument("--after-close", type=float, default=10.0,
                        help="seconds the server's CPU is watched after every tab closed (the last 3 s are reported)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    parser.add_argument("--json-file", help="also write the JSON report to this file")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0:
        parser.error("--sessions and --seconds must be positive")
    report = soak(args)
    print(json.dumps(report, indent=2) if args.json else text_report(report))
    if args.json_file:
        Path(args.json_file).write_text(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
