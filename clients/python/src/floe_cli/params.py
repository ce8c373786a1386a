"""Command-line values turned into request fields."""

from __future__ import annotations

import json
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
