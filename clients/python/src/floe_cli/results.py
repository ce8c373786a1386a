"""Results as Arrow: read from the server's Arrow stream (or rebuilt from its JSON answer, typed by
the Polars dtype names it reports) and written as CSV, Parquet or an Arrow IPC stream."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

_SIMPLE: dict[str, Any] = {
    "Int8": pa.int8(),
    "Int16": pa.int16(),
    "Int32": pa.int32(),
    "Int64": pa.int64(),
    "UInt8": pa.uint8(),
    "UInt16": pa.uint16(),
    "UInt32": pa.uint32(),
    "UInt64": pa.uint64(),
    "Float32": pa.float32(),
    "Float64": pa.float64(),
    "Boolean": pa.bool_(),
    "String": pa.string(),
    "Utf8": pa.string(),
    "Categorical": pa.string(),
    "Date": pa.date32(),
    "Time": pa.time64("ns"),
    "Null": pa.null(),
}
_UNITS = {"ns": "ns", "us": "us", "ms": "ms"}
_DATETIME = re.compile(r"^Datetime\(time_unit='(\w+)', time_zone=(?:'([^']*)'|None)\)$")
_DURATION = re.compile(r"^Duration\(time_unit='(\w+)'\)$")
_DECIMAL = re.compile(r"^Decimal\(precision=(\d+), scale=(\d+)\)$")
_LIST = re.compile(r"^(?:List|Array)\((.*?)(?:, (?:shape|size|width)=.*)?\)$")


def arrow_type(dtype: str) -> Any | None:
    """The Arrow type of a Polars dtype name as Floe reports it; None when unknown (the column's
    type is then inferred from its values)."""
    if dtype in _SIMPLE:
        return _SIMPLE[dtype]
    if dtype.startswith("Enum"):
        return pa.string()
    if m := _DATETIME.match(dtype):
        return pa.timestamp(_UNITS.get(m.group(1), "us"), tz=m.group(2))
    if m := _DURATION.match(dtype):
        return pa.duration(_UNITS.get(m.group(1), "us"))
    if m := _DECIMAL.match(dtype):
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    if m := _LIST.match(dtype):
        inner = arrow_type(m.group(1))
        return pa.list_(inner) if inner is not None else None
    return None


def _number(value: Any) -> Any:
    # JSON has no NaN/Infinity (sent as strings) and loses Int64 past 2^53 (sent as strings).
    return float(value) if isinstance(value, str) else value


def _integer(value: Any) -> Any:
    return int(value) if isinstance(value, str) else value


def _datetime(value: Any) -> Any:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def _converter(kind: Any) -> Callable[[Any], Any]:
    if pa.types.is_floating(kind):
        return _number
    if pa.types.is_integer(kind):
        return _integer
    if pa.types.is_timestamp(kind):
        return _datetime
    if pa.types.is_date(kind):
        return lambda v: dt.date.fromisoformat(v) if isinstance(v, str) else v
    if pa.types.is_time(kind):
        return lambda v: dt.time.fromisoformat(v) if isinstance(v, str) else v
    if pa.types.is_decimal(kind):
        return lambda v: decimal.Decimal(str(v)) if v is not None else None
    if pa.types.is_list(kind):
        inner = _converter(kind.value_type)
        return lambda v: [inner(x) if x is not None else None for x in v] if v is not None else v
    return lambda v: v


def _column(values: list[Any], dtype: str) -> Any:
    kind = arrow_type(dtype)
    if kind is not None:
        convert = _converter(kind)
        try:
            return pa.array([None if v is None else convert(v) for v in values], type=kind)
        except (ValueError, TypeError, ArithmeticError, pa.ArrowException):
            pass  # a rendering this table does not know: keep the values as they came
    try:
        return pa.array(values)
    except (ValueError, TypeError, pa.ArrowException):
        return pa.array([None if v is None else json.dumps(v) for v in values], type=pa.string())


def table_from_json(results: dict[str, Any]) -> Any:
    """The `results` object of a JSON answer (columns, column_types, rows) as an Arrow table."""
    columns: list[str] = list(results.get("columns") or [])
    types: list[str] = list(results.get("column_types") or [])
    rows: list[list[Any]] = list(results.get("rows") or [])
    arrays = [
        _column([row[i] for row in rows], types[i] if i < len(types) else "")
        for i in range(len(columns))
    ]
    return pa.Table.from_arrays(arrays, names=columns)


def csv_value(value: Any) -> str:
    """A value as one CSV field: empty for null, ISO dates, JSON for lists and structs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return repr(value) if not math.isinf(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | dict):
        return json.dumps(value, default=str, ensure_ascii=False)
    return str(value)


class CsvSink:
    """Writes Arrow record batches as CSV text (header first)."""

    def __init__(self, out: IO[str]) -> None:
        self._writer = csv.writer(out, lineterminator="\n")
        self._header = False

    def write(self, schema: Any, batch: Any) -> None:
        if not self._header:
            self._writer.writerow(schema.names)
            self._header = True
        for row in batch.to_pylist():
            self._writer.writerow([csv_value(v) for v in row.values()])

    def close(self, schema: Any) -> None:
        if not self._header:
            self._writer.writerow(schema.names)


def write_batches(
    fmt: str, schema: Any, batches: Iterable[Any], out: IO[bytes], text_encoding: str = "utf-8"
) -> int:
    """Writes `batches` (sharing `schema`) to `out` as csv, parquet or arrow (an IPC stream),
    batch by batch; returns the number of rows written."""
    rows = 0
    if fmt == "arrow":
        with pa.ipc.new_stream(out, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
    elif fmt == "parquet":
        with pq.ParquetWriter(out, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
    elif fmt == "csv":
        text = io.TextIOWrapper(out, encoding=text_encoding, newline="", write_through=True)
        sink = CsvSink(text)
        for batch in batches:
            sink.write(schema, batch)
            rows += batch.num_rows
        sink.close(schema)
        text.flush()
        text.detach()
    else:
        raise ValueError(f"unknown format {fmt}")
    return rows


def table_batches(table: Any) -> Iterator[Any]:
    yield from table.to_batches()
