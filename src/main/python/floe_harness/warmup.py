"""What the first scan in a process costs, paid once in the template instead of in every runner.

A fresh process pays for its first Iceberg scan: PyIceberg's metadata parsing and scan planning
fill caches (type dispatch, Avro readers, lazily imported modules), Polars loads its Iceberg planner
plugin (a shared library) and sets up its scan. The template does all of that once, on a small
table of its own in a temporary directory, without starting a thread (PyIceberg's planning
executor is replaced by a synchronous one meanwhile), so every runner forked from it starts with
those caches filled. A failure here only costs speed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any

import polars as pl
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.manifest import (
    DataFile,
    DataFileContent,
    FileFormat,
    ManifestEntry,
    ManifestEntryStatus,
    write_manifest,
    write_manifest_list,
)
from pyiceberg.partitioning import UNPARTITIONED_PARTITION_SPEC
from pyiceberg.schema import Schema
from pyiceberg.serializers import ToOutputFile
from pyiceberg.table import StaticTable
from pyiceberg.table.metadata import new_table_metadata
from pyiceberg.table.snapshots import Operation, Snapshot, Summary
from pyiceberg.table.sorting import UNSORTED_SORT_ORDER
from pyiceberg.typedef import Record
from pyiceberg.types import (
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    ListType,
    LongType,
    NestedField,
    StringType,
    StructType,
    TimestamptzType,
)
from pyiceberg.utils.concurrent import ExecutorFactory

_SNAPSHOT_ID = 1


class _Synchronous(Executor):
    """An executor that runs each task at once, in the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], **_: Any) -> Iterator[Any]:
        return iter([fn(*args) for args in zip(*iterables, strict=False)])


def warm_up() -> None:
    directory = tempfile.mkdtemp(prefix="floe-warmup-")
    ExecutorFactory._instance = _Synchronous()
    ExecutorFactory._instance_pid = os.getpid()
    try:
        table = StaticTable.from_metadata(_table(directory))
        list(table.scan(row_filter="id > 1").plan_files())
        # Building the frames only: resolving them would start Polars' async runtime, whose
        # threads a forked runner would not have (it would wait on them forever).
        frame = pl.scan_iceberg(table, snapshot_id=_SNAPSHOT_ID)
        pl.SQLContext({"t": frame}).execute(
            "SELECT name, COUNT(*) AS n FROM t WHERE id > 1 GROUP BY name", eager=False
        )
        _load_planner_plugin()
    finally:
        ExecutorFactory._instance = None
        ExecutorFactory._instance_pid = None
        shutil.rmtree(directory, ignore_errors=True)


def _load_planner_plugin() -> None:
    """Loads Polars' Iceberg planner plugin and does its handshake (no thread starts)."""
    from polars.io.iceberg._plugin import use_plugin_planner

    use_plugin_planner()


def _table(directory: str) -> str:
    """A one-snapshot table of one (absent) data file; its metadata file's location."""
    schema = Schema(
        NestedField(1, "id", LongType(), required=False),
        NestedField(2, "name", StringType(), required=False),
        NestedField(3, "price", DecimalType(10, 2), required=False),
        NestedField(4, "ratio", DoubleType(), required=False),
        NestedField(5, "ok", BooleanType(), required=False),
        NestedField(6, "day", DateType(), required=False),
        NestedField(7, "at", TimestamptzType(), required=False),
        NestedField(8, "tags", ListType(9, StringType(), element_required=False), required=False),
        NestedField(
            10,
            "point",
            StructType(NestedField(11, "x", DoubleType(), required=False)),
            required=False,
        ),
    )
    location = "file://" + directory
    metadata = new_table_metadata(
        schema, UNPARTITIONED_PARTITION_SPEC, UNSORTED_SORT_ORDER, location, {}
    )
    io = PyArrowFileIO()
    manifest_path = f"{location}/metadata/warmup-m0.avro"
    with write_manifest(
        2,
        UNPARTITIONED_PARTITION_SPEC,
        metadata.schema(),
        io.new_output(manifest_path),
        _SNAPSHOT_ID,
        "null",
    ) as writer:
        writer.add(
            ManifestEntry.from_args(
                status=ManifestEntryStatus.ADDED,
                snapshot_id=_SNAPSHOT_ID,
                sequence_number=1,
                data_file=DataFile.from_args(
                    content=DataFileContent.DATA,
                    file_path=f"{location}/data/warmup.parquet",
                    file_format=FileFormat.PARQUET,
                    partition=Record(),
                    record_count=1,
                    file_size_in_bytes=1,
                    lower_bounds={1: (1).to_bytes(8, "little")},
                    upper_bounds={1: (9).to_bytes(8, "little")},
                ),
            )
        )
    manifest = writer.to_manifest_file()
    list_path = f"{location}/metadata/snap-{_SNAPSHOT_ID}-warmup.avro"
    with write_manifest_list(2, io.new_output(list_path), _SNAPSHOT_ID, None, 1, "null") as lists:
        lists.add_manifests([manifest])
    snapshot = Snapshot.model_validate(
        {
            "snapshot-id": _SNAPSHOT_ID,
            "sequence-number": 1,
            "manifest-list": list_path,
            "summary": Summary(operation=Operation.APPEND),
            "schema-id": metadata.current_schema_id,
        }
    )
    metadata = metadata.model_copy(
        update={
            "snapshots": [snapshot],
            "current_snapshot_id": _SNAPSHOT_ID,
            "last_sequence_number": 1,
        }
    )
    metadata_path = f"{location}/metadata/00001-warmup.metadata.json"
    ToOutputFile.table_metadata(metadata, io.new_output(metadata_path))
    return metadata_path
