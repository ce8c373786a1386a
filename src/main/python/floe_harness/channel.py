"""The runner's channel to the trusted side: length-prefixed JSON frames over a Unix socket.

Each frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON (one object). The
service answers only this runner on this socket; what the runner asks for (a table, a listing) it
decides there, never here.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from typing import Any

MAX_FRAME = 64 << 20
_HEADER = struct.Struct(">I")


class ChannelClosed(Exception):
    """The trusted side closed the channel (the service cancelled the run, or stopped)."""


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._lock = threading.Lock()
        self._next_id = 0

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message, separators=(",", ":")).encode()
        if len(data) > MAX_FRAME:
            raise ValueError(f"a message of {len(data)} bytes is over the channel's limit")
        self._sock.sendall(_HEADER.pack(len(data)) + data)

    def receive(self) -> dict[str, Any]:
        (length,) = _HEADER.unpack(self._read(_HEADER.size))
        if length > MAX_FRAME:
            raise ValueError(f"a frame of {length} bytes is over the channel's limit")
        message = json.loads(self._read(length))
        if not isinstance(message, dict):
            raise ValueError("a frame is not a JSON object")
        return message

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Sends a request and waits for its answer; one at a time (user threads may share it)."""
        with self._lock:
            self._next_id += 1
            self.send({**message, "id": self._next_id})
            answer = self.receive()
            if answer.get("id") != self._next_id:
                raise ValueError("the trusted side answered another request")
            return answer

    def _read(self, n: int) -> bytes:
        chunks = bytearray()
        while len(chunks) < n:
            chunk = self._sock.recv(n - len(chunks))
            if not chunk:
                raise ChannelClosed("the trusted side closed the channel")
            chunks += chunk
        return bytes(chunks)
