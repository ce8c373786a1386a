"""Sections 3–5: a CPU-heavy script, appends of 100 rows, a 5M-row Arrow result."""

from __future__ import annotations

import json
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import fixtures
import services
from services import ARROW, Roapi
from stats import Context, Target, med, ms, pct, ratio


def cpu_script(rows: int) -> str:
    return (
        f"df = pl.select(i=pl.int_range(0, {rows:_}))\n"
        "result = (\n"
        "    df.with_columns(k=pl.col('i') % 1000)\n"
        "    .group_by('k')\n"
        "    .agg(total=pl.col('i').sum(), odd=(pl.col('i') % 7).sum(), n=pl.len())\n"
        "    .sort('k')\n"
        ")\n"
    )


def section_cpu(ctx: Context) -> list[str]:
    """The same script through Floe and exec'd here with the same Polars and thread count."""
    import polars as pl

    o, text = ctx.opts, cpu_script(ctx.opts.cpu_rows)
    code = compile(text, "cpu.py", "exec")

    def plain() -> tuple[float, list[Any]]:
        scope: dict[str, Any] = {"pl": pl}
        t0 = time.perf_counter()
        exec(code, scope)
        return time.perf_counter() - t0, [list(r) for r in scope["result"].rows()]

    def floe() -> tuple[float, list[Any], float]:
        r = services.script(ctx.floe.url, text, limits={"maxRows": 100_000})
        if r.status != 200:
            raise SystemExit(f"CPU script failed in Floe: {r.status} {json.dumps(r.body)[:500]}")
        return r.seconds, r.body["results"]["rows"], services.execution_ms(r) / 1000

    plain(), floe()  # warm-up
    p_times, f_times, f_exec = [], [], []
    for _ in range(o.cpu_n):
        s, p_rows = plain()
        p_times.append(s)
        s, f_rows, e = floe()
        f_times.append(s)
        f_exec.append(e)
    if p_rows != f_rows:
        ctx.failures.append(
            f"CPU script: Floe's answer differs from plain Polars' (first rows {f_rows[:2]} vs {p_rows[:2]})"
        )
    r = med(f_times) / med(p_times)
    ctx.targets.append(
        Target(
            f"CPU-heavy script ({o.cpu_rows:,} rows group-by), Floe ÷ plain Polars",
            "≤ 1.10×",
            f"{r:.2f}× ({med(f_times):.2f} s vs {med(p_times):.2f} s)",
            r <= 1.10,
        )
    )
    return [
        "## 3. CPU-heavy script",
        "",
        f"A group-by over {o.cpu_rows:,} generated rows (1,000 groups), the same text through Floe (script mode,"
        f" JSON) and `exec`'d in this process with the same Polars ({pl.__version__}, {pl.thread_pool_size()}"
        f" threads; Floe's runs get `floe.sandbox.max-threads`, by default the {os.cpu_count()} cores). Medians of"
        f" {o.cpu_n}, alternating, after one warm-up each. Answers compared row by row.",
        "",
        "```python",
        text.rstrip(),
        "```",
        "",
        "| what | median | ÷ plain Polars |",
        "|---|---|---|",
        f"| Floe over HTTP | {med(f_times):.2f} s (`execution_time` {med(f_exec):.2f} s) | **{r:.2f}×** |",
        f"| plain Polars in one process | {med(p_times):.2f} s | 1.00× |",
        "",
    ]


def append_body(start: int) -> dict[str, Any]:
    text = (
        "result = pl.select(id=pl.int_range(params['start'], params['start'] + 100),"
        " v=pl.int_range(0, 100).cast(pl.Float64) / 3, s=pl.lit('appended'))\n"
    )
    return {
        "script": text,
        "params": {"start": start},
        "destination": "bench.appends",
        "saveMode": "append",
    }


def section_append(ctx: Context) -> list[str]:
    """Appends of 100 rows end to end, sequential then 8 at once; then every row is counted."""
    import polars as pl

    o, url = ctx.opts, ctx.floe.url
    first = services.script(url, **{**append_body(0), "saveMode": "overwrite"})
    if first.status != 200:
        raise SystemExit(f"creating bench.appends through Floe failed: {first.status} {json.dumps(first.body)[:500]}")
    times, statuses = [], []
    for i in range(1, o.append_n + 1):
        r = services.script(url, **append_body(i * 100))
        statuses.append(r.status)
        times.append(r.seconds)
    starts = [(o.append_n + 1 + i) * 100 for i in range(o.append_concurrent)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(o.append_concurrent) as pool:
        conc = list(pool.map(lambda s: services.script(url, **append_body(s)), starts))
    conc_s = time.perf_counter() - t0
    acknowledged = 1 + statuses.count(200) + sum(r.status == 200 for r in conc)
    table = fixtures.catalog(ctx.lake).load_table("bench.appends")
    counted = pl.scan_iceberg(table).select(n=pl.len(), d=pl.col("id").n_unique()).collect().row(0)
    expect = 100 * (1 + o.append_n + o.append_concurrent)
    verdict = "nothing lost" if counted == (expect, expect) else "ROWS LOST OR DOUBLED"
    bad = [s for s in statuses + [r.status for r in conc] if s != 200]
    if bad or counted != (expect, expect):
        ctx.failures.append(
            f"appends: expected {expect} rows ({expect} distinct ids), the table holds"
            f" {counted[0]} ({counted[1]} distinct); statuses other than 200: {bad}"
        )
    # The baseline: PyIceberg appending the same 100 rows in this process (table loaded once).
    df = pl.select(id=pl.int_range(0, 100), v=pl.int_range(0, 100).cast(pl.Float64) / 3, s=pl.lit("appended"))
    plain_table = fixtures.create(ctx.lake, "bench.appends_plain", fixtures.plain_arrow(df.to_arrow()))
    arrow = fixtures.plain_arrow(df.to_arrow())
    plain = []
    for _ in range(o.append_n):
        t0 = time.perf_counter()
        plain_table.append(arrow)
        plain.append(time.perf_counter() - t0)
    p50 = med(times)
    ctx.targets.append(
        Target(
            "append of 100 rows, p50 end to end",
            "≤ 300 ms; 8 concurrent lose nothing",
            f"{ms(p50)}; {counted[0]} of {expect} rows",
            p50 <= 0.300 and counted == (expect, expect),
        )
    )
    return [
        "## 4. Append of 100 rows",
        "",
        f"A script producing 100 rows saved with `saveMode: append` to `bench.appends`: {o.append_n} sequential"
        f" appends, then {o.append_concurrent} at once; then the table's rows counted with PyIceberg + Polars.",
        "",
        "| what | p50 | p99 | p50 ÷ plain PyIceberg |",
        "|---|---|---|---|",
        f"| Floe over HTTP: run + trusted commit | {ms(p50)} | {ms(pct(times, 0.99))} | **{ratio(p50, med(plain))}** |",
        f"| plain PyIceberg `append` of the same 100 rows in one process | {ms(med(plain))} | {ms(pct(plain, 0.99))}"
        " | 1.00× |",
        "",
        f"- {o.append_concurrent} concurrent appends: statuses {sorted(r.status for r in conc)}, all answered in"
        f" {conc_s:.1f} s; slowest {ms(max(r.seconds for r in conc))}",
        f"- rows in the table after all: **{counted[0]}** ({counted[1]} distinct ids); expected {expect}"
        f" ({acknowledged} acknowledged saves × 100) — {verdict}",
        "",
    ]


def arrow_rows(data: bytes) -> int:
    import pyarrow as pa

    return int(pa.ipc.open_stream(data).read_all().num_rows)


def section_arrow(ctx: Context) -> list[str]:
    """`SELECT *` of an N-row table as an Arrow stream: Floe against ROAPI serving the same data file(s)."""
    o = ctx.opts
    table = fixtures.wide(ctx.lake, o.arrow_rows)
    files = fixtures.data_files(table)
    roapi = Roapi(
        ctx.tool("roapi"),
        {"wide": files[0] if len(files) == 1 else os.path.dirname(files[0])},
        ctx.home / "roapi-wide.log",
    )
    body = json.dumps({"mode": "query", "query": "SELECT * FROM t", "tables": ["t=bench.wide"]}).encode()

    def floe() -> services.Download:
        return services.download(ctx.floe.url, "/api/v1/warehouse/polars", body, "application/json", ARROW)

    def ro() -> services.Download:
        return roapi.sql("SELECT * FROM wide", ARROW)

    try:
        runs: dict[str, list[services.Download]] = {"floe": [], "roapi": []}
        floe(), ro()  # warm-up
        for _ in range(o.arrow_n):
            runs["floe"].append(floe())
            runs["roapi"].append(ro())
    finally:
        roapi.stop()
    for name, ds in runs.items():
        for d in ds:
            if d.status != 200 or arrow_rows(d.data) != o.arrow_rows:
                ctx.failures.append(f"Arrow {name}: status {d.status}, not {o.arrow_rows:,} rows")
                break

    def row(label: str, ds: list[services.Download]) -> tuple[str, float]:
        s, mb = med([d.seconds for d in ds]), len(ds[0].data) / 1e6
        return (
            f"| {label} | {s:.2f} s | {ms(med([d.ttfb for d in ds]))} | {mb:.0f} MB | {mb / s:.0f} MB/s |"
            f" {o.arrow_rows / s / 1e6:.1f} M rows/s |"
        ), s

    f_line, f_s = row("Floe over HTTP, `Accept: application/vnd.apache.arrow.stream`", runs["floe"])
    r_line, r_s = row("ROAPI 0.12.7 `/api/sql`, same Accept, same Parquet file(s)", runs["roapi"])
    ctx.targets.append(
        Target(
            f"{o.arrow_rows / 1e6:g}M-row Arrow result, Floe ÷ ROAPI",
            "< 1.00× (faster than ROAPI)",
            f"{f_s / r_s:.2f}× ({f_s:.2f} s vs {r_s:.2f} s)",
            f_s < r_s,
        )
    )
    return (
        [
            "## 5. Arrow result of a large table",
            "",
            f"`SELECT *` of `bench.wide` ({o.arrow_rows:,} rows: id, k, v, s; {len(files)} Parquet data file(s)"
            f" written by PyIceberg), read to the end; medians of {o.arrow_n}, alternating, after one warm-up each."
            " Both answers decoded and their rows counted.",
            "",
            "| what | seconds | first byte | bytes | MB/s | rows/s |",
            "|---|---|---|---|---|---|",
            f_line,
            r_line,
            "",
            f"- Floe ÷ ROAPI: **{f_s / r_s:.2f}×** (each side's own bytes: Arrow types differ, e.g. string layouts)",
            "",
        ]
        if not math.isnan(f_s)
        else ["## 5. Arrow result of a large table", "", "- no figures", ""]
    )
