"""A profiled run: each node of the streaming engine's plan, with its time and its rows.

Polars 2 has no ``LazyFrame.profile()`` (removed in 2.0: it timed the in-memory engine); its
streaming engine tracks every node's time and the rows it received and sent, and reports them on
stderr when the query ends (``polars_private.node_metrics``). While the result is computed, stderr
goes through a pipe: the report's lines are kept, every other line goes on to the run's log as it
comes. What is kept is the run's own account of itself, like its logs.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from floe_harness import polars_private

# At most this many nodes are kept (a plan has tens).
MAX_NODES = 500

_UNITS_MS = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1000.0}
# Only durations ``milliseconds`` reads: a line with anything else is not the report (user code
# may print look-alikes), and goes on to the log.
_DURATION = r"[0-9]+(?:\.[0-9]+)?\s*(?:ns|µs|us|ms|s)"
_HEADER = re.compile(rf"^Streaming query took (?P<took>{_DURATION})")
_NODE = re.compile(
    rf"^(?P<node>[^:]+?): tot\((?P<tot>{_DURATION})\)"
    r".*?recv\(row=(?P<rows_in>\d+).*?sent\(row=(?P<rows_out>\d+)"
)


@dataclass
class Profile:
    """What the engine reported: the query's time, and each node's (time, rows in and out)."""

    total_ms: float = 0.0
    nodes: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"total_ms": round(self.total_ms, 3), "nodes": self.nodes}


def milliseconds(text: str) -> float:
    """``8.49ms``, ``521.30µs``, ``977.00ns``, ``1.2s`` in milliseconds."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*([a-zµ]+)", text.strip())
    if match is None or match.group(2) not in _UNITS_MS:
        raise ValueError(f"not a duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


class _Reader:
    """Reads the captured stderr line by line: keeps the report, forwards the rest."""

    def __init__(self, source: int, forward: int, profile: Profile) -> None:
        self._source = source
        self._forward = forward
        self._profile = profile
        self._in_report = False
        self.thread = threading.Thread(target=self._run, name="floe-profile", daemon=True)

    def _run(self) -> None:
        with os.fdopen(self._source, "rb", buffering=0) as pipe:
            pending = b""
            while chunk := pipe.read(65536):
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    self._line(line + b"\n")
            if pending:
                self._line(pending)

    def _line(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").rstrip("\n")
        header = _HEADER.match(text)
        if header is not None:
            self._in_report = True
            self._profile.total_ms += milliseconds(header.group("took"))
            return
        if self._in_report:
            node = _NODE.match(text)
            if node is not None:
                if len(self._profile.nodes) < MAX_NODES:
                    self._profile.nodes.append(
                        {
                            "node": node.group("node"),
                            "time_ms": round(milliseconds(node.group("tot")), 3),
                            "rows_in": int(node.group("rows_in")),
                            "rows_out": int(node.group("rows_out")),
                        }
                    )
                return
            self._in_report = False
            if not text:
                return  # the report's closing empty line
        self._forward_line(raw)

    def _forward_line(self, raw: bytes) -> None:
        os.write(self._forward, raw)


@contextmanager
def profiled(profile: Profile) -> Iterator[None]:
    """Inside: queries report their nodes into ``profile``; stderr's other lines go on."""
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    saved = os.dup(2)
    reader = _Reader(read_end, saved, profile)
    reader.thread.start()
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        with polars_private.node_metrics():
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last writer is gone: the reader sees its end
        reader.thread.join()
        os.close(saved)
