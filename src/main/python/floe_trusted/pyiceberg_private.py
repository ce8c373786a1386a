"""Every PyIceberg private name the trusted writer relies on, wrapped here and nowhere else.

PyIceberg has no public API for these (pinned ``PINNED_VERSION``): the Iceberg schema a result
would produce, its own compatibility check, writing Parquet data files for a transaction, and a
snapshot producer that removes and adds files in one OVERWRITE snapshot. ``EXPECTED_SIGNATURES``
is what ``tests/test_pyiceberg_private.py`` checks with ``inspect``, beside a behaviour test of
each wrapper, so an upgrade that changes one fails there, naming it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import pyarrow as pa
from pyiceberg.io import FileIO
from pyiceberg.io.pyarrow import (
    _check_pyarrow_schema_compatible,
    _ConvertToIcebergWithoutIDs,
    _dataframe_to_data_files,
    visit_pyarrow,
)
from pyiceberg.manifest import DataFile
from pyiceberg.schema import Schema
from pyiceberg.table import Transaction
from pyiceberg.table.metadata import TableMetadata
from pyiceberg.table.update.snapshot import _OverwriteFiles

PINNED_VERSION = "0.12.0"

# name -> (where it lives, its parameters in order as ``inspect.signature`` shows them)
EXPECTED_SIGNATURES: dict[str, tuple[str, tuple[str, ...]]] = {
    "_dataframe_to_data_files": (
        "pyiceberg.io.pyarrow",
        ("table_metadata", "df", "io", "write_uuid=None", "counter=None"),
    ),
    "_check_pyarrow_schema_compatible": (
        "pyiceberg.io.pyarrow",
        (
            "requested_schema",
            "provided_schema",
            "downcast_ns_timestamp_to_us=False",
            "format_version=2",
        ),
    ),
    "_ConvertToIcebergWithoutIDs": (
        "pyiceberg.io.pyarrow",
        ("downcast_ns_timestamp_to_us=False", "format_version=2"),
    ),
    "_OverwriteFiles.delete_by_predicate": (
        "pyiceberg.table.update.snapshot",
        ("self", "predicate", "case_sensitive=True"),
    ),
    "_OverwriteFiles.delete_data_file": ("pyiceberg.table.update.snapshot", ("self", "data_file")),
    "_OverwriteFiles.append_data_file": ("pyiceberg.table.update.snapshot", ("self", "data_file")),
}


def iceberg_schema_of(arrow_schema: pa.Schema, format_version: int) -> Schema:
    """The Iceberg schema PyIceberg derives from an Arrow schema (field ids all -1)."""
    visitor = _ConvertToIcebergWithoutIDs(format_version=format_version)  # type: ignore[arg-type]
    schema = visit_pyarrow(arrow_schema, visitor)
    assert isinstance(schema, Schema)
    return schema


def check_schema_compatible(
    table_schema: Schema, arrow_schema: pa.Schema, format_version: int
) -> None:
    """PyIceberg's own check that ``arrow_schema`` can be written into ``table_schema``.

    Raises ``ValueError`` when it cannot (e.g. a nullable column for a required field).
    """
    _check_pyarrow_schema_compatible(
        table_schema,
        arrow_schema,
        format_version=format_version,  # type: ignore[arg-type]
    )


def write_data_files(
    table_metadata: TableMetadata, data: pa.Table, io: FileIO, write_uuid: uuid.UUID
) -> Iterable[DataFile]:
    """Writes ``data`` as Parquet data files of the table (the path ``Transaction.append`` uses)."""
    return _dataframe_to_data_files(
        table_metadata=table_metadata, df=data, io=io, write_uuid=write_uuid
    )


class OverwriteFiles(Protocol):
    """The part of PyIceberg's private ``_OverwriteFiles`` producer the writer uses."""

    commit_uuid: uuid.UUID

    def delete_by_predicate(self, predicate: Any, case_sensitive: bool = True) -> None: ...

    def delete_data_file(self, data_file: DataFile) -> Any: ...

    def append_data_file(self, data_file: DataFile) -> Any: ...


@contextmanager
def overwrite_files(tx: Transaction, properties: dict[str, str]) -> Iterator[OverwriteFiles]:
    """One OVERWRITE snapshot in ``tx`` that removes and adds exactly the files it is told."""
    with tx.update_snapshot(snapshot_properties=properties).overwrite() as producer:
        assert isinstance(producer, _OverwriteFiles)
        yield producer
