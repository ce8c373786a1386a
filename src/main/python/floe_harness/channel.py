"""The runner's channel to the trusted side: length-prefixed JSON frames over a Unix socket.

Each frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON (one object;
``floe_frames``, the trusted writer's codec too). The
service answers only this runner on this socket; what the runner asks for (a table, a listing) it
decides there, never here.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from floe_frames import FrameCut, read_frame, write_frame

MAX_FRAME = 64 << 20


class ChannelClosed(Exception):
    """The trusted side closed the channel (the service cancelled the run, or stopped)."""


class Channel:
    def __init__(self, sock: socket.socket) -> None:
        self._reader = sock.makefile("rb")
        self._writer = sock.makefile("wb")
        self._lock = threading.Lock()
        self._next_id = 0

    def send(self, message: dict[str, Any]) -> None:
        write_frame(self._writer, message, MAX_FRAME)

    def receive(self) -> dict[str, Any]:
        try:
            message = read_frame(self._reader, MAX_FRAME)
        except FrameCut as cut:
            raise ChannelClosed("the trusted side closed the channel") from cut
        if message is None:
            raise ChannelClosed("the trusted side closed the channel")
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
