"""A distributed run's sandbox half: the user's code builds a plan, and the plan leaves the sandbox.

In a distributed run, ``scan()`` gives a stand-in for each table: a Parquet scan of a path that does
not exist, with the table's real schema, so SQL and lazy steps plan exactly as over the table, and
the plan names each table by a path the trusted dispatcher recognises. The dispatcher (outside the
sandbox, holding the distributed engine's credentials, never running user code) checks the plan,
swaps every stand-in for its own scan of the granted snapshot and submits it.

Python functions in a plan (``map_elements``, ``map_batches``, IO plugins) would be pickled into it
and run on the cluster: the sandbox has no ``cloudpickle``, and in a distributed run ``cloudpickle``
is a module that refuses, naming the function and the line that defined it. The dispatcher checks
the plan again: nothing here is trusted.
"""

from __future__ import annotations

import json
import re
import sys
import types
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import polars as pl

from floe_harness.errors import Diagnostics, HarnessError, described
from floe_harness.job import GrantedTable

# Where the stand-ins point: nothing exists there, so reading one fails and says this path.
STAND_IN_ROOT = "/floe-distributed"
PLAN_VERSION = 1
_REFUSED = "floe-python-function"
_REFUSED_TEXT = re.compile(_REFUSED + r"\[(?P<name>[^|\]]*)\|(?P<line>\d*)\]")
_RUN_LOCALLY = "or run it without distributed"


@dataclass(frozen=True)
class StandIn:
    path: str
    identifier: str
    snapshot_id: int | None


class StandIns:
    """The stand-in of each table a distributed run scans, one per table and snapshot."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, int | None], StandIn] = {}

    def frame(self, granted: GrantedTable, schema: pl.Schema) -> pl.LazyFrame:
        key = (granted.identifier, granted.snapshot_id)
        stand_in = self._by_key.get(key)
        if stand_in is None:
            snapshot = "empty" if granted.snapshot_id is None else str(granted.snapshot_id)
            path = f"{STAND_IN_ROOT}/{len(self._by_key)}/{granted.identifier}@{snapshot}.parquet"
            stand_in = StandIn(path, granted.identifier, granted.snapshot_id)
            self._by_key[key] = stand_in
        return pl.scan_parquet(stand_in.path, schema=schema, glob=False)

    def __iter__(self) -> Iterator[StandIn]:
        return iter(self._by_key.values())


def refuse_python_functions(filename: str) -> None:
    """From now on, pickling a function into a plan fails, naming it and its line in the script."""

    def dumps(obj: object, *args: object, **kwargs: object) -> NoReturn:
        name, line = _user_function(obj, filename)
        raise RuntimeError(f"{_REFUSED}[{name}|{'' if line is None else line}]")

    refusing = types.ModuleType("cloudpickle")
    refusing.dumps = dumps  # type: ignore[attr-defined]
    refusing.loads = dumps  # type: ignore[attr-defined]
    sys.modules["cloudpickle"] = refusing


def write_plan(frame: pl.LazyFrame, schema: pl.Schema, stand_ins: StandIns, path: Path) -> None:
    """The plan as Polars' JSON, with the stand-ins and the result's schema, for the dispatcher."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Polars calls JSON plans unstable; the dispatcher checks
        try:
            plan = frame.serialize(format="json")
        except Exception as exc:  # Polars', or one a script's own pickling raised through it
            raise python_function_refused(exc) or HarnessError(
                "PLAN_NOT_DISTRIBUTABLE",
                f"The plan cannot be sent to the cluster ({described(exc)}); keep to Polars' own "
                f"steps over scan() and literal data, {_RUN_LOCALLY}.",
            ) from None
    document: dict[str, Any] = {
        "type": "distributed_plan",
        "version": PLAN_VERSION,
        "polars": pl.__version__,
        "plan": plan,
        "tables": [
            {
                "path": s.path,
                "identifier": s.identifier,
                "snapshot_id": None if s.snapshot_id is None else str(s.snapshot_id),
            }
            for s in stand_ins
        ],
        "column_types": [str(dtype) for dtype in schema.dtypes()],
    }
    path.write_text(json.dumps(document), encoding="utf-8")


def python_function_refused(exc: BaseException) -> HarnessError | None:
    """The failure to report when ``exc`` is the refusal of a Python function in the plan."""
    found = _REFUSED_TEXT.search(str(exc))
    if found is None:
        return None
    name = found["name"] or "a Python function"
    line = int(found["line"]) if found["line"] else None
    where = f" defined at line {line}" if line is not None else ""
    return HarnessError(
        "PLAN_NOT_DISTRIBUTABLE",
        f"A distributed run cannot send Python code to the cluster, and the plan calls {name}"
        f"{where} (map_elements, map_batches or a similar Python UDF); rewrite that step with "
        f"Polars expressions, {_RUN_LOCALLY}.",
        diagnostics=Diagnostics(
            line=line,
            hint="Polars expressions (pl.when, str/dt/list namespaces, over) cover most UDFs.",
        ),
    )


def reads_stand_in(exc: BaseException, line: int | None) -> HarnessError | None:
    """The failure to report when the script read a stand-in's rows itself (a collect())."""
    if STAND_IN_ROOT + "/" not in str(exc):
        return None
    where = f"Line {line}" if line is not None else "The script"
    return HarnessError(
        "PLAN_NOT_DISTRIBUTABLE",
        f"{where} reads a table's rows inside the script (collect() or similar), but a "
        "distributed run reads tables on the cluster; keep the steps lazy and assign the "
        f"LazyFrame to `result`, {_RUN_LOCALLY}.",
        diagnostics=Diagnostics(line=line),
    )


def _user_function(obj: object, filename: str, depth: int = 0) -> tuple[str, int | None]:
    """The user's own function inside what Polars pickles (it wraps UDFs), and where it is."""
    code = getattr(obj, "__code__", None)
    if isinstance(code, types.CodeType) and code.co_filename == filename:
        name = getattr(obj, "__name__", "a Python function")
        return ("a lambda" if name == "<lambda>" else f"{name}()"), code.co_firstlineno
    if depth < 4:
        inner: list[object] = []
        for attr in ("func", "function", "__wrapped__", "__func__"):
            if hasattr(obj, attr):
                inner.append(getattr(obj, attr))
        for cell in getattr(obj, "__closure__", None) or ():
            try:
                inner.append(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
        state = getattr(obj, "__dict__", None)
        if isinstance(state, dict):
            inner.extend(state.values())
        for candidate in inner:
            name, line = _user_function(candidate, filename, depth + 1)
            if line is not None:
                return name, line
    return "a Python function", None
