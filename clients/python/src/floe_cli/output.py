"""Where results go: stdout or `-o FILE` (written beside, then renamed, so a failed run never
leaves a partial file), in the format asked for."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import pyarrow as pa

from floe_cli.client import ARROW_STREAM, read_json
from floe_cli.errors import ServerBroke
from floe_cli.render import compute_note, format_table, plural, result_footer, saved_line
from floe_cli.results import table_batches, table_from_json, write_batches

TEXT_FORMATS = ("table", "json")
ARROW_FORMATS = ("csv", "parquet", "arrow")
FORMATS = TEXT_FORMATS + ARROW_FORMATS


@dataclass
class Streams:
    """The process's stdout/stderr and what they are attached to."""

    stdout: IO[str]
    stderr: IO[str]

    @property
    def stdout_is_tty(self) -> bool:
        return self.stdout.isatty()

    @property
    def stderr_is_tty(self) -> bool:
        return self.stderr.isatty()

    @property
    def color(self) -> bool:
        return self.stderr_is_tty and "NO_COLOR" not in os.environ

    @property
    def unicode(self) -> bool:
        return (getattr(self.stdout, "encoding", None) or "").lower().startswith("utf")

    def note(self, text: str) -> None:
        self.stderr.write(text.rstrip("\n") + "\n")
        self.stderr.flush()


def binary_needs_file(fmt: str, out_path: str | None, streams: Streams) -> str | None:
    """Why a format cannot be written where asked (None when it can)."""
    if fmt in ("parquet", "arrow") and out_path is None and streams.stdout_is_tty:
        return (
            f"--output {fmt} writes binary data: give a file with -o FILE, "
            "or redirect stdout (> file, | program)"
        )
    return None


@contextlib.contextmanager
def binary_sink(out_path: str | None, streams: Streams) -> Iterator[IO[bytes]]:
    if out_path is None:
        streams.stdout.flush()
        buffer: IO[bytes] = getattr(streams.stdout, "buffer")  # noqa: B009 - TextIO has no .buffer type
        yield buffer
        buffer.flush()
        return
    directory = os.path.dirname(os.path.abspath(out_path))
    fd, temp = tempfile.mkstemp(prefix=".floe-", suffix=".part", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
        os.replace(temp, out_path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_text(text: str, out_path: str | None, streams: Streams) -> None:
    if out_path is None:
        streams.stdout.write(text)
        streams.stdout.flush()
        return
    with binary_sink(out_path, streams) as sink:
        sink.write(text.encode("utf-8"))


def emit_result(
    response: http.client.HTTPResponse,
    fmt: str,
    out_path: str | None,
    streams: Streams,
    base_url: str,
) -> str | None:
    """Writes a successful workload answer (Arrow stream or JSON) in format `fmt`; its run id."""
    if response.headers.get_content_type() == ARROW_STREAM:
        _emit_arrow_stream(response, fmt, out_path, streams)
        return response.headers.get("X-Floe-Run-Id")
    data = read_json(response, base_url)
    run_id = data.get("run_id") if isinstance(data.get("run_id"), str) else None
    if fmt == "json":
        write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", out_path, streams)
        return run_id
    logs = data.get("logs")
    if isinstance(logs, str) and logs.strip():
        streams.note(logs)
    results = data.get("results")
    if not isinstance(results, dict):
        raise ServerBroke("the answer has no results object")
    if fmt == "table":
        text = format_table(
            results.get("columns") or [],
            results.get("rows") or [],
            results.get("column_types") or [],
            unicode=streams.unicode,
        )
        footer = "\n".join(result_footer(data)) + "\n"
        write_text(text + footer, out_path, streams)
        _note_compute(data, streams)
        return run_id
    table = table_from_json(results)
    if data.get("truncated"):
        streams.note(
            f"warning: this server answered JSON, cut at {table.num_rows:,} of "
            f"{data.get('row_count')} rows; the output holds only those (raise --max-rows)"
        )
    with binary_sink(out_path, streams) as sink:
        rows = write_batches(fmt, table.schema, table_batches(table), sink)
    _after_write(rows, out_path, streams, saved_line(data.get("saved")))
    _note_compute(data, streams)
    return run_id


def _note_compute(data: dict[str, Any], streams: Streams) -> None:
    if note := compute_note(data):
        streams.note(note)


def _emit_arrow_stream(
    response: http.client.HTTPResponse, fmt: str, out_path: str | None, streams: Streams
) -> None:
    try:
        reader = pa.ipc.open_stream(response)
        with binary_sink(out_path, streams) as sink:
            rows = write_batches(fmt, reader.schema, reader, sink)
    except (pa.ArrowException, http.client.HTTPException, OSError) as e:
        where = "nothing was written" if out_path else "what was written to stdout is incomplete"
        raise ServerBroke(f"the result stream broke off ({e}); {where}") from None
    _after_write(rows, out_path, streams, None)


def _after_write(rows: int, out_path: str | None, streams: Streams, saved: str | None) -> None:
    if out_path is not None:
        streams.note(f"wrote {plural(rows, 'row')} to {out_path}")
    if saved:
        streams.note(saved)


def dump_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"
