"""HTTP to a Floe server with the standard library (no dependency to install for it)."""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from floe_cli import __version__
from floe_cli.errors import ApiError, ServerBroke, Unreachable

JSON = "application/json"
ARROW_STREAM = "application/vnd.apache.arrow.stream"
# Arrow preferred, JSON accepted: a server without Arrow answers JSON instead of refusing.
ARROW_OR_JSON = f"{ARROW_STREAM}, {JSON};q=0.5"
WORKLOAD_PATH = "/api/v1/warehouse/polars"
RUNS_PATH = f"{WORKLOAD_PATH}/runs"


def quote(segment: str) -> str:
    """One URL path segment (a catalog, namespace, table or run id), encoded."""
    return urllib.parse.quote(segment, safe="")


class FloeClient:
    """Sends requests to one Floe server; every failure becomes an ApiError or a CliError."""

    def __init__(self, base_url: str, api_key: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key

    def open(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        accept: str = JSON,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> http.client.HTTPResponse:
        """The open answer of a 2xx request (the caller reads and closes it); raises ApiError
        for an error answer and Unreachable when no connection could be made."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Accept", accept)
        request.add_header("User-Agent", f"floe-cli/{__version__}")
        if data is not None:
            request.add_header("Content-Type", JSON)
        if self.api_key:
            request.add_header("Authorization", f"Bearer {self.api_key}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=timeout)
            return response
        except urllib.error.HTTPError as e:
            text = _read_text(e)
            raise ApiError(e.code, _json_object(text), text) from None
        except urllib.error.URLError as e:
            raise Unreachable(
                f"cannot reach Floe at {self.base_url}: {_reason(e.reason)}"
            ) from None
        except (http.client.HTTPException, ConnectionError) as e:
            # Connected, then the server hung up without an answer.
            raise ServerBroke(f"Floe at {self.base_url} closed the connection: {e}") from None
        except TimeoutError:
            raise Unreachable(f"Floe at {self.base_url} did not answer in time") from None

    def call(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = 60.0,
    ) -> dict[str, Any]:
        """A JSON request whose JSON object answer is returned."""
        return self.call_with_status(method, path, body=body, headers=headers, timeout=timeout)[1]

    def call_with_status(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | None = 60.0,
    ) -> tuple[int, dict[str, Any]]:
        """A JSON request: the 2xx status (201 created, 200 already there) and the JSON object."""
        with self.open(method, path, body=body, headers=headers, timeout=timeout) as response:
            return response.status, read_json(response, self.base_url)


def read_json(response: http.client.HTTPResponse, base_url: str) -> dict[str, Any]:
    try:
        text = response.read().decode("utf-8")
    except (http.client.HTTPException, OSError) as e:
        raise ServerBroke(f"the answer from {base_url} broke off: {e}") from None
    value = _json_object(text)
    if value is None:
        shown = " ".join(text.split())[:200]
        raise ServerBroke(f"{base_url} answered something that is not a JSON object: {shown!r}")
    return value


def _read_text(error: urllib.error.HTTPError) -> str:
    try:
        return error.read().decode("utf-8", "replace")
    except (http.client.HTTPException, OSError):
        return ""


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the server running? set FLOE_URL or --url)"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    return str(reason)
