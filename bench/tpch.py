"""Section 6: TPC-H's 22 queries through Floe, in plain Polars and in DuckDB, on the same Iceberg tables."""

from __future__ import annotations

import datetime
import decimal
import json
import math
import re
import time
from pathlib import Path
from typing import Any

import fixtures
import services
from stats import Context, Target
from tpch_queries import POLARS, REWRITES, STANDARD

REL_TOL = 1e-6


def tables_of(sql: str) -> list[str]:
    return [t for t in fixtures.TPCH_TABLES if re.search(rf"\b{t}\b", sql)]


def duckdb_connection(tables: dict[str, Any]) -> Any:
    """DuckDB with the iceberg + avro extensions loaded offline from their wheels, one view per table."""
    import duckdb
    import duckdb_extension_avro
    import duckdb_extension_iceberg

    con = duckdb.connect(config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
    con.execute(f"SET threads = {_threads()}")
    for mod, name in ((duckdb_extension_avro, "avro"), (duckdb_extension_iceberg, "iceberg")):
        path = next(Path(mod.__file__).parent.glob(f"extensions/v*/{name}.duckdb_extension"))
        con.execute(f"LOAD '{path}'")
    for name, table in tables.items():
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM iceberg_scan('{table.metadata_location}')")
    return con


def _threads() -> int:
    import polars as pl

    return int(pl.thread_pool_size())


def norm(v: Any) -> Any:
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, (datetime.date, datetime.datetime)):
        return v.isoformat()
    return v


def same(got: Any, want: Any) -> bool:
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        try:
            g = float(got)  # Floe sends Int64 beyond 2^53 and decimals as strings
        except (TypeError, ValueError):
            return False
        return math.isclose(g, float(want), rel_tol=REL_TOL, abs_tol=1e-9)
    return bool(got == want)


def difference(q: int, got: list[list[Any]], want: list[list[Any]], ordered: bool) -> str | None:
    """None when the answers agree, else what differs (rows compared in order only when the query orders)."""
    got, want = [[norm(v) for v in r] for r in got], [[norm(v) for v in r] for r in want]
    if len(got) != len(want):
        return f"{len(got)} rows against DuckDB's {len(want)}"
    if not ordered:
        key = lambda r: [str(v) if not isinstance(v, float) else f"{v:.4g}" for v in r]  # noqa: E731
        got, want = sorted(got, key=key), sorted(want, key=key)
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        if len(a) != len(b) or not all(same(x, y) for x, y in zip(a, b, strict=True)):
            return f"row {i}: {a} against DuckDB's {b}"
    return None


def section(ctx: Context) -> list[str]:
    import polars as pl

    o = ctx.opts
    parquet = fixtures.tpch_parquet(ctx.tool("tpchgen-cli"), ctx.cache, o.tpch_scale)
    loaded = fixtures.tpch(ctx.lake, parquet)
    load_s = loaded.pop("_seconds")
    con = duckdb_connection(loaded)
    queries = list(range(1, 23)) if not o.tpch_queries else [int(q) for q in o.tpch_queries.split(",")]
    times: dict[str, dict[int, float]] = {"floe": {}, "polars": {}, "duckdb": {}}
    floe_exec: dict[int, float] = {}
    wrong: list[str] = []
    for rnd in range(o.tpch_rounds):
        for q in queries:
            sql, std = POLARS.get(q, STANDARD[q]), STANDARD[q]
            ordered = "order by" in std.lower()
            t0 = time.perf_counter()
            want = con.execute(std).fetchall()
            keep_min(times["duckdb"], q, time.perf_counter() - t0)
            bound = tables_of(sql)
            t0 = time.perf_counter()
            ctx_sql = pl.SQLContext({t: pl.scan_iceberg(loaded[t]) for t in bound})
            plain = ctx_sql.execute(sql).collect()
            keep_min(times["polars"], q, time.perf_counter() - t0)
            r = services.query(
                ctx.floe.url,
                sql,
                [f"{t}=tpch.{t}" for t in bound],
                limits={"maxRows": 1_000_000, "memoryMb": o.tpch_memory_mb},
            )
            if r.status != 200:
                wrong.append(f"Q{q}: Floe answered {r.status} {json.dumps(r.body)[:400]}")
                continue
            keep_min(times["floe"], q, r.seconds)
            keep_min(floe_exec, q, services.execution_ms(r) / 1000)
            if rnd == 0:
                rows = r.body["results"]["rows"]
                if r.body.get("truncated"):
                    wrong.append(f"Q{q}: Floe's answer was truncated at {len(rows)} rows")
                elif (d := difference(q, rows, [list(x) for x in want], ordered)) is not None:
                    wrong.append(f"Q{q}: Floe's answer differs from DuckDB's: {d}")
                if d := difference(q, [list(x) for x in plain.rows()], [list(x) for x in want], ordered):
                    wrong.append(f"Q{q}: plain Polars' answer differs from DuckDB's: {d}")
    ctx.failures += [f"TPC-H {w}" for w in wrong]
    total = {k: sum(v.values()) for k, v in times.items()}
    share = total["floe"] / total["polars"] if total["polars"] else float("nan")
    ctx.targets.append(
        Target(
            f"TPC-H SF{o.tpch_scale:g}, {len(queries)} queries: Floe total ÷ plain Polars",
            "≤ 1.10×; answers right",
            f"{share:.2f}× ({total['floe']:.1f} s vs {total['polars']:.1f} s); "
            f"{'all answers right' if not wrong else f'{len(wrong)} WRONG'}",
            share <= 1.10 and not wrong,
        )
    )
    per_query = [table_row(q, times, floe_exec, wrong) for q in queries]
    return [
        f"## 6. TPC-H, scale factor {o.tpch_scale:g}",
        "",
        f"Data from `tpchgen-cli` (cached under `.floe/bench-data/`), written as Iceberg tables `tpch.*` by"
        f" PyIceberg in {load_s:.0f} s (decimal columns as float64, so every engine sums doubles). Each query"
        f" runs as Polars SQL through Floe (query mode, `tables` bindings, JSON), in plain Polars"
        f" (`pl.scan_iceberg` + `pl.SQLContext` in this process, {_threads()} threads) and in DuckDB"
        f" ({_duckdb_version()}, `iceberg_scan` of the same tables, {_threads()} threads); the best of"
        f" {o.tpch_rounds} round(s) each, in seconds. Every Floe and plain-Polars answer is checked against"
        f" DuckDB's (floats to a relative {REL_TOL:g}, in order where the query orders).",
        f"{REWRITES}",
        "",
        "| query | Floe | (its `execution_time`) | plain Polars | DuckDB | Floe ÷ plain Polars | answer |",
        "|---|---|---|---|---|---|---|",
        *per_query,
        f"| **total** | **{total['floe']:.2f}** | {sum(floe_exec.values()):.2f} | **{total['polars']:.2f}** |"
        f" {total['duckdb']:.2f} | **{share:.2f}×** | {'all right' if not wrong else f'{len(wrong)} wrong'} |",
        "",
        f"- DuckDB ÷ plain Polars (reference): {total['duckdb'] / total['polars']:.2f}×",
        *[f"- **{w}**" for w in wrong],
        "",
    ]


def table_row(q: int, times: dict[str, dict[int, float]], floe_exec: dict[int, float], wrong: list[str]) -> str:
    floe, plain = times["floe"].get(q, math.nan), times["polars"][q]
    verdict = "WRONG" if any(w.startswith(f"Q{q}:") for w in wrong) else "ok"
    return (
        f"| Q{q} | {floe:.2f} | {floe_exec.get(q, math.nan):.2f} | {plain:.2f} | {times['duckdb'][q]:.2f} |"
        f" {floe / plain:.2f}× | {verdict} |"
    )


def keep_min(d: dict[int, float], q: int, v: float) -> None:
    d[q] = min(d.get(q, math.inf), v)


def _duckdb_version() -> str:
    import duckdb

    return f"DuckDB {duckdb.__version__}"
