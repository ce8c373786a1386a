"""What a dry run would read: each Iceberg scan Polars resolves, with what it pushed into it.

When Polars optimizes a query it resolves each Iceberg scan with the columns the query needs and the
filter it can push into the scan (see ``polars_private.on_iceberg_scan``). A dry run records each
(this process runs one job and is then discarded, so the hook never outlives it) and plans the same
scan with PyIceberg, which prunes the snapshot's data files by partition and by column metrics,
reading only the manifests: what is left (data files, bytes, records) is the estimate, beside the
whole snapshot's figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyiceberg.expressions import (
    AlwaysFalse,
    AlwaysTrue,
    And,
    BooleanExpression,
    Not,
    Or,
)
from pyiceberg.table import Table

from floe_harness import polars_private

# PyIceberg's predicate classes (bound or not) by the SQL they mean.
_COMPARISONS = {
    "EqualTo": "=",
    "NotEqualTo": "!=",
    "LessThan": "<",
    "LessThanOrEqual": "<=",
    "GreaterThan": ">",
    "GreaterThanOrEqual": ">=",
    "StartsWith": "STARTS WITH",
    "NotStartsWith": "NOT STARTS WITH",
}
_SETS = {"In": "IN", "NotIn": "NOT IN"}
_UNARY = {"IsNull": "IS NULL", "NotNull": "IS NOT NULL", "IsNaN": "IS NAN", "NotNaN": "IS NOT NAN"}


@dataclass(frozen=True)
class Files:
    """Data files, their bytes and their records, as the manifests count them."""

    data_files: int
    bytes: int
    records: int


@dataclass(frozen=True)
class PlannedScan:
    """One scan: the table's location, what Polars pushed into it, and what pruning leaves."""

    location: str
    snapshot_id: int | None
    columns: list[str]
    filter: str | None
    left: Files
    snapshot: Files | None


class ScanRecorder:
    """Records every Iceberg scan Polars resolves in this process, from :meth:`install` on."""

    def __init__(self) -> None:
        self.scans: list[PlannedScan] = []

    @classmethod
    def install(cls) -> ScanRecorder:
        recorder = cls()
        polars_private.on_iceberg_scan(
            lambda table, snapshot_id, columns, row_filter: recorder.scans.append(
                plan(table, snapshot_id, columns, row_filter)
            )
        )
        return recorder


def plan(
    table: Table,
    snapshot_id: int | None,
    columns: list[str] | None,
    row_filter: BooleanExpression | None,
) -> PlannedScan:
    """The scan as PyIceberg plans it from the manifests: what partition and metrics pruning
    leave."""
    metadata = table.metadata
    snapshot = (
        metadata.snapshot_by_id(snapshot_id)
        if snapshot_id is not None
        else metadata.current_snapshot()
    )
    schema = (
        metadata.schema_by_id(snapshot.schema_id)
        if snapshot is not None and snapshot.schema_id is not None
        else None
    ) or metadata.schema()
    wanted = [f.name for f in schema.fields] if columns is None else list(columns)
    where = AlwaysTrue() if row_filter is None else row_filter
    if snapshot is None:
        left = Files(0, 0, 0)
    else:
        tasks = list(
            table.scan(
                snapshot_id=snapshot.snapshot_id, row_filter=where, selected_fields=tuple(wanted)
            ).plan_files()
        )
        left = Files(
            len(tasks),
            sum(t.file.file_size_in_bytes for t in tasks),
            sum(t.file.record_count for t in tasks),
        )
    return PlannedScan(
        location=metadata.location,
        snapshot_id=None if snapshot is None else snapshot.snapshot_id,
        columns=wanted,
        filter=describe(where),
        left=left,
        snapshot=None if snapshot is None else _totals(snapshot.summary),
    )


def _totals(summary: Any) -> Files | None:
    """The snapshot's own count of its live files (absent in some writers' summaries)."""
    try:
        return Files(
            int(summary["total-data-files"]),
            int(summary["total-files-size"]),
            int(summary["total-records"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def describe(expression: BooleanExpression) -> str | None:
    """A filter in SQL words (``day = 2 AND x < 6``); None for no filter."""
    if isinstance(expression, AlwaysTrue):
        return None
    return _sql(expression)


def _sql(e: BooleanExpression) -> str:
    if isinstance(e, AlwaysTrue):
        return "TRUE"
    if isinstance(e, AlwaysFalse):
        return "FALSE"
    if isinstance(e, And):
        return f"({_sql(e.left)}) AND ({_sql(e.right)})"
    if isinstance(e, Or):
        return f"({_sql(e.left)}) OR ({_sql(e.right)})"
    if isinstance(e, Not):
        return f"NOT ({_sql(e.child)})"
    kind = type(e).__name__.removeprefix("Bound")
    term = getattr(e, "term", None)
    column = _column(term) if term is not None else None
    if column is not None:
        if kind in _COMPARISONS:
            return f"{column} {_COMPARISONS[kind]} {_literal(getattr(e, 'literal', None))}"
        if kind in _SETS:
            values = ", ".join(sorted(_literal(v) for v in getattr(e, "literals", ())))
            return f"{column} {_SETS[kind]} ({values})"
        if kind in _UNARY:
            return f"{column} {_UNARY[kind]}"
    return str(e)


def _column(term: Any) -> str | None:
    """An unbound term's name, or a bound one's field's."""
    name = getattr(term, "name", None) or getattr(getattr(term, "field", None), "name", None)
    return None if name is None else str(name)


def _literal(literal: Any) -> str:
    value = getattr(literal, "value", literal)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)
