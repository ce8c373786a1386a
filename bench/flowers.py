"""Sections 1 and 2: the README's flowers query, one client at a time and 32 at once."""

from __future__ import annotations

import collections
import http.client
import json
import math
import os
import threading
import time
from typing import Any

import fixtures
import services
from services import Floe, Roapi
from stats import Context, Target, med, ms, pct, ratio

FLOWERS_SQL = "SELECT species, AVG(petal_length) AS avg_petal_length FROM flowers GROUP BY species ORDER BY species"
TABLES = ["flowers=default.flowers"]


def ask(url: str) -> services.Response:
    return services.query(url, FLOWERS_SQL, TABLES)


def check(resp: services.Response) -> list[list[Any]]:
    if resp.status != 200 or resp.body.get("row_count") != 3:
        raise SystemExit(f"flowers query failed: {resp.status} {json.dumps(resp.body)[:500]}")
    return list(resp.body["results"]["rows"])


def sequential(floe: Floe, n: int, warmup: int) -> dict[str, Any]:
    """n requests one after another, after `warmup` untimed ones; HTTP, reported and logged times."""
    for _ in range(warmup):
        check(ask(floe.url))
    latencies, exec_ms, extras, ids = [], [], [], []
    for _ in range(n):
        r = ask(floe.url)
        check(r)
        latencies.append(r.seconds)
        exec_ms.append(services.execution_ms(r) / 1000)
        extras.append(services.extra_fields(r.body))
        ids.append(r.body.get("run_id"))
    logged = floe.process_ms()
    process = [logged[i] / 1000 for i in ids if i in logged]
    return {"lat": latencies, "exec": exec_ms, "process": process, "extras": extras}


def plain_polars(lake: Any, n: int, warmup: int) -> tuple[list[float], list[list[Any]]]:
    """The same query in this process: table loaded once, then scan_iceberg + SQL + collect per query."""
    import polars as pl

    table = fixtures.catalog(lake).load_table("default.flowers")

    def once() -> list[list[Any]]:
        frame = pl.SQLContext(flowers=pl.scan_iceberg(table)).execute(FLOWERS_SQL).collect()
        return [list(r) for r in frame.rows()]

    for _ in range(warmup):
        rows = once()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        rows = once()
        times.append(time.perf_counter() - t0)
    return times, rows


def roapi_times(ctx: Context, n: int, warmup: int) -> tuple[list[float], list[list[Any]]]:
    files = fixtures.data_files(fixtures.catalog(ctx.lake).load_table("default.flowers"))
    uri = files[0] if len(files) == 1 else os.path.dirname(files[0])
    roapi = Roapi(ctx.tool("roapi"), {"flowers": uri}, ctx.home / "roapi-flowers.log")
    try:
        for _ in range(warmup):
            roapi.sql(FLOWERS_SQL)
        times = []
        for _ in range(n):
            d = roapi.sql(FLOWERS_SQL)
            assert d.status == 200, d.data[:300]
            times.append(d.seconds)
        rows = [[r["species"], r["avg_petal_length"]] for r in json.loads(d.data)]
        return times, rows
    finally:
        roapi.stop()


def same_rows(a: list[list[Any]], b: list[list[Any]]) -> bool:
    return len(a) == len(b) and all(
        x[0] == y[0] and math.isclose(float(x[1]), float(y[1]), rel_tol=1e-9) for x, y in zip(a, b, strict=True)
    )


def summarize_extras(extras: list[dict[str, Any]]) -> list[str]:
    """Timing or path fields beyond today's contract, as medians (numbers) or counts (words)."""
    flat = [services.flatten(e) for e in extras if e]
    if not flat:
        return ["- the responses carry no timing fields beyond `execution_time` (today's contract)"]
    keys = sorted({k for f in flat for k in f})
    out = ["- fields beyond today's contract in the responses (median of numbers, counts of words):"]
    for k in keys:
        vals = [f[k] for f in flat if k in f]
        nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if nums and len(nums) == len(vals):
            out.append(f"  - `{k}`: median {med([float(v) for v in nums]):g}")
        elif len(vals) > 1 and len(set(map(str, vals))) == len(vals):
            out.append(f"  - `{k}`: {len(vals)} distinct values, one per response")
        else:
            out.append(f"  - `{k}`: {dict(collections.Counter(str(v) for v in vals))}")
    return out


def cold_path(ctx: Context, first_request_s: float) -> list[str]:
    """The first request after start, and runs made while the warm pool is empty (if there is one)."""
    lines = [f"- first request after start: **{ms(first_request_s)}**"]
    pool = services.pool_figures(ctx.floe.readiness())
    if not pool:
        lines.append(
            "- `/q/health/ready` shows no warm-pool figure: this build starts a fresh runner for every"
            " run, so every run above took the cold path (cold p50 = the p50 above)"
        )
        return lines
    lines.append(f"- warm pool in `/q/health/ready`: {pool}")
    prop = dict([ctx.opts.cold_prop.split("=", 1)])
    cold = Floe("cold", ctx.home, ctx.floe_python, prop)
    try:
        cold.wait_ready()
        res = sequential(cold, ctx.opts.cold_n, 3)
        lines.append(
            f"- a second Floe started with `{ctx.opts.cold_prop}` (the pool always empty): p50"
            f" **{ms(med(res['lat']))}**, p99 {ms(pct(res['lat'], 0.99))} over {ctx.opts.cold_n} runs"
        )
        lines.append(f"  (its readiness: {services.pool_figures(cold.readiness())})")
    except SystemExit as e:
        lines.append(f"- a Floe with `{ctx.opts.cold_prop}` did not start, so no empty-pool figure: {str(e)[:300]}")
    finally:
        cold.stop()
    return lines


def section_sequential(ctx: Context, first_request_s: float) -> list[str]:
    o = ctx.opts
    floe = sequential(ctx.floe, o.flowers_n, o.warmup)
    plain, plain_rows = plain_polars(ctx.lake, o.flowers_n, o.warmup)
    ro, ro_rows = roapi_times(ctx, o.flowers_n, o.warmup)
    rows = check(ask(ctx.floe.url))
    for name, other in (("plain Polars", plain_rows), ("ROAPI", ro_rows)):
        if not same_rows(rows, other):
            ctx.failures.append(f"flowers: Floe answered {rows}, {name} {other}")
    lat, p50 = floe["lat"], med(floe["lat"])
    added = p50 - med(plain)
    lines = [
        "## 1. Flowers query, one request at a time",
        "",
        f"`{FLOWERS_SQL}` on `default.flowers`, {o.flowers_n} sequential requests after {o.warmup} warm-up"
        " ones, each side.",
        "",
        "| what | p50 | p99 | p50 ÷ plain Polars |",
        "|---|---|---|---|",
        f"| Floe over HTTP (JSON) | {ms(p50)} | {ms(pct(lat, 0.99))} | {ratio(p50, med(plain))} |",
        f"| plain Polars in one process (`scan_iceberg` + SQL + collect) | {ms(med(plain))} |"
        f" {ms(pct(plain, 0.99))} | 1.00× |",
        f"| ROAPI 0.12.7 over HTTP (same Parquet file, JSON) | {ms(med(ro))} | {ms(pct(ro, 0.99))} |"
        f" {ratio(med(ro), med(plain))} |",
        "",
        f"- Floe's added latency over plain Polars at p50: **{ms(added)}**; Floe ÷ ROAPI at p50: {ratio(p50, med(ro))}",
        f"- where Floe's time goes (p50): HTTP round trip {ms(p50)}; the response's `execution_time`"
        f" {ms(med(floe['exec']))}; the sandbox process, from the service log"
        f" {ms(med(floe['process'])) if floe['process'] else 'n/a (no per-run line in the log)'}",
        *summarize_extras(floe["extras"]),
        *cold_path(ctx, first_request_s),
        "",
    ]
    ctx.targets += [
        Target(
            f"flowers p50 / p99 ({o.flowers_n} sequential)",
            "≤ 60 ms / ≤ 150 ms",
            f"{ms(p50)} / {ms(pct(lat, 0.99))}",
            p50 <= 0.060 and pct(lat, 0.99) <= 0.150,
        ),
        Target("Floe's added latency over plain Polars (p50)", "≤ 30 ms", ms(added), added <= 0.030),
    ]
    return lines


def section_concurrent(ctx: Context) -> list[str]:
    """`clients` threads posting the flowers query back to back for `seconds`; RSS sampled throughout."""
    o, floe = ctx.opts, ctx.floe
    for _ in range(3):
        check(ask(floe.url))
    time.sleep(1)
    before = []
    for _ in range(10):
        before.append(floe.rss())
        time.sleep(0.1)
    samples: list[float] = []
    done: list[tuple[float, float]] = []  # (finished at, latency) of 200s
    codes: collections.Counter[int] = collections.Counter()
    lock, stop_sampling = threading.Lock(), threading.Event()
    start = time.perf_counter()
    end = start + o.load_seconds
    ready_mid: dict[str, Any] = {}

    clients = [services.Client(floe.url) for _ in range(o.clients)]
    cut: list[int] = []
    body = {"mode": "query", "query": FLOWERS_SQL, "tables": TABLES}

    def client(c: services.Client) -> None:
        while time.perf_counter() < end:
            try:
                r = c.post_json("/api/v1/warehouse/polars", body)
            except (OSError, http.client.HTTPException):
                if c.cut:  # still in flight at the end of the window: cut, so Floe cancels it
                    with lock:
                        cut.append(1)
                    return
                raise
            with lock:
                codes[r.status] += 1
                if r.status == 200:
                    done.append((time.perf_counter(), r.seconds))
            if r.status == 429:
                time.sleep(min(float(r.headers.get("Retry-After", "1") or 1), 5))
            elif r.status != 200:
                time.sleep(0.5)  # a failing Floe is counted, not hammered

    def sample() -> None:
        while not stop_sampling.is_set():
            samples.append(floe.rss())
            if not ready_mid and time.perf_counter() > start + o.load_seconds / 2:
                ready_mid.update(floe.readiness())
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=client, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    time.sleep(max(0.0, end - time.perf_counter()))
    for c in clients:
        c.abort()
    for t in threads:
        t.join()
    stop_sampling.set()
    sampler.join()
    time.sleep(5)
    after = floe.rss()
    in_window = [lat for at, lat in done if at <= end]
    all_lat = in_window
    rate = len(in_window) / o.load_seconds
    bad = {c: n for c, n in codes.items() if c not in (200, 429)}
    if bad:
        ctx.failures.append(f"concurrent clients: statuses other than 200/429: {bad}")
    peak = max(samples) if samples else float("nan")
    flat = peak <= med(before) * 1.25 and after <= med(before) * 1.25
    runs_data = next((c.get("data") for c in ready_mid.get("checks", []) if c.get("name") == "runs"), None)
    lines = [
        f"## 2. {o.clients} concurrent clients for {o.load_seconds:.0f} s, flowers query",
        "",
        f"Each client sends the next request when its answer came (after `Retry-After` on a 429); the rate counts"
        f" the 200s answered inside the {o.load_seconds:.0f} s window; the {len(cut)} requests still in flight"
        " at its end are cut (Floe cancels their runs).",
        "",
        f"- answered runs per second: **{rate:.2f}** ({len(in_window)} answers)",
        f"- statuses: {dict(sorted(codes.items()))} (anything but 200 and 429 is a failure)",
        f"- latency of the 200s (queueing included): p50 {ms(med(all_lat))}, p99 {ms(pct(all_lat, 0.99))}",
        f"- service RSS (VmRSS of the JVM, sampled every 0.5 s): before {med(before):.0f} MB, during median"
        f" {med(samples):.0f} / peak {peak:.0f} MB, 5 s after {after:.0f} MB — peak ÷ before"
        f" {ratio(peak, med(before))} ({'flat' if flat else 'NOT flat'}: within 25 % of before)",
        f"- `/q/health/ready` half-way: runs {runs_data}; warm pool {services.pool_figures(ready_mid) or 'none'}",
        "",
    ]
    ctx.targets.append(
        Target(
            f"{o.clients} concurrent clients, {o.load_seconds:.0f} s: answered runs/s",
            "≥ 20/s, only 200/429, RSS flat",
            f"{rate:.2f}/s, {dict(codes)}, RSS {'flat' if flat else 'not flat'}",
            rate >= 20 and not bad and flat,
        )
    )
    return lines
