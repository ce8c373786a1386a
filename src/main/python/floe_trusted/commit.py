"""Saves a finished run's result (an Arrow IPC stream file) into an Iceberg table.

Runs in the trusted writer process: it has write access to the catalog and never runs user code.
The result file came out of a sandbox, so it is parsed as data and nothing more: its metadata is
dropped (schema and field metadata alike, so no ``PARQUET:field_id`` of its choosing reaches
PyIceberg), its column names are used literally (never as paths), and its buffers are validated
before anything reads them.

One save is one Iceberg commit. Schema changes (merge, overwrite) and the data go into a single
transaction, and an overwrite removes the old data files and adds the new ones in one OVERWRITE
snapshot, so a failure anywhere before the catalog swaps the metadata pointer leaves the table at
its previous snapshot and schema. Losing the optimistic race to a concurrent writer
(``CommitFailedException``, ``ValidationException``, a create race, SQLite's "database is locked")
is retried from a fresh load of the table, a bounded number of times with jittered backoff.
Inside each attempt PyIceberg itself re-tries a lost ``CommitFailedException`` up to
``commit.retry.num-retries`` (4) times, re-parenting the new snapshot without rewriting data
files; the answer's ``attempts`` counts ours, the fresh starts.

PyIceberg internals relied on (pinned 0.12.0): ``_ConvertToIcebergWithoutIDs`` (the Iceberg
schema a result would produce), ``_check_pyarrow_schema_compatible`` and
``_dataframe_to_data_files`` (the write path ``Transaction.append`` uses).
"""

from __future__ import annotations

import contextlib
import itertools
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from pyiceberg.catalog import Catalog, load_catalog
from pyiceberg.exceptions import (
    CommitFailedException,
    CommitStateUnknownException,
    NamespaceAlreadyExistsError,
    NoSuchTableError,
    TableAlreadyExistsError,
    ValidationException,
)
from pyiceberg.expressions import AlwaysTrue
from pyiceberg.io.pyarrow import (
    _check_pyarrow_schema_compatible,
    _ConvertToIcebergWithoutIDs,
    _dataframe_to_data_files,
    visit_pyarrow,
)
from pyiceberg.manifest import DataFile, ManifestContent
from pyiceberg.schema import Schema
from pyiceberg.table import Table, Transaction
from pyiceberg.table.snapshots import Snapshot
from pyiceberg.typedef import Identifier
from pyiceberg.types import (
    DecimalType,
    DoubleType,
    FloatType,
    IcebergType,
    IntegerType,
    ListType,
    LongType,
    MapType,
    NestedField,
    StructType,
)
from sqlalchemy.exc import OperationalError

MAX_ATTEMPTS = 10
FIRST_BACKOFF_SECONDS = 0.05
MAX_BACKOFF_SECONDS = 2.0
# Written into the summary of the snapshot a save produces. After a failure whose outcome is not
# certain (a lock error, a lost response) the next attempt looks for it, so a save that did land is
# reported instead of being committed a second time.
TOKEN_PROPERTY = "floe.commit-token"
MODES = ("overwrite", "append")
SCHEMA_MODES = ("strict", "merge", "overwrite")
MAX_NAMES_IN_MESSAGE = 5


class Refusal(Exception):
    """A save Floe refuses for a reason the caller can fix; becomes the ``ok: false`` answer."""

    def __init__(
        self, code: str, message: str, differences: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.differences = differences or []

    def answer(self) -> dict[str, Any]:
        return {
            "ok": False,
            "error_code": self.code,
            "message": self.message,
            "differences": self.differences,
        }


def _difference(
    column: str, problem: str, table_type: str | None = None, result_type: str | None = None
) -> dict[str, Any]:
    return {
        "column": column,
        "problem": problem,
        "table_type": table_type,
        "result_type": result_type,
    }


def commit(job: dict[str, Any]) -> dict[str, Any]:
    """Saves ``job["arrow_path"]`` into ``job["identifier"]``; see the module docstring.

    A refusal is an answer (``ok: false``, error_code SCHEMA_MISMATCH, NAMESPACE_NOT_FOUND or
    CONFLICT); an exception is a bug, or a result file that is not a valid Arrow stream (the
    launcher exits non-zero, the table untouched).
    """
    # The answer is the one JSON line on stdout: anything a library prints goes to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        return _commit(job)


@dataclass
class _Attempt:
    """What the latest attempt was doing, for reporting a commit found to have landed."""

    creating: bool = False
    number: int = 0
    catalog: Catalog | None = field(default=None, repr=False)


def _commit(job: dict[str, Any]) -> dict[str, Any]:
    mode = job["mode"]
    schema_mode = job.get("schema_mode") or "strict"
    if mode not in MODES or schema_mode not in SCHEMA_MODES:
        raise ValueError(f"bad job: mode={mode!r} schema_mode={schema_mode!r}")
    if schema_mode == "overwrite" and mode != "overwrite":
        raise ValueError("bad job: schema_mode=overwrite needs mode=overwrite")
    identifier: str = job["identifier"]
    namespace, name = _split_identifier(identifier)
    try:
        data = _read_result(job["arrow_path"])
    except Refusal as refusal:
        return refusal.answer()

    token = uuid.uuid4().hex
    state = _Attempt()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        state.number = attempt
        try:
            if state.catalog is None:  # in the loop: opening a SqlCatalog can meet a lock too
                state.catalog = load_catalog(job["catalog"]["name"], **job["catalog"]["properties"])
            return _commit_once(
                state,
                (namespace, name),
                identifier,
                data,
                mode,
                schema_mode,
                bool(job.get("create_namespaces", False)),
                token,
            )
        except Refusal as refusal:
            return refusal.answer()
        except Exception as error:
            if not _lost_a_race(error):
                raise
            print(
                f"commit to {identifier} attempt {attempt} lost a race: "
                f"{type(error).__name__}: {error}",
                file=sys.stderr,
            )
        landed = _find_landed(state.catalog, (namespace, name), token)
        if landed is not None:
            return _success(identifier, data.num_rows, mode, landed, state.creating, attempt)
        if attempt < MAX_ATTEMPTS:
            backoff = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1))
            time.sleep(backoff * random.uniform(0.5, 1.5))
    return Refusal(
        "CONFLICT",
        f"Cannot save to '{identifier}': other writers committed to it first {MAX_ATTEMPTS} times"
        " in a row, so nothing was saved; retry the request.",
    ).answer()


def _split_identifier(identifier: str) -> tuple[str, str]:
    # The service validated it already; checked again because it becomes a storage path.
    parts = identifier.split(".")
    if len(parts) != 2 or not all(parts) or any("/" in p or "\\" in p for p in parts):
        raise ValueError(f"bad job: identifier {identifier!r} is not 'namespace.table'")
    return parts[0], parts[1]


def _lost_a_race(error: BaseException) -> bool:
    """Whether ``error`` means another writer got there first (so a fresh attempt may succeed)."""
    if isinstance(
        error,
        CommitFailedException
        | ValidationException
        | TableAlreadyExistsError
        | CommitStateUnknownException,
    ):
        return True
    return _database_locked(error)


def _database_locked(error: BaseException) -> bool:
    seen: BaseException | None = error
    for _ in range(8):  # the error and what it was raised from
        if seen is None:
            return False
        if isinstance(seen, OperationalError) and "locked" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _find_landed(catalog: Catalog | None, identifier: Identifier, token: str) -> Snapshot | None:
    """The snapshot an earlier attempt of this save committed, if one did land after all."""
    if catalog is None:
        return None
    try:
        table = catalog.load_table(identifier)
    except Exception as error:
        if isinstance(error, NoSuchTableError) or _lost_a_race(error):
            return None
        raise
    for snapshot in table.metadata.snapshots:
        if snapshot.summary is not None and snapshot.summary[TOKEN_PROPERTY] == token:
            return snapshot
    return None


def _success(
    identifier: str, rows: int, mode: str, snapshot: Snapshot, created: bool, attempts: int
) -> dict[str, Any]:
    return {
        "ok": True,
        "table": identifier,
        "rows_written": rows,
        "mode": mode,
        "snapshot_id": str(snapshot.snapshot_id),
        "created": created,
        "attempts": attempts,
    }


def _commit_once(
    state: _Attempt,
    identifier: Identifier,
    label: str,
    data: pa.Table,
    mode: str,
    schema_mode: str,
    create_namespaces: bool,
    token: str,
) -> dict[str, Any]:
    catalog = state.catalog
    assert catalog is not None
    properties = {TOKEN_PROPERTY: token}
    try:
        table = catalog.load_table(identifier)
    except NoSuchTableError:
        state.creating = True
        _ensure_namespace(catalog, label, str(identifier[0]), create_namespaces)
        # The table and its first snapshot in one commit: nobody ever sees it empty. Every field
        # is optional, because the result's are all nullable (see _storable).
        create = catalog.create_table_transaction(identifier, schema=data.schema)
        create.append(data, snapshot_properties=properties)
        committed = create.commit_transaction()
    else:
        state.creating = False
        tx = table.transaction()
        to_write = _reconcile_schema(tx, table, data, label, schema_mode)
        try:
            # PyIceberg's own check, as a net under ours (e.g. a required nested field).
            _check_pyarrow_schema_compatible(
                tx.table_metadata.schema(),
                to_write.schema,
                format_version=tx.table_metadata.format_version,
            )
        except ValueError as error:
            raise Refusal(
                "SCHEMA_MISMATCH",
                f"Cannot save to '{label}': the result does not fit the table's schema (for"
                " example a null value for a required field); cast the result to the table's"
                " schema, or use schemaMode=overwrite with saveMode=overwrite to replace it.",
            ) from error
        if mode == "append":
            tx.append(to_write, snapshot_properties=properties)
        else:
            _overwrite_in_one_snapshot(tx, table, to_write, properties)
        committed = tx.commit_transaction()
    snapshot = committed.current_snapshot()
    if snapshot is None or snapshot.summary is None or snapshot.summary[TOKEN_PROPERTY] != token:
        # The commit response is this commit's metadata, so this cannot happen; look it up anyway.
        snapshot = next(
            s
            for s in committed.metadata.snapshots
            if s.summary and s.summary[TOKEN_PROPERTY] == token
        )
    return _success(label, data.num_rows, mode, snapshot, state.creating, state.number)


def _ensure_namespace(catalog: Catalog, name: str, namespace: str, create: bool) -> None:
    if catalog.namespace_exists(namespace):
        return
    if not create:
        raise Refusal(
            "NAMESPACE_NOT_FOUND",
            f"Cannot save to '{name}': namespace '{namespace}' does not exist and this server"
            " does not create namespaces; ask for it to be created, or save to an existing one.",
        )
    try:
        catalog.create_namespace(namespace)
    except NamespaceAlreadyExistsError:
        pass  # another writer created it first
    except Exception:
        if not catalog.namespace_exists(namespace):
            raise


def _overwrite_in_one_snapshot(
    tx: Transaction, table: Table, data: pa.Table, properties: dict[str, str]
) -> None:
    """Replaces every data file of the table with ``data``: one OVERWRITE snapshot.

    ``Table.overwrite`` adds two snapshots, a DELETE and then an APPEND (in one commit, but time
    travel to the first shows an empty table); a save is one snapshot.
    """
    current = tx.table_metadata.current_snapshot()
    if current is None:
        tx.append(data, snapshot_properties=properties)
        return
    with tx.update_snapshot(snapshot_properties=properties).overwrite() as overwrite:
        # The predicate makes the producer look at every manifest, and makes a concurrent commit
        # that added files a ValidationException on PyIceberg's retry (so that we start over
        # rather than keep the other writer's rows under an overwrite that did not see them).
        overwrite.delete_by_predicate(AlwaysTrue())
        for data_file in _live_data_files(current, table):
            overwrite.delete_data_file(data_file)
        if data.num_rows > 0:
            for data_file in _dataframe_to_data_files(
                table_metadata=tx.table_metadata,
                df=data,
                io=table.io,
                write_uuid=overwrite.commit_uuid,
            ):
                overwrite.append_data_file(data_file)


def _live_data_files(snapshot: Snapshot, table: Table) -> Iterator[DataFile]:
    for manifest in snapshot.manifests(table.io):
        if manifest.content != ManifestContent.DATA:
            continue
        for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
            yield entry.data_file


# --- Reading the result -------------------------------------------------------------------------


def _read_result(path: str) -> pa.Table:
    """The result as a table in the Arrow types PyIceberg writes; refuses what Iceberg cannot hold.

    The whole result is held in memory (twice, briefly, while casting): acceptable for now, and
    bounded by the service's result-size limit. Streaming record batches into Iceberg (PyIceberg
    accepts a RecordBatchReader) is later work; it needs a replayable reader for the retries.
    """
    with pa.OSFile(path, "rb") as source:
        data = pa.ipc.open_stream(source).read_all()
    # Untrusted bytes: check offsets, lengths and UTF-8 before any kernel touches them.
    data.validate(full=True)

    names = data.schema.names
    if not names:
        raise Refusal(
            "SCHEMA_MISMATCH",
            "Cannot save: the result has no columns; select at least one column to save.",
        )
    if "" in names:
        raise Refusal(
            "SCHEMA_MISMATCH",
            "Cannot save: a column of the result has an empty name; rename it.",
            [_difference("", "extra", None, "column without a name")],
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise Refusal(
            "SCHEMA_MISMATCH",
            f"Cannot save: column name {duplicates[0]!r} appears more than once in the result;"
            " rename the duplicates.",
            [_difference(n, "extra", None, "duplicate column") for n in duplicates],
        )

    problems: list[dict[str, Any]] = []
    lossless: list[pa.Field] = []
    final: list[pa.Field] = []
    for column in data.schema:
        first = _storable(column.type, column.name, problems, final=False)
        second = _storable(column.type, column.name, [], final=True)
        # Every field nullable: Polars columns are, and the table's fields are created optional.
        lossless.append(pa.field(column.name, first, nullable=True))
        final.append(pa.field(column.name, second, nullable=True))
    if problems:
        raise Refusal("SCHEMA_MISMATCH", _untyped_message(problems), problems)

    columns = []
    for index, (first_field, final_field) in enumerate(zip(lossless, final, strict=True)):
        values = data.column(index)
        try:
            # Safe casts: an unsigned value that does not fit the signed type is refused...
            values = values.cast(first_field.type, safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise Refusal(
                "SCHEMA_MISMATCH",
                f"Cannot save column {first_field.name!r}: its values cannot be converted to an"
                " Iceberg type (e.g. UInt64 values above 2^63-1 do not fit a long); cast it to a"
                " smaller or signed type.",
                [_difference(first_field.name, "type", None, str(data.schema.field(index).type))],
            ) from error
        if final_field.type != first_field.type:
            # ...while nanoseconds are truncated to the microseconds Iceberg v2 stores.
            values = values.cast(final_field.type, safe=False)
        columns.append(values)
    return pa.Table.from_arrays(columns, schema=pa.schema(final))


def _untyped_message(problems: list[dict[str, Any]]) -> str:
    first = problems[0]
    column, result_type = first["column"], first["result_type"]
    if result_type == "null":
        return (
            f"Cannot save: column {column!r} has no type (all its values are null); cast it,"
            f" e.g. pl.col({column!r}).cast(pl.String)."
        )
    if result_type.startswith("duration"):
        hint = "e.g. to Int64 microseconds with .dt.total_microseconds()"
    elif result_type.startswith("decimal"):
        hint = "e.g. to a Decimal of precision 38 or less, or to Float64"
    elif result_type.startswith("struct"):
        hint = "e.g. give every struct field a distinct, non-empty name"
    else:
        hint = "e.g. to String"
    return (
        f"Cannot save: column {column!r} has type {result_type}, which Iceberg cannot store;"
        f" cast it to a supported type, {hint}."
    )


def _storable(
    t: pa.DataType, column: str, problems: list[dict[str, Any]], *, final: bool
) -> pa.DataType:
    """The Arrow type PyIceberg writes for ``t`` (field metadata dropped), or a recorded problem.

    With ``final`` false, time units are kept (that cast is lossless and checked); with ``final``
    true, timestamps and times are microseconds (Iceberg v2 has nothing finer).
    """

    def refuse(result_type: str) -> pa.DataType:
        if not any(p["column"] == column for p in problems):
            problems.append(_difference(column, "type", None, result_type))
        return t

    types = pa.types
    if types.is_null(t):
        return refuse("null")
    if types.is_dictionary(t):
        return _storable(t.value_type, column, problems, final=final)
    if types.is_boolean(t) or types.is_int64(t) or types.is_float32(t) or types.is_float64(t):
        return t
    if types.is_int8(t) or types.is_int16(t) or types.is_int32(t):
        return pa.int32()
    if types.is_uint8(t) or types.is_uint16(t):
        return pa.int32()
    if types.is_uint32(t) or types.is_uint64(t):
        return pa.int64()  # uint64 values above 2^63-1 are refused by the safe cast
    if types.is_float16(t):
        return pa.float32()
    if types.is_decimal(t):
        if t.precision > 38:
            return refuse(str(t))
        return pa.decimal128(t.precision, t.scale)
    if types.is_string(t) or types.is_large_string(t) or types.is_string_view(t):
        return pa.large_string()
    if types.is_binary(t) or types.is_large_binary(t) or types.is_binary_view(t):
        return pa.large_binary()
    if types.is_fixed_size_binary(t):
        return t
    if types.is_date(t):
        return pa.date32()
    if types.is_time(t):
        return pa.time64("us") if final or t.unit != "ns" else t
    if types.is_timestamp(t):
        unit = "us" if final or t.unit != "ns" else t.unit
        # Iceberg stores instants in UTC; the zone name itself is not kept.
        return pa.timestamp(unit, tz=None if t.tz is None else "UTC")
    if (
        types.is_list(t)
        or types.is_large_list(t)
        or types.is_fixed_size_list(t)
        or types.is_list_view(t)
        or types.is_large_list_view(t)
    ):
        element = _storable(t.value_type, column, problems, final=final)
        return pa.large_list(pa.field("element", element, nullable=True))
    if types.is_map(t):
        key = _storable(t.key_type, column, problems, final=final)
        item = _storable(t.item_type, column, problems, final=final)
        return pa.map_(pa.field("key", key, nullable=False), pa.field("value", item))
    if types.is_struct(t):
        children = [t.field(i) for i in range(t.num_fields)]
        child_names = [c.name for c in children]
        if not children or "" in child_names or len(set(child_names)) != len(child_names):
            return refuse(f"{t} (a struct needs fields with distinct, non-empty names)")
        return pa.struct(
            [
                pa.field(c.name, _storable(c.type, column, problems, final=final), nullable=True)
                for c in children
            ]
        )
    if isinstance(t, pa.UuidType):
        return t
    return refuse(str(t))


# --- Schemas ------------------------------------------------------------------------------------


def _iceberg_schema(arrow_schema: pa.Schema, format_version: int) -> Schema:
    """The Iceberg schema PyIceberg derives from the result (field ids all -1)."""
    schema = visit_pyarrow(arrow_schema, _ConvertToIcebergWithoutIDs(format_version=format_version))  # type: ignore[arg-type]
    assert isinstance(schema, Schema)
    return schema


def _type_str(t: IcebergType) -> str:
    """``t`` without field ids or nullability: what differences and messages show."""
    if isinstance(t, StructType):
        return "struct<" + ", ".join(f"{f.name}: {_type_str(f.field_type)}" for f in t.fields) + ">"
    if isinstance(t, ListType):
        return f"list<{_type_str(t.element_type)}>"
    if isinstance(t, MapType):
        return f"map<{_type_str(t.key_type)}, {_type_str(t.value_type)}>"
    return str(t)


def _same_type(a: IcebergType, b: IcebergType) -> bool:
    """Equal ignoring field ids, nullability and the order of struct fields."""
    if isinstance(a, StructType) and isinstance(b, StructType):
        fa = {f.name: f.field_type for f in a.fields}
        fb = {f.name: f.field_type for f in b.fields}
        return fa.keys() == fb.keys() and all(_same_type(fa[n], fb[n]) for n in fa)
    if isinstance(a, ListType) and isinstance(b, ListType):
        return _same_type(a.element_type, b.element_type)
    if isinstance(a, MapType) and isinstance(b, MapType):
        return _same_type(a.key_type, b.key_type) and _same_type(a.value_type, b.value_type)
    nested = StructType | ListType | MapType
    return not isinstance(a, nested) and not isinstance(b, nested) and a == b


def _widens(narrow: IcebergType, wide: IcebergType) -> bool:
    """The promotions Iceberg allows: int→long, float→double, decimal precision widening."""
    if isinstance(narrow, IntegerType) and isinstance(wide, LongType):
        return True
    if isinstance(narrow, FloatType) and isinstance(wide, DoubleType):
        return True
    return (
        isinstance(narrow, DecimalType)
        and isinstance(wide, DecimalType)
        and narrow.scale == wide.scale
        and narrow.precision < wide.precision
    )


def _differences(table_schema: Schema, result_schema: Schema) -> list[dict[str, Any]]:
    """Every top-level column that is missing, extra, or of another type (strict mode)."""
    table_fields = {f.name: f for f in table_schema.fields}
    result_fields = {f.name: f for f in result_schema.fields}
    out: list[dict[str, Any]] = []
    for name, tf in table_fields.items():
        rf = result_fields.get(name)
        if rf is None:
            out.append(_difference(name, "missing", _type_str(tf.field_type)))
        elif not _same_type(tf.field_type, rf.field_type):
            out.append(
                _difference(name, "type", _type_str(tf.field_type), _type_str(rf.field_type))
            )
    for name, rf in result_fields.items():
        if name not in table_fields:
            out.append(_difference(name, "extra", None, _type_str(rf.field_type)))
    return out


SchemaChange = Callable[[Any], None]


def _merge_plan(
    table_type: IcebergType, result_type: IcebergType, path: tuple[str, ...]
) -> tuple[list[SchemaChange], bool]:
    """The schema changes that let a ``result_type`` column into ``table_type``, and whether it can.

    New struct fields are added, narrower table types widened; a result type narrower than the
    table's needs no change (the data is cast up on write). Missing optional fields are fine.
    """
    if _same_type(table_type, result_type):
        return [], True
    if isinstance(table_type, StructType) and isinstance(result_type, StructType):
        existing = {f.name: f for f in table_type.fields}
        changes: list[SchemaChange] = []
        for rf in result_type.fields:
            tf = existing.get(rf.name)
            if tf is None:
                changes.append(_add((*path, rf.name), rf.field_type))
                continue
            sub, ok = _merge_plan(tf.field_type, rf.field_type, (*path, rf.name))
            if not ok:
                return [], False
            changes += sub
        provided = {f.name for f in result_type.fields}
        if any(f.required and f.name not in provided for f in table_type.fields):
            return [], False
        return changes, True
    if isinstance(table_type, ListType) and isinstance(result_type, ListType):
        return _merge_plan(table_type.element_type, result_type.element_type, (*path, "element"))
    if isinstance(table_type, MapType) and isinstance(result_type, MapType):
        if not _same_type(table_type.key_type, result_type.key_type):
            return [], False
        return _merge_plan(table_type.value_type, result_type.value_type, (*path, "value"))
    if _widens(table_type, result_type):
        return [_widen(path, result_type)], True
    if _widens(result_type, table_type):
        return [], True
    return [], False


def _add(path: tuple[str, ...], t: IcebergType) -> SchemaChange:
    # A tuple path: names are used literally, a "." in one is not a nesting separator.
    return lambda update: update.add_column(path, t, required=False)


def _widen(path: tuple[str, ...], t: IcebergType) -> SchemaChange:
    return lambda update: update.update_column(path, field_type=t)


def _reconcile_schema(
    tx: Transaction, table: Table, data: pa.Table, name: str, schema_mode: str
) -> pa.Table:
    """Stages in ``tx`` the schema changes ``schema_mode`` allows; the data to write, or a refusal.

    Strict compares the Iceberg schema the result would produce with the table's, by column name
    and type, ignoring field ids and nullability. A *required* table column takes the result's
    column only when it holds no nulls (it is then declared non-nullable for the write); a null
    in it is refused, in every mode, rather than making the column optional behind the owner's
    back (schemaMode=overwrite does make it optional: it replaces the schema).
    """
    table_schema = table.schema()
    result_schema = _iceberg_schema(data.schema, table.metadata.format_version)
    differences = _differences(table_schema, result_schema)
    if differences and schema_mode == "strict":
        raise _mismatch(
            name,
            differences,
            "use schemaMode=merge to add columns and widen types, or schemaMode=overwrite with"
            " saveMode=overwrite to replace the table's schema",
        )
    if differences and schema_mode == "merge":
        _stage_merge(tx, table_schema, result_schema, name, differences)
    if schema_mode == "overwrite":
        _stage_schema_replacement(tx, table, table_schema, result_schema, data.schema, name)
        return data
    return _respect_required(tx.table_metadata.schema(), data, name)


def _stage_merge(
    tx: Transaction,
    table_schema: Schema,
    result_schema: Schema,
    name: str,
    differences: list[dict[str, Any]],
) -> None:
    table_fields = {f.name: f for f in table_schema.fields}
    changes: list[SchemaChange] = []
    refused: list[dict[str, Any]] = []
    for difference in differences:
        column = difference["column"]
        if difference["problem"] == "extra":
            changes.append(_add((column,), _field(result_schema, column).field_type))
        elif difference["problem"] == "missing":
            if table_fields[column].required:
                refused.append(difference)
        else:
            sub, ok = _merge_plan(
                table_fields[column].field_type, _field(result_schema, column).field_type, (column,)
            )
            if ok:
                changes += sub
            else:
                refused.append(difference)
    if refused:
        raise _mismatch(
            name,
            refused,
            "merge only adds columns and widens int to long, float to double and decimal"
            " precision; cast those columns to the table's types, or use schemaMode=overwrite"
            " with saveMode=overwrite to replace the table's schema",
        )
    if changes:
        with tx.update_schema() as update:
            for change in changes:
                change(update)


def _field(schema: Schema, name: str) -> NestedField:
    # By name, literally: Schema.find_field would read a "." in the name as a path.
    return next(f for f in schema.fields if f.name == name)


def _stage_schema_replacement(
    tx: Transaction,
    table: Table,
    table_schema: Schema,
    result_schema: Schema,
    arrow_schema: pa.Schema,
    name: str,
) -> None:
    """The table's schema becomes the result's: differing columns dropped and added again."""
    result_fields = {f.name: f for f in result_schema.fields}
    # A column whose type changes is dropped and added again, as is one with a required field
    # inside (the result's are all nullable); a required top-level column is made optional.
    dropped = [
        f
        for f in table_schema.fields
        if f.name not in result_fields
        or not _same_type(f.field_type, result_fields[f.name].field_type)
        or _has_required_inside(f.field_type)
    ]
    kept = {f.name for f in table_schema.fields} - {f.name for f in dropped}
    pinned = {pf.source_id for pf in table.spec().fields} | set(table_schema.identifier_field_ids)
    blocked = [f for f in dropped if f.field_id in pinned]
    if blocked:
        raise _mismatch(
            name,
            [
                _difference(
                    f.name,
                    "missing" if f.name not in result_fields else "type",
                    _type_str(f.field_type),
                    None
                    if f.name not in result_fields
                    else _type_str(result_fields[f.name].field_type),
                )
                for f in blocked
            ],
            "those columns partition or identify the table, so its schema cannot be replaced;"
            " keep them with their types",
        )
    order = [f.name for f in arrow_schema]
    if (
        dropped
        or any(n not in kept for n in order)
        or any(f.required for f in table_schema.fields if f.name in kept)
    ):
        with tx.update_schema(allow_incompatible_changes=True) as update:
            for f in dropped:
                update.delete_column((f.name,))
            for column in order:
                if column not in kept:
                    update.add_column((column,), result_fields[column].field_type, required=False)
                elif _field(table_schema, column).required:
                    update.make_column_optional((column,))
    if [f.name for f in tx.table_metadata.schema().fields] != order:
        with tx.update_schema() as update:
            update.move_first((order[0],))
            for before, after in itertools.pairwise(order):
                update.move_after((after,), (before,))


def _has_required_inside(t: IcebergType) -> bool:
    if isinstance(t, StructType):
        return any(f.required or _has_required_inside(f.field_type) for f in t.fields)
    if isinstance(t, ListType):
        return t.element_required or _has_required_inside(t.element_type)
    if isinstance(t, MapType):
        return t.value_required or _has_required_inside(t.value_type)
    return False


def _respect_required(schema: Schema, data: pa.Table, name: str) -> pa.Table:
    """``data`` with the required columns of ``schema`` non-nullable; refused if one has nulls."""
    required = {f.name: f for f in schema.fields if f.required}
    if not required:
        return data
    refused = [
        _difference(c, "type", f"{_type_str(required[c].field_type)} (required)", "with nulls")
        for c in data.schema.names
        if c in required and data.column(c).null_count > 0
    ]
    if refused:
        raise Refusal(
            "SCHEMA_MISMATCH",
            f"Cannot save to '{name}': column {refused[0]['column']!r} is required in the table but"
            " the result has nulls in it; fill or filter the nulls (e.g. .fill_null or"
            " .drop_nulls) before saving.",
            refused,
        )
    fields = [f.with_nullable(f.name not in required) for f in data.schema]
    return pa.Table.from_arrays(data.columns, schema=pa.schema(fields))


def _mismatch(name: str, differences: list[dict[str, Any]], hint: str) -> Refusal:
    shown = [_describe(d) for d in differences[:MAX_NAMES_IN_MESSAGE]]
    if len(differences) > MAX_NAMES_IN_MESSAGE:
        shown.append(f"{len(differences) - MAX_NAMES_IN_MESSAGE} more")
    return Refusal(
        "SCHEMA_MISMATCH",
        f"Cannot save to '{name}': the result's schema differs from the table's"
        f" ({'; '.join(shown)}); {hint}.",
        differences,
    )


def _describe(d: dict[str, Any]) -> str:
    if d["problem"] == "missing":
        return f"{d['column']!r} missing from the result"
    if d["problem"] == "extra":
        return f"{d['column']!r} not in the table"
    return f"{d['column']!r} is {d['result_type']}, the table has {d['table_type']}"
