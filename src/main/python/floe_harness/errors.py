"""Failures reported through error.json."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO

ErrorCode = Literal[
    "SCRIPT_SYNTAX",
    "SQL_SYNTAX",
    "SCRIPT_ERROR",
    "QUERY_ERROR",
    "RESULT_NOT_ASSIGNED",
    "RESULT_WRONG_TYPE",
    "TABLE_NOT_FOUND",
    "NAMESPACE_NOT_FOUND",
    "TABLE_UNREADABLE",
    "FORBIDDEN",
    "OUT_OF_MEMORY",
    "LIMIT_EXCEEDED",
    "PLAN_NOT_DISTRIBUTABLE",
    "DISTRIBUTED_UNAVAILABLE",
    "INTERNAL",
]
# What the trusted side may answer a run's request for a table or a listing with.
_REFUSALS: dict[str, ErrorCode] = {
    "TABLE_NOT_FOUND": "TABLE_NOT_FOUND",
    "NAMESPACE_NOT_FOUND": "NAMESPACE_NOT_FOUND",
    "TABLE_UNREADABLE": "TABLE_UNREADABLE",
    "FORBIDDEN": "FORBIDDEN",
}

_MAX_SUMMARY = 500


@dataclass(frozen=True)
class Frame:
    file: str
    line: int | None
    function: str
    text: str


@dataclass
class Diagnostics:
    line: int | None = None
    column: int | None = None
    frames: list[Frame] = field(default_factory=list)
    hint: str | None = None


class HarnessError(Exception):
    """A failure with its error code; ``message`` is one sentence saying what failed and the fix."""

    def __init__(
        self,
        error_code: ErrorCode,
        message: str,
        *,
        details: str | None = None,
        diagnostics: Diagnostics | None = None,
    ) -> None:
        super().__init__(message)
        self.error_code: ErrorCode = error_code
        self.message = message
        self.details = details
        self.diagnostics = diagnostics or Diagnostics()

    def to_json(self) -> dict[str, Any]:
        return {
            "error_code": self.error_code,
            "message": self.message,
            "details": self.details,
            "diagnostics": asdict(self.diagnostics),
        }


class TableNotFound(HarnessError):
    def __init__(self, message: str) -> None:
        super().__init__("TABLE_NOT_FOUND", message)


class TrustedRefusal(HarnessError):
    """The trusted side refused a run's request (no such table, not granted...), saying why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(_REFUSALS.get(code, "INTERNAL"), message)


def out_of_memory() -> HarnessError:
    return HarnessError(
        "OUT_OF_MEMORY",
        "The run ran out of memory; read less data (filter rows or select fewer columns early) "
        "or raise limits.memoryMb.",
    )


def internal_error(run_id: str | None) -> HarnessError:
    run = f" {run_id}" if run_id else ""
    return HarnessError(
        "INTERNAL",
        f"The Floe harness failed unexpectedly; retry, and report run{run} if it happens again.",
    )


def write_error(error: HarnessError, sink: Path | TextIO) -> None:
    """Writes the error file, to a path or to a handle opened before user code ran."""
    # ASCII-escaped so that any exception text (even lone surrogates) serializes.
    text = json.dumps(error.to_json())
    if isinstance(sink, Path):
        sink.write_text(text, encoding="ascii")
        return
    sink.seek(0)
    sink.truncate()
    sink.write(text)
    sink.flush()


def summary(exc: BaseException) -> str:
    """The first line of an exception's message, without a trailing full stop, cut if huge."""
    try:
        text = str(exc)
    except Exception:  # a user exception's own __str__ may be broken
        text = ""
    lines = text.strip().splitlines()
    first = lines[0].rstrip(" .") if lines else ""
    return first if len(first) <= _MAX_SUMMARY else first[:_MAX_SUMMARY] + "…"


def described(exc: BaseException) -> str:
    """``exc`` in one line: its type's name and the first line of its message."""
    first = summary(exc)
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
