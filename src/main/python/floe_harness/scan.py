"""scan(): a LazyFrame over a bound alias or a ``namespace.table`` identifier.

Bound tables arrive granted with the job; any other table, or another snapshot, is asked of the
trusted side, which grants read access to that table's files at one snapshot (or refuses, saying
why).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl
from pyiceberg.table import StaticTable, Table

from floe_harness.access import TrustedSide
from floe_harness.distributed import StandIns
from floe_harness.errors import TableNotFound
from floe_harness.job import GrantedTable, parse_snapshot_id

_MAX_LISTED = 50


class Scanner:
    def __init__(
        self,
        trusted: TrustedSide,
        tables: Mapping[str, GrantedTable],
        stand_ins: StandIns | None = None,
    ) -> None:
        self._trusted = trusted
        self._tables = tables
        # A distributed run: scans give stand-ins, which the dispatcher swaps for the tables.
        self.stand_ins = stand_ins
        self._loaded: dict[str, Table] = {}
        # identifier -> the snapshot each scan reads (None: the table is empty), for dry runs.
        self.scanned: dict[str, int | None] = {}
        # a granted table's location -> its identifier, to name the scans a dry run records.
        self.locations: dict[str, str] = {}

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
        wanted = _snapshot_id(snapshot_id)
        as_of_ms = None if as_of is None else _epoch_ms(as_of)
        binding = self._tables.get(name)
        if binding is not None and wanted is None and as_of_ms is None:
            granted = binding
        elif binding is not None or "." in name:
            identifier = binding.identifier if binding is not None else name
            granted = self._trusted.table(identifier, wanted, as_of_ms)
        else:
            raise TableNotFound(
                f"No table is bound as '{name}' ({self._bound()}); "
                "use a bound alias or a 'namespace.table' identifier."
            )
        self.scanned[granted.identifier] = granted.snapshot_id
        table = self.load(granted)
        self.locations[table.metadata.location] = granted.identifier
        frame = pl.scan_iceberg(table, snapshot_id=granted.snapshot_id)
        if self.stand_ins is not None:
            return self.stand_ins.frame(granted, frame.collect_schema())
        return frame

    def load(self, granted: GrantedTable) -> Table:
        """The granted table's metadata, read from the files the trusted side handed over."""
        table = self._loaded.get(granted.metadata_location)
        if table is None:
            table = StaticTable.from_metadata(granted.metadata_location)
            self._loaded[granted.metadata_location] = table
        return table

    def _bound(self) -> str:
        if not self._tables:
            return "no tables are bound"
        shown = ", ".join(sorted(self._tables)[:_MAX_LISTED])
        hidden = len(self._tables) - _MAX_LISTED
        return f"bound aliases: {shown}" + (f", and {hidden} more" if hidden > 0 else "")


def _snapshot_id(snapshot_id: int | str | None) -> int | None:
    if snapshot_id is None:
        return None
    if isinstance(snapshot_id, bool) or not isinstance(snapshot_id, int | str):
        raise TypeError("snapshot_id must be an integer (or a string of digits) or None")
    try:
        return parse_snapshot_id(snapshot_id)
    except ValueError:
        raise ValueError(f"snapshot_id {snapshot_id!r} is not a string of digits") from None


def _epoch_ms(as_of: dt.datetime | str | int) -> int:
    if isinstance(as_of, bool) or not isinstance(as_of, dt.datetime | str | int):
        raise TypeError("as_of must be a datetime, an ISO-8601 string or epoch milliseconds")
    if isinstance(as_of, int):
        return as_of
    when = dt.datetime.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp() * 1000)
