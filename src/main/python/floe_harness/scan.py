"""scan(): a LazyFrame over a bound alias or a ``namespace.table`` identifier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError
from pyiceberg.table import Table

from floe_harness.catalog import ReadOnlyCatalog
from floe_harness.errors import NamespaceNotFound, TableNotFound
from floe_harness.job import TableBinding

_MAX_LISTED = 50
_MAX_SNAPSHOTS_LISTED = 5


class Scanner:
    def __init__(self, catalog: ReadOnlyCatalog, tables: Mapping[str, TableBinding]) -> None:
        self._catalog = catalog
        self._tables = tables
        # identifier -> the snapshot each scan reads (None: the table is empty), for dry runs.
        self.scanned: dict[str, int | None] = {}

    @property
    def aliases(self) -> list[str]:
        return list(self._tables)

    def scan(
        self,
        name: str,
        snapshot_id: int | str | None = None,
        as_of: dt.datetime | str | int | None = None,
    ) -> pl.LazyFrame:
        """Scan a bound alias or a ``namespace.table``; projections and filters are pushed down.

        ``snapshot_id`` reads one snapshot; ``as_of`` (a datetime, an ISO-8601 string, or epoch
        milliseconds; naive times are UTC) reads the snapshot that was current at that time.
        """
        if not isinstance(name, str):
            raise TypeError("scan() takes a bound alias or a 'namespace.table' identifier")
        if snapshot_id is not None and as_of is not None:
            raise TypeError("scan() takes snapshot_id or as_of, not both")
        binding = self._tables.get(name)
        if binding is not None:
            identifier = binding.identifier
            if snapshot_id is None:
                snapshot_id = binding.snapshot_id
        elif "." in name:
            identifier = name
        else:
            raise TableNotFound(
                f"No table is bound as '{name}' ({self._bound()}); "
                "use a bound alias or a 'namespace.table' identifier."
            )
        table = self._load(identifier)
        if as_of is not None:
            snapshot_id = _as_of(table, identifier, as_of)
        wanted = _snapshot(table, identifier, snapshot_id)
        current = table.current_snapshot()
        self.scanned[identifier] = (
            wanted if wanted is not None else current.snapshot_id if current else None
        )
        return pl.scan_iceberg(table, snapshot_id=wanted)

    def _bound(self) -> str:
        return f"bound aliases: {_listing(self.aliases)}" if self._tables else "no tables are bound"

    def _load(self, identifier: str) -> Table:
        namespace, _, table_name = identifier.rpartition(".")
        if not namespace or not table_name or "" in namespace.split("."):
            raise TableNotFound(f"'{identifier}' is not a table identifier; use 'namespace.table'.")
        try:
            return self._catalog.load_table(identifier)
        except (NoSuchTableError, NoSuchNamespaceError):
            pass  # raised below, outside this handler, so no PyIceberg context reaches the user
        try:
            names = [table[-1] for table in self._catalog.list_tables(namespace)]
        except NoSuchNamespaceError:
            names = None
        if names is None:
            namespaces = [".".join(ns) for ns in self._catalog.list_namespaces()]
            existing = (
                f"existing namespaces: {_listing(namespaces)}" if namespaces else "none exist"
            )
            raise NamespaceNotFound(
                f"Namespace '{namespace}' does not exist ({existing}); "
                "use 'namespace.table' with an existing namespace."
            )
        if not names:
            raise TableNotFound(
                f"Table '{identifier}' does not exist and namespace '{namespace}' has no tables; "
                "check the name."
            )
        raise TableNotFound(
            f"Table '{identifier}' does not exist (tables in namespace '{namespace}': "
            f"{_listing(names)}); use one of those tables."
        )


def _snapshot(table: Table, identifier: str, snapshot_id: int | str | None) -> int | None:
    if snapshot_id is None:
        return None
    if isinstance(snapshot_id, bool) or not isinstance(snapshot_id, int | str):
        raise TypeError("snapshot_id must be an integer (or a string of digits) or None")
    if isinstance(snapshot_id, str) and not snapshot_id.isdigit():
        raise ValueError(f"snapshot_id {snapshot_id!r} is not a string of digits")
    wanted = int(snapshot_id)
    if table.snapshot_by_id(wanted) is not None:
        return wanted
    latest = sorted(table.metadata.snapshots, key=lambda s: s.timestamp_ms, reverse=True)
    ids = [str(s.snapshot_id) for s in latest[:_MAX_SNAPSHOTS_LISTED]]
    existing = f"latest snapshots: {', '.join(ids)}" if ids else "it has no snapshots"
    raise TableNotFound(
        f"Table '{identifier}' has no snapshot {wanted} ({existing}); "
        "use one of those ids or omit snapshot_id to read the current snapshot."
    )


def _as_of(table: Table, identifier: str, as_of: dt.datetime | str | int) -> int:
    if isinstance(as_of, bool) or not isinstance(as_of, dt.datetime | str | int):
        raise TypeError("as_of must be a datetime, an ISO-8601 string or epoch milliseconds")
    if isinstance(as_of, int):
        millis = as_of
    else:
        when = dt.datetime.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        millis = int(when.timestamp() * 1000)
    snapshot = table.snapshot_as_of_timestamp(millis)
    if snapshot is not None:
        return snapshot.snapshot_id
    first = min((s.timestamp_ms for s in table.metadata.snapshots), default=None)
    since = "it has no snapshots" if first is None else f"its first snapshot is from {_iso(first)}"
    raise TableNotFound(
        f"Table '{identifier}' has no snapshot as of {_iso(millis)} ({since}); use a later as_of."
    )


def _iso(millis: int) -> str:
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC).isoformat()


def _listing(names: list[str]) -> str:
    shown = ", ".join(sorted(names)[:_MAX_LISTED])
    hidden = len(names) - _MAX_LISTED
    return f"{shown}, and {hidden} more" if hidden > 0 else shown
