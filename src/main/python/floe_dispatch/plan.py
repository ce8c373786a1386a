"""The plan a distributed run's sandbox wrote, checked and made runnable by the trusted side.

The plan is Polars' JSON form of the LazyFrame the user's code built, read here as plain JSON
(nothing in it is deserialized by Polars until this module passed it). It is refused when it holds
anything that would run code or read data beyond the run's grant:

- Python objects (UDFs, IO plugins, pickled datasets) and native plugins, by node name and by the
  byte marker Polars puts before a pickled Python function;
- sinks (the result is Floe's to write) and scans of anything but the stand-ins the sandbox made
  for its tables;
- SQL that reads files by itself (``read_parquet(...)`` and the like);
- a stand-in for a table, or a snapshot, the trusted side did not grant this run.

Every stand-in is then replaced by the dispatcher's own scan of the granted snapshot.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PLAN_VERSION = 1
# Plans nest a level per step; the dispatcher raises Python's recursion limit above this.
MAX_DEPTH = 5_000
# Node and field names that carry Python objects or native code in Polars' plan JSON.
_CODE_CARRYING = re.compile(r"python|pickle|opaque|anonymous|plugin|udf|callback", re.IGNORECASE)
# What Polars writes before a pickled Python function ("PLPYFN", "PLPYUDF"...): b"PLPY".
_PICKLED_MARKER = [80, 76, 80, 89]
# Polars SQL's table functions read files by path; quoted names ("read_parquet"(...)) count too.
_SQL_FILE_FUNCTIONS = re.compile(
    r"\b(read|scan)_(csv|parquet|ipc|json|ndjson|delta|iceberg|avro|excel|database)\b"
    r"[\"'`\]\s]*\(",
    re.IGNORECASE,
)
_RUN_LOCALLY = "or run it without distributed"


class PlanRefused(Exception):
    """The plan may not be sent; the message says what it holds and what to do instead."""


@dataclass(frozen=True)
class Granted:
    """A table the trusted side granted the run, at one snapshot (None: it has none)."""

    identifier: str
    snapshot_id: int | None
    metadata_location: str


@dataclass(frozen=True)
class SandboxPlan:
    plan: Any  # the parsed JSON plan
    stand_ins: Mapping[str, tuple[str, int | None]]  # path -> (identifier, snapshot)
    column_types: list[str]


def parse(document_text: str) -> SandboxPlan:
    """The sandbox's plan document; a broken one is refused (the sandbox wrote it: untrusted)."""
    try:
        document = json.loads(document_text)
        if not isinstance(document, dict) or document.get("type") != "distributed_plan":
            raise ValueError("not a distributed plan")
        if document.get("version") != PLAN_VERSION:
            raise ValueError(f"version {document.get('version')!r}")
        plan = json.loads(document["plan"])
        stand_ins: dict[str, tuple[str, int | None]] = {}
        for table in document["tables"]:
            snapshot = table["snapshot_id"]
            if snapshot is not None and not (isinstance(snapshot, str) and snapshot.isdigit()):
                raise ValueError("a snapshot id that is not digits")
            if not isinstance(table["path"], str) or not isinstance(table["identifier"], str):
                raise ValueError("a stand-in without path or identifier")
            stand_ins[table["path"]] = (
                table["identifier"],
                None if snapshot is None else int(snapshot),
            )
        column_types = [str(t) for t in document["column_types"]]
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise PlanRefused(
            f"The run's plan could not be read ({type(exc).__name__}); assign a polars LazyFrame "
            f"to `result` and leave the run's output files to Floe, {_RUN_LOCALLY}."
        ) from None
    return SandboxPlan(plan, stand_ins, column_types)


def runnable(
    sandbox: SandboxPlan,
    granted: list[Granted],
    trusted_scan: Callable[[Granted], Any],
) -> Any:
    """The plan with every stand-in replaced by ``trusted_scan``'s JSON node for its table."""
    by_key = {(g.identifier, g.snapshot_id): g for g in granted}
    scans: dict[str, Any] = {}
    for path, (identifier, snapshot_id) in sandbox.stand_ins.items():
        grant = by_key.get((identifier, snapshot_id))
        if grant is None:
            raise PlanRefused(
                f"The plan reads table '{identifier}' at a snapshot this run was not given; read "
                "tables only through scan() or the query's bindings."
            )
        scans[path] = grant
    cache: dict[str, Any] = {}

    def scan_of(path: str) -> Any:
        if path not in cache:
            cache[path] = trusted_scan(scans[path])
        return cache[path]

    return _Walker(scans, scan_of).walk(sandbox.plan, 0)


class _Walker:
    def __init__(self, stand_ins: Mapping[str, Granted], scan_of: Callable[[str], Any]) -> None:
        self._stand_ins = stand_ins
        self._scan_of = scan_of

    def walk(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise PlanRefused(
                f"The plan is nested more than {MAX_DEPTH} levels deep; simplify it, "
                f"{_RUN_LOCALLY}."
            )
        if isinstance(node, list):
            if node[: len(_PICKLED_MARKER)] == _PICKLED_MARKER:
                raise _python_code("a pickled Python function")
            return [self.walk(item, depth + 1) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1 and "Scan" in node:
            return self._scan(node["Scan"])
        out: dict[str, Any] = {}
        for key, value in node.items():
            if _CODE_CARRYING.search(key):
                raise _python_code(f"a {key} step")
            if key == "Sink":
                raise PlanRefused(
                    "The plan writes its result somewhere itself (a sink_* step); assign the "
                    "LazyFrame to `result` and let Floe write or save it."
                )
            if key == "SQL" and isinstance(value, dict):
                _check_sql(value.get("query"))
            out[key] = self.walk(value, depth + 1)
        return out

    def _scan(self, scan: Any) -> Any:
        sources = scan.get("sources") if isinstance(scan, dict) else None
        paths = sources.get("Paths") if isinstance(sources, dict) and len(sources) == 1 else None
        if isinstance(paths, list) and len(paths) == 1 and isinstance(paths[0], dict):
            path = paths[0].get("inner")
            if isinstance(path, str) and path in self._stand_ins:
                return self._scan_of(path)
        raise PlanRefused(
            "The plan reads files or data sources directly (a scan_* or read_* of a path); a "
            "distributed run reads tables only through scan() or the query's bindings, "
            f"{_RUN_LOCALLY}."
        )


def _check_sql(query: Any) -> None:
    if isinstance(query, str) and (found := _SQL_FILE_FUNCTIONS.search(query)):
        raise PlanRefused(
            f"The SQL reads files itself ({found.group(1).lower()}_{found.group(2).lower()}(...)); "
            "a distributed run "
            f"reads tables only through its bindings, {_RUN_LOCALLY}."
        )


def _python_code(what: str) -> PlanRefused:
    return PlanRefused(
        f"The plan holds {what}, which would run Python or native code on the cluster; rewrite "
        f"that step with Polars expressions, {_RUN_LOCALLY}."
    )
