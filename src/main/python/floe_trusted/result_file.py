"""Reads a run's result file (an Arrow IPC stream) as data and nothing more.

The file came out of a sandbox: its buffers are validated before anything reads them, its metadata
is dropped (schema and field metadata alike, so no ``PARQUET:field_id`` of its choosing reaches
PyIceberg), its column names are used literally (never as paths), and what Iceberg cannot hold is
refused with the column and a fix.
"""

from __future__ import annotations

import pyarrow as pa

from floe_trusted.contract import Difference
from floe_trusted.refusal import Refusal, difference


def read_result(path: str) -> pa.Table:
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
            [difference("", "extra", None, "column without a name")],
        )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise Refusal(
            "SCHEMA_MISMATCH",
            f"Cannot save: column name {duplicates[0]!r} appears more than once in the result;"
            " rename the duplicates.",
            [difference(n, "extra", None, "duplicate column") for n in duplicates],
        )

    problems: list[Difference] = []
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
                [difference(first_field.name, "type", None, str(data.schema.field(index).type))],
            ) from error
        if final_field.type != first_field.type:
            # ...while nanoseconds are truncated to the microseconds Iceberg v2 stores.
            values = values.cast(final_field.type, safe=False)
        columns.append(values)
    return pa.Table.from_arrays(columns, schema=pa.schema(final))


def _untyped_message(problems: list[Difference]) -> str:
    first = problems[0]
    column, result_type = first.column, first.result_type or ""
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
    t: pa.DataType, column: str, problems: list[Difference], *, final: bool
) -> pa.DataType:
    """The Arrow type PyIceberg writes for ``t`` (field metadata dropped), or a recorded problem.

    With ``final`` false, time units are kept (that cast is lossless and checked); with ``final``
    true, timestamps and times are microseconds (Iceberg v2 has nothing finer).
    """

    def refuse(result_type: str) -> pa.DataType:
        if not any(p.column == column for p in problems):
            problems.append(difference(column, "type", None, result_type))
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
