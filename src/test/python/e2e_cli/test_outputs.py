"""Every output format, read back and compared with the server's JSON answer; -o FILE; binary
formats refused on a terminal; no partial file after a failure."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import FLOWERS, GROUPED, Floe

ALL_FLOWERS = "SELECT * FROM flowers ORDER BY sepal_length, sepal_width, petal_length, petal_width"


def _same_rows(table: Any, answer: dict[str, Any]) -> None:
    results = answer["results"]
    assert table.column_names == results["columns"]
    assert [list(r.values()) for r in table.to_pylist()] == results["rows"]


def _read(fmt: str, data: bytes) -> Any:
    if fmt == "parquet":
        return pq.read_table(io.BytesIO(data))
    return pa.ipc.open_stream(data).read_all()


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_binary_output_to_a_file_matches_the_json_answer(
    floe: Floe, grouped_json: dict[str, Any], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"out.{fmt}"
    result = floe.ok("polars", GROUPED, "--table", FLOWERS, "--output", fmt, "-o", str(path))
    assert result.out == ""
    assert f"wrote 3 rows to {path}" in result.err
    table = _read(fmt, path.read_bytes())
    _same_rows(table, grouped_json)
    assert pa.types.is_floating(table.schema.field("avg_petal_length").type)
    assert (
        pa.types.is_string(table.schema.field("species").type)
        or pa.types.is_large_string(table.schema.field("species").type)
        or pa.types.is_string_view(table.schema.field("species").type)
    )
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_binary_output_to_a_pipe(floe: Floe, grouped_json: dict[str, Any], fmt: str) -> None:
    result = floe.ok("polars", GROUPED, "--table", FLOWERS, "--output", fmt)
    _same_rows(_read(fmt, result.out_bytes), grouped_json)


def test_csv_output_matches_the_json_answer(floe: Floe, grouped_json: dict[str, Any]) -> None:
    result = floe.ok("polars", GROUPED, "--table", FLOWERS, "--output", "csv")
    rows = list(csv.reader(io.StringIO(result.out)))
    assert rows[0] == grouped_json["results"]["columns"]
    assert rows[1:] == [[s, repr(v)] for s, v in grouped_json["results"]["rows"]]


def test_csv_to_a_file_with_nulls_and_quoting(floe: Floe, tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    script = "result = pl.DataFrame({'a': [1, None], 's': ['x,y', 'say \"hi\"']})\n"
    floe.ok("polars", "--script", "-", "--output", "csv", "-o", str(path), stdin=script)
    assert path.read_text() == 'a,s\n1,"x,y"\n,"say ""hi"""\n'


def test_json_and_table_outputs_to_a_file(floe: Floe, tmp_path: Path) -> None:
    as_json = tmp_path / "out.json"
    floe.ok("polars", GROUPED, "--table", FLOWERS, "--output", "json", "-o", str(as_json))
    assert json.loads(as_json.read_text())["row_count"] == 3
    as_table = tmp_path / "out.txt"
    result = floe.ok("polars", GROUPED, "--table", FLOWERS, "-o", str(as_table))
    assert result.out == ""
    assert as_table.read_text().startswith("species    │ avg_petal_length\nString     │ Float64\n")


def test_every_format_agrees_on_every_row(floe: Floe, tmp_path: Path) -> None:
    answer = floe.json("polars", ALL_FLOWERS, "--table", FLOWERS)
    assert answer["row_count"] == 150
    for fmt in ("parquet", "arrow"):
        path = tmp_path / f"all.{fmt}"
        floe.ok("polars", ALL_FLOWERS, "--table", FLOWERS, "--output", fmt, "-o", str(path))
        _same_rows(_read(fmt, path.read_bytes()), answer)
    text = floe.ok("polars", ALL_FLOWERS, "--table", FLOWERS, "--output", "csv").out
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert rows == [
        [repr(v) if isinstance(v, float) else v for v in r] for r in answer["results"]["rows"]
    ]


def test_types_survive_into_parquet(floe: Floe, tmp_path: Path) -> None:
    script = (
        "import datetime as dt\n"
        "result = pl.DataFrame({\n"
        "    'i': pl.Series([1, None], dtype=pl.Int32),\n"
        "    'big': [2**62, 3],\n"
        "    'd': [dt.date(2024, 2, 29), None],\n"
        "    'ts': [dt.datetime(2024, 1, 2, 3, 4, 5), None],\n"
        "    'l': [[1, 2], []],\n"
        "    'b': [True, False],\n"
        "})\n"
    )
    answer = floe.json("polars", "--script", "-", stdin=script)
    path = tmp_path / "typed.parquet"
    floe.ok("polars", "--script", "-", "--output", "parquet", "-o", str(path), stdin=script)
    table = pq.read_table(path)
    types = dict(zip(table.column_names, table.schema.types, strict=True))
    assert types["i"] == pa.int32()
    assert types["big"] == pa.int64()
    assert types["d"] == pa.date32()
    assert pa.types.is_timestamp(types["ts"])
    assert pa.types.is_list(types["l"]) or pa.types.is_large_list(types["l"])
    assert types["b"] == pa.bool_()
    rows = table.to_pylist()
    assert rows[0]["big"] == 2**62
    assert str(answer["results"]["rows"][0][1]) == str(2**62)
    assert rows[0]["d"].isoformat() == "2024-02-29"
    assert rows[0]["ts"].isoformat() == "2024-01-02T03:04:05"
    assert rows[0]["l"] == [1, 2] and rows[1]["l"] == []


def test_binary_output_to_a_terminal_is_a_usage_error(floe: Floe) -> None:
    for fmt in ("parquet", "arrow"):
        code, terminal, err = floe.with_terminal(
            "polars", "SELECT 1 AS x", "--output", fmt, terminal="stdout"
        )
        assert code == 2, (terminal, err)
        assert b"-o FILE" in err
        assert terminal == b""


def test_a_failed_run_leaves_no_file(floe: Floe, tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    result = floe(
        "polars",
        "SELECT * FROM x",
        "--table",
        "x=default.nope",
        "--output",
        "parquet",
        "-o",
        str(path),
    )
    assert result.code == 1, str(result)
    assert list(tmp_path.iterdir()) == []


def test_arrow_output_holds_every_row_past_max_rows(floe: Floe, tmp_path: Path) -> None:
    """Arrow results have no row cap (the contract): --max-rows limits only inline JSON rows, so
    an Arrow-capable server streams all 150 rows into the file."""
    for fmt in ("parquet", "arrow", "csv"):
        path = tmp_path / f"all.{fmt}"
        result = floe.ok(
            "polars",
            ALL_FLOWERS,
            "--table",
            FLOWERS,
            "--max-rows",
            "10",
            "--output",
            fmt,
            "-o",
            str(path),
        )
        assert "warning" not in result.err, result.err
        if fmt == "csv":
            assert len(path.read_text().splitlines()) == 151
        else:
            assert _read(fmt, path.read_bytes()).num_rows == 150
