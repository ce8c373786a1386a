"""A one-line spinner on stderr while a run takes longer than a second (terminals only)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import IO

_UNICODE_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_ASCII_FRAMES = "|/-\\"


class Progress:
    """`with Progress(sys.stderr, enabled=...) as p:` draws `⠹ running · 2.4s` until the block
    ends, then erases it. `state` is shown as is; `poll`, when given, is called about once a second
    (off the main thread) to refresh it, e.g. from the run's status."""

    def __init__(
        self,
        stream: IO[str],
        *,
        enabled: bool,
        state: str = "running",
        poll: Callable[[], str | None] | None = None,
        delay: float = 1.0,
        interval: float = 0.1,
    ) -> None:
        self.stream = stream
        self.enabled = enabled
        self.state = state
        self._poll = poll
        self._delay = delay
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False
        encoding = (getattr(stream, "encoding", None) or "").lower()
        unicode = encoding.startswith("utf")
        self._frames = _UNICODE_FRAMES if unicode else _ASCII_FRAMES
        self._dot = "·" if unicode else "-"

    def __enter__(self) -> Progress:
        if self.enabled:
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._run, name="floe-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False

    def _run(self) -> None:
        if self._stop.wait(self._delay):
            return
        frame = 0
        last_poll = 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if self._poll is not None and now - last_poll >= 1.0:
                last_poll = now
                # A failed status poll only keeps the state shown before.
                with contextlib.suppress(Exception):
                    self.state = self._poll() or self.state
            elapsed = time.monotonic() - self._started
            symbol = self._frames[frame % len(self._frames)]
            self.stream.write(f"\r{symbol} {self.state} {self._dot} {elapsed:.1f}s\033[K")
            self.stream.flush()
            self._drawn = True
            frame += 1
            self._stop.wait(self._interval)
