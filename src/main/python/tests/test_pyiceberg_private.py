"""The PyIceberg private names the trusted writer relies on (floe_trusted/pyiceberg_private.py):
each one's signature, checked with ``inspect``, and each wrapper's behaviour on a real table. A
PyIceberg upgrade that changes one fails here, naming it and the version it was pinned at."""

from __future__ import annotations

import importlib
import inspect
import uuid
from pathlib import Path

import pyarrow as pa
import pyiceberg
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType

from floe_trusted import pyiceberg_private as private


def _parameters(obj: object) -> tuple[str, ...]:
    found = []
    for p in inspect.signature(obj).parameters.values():  # type: ignore[arg-type]
        found.append(p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}")
    return tuple(found)


def _resolve(module: str, dotted: str) -> object:
    obj: object = importlib.import_module(module)
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            pytest.fail(_changed(dotted, f"{module}.{dotted} no longer exists"))
    return obj


def _changed(name: str, what: str) -> str:
    return (
        f"PyIceberg private helper `{name}` changed (pinned {private.PINNED_VERSION}, installed"
        f" {pyiceberg.__version__}): {what}. Re-check floe_trusted/pyiceberg_private.py against"
        " the new PyIceberg before upgrading."
    )


@pytest.mark.parametrize("name", sorted(private.EXPECTED_SIGNATURES))
def test_the_signature_is_the_one_the_wrapper_was_written_for(name: str) -> None:
    module, expected = private.EXPECTED_SIGNATURES[name]
    found = _parameters(_resolve(module, name))

    assert found == expected, _changed(name, f"expected parameters {expected}, found {found}")


@pytest.fixture
def table_and_catalog(tmp_path: Path) -> tuple[SqlCatalog, str]:
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    catalog = SqlCatalog("lake", uri=f"sqlite:///{tmp_path / 'c.db'}", warehouse=warehouse.as_uri())
    catalog.create_namespace("ns")
    schema = Schema(
        NestedField(1, "id", LongType(), required=True), NestedField(2, "v", StringType())
    )
    catalog.create_table("ns.t", schema=schema)
    return catalog, "ns.t"


def test_the_iceberg_schema_of_a_result() -> None:
    schema = private.iceberg_schema_of(
        pa.schema([("id", pa.int64()), ("v", pa.large_string())]), format_version=2
    )

    assert [(f.name, str(f.field_type), f.field_id) for f in schema.fields] == [
        ("id", "long", -1),
        ("v", "string", -1),
    ], _changed("_ConvertToIcebergWithoutIDs", f"it now converts to {schema}")


def test_the_compatibility_check_refuses_a_null_for_a_required_field(
    table_and_catalog: tuple[SqlCatalog, str],
) -> None:
    catalog, name = table_and_catalog
    table = catalog.load_table(name)
    fits = pa.schema([pa.field("id", pa.int64(), nullable=False), ("v", pa.large_string())])
    nullable = pa.schema([("id", pa.int64()), ("v", pa.large_string())])

    private.check_schema_compatible(table.schema(), fits, table.metadata.format_version)
    with pytest.raises(ValueError):
        private.check_schema_compatible(table.schema(), nullable, table.metadata.format_version)


def test_data_files_and_a_one_snapshot_overwrite(table_and_catalog: tuple[SqlCatalog, str]) -> None:
    catalog, name = table_and_catalog
    table = catalog.load_table(name)
    rows = pa.table(
        {"id": pa.array([1, 2], pa.int64()), "v": pa.array(["a", "b"], pa.large_string())},
        schema=pa.schema([pa.field("id", pa.int64(), nullable=False), ("v", pa.large_string())]),
    )
    tx = table.transaction()
    with private.overwrite_files(tx, {"marker": "x"}) as overwrite:
        assert isinstance(overwrite.commit_uuid, uuid.UUID)
        files = list(
            private.write_data_files(tx.table_metadata, rows, table.io, overwrite.commit_uuid)
        )
        assert [f.record_count for f in files] == [2], _changed("_dataframe_to_data_files", "files")
        for data_file in files:
            overwrite.append_data_file(data_file)
    committed = tx.commit_transaction()

    snapshot = committed.current_snapshot()
    assert snapshot is not None and snapshot.summary is not None
    assert snapshot.summary.get("marker") == "x"
    assert committed.scan().to_arrow().to_pylist() == [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}]
