"""Failures of the user's script, reported in the user's own line numbers and frames."""

from __future__ import annotations

import errno
import linecache
import resource
import traceback
from dataclasses import dataclass

from floe_harness.errors import Diagnostics, Frame, HarnessError, summary

_LAZY_HINT = (
    "Polars runs a LazyFrame's steps only when `result` is collected, so the failing step has no "
    "line of its own; check each operation applied to the frame."
)


def register_source(filename: str, source: str) -> None:
    """Let tracebacks (the harness's and the user's own) show lines of a script that is no file."""
    # mtime None marks the entry as not backed by a file, so linecache.checkcache keeps it.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)


def _open_files_limit() -> int:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft


def syntax_error(exc: SyntaxError, filename: str) -> HarnessError:
    line, column = exc.lineno, exc.offset
    where = f" at line {line}, column {column}" if line and column else ""
    fix = f"fix line {line}" if line else "fix the script"
    text = (exc.text or "").strip()
    return HarnessError(
        "SCRIPT_SYNTAX",
        f"The script has a syntax error{where} ({exc.msg}); {fix} and run it again.",
        details="".join(traceback.format_exception_only(exc)),
        diagnostics=Diagnostics(
            line=line,
            column=column,
            frames=[Frame(filename, line, "<module>", text)] if line else [],
        ),
    )


def script_failure(exc: BaseException, filename: str) -> BaseException:
    """What to report for an exception that escaped the user's code (or collecting its result)."""
    if isinstance(exc, MemoryError):
        return exc
    trimmed = user_traceback(exc, filename)
    if isinstance(exc, HarnessError):
        # scan() failures keep their own code; the user's frames show which call failed.
        exc.details = trimmed.text
        exc.diagnostics.line = trimmed.line
        exc.diagnostics.frames = trimmed.frames
        return exc
    name, what = type(exc).__name__, summary(exc)
    said = f": {what}" if what else ""
    if trimmed.line is None:
        message = f"Computing `result` raised {name}{said}. Fix the script and run it again."
        hint: str | None = _LAZY_HINT
    else:
        message = f"The script raised {name} at line {trimmed.line}{said}. "
        message += f"Fix line {trimmed.line} and run it again."
        hint = None
    if isinstance(exc, OSError) and exc.errno == errno.EMFILE:
        where = "" if trimmed.line is None else f" at line {trimmed.line}"
        message = (
            f"The script opened more files than a run may hold open at once ({_open_files_limit()})"
            f"{where}; close files when done with them (use `with open(...)`)."
        )
    return HarnessError(
        "SCRIPT_ERROR",
        message,
        details=trimmed.text,
        diagnostics=Diagnostics(line=trimmed.line, frames=trimmed.frames, hint=hint),
    )


@dataclass(frozen=True)
class UserTraceback:
    text: str
    frames: list[Frame]

    @property
    def line(self) -> int | None:
        return self.frames[-1].line if self.frames else None


def user_traceback(exc: BaseException, filename: str) -> UserTraceback:
    """The traceback of ``exc`` keeping only frames of the user's code (no harness, no library)."""
    te = traceback.TracebackException.from_exception(exc)
    _trim(te, filename, set())
    frames = [Frame(f.filename, f.lineno, f.name, (f.line or "").strip()) for f in te.stack]
    return UserTraceback("".join(te.format()), frames)


def _trim(te: traceback.TracebackException, filename: str, seen: set[int]) -> None:
    if id(te) in seen:
        return
    seen.add(id(te))
    te.stack = traceback.StackSummary.from_list([f for f in te.stack if f.filename == filename])
    for linked in (te.__cause__, te.__context__, *(te.exceptions or ())):
        if linked is not None:
            _trim(linked, filename, seen)
