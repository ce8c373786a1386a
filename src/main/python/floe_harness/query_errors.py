"""Polars' SQL failures turned into SQL_SYNTAX / QUERY_ERROR with a message saying the fix."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import polars as pl

from floe_harness.errors import Diagnostics, HarnessError, summary

# Polars 2.1 has no distinct syntax exception: a parse failure is an SQLInterfaceError
# "sql parser error: <what> at Line: N, Column: M" (the location is missing at end of input).
_PARSER_PREFIX = "sql parser error:"
_LOCATION = re.compile(r"\s*at Line: (\d+), Column: (\d+)$")
_UNBOUND = re.compile(r"relation '(.+)' was not found")
_NO_COLUMN = re.compile(r'unable to find column "(.+?)"; valid columns: \[(.*)\]')
_MAX_COLUMNS_LISTED = 30


def query_error(exc: pl.exceptions.PolarsError, aliases: Sequence[str]) -> HarnessError:
    first = summary(exc)
    if isinstance(exc, pl.exceptions.SQLInterfaceError):
        if first.startswith(_PARSER_PREFIX):
            return _syntax_error(first.removeprefix(_PARSER_PREFIX).strip(), str(exc))
        if unbound := _UNBOUND.fullmatch(first):
            return _unbound_relation(unbound.group(1), aliases, str(exc))
    if isinstance(exc, pl.exceptions.ColumnNotFoundError) and (missing := _NO_COLUMN.match(first)):
        columns = _column_names(missing.group(2))
        shown = ", ".join(columns[:_MAX_COLUMNS_LISTED])
        if len(columns) > _MAX_COLUMNS_LISTED:
            shown += f", and {len(columns) - _MAX_COLUMNS_LISTED} more"
        return HarnessError(
            "QUERY_ERROR",
            f'Column "{missing.group(1)}" does not exist (valid columns: {shown}); '
            "fix the column name and run the query again.",
            details=str(exc),
        )
    return HarnessError(
        "QUERY_ERROR",
        f"Polars rejected the query ({first}); fix the query and run it again.",
        details=str(exc),
    )


def _syntax_error(what: str, details: str) -> HarnessError:
    line = column = None
    if location := _LOCATION.search(what):
        line, column = int(location.group(1)), int(location.group(2))
        what = what[: location.start()]
    where = f" at line {line}, column {column}" if line is not None else ""
    return HarnessError(
        "SQL_SYNTAX",
        f"The SQL query has a syntax error{where} ({what}); fix the query and run it again.",
        details=details,
        diagnostics=Diagnostics(line=line, column=column),
    )


def _unbound_relation(relation: str, aliases: Sequence[str], details: str) -> HarnessError:
    bound = f"bound aliases: {', '.join(aliases)}" if aliases else "no tables are bound"
    alias = relation.rpartition(".")[2]
    table = relation if "." in relation else "namespace.table"
    example = f'tables: ["{alias}={table}"]'
    return HarnessError(
        "QUERY_ERROR",
        f"The query reads table '{relation}', which is not bound ({bound}); "
        f"use a bound alias or bind it, e.g. {example}.",
        details=details,
        diagnostics=Diagnostics(hint=f"Bind a table to an SQL name with {example}."),
    )


def _column_names(listing: str) -> list[str]:
    try:
        names = json.loads(f"[{listing}]")
    except ValueError:
        return [listing]
    return [str(name) for name in names]
