"""What Floe saves reads back identical: through Floe itself, through PyIceberg, through DuckDB.

The result is built by the same Polars code here and in the sandbox, so the expected table is exact.
Every type the contract names goes through: integers, floats, booleans, strings, dates, timestamps
with and without zone, decimals, lists, structs, and nulls in each.
"""

from __future__ import annotations

import urllib.request
import uuid
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
from pyiceberg.catalog import Catalog

from oracle_lake import FloeClient

BUILD = """
import datetime as dt
from decimal import Decimal

result = pl.DataFrame(
    {
        "id": [1, 2, 3],
        "small": pl.Series([1, None, -7], dtype=pl.Int32),
        "ratio": [0.5, None, -1.25],
        "ok": [True, None, False],
        "name": ["é", None, "plain"],
        "day": [dt.date(2024, 2, 29), None, dt.date(1970, 1, 1)],
        "at": [dt.datetime(2024, 2, 29, 12, 30, 1, 250), None, dt.datetime(1999, 12, 31, 23, 59)],
        "at_utc": pl.Series(
            [dt.datetime(2024, 2, 29, 12, 30), None, dt.datetime(2000, 1, 1)]
        ).dt.replace_time_zone("UTC"),
        "price": pl.Series([Decimal("12.34"), None, Decimal("-0.01")], dtype=pl.Decimal(10, 2)),
        "tags": [[1, 2], None, []],
        "point": [{"x": 1.5, "label": "a"}, None, {"x": None, "label": "c"}],
    }
)
"""


def expected() -> pl.DataFrame:
    scope: dict[str, Any] = {"pl": pl}
    exec(BUILD, scope)
    frame: pl.DataFrame = scope["result"]
    return frame


def floe_arrow(floe: FloeClient, table: str) -> pa.Table:
    body = {"mode": "script", "script": f"result = scan('{table}').sort('id')\n"}
    request = floe.request(body, "application/vnd.apache.arrow.stream")
    with urllib.request.urlopen(request, timeout=300) as response:
        return pa.ipc.open_stream(response.read()).read_all()


def test_a_saved_result_reads_back_identical_everywhere(
    floe: FloeClient, writer_catalog: Catalog
) -> None:
    want = expected()
    table = f"roundtrip_{uuid.uuid4().hex[:8]}.types"
    status, saved = floe.post({"mode": "script", "script": BUILD, "destination": table})
    assert status == 200, saved
    assert saved["saved"]["rows_written"] == 3

    # Floe's own scan, as Arrow: the Polars schema and every value come back unchanged.
    through_floe = pl.from_arrow(floe_arrow(floe, table))
    assert isinstance(through_floe, pl.DataFrame)
    assert through_floe.schema == want.schema
    assert through_floe.equals(want)

    # PyIceberg directly, reading the files and metadata the trusted writer committed.
    iceberg = writer_catalog.load_table(table)
    through_pyiceberg = pl.from_arrow(iceberg.scan().to_arrow()).sort("id")
    assert isinstance(through_pyiceberg, pl.DataFrame)
    assert through_pyiceberg.schema == want.schema
    assert through_pyiceberg.equals(want)
    assert [type(f.field_type).__name__ for f in iceberg.schema().fields] == [
        "LongType",
        "IntegerType",
        "DoubleType",
        "BooleanType",
        "StringType",
        "DateType",
        "TimestampType",
        "TimestamptzType",
        "DecimalType",
        "ListType",
        "StructType",
    ]
    assert str(iceberg.schema().find_field("price").field_type) == "decimal(10, 2)"

    # DuckDB over the same Parquet data files, an independent reader of what was written.
    files = [task.file.file_path.removeprefix("file://") for task in iceberg.scan().plan_files()]
    assert files
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        duck = con.read_parquet(files).order("id").to_arrow_table()
    through_duckdb = pl.from_arrow(duck)
    assert isinstance(through_duckdb, pl.DataFrame)
    assert through_duckdb.columns == want.columns
    assert through_duckdb.cast(dict(want.schema)).equals(want)
    assert through_duckdb.to_dicts() == want.to_dicts()
