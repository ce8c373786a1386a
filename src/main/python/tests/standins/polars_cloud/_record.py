"""What the stand-in writes beside itself: the calls it was given and the results of its queries.

Everything lives in the directory that contains the ``polars_cloud`` package directory
(``HOME``): a test copies (or links) the package into a temporary directory and puts that
directory first on ``sys.path``. Symbolic links are deliberately not resolved, so a linked package
still writes beside the link.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import time
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

import polars as pl

HOME = Path(os.path.abspath(__file__)).parent.parent
CALLS = HOME / "calls.jsonl"
BEHAVIOUR = HOME / "behaviour.json"
RESULTS = HOME / "results"

_lock = threading.Lock()
_counters: dict[str, int] = {}


def next_label(prefix: str) -> str:
    """A label unique in this process (with the pid on every line, unique in calls.jsonl)."""
    with _lock:
        _counters[prefix] = _counters.get(prefix, 0) + 1
        return f"{prefix}-{_counters[prefix]}"


def sha256(value: str | bytes) -> str:
    data = value.encode() if isinstance(value, str) else value
    return hashlib.sha256(data).hexdigest()


def secret(name: str, value: str | None) -> dict[str, str | None]:
    """A secret as recorded: whether it was set, and its sha256 (never the value)."""
    return {
        name: None if value is None else "<set>",
        f"{name}_sha256": None if value is None else sha256(value),
    }


def secret_mapping(name: str, value: Any) -> dict[str, Any]:
    """A mapping whose values may be secrets (headers, environment variables): keys and sha256s."""
    if value is None:
        return {name: None, f"{name}_sha256": None}
    items = {str(k): str(v) for k, v in dict(value).items()}
    return {
        name: dict.fromkeys(items, "<set>"),
        f"{name}_sha256": {k: sha256(v) for k, v in items.items()},
    }


def optimizations(flags: pl.QueryOptFlags) -> dict[str, Any]:
    from polars.lazyframe.opt_flags import DEFAULT_QUERY_OPT_FLAGS

    names = sorted(
        n for n in dir(flags) if not n.startswith("_") and isinstance(getattr(flags, n, None), bool)
    )
    return {"default": flags is DEFAULT_QUERY_OPT_FLAGS, **{n: getattr(flags, n) for n in names}}


def plan(lf: pl.LazyFrame) -> dict[str, Any]:
    """The plan a query was given: its unoptimized explain and the sha256 of its serialization."""
    out: dict[str, Any] = {}
    try:
        out["plan_sha256"] = sha256(lf.serialize())
    except Exception as e:  # a plan that cannot be serialized is still recorded
        out["plan_sha256"] = None
        out["plan_serialize_error"] = f"{type(e).__name__}: {e}"
    try:
        out["plan"] = lf.explain(optimized=False)
    except Exception as e:
        out["plan"] = None
        out["plan_explain_error"] = f"{type(e).__name__}: {e}"
    return out


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, Path | UUID):
        return str(value)
    if isinstance(value, bytes):
        return {"bytes": len(value), "sha256": sha256(value)}
    if isinstance(value, io.IOBase):
        return f"<{type(value).__name__}>"
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, pl.QueryOptFlags):
        return optimizations(value)
    label = getattr(value, "_standin_label", None)
    if isinstance(label, str):
        return label
    return repr(value)


def _append(line: dict[str, Any]) -> None:
    data = (json.dumps(line) + "\n").encode()
    with _lock:
        fd = os.open(CALLS, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def record_call(call: str, /, **fields: Any) -> None:
    """One line for a call the client was given: ``{"call": ..., "pid": ..., "time": ..., ...}``."""
    _append({"call": call, "pid": os.getpid(), "time": time.time(), **jsonable(fields)})


def record_event(event: str, /, **fields: Any) -> None:
    """One line for something that happened on the stand-in's "cluster" (a query ending)."""
    _append({"event": event, "pid": os.getpid(), "time": time.time(), **jsonable(fields)})


KNOBS = {"delay_seconds", "fail"}


def behaviour() -> dict[str, Any]:
    """The knobs in ``HOME/behaviour.json`` (read when a query is submitted); none if absent."""
    try:
        text = BEHAVIOUR.read_text()
    except FileNotFoundError:
        return {}
    knobs = json.loads(text)
    if not isinstance(knobs, dict):
        msg = f"{BEHAVIOUR}: expected a JSON object, got {knobs!r}"
        raise ValueError(msg)
    unknown = set(knobs) - KNOBS
    if unknown:
        msg = f"{BEHAVIOUR}: unknown knobs {sorted(unknown)} (known: {sorted(KNOBS)})"
        raise ValueError(msg)
    delay = knobs.get("delay_seconds", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
        msg = f"{BEHAVIOUR}: delay_seconds must be a number >= 0, got {delay!r}"
        raise ValueError(msg)
    fail = knobs.get("fail")
    if fail is not None and not isinstance(fail, str):
        msg = f"{BEHAVIOUR}: fail must be a string, got {fail!r}"
        raise ValueError(msg)
    return knobs
