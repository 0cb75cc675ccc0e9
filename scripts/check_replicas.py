#!/usr/bin/env python3
"""Check deploy/nginx.conf: two app replicas behind nginx, with sticky sessions, really work.

    python3 scripts/check_replicas.py [--keep-logs]

Installs nothing. Needs `nginx` (Debian: `apt-get install nginx`; exits 2 without it) and a
Chromium for Playwright (Debian's chromium, or $CHROMIUM). Everything runs on loopback, on free
ports, in a temporary directory; no root-owned paths are written and no system nginx is used.

1. Starts two replicas (`python3 -m streamlit run app.py --server.port P ...`) and waits until
   both answer /_stcore/health.
2. Runs a copy of deploy/nginx.conf with the replica and listen addresses replaced, as a
   foreground nginx (`nginx -p TMP -c TMP/nginx.conf -g 'daemon off;'`).
3. Plain HTTP: a request without the gp_route cookie gets one; 24 random cookies spread over
   both replicas and each cookie always reaches the same one; a websocket handshake with a
   non-local Host/Origin is accepted (the proxy forwards Host as the browser sent it), one with
   a foreign Origin is not.
4. Browser: two independent sessions (two Playwright contexts in one Chromium, so two cookies)
   open the 1-D lab through the proxy, press Run, and their Iteration counters advance. Every
   HTTP response a session gets carries the same X-Upstream replica. If both sessions landed on
   the same replica (a coin flip), a third opens the lab, and if need be a fourth with a cookie
   from step 3 that leads to the other replica, so that each replica serves a browser.
5. A page reload returns to the same replica, which offers the run back ("Resume your run"):
   resumed, its counter goes on from where it was; then nginx is restarted, every websocket drops,
   the pages reconnect, and the running sessions resume where they were (same replica, same
   server-side session: the counter keeps going instead of starting again at 0).
6. nginx's access log (route cookie and upstream of every request, websockets included) shows
   that each session's requests, its websocket connections and reconnects all went to one
   replica.

Prints a short report; exits 0 when everything holds, 1 otherwise (the logs are then kept and
their directory is printed). All processes are stopped on the way out, also on Ctrl-C.
Takes about 30 s on an idle 2-core machine (up to ~2 minutes when it is busy).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from e2e_harness import CHROMIUM_FLAGS, find_chromium, free_port, metric_value, wait_for_app, wait_healthy  # noqa: E402
from playground.readout import parse_count  # noqa: E402

CONF = ROOT / "deploy" / "nginx.conf"
LAB = "lab_1d"
NATURAL_CONTEXTS = 3  # browser sessions with the cookie nginx hands out, before a preset one
# The addresses in deploy/nginx.conf that the check replaces (each must occur exactly once).
TEMPLATE_REPLICAS = ("server 127.0.0.1:8501 ", "server 127.0.0.1:8502 ")
TEMPLATE_LISTEN = "listen 8080;"


class CheckFailed(Exception):
    pass


def say(line: str = "") -> None:
    print(line, flush=True)


def require(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def find_nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def distinct_free_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


class Processes:
    """The child processes (replicas, nginx); each in its own session so Ctrl-C reaches only us."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen] = []

    def start(self, cmd: list[str], log: Path) -> subprocess.Popen:
        with open(log, "ab") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(proc)
        return proc

    @staticmethod
    def stop_one(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout_s: float = 10) -> None:
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 15
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.procs.clear()


def write_config(tmp: Path, listen_port: int, replica_ports: list[int]) -> Path:
    text = CONF.read_text()
    for old, port in zip(TEMPLATE_REPLICAS, replica_ports):
        require(text.count(old) == 1, f"{CONF.name}: expected exactly one '{old}'")
        text = text.replace(old, f"server 127.0.0.1:{port} ")
    require(text.count(TEMPLATE_LISTEN) == 1, f"{CONF.name}: expected exactly one '{TEMPLATE_LISTEN}'")
    text = text.replace(TEMPLATE_LISTEN, f"listen 127.0.0.1:{listen_port};")
    path = tmp / "nginx.conf"
    path.write_text(text)
    return path


def http_get(port: int, path: str, cookie: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        hdrs = dict(headers or {})
        if cookie is not None:
            hdrs["Cookie"] = f"gp_route={cookie}"
        conn.request("GET", path, headers=hdrs)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("X-Upstream"), response.getheaders()
    finally:
        conn.close()


def websocket_handshake_status(port: int, host: str, origin: str) -> int:
    """Status of a websocket upgrade of /_stcore/stream through the proxy (101 = accepted)."""
    request = ("GET /_stcore/stream HTTP/1.1\r\n"
               f"Host: {host}\r\nOrigin: {origin}\r\n"
               "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.encode())
        status_line = sock.makefile("rb").readline().decode(errors="replace")
    match = re.match(r"HTTP/1\.1 (\d{3})", status_line)
    return int(match.group(1)) if match else 0


def start_nginx(procs: Processes, nginx: str, tmp: Path, conf: Path, port: int) -> subprocess.Popen:
    # worker_shutdown_timeout: a graceful stop (SIGQUIT) closes the open websockets after 1 s
    # and logs them, where a fast stop (SIGTERM) would drop them unlogged.
    proc = procs.start([nginx, "-p", f"{tmp}/", "-c", str(conf), "-e", str(tmp / "logs" / "error.log"),
                        "-g", "daemon off; worker_shutdown_timeout 1s;"], tmp / "logs" / "nginx.out")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        require(proc.poll() is None, f"nginx exited with code {proc.returncode}; see {tmp / 'logs'}")
        try:
            if http_get(port, "/_stcore/health", cookie="probe")[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    raise CheckFailed("nginx did not answer in 15 s")


class Session:
    """One browser context (its own cookies) with the 1-D lab open through the proxy."""

    def __init__(self, browser, name: str, base: str, names: dict[str, str], preset: str | None = None) -> None:
        self.name, self.base, self.names, self.preset = name, base, names, preset
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        if preset:
            self.context.add_cookies([{"name": "gp_route", "value": preset, "url": base}])
        self.page = self.context.new_page()
        self.upstreams: Counter[str] = Counter()  # replica -> responses seen by this page
        self.start_iteration = self.iteration_before = 0
        self.cookie = ""
        self.page.on("response", self._on_response)

    def _on_response(self, response) -> None:
        if response.url.startswith(self.base):
            self.upstreams[self.names.get(response.headers.get("x-upstream", ""), "?")] += 1

    def open_lab(self) -> None:
        self.page.goto(f"{self.base}/{LAB}")
        wait_for_app(self.page)
        values = [c["value"] for c in self.context.cookies() if c["name"] == "gp_route"]
        require(len(values) == 1, f"session {self.name}: no gp_route cookie")
        self.cookie = values[0]

    @property
    def replica(self) -> str:
        require(len(self.upstreams) == 1,
                f"session {self.name}: responses from several replicas: {dict(self.upstreams)}")
        return next(iter(self.upstreams))

    def iteration(self) -> int:
        return parse_count(metric_value(self.page, "Iteration"))

    def wait_iteration_above(self, value: int, timeout_s: float = 45) -> int:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            current = self.iteration()
            if current > value:
                return current
            time.sleep(0.25)
        raise CheckFailed(f"session {self.name}: Iteration stuck at {self.iteration()} (expected > {value})")


def parse_access_log(path: Path, names: dict[str, str]) -> dict[str, list[tuple[str, str, str]]]:
    """route cookie -> [(replica, status, request line)] for every logged request."""
    # upstream is "a, b" when nginx retried a request on a second replica: that counts as its own
    # value, so a session with such a request fails the one-replica check.
    pattern = re.compile(r'route=(\S+) upstream=(.+?) status=(\d+) "([^"]*)"')
    by_route: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for line in path.read_text().splitlines():
        match = pattern.search(line)
        require(match is not None, f"unexpected access log line: {line[:200]}")
        route, upstream, status, request = match.groups()
        by_route[route].append((names.get(upstream, upstream), status, request))
    return by_route


def check(tmp: Path, nginx: str, chromium: str, procs: Processes) -> None:
    from playwright.sync_api import sync_playwright

    version = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr.strip()
    proxy_port, *replica_ports = distinct_free_ports(3)
    names = {f"127.0.0.1:{port}": f"replica {i}" for i, port in enumerate(replica_ports, 1)}
    logs = tmp / "logs"

    started = time.monotonic()
    replicas = []
    for port in replica_ports:
        replicas.append(procs.start(
            [sys.executable, "-m", "playground", "serve", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            logs / f"replica-{port}.log"))
    for port, proc in zip(replica_ports, replicas):
        try:
            wait_healthy(f"http://127.0.0.1:{port}", proc, timeout_s=90)
        except (RuntimeError, TimeoutError) as err:
            raise CheckFailed(f"replica on port {port}: {err}") from err
    conf = write_config(tmp, proxy_port, replica_ports)
    nginx_proc = start_nginx(procs, nginx, tmp, conf, proxy_port)
    base = f"http://127.0.0.1:{proxy_port}"
    say(f"{version} on {base} -> " + ", ".join(f"{n} :{a.rsplit(':', 1)[1]}" for a, n in names.items())
        + f" (up in {time.monotonic() - started:.0f} s)")

    # --- plain HTTP ---------------------------------------------------------------------------
    status, upstream, headers = http_get(proxy_port, "/_stcore/health")
    set_cookies = [v for k, v in headers if k.lower() == "set-cookie" and v.startswith("gp_route=")]
    require(status == 200 and len(set_cookies) == 1, "no gp_route cookie for a request without one")
    first_cookie = set_cookies[0].split(";")[0].split("=", 1)[1]
    _, again, headers = http_get(proxy_port, "/_stcore/health", cookie=first_cookie)
    require(again == upstream, "the cookie nginx handed out does not lead back to the same replica")
    require(not any(k.lower() == "set-cookie" and v.startswith("gp_route=") for k, v in headers),
            "gp_route is set again although the browser sent it")
    spread: Counter[str] = Counter()
    cookie_for: dict[str, str] = {}  # replica -> a cookie (like nginx's: 32 hex digits) that leads there
    for _ in range(24):
        cookie = secrets.token_hex(16)
        seen = {http_get(proxy_port, "/_stcore/health", cookie=cookie)[1] for _ in range(3)}
        require(len(seen) == 1, f"cookie {cookie} reached several replicas: {seen}")
        replica = names.get(seen.pop(), "?")
        spread[replica] += 1
        cookie_for.setdefault(replica, cookie)
    require(set(spread) == set(names.values()), f"24 cookies did not reach both replicas: {dict(spread)}")
    say("cookie: set once per browser, leads back to its replica; 24 cookies x 3 requests -> "
        + ", ".join(f"{n}: {spread[n]}" for n in sorted(spread)) + ", each cookie always the same")
    ws_status = websocket_handshake_status(proxy_port, "gp.example.org", "http://gp.example.org")
    require(ws_status == 101, f"websocket with Host/Origin gp.example.org: HTTP {ws_status} (want 101)")
    ws_foreign = websocket_handshake_status(proxy_port, "gp.example.org", "http://evil.example.net")
    require(ws_foreign != 101, "websocket from a foreign Origin was accepted")
    say(f"websocket upgrade via proxy: Host=Origin=gp.example.org -> {ws_status}; foreign Origin -> {ws_foreign}")

    # --- browser sessions -----------------------------------------------------------------------
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            sessions: list[Session] = []
            for name in "AB":
                session = Session(browser, name, base, names)
                session.open_lab()
                sessions.append(session)
            for session in sessions:
                session.page.get_by_role("button", name="Run").click()
            running = list(sessions)
            for session in running:
                session.start_iteration = session.wait_iteration_above(0)
            # Both on one replica (a coin flip): open the lab in more browsers until the other
            # replica has one too; after NATURAL_CONTEXTS, with a cookie known to lead there.
            while len({s.replica for s in sessions}) < len(names):
                missing = sorted(set(names.values()) - {s.replica for s in sessions})[0]
                preset = cookie_for[missing] if len(sessions) >= NATURAL_CONTEXTS else None
                session = Session(browser, "CDEF"[len(sessions) - 2], base, names, preset)
                session.open_lab()
                sessions.append(session)
            for session in running:
                session.iteration_before = session.wait_iteration_above(session.start_iteration)
            for session in sessions:
                ran = (f"Run: Iteration {session.start_iteration} -> {session.iteration_before}"
                       if session in running else
                       "lab opened, not run" + (" (cookie preset)" if session.preset else ""))
                say(f"session {session.name} (gp_route={session.cookie[:8]}…): {session.replica}, "
                    f"{sum(session.upstreams.values())} responses all from it; {ran}")
            used = {s.replica for s in sessions}
            require(used == set(names.values()),
                    f"{len(sessions)} browser sessions all landed on {used} (expected both replicas)")

            # A reload (a new Streamlit session in the same browser) goes back to the same replica,
            # which still holds the run: the page offers it back, and resuming it keeps counting.
            a = running[0]
            replica_a, a.upstreams = a.replica, Counter()
            left_at = a.iteration()
            a.page.reload()
            wait_for_app(a.page)
            require(a.replica == replica_a, f"session A reloaded onto {a.replica}, was {replica_a}")
            offer = a.page.get_by_role("button", name=re.compile("Resume your run"))
            try:
                offer.wait_for(timeout=15_000)
            except Exception as err:  # noqa: BLE001 - report it as a failed check
                raise CheckFailed(f"session A: no offer to resume its run after the reload ({err})") from None
            offered = offer.inner_text().strip().splitlines()[-1]  # after the icon's name
            offer.click()
            a.iteration_before = a.wait_iteration_above(left_at - 1)
            say(f"reload of session A: {sum(a.upstreams.values())} responses, all from {a.replica}; "
                f"offered '{offered}', resumed at Iteration {a.iteration_before} (left at {left_at})")

            # Restart nginx: every websocket drops; the pages reconnect and must resume their
            # server-side sessions, which live only on the replica they were on.
            replica_of = {s.name: s.replica for s in sessions}
            for session in sessions:
                session.iteration_before = session.iteration()
                session.upstreams = Counter()
            Processes.stop_one(nginx_proc, signal.SIGQUIT)
            for session in sessions:
                session.page.wait_for_selector(
                    "[data-testid='stApp']:not([data-test-connection-state='CONNECTED'])", timeout=15_000)
            nginx_proc = start_nginx(procs, nginx, tmp, conf, proxy_port)
            for session in sessions:
                session.page.wait_for_selector(
                    "[data-testid='stApp'][data-test-connection-state='CONNECTED']", timeout=60_000)
                require(not session.upstreams or session.replica == replica_of[session.name],
                        f"session {session.name} reconnected to {session.replica}, was {replica_of[session.name]}")
            resumed = [f"{s.name} {s.iteration_before} -> {s.wait_iteration_above(s.iteration_before)}"
                       for s in running]
            say(f"nginx restarted, websockets dropped: all {len(sessions)} sessions reconnected to their "
                f"replica; running ones resumed (Iteration " + ", ".join(resumed) + ")")
            for session in sessions:
                session.context.close()
        finally:
            browser.close()

    # --- nginx's own record: every request of every session, websockets included --------------
    Processes.stop_one(nginx_proc, signal.SIGQUIT)  # logs the websockets still open, if any
    by_route = parse_access_log(logs / "access.log", names)
    for session in sessions:
        entries = by_route.get(session.cookie, [])
        replicas_seen = {replica for replica, _, _ in entries}
        websockets = [e for e in entries if e[2].startswith("GET /_stcore/stream ")]
        components = [e for e in entries if e[2].startswith("GET /component/")]
        require(entries, f"session {session.name}: nothing in the access log")
        if session in running:  # before and after the nginx restart (and the reload for A)
            require(len(websockets) >= 2 + (session is running[0]),
                    f"session {session.name}: {len(websockets)} websocket connections logged")
        require(replicas_seen == {replica_of[session.name]},
                f"session {session.name}: access log shows replicas {replicas_seen}")
        require(all(status == "101" for _, status, _ in websockets),
                f"session {session.name}: a websocket was not upgraded: {[s for _, s, _ in websockets]}")
        say(f"access log, session {session.name}: {len(entries)} requests ({len(websockets)} websocket "
            f"connections, {len(components)} component files), all to {replica_of[session.name]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep-logs", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    nginx = find_nginx()
    if nginx is None:
        say("nginx not found: apt-get install nginx")
        return 2
    chromium = find_chromium()
    if chromium is None:
        say("no Chromium found: apt-get install chromium (or set $CHROMIUM)")
        return 2

    # Ctrl-C (even if started with SIGINT ignored), SIGTERM and SIGHUP all unwind through the
    # finally below, which stops every process this script started.
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)

    tmp = Path(tempfile.mkdtemp(prefix="gp-replicas-"))
    tmp.chmod(0o755)  # nginx workers may run as another user and need the temp dirs
    (tmp / "logs").mkdir()
    (tmp / "temp").mkdir()
    procs = Processes()
    started = time.monotonic()
    ok = False
    try:
        check(tmp, nginx, chromium, procs)
        ok = True
    except CheckFailed as err:
        say(f"FAILED: {err}")
    except KeyboardInterrupt:
        say("interrupted")
    except Exception as err:  # a Playwright timeout or similar: report it as a failure
        say(f"FAILED: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
    finally:
        procs.stop_all()
        if ok and not args.keep_logs:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            say(f"logs: {tmp / 'logs'}")
    say(f"{'PASS' if ok else 'FAIL'} in {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
