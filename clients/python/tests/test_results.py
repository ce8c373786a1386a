"""JSON results rebuilt as Arrow (typed by Polars dtype names), and the file formats written."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import math
import time
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from floe_cli.progress import Progress
from floe_cli.results import arrow_type, csv_value, table_from_json, write_batches


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        ("Int64", pa.int64()),
        ("UInt32", pa.uint32()),
        ("Float64", pa.float64()),
        ("String", pa.string()),
        ("Boolean", pa.bool_()),
        ("Date", pa.date32()),
        ("Datetime(time_unit='us', time_zone=None)", pa.timestamp("us")),
        ("Datetime(time_unit='ns', time_zone='UTC')", pa.timestamp("ns", tz="UTC")),
        ("Duration(time_unit='ms')", pa.duration("ms")),
        ("Decimal(precision=10, scale=2)", pa.decimal128(10, 2)),
        ("List(Int64)", pa.list_(pa.int64())),
        ("List(List(String))", pa.list_(pa.list_(pa.string()))),
        ("Struct({'a': Int64})", None),
    ],
)
def test_arrow_type(dtype: str, expected: Any) -> None:
    assert arrow_type(dtype) == expected


def test_table_from_json_restores_types_and_values_json_cannot_hold() -> None:
    table = table_from_json(
        {
            "columns": ["i", "big", "f", "d", "ts", "dec", "l", "s"],
            "column_types": [
                "Int64",
                "Int64",
                "Float64",
                "Date",
                "Datetime(time_unit='us', time_zone=None)",
                "Decimal(precision=10, scale=2)",
                "List(Int64)",
                "Struct({'a': Int64})",
            ],
            "rows": [
                [
                    1,
                    "9007199254740993",
                    "NaN",
                    "2024-02-29",
                    "2024-01-02T03:04:05",
                    "1.50",
                    [1],
                    {"a": 1},
                ],
                [None, None, "Infinity", None, None, None, None, None],
            ],
        }
    )
    assert table.schema.field("i").type == pa.int64()
    assert table.schema.field("ts").type == pa.timestamp("us")
    rows = table.to_pylist()
    assert rows[0]["big"] == 9007199254740993
    assert math.isnan(rows[0]["f"]) and rows[1]["f"] == math.inf
    assert rows[0]["d"] == dt.date(2024, 2, 29)
    assert rows[0]["ts"] == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert rows[0]["dec"] == decimal.Decimal("1.50")
    assert rows[0]["l"] == [1]
    assert rows[0]["s"] == {"a": 1}
    assert rows[1]["i"] is None


def test_unknown_renderings_keep_their_values() -> None:
    table = table_from_json({"columns": ["t"], "column_types": ["Date"], "rows": [["not a date"]]})
    assert table.column("t").to_pylist() == ["not a date"]


def test_empty_result_keeps_its_schema() -> None:
    table = table_from_json({"columns": ["a"], "column_types": ["Int64"], "rows": []})
    assert table.num_rows == 0 and table.schema.field("a").type == pa.int64()


def _table() -> Any:
    return pa.table({"a": pa.array([1, None, 3], pa.int64()), "s": ["x", "y,z", None]})


@pytest.mark.parametrize("fmt", ["arrow", "parquet"])
def test_binary_formats_round_trip(fmt: str) -> None:
    table = _table()
    out = io.BytesIO()
    assert write_batches(fmt, table.schema, table.to_batches(max_chunksize=2), out) == 3
    out.seek(0)
    back = pa.ipc.open_stream(out).read_all() if fmt == "arrow" else pq.read_table(out)
    assert back.equals(table)


def test_csv_quotes_and_empty_nulls() -> None:
    table = _table()
    out = io.BytesIO()
    write_batches("csv", table.schema, table.to_batches(), out)
    assert out.getvalue().decode() == 'a,s\n1,x\n,"y,z"\n3,\n'


def test_csv_of_no_rows_is_the_header() -> None:
    table = _table().slice(0, 0)
    out = io.BytesIO()
    write_batches("csv", table.schema, iter(()), out)
    assert out.getvalue().decode() == "a,s\n"


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (None, ""),
        (True, "true"),
        (1.5, "1.5"),
        (float("nan"), "NaN"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 3, 4), "2024-01-02T03:04:00"),
        ([1, 2], "[1, 2]"),
        ({"a": None}, '{"a": null}'),
        (b"\x01\xff", "01ff"),
    ],
)
def test_csv_value(value: Any, field: str) -> None:
    assert csv_value(value) == field


def _wait_for(stream: io.StringIO, text: str) -> None:
    deadline = time.monotonic() + 5
    while text not in stream.getvalue():
        assert time.monotonic() < deadline, f"{text!r} never drawn: {stream.getvalue()!r}"
        time.sleep(0.01)


def test_progress_draws_state_and_elapsed_then_erases() -> None:
    stream = io.StringIO()
    with Progress(stream, enabled=True, state="queued", delay=0, interval=0.01) as progress:
        _wait_for(stream, "queued")
        progress.state = "running"
        _wait_for(stream, "running")
    text = stream.getvalue()
    assert "\r| queued - 0." in text or "\r/ queued - 0." in text
    assert text.endswith("\r\033[K")


def test_progress_polls_the_state() -> None:
    stream = io.StringIO()
    with Progress(stream, enabled=True, poll=lambda: "succeeded", delay=0, interval=0.01):
        _wait_for(stream, "succeeded")


def test_disabled_progress_writes_nothing() -> None:
    stream = io.StringIO()
    with Progress(stream, enabled=False, delay=0):
        pass
    assert stream.getvalue() == ""
