"""The trusted committer, run as the service runs it: a long-lived writer process
(``floe_trusted_launch.py``) against a real SqlCatalog, sent commit requests for Arrow IPC stream
files written here with pyarrow. One writer serves every test, each with a lake of its own.

The fault-injection tests at the end (conflicts, a locked database, a failing commit) call
``commit()`` in-process instead, because they patch PyIceberg's catalog to misbehave.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import CommitFailedException, NoSuchNamespaceError
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.types import IntegerType, LongType, NestedField, StringType, StructType
from sqlalchemy.exc import OperationalError
from trusted_writer import WriterProcess, sql_catalog_properties

from floe_trusted import commit as committer
from floe_trusted.contract import CommitJob, parse_request, to_wire

ANSWER_KEYS = {"kind", "table", "rows_written", "mode", "snapshot_id", "created", "attempts"}
REFUSAL_KEYS = {"kind", "error_code", "message", "differences"}
DIFFERENCE_KEYS = {"column", "problem", "table_type", "result_type"}


@dataclass(frozen=True)
class Lake:
    root: Path
    properties: dict[str, str]
    writer: WriterProcess

    def catalog(self) -> SqlCatalog:
        return SqlCatalog("lake", **self.properties)

    def table(self, identifier: str) -> Table:
        return self.catalog().load_table(identifier)

    def create_table(self, identifier: str, *fields: NestedField) -> None:
        """The table and its namespace, made as another writer would before the test's saves."""
        catalog = self.catalog()
        catalog.create_namespace(identifier.split(".")[0])
        catalog.create_table(identifier, schema=Schema(*fields))

    def job(
        self,
        data: pa.Table,
        identifier: str,
        mode: str = "overwrite",
        schema_mode: str = "strict",
        create_namespaces: bool = True,
    ) -> dict[str, Any]:
        return {
            "kind": "commit",
            "catalog": {"name": "lake", "properties": self.properties},
            "identifier": identifier,
            "arrow_path": str(write_stream(self.root / f"{uuid.uuid4().hex}.arrows", data)),
            "mode": mode,
            "schema_mode": schema_mode,
            "create_namespaces": create_namespaces,
            "commit_token": uuid.uuid4().hex,
            "max_attempts": 10,
        }


@pytest.fixture(scope="module")
def writer() -> Iterator[WriterProcess]:
    process = WriterProcess()
    yield process
    assert process.close() == 0


@pytest.fixture
def lake(tmp_path: Path, writer: WriterProcess) -> Iterator[Lake]:
    properties = {**sql_catalog_properties(tmp_path), "init_catalog_tables": "true"}
    SqlCatalog("lake", **properties).close()  # creates the catalog's tables
    yield Lake(tmp_path, properties, writer)


def write_stream(path: Path, data: pa.Table) -> Path:
    """What the sandboxed harness writes: record batches, Polars dtypes in the schema metadata."""
    schema = data.schema.with_metadata({b"floe.polars_dtypes": b'["whatever"]'})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, schema) as writer:
        for batch in data.cast(schema).to_batches(max_chunksize=1000):
            writer.write_batch(batch)
    return path


def save(lake: Lake, data: pa.Table, identifier: str, **options: Any) -> dict[str, Any]:
    return lake.writer.ask(lake.job(data, identifier, **options))


def saved(lake: Lake, data: pa.Table, identifier: str, **options: Any) -> dict[str, Any]:
    answer = save(lake, data, identifier, **options)
    assert answer["kind"] == "saved", answer
    assert set(answer) == ANSWER_KEYS
    assert isinstance(answer["snapshot_id"], str) and answer["snapshot_id"].isdigit()
    return answer


def refused(
    lake: Lake, data: pa.Table, identifier: str, code: str, **options: Any
) -> dict[str, Any]:
    answer = save(lake, data, identifier, **options)
    assert answer["kind"] == "refused", answer
    assert set(answer) == REFUSAL_KEYS
    assert answer["error_code"] == code, answer
    for difference in answer["differences"]:
        assert set(difference) == DIFFERENCE_KEYS
    return answer


def snapshot_ids(table: Table) -> list[int]:
    return [s.snapshot_id for s in table.snapshots()]


def column_types(table: Table) -> dict[str, str]:
    """Column types as PyIceberg prints them, nested field ids left out."""
    return {f.name: re.sub(r"\b\d+: ", "", str(f.field_type)) for f in table.schema().fields}


def saved_as(
    lake: Lake, identifier: str, columns: dict[str, tuple[pa.Array, str]]
) -> tuple[pa.Table, Table]:
    """Saves a column for each entry (name: its Arrow array, the Iceberg type it must be stored as)
    and checks the stored types; the data and the table."""
    data = pa.table({name: array for name, (array, _) in columns.items()})
    saved(lake, data, identifier)
    table = lake.table(identifier)
    assert column_types(table) == {name: stored for name, (_, stored) in columns.items()}
    return data, table


def rows(table: Table) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = table.scan().to_arrow().to_pylist()
    return result


def by_problem(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["column"]: d for d in answer["differences"]}


S_TYPE = pa.struct([("x", pa.int64())])
EVENTS = pa.table({"k": pa.array([1, 2, 3], pa.int64()), "v": ["a", "b", "c"]})


def test_first_save_creates_the_namespace_and_the_table(lake: Lake) -> None:
    answer = saved(lake, EVENTS, "fresh.events")

    assert answer["table"] == "fresh.events"
    assert answer["rows_written"] == 3
    assert answer["mode"] == "overwrite"
    assert answer["created"] is True
    assert answer["attempts"] == 1
    table = lake.table("fresh.events")
    assert snapshot_ids(table) == [int(answer["snapshot_id"])]
    assert column_types(table) == {"k": "long", "v": "string"}
    assert all(f.optional for f in table.schema().fields)
    assert rows(table) == EVENTS.to_pylist()


def test_a_missing_namespace_is_refused_unless_namespaces_may_be_created(lake: Lake) -> None:
    answer = refused(lake, EVENTS, "nowhere.events", "NAMESPACE_NOT_FOUND", create_namespaces=False)

    assert "'nowhere'" in answer["message"]
    assert answer["differences"] == []
    with pytest.raises(NoSuchNamespaceError):
        lake.catalog().load_namespace_properties("nowhere")
    # An existing namespace needs no creating.
    lake.catalog().create_namespace("there")
    assert saved(lake, EVENTS, "there.events", create_namespaces=False)["created"] is True


def test_overwrite_replaces_the_contents_in_one_snapshot(lake: Lake) -> None:
    first = saved(lake, EVENTS, "ns.t")
    saved(lake, EVENTS, "ns.t", mode="append")
    before = snapshot_ids(lake.table("ns.t"))
    replacement = pa.table({"k": pa.array([7, 8], pa.int64()), "v": ["x", "y"]})

    answer = saved(lake, replacement, "ns.t", mode="overwrite")

    table = lake.table("ns.t")
    assert answer["created"] is False
    assert answer["rows_written"] == 2
    assert snapshot_ids(table) == [*before, int(answer["snapshot_id"])]
    snapshot = table.current_snapshot()
    assert snapshot is not None and snapshot.summary is not None
    assert snapshot.summary.operation.value == "overwrite"
    assert snapshot.parent_snapshot_id == before[-1] != int(first["snapshot_id"])
    assert rows(table) == replacement.to_pylist()

    # An empty result empties the table, again in one snapshot.
    empty = saved(lake, replacement.slice(0, 0), "ns.t")
    table = lake.table("ns.t")
    assert empty["rows_written"] == 0
    assert len(snapshot_ids(table)) == len(before) + 2
    assert rows(table) == []


def test_append_adds_one_snapshot(lake: Lake) -> None:
    saved(lake, EVENTS, "ns.t")
    more = pa.table({"k": pa.array([4], pa.int64()), "v": ["d"]})

    answer = saved(lake, more, "ns.t", mode="append")

    table = lake.table("ns.t")
    assert answer["mode"] == "append" and answer["rows_written"] == 1
    assert len(snapshot_ids(table)) == 2
    assert snapshot_ids(table)[-1] == int(answer["snapshot_id"])
    assert sorted(r["k"] for r in rows(table)) == [1, 2, 3, 4]


def test_strict_refuses_a_different_schema_listing_every_column(lake: Lake) -> None:
    saved(lake, pa.table({"a": [1], "b": ["x"], "c": [1.5]}), "ns.t")
    before = snapshot_ids(lake.table("ns.t"))

    answer = refused(
        lake,
        pa.table({"a": ["not a number"], "b": ["y"], "d": [1]}),
        "ns.t",
        "SCHEMA_MISMATCH",
        mode="append",
    )

    assert by_problem(answer) == {
        "a": {"column": "a", "problem": "type", "table_type": "long", "result_type": "string"},
        "c": {"column": "c", "problem": "missing", "table_type": "double", "result_type": None},
        "d": {"column": "d", "problem": "extra", "table_type": None, "result_type": "long"},
    }
    assert "schemaMode" in answer["message"]
    table = lake.table("ns.t")
    assert snapshot_ids(table) == before
    assert column_types(table) == {"a": "long", "b": "string", "c": "double"}


def test_strict_ignores_column_order_and_nested_ids(lake: Lake) -> None:
    data = pa.table({"s": [{"x": 1, "y": "a"}], "l": [[1, 2]], "k": [1]})
    saved(lake, data, "ns.t")

    reordered = pa.table({"k": [2], "l": [[3]], "s": [{"y": "b", "x": 2}]})
    saved(lake, reordered, "ns.t", mode="append")

    assert sorted(r["k"] for r in rows(lake.table("ns.t"))) == [1, 2]


def test_merge_adds_columns_and_widens_types(lake: Lake) -> None:
    saved(
        lake,
        pa.table(
            {
                "i": pa.array([1], pa.int32()),
                "f": pa.array([1.5], pa.float32()),
                "d": pa.array([Decimal("1.25")], pa.decimal128(10, 2)),
                "s": pa.array([{"x": 1}], pa.struct([("x", pa.int32())])),
            }
        ),
        "ns.t",
    )
    assert column_types(lake.table("ns.t"))["i"] == "int"
    wider = pa.table(
        {
            "i": pa.array([2**40], pa.int64()),
            "f": pa.array([2.25], pa.float64()),
            "d": pa.array([Decimal("123456789.50")], pa.decimal128(12, 2)),
            "s": pa.array(
                [{"x": 2**40, "z": "new"}], pa.struct([("x", pa.int64()), ("z", pa.string())])
            ),
            "extra": ["added"],
        }
    )

    refused(lake, wider, "ns.t", "SCHEMA_MISMATCH", mode="append")  # strict, by default
    answer = saved(lake, wider, "ns.t", mode="append", schema_mode="merge")

    table = lake.table("ns.t")
    assert answer["rows_written"] == 1
    assert len(snapshot_ids(table)) == 2
    assert column_types(table) == {
        "i": "long",
        "f": "double",
        "d": "decimal(12, 2)",
        "s": "struct<x: optional long, z: optional string>",
        "extra": "string",
    }
    assert sorted(rows(table), key=lambda r: r["i"]) == [
        {"i": 1, "f": 1.5, "d": Decimal("1.25"), "s": {"x": 1, "z": None}, "extra": None},
        {
            "i": 2**40,
            "f": 2.25,
            "d": Decimal("123456789.50"),
            "s": {"x": 2**40, "z": "new"},
            "extra": "added",
        },
    ]


def test_merge_accepts_narrower_types_and_missing_columns_without_changing_the_table(
    lake: Lake,
) -> None:
    saved(lake, pa.table({"i": [10], "f": [1.5], "keep": ["x"]}), "ns.t")
    schema_id = lake.table("ns.t").schema().schema_id

    narrower = pa.table({"i": pa.array([1], pa.int32()), "f": pa.array([0.5], pa.float32())})
    saved(lake, narrower, "ns.t", mode="append", schema_mode="merge")

    table = lake.table("ns.t")
    assert table.schema().schema_id == schema_id
    assert sorted(rows(table), key=lambda r: r["i"]) == [
        {"i": 1, "f": 0.5, "keep": None},
        {"i": 10, "f": 1.5, "keep": "x"},
    ]


def test_merge_refuses_a_type_iceberg_cannot_promote(lake: Lake) -> None:
    saved(lake, pa.table({"n": pa.array([1], pa.int64()), "s": ["x"]}), "ns.t")
    before = lake.table("ns.t")

    answer = refused(
        lake,
        pa.table({"n": ["one"], "s": ["y"], "new": [1]}),
        "ns.t",
        "SCHEMA_MISMATCH",
        mode="append",
        schema_mode="merge",
    )

    # Only what merge cannot apply is listed; the new column alone would have been fine.
    assert answer["differences"] == [
        {"column": "n", "problem": "type", "table_type": "long", "result_type": "string"}
    ]
    after = lake.table("ns.t")
    assert snapshot_ids(after) == snapshot_ids(before)
    assert after.schema() == before.schema()  # nothing half-applied


def test_schema_overwrite_replaces_the_schema_and_the_data(lake: Lake) -> None:
    saved(lake, pa.table({"a": [1], "b": ["x"], "c": [1.0]}), "ns.t")
    saved(lake, pa.table({"a": [2], "b": ["y"], "c": [2.0]}), "ns.t", mode="append")
    before = snapshot_ids(lake.table("ns.t"))
    replacement = pa.table({"z": [True], "b": pa.array([7], pa.int64()), "a": [3]})

    answer = saved(lake, replacement, "ns.t", mode="overwrite", schema_mode="overwrite")

    table = lake.table("ns.t")
    assert [(f.name, str(f.field_type)) for f in table.schema().fields] == [
        ("z", "boolean"),
        ("b", "long"),
        ("a", "long"),
    ]
    assert snapshot_ids(table) == [*before, int(answer["snapshot_id"])]
    assert rows(table) == [{"z": True, "b": 7, "a": 3}]


def test_types_round_trip(lake: Lake) -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    data, table = saved_as(
        lake,
        "ns.types",
        {
            "day": (pa.array([dt.date(2024, 2, 29), None], pa.date32()), "date"),
            "at": (
                pa.array([dt.datetime(2024, 2, 29, 12, 30, 0, 123456), None], pa.timestamp("us")),
                "timestamp",
            ),
            "at_tz": (
                pa.array(
                    [dt.datetime(2024, 2, 29, 12, 30, tzinfo=paris), None],
                    pa.timestamp("us", tz="Europe/Paris"),
                ),
                "timestamptz",
            ),
            "price": (pa.array([Decimal("12.34"), None], pa.decimal128(10, 2)), "decimal(10, 2)"),
            "tags": (pa.array([[1, 2**40], None], pa.large_list(pa.int64())), "list<long>"),
            "point": (
                pa.array(
                    [{"x": 1.5, "label": "a"}, None],
                    pa.struct([("x", pa.float64()), ("label", pa.large_string())]),
                ),
                "struct<x: optional double, label: optional string>",
            ),
            "ok": (pa.array([True, None], pa.bool_()), "boolean"),
            "text": (pa.array(["é", None], pa.large_string()), "string"),
            "raw": (pa.array([b"\x00\x01", None], pa.large_binary()), "binary"),
            "n": (pa.array([None, 5], pa.int64()), "long"),
        },
    )
    back = table.scan().to_arrow()
    assert back.to_pylist() == data.to_pylist()  # an aware datetime equals the same instant
    assert back.schema.field("at_tz").type.tz in ("UTC", "+00:00")

    # A second, identical save is accepted by strict mode: the table's schema is the result's.
    saved(lake, data, "ns.types", mode="append")
    assert len(rows(lake.table("ns.types"))) == 4


def test_nanoseconds_small_ints_and_unsigned_ints_are_stored_as_iceberg_types(lake: Lake) -> None:
    _, table = saved_as(
        lake,
        "ns.t",
        {
            "ns": (pa.array([1_700_000_000_123_456_789], pa.timestamp("ns")), "timestamp"),
            "ns_tz": (
                pa.array([1_700_000_000_123_456_789], pa.timestamp("ns", tz="UTC")),
                "timestamptz",
            ),
            "ms": (pa.array([1_700_000_000_123], pa.timestamp("ms")), "timestamp"),
            "clock": (pa.array([3_723_000_000_001], pa.time64("ns")), "time"),
            "i8": (pa.array([-5], pa.int8()), "int"),
            "u16": (pa.array([65535], pa.uint16()), "int"),
            "u32": (pa.array([4_294_967_295], pa.uint32()), "long"),
            "u64": (pa.array([2**63 - 1], pa.uint64()), "long"),
            "half": (pa.array([1.5], pa.float16()), "float"),
            "cat": (pa.array(["a"]).dictionary_encode(), "string"),
            "fixed": (pa.array([[1, 2]], pa.list_(pa.int64(), 2)), "list<long>"),
        },
    )
    [row] = rows(table)
    assert row["ns"] == dt.datetime(2023, 11, 14, 22, 13, 20, 123456)  # truncated to us
    assert row["ns_tz"] == dt.datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=dt.UTC)
    assert row["ms"] == dt.datetime(2023, 11, 14, 22, 13, 20, 123000)
    assert row["clock"] == dt.time(1, 2, 3)
    assert (row["i8"], row["u16"], row["u32"], row["u64"]) == (-5, 65535, 4_294_967_295, 2**63 - 1)
    assert (row["half"], row["cat"], row["fixed"]) == (1.5, "a", [1, 2])

    too_big = refused(
        lake, pa.table({"u": pa.array([2**64 - 1], pa.uint64())}), "ns.big", "SCHEMA_MISMATCH"
    )
    assert by_problem(too_big)["u"]["problem"] == "type"
    assert "'u'" in too_big["message"]


def test_a_column_without_a_type_is_refused_clearly(lake: Lake) -> None:
    data = pa.table(
        {"ok": [1], "x": pa.nulls(1), "nested": pa.array([[None]], pa.list_(pa.null()))}
    )

    answer = refused(lake, data, "ns.t", "SCHEMA_MISMATCH")

    assert "'x' has no type" in answer["message"] and "cast it" in answer["message"]
    assert by_problem(answer) == {
        "x": {"column": "x", "problem": "type", "table_type": None, "result_type": "null"},
        "nested": {
            "column": "nested",
            "problem": "type",
            "table_type": None,
            "result_type": "null",
        },
    }
    assert not lake.catalog().table_exists("ns.t")


def test_a_type_iceberg_cannot_store_is_refused_clearly(lake: Lake) -> None:
    data = pa.table({"wait": pa.array([dt.timedelta(seconds=1)], pa.duration("us"))})

    answer = refused(lake, data, "ns.t", "SCHEMA_MISMATCH")

    assert "'wait'" in answer["message"] and "duration" in answer["message"]


def test_duplicate_column_names_are_refused(lake: Lake) -> None:
    data = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"])

    answer = refused(lake, data, "ns.t", "SCHEMA_MISMATCH")

    assert "'a'" in answer["message"]


def test_the_results_metadata_is_not_trusted(lake: Lake) -> None:
    """Field ids, odd names and Polars' metadata in the stream change nothing in the table."""
    ids = {b"PARQUET:field_id": b"99"}
    schema = pa.schema(
        [
            pa.field("a.b", pa.int64(), metadata=ids),
            pa.field("../x", pa.struct([pa.field("c", pa.int64(), metadata=ids)]), metadata=ids),
            pa.field("kind", pa.large_string(), metadata={b"_PL_CATEGORICAL2": b"0;0;u32;"}),
        ],
        metadata={b"PARQUET:field_id": b"7"},
    )
    data = pa.Table.from_pylist([{"a.b": 1, "../x": {"c": 2}, "kind": "k"}], schema=schema)

    saved(lake, data, "ns.t")
    saved(lake, data, "ns.t", mode="append")

    table = lake.table("ns.t")
    assert [(f.field_id, f.name) for f in table.schema().fields] == [
        (1, "a.b"),
        (2, "../x"),
        (3, "kind"),
    ]
    assert rows(table) == [{"a.b": 1, "../x": {"c": 2}, "kind": "k"}] * 2
    assert not any(p.name == "x" for p in lake.root.rglob("*"))


def test_a_required_column_takes_a_result_without_nulls_only(lake: Lake) -> None:
    lake.create_table(
        "ns.req",
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "note", StringType(), required=False),
    )

    saved(lake, pa.table({"id": [1, 2], "note": ["a", None]}), "ns.req", mode="append")
    answer = refused(
        lake,
        pa.table({"id": [3, None], "note": ["b", "c"]}),
        "ns.req",
        "SCHEMA_MISMATCH",
        mode="append",
    )

    assert answer["differences"] == [
        {
            "column": "id",
            "problem": "type",
            "table_type": "long (required)",
            "result_type": "with nulls",
        }
    ]
    assert sorted(r["id"] for r in rows(lake.table("ns.req"))) == [1, 2]


def test_a_malformed_result_file_fails_and_leaves_the_table_alone(lake: Lake) -> None:
    saved(lake, EVENTS, "ns.t")
    before = snapshot_ids(lake.table("ns.t"))
    job = lake.job(EVENTS, "ns.t")
    path = Path(job["arrow_path"])
    path.write_bytes(path.read_bytes()[:-40])

    answer = lake.writer.ask(job)

    assert answer["kind"] == "failed", answer
    assert snapshot_ids(lake.table("ns.t")) == before
    # The writer lives on and serves the next request.
    assert saved(lake, EVENTS, "ns.t", mode="append")["rows_written"] == 3


def concurrently(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each job sent by its own thread to its own writer process, all at once."""
    writers = [WriterProcess() for _ in jobs]
    try:
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            return list(pool.map(lambda w, j: w.ask(j), writers, jobs))
    finally:
        for w in writers:
            assert w.close() == 0


def test_eight_concurrent_appends_by_eight_writers_all_land(lake: Lake) -> None:
    saved(lake, pa.table({"writer": pa.array([0] * 100, pa.int64())}), "ns.busy")
    before = snapshot_ids(lake.table("ns.busy"))
    jobs = [
        lake.job(
            pa.table({"writer": pa.array([k] * (1000 + k), pa.int64())}), "ns.busy", mode="append"
        )
        for k in range(1, 9)
    ]

    started = time.monotonic()
    answers = concurrently(jobs)
    elapsed = time.monotonic() - started

    assert all(a["kind"] == "saved" for a in answers), answers
    table = lake.table("ns.busy")
    ids = snapshot_ids(table)
    assert len(ids) == len(before) + 8
    assert {int(a["snapshot_id"]) for a in answers} == set(ids) - set(before)
    counts: dict[int, int] = {}
    for r in rows(table):
        counts[r["writer"]] = counts.get(r["writer"], 0) + 1
    assert counts == {0: 100, **{k: 1000 + k for k in range(1, 9)}}
    print(f"8 appends in {elapsed:.1f}s; attempts {sorted(a['attempts'] for a in answers)}")


def test_eight_concurrent_first_saves_create_the_table_once_and_all_land(lake: Lake) -> None:
    jobs = [
        lake.job(pa.table({"writer": pa.array([k] * k, pa.int64())}), "new_ns.t", mode="append")
        for k in range(1, 9)
    ]

    answers = concurrently(jobs)

    assert all(a["kind"] == "saved" for a in answers), answers
    assert [a["created"] for a in answers].count(True) == 1
    table = lake.table("new_ns.t")
    assert len(snapshot_ids(table)) == 8
    assert sorted(r["writer"] for r in rows(table)) == sorted(
        k for k in range(1, 9) for _ in range(k)
    )


def test_schema_overwrite_relaxes_required_fields(lake: Lake) -> None:
    lake.create_table(
        "ns.req",
        NestedField(1, "id", LongType(), required=True),
        NestedField(
            2, "s", StructType(NestedField(3, "x", LongType(), required=True)), required=False
        ),
    )
    data = pa.table(
        {"id": pa.array([None, 1], pa.int64()), "s": pa.array([{"x": None}, None], S_TYPE)}
    )

    saved(lake, data, "ns.req", mode="overwrite", schema_mode="overwrite")

    table = lake.table("ns.req")
    assert all(f.optional for f in table.schema().fields)
    assert column_types(table) == {"id": "long", "s": "struct<x: optional long>"}
    assert rows(table) == data.to_pylist()


def test_results_iceberg_cannot_name_or_hold_are_refused(lake: Lake) -> None:
    no_columns = refused(lake, pa.table({}), "ns.t", "SCHEMA_MISMATCH")
    assert "no columns" in no_columns["message"]
    blank = refused(lake, pa.table({"": [1]}), "ns.t", "SCHEMA_MISMATCH")
    assert "empty name" in blank["message"]
    wide = refused(
        lake, pa.table({"d": pa.array([1], pa.decimal256(40, 0))}), "ns.t", "SCHEMA_MISMATCH"
    )
    assert by_problem(wide)["d"]["result_type"] == "decimal256(40, 0)"
    assert not lake.catalog().table_exists("ns.t")


# --- Fault injection (in-process) ---------------------------------------------------------------


def in_process_job(lake: Lake, data: pa.Table, identifier: str, **options: Any) -> CommitJob:
    job = parse_request(lake.job(data, identifier, **options))
    assert isinstance(job, CommitJob)
    return job


def commit_in_process(job: CommitJob, lake: Lake) -> dict[str, Any]:
    return to_wire(committer.commit(job, lake.catalog))


def test_losing_every_race_ends_in_a_conflict_answer(
    lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(lake, EVENTS, "ns.t")
    before = snapshot_ids(lake.table("ns.t"))
    calls = []

    def always_behind(self: SqlCatalog, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        raise CommitFailedException("Table has been updated by another process: ns.t")

    monkeypatch.setattr(SqlCatalog, "commit_table", always_behind)
    monkeypatch.setattr(time, "sleep", lambda seconds: None)

    job = in_process_job(lake, EVENTS, "ns.t", mode="append")
    answer = commit_in_process(job, lake)

    assert answer["kind"] == "refused" and answer["error_code"] == "CONFLICT"
    assert set(answer) == REFUSAL_KEYS
    assert "retry" in answer["message"]
    assert len(calls) >= job.max_attempts  # bounded: PyIceberg's own retries inside each
    monkeypatch.undo()
    assert snapshot_ids(lake.table("ns.t")) == before


def test_a_locked_database_is_retried(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    saved(lake, EVENTS, "ns.t")
    real_commit = SqlCatalog.commit_table
    calls = []

    def locked_once(self: SqlCatalog, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))
        return real_commit(self, *args, **kwargs)

    monkeypatch.setattr(SqlCatalog, "commit_table", locked_once)

    answer = commit_in_process(in_process_job(lake, EVENTS, "ns.t", mode="append"), lake)

    assert answer["kind"] == "saved" and answer["attempts"] == 2
    monkeypatch.undo()
    table = lake.table("ns.t")
    assert len(snapshot_ids(table)) == 2
    assert len(rows(table)) == 6


def test_a_failure_during_the_commit_leaves_the_previous_snapshot(
    lake: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved(lake, pa.table({"i": pa.array([1], pa.int32())}), "ns.t")
    before = lake.table("ns.t")

    def broken(self: SqlCatalog, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(SqlCatalog, "commit_table", broken)
    # A merge that widens a column and adds one, then overwrites: all of it or none of it.
    wider = pa.table({"i": pa.array([2], pa.int64()), "new": ["x"]})
    with pytest.raises(RuntimeError):
        commit_in_process(in_process_job(lake, wider, "ns.t", schema_mode="merge"), lake)
    monkeypatch.undo()

    after = lake.table("ns.t")
    assert snapshot_ids(after) == snapshot_ids(before)
    assert after.schema() == before.schema()
    assert dict(column_types(after)) == {"i": "int"}
    assert rows(after) == [{"i": 1}]
    assert isinstance(after.schema().fields[0].field_type, IntegerType)


# --- The landed-token check ---------------------------------------------------------------------


def test_a_job_sent_again_finds_its_commit_instead_of_committing_twice(lake: Lake) -> None:
    saved(lake, EVENTS, "ns.t")
    job = lake.job(EVENTS, "ns.t", mode="append")

    first = lake.writer.ask(job)
    # What the service does when a writer died before answering: the same job, another writer.
    again = WriterProcess()
    try:
        second = again.ask(job)
    finally:
        again.close()

    assert first["kind"] == second["kind"] == "saved"
    assert second["snapshot_id"] == first["snapshot_id"]
    assert len(snapshot_ids(lake.table("ns.t"))) == 2
    assert len(rows(lake.table("ns.t"))) == 6


def test_find_landed_reports_a_commit_by_its_token_only(lake: Lake) -> None:
    job = lake.job(EVENTS, "fresh.t", mode="overwrite")
    committed = saved(lake, EVENTS, "fresh.t")
    landed = lake.writer.ask(job)  # another token: its own commit
    question = {"kind": "find_landed", "catalog": job["catalog"], "identifier": "fresh.t"}

    found = lake.writer.ask({**question, "commit_token": job["commit_token"]})
    first = lake.writer.ask({**question, "commit_token": "0" * 32})
    unknown_table = lake.writer.ask(
        {**question, "identifier": "fresh.none", "commit_token": job["commit_token"]}
    )

    assert found == {**landed, "attempts": 0}
    assert found["rows_written"] == 3 and found["mode"] == "overwrite"
    assert first == {"kind": "not_landed"}
    assert unknown_table == {"kind": "not_landed"}
    assert committed["created"] is True and landed["created"] is False
    created = lake.catalog().load_table("fresh.t").snapshots()[0]
    assert created.summary is not None and created.summary.get("floe.created-table") == "true"


# --- check_save: a dry run's verdict, which the real save then gives --------------------------


def check(lake: Lake, data: pa.Table, identifier: str, **options: Any) -> dict[str, Any]:
    job = lake.job(data.slice(0, 0), identifier, **options)  # a dry run's result: no rows
    for field in ("commit_token", "max_attempts"):
        del job[field]
    return lake.writer.ask(job | {"kind": "check_save"})


def verdict_then_save(lake: Lake, data: pa.Table, identifier: str, **options: Any) -> None:
    """The check's answer, then the real save's: both refused alike, or both passing, the table
    then having exactly the columns the check announced; the check itself changes nothing."""
    before = (
        snapshot_ids(lake.table(identifier)) if lake.catalog().table_exists(identifier) else None
    )
    verdict = check(lake, data, identifier, **options)
    after = (
        snapshot_ids(lake.table(identifier)) if lake.catalog().table_exists(identifier) else None
    )
    assert before == after, "a check writes nothing"
    answer = save(lake, data, identifier, **options)
    if verdict["kind"] == "refused":
        assert answer == verdict
        return
    assert verdict["kind"] == "would_save", verdict
    assert answer["kind"] == "saved", answer
    assert verdict["creates_table"] == answer["created"]
    announced = {c["name"]: re.sub(r"\b\d+: ", "", c["type"]) for c in verdict["columns"]}
    assert announced == column_types(lake.table(identifier))


def test_check_save_gives_the_verdict_the_save_then_gives(lake: Lake) -> None:
    ints = pa.table({"a": pa.array([1, 2], pa.int32()), "b": ["x", "y"]})
    wider = pa.table({"a": pa.array([1, 2], pa.int64()), "b": ["x", "y"], "c": [1.5, 2.5]})
    verdict_then_save(lake, ints, "checked.t")  # a new table (and namespace)
    verdict_then_save(lake, wider, "checked.t")  # strict: refused, every difference listed
    verdict_then_save(lake, wider, "checked.t", mode="append", schema_mode="merge")
    verdict_then_save(lake, ints, "checked.t", schema_mode="overwrite")
    verdict_then_save(lake, ints, "absent.t", create_namespaces=False)  # NAMESPACE_NOT_FOUND


def test_check_save_lists_the_differences_a_merge_accepts(lake: Lake) -> None:
    saved(lake, pa.table({"a": pa.array([1], pa.int32())}), "checked.m")
    verdict = check(
        lake,
        pa.table({"a": pa.array([1], pa.int64()), "n": ["new"]}),
        "checked.m",
        mode="append",
        schema_mode="merge",
    )
    assert verdict["kind"] == "would_save", verdict
    assert by_problem(verdict) == {
        "a": {"column": "a", "problem": "type", "table_type": "int", "result_type": "long"},
        "n": {"column": "n", "problem": "extra", "table_type": None, "result_type": "string"},
    }
    assert [c["name"] for c in verdict["columns"]] == ["a", "n"]
    assert lake.table("checked.m").schema().find_field("a").field_type == IntegerType()
