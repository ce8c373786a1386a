"""The schema modes of a save into an existing table: strict, merge and overwrite.

Each compares the Iceberg schema the result would produce with the table's, by column name and
type (ignoring field ids and nullability), and either stages the schema changes it allows in the
save's transaction (so they commit with the data, or not at all) or refuses with every differing
column and a fix.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.table import Table, Transaction
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

from floe_trusted.contract import Difference, SchemaMode
from floe_trusted.pyiceberg_private import check_schema_compatible, iceberg_schema_of
from floe_trusted.refusal import Refusal, difference

MAX_NAMES_IN_MESSAGE = 5


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


def differences(table: Table, data: pa.Table) -> list[Difference]:
    """How the result's schema differs from the table's, column by column (as strict sees it)."""
    return _differences(
        table.schema(), iceberg_schema_of(data.schema, table.metadata.format_version)
    )


def _differences(table_schema: Schema, result_schema: Schema) -> list[Difference]:
    """Every top-level column that is missing, extra, or of another type (strict mode)."""
    table_fields = {f.name: f for f in table_schema.fields}
    result_fields = {f.name: f for f in result_schema.fields}
    out: list[Difference] = []
    for name, tf in table_fields.items():
        rf = result_fields.get(name)
        if rf is None:
            out.append(difference(name, "missing", _type_str(tf.field_type)))
        elif not _same_type(tf.field_type, rf.field_type):
            out.append(difference(name, "type", _type_str(tf.field_type), _type_str(rf.field_type)))
    for name, rf in result_fields.items():
        if name not in table_fields:
            out.append(difference(name, "extra", None, _type_str(rf.field_type)))
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


def reconcile_schema(
    tx: Transaction, table: Table, data: pa.Table, name: str, schema_mode: SchemaMode
) -> pa.Table:
    """Stages in ``tx`` the schema changes ``schema_mode`` allows; the data to write, or a refusal.

    Strict compares the Iceberg schema the result would produce with the table's, by column name
    and type, ignoring field ids and nullability. A *required* table column takes the result's
    column only when it holds no nulls (it is then declared non-nullable for the write); a null
    in it is refused, in every mode, rather than making the column optional behind the owner's
    back (schemaMode=overwrite does make it optional: it replaces the schema).
    """
    table_schema = table.schema()
    result_schema = iceberg_schema_of(data.schema, table.metadata.format_version)
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
        to_write = data
    else:
        to_write = _respect_required(tx.table_metadata.schema(), data, name)
    try:
        # PyIceberg's own check, as a net under ours (e.g. a required nested field).
        check_schema_compatible(
            tx.table_metadata.schema(), to_write.schema, tx.table_metadata.format_version
        )
    except ValueError as error:
        raise Refusal(
            "SCHEMA_MISMATCH",
            f"Cannot save to '{name}': the result does not fit the table's schema (for"
            " example a null value for a required field); cast the result to the table's"
            " schema, or use schemaMode=overwrite with saveMode=overwrite to replace it.",
        ) from error
    return to_write


def _stage_merge(
    tx: Transaction,
    table_schema: Schema,
    result_schema: Schema,
    name: str,
    differences: list[Difference],
) -> None:
    table_fields = {f.name: f for f in table_schema.fields}
    changes: list[SchemaChange] = []
    refused: list[Difference] = []
    for d in differences:
        column = d.column
        if d.problem == "extra":
            changes.append(_add((column,), _field(result_schema, column).field_type))
        elif d.problem == "missing":
            if table_fields[column].required:
                refused.append(d)
        else:
            sub, ok = _merge_plan(
                table_fields[column].field_type, _field(result_schema, column).field_type, (column,)
            )
            if ok:
                changes += sub
            else:
                refused.append(d)
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
                difference(
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
        difference(c, "type", f"{_type_str(required[c].field_type)} (required)", "with nulls")
        for c in data.schema.names
        if c in required and data.column(c).null_count > 0
    ]
    if refused:
        raise Refusal(
            "SCHEMA_MISMATCH",
            f"Cannot save to '{name}': column {refused[0].column!r} is required in the table but"
            " the result has nulls in it; fill or filter the nulls (e.g. .fill_null or"
            " .drop_nulls) before saving.",
            refused,
        )
    fields = [f.with_nullable(f.name not in required) for f in data.schema]
    return pa.Table.from_arrays(data.columns, schema=pa.schema(fields))


def _mismatch(name: str, differences: list[Difference], hint: str) -> Refusal:
    shown = [_describe(d) for d in differences[:MAX_NAMES_IN_MESSAGE]]
    if len(differences) > MAX_NAMES_IN_MESSAGE:
        shown.append(f"{len(differences) - MAX_NAMES_IN_MESSAGE} more")
    return Refusal(
        "SCHEMA_MISMATCH",
        f"Cannot save to '{name}': the result's schema differs from the table's"
        f" ({'; '.join(shown)}); {hint}.",
        differences,
    )


def _describe(d: Difference) -> str:
    if d.problem == "missing":
        return f"{d.column!r} missing from the result"
    if d.problem == "extra":
        return f"{d.column!r} not in the table"
    return f"{d.column!r} is {d.result_type}, the table has {d.table_type}"
