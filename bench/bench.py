"""Floe benchmarks: ratios against baselines measured in the same run (absolute times are noisy here)."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

FLOWERS_SQL = (
    "SELECT species, AVG(petal_length) AS avg_petal_length FROM flowers "
    "GROUP BY species ORDER BY species"
)


def post(url: str, body: dict[str, Any], timeout: float = 900) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(
        url + "/api/v1/warehouse/polars",
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_ready(url: str) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 180:
        try:
            with urllib.request.urlopen(url + "/q/health/ready", timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not become ready")


def timed(fn: Any, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def flowers(url: str) -> None:
    s, r = post(url, {"mode": "query", "query": FLOWERS_SQL, "tables": ["flowers=default.flowers"]})
    assert s == 200 and r["row_count"] == 3, r


def plain_polars_cmd(lake: str, sql: str) -> list[str]:
    code = (
        "import polars as pl\n"
        "from pyiceberg.catalog.sql import SqlCatalog\n"
        f"c = SqlCatalog('lake', uri='sqlite:///{lake}/catalog/catalog.db', warehouse='file://{lake}/warehouse')\n"
        "t = pl.scan_iceberg(c.load_table('default.flowers'))\n"
        f"print(pl.SQLContext(flowers=t).execute({sql!r}).collect().height)\n"
    )
    return [sys.executable, "-I", "-c", code]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def save_throughput(url: str, lake: str, rows: int) -> dict[str, float]:
    make = f"result = pl.select(k=pl.int_range(0, {rows}) % 97, v=pl.int_range(0, {rows}).cast(pl.Float64))\n"
    post(url, {"mode": "script", "script": make.replace(str(rows), "1"), "destination": "bench.save",
               "saveMode": "overwrite"})
    t0 = time.perf_counter()
    s, r = post(url, {"mode": "script", "script": make, "destination": "bench.save", "saveMode": "append",
                      "limits": {"memoryMb": 8192}})
    floe = time.perf_counter() - t0
    assert s == 200 and r["saved"]["rows_written"] == rows, (s, str(r)[:500])
    code = (
        "import time, polars as pl\n"
        "from pyiceberg.catalog.sql import SqlCatalog\n"
        f"c = SqlCatalog('lake', uri='sqlite:///{lake}/catalog/catalog.db', warehouse='file://{lake}/warehouse')\n"
        "t = c.load_table('bench.save')\n"
        f"df = pl.select(k=pl.int_range(0, {rows}) % 97, v=pl.int_range(0, {rows}).cast(pl.Float64)).to_arrow()\n"
        "t0 = time.perf_counter(); t.append(df); print(time.perf_counter() - t0)\n"
    )
    plain = float(subprocess.run([sys.executable, "-I", "-c", code], check=True, capture_output=True,
                                 text=True).stdout.strip())
    return {"floe_s": floe, "plain_s": plain}


ARROW = "application/vnd.apache.arrow.stream"


def arrow_stream(url: str, lake: str, rows: int) -> dict[str, float]:
    """A large table read back as an Arrow stream vs plain Polars reading its Parquet files."""
    make = (
        f"result = pl.select(id=pl.int_range(0, {rows}), k=pl.int_range(0, {rows}) % 1000,"
        f" v=pl.int_range(0, {rows}).cast(pl.Float64) / 7, s=pl.format('row-{{}}', pl.int_range(0, {rows})))\n"
    )
    s, r = post(url, {"mode": "script", "script": make, "destination": "bench.wide", "saveMode": "overwrite",
                      "limits": {"memoryMb": 8192}})
    assert s == 200, (s, str(r)[:500])
    import pyarrow as pa

    body = {"mode": "query", "query": "SELECT * FROM t", "tables": ["t=bench.wide"]}
    req = urllib.request.Request(url + "/api/v1/warehouse/polars", data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json", "accept": ARROW}, method="POST")
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=900) as resp:
        first = resp.read(1)
        ttfb = time.perf_counter() - t0
        raw = first + resp.read()
    floe = time.perf_counter() - t0
    table = pa.ipc.open_stream(raw).read_all()
    assert table.num_rows == rows, table.num_rows
    code = (
        "import time, polars as pl\n"
        "from pyiceberg.catalog.sql import SqlCatalog\n"
        f"c = SqlCatalog('lake', uri='sqlite:///{lake}/catalog/catalog.db', warehouse='file://{lake}/warehouse')\n"
        "files = [t.file.file_path.removeprefix('file://') for t in c.load_table('bench.wide').scan().plan_files()]\n"
        "t0 = time.perf_counter(); df = pl.read_parquet(files); a = df.to_arrow()\n"
        "print(time.perf_counter() - t0)\n"
    )
    plain = float(subprocess.run([sys.executable, "-I", "-c", code], check=True, capture_output=True,
                                 text=True).stdout.strip())
    return {"floe_s": floe, "ttfb_s": ttfb, "plain_s": plain, "mb": len(raw) / 1e6}


def json_rendering(url: str, rows: int) -> dict[str, float]:
    """Rows/s of JSON rendering: the same run answered with all rows inline minus with one row."""
    make = (f"result = pl.select(id=pl.int_range(0, {rows}), v=pl.int_range(0, {rows}).cast(pl.Float64) / 3,"
            f" s=pl.lit('some text'), d=pl.date(2026, 1, 1))\n")

    def run(max_rows: int) -> float:
        t0 = time.perf_counter()
        s, r = post(url, {"mode": "script", "script": make, "limits": {"maxRows": max_rows}})
        assert s == 200 and r["row_count"] == rows, (s, str(r)[:300])
        return time.perf_counter() - t0

    full = statistics.median([run(rows) for _ in range(5)])
    one = statistics.median([run(1) for _ in range(5)])
    return {"full_s": full, "one_s": one}


def load(url: str, pid: int, clients: int, seconds: float) -> dict[str, Any]:
    """`clients` threads posting the flowers query back to back for `seconds`."""
    import collections
    import threading

    body = {"mode": "query", "query": FLOWERS_SQL, "tables": ["flowers=default.flowers"]}
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    codes: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()

    def client() -> None:
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            s, _ = post(url, body, timeout=600)
            with lock:
                codes[s] += 1
                if s == 200:
                    latencies.append(time.perf_counter() - t0)
            if s == 429:
                time.sleep(1)

    rss_before = rss_mb(pid)
    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    time.sleep(2)
    latencies.sort()
    return {
        "ok_per_s": codes[200] / elapsed,
        "p50": latencies[len(latencies) // 2] if latencies else float("nan"),
        "p99": latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan"),
        "codes": dict(codes),
        "rss_before": rss_before,
        "rss_after": rss_mb(pid),
        "elapsed": elapsed,
    }


HOSTILE_DIR = Path(__file__).resolve().parent.parent / "src/test/resources/hostile"
INCLUDE = "# floe-test: include "


def fixture(name: str) -> str:
    """A hostile fixture's text with its include lines expanded, as HostileWorkloadsTest sends it."""
    lines = (HOSTILE_DIR / name).read_text().splitlines()
    return "".join(fixture(line[len(INCLUDE):]) if line.startswith(INCLUDE) else line + "\n"
                   for line in lines)


HOSTILE_HEADING = "## Service memory while 4 hostile runs go on at once"


def hostile_runs() -> dict[str, dict[str, Any]]:
    """The four hostile workloads, from the test fixtures (each checks its isolation first)."""
    return {
        "memory bomb (grow to the 1024 MB limit)": {
            "script": fixture("01_memory_bomb.py"), "params": {"variant": "grow"},
            "limits": {"memoryMb": 1024}},
        "fork bomb (to the pids limit)": {"script": fixture("03_fork_bomb.py"), "params": {"variant": "fork"}},
        "stdout flood (1 GB)": {"script": fixture("07_stdout_flood.py"), "params": {"variant": "flood", "mb": 1024}},
        "busy loop (15 s time limit)": {
            "script": fixture("04_busy_loop.py"), "params": {"variant": "busy", "marker": "floe-bench-busy"},
            "limits": {"timeoutSeconds": 15}},
    }


def hostile(url: str, pid: int, rounds: int) -> list[str]:
    """Service RSS before, during and after rounds of 4 concurrent hostile runs, sampled every 100 ms."""
    load = os.getloadavg()
    for _ in range(3):
        flowers(url)
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(rss_mb(pid))
            time.sleep(0.1)

    time.sleep(2)
    before = []
    for _ in range(10):
        before.append(rss_mb(pid))
        time.sleep(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    outcomes: dict[str, list[str]] = {}
    latencies: list[float] = []
    t0 = time.perf_counter()
    for _ in range(rounds):
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = {name: pool.submit(post, url, {"mode": "script", **body})
                       for name, body in hostile_runs().items()}
            while not all(f.done() for f in futures.values()):
                latencies.extend(timed(lambda: flowers(url), 1))
                time.sleep(0.5)
            for name, f in futures.items():
                status, body = f.result()
                outcomes.setdefault(name, []).append(f"{status} {body.get('error_code') or 'OK'}")
    elapsed = time.perf_counter() - t0
    stop.set()
    sampler.join()
    time.sleep(5)
    after = rss_mb(pid)
    for _ in range(3):
        flowers(url)
    med = statistics.median
    lines = [
        HOSTILE_HEADING,
        "",
        (
            f"Measured {datetime.date.today().isoformat()} by `bench/run --hostile` on {platform.node()}"
            f" ({os.cpu_count()} cores): {rounds} rounds of these 4 runs at once against the bwrap runner,"
            f" {elapsed:.0f} s in all, the service's RSS (VmRSS of its JVM, default heap settings) sampled"
            " every 100 ms, and a flowers query sent every 0.5 s meanwhile. Load average at the start"
            f" (1/5/15 min): {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}."
        ),
        "",
        "| hostile run | answers |",
        "|---|---|",
        *[f"| {name} | {', '.join(sorted(set(o)))} |" for name, o in outcomes.items()],
        "",
        "| service RSS | MB |",
        "|---|---|",
        f"| before (idle, after 3 queries) | {med(before):.0f} |",
        f"| during: median / peak | {med(samples):.0f} / {max(samples):.0f} |",
        f"| 5 s after the last run | {after:.0f} |",
        "",
        (
            f"- flowers queries answered meanwhile: {len(latencies)}, median {med(latencies) * 1000:.0f} ms,"
            f" slowest {max(latencies) * 1000:.0f} ms"
        ),
        (
            "- the runs' own memory (the 1 GB bomb, 1024 forked processes, the flood's pipe) is in their"
            " cgroups, not the service: the service holds 64 KiB of each run's logs."
        ),
        "",
    ]
    print("\n".join(lines))
    return lines


def replace_section(path: str, heading: str, lines: list[str]) -> None:
    """Puts a section into RESULTS.md in place of its previous version (or at the end)."""
    text = Path(path).read_text() if Path(path).exists() else ""
    section = "\n".join(lines)
    pattern = re.compile(re.escape(heading) + r".*?(?=\n## |\Z)", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _m: section.rstrip("\n"), text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    Path(path).write_text(text.rstrip("\n") + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bwrap", required=True)
    ap.add_argument("--unsafe", required=True)
    ap.add_argument("--lake", required=True)
    ap.add_argument("--pids", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--save-rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--arrow-rows", type=int, default=10_000_000)
    ap.add_argument("--json-rows", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--load-seconds", type=float, default=60)
    ap.add_argument("--hostile", action="store_true",
                    help="only the service's memory under 4 hostile runs; updates that section")
    ap.add_argument("--hostile-rounds", type=int, default=3)
    a = ap.parse_args()

    if a.hostile:
        wait_ready(a.bwrap)
        replace_section(a.out, HOSTILE_HEADING, hostile(a.bwrap, a.pids, a.hostile_rounds))
        return

    for url in (a.bwrap, a.unsafe):
        wait_ready(url)
    rss_before = rss_mb(a.pids)
    cold = timed(lambda: flowers(a.bwrap), 1)[0]
    warm = timed(lambda: flowers(a.bwrap), a.repeat)
    unsafe = timed(lambda: flowers(a.unsafe), a.repeat)
    plain = timed(lambda: subprocess.run(plain_polars_cmd(a.lake, FLOWERS_SQL), check=True,
                                         capture_output=True), a.repeat)
    rss_after = rss_mb(a.pids)
    save = save_throughput(a.bwrap, a.lake, a.save_rows)
    arrow = arrow_stream(a.bwrap, a.lake, a.arrow_rows)
    rendering = json_rendering(a.bwrap, a.json_rows)
    busy = load(a.bwrap, a.pids, a.clients, a.load_seconds)

    med = statistics.median
    p = lambda xs: f"{med(xs) * 1000:.0f} ms (p90 {sorted(xs)[int(len(xs) * 0.9) - 1] * 1000:.0f} ms)"  # noqa: E731
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "# Floe benchmark results",
        "",
        f"Measured {datetime.date.today().isoformat()} by `bench/run` on {platform.node()}: {os.cpu_count()} cores"
        f" ({cpu}), {mem:.0f} GiB, {platform.platform()}. Absolute times on this shared machine are noisy;"
        " the ratios compare runs made side by side in the same invocation.",
        "",
        "## Flowers query, end to end (HTTP → sandboxed Python → JSON)",
        "",
        "| what | median |",
        "|---|---|",
        f"| Floe, first request after start (cold) | {cold * 1000:.0f} ms |",
        f"| Floe, bwrap runner (warm, n={a.repeat}) | {p(warm)} |",
        f"| Floe, unsafe-process runner (no isolation) | {p(unsafe)} |",
        f"| plain Polars: fresh `python -c` scan_iceberg + SQL on the same table | {p(plain)} |",
        "",
        f"- isolation overhead (bwrap ÷ unsafe-process): **{med(warm) / med(unsafe):.2f}×**",
        f"- Floe warm ÷ plain Polars in a fresh process: **{med(warm) / med(plain):.2f}×** (both start a"
        " Python process and import polars/pyiceberg per run; a warm pool is roadmap work)",
        f"- service RSS before/after {1 + 2 * a.repeat} runs: {rss_before:.0f} MB → {rss_after:.0f} MB",
        "",
        f"## Save throughput ({a.save_rows:,} rows, two columns, append)",
        "",
        "| what | seconds | rows/s |",
        "|---|---|---|",
        f"| Floe: generate in the sandbox + trusted commit | {save['floe_s']:.2f} | {a.save_rows / save['floe_s']:,.0f} |",
        f"| plain PyIceberg `append` of the same data (already in memory) | {save['plain_s']:.2f} | {a.save_rows / save['plain_s']:,.0f} |",
        "",
        f"- Floe ÷ plain PyIceberg: **{save['floe_s'] / save['plain_s']:.2f}×** (Floe's figure includes"
        " the run itself: process start, generating the data, writing and re-reading the Arrow result)",
        "",
        f"## Arrow streaming ({a.arrow_rows:,} rows, 4 columns, `SELECT *` over an Iceberg table)",
        "",
        "| what | seconds | MB/s |",
        "|---|---|---|",
        f"| Floe: HTTP, Accept Arrow, streamed from the sandbox ({arrow['mb']:.0f} MB) | {arrow['floe_s']:.2f} |"
        f" {arrow['mb'] / arrow['floe_s']:.0f} |",
        f"| plain Polars `read_parquet` of the table's data files + `to_arrow` (in process) | {arrow['plain_s']:.2f} |"
        f" {arrow['mb'] / arrow['plain_s']:.0f} |",
        "",
        f"- Floe ÷ plain Polars: **{arrow['floe_s'] / arrow['plain_s']:.2f}×** (Floe's figure includes starting"
        " the sandbox, planning the Iceberg scan and the HTTP transfer)",
        f"- time to first byte: **{arrow['ttfb_s'] * 1000:.0f} ms** of {arrow['floe_s'] * 1000:.0f} ms",
        "",
        f"## JSON rendering ({a.json_rows:,} rows, 4 columns)",
        "",
        f"- the same run answered with all rows inline: {rendering['full_s'] * 1000:.0f} ms; with one row:"
        f" {rendering['one_s'] * 1000:.0f} ms (medians of 5)",
        f"- rendering: **{a.json_rows / max(rendering['full_s'] - rendering['one_s'], 1e-9):,.0f} rows/s**"
        " (the difference, so the run itself cancels out)",
        "",
        f"## {a.clients} concurrent clients, {a.load_seconds:.0f} s, flowers query (default pool: one runner per core,"
        " queue of 64)",
        "",
        f"- {busy['ok_per_s']:.2f} answered requests/s; latency p50 {busy['p50'] * 1000:.0f} ms, p99"
        f" {busy['p99'] * 1000:.0f} ms (queueing included)",
        f"- responses by status: {busy['codes']} (anything but 200 and 429 is a failure)",
        f"- service RSS before/after: {busy['rss_before']:.0f} MB → {busy['rss_after']:.0f} MB",
        "",
    ]
    lines += hostile(a.bwrap, a.pids, a.hostile_rounds)
    with open(a.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
