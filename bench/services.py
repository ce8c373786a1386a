"""The services a bench run starts and talks to: its own Floe(s) and ROAPI, over HTTP only."""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ARROW = "application/vnd.apache.arrow.stream"
# What the contract and docs/runs-api.md define today; anything else in a response is printed as new.
KNOWN_FIELDS = {
    "success",
    "results",
    "row_count",
    "execution_time",
    "error",
    "saved",
    "compute",
    "logs",
    "truncated",
    "run_id",
    "dry_run",
    "details",
    "error_code",
    "diagnostics",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Response:
    status: int
    body: dict[str, Any]
    seconds: float
    headers: dict[str, str]


#: The admin key of each Floe the bench started (by URL), read from the file Floe wrote at start.
KEYS: dict[str, str] = {}


def auth(url: str) -> dict[str, str]:
    """The Authorization header for a Floe the bench started; nothing for the baselines."""
    key = KEYS.get(url)
    return {"authorization": f"Bearer {key}"} if key else {}


def post_json(url: str, path: str, body: Any, timeout: float = 900, headers: dict[str, str] | None = None) -> Response:
    req = urllib.request.Request(
        url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json", **auth(url), **(headers or {})},
    )
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw, status, hdrs = r.read(), r.status, dict(r.headers)
    except urllib.error.HTTPError as e:
        raw, status, hdrs = e.read(), e.code, dict(e.headers)
    seconds = time.perf_counter() - t0
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        parsed = {"unparsed": raw[:300].decode(errors="replace")}
    return Response(status, parsed, seconds, hdrs)


@dataclass
class Download:
    status: int
    seconds: float
    ttfb: float
    data: bytes


def download(url: str, path: str, body: bytes, content_type: str, accept: str) -> Download:
    """POSTs and reads the whole answer in 1 MiB chunks, noting when the first body byte arrived."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=900)
    t0 = time.perf_counter()
    conn.request("POST", path, body=body, headers={"content-type": content_type, "accept": accept, **auth(url)})
    resp = conn.getresponse()
    chunks = [resp.read(1)]
    ttfb = time.perf_counter() - t0
    while chunk := resp.read(1 << 20):
        chunks.append(chunk)
    seconds = time.perf_counter() - t0
    conn.close()
    return Download(resp.status, seconds, ttfb, b"".join(chunks))


class Client:
    """One HTTP connection whose request in flight another thread can cut (Floe then cancels that run)."""

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=900)
        self.headers = {"content-type": "application/json", **auth(url)}
        self.cut = False

    def post_json(self, path: str, body: Any) -> Response:
        t0 = time.perf_counter()
        self.conn.request(
            "POST",
            path,
            body=json.dumps(body).encode(),
            headers=self.headers,
        )
        resp = self.conn.getresponse()
        raw = resp.read()
        return Response(
            resp.status,
            json.loads(raw) if raw else {},
            time.perf_counter() - t0,
            dict(resp.headers),
        )

    def abort(self) -> None:
        self.cut = True
        if self.conn.sock is not None:
            with contextlib.suppress(OSError):
                self.conn.sock.shutdown(socket.SHUT_RDWR)


class Floe:
    """One Floe of this bench: its own JVM, home and free port; stopped by its own pid."""

    def __init__(self, name: str, home: Path, python: str, props: dict[str, str] | None = None) -> None:
        self.name, self.home, self.port = name, home / name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / f"{name}.log"
        args = [
            "java",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            f"-Dquarkus.http.port={self.port}",
            f"-Dfloe.home={self.home}",
            f"-Dfloe.sandbox.python={python}",
        ]
        args += [f"-D{k}={v}" for k, v in (props or {}).items()]
        args += ["-jar", str(ROOT / "target/quarkus-app/quarkus-run.jar")]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(args, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        self.pid = self.proc.pid
        self.ready_after = float("nan")

    def wait_ready(self, limit: float = 240) -> dict[str, Any]:
        """Waits for our own JVM to listen on our port and answer ready; never trusts the port alone."""
        while time.perf_counter() - self.started < limit:
            if self.proc.poll() is not None:
                raise SystemExit(
                    f"Floe '{self.name}' exited with {self.proc.returncode} during start-up;"
                    f" its log: {self.log}\n{self.log_text()[-3000:]}"
                )
            if f":{self.port}" in self.log_text():
                ready = self.readiness()
                if ready.get("status") == "UP":
                    self.ready_after = time.perf_counter() - self.started
                    KEYS[self.url] = (self.home / "admin.key").read_text().strip()
                    return ready
            time.sleep(0.2)
        raise SystemExit(f"Floe '{self.name}' was not ready after {limit:.0f} s: {self.readiness()}")

    def readiness(self) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(self.url + "/q/health/ready", timeout=5) as r:
                return dict(json.loads(r.read()))
        except urllib.error.HTTPError as e:
            return dict(json.loads(e.read() or b"{}"))
        except OSError as e:
            return {"status": "unreachable", "problem": str(e)}

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def process_ms(self) -> dict[str, int]:
        """Per-run sandbox process times from the service log ('run <id>: <runner> exit=… in N ms')."""
        pattern = re.compile(r"run (\S+): \S+ exit=-?\d+ timedOut=\w+ in (\d+) ms")
        return {m.group(1): int(m.group(2)) for m in pattern.finditer(self.log_text())}

    def rss(self) -> float:
        return rss_mb(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def query(url: str, sql: str, tables: list[str], timeout: float = 900, **extra: Any) -> Response:
    body = {"mode": "query", "query": sql, "tables": tables, **extra}
    return post_json(url, "/api/v1/warehouse/polars", body, timeout)


def script(url: str, script: str, **extra: Any) -> Response:
    return post_json(url, "/api/v1/warehouse/polars", {"mode": "script", "script": script, **extra})


def execution_ms(resp: Response) -> float:
    m = re.fullmatch(r"(\d+)ms", str(resp.body.get("execution_time", "")))
    return float(m.group(1)) if m else float("nan")


def extra_fields(body: dict[str, Any]) -> dict[str, Any]:
    """Response fields beyond today's contract (e.g. a future per-phase timing or warm/cold path)."""
    return {k: v for k, v in body.items() if k not in KNOWN_FIELDS}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def pool_figures(ready: dict[str, Any]) -> dict[str, Any]:
    """Readiness data that speaks of a warm pool, if this Floe has one."""
    figures = {}
    for check in ready.get("checks", []):
        for k, v in flatten(check.get("data") or {}).items():
            if re.search(r"warm|pool", k, re.IGNORECASE):
                figures[f"{check.get('name')}.{k}"] = v
    return figures


class Roapi:
    """ROAPI serving Parquet files, the reference for the same queries without a sandbox."""

    def __init__(self, binary: str, tables: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [binary, "-a", f"127.0.0.1:{self.port}"]
        for name, uri in tables.items():
            args += ["-t", f"{name}={uri}"]
        self.log = log
        self.proc = subprocess.Popen(args, stdout=log.open("w"), stderr=subprocess.STDOUT)
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 120:
            if self.proc.poll() is not None:
                raise SystemExit(f"roapi exited with {self.proc.returncode}: {log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/api/schema", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"roapi did not answer within 120 s: {log.read_text()[-2000:]}")

    def sql(self, text: str, accept: str = "application/json") -> Download:
        return download(self.url, "/api/sql", text.encode(), "text/plain", accept)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
