"""Saves a finished run's result (an Arrow IPC stream file) into an Iceberg table.

Runs in the trusted writer process: it has write access to the catalog and never runs user code.
The result file came out of a sandbox, so it is parsed as data and nothing more.
"""

from __future__ import annotations

import contextlib
import random
import time
from typing import Any

import pyarrow as pa
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.exceptions import (
    CommitFailedException,
    NamespaceAlreadyExistsError,
    NoSuchNamespaceError,
    NoSuchTableError,
    TableAlreadyExistsError,
)
from pyiceberg.schema import Schema
from pyiceberg.table import Table

MAX_ATTEMPTS = 12
# Iceberg's allowed promotions, by the type's string form (table type, result type).
PROMOTIONS = {("long", "int"), ("double", "float")}


def commit(job: dict[str, Any]) -> dict[str, Any]:
    catalog = load_catalog(job["catalog"]["name"], **job["catalog"]["properties"])
    identifier: str = job["identifier"]
    namespace = identifier.split(".")[0]
    data = _read_result(job["arrow_path"])
    untyped = [f.name for f in data.schema if pa.types.is_null(f.type)]
    if untyped:
        return _refusal(
            "SCHEMA_MISMATCH",
            f"Cannot save column {untyped[0]!r}: it has no type (all values are null); cast it,"
            " e.g. pl.lit(None).cast(pl.String).",
            [{"column": c, "problem": "type", "result_type": "null"} for c in untyped],
        )
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return _commit_once(catalog, identifier, namespace, data, job, attempt)
        except CommitFailedException:
            pass
        except Exception as e:  # SQLite lock contention surfaces as an OperationalError
            if "locked" not in str(e):
                raise
        time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))
    return _refusal(
        "CONFLICT",
        f"Cannot save to {identifier!r}: other writers committed first {MAX_ATTEMPTS} times in a"
        " row; retry the request.",
        [],
    )


def _commit_once(
    catalog: Catalog,
    identifier: str,
    namespace: str,
    data: pa.Table,
    job: dict[str, Any],
    attempt: int,
) -> dict[str, Any]:
    created = False
    try:
        table = catalog.load_table(identifier)
    except NoSuchTableError:
        if not _namespace_exists(catalog, namespace):
            if not job.get("create_namespaces", False):
                return _refusal(
                    "NAMESPACE_NOT_FOUND",
                    f"Cannot save to {identifier!r}: namespace {namespace!r} does not exist and"
                    " this server does not create namespaces; ask for it to be created first.",
                    [],
                )
            with contextlib.suppress(NamespaceAlreadyExistsError):
                catalog.create_namespace(namespace)
        try:
            table = catalog.create_table(identifier, schema=data.schema)
            created = True
        except TableAlreadyExistsError:
            table = catalog.load_table(identifier)
    if not created:
        refusal = _reconcile_schema(table, data, job["schema_mode"], job["mode"])
        if refusal is not None:
            return refusal
        table = catalog.load_table(identifier)
        data = data.cast(_target_schema(table, data))
    if job["mode"] == "append":
        table.append(data)
    else:
        table.overwrite(data)
    snapshot = table.current_snapshot()
    return {
        "ok": True,
        "table": identifier,
        "rows_written": data.num_rows,
        "mode": job["mode"],
        "snapshot_id": str(snapshot.snapshot_id) if snapshot else None,
        "created": created,
        "attempts": attempt,
    }


def _read_result(path: str) -> pa.Table:
    # The whole result in memory for now; streaming batches into Iceberg is later work.
    with pa.OSFile(path, "rb") as f:
        data = pa.ipc.open_stream(f).read_all()
    data = data.replace_schema_metadata(None)
    fields = []
    for field in data.schema:
        t = field.type
        if pa.types.is_timestamp(t) and t.unit == "ns":
            t = pa.timestamp("us", tz=t.tz)
        fields.append(pa.field(field.name, t))
    return data.cast(pa.schema(fields))


def _namespace_exists(catalog: Catalog, namespace: str) -> bool:
    try:
        catalog.load_namespace_properties(namespace)
        return True
    except NoSuchNamespaceError:
        return False


def _schema_without_ids(data: pa.Table) -> Schema:
    from pyiceberg.io.pyarrow import _ConvertToIcebergWithoutIDs, visit_pyarrow

    schema = visit_pyarrow(data.schema, _ConvertToIcebergWithoutIDs())
    assert isinstance(schema, Schema)
    return schema


def _differences(table_schema: Schema, result_schema: Schema) -> list[dict[str, Any]]:
    table_fields = {f.name: str(f.field_type) for f in table_schema.fields}
    result_fields = {f.name: str(f.field_type) for f in result_schema.fields}
    out: list[dict[str, Any]] = []
    for name, t in table_fields.items():
        if name not in result_fields:
            out.append({"column": name, "problem": "missing", "table_type": t})
        elif result_fields[name] != t:
            out.append(
                {
                    "column": name,
                    "problem": "type",
                    "table_type": t,
                    "result_type": result_fields[name],
                }
            )
    for name, t in result_fields.items():
        if name not in table_fields:
            out.append({"column": name, "problem": "extra", "result_type": t})
    return out


def _reconcile_schema(
    table: Table, data: pa.Table, schema_mode: str, mode: str
) -> dict[str, Any] | None:
    diffs = _differences(table.schema(), _schema_without_ids(data))
    if not diffs:
        return None
    if schema_mode == "overwrite" and mode == "overwrite":
        with table.update_schema(allow_incompatible_changes=True) as update:
            for d in diffs:
                if d["problem"] in ("missing", "type"):
                    update.delete_column(d["column"])
        with table.update_schema() as update:
            update.union_by_name(data.schema)
        return None
    if schema_mode == "merge":
        blocking = [
            d
            for d in diffs
            if d["problem"] == "type"
            and (d["table_type"], d["result_type"]) not in PROMOTIONS
            and not _decimal_widening(d["table_type"], d["result_type"])
        ]
        if not blocking:
            with table.update_schema() as update:
                update.union_by_name(data.schema)
            return None
        diffs = blocking
    names = ", ".join(f"{d['column']} ({d['problem']})" for d in diffs)
    hint = (
        "use schemaMode=merge to add columns and widen types, or schemaMode=overwrite with"
        " saveMode=overwrite to replace the schema"
        if schema_mode == "strict"
        else "cast those columns to the table's types"
    )
    return _refusal(
        "SCHEMA_MISMATCH",
        f"Cannot save: the result's schema differs from the table's in {names}; {hint}.",
        diffs,
    )


def _decimal_widening(table_type: str, result_type: str) -> bool:
    if not (table_type.startswith("decimal(") and result_type.startswith("decimal(")):
        return False
    tp, ts = (int(x) for x in table_type[8:-1].split(","))
    rp, rs = (int(x) for x in result_type[8:-1].split(","))
    return ts == rs and rp <= tp


def _target_schema(table: Table, data: pa.Table) -> pa.Schema:
    """The result's columns cast to the table's Arrow types (int→long etc.)."""
    target = table.schema().as_arrow()
    by_name = {f.name: f for f in target}
    fields = []
    for field in data.schema:
        t = by_name[field.name].type if field.name in by_name else field.type
        fields.append(pa.field(field.name, t))
    return pa.schema(fields)


def _refusal(code: str, message: str, differences: list[dict[str, Any]]) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "message": message, "differences": differences}
