"""The real client's ``authenticate`` (auth.py): records; contacts nothing; always succeeds."""

from __future__ import annotations

from ._record import record_call, secret


def authenticate(
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    interactive: bool = True,
) -> None:
    """Authenticate with Polars Cloud (the stand-in: record the call)."""
    record_call(
        "authenticate",
        args={
            "client_id": client_id,
            **secret("client_secret", client_secret),
            "interactive": interactive,
        },
    )
