"""Command-line values turned into request fields."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any


class BadArgument(ValueError):
    """A flag's value that cannot be used; reported as a usage error."""


def parse_param(text: str) -> tuple[str, Any]:
    """`key=value`: the value as JSON when it parses (`2`, `true`, `[1,2]`, `"2"`), else the
    string itself (`setosa`)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise BadArgument(f"--param {text!r}: expected key=value, e.g. --param limit=10")
    try:
        return key, json.loads(raw)
    except ValueError:
        return key, raw


def parse_params(texts: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for text in texts:
        key, value = parse_param(text)
        params[key] = value
    return params


def check_table_binding(text: str) -> str:
    """`alias=namespace.table` (or the hosted tool's plain `namespace.table`), sent as given."""
    alias, sep, table = text.partition("=")
    if (sep and (not alias.strip() or not table.strip())) or not text.strip():
        raise BadArgument(
            f"--table {text!r}: expected alias=namespace.table, "
            "e.g. --table flowers=default.flowers"
        )
    return text


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise BadArgument(f"{text!r} is not a whole number") from None
    if value < 1:
        raise BadArgument(f"{text!r} must be at least 1")
    return value


_DURATION = re.compile(r"([0-9]+)([mhd])")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}
DURATION_FORMS = "<n>m, <n>h or <n>d (minutes, hours, days)"


def duration_seconds(text: str) -> int:
    """`30m`, `2h`, `7d`: a number of minutes, hours or days, as seconds."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise BadArgument(f"{text!r} is not a duration: expected {DURATION_FORMS}, e.g. 30d")
    count = int(match.group(1))
    if count < 1:
        raise BadArgument(f"{text!r} must be at least 1{match.group(2)}")
    return count * _UNIT_SECONDS[match.group(2)]


def instant(text: str, now: datetime | None = None) -> str:
    """An ISO-8601 instant (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00+02:00`; one without an
    offset is UTC) or a duration meaning that long before `now` (`30m`, `2h`, `7d`), as an
    ISO-8601 UTC instant: `2024-05-01T12:00:00Z`."""
    stripped = text.strip()
    if _DURATION.fullmatch(stripped):
        seconds = duration_seconds(stripped)
        try:
            at = (now or datetime.now(timezone.utc)) - timedelta(seconds=seconds)
        except OverflowError:
            raise BadArgument(f"{text!r} reaches back before the year 1") from None
        return _utc_text(at.replace(microsecond=0))
    # Python 3.10's fromisoformat does not read the Z suffix.
    iso = stripped[:-1] + "+00:00" if stripped[-1:] in ("Z", "z") else stripped
    try:
        at = datetime.fromisoformat(iso)
        return _utc_text(at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc))
    except (ValueError, OverflowError):
        raise BadArgument(
            f"{text!r} is neither an ISO-8601 instant (e.g. 2024-05-01T12:00:00Z) nor a "
            f"duration ago: {DURATION_FORMS}, e.g. 2h"
        ) from None


def _utc_text(at: datetime) -> str:
    return at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def check_scope(text: str) -> str:
    """A grant's scope: `CATALOG`, `CATALOG.NAMESPACE` or `CATALOG.NAMESPACE.TABLE`."""
    parts = text.split(".")
    if len(parts) > 3 or any(not p.strip() or p != p.strip() for p in parts):
        raise BadArgument(
            f"{text!r} is not a scope: expected CATALOG, CATALOG.NAMESPACE or "
            "CATALOG.NAMESPACE.TABLE (the catalog first), e.g. lake.default"
        )
    return text
