"""Fixture tables in the bench's lake, written with PyIceberg directly (set-up, never through Floe)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

TPCH_TABLES = ["customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"]


def catalog(lake: Path) -> Any:
    """The embedded lake's catalog, as PyIceberg sees it (Floe's JDBC catalog shares its tables)."""
    from pyiceberg.catalog.sql import SqlCatalog

    return SqlCatalog("lake", uri=f"sqlite:///{lake}/catalog/catalog.db", warehouse=f"file://{lake}/warehouse")


def data_files(table: Any) -> list[str]:
    return [t.file.file_path.removeprefix("file://") for t in table.scan().plan_files()]


def create(lake: Path, name: str, arrow: Any) -> Any:
    """(Re)creates table `name` holding `arrow`."""
    cat = catalog(lake)
    ns = name.split(".")[0]
    if (ns,) not in cat.list_namespaces():
        cat.create_namespace(ns)
    if cat.table_exists(name):
        cat.drop_table(name)
    table = cat.create_table(name, schema=arrow.schema)
    table.append(arrow)
    return table


def wide(lake: Path, rows: int) -> Any:
    """`bench.wide`: id, k, v, s — the shape of the Arrow streaming figure."""
    import polars as pl

    df = pl.select(
        id=pl.int_range(0, rows),
        k=pl.int_range(0, rows) % 1000,
        v=pl.int_range(0, rows).cast(pl.Float64) / 7,
        s=pl.format("row-{}", pl.int_range(0, rows)),
    )
    return create(lake, "bench.wide", plain_arrow(df.to_arrow()))


def plain_arrow(arrow: Any) -> Any:
    """Arrow types PyIceberg writes: decimals as float64 (as the TPC-H tables), views as strings."""
    import pyarrow as pa

    fields = []
    for f in arrow.schema:
        t = f.type
        if pa.types.is_decimal(t):
            t = pa.float64()
        elif pa.types.is_string_view(t) or pa.types.is_large_string(t):
            t = pa.string()
        fields.append(pa.field(f.name, t, nullable=True))
    return arrow.cast(pa.schema(fields))


def tpch_parquet(tpchgen: str, cache: Path, scale: float) -> Path:
    """TPC-H Parquet from `tpchgen-cli`, generated once per scale factor and kept under .floe/."""
    out = cache / f"tpch-sf{scale:g}"
    if not (out / ".complete").exists():
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [tpchgen, "parquet", "-s", f"{scale:g}", "-o", str(out), "--overwrite"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (out / ".complete").write_text("")
    return out


def tpch(lake: Path, parquet: Path) -> dict[str, Any]:
    """The 8 TPC-H tables as Iceberg tables `tpch.<name>` (decimal columns as float64)."""
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    tables = {}
    for name in TPCH_TABLES:
        tables[name] = create(lake, f"tpch.{name}", plain_arrow(pq.read_table(parquet / f"{name}.parquet")))
    tables["_seconds"] = time.perf_counter() - t0
    return tables
