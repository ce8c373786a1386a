"""Length-prefixed JSON frames: a 4-byte big-endian length, then that many bytes of UTF-8 JSON.

The one codec of Floe's two framed channels: the trusted writer's (stdin/stdout) and a runner's
(its Unix socket to the service). Each side passes its own size limit.
"""

from __future__ import annotations

import json
import struct
from typing import BinaryIO

# The trusted writer's requests and answers are small (paths, names, a list of differing columns).
MAX_FRAME_BYTES = 16 << 20
_LENGTH = struct.Struct(">I")


class FrameError(ValueError):
    """The stream does not hold a whole, sane frame where one should start."""


class FrameCut(FrameError):
    """The stream ended inside a frame."""


def write_frame(sink: BinaryIO, message: object, max_bytes: int = MAX_FRAME_BYTES) -> None:
    data = json.dumps(message, ensure_ascii=False, allow_nan=False).encode("utf-8")
    if len(data) > max_bytes:
        raise FrameError(f"a frame of {len(data)} bytes is over the {max_bytes}-byte limit")
    sink.write(_LENGTH.pack(len(data)) + data)
    sink.flush()


def read_frame(source: BinaryIO, max_bytes: int = MAX_FRAME_BYTES) -> object | None:
    """The next frame's JSON value, or None when the stream ended cleanly between frames."""
    header = _read_exactly(source, _LENGTH.size, allow_eof=True)
    if header is None:
        return None
    (length,) = _LENGTH.unpack(header)
    if length > max_bytes:
        raise FrameError(f"a frame of {length} bytes is over the {max_bytes}-byte limit")
    body = _read_exactly(source, length, allow_eof=False)
    assert body is not None
    try:
        value: object = json.loads(body.decode("utf-8"))
        return value
    except (UnicodeDecodeError, ValueError) as error:
        raise FrameError(f"a frame is not UTF-8 JSON: {error}") from error


def _read_exactly(source: BinaryIO, size: int, *, allow_eof: bool) -> bytes | None:
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = source.read(remaining)
        if not chunk:
            if allow_eof and remaining == size:
                return None
            raise FrameCut(f"the stream ended inside a frame ({size - remaining} of {size} bytes)")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
