"""A result as an Arrow IPC stream, in types every Arrow reader understands.

Shared by the harness (the sandbox's Polars) and the dispatcher (the distributed client's Polars):
both write the stream the service reads, batch by batch, to a file or a named pipe.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import polars as pl
import pyarrow as pa

MAX_BATCH_ROWS = 65_536
_WRITE_BUFFER = 1 << 20
POLARS_DTYPES_KEY = b"floe.polars_dtypes"


class ResultTooLarge(Exception):
    """The stream passed the size it was allowed."""


class _Bounded:
    """A file object that refuses to grow past ``limit`` bytes."""

    def __init__(self, sink: BinaryIO, limit: int) -> None:
        self._sink = sink
        self._left = limit
        self.closed = False

    def write(self, data: bytes) -> int:
        self._left -= len(data)
        if self._left < 0:
            raise ResultTooLarge()
        return self._sink.write(data)

    def flush(self) -> None:
        self._sink.flush()


def write_stream(
    path: Path,
    batches: Iterator[pl.DataFrame],
    empty: pl.DataFrame,
    metadata: dict[bytes, bytes],
    max_bytes: int | None = None,
) -> None:
    """Writes ``batches`` (schema of ``empty`` when there are none) as one stream, raising
    ``ResultTooLarge`` past ``max_bytes``.

    The first batch is computed before the file is opened, so most failures happen before the
    reader sees a byte. A failure later leaves the stream without its end marker: the service never
    passes on a stream that lacks it.
    """
    first = next(batches, None)
    arrow_schema = to_arrow(empty if first is None else first).schema.with_metadata(metadata)
    # A plain file object: the result path may be a pipe, which cannot seek.
    with open(path, "wb", buffering=_WRITE_BUFFER) as sink:
        _widen_pipe(sink.fileno())
        target: BinaryIO | _Bounded = sink if max_bytes is None else _Bounded(sink, max_bytes)
        writer = pa.ipc.new_stream(target, arrow_schema)
        if first is not None:
            _write(writer, first)
        for batch in batches:
            _write(writer, batch)
        # Only a complete result gets the end-of-stream marker.
        writer.close()


def to_arrow(df: pl.DataFrame) -> pa.Table:
    # The oldest compat level exports large_string/large_list and no view types.
    return df.to_arrow(compat_level=pl.CompatLevel.oldest())


def _write(writer: pa.RecordBatchStreamWriter, df: pl.DataFrame) -> None:
    # The writer compares schemas without their metadata, which only the stream's schema carries.
    for batch in to_arrow(df).to_batches(max_chunksize=MAX_BATCH_ROWS):
        writer.write_batch(batch)


def _widen_pipe(fd: int) -> None:
    """A pipe's 64 KiB default buffer means a context switch per 64 KiB; ask Linux for 1 MiB."""
    if stat.S_ISFIFO(os.fstat(fd).st_mode):
        with contextlib.suppress(OSError):  # over the system's pipe-max-size: keep the default
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _WRITE_BUFFER)
