"""What a run asks the trusted side for: read access to a table, and what the catalog lists.

The trusted side resolves the name, decides, and grants exactly that table's files at one snapshot;
a refusal comes back with its error code and message, raised here as the run's own failure.
"""

from __future__ import annotations

from typing import Any, NoReturn

from floe_harness.channel import Channel
from floe_harness.errors import HarnessError, TrustedRefusal
from floe_harness.job import GrantedTable, granted_table

Identifier = tuple[str, ...]


class TrustedSide:
    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    def table(
        self, identifier: str, snapshot_id: int | None = None, as_of_ms: int | None = None
    ) -> GrantedTable:
        answer = self._ask(
            {
                "type": "table",
                "name": identifier,
                "snapshot_id": None if snapshot_id is None else str(snapshot_id),
                "as_of_ms": as_of_ms,
            }
        )
        table = answer.get("table")
        if not isinstance(table, dict):
            raise _malformed("table")
        return granted_table(table, _fail)

    def profile(self, profile: dict[str, Any]) -> None:
        """Hands over the run's profile (its nodes' time and rows), kept with its record."""
        self._ask({"type": "profile", "profile": profile})

    def namespaces(self) -> list[Identifier]:
        return _identifiers(self._ask({"type": "namespaces"}).get("namespaces"))

    def tables(self, namespace: str) -> list[Identifier]:
        return _identifiers(self._ask({"type": "tables", "namespace": namespace}).get("tables"))

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        answer = self._channel.request(request)
        if answer.get("ok") is True:
            return answer
        code, message = answer.get("error_code"), answer.get("message")
        if not isinstance(code, str) or not isinstance(message, str):
            raise _malformed(str(request.get("type")))
        raise TrustedRefusal(code, message)


def _identifiers(raw: object) -> list[Identifier]:
    if not isinstance(raw, list) or not all(
        isinstance(i, list) and all(isinstance(part, str) for part in i) for i in raw
    ):
        raise _malformed("listing")
    return [tuple(i) for i in raw]


def _fail(reason: str) -> NoReturn:
    raise _malformed(f"table ({reason})")


def _malformed(what: str) -> HarnessError:
    return HarnessError(
        "INTERNAL",
        f"The trusted side sent a malformed {what} answer; retry, and report the run if it "
        "happens again.",
    )
