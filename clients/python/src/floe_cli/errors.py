"""Exit codes and the failures that map to them."""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class Exit(IntEnum):
    """The process exit codes; `floe --help` lists them."""

    OK = 0
    WORKLOAD_FAILED = 1  # the server refused or failed the workload: the user's to fix
    USAGE = 2  # bad command line (argparse uses 2 too)
    UNREACHABLE = 3  # cannot connect, or the server refused the credentials
    SERVER_ERROR = 4  # the server failed (5xx, busy, a broken answer)


EXIT_CODES_HELP = """exit codes:
  0  success
  1  the workload failed: the server refused it or it raised (HTTP 4xx: bad SQL, script error,
     missing table, schema mismatch, ...), or it hit its time limit (TIMEOUT)
  2  usage error (bad flags or arguments)
  3  cannot reach the server, or it refused the API key (connection error, HTTP 401/403)
  4  server error (HTTP 5xx, 429 busy, a broken or cut-off answer)
"""


class CliError(Exception):
    """A failure the CLI reports in one message and an exit code."""

    def __init__(self, message: str, code: Exit) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class Unreachable(CliError):
    def __init__(self, message: str) -> None:
        super().__init__(message, Exit.UNREACHABLE)


class ServerBroke(CliError):
    def __init__(self, message: str) -> None:
        super().__init__(message, Exit.SERVER_ERROR)


class ApiError(Exception):
    """An HTTP error answer from Floe; `body` is the error envelope when the answer was JSON."""

    def __init__(self, status: int, body: dict[str, Any] | None, text: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body or {}
        self.text = text

    @property
    def exit_code(self) -> Exit:
        if self.status in (401, 403):
            return Exit.UNREACHABLE
        if self.error_code == "TIMEOUT":
            return Exit.WORKLOAD_FAILED  # the run outlived its own time limit (HTTP 504)
        if self.status >= 500 or self.status == 429:
            return Exit.SERVER_ERROR
        return Exit.WORKLOAD_FAILED

    @property
    def error_code(self) -> str | None:
        code = self.body.get("error_code")
        return code if isinstance(code, str) else None

    @property
    def message(self) -> str:
        error = self.body.get("error")
        if isinstance(error, str) and error:
            return error
        snippet = " ".join(self.text.split())[:200]
        return f"the server answered HTTP {self.status}" + (f": {snippet}" if snippet else "")
