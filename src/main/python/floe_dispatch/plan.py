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

from floe_harness.job import GrantedTable

PLAN_VERSION = 1
# Plans nest a level per step; the dispatcher raises Python's recursion limit above this.
MAX_DEPTH = 5_000
# Node and field names that carry Python objects or native code in Polars' plan JSON (Polars'
# variant names are CamelCase; field names of a schema, which are column names, are not checked).
_CODE_CARRYING = re.compile(r"python|pickle|opaque|anonymous|plugin|udf|callback", re.IGNORECASE)
# What Polars writes before a pickled Python function ("PLPYFN", "PLPYUDF"...): b"PLPY".
_PICKLED_MARKER = [80, 76, 80, 89]
# A pickle's first opcode (PROTO) and its protocol, as a byte array starts with it, or after the
# three bytes (cloudpickle flag, Python minor and micro) Polars 2.x writes before a Python object.
_PICKLE_PROTO = 128
# Polars SQL's table functions read files by path wherever the name appears (in any case, quoted,
# qualified, with a comment before its parenthesis): any SQL mentioning one is refused.
_SQL_FILE_FUNCTIONS = re.compile(
    r"(read|scan)_(csv|parquet|ipc|json|ndjson|delta|iceberg|avro|excel|database|lines)",
    re.IGNORECASE,
)
_RUN_LOCALLY = "or run it without distributed"


class PlanRefused(Exception):
    """The plan may not be sent; the message says what it holds and what to do instead."""


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
    granted: list[GrantedTable],
    trusted_scan: Callable[[GrantedTable], Any],
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
    cache: dict[tuple[str, int | None], Any] = {}

    def scan_of(path: str) -> Any:
        # One trusted scan per granted table and snapshot, however many stand-ins name it.
        grant = scans[path]
        key = (grant.identifier, grant.snapshot_id)
        if key not in cache:
            cache[key] = trusted_scan(grant)
        return cache[key]

    return _Walker(scans, scan_of).walk(sandbox.plan, 0)


class _Walker:
    def __init__(
        self, stand_ins: Mapping[str, GrantedTable], scan_of: Callable[[str], Any]
    ) -> None:
        self._stand_ins = stand_ins
        self._scan_of = scan_of

    def walk(self, node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise PlanRefused(
                f"The plan is nested more than {MAX_DEPTH} levels deep; simplify it, "
                f"{_RUN_LOCALLY}."
            )
        if isinstance(node, list):
            if _pickled(node):
                raise _python_code("a pickled Python object")
            return [self.walk(item, depth + 1) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1 and "Scan" in node:
            return self._scan(node["Scan"])
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key[:1].isupper() and _CODE_CARRYING.search(key):
                raise _python_code(f"a {key} step")
            if key == "Sink":
                raise PlanRefused(
                    "The plan writes its result somewhere itself (a sink_* step); assign the "
                    "LazyFrame to `result` and let Floe write or save it."
                )
            if key == "SQL":
                _check_sql(value)
            if key == "fields" and isinstance(value, dict):
                # A schema: its keys are column names; its values (data types) are walked.
                out[key] = {name: self.walk(v, depth + 1) for name, v in value.items()}
                continue
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


def _check_sql(node: Any) -> None:
    """SQL runs on the cluster as text: none that names a table function, or another catalog."""
    text = json.dumps(node)
    found = _SQL_FILE_FUNCTIONS.search(text)
    if found is not None:
        raise PlanRefused(
            f"The SQL reads files itself ({found.group(1).lower()}_{found.group(2).lower()}); a "
            f"distributed run reads tables only through its bindings, {_RUN_LOCALLY}."
        )
    if "u&" in text.lower():
        raise PlanRefused(
            "The SQL uses Unicode-escaped names (U&...), which a distributed run does not take; "
            f"write the names plainly, {_RUN_LOCALLY}."
        )
    if isinstance(node, dict) and node.get("catalog_tables"):
        raise PlanRefused(
            "The SQL reads tables of a catalog of its own; a distributed run reads tables only "
            f"through its bindings, {_RUN_LOCALLY}."
        )


def _pickled(node: list[Any]) -> bool:
    """A byte array holding a pickled Python object (with or without Polars' prefixes)."""
    if node[: len(_PICKLED_MARKER)] == _PICKLED_MARKER:
        return True
    for at in (0, 3):
        if (
            len(node) > at + 1
            and node[at] == _PICKLE_PROTO
            and isinstance(node[at + 1], int)
            and 2 <= node[at + 1] <= 5
            and all(isinstance(b, int) for b in node[:at])
        ):
            return True
    return False


def _python_code(what: str) -> PlanRefused:
    return PlanRefused(
        f"The plan holds {what}, which would run Python or native code on the cluster; rewrite "
        f"that step with Polars expressions, {_RUN_LOCALLY}."
    )
